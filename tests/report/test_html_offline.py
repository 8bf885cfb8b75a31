"""The HTML report loads with zero network requests in headless Chromium (Debian's ``chromium``).

A loopback HTTP server is the canary: every mail URL in the report points at
it, and Chromium is told to send *all* traffic (loopback included) through it
as a proxy, so any request the page makes, to any host, is logged there. A
control page with remote images proves the canary sees such requests. The
page must also carry no http(s) URL in src/href/url() at all. Chromium's own
background calls to Google services (update, time, accounts), which it makes
whatever the page, are told apart by host and ignored.
"""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import threading

import pytest

from goldens import run_report

pytestmark = pytest.mark.network

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)")


class _Canary(http.server.BaseHTTPRequestHandler):
    log: list = []

    def _hit(self):
        self.log.append(f"{self.command} {self.path}")
        self.send_response(204)
        self.end_headers()

    do_GET = do_HEAD = do_POST = do_CONNECT = _hit

    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def canary():
    _Canary.log = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    server.timeout = 0.2
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    t.start()
    try:
        yield server.server_address[1], _Canary.log
    finally:
        server.shutdown()
        server.server_close()


def _load(page: str, port: int, profile: str) -> str:
    """Load ``page`` (a file path) in headless Chromium with all traffic proxied to the canary; the DOM."""
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
         "--disable-domain-reliability", "--no-pings", "--disable-extensions", "--disable-breakpad",
         "--disable-client-side-phishing-detection", "--safebrowsing-disable-auto-update",
         "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,"
         "AutofillServerCommunication,CertificateTransparencyComponentUpdater",
         f"--user-data-dir={profile}",
         f"--proxy-server=http://127.0.0.1:{port}", "--proxy-bypass-list=<-loopback>",
         "--virtual-time-budget=3000", "--dump-dom", "file://" + page],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _mail(port: int) -> bytes:
    base = f"http://127.0.0.1:{port}"
    return (
        "From: News <news@brand.example>\nTo: alex.martin@example.org\nSubject: Canary <img src=\"" + base + "/subject.gif\">\n"
        "Date: Mon, 02 Nov 2026 10:00:00 +0000\nContent-Type: text/html\n\n"
        f'<img src="{base}/pixel.gif?e=abc123def456" width="1" height="1">'
        f'<div style="background:url({base}/bg.png)">x</div>'
        f'<link rel="stylesheet" href="{base}/style.css">'
        f'<a href="{base}/click?utm_source=nl&amp;id=1">link</a>'
        f'<img src="https://img.brand.example/hero.jpg">\n'
    ).encode()


@needs_chromium
def test_html_report_makes_zero_requests(tmp_path, canary):
    port, log = canary
    (tmp_path / "m.eml").write_bytes(_mail(port))
    page = tmp_path / "report.html"
    code, _, err = run_report("--format", "html", "--jobs", "1", "--out", str(page), str(tmp_path / "m.eml"))
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    assert f"127.0.0.1:{port}/pixel.gif" in html  # the canary URLs are in the report, as text

    # static check: no http(s) or protocol-relative URL where a browser would fetch it
    assert not re.search(r"""\b(?:src|href|srcset|action|poster|data|background)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*['"]?\s*(?:https?:)?//""", html, re.I)
    assert "<script" not in html.lower() and "@import" not in html.lower()

    dom = _load(str(page), port, str(tmp_path / "profile"))
    assert "Trackless evidence report" in dom and "Mails tracked per sender" in dom
    page_requests = [line for line in log if not _is_browser_background(line)]
    assert page_requests == []


# Chromium itself (not the page) still calls its update, time and account services despite the
# flags above; those requests go to these Google hosts whatever page is open, and are ignored.
_BACKGROUND_HOSTS = ("google.com", "googleapis.com", "gvt1.com", "gstatic.com", "googleusercontent.com")


def _target_host(line: str) -> str:
    method, _, target = line.partition(" ")
    if method == "CONNECT":
        return target.rsplit(":", 1)[0].lower()
    m = re.match(r"https?://([^/:?#]+)", target)
    return m.group(1).lower() if m else ""  # origin-form path: a direct request to the canary


def _is_browser_background(line: str) -> bool:
    host = _target_host(line)
    return any(host == h or host.endswith("." + h) for h in _BACKGROUND_HOSTS)


@pytest.mark.parametrize("line, background", [
    ("CONNECT update.googleapis.com:443", True),
    ("GET http://clients2.google.com/time/1/current?x=1", True),
    ("GET http://127.0.0.1:5555/pixel.gif", False),
    ("GET /pixel.gif", False),
    ("CONNECT img.brand.example:443", False),
    ("GET http://evilgoogle.com/x", False),
])
def test_background_filter(line, background):
    assert _is_browser_background(line) is background


@needs_chromium
def test_canary_sees_a_remote_image(tmp_path, canary):
    """Control: the same set-up does catch a page that loads a remote image."""
    port, log = canary
    page = tmp_path / "control.html"
    page.write_text(f'<!DOCTYPE html><p>control</p><img src="http://tracker.example/control.gif">'
                    f'<img src="http://127.0.0.1:{port}/direct.gif">')
    dom = _load(str(page), port, str(tmp_path / "profile"))
    assert "control" in dom
    page_requests = [line for line in log if not _is_browser_background(line)]
    assert any("control.gif" in line for line in page_requests) and any("direct.gif" in line for line in page_requests)
