"""Which remote images are shown: the one decision, pure.

Given one reference's facts (kind, registrable domain, proxiable, tracker),
the allowlist, the "images from the sender's own domain" policy and the
mail's authentication verdict, ``decide`` says allowed or not and why. An
allowed image is fetched later by the helper (the ``images`` action), never
by Thunderbird. A tracker is never allowed, whatever the domain: allowing a
domain shows its content images while its pixels stay blocked.
"""

from __future__ import annotations

from dataclasses import dataclass

from .authres import AuthVerdict

__all__ = ["Decision", "SenderImages", "decide", "sender_images"]


@dataclass(frozen=True)
class SenderImages:
    """The sender-domain policy applied to one mail.

    enabled: the user turned the policy on (setting ``sender_images``).
    domain: the sender's registrable domain ("" when unknown).
    verified: the mail is authenticated for that domain, so the policy applies.
    reason: why images from the sender's domain are or are not shown, in words
        ("DMARC passed for shop.example", "the sender is not authenticated: ...").
    """

    enabled: bool = False
    domain: str = ""
    verified: bool = False
    reason: str = ""

    @property
    def active(self) -> bool:
        return self.enabled and self.verified and bool(self.domain)

    def to_dict(self) -> dict:
        return {"enabled": self.enabled, "domain": self.domain, "verified": self.verified,
                "active": self.active, "reason": self.reason}


def sender_images(enabled: bool, sender_domain: str, auth: AuthVerdict | None) -> SenderImages:
    """The policy for one mail: on only when enabled and the From domain is authenticated."""
    if not enabled:
        return SenderImages(False, sender_domain, False, "off in the settings")
    if not sender_domain:
        return SenderImages(True, "", False, "no sender address")
    auth = auth or AuthVerdict(sender_domain)
    if auth.passed and auth.domain == sender_domain:
        return SenderImages(True, sender_domain, True, auth.reason)
    return SenderImages(True, sender_domain, False, f"the sender is not authenticated: {auth.reason}")


@dataclass(frozen=True)
class Decision:
    """allowed: shown (fetched by the helper). by: "allowlist", "sender" or "".
    note: a reason part for the report ("" when there is nothing to add)."""

    allowed: bool
    by: str = ""
    note: str = ""


def decide(*, kind: str, domain: str, proxiable: bool, tracker: bool, allow: frozenset,
           sender: SenderImages = SenderImages()) -> Decision:
    """Allowed or not, for one remote reference."""
    listed = bool(domain) and domain in allow
    senders = sender.active and bool(domain) and domain == sender.domain
    if not (proxiable and kind in ("image", "pixel")) or not (listed or senders):
        return Decision(False)
    if tracker or kind != "image":
        why = "allowlisted domain" if listed else "the sender's own domain"
        return Decision(False, "", f"{why} but a tracker: stays blocked")
    if listed:
        return Decision(True, "allowlist", f"on allowlisted {domain}")
    return Decision(True, "sender", f"from the sender's own domain {domain} (authenticated)")
