"""Real headless Thunderbird for the end-to-end tests.

- ``LoopbackServer``: an HTTP server on 127.0.0.1 that logs every request and
  answers each with a small PNG; it shuts itself down after ``lifetime`` s.
- ``Profile``: a temporary profile with the unsigned add-on side-loaded, the
  verified preferences, a Local Folders mbox, and a temporary HOME where the
  real helper is registered with ``trackless install``.
- ``Thunderbird``: starts ``thunderbird --headless --marionette`` on the
  profile and reads the message pane through Marionette (chrome context).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: (mail label, display ms) collected by the tests, printed in the terminal summary.
TIMINGS: list[tuple[str, float]] = []
GECKO_ID = "trackless@trackless.email"
BUTTON_ID = "trackless_trackless_email-messageDisplayAction-toolbarbutton"

# The preferences verified with Thunderbird 153 (see DESIGN.md / user.js.example).
PREFS = {
    "extensions.autoDisableScopes": 0,
    "xpinstall.signatures.required": False,
    "mail.provider.suppress_dialog_on_startup": True,
    "mail.shell.checkDefaultClient": False,
    "mailnews.start_page.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "app.update.disabledForTesting": True,
    "mail.accountmanager.accounts": "account1",
    "mail.accountmanager.localfoldersserver": "server1",
    "mail.account.account1.server": "server1",
    "mail.server.server1.type": "none",
    "mail.server.server1.hostname": "Local Folders",
    "mail.server.server1.name": "Local Folders",
    "mail.server.server1.userName": "nobody",
    "mail.server.server1.directory-rel": "[ProfD]Mail/Local Folders",
    # Remote content stays blocked (Thunderbird's default, stated explicitly).
    "mailnews.message_display.disable_remote_image": True,
    # Nothing else may reach the network during the run.
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "app.update.auto": False,
    "browser.safebrowsing.update.enabled": False,
    "mail.biff.on_new_window": False,
    "mailnews.auto_config.fetchFromISP.enabled": False,
    "toolkit.telemetry.enabled": False,
    "devtools.console.stdout.chrome": True,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wav(seconds: float = 0.2, rate: int = 8000) -> bytes:
    """A silent mono 8-bit PCM WAV file."""
    data = b"\x80" * int(seconds * rate)
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate, 1, 8)
    return b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data)) + data


#: A real TrueType font for @font-face loads (Thunderbird's own dependency, DejaVu).
FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def typed_body(path: str, png: bytes) -> tuple[bytes, str]:
    if path.endswith(".css"):
        return b"p { color: inherit }", "text/css"
    if path.endswith(".ttf"):
        return FONT_FILE.read_bytes(), "font/ttf"
    if path.endswith(".wav"):
        return wav(), "audio/wav"
    if path.endswith(".html"):
        return b"<!DOCTYPE html><p>a remote page</p>", "text/html"
    return png, "image/png"


class LoopbackServer:
    """Logs every request; answers with a 1x1 PNG and a cookie (so a client
    that keeps cookies would send one back). Stops by itself after ``lifetime`` seconds."""

    def __init__(self, png: bytes, lifetime: float = 900.0, redirects: dict | None = None):
        """``redirects``: path prefix -> path; a request under the prefix gets a 302 there."""
        self.requests: list[tuple[str, str]] = []
        self.headers: list[dict[str, str]] = []  # Cookie/Referer/User-Agent of each request, same order
        redirects = redirects or {}
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _log(self):
                with outer._lock:
                    outer.requests.append((self.command, self.path))
                    outer.headers.append({k: self.headers.get(k, "") for k in ("Cookie", "Referer", "User-Agent")})

            def _redirect(self) -> bool:
                for prefix, target in redirects.items():
                    if self.path.startswith(prefix):
                        self.send_response(302)
                        self.send_header("Location", outer.base + target)
                        self.send_header("Set-Cookie", "hop=recipient-4982; Path=/; Max-Age=3600")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return True
                return False

            def do_GET(self):  # noqa: N802
                self._log()
                if self._redirect():
                    return
                # style sheets as text/css (a browser loads no other type as one), fonts, sounds
                # and pages as themselves (each kind loads only as its type), all else a PNG
                body, kind = typed_body(self.path.split("?")[0], png)
                self.send_response(200)
                self.send_header("Content-Type", kind)
                if kind.startswith("font/"):  # a cross-origin font loads only with CORS, as web font services send
                    self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("Set-Cookie", "tid=recipient-4982; Path=/; Max-Age=3600")
                self.end_headers()
                self.wfile.write(body)

            def do_HEAD(self):  # noqa: N802
                self._log()
                if self._redirect():
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Set-Cookie", "tid=recipient-4982; Path=/; Max-Age=3600")
                self.end_headers()

            def do_POST(self):  # noqa: N802
                self._log()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()

    def snapshot(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self.requests)

    def headers_snapshot(self) -> list[dict[str, str]]:
        with self._lock:
            return list(self.headers)

    def stop(self) -> None:
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()


def clean_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_") and not k.startswith("MOZ_")}
    env["HOME"] = str(home)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return env


class Profile:
    def __init__(self, root: Path, mbox: bytes, marionette_port: int):
        self.root = root
        self.dir = root / "profile"
        self.home = root / "home"
        self.dir.mkdir(parents=True)
        self.home.mkdir(parents=True)
        ext = self.dir / "extensions"
        ext.mkdir()
        build = subprocess.run(
            [sys.executable, str(ROOT / "install" / "build_xpi.py"), "--out", str(ext / f"{GECKO_ID}.xpi")],
            capture_output=True, text=True, check=True,
        )
        self.xpi_info = build.stdout.strip()
        prefs = dict(PREFS, **{"marionette.port": marionette_port})
        (self.dir / "user.js").write_text("".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items()))
        folder = self.dir / "Mail" / "Local Folders"
        folder.mkdir(parents=True)
        (folder / "Inbox").write_bytes(mbox)
        self.manifest = self.home / ".mozilla" / "native-messaging-hosts" / "trackless.json"

    def install_host(self) -> str:
        """Register the real helper for this HOME with ``trackless install``."""
        r = subprocess.run(
            [sys.executable, "-m", "trackless", "install"], env=clean_env(self.home), capture_output=True, text=True, timeout=60,
        )
        if r.returncode != 0 or not self.manifest.exists():
            raise RuntimeError(f"trackless install failed ({r.returncode}): {r.stdout}{r.stderr}")
        return r.stdout

    def write_silent_host(self) -> Path:
        """A host that reads requests and never answers (the 'slow helper' case)."""
        script = self.root / "silent-host"
        script.write_text(f"#!{sys.executable}\nimport sys\nwhile sys.stdin.buffer.read(65536):\n    pass\n")
        script.chmod(0o755)
        return script


# Chrome-context scripts (Marionette). The last argument is the async callback.
_COMMON = r"""
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tabmail = document.getElementById("tabmail");
const about3Pane = tabmail.currentAbout3Pane;
"""

OPEN_AND_READ = _COMMON + r"""
const [subject, timeoutMs, base, buttonId, waitState, pollMs] = arguments;
const done = arguments[arguments.length - 1];
(async () => {
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  const inbox = MailServices.accounts.localFoldersServer.rootFolder.getChildNamed("Inbox");
  if (!about3Pane.gFolder || about3Pane.gFolder.URI !== inbox.URI) about3Pane.displayFolder(inbox.URI);
  const t0 = Date.now();
  let index = -1;
  while (Date.now() - t0 < timeoutMs) {
    const view = about3Pane.gDBView;
    if (view) {
      for (let i = 0; i < view.rowCount; i++) {
        if (view.getMsgHdrAt(i).mime2DecodedSubject === subject) index = i;
      }
    }
    if (index >= 0) break;
    await sleep(100);
  }
  if (index < 0) return done({ error: `no message with subject ${subject}` });
  const tSelect = Date.now();
  about3Pane.threadTree.selectedIndex = index;
  const aboutMessage = about3Pane.messageBrowser.contentDocument;
  const pane = aboutMessage.getElementById("messagepane");
  let doc = null, state = null;
  while (Date.now() - t0 < timeoutMs) {
    doc = pane.contentDocument;
    state = doc && doc.title === subject ? doc.documentElement.getAttribute("data-trackless-state") : null;
    if (["sanitized", "fallback", "none"].includes(state)) break;
    if (!waitState && doc && doc.title === subject && doc.readyState === "complete") break;
    await sleep(pollMs || 25);
  }
  const tShown = Date.now();
  const button = aboutMessage.getElementById(buttonId);
  let badge = button ? button.getAttribute("badge") : null;
  while (waitState && Date.now() - t0 < timeoutMs && (badge === null || badge === "…" || badge === "")) {
    await sleep(25);
    badge = button ? button.getAttribute("badge") : null;
  }
  await sleep(50);
  const win = doc.defaultView;
  const body = doc.body;
  // Every attribute value or style text in the body that still names the loopback server,
  // except link targets (a/area href, only followed on a click), the kept originals
  // (data-trackless-original) and the allowed-image marker (not a URL the page loads).
  const remote = [];
  for (const el of [body, ...body.querySelectorAll("*")]) {
    for (const a of el.attributes) {
      if (a.name === "href" && (el.localName === "a" || el.localName === "area")) continue;
      if (a.name === "data-trackless-original" || a.name === "data-trackless-allowed") continue;
      if (a.value.includes(base)) remote.push(`${el.localName}[${a.name}]=${a.value}`);
    }
    if (el.localName === "style" && el.textContent.includes(base)) remote.push(`style: ${el.textContent}`);
  }
  const links = [...body.querySelectorAll("a[href]")].map((a) => ({
    id: a.id, href: a.getAttribute("href"), original: a.getAttribute("data-trackless-original"), text: a.textContent,
  }));
  const images = [...body.querySelectorAll("img")].map((i) => ({
    src: i.getAttribute("src"), complete: i.complete, naturalWidth: i.naturalWidth,
  }));
  done({
    subject: doc.title,
    state,
    shown: doc.documentElement.hasAttribute("data-trackless-shown"),
    visibility: win.getComputedStyle(body).visibility,
    timingMs: Number(doc.documentElement.getAttribute("data-trackless-ms") || "NaN"),
    cached: doc.documentElement.hasAttribute("data-trackless-cached"),
    waitedMs: tShown - tSelect,
    badge: button ? button.getAttribute("badge") : null,
    badgeTitle: button ? (button.getAttribute("tooltiptext") || button.getAttribute("label") || "") : null,
    buttonFound: Boolean(button),
    remote,
    links,
    images,
    htmlContainers: body.querySelectorAll("div.moz-text-html").length,
    bodyText: body.textContent.slice(0, 2000),
  });
})().catch((e) => done({ error: String(e) + "\n" + e.stack }));
"""

# New mail arriving in the Local Folders Inbox: each message is appended with
# nsIMsgLocalMailFolder.addMessage, marked New and announced (msgAdded), which
# is what fires messages.onNewMailReceived for add-ons.
DELIVER = r"""
const [messages] = arguments;
const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
const inbox = MailServices.accounts.localFoldersServer.rootFolder.getChildNamed("Inbox");
const local = inbox.QueryInterface(Ci.nsIMsgLocalMailFolder);
const out = [];
for (const text of messages) {
  const hdr = local.addMessage(text);
  const wasNew = Boolean(hdr.flags & Ci.nsMsgMessageFlags.New);
  if (!wasNew) {
    hdr.orFlags(Ci.nsMsgMessageFlags.New);
    MailServices.mfn.notifyMsgAdded(hdr);
  }
  out.push([hdr.mime2DecodedSubject, wasNew]);
}
return out;
"""

SELECT_NONE = _COMMON + r"""
const done = arguments[arguments.length - 1];
try {
  about3Pane.threadTree.selectedIndex = -1;
} catch (e) {
  // no selection object yet (the folder view was just rebuilt): nothing is selected
}
setTimeout(() => done(true), 200);
"""

# The popup is a remote (extension-process) browser: Marionette cannot enter it,
# so a message-manager frame script evaluates an expression in it.
OPEN_POPUP = _COMMON + r"""
const [buttonId] = arguments;
const done = arguments[arguments.length - 1];
(async () => {
  const find = () => [...document.querySelectorAll("browser")].find((b) => b.currentURI && b.currentURI.spec.endsWith("/popup/popup.html"));
  about3Pane.messageBrowser.contentDocument.getElementById(buttonId).click();
  const t0 = Date.now();
  while (!find() && Date.now() - t0 < 10000) await sleep(50);
  done(Boolean(find()));
})().catch((e) => done(String(e)));
"""

PAGE_EVAL = r"""
const [suffix, expression] = arguments;
const done = arguments[arguments.length - 1];
const browsers = [];
for (const w of Services.wm.getEnumerator(null)) browsers.push(...w.document.querySelectorAll("browser"));
for (const tab of document.getElementById("tabmail").tabInfo) if (tab.browser) browsers.push(tab.browser);
const br = browsers.find((b) => b.currentURI && b.currentURI.spec.split("?")[0].endsWith(suffix));
if (!br) return done({ error: "no page " + suffix });
const name = "trackless-e2e:" + Math.random();
const mm = br.messageManager;
const listener = (m) => { mm.removeMessageListener(name, listener); done(m.data); };
mm.addMessageListener(name, listener);
const code = `try { sendAsyncMessage(${JSON.stringify(name)}, { value: String((function(){ return ${expression}; })()) }); }` +
  ` catch (e) { sendAsyncMessage(${JSON.stringify(name)}, { error: String(e) }); }`;
