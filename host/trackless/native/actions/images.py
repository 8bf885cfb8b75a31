"""``images`` (streaming): fetch the allowed images of a mail and return them as ``data:`` URIs.

Params: ``urls`` (array of strings, required, at most 64 used; the add-on
passes the ``url`` of the ``remote`` entries a sanitize result marks
``"action": "allowed"``). As a second guard the host fetches only URLs whose
registrable domain is on the allowlist with images shown; any other URL is
answered ``refused`` without a request, and so is a redirect to one (every
hop of a fetch is checked against the allowlist and the address rule). Fetching uses the SSRF-guarded
transport (the address rule lifted only by ``resolve_allow_private``), no
cookies, a common User-Agent, at most 3 in parallel, ``image_max_bytes`` per
image, 16 MiB (or ``image_max_bytes`` if larger) per mail; the type is decided
by magic bytes (PNG, JPEG, GIF, WebP, BMP, ICO, AVIF; never SVG).

Each image is sent as soon as it is done, as a partial result
``{"image": {url, status, mime, data, size, cached, error, message}}``
(``data`` is the ``data:`` URI when ``status`` is ``ok``; large ones arrive
chunked). The final result is a summary without the data:
``{"images": [{url, status, mime, size, cached, error, message}], "ok": n}``
in request order.

``from`` and ``authentication_results`` (optional, as for ``sanitize``): with
the ``sender_images`` setting on and the topmost Authentication-Results
authenticating the sender, the sender's own registrable domain counts as
allowlisted for the guard above.
"""

from __future__ import annotations

from ..protocol import opt_str, str_list
from ...domains import domain_of
from . import store_of

MAX_URLS = 64


def handle(params: dict, ctx) -> dict:
    from ...net.images import Image
    from ...net.service import make_image_proxy

    urls = str_list(params, "urls", required=True, max_items=1000)
    settings = store_of(ctx).load()
    allowed_domains = set(settings.image_domains)

    def allowed(u: str) -> bool:
        return domain_of(u) in allowed_domains

    proxy = make_image_proxy(settings.options, allow_private=bool(settings.options.get("resolve_allow_private")),
                             allowed=allowed)  # every redirect hop too
    proxy.max_images = MAX_URLS

    allowed_domains |= _sender_domains(params, settings)
    wanted, refused = [], {}
    for u in dict.fromkeys(u.strip() for u in urls if u.strip()):
        if allowed(u):
            wanted.append(u)
        else:
            refused[u] = Image(u, "refused", error="refused",
                               message="refused: the image's domain is not on the allowlist")

    def send(img) -> None:
        ctx.emit({"image": img.to_dict()})

    for img in refused.values():
        send(img)
    fetched = {img.url: img for img in proxy.fetch_all(wanted, on_result=send)}
    order = list(dict.fromkeys(u.strip() for u in urls if u.strip()))
    summary = []
    for u in order:
        img = fetched.get(u) or refused[u]
        d = img.to_dict()
        d.pop("data", None)
        summary.append(d)
    ok = sum(1 for s in summary if s["status"] == "ok")
    ctx.log.info("images: %d requested, %d ok", len(summary), ok)
    return {"images": summary, "ok": ok}


def _sender_domains(params: dict, settings) -> set[str]:
    """The sender's registrable domain when the sender-domain policy applies to this mail, else nothing."""
    from ...core.authres import verdict
    from ...core.policy import sender_images

    auth = verdict(str_list(params, "authentication_results", required=False, max_items=100), opt_str(params, "from"))
    policy = sender_images(bool(settings.options.get("sender_images")), auth.domain, auth)
    return {policy.domain} if policy.active else set()
