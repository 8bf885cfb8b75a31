"""Opening a mail makes no network request: sanitize, the host's sanitize/unwrap actions, the real host.

A process-wide audit hook (PEP 578) sees every socket creation, connect,
send and name lookup at the C level, whichever library would make it; inside
the guard any of them raises and is recorded. The guard is proven to work by
a control case (a lookup and a connect inside it are caught).
"""

from __future__ import annotations

import importlib.util
import socket
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
#: Every event by which a socket reaches the network or the resolver. Creating and binding a
#: socket is not in the list: importing tldextract imports urllib3, whose IPv6 probe creates
#: a socket and binds it to ::1 (local, nothing is sent).
_EVENTS = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
           "socket.getnameinfo", "socket.sendto", "socket.sendmsg")
_state = threading.local()
_installed = []


class NetworkUsed(RuntimeError):
    pass


def _hook(event, args):
    if event in _EVENTS and getattr(_state, "guard", None) is not None:
        _state.guard.append((event, repr(args)[:200]))
        raise NetworkUsed(f"network during a guarded call: {event} {args!r}"[:300])


@contextmanager
def no_network():
    """Raise NetworkUsed on any socket use in this thread; yields the list of attempts."""
    if not _installed:
        sys.addaudithook(_hook)
        _installed.append(True)
    seen: list = []
    _state.guard = seen
    try:
        yield seen
    finally:
        _state.guard = None


def test_the_guard_catches_lookups_and_connects():
    with no_network() as seen:
        with pytest.raises(NetworkUsed):
            socket.getaddrinfo("example.com", 80)
        with pytest.raises(NetworkUsed):
            socket.create_connection(("127.0.0.1", 9), timeout=0.1)
    assert [e for e, _ in seen][:1] == ["socket.getaddrinfo"] and len(seen) == 2
    socket.getaddrinfo("127.0.0.1", 80, flags=socket.AI_NUMERICHOST)  # outside the guard: allowed


HOSTILE = """<html><head>
<link rel="stylesheet" href="https://cdn.tracker.example/s.css"><link rel="dns-prefetch" href="//dns.tracker.example">
<link rel="preconnect" href="https://pre.tracker.example"><meta http-equiv="refresh" content="0;url=https://r.tracker.example/">
<style>@import url(https://css.tracker.example/i.css); body{background:url('https://bg.tracker.example/b.png')}
@font-face{font-family:x;src:url(https://font.tracker.example/f.woff)}</style>
<base href="https://base.tracker.example/"></head>
<body background="https://bgattr.tracker.example/b.gif">
<img src="https://u1234567.ct.sendgrid.net/wf/open?upn=aBcD1234efGH5678" width="1" height="1">
<img src="https://img.brand.example/hero.jpg" srcset="https://img.brand.example/hero2x.jpg 2x">
<picture><source srcset="https://pic.tracker.example/p.webp"></picture>
<video poster="https://v.tracker.example/p.jpg" src="https://v.tracker.example/v.mp4"></video>
<iframe src="https://frame.tracker.example/"></iframe>
<a href="https://click.esp.example/ls/click?upn=abc" ping="https://ping.tracker.example/">opaque</a>
<a href="https://www.google.com/url?q=https://dest.example/?utm_source=x">wrapped</a>
<a href="https://epost.brand.example/optiext/optiextension.dll?ID=xyz">selligent</a>
<div style="background-image:url(https://div.tracker.example/d.png)">x</div>
<svg><image href="https://svg.tracker.example/i.png"/></svg>
</body></html>"""


def _sample_html() -> list[tuple[str, str | None, tuple]]:
    from trackless.mail import parse_message

    out = [(HOSTILE, "news@brand.example", ("me@example.org",))]
    for eml in sorted(SAMPLES.glob("*.eml")):
        mail = parse_message(eml.read_bytes())
        if mail.html:
            out.append((mail.html, mail.sender, mail.recipients))
    return out


def test_sanitize_makes_no_network_call():
    import trackless

    cases = _sample_html()
    assert len(cases) >= 2
    trackless.sanitize("<p>warm up</p>")  # imports and rule loading may happen outside the guard
    for html, sender, to in cases:
        with no_network() as seen:
            result = trackless.sanitize(html, sender=sender, recipients=to, allow=("brand.example",))
        assert seen == []
        assert result.remote  # it did find the remote references it must not fetch


def test_host_sanitize_and_unwrap_actions_make_no_network_call(tmp_path):
    from trackless.native.dispatch import Context, handler_for
    from trackless.store import Store

    store = Store(tmp_path / "settings.json")
    store.set_options({"dns_uncloaking": True})  # even with uncloaking on, opening a mail never does DNS
    store.add("brand.example", images=True)
    sanitize, unwrap = handler_for("sanitize"), handler_for("unwrap")
    sanitize({"html": "<p>warm up</p>"}, Context(store=store))
    with no_network() as seen:
        out = sanitize({"html": HOSTILE, "from": "news@brand.example", "to": ["me@example.org"]}, Context(store=store))
        links = unwrap({"urls": ["https://click.esp.example/ls/click?upn=abc",
                                 "https://www.google.com/url?q=https://dest.example/"]}, Context(store=store))
    assert seen == []
    assert out["badge"] > 0 and len(links["links"]) == 2


def test_real_host_sanitize_makes_no_network_call(tmp_path):
    path = Path(__file__).resolve().parents[1] / "native" / "hostproc.py"
    spec = importlib.util.spec_from_file_location("trackless_test_hostproc_nonet", path)
    hp = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hp)
    wrapper = (
        "import sys, os\n"
        f"EVENTS = {_EVENTS!r}\n"
        "def hook(event, args):\n"
        "    if event in EVENTS:\n"
        "        os.write(2, ('NETWORK-ATTEMPT ' + event + '\\n').encode())\n"
        "        raise RuntimeError('network during sanitize: ' + event)\n"
        "sys.addaudithook(hook)\n"
        "from trackless.native.main import main\n"
        "sys.argv = ['trackless-host'] + sys.argv[1:]\n"
        "sys.exit(main())\n"
    )
    data = hp.frame({"id": 1, "action": "sanitize", "html": HOSTILE, "from": "news@brand.example", "to": ["me@example.org"]})
    code, replies, err = hp.exchange(data, tmp_path, wrapper=wrapper)
    assert b"NETWORK-ATTEMPT" not in err
    assert code == 0 and replies[0]["ok"] is True and replies[0]["result"]["badge"] > 0
    # control: the same hook does catch a lookup in that process (stopped before any query is sent)
    control = data + hp.frame({"id": 2, "action": "resolve", "url": "http://never-resolved.invalid/x"})
    code, replies, err = hp.exchange(control, tmp_path, wrapper=wrapper)
    assert err.count(b"NETWORK-ATTEMPT") == 1 and b"NETWORK-ATTEMPT socket.getaddrinfo" in err
    assert replies[0]["ok"] is True and replies[1]["ok"] is False