mm.loadFrameScript("data:application/javascript," + encodeURIComponent(code), false);
"""

OPEN_TAB = r"""
const [geckoId, path] = arguments;
const done = arguments[arguments.length - 1];
const url = WebExtensionPolicy.getByID(geckoId).getURL(path);
const tabmail = document.getElementById("tabmail");
const tab = tabmail.openTab("contentTab", { url, background: false });
const t0 = Date.now();
(function wait() {
  const spec = tab.browser && tab.browser.currentURI && tab.browser.currentURI.spec;
  if (spec === url) return done(url);
  if (Date.now() - t0 > 10000) return done(null);
  setTimeout(wait, 50);
})();
"""

CLOSE_TAB = r"""
const [suffix] = arguments;
const tabmail = document.getElementById("tabmail");
for (const tab of tabmail.tabInfo) {
  const spec = tab.browser && tab.browser.currentURI && tab.browser.currentURI.spec;
  if (spec && spec.split("?")[0].endsWith(suffix)) { tabmail.closeTab(tab); return true; }
}
return false;
"""

CLOSE_POPUP = r"""
const br = [...document.querySelectorAll("browser")].find((b) => b.currentURI && b.currentURI.spec.endsWith("/popup/popup.html"));
const panel = br && br.closest("panel");
if (panel) panel.hidePopup();
return Boolean(panel);
"""

LINK_POINT = _COMMON + r"""
const [linkId] = arguments;
const win = about3Pane.messageBrowser.contentDocument.getElementById("messagepane").contentWindow;
const a = win.document.getElementById(linkId);
if (!a) return null;
a.scrollIntoView();
const r = a.getBoundingClientRect();
return [Math.round(win.mozInnerScreenX - window.mozInnerScreenX + r.left + 3),
        Math.round(win.mozInnerScreenY - window.mozInnerScreenY + r.top + 3)];
"""

ACTIVATE_MENU_ITEM = _COMMON + r"""
const [idPart] = arguments;
const done = arguments[arguments.length - 1];
(async () => {
  const docs = [document, about3Pane.document, about3Pane.messageBrowser.contentDocument];
  const t0 = Date.now();
  while (Date.now() - t0 < 5000) {
    for (const d of docs) {
      const item = [...d.querySelectorAll("menuitem")].find((m) => m.id.includes(idPart) && !m.hidden);
      if (item && item.closest("menupopup").state === "open") {
        const label = item.label;
        item.closest("menupopup").activateItem(item);
        return done(label);
      }
    }
    await sleep(50);
  }
  done(null);
})();
"""

CLOSE_WINDOW_WITH = r"""
const [suffix] = arguments;
for (const w of Services.wm.getEnumerator(null)) {
  for (const b of w.document.querySelectorAll("browser")) {
    if (b.currentURI && b.currentURI.spec.split("?")[0].endsWith(suffix)) { w.close(); return true; }
  }
}
return false;
"""

SET_ADDON_ENABLED = r"""
const [geckoId, enabled] = arguments;
const done = arguments[arguments.length - 1];
const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
AddonManager.getAddonByID(geckoId)
  .then((addon) => (enabled ? addon.enable() : addon.disable()).then(() => done(addon.isActive)))
  .catch((e) => done("ERR " + e));
"""

PANE_STATE = _COMMON + r"""
const d = about3Pane.messageBrowser.contentDocument.getElementById("messagepane").contentDocument;
return [d.title, d.documentElement.getAttribute("data-trackless-state")];
"""

READ_BADGE = _COMMON + r"""
const [buttonId] = arguments;
const b = about3Pane.messageBrowser.contentDocument.getElementById(buttonId);
return b ? [b.getAttribute("badge"), b.getAttribute("tooltiptext") || b.getAttribute("label") || ""] : null;
"""

SET_BOOL_PREF = r"""
const [name, value] = arguments;
Services.prefs.setBoolPref(name, value);
return Services.prefs.getBoolPref(name);
"""


class Thunderbird:
    def __init__(self, binary: str, profile: Profile, marionette_port: int, log_path: Path):
        self.profile = profile
        self.port = marionette_port
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-remote", "--profile", str(profile.dir), "--marionette", "--remote-allow-system-access"],
            env=clean_env(profile.home),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.client = None

    def connect(self, timeout: float = 90.0) -> None:
        from marionette_driver.marionette import Marionette

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Thunderbird exited with {self.proc.returncode}; log: {self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"Marionette did not open port {self.port}; log: {self.log_tail()}")
        self.client = Marionette(host="127.0.0.1", port=self.port)
        self.client.start_session()
        self.client.set_context("chrome")

    def open_message(self, subject: str, base: str, timeout_ms: int = 20000, wait_state: bool = True, poll_ms: int = 25) -> dict:
        """Select the message and read the pane once the add-on is done with it
        (``wait_state=False``: as soon as the message is loaded)."""
        result = self.client.execute_async_script(
            OPEN_AND_READ, script_args=[subject, timeout_ms, base, BUTTON_ID, wait_state, poll_ms],
            script_timeout=timeout_ms + 10000,
        )
        if result.get("error"):
            raise AssertionError(f"{subject}: {result['error']}")
        return result

    def deliver(self, messages: list[str]) -> list:
        """Add messages (RFC 822 text, each starting with an mbox "From " line) to the Inbox as new mail."""
        return self.client.execute_script(DELIVER, script_args=[messages], script_timeout=60000)

    def select_none(self) -> None:
        self.client.execute_async_script(SELECT_NONE, script_timeout=5000)

    def open_popup(self) -> bool:
        return self.client.execute_async_script(OPEN_POPUP, script_args=[BUTTON_ID], script_timeout=15000)

    def page_eval(self, suffix: str, expression: str) -> str:
        """Evaluate a JS expression in an add-on page (``content`` is its window); returns it as a string."""
        r = self.client.execute_async_script(PAGE_EVAL, script_args=[suffix, expression], script_timeout=10000)
        if "error" in r:
            raise AssertionError(f"{suffix}: {r['error']}")
        return r["value"]

    def popup_eval(self, expression: str) -> str:
        return self.page_eval("/popup/popup.html", expression)

    def open_addon_tab(self, path: str) -> str | None:
        return self.client.execute_async_script(OPEN_TAB, script_args=[GECKO_ID, path], script_timeout=15000)

    def close_addon_tab(self, path: str) -> bool:
        return self.client.execute_script(CLOSE_TAB, script_args=["/" + path])

    def wait_page_text(self, suffix: str, needle: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            try:
                text = self.page_eval(suffix, "content.document.body.innerText")
            except AssertionError as e:  # the page is not there yet
                text = str(e)
            if needle in text:
                return text
            time.sleep(0.1)
        return text

    def popup_text(self, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.popup_eval("content.document.body.innerText")
            if "Loading" not in text and text.strip():
                return text
            time.sleep(0.1)
        return text

    def close_popup(self) -> bool:
        return self.client.execute_script(CLOSE_POPUP)

    def message_link(self, link_id: str) -> dict:
        return self.client.execute_script(
            """const about3Pane = document.getElementById("tabmail").currentAbout3Pane;
            const d = about3Pane.messageBrowser.contentDocument.getElementById("messagepane").contentDocument;
            const a = d.getElementById(arguments[0]);
            return a ? {href: a.getAttribute("href"), original: a.getAttribute("data-trackless-original"),
                        undone: a.hasAttribute("data-trackless-undone")} : null;""",
            script_args=[link_id],
        )

    def context_click_link(self, link_id: str) -> None:
        """A real right-click (WebDriver actions) on a link of the displayed message."""
        from marionette_driver.marionette import ActionSequence

        point = self.client.execute_script(LINK_POINT, script_args=[link_id])
        if not point:
            raise AssertionError(f"no link {link_id} in the message")
        seq = ActionSequence(self.client, "pointer", "mouse-ctx", {"pointerType": "mouse"})
        seq.pointer_move(point[0], point[1], origin="viewport").pointer_down(button=2).pointer_up(button=2).perform()

    def activate_menu_item(self, id_part: str) -> str | None:
        """Activate the open context menu's item whose id contains ``id_part``; returns its label."""
        return self.client.execute_async_script(ACTIVATE_MENU_ITEM, script_args=[id_part], script_timeout=10000)

    def close_window_with(self, suffix: str) -> bool:
        return self.client.execute_script(CLOSE_WINDOW_WITH, script_args=[suffix])

    def set_addon_enabled(self, enabled: bool):
        return self.client.execute_async_script(SET_ADDON_ENABLED, script_args=[GECKO_ID, enabled], script_timeout=20000)

    def pane_state(self) -> list:
        return self.client.execute_script(PANE_STATE)

    def badge(self) -> tuple[str, str] | None:
        """(text, title) of the add-on's badge in the current message pane."""
        r = self.client.execute_script(READ_BADGE, script_args=[BUTTON_ID])
        return tuple(r) if r else None

    def set_bool_pref(self, name: str, value: bool) -> bool:
        return self.client.execute_script(SET_BOOL_PREF, script_args=[name, value])

    def host_pids(self) -> list[int]:
        """PIDs of helper processes Thunderbird started (descendants running trackless-host or the silent host)."""
        parents: dict[int, int] = {}
        cmdlines: dict[int, str] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            # "pid (comm) state ppid ...": comm may contain spaces, so split after the last ")"
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            cmdlines[int(entry.name)] = cmd

        def descends(pid: int) -> bool:
            for _ in range(64):
                pid = parents.get(pid, 0)
                if pid == self.proc.pid:
                    return True
                if pid <= 1:
                    return False
            return False

        return [pid for pid, cmd in cmdlines.items() if ("trackless-host" in cmd or "silent-host" in cmd) and descends(pid)]

    def kill_hosts(self) -> list[int]:
        pids = self.host_pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        return pids

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.client is not None:
            try:
                self.client.delete_session()
            except Exception:
                pass
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()
