"""End to end in real headless Thunderbird: the add-on, the real helper, a
loopback server that logs every request, and a Local Folders mbox.

The tests share one Thunderbird and run in file order; the later ones take
the helper away and bring it back.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

import tb_harness as harness
import tb_mails as mails

pytestmark = pytest.mark.thunderbird


def expected_counts(html: str) -> tuple[int, int]:
    """(trackers blocked, tracking links cleaned) by the helper for a test mail's HTML."""
    import trackless

    result = trackless.sanitize(html, sender=mails.SENDER, recipients=[mails.READER])
    links = sum(1 for l in result.links if l.tracker)  # the tooltip counts links that track (link.tracker)
    return sum(1 for r in result.remote if r.tracker), links


def expected_count(html: str) -> int:
    """The badge number for a test mail's HTML: the trackers blocked."""
    return expected_counts(html)[0]


def assert_sanitized(view: dict) -> None:
    assert view["state"] == "sanitized", view
    assert view["shown"] and view["visibility"] == "visible", view
    assert view["remote"] == [], f"remote references left in the displayed DOM: {view['remote']}"


def test_addon_loaded_and_helper_registered(tb, server):
    view = tb.open_message("Small mail", server.base)
    assert view["buttonFound"], "the message display action button of the add-on is missing"
    assert view["state"] == "sanitized", (view, tb.log_tail())


def test_install_check_reads_the_add_on_in_the_real_thunderbird_profile(tb, server):
    """``trackless install --check`` against the profile Thunderbird itself wrote (extensions.json)."""
    from trackless.version import __version__

    tb.open_message("Small mail", server.base)
    tbdir = tb.profile.home / ".thunderbird"
    tbdir.mkdir(exist_ok=True)
    (tbdir / "profiles.ini").write_text(f"[Profile0]\nName=e2e\nIsRelative=0\nPath={tb.profile.dir}\nDefault=1\n")
    r = subprocess.run([sys.executable, "-m", "trackless", "install", "--check"], env=harness.clean_env(tb.profile.home),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"profile 'e2e' ({tb.profile.dir}): add-on {__version__} installed, enabled" in r.stdout, r.stdout
    assert "OK    the host answers ping" in r.stdout and r.stdout.rstrip().endswith("Trackless is ready.")


def test_newsletter_is_sanitized_with_zero_requests(tb, server):
    mail = mails.all_mails(server.base)[0]
    view = tb.open_message(mail.subject, server.base)
    assert_sanitized(view)
    # cleaned links: each tracked link shows its cleaned destination, original kept
    by_original = {l["original"]: l for l in view["links"] if l["original"]}
    for original, final in mail.tracked_links.items():
        assert original in by_original, (original, view["links"])
        assert by_original[original]["href"] == final
    opaque = [l for l in view["links"] if l["id"] == "l-sendgrid"][0]
    assert opaque["href"].startswith("https://u1234.ct.sendgrid.net/ls/click"), opaque
    untouched = [l for l in view["links"] if l["id"] == "l-plain"][0]
    assert untouched == {"id": "l-plain", "href": "https://shop.example/about", "original": None, "text": "about"}
    # the first-party cid: image still displays after the swap (mailbox: part URL)
    parts = [i for i in view["images"] if i["src"] and not i["src"].startswith("http")]
    assert parts and all(i["complete"] and i["naturalWidth"] == 2 for i in parts), view["images"]
    # badge: the trackers blocked; its tooltip says so first, then the links
    trackers, links = expected_counts(mail.html)
    assert view["badge"] == str(trackers), view
    assert tb.badge() == (str(trackers), f"Trackless: {trackers} trackers blocked · {links} tracking links cleaned"), tb.badge()
    assert server.snapshot() == [], f"requests reached the loopback server: {server.snapshot()}"


def test_head_content_outside_the_part_is_sanitized_too(tb, server):
    """Thunderbird renders the mail's <base>, <style> and <body> attributes outside
    div.moz-text-html; they are sanitized with the part (base resolved, link cleaned)."""
    view = tb.open_message("Head tricks", server.base)
    assert_sanitized(view)
    link = [l for l in view["links"] if l["id"] == "l-relative"][0]
    assert link["href"] == f"{server.base}/base/page.html?keep=1", link
    assert link["original"] == "page.html?utm_source=x&keep=1", link
    assert server.snapshot() == []
    # its blocked remote style sheet is not mistaken for remote content allowed
    time.sleep(0.5)
    assert tb.badge()[0] != "!", tb.badge()
    # its read-receipt request, read from the headers, with what Thunderbird does about it
    text = popup_once(tb)
    assert "Read receipt requested" in text and "Disposition-Notification-To" in text, text
    assert "to Shop <receipts@shop.example>" in text and "Thunderbird asks you before sending a read receipt" in text, text


def test_popup_report_and_undo(tb, server):
    mail = mails.all_mails(server.base)[0]
    view = tb.open_message(mail.subject, server.base)
    assert view["state"] == "sanitized"
    assert tb.open_popup(), "the popup did not open"
    try:
        text = tb.popup_text()
        trackers, links = expected_counts(mail.html)
        # one vocabulary: the popup's line is the badge tooltip's
        assert f"{trackers} trackers blocked · {links} tracking links cleaned." in text, text
        assert "Remote content" in text and "certain: a known tracker" in text, text
        assert "destination hidden by the sender's mail service" in text, text
        assert "destination restored" in text and "tracking removed" in text, text
        for jargon in ("unwrapped", "opaque", "hiddenSendGrid", "cleanedGoogle"):
            assert jargon not in text, (jargon, text)
        assert "before: https://shop.example/p?id=7&utm_source=nl&utm_medium=email&mc_eid=abc123" in text, text
        assert "after: https://shop.example/p?id=7" in text, text
        assert "tracking parts removed: utm_source, utm_medium, mc_eid" in text, text
        # a URL carrying markup is shown as text, never parsed
        all_text = tb.popup_eval("content.document.body.textContent")  # also inside collapsed groups
        assert '/content/hostile.png?q="><img src=x onerror=alert(1)><script>alert(2)</script>' in all_text, all_text
        assert tb.popup_eval("content.document.querySelectorAll('img, script:not([src])').length") == "0"
        # undo the utm link from the popup: the message's link goes back to the original
        links = tb.popup_eval(
            "[...content.document.querySelectorAll('li.link')].map(li => li.querySelector('.before code').textContent).join('\\n')"
        ).split("\n")
        index = links.index("https://shop.example/p?id=7&utm_source=nl&utm_medium=email&mc_eid=abc123")
        tb.popup_eval(f"content.document.querySelectorAll('li.link')[{index}].querySelector('button.undo').click()")
        deadline = time.monotonic() + 5
        link = tb.message_link("l-utm")
        while not link["undone"] and time.monotonic() < deadline:
            time.sleep(0.1)
            link = tb.message_link("l-utm")
        assert link == {"href": link["original"], "original": "https://shop.example/p?id=7&utm_source=nl&utm_medium=email&mc_eid=abc123", "undone": True}
        assert tb.popup_eval(f"content.document.querySelectorAll('li.link')[{index}].querySelector('button.undo').textContent") == "undone"
    finally:
        tb.close_popup()
    assert server.snapshot() == []


def test_plain_text_links_are_cleaned(tb, server):
    view = tb.open_message("Plain text order", server.base)
    assert view["state"] == "sanitized", view
    by_original = {l["original"]: l for l in view["links"] if l["original"]}
    for original, final in mails.PLAIN_LINKS.items():
        assert by_original[original]["href"] == final, view["links"]
        assert by_original[original]["text"] == final
    assert [l["href"] for l in view["links"] if not l["original"]] == ["https://shop.example/help"]
    # links that track the reader (issue 17): mc_eid does; a Google redirect with utm_* alone does not
    import trackless

    tracking = sum(trackless.unwrap(u, recipients=[mails.READER]).tracker for u in mails.PLAIN_LINKS)
    assert tracking == 1
    # no tracker in a plain-text mail: a clean badge whose tooltip names the tracking links
    assert view["badge"] == "✓", view
    assert tb.badge()[1] == "Trackless: no trackers found · 1 tracking link cleaned", tb.badge()
    assert server.snapshot() == []


def test_new_mail_is_presanitized_and_reopens_are_served_from_the_cache(tb, server):
    """New mail arrives (messages.onNewMailReceived): the background rebuilds its
    rendered HTML and sanitizes it into the in-memory cache, so the first open is
    served from there. Opening it again is too, as is a reopen of a 200 KB mail
    whose images Thunderbird marks for zoom after loading (the display script
    leaves those marks out, so the same mail always sends the same HTML). Each
    such open is as sanitized as a fresh one and costs no request."""
    html = mails.small_html(server.base).replace("Short note", "Arrived just now")
    mail = mails.TestMail("Cache probe", html=html)
    arrived = tb.deliver([f"From - Thu Nov 26 00:00:00 2026\n{mails.to_message(mail, 90)}"])
    assert arrived == [["Cache probe", True]], arrived
    time.sleep(2)  # background work, if any, is done
    first = tb.open_message("Cache probe", server.base)
    assert_sanitized(first)
    assert first["cached"] is True, "the result sanitized on arrival was not used"
    assert "Arrived just now" in first["bodyText"]
    assert first["badge"] == str(expected_count(html)), first
    tb.select_none()
    again = tb.open_message("Cache probe", server.base)
    assert_sanitized(again)
    assert again["cached"] is True, "the second open was not served from the cache"
    assert again["badge"] == first["badge"]
    assert again["links"] == first["links"] and again["images"] == first["images"]
    for n in range(2):
        tb.select_none()
        large = tb.open_message("Large mail", server.base, timeout_ms=30000)
        assert_sanitized(large)
        assert large["cached"] is bool(n), n
    assert server.snapshot() == []


def _mail(subject: str, base: str) -> mails.TestMail:
    return next(m for m in mails.all_mails(base) if m.subject == subject)


def test_timing_small_large_and_chunked(tb, server):
    """Display timing for a small, a 200 KB and a 1 MB mail; the 1 MB mail's reply
    is over Thunderbird's 1 MiB message cap, so it arrives chunked and is reassembled."""
    import json

    import trackless

    small, large, huge = (_mail(s, server.base) for s in ("Small mail", "Large mail", "Huge mail"))
    assert len(large.html) >= 200_000
    reply = json.dumps(trackless.sanitize(huge.html, sender=mails.SENDER, recipients=[mails.READER]).to_dict())
    assert len(reply.encode()) > 1_048_576, "the 1 MB mail must produce a chunked reply"
    for _ in range(3):
        for mail in (small, large, huge):
            tb.select_none()
            view = tb.open_message(mail.subject, server.base, timeout_ms=30000)
            assert_sanitized(view)
            count, links = expected_counts(mail.html)
            assert view["badge"] == (str(count) if count <= 999 else "999+"), (mail.subject, view["badge"])
            words = f"{count} tracker{'s' if count != 1 else ''} blocked"
            if links:  # the add-on names cleaned links only when there are some (badge.js summaryText)
                words += f" · {links} tracking link{'s' if links != 1 else ''} cleaned"
            assert view["badgeTitle"] == f"Trackless: {words}", view["badgeTitle"]
            label = f"{mail.subject} ({len(mail.html) // 1000} KB)"
            harness.TIMINGS.append((label, view["timingMs"]))
    assert server.snapshot() == []


def test_message_open_before_the_addon_starts_is_sanitized(tb, server):
    """Registered scripts only reach messages opened later: a message already on
    screen when the add-on (re)starts gets the script injected."""
    tb.select_none()
    assert tb.set_addon_enabled(False) is False
    try:
        view = tb.open_message("Small mail", server.base, wait_state=False)
        assert view["state"] is None, "the add-on is disabled: nothing ran"
        assert any(l["href"].startswith("https://shop.example/x?utm_campaign=small") for l in view["links"]), view["links"]
    finally:
        assert tb.set_addon_enabled(True) is True
    deadline = time.monotonic() + 20
    state = tb.pane_state()
    while state[1] != "sanitized" and time.monotonic() < deadline:
        time.sleep(0.2)
        state = tb.pane_state()
    assert state == ["Small mail", "sanitized"], state
    view = tb.open_message("Small mail", server.base)
    assert_sanitized(view)
    assert [l["href"] for l in view["links"]] == ["https://shop.example/x?k=1"], view["links"]
    assert view["badge"] == str(expected_count(_mail("Small mail", server.base).html))
    assert server.snapshot() == []


def test_fallback_when_helper_missing_then_slow_then_back(tb, server):
    manifest = tb.profile.manifest
    real = manifest.read_text()
    try:
        # 1. helper gone: manifest removed, running helper stopped
        manifest.unlink()
        assert tb.kill_hosts(), "no helper process was running"
        time.sleep(1.0)
        view = tb.open_message("Fallback probe one", server.base)
        assert view["state"] == "fallback", view
        assert view["shown"] and view["visibility"] == "visible"
        assert view["htmlContainers"] == 1 and "Probe one" in view["bodyText"]
        assert all(l["original"] is None for l in view["links"]), "fallback view must be Thunderbird's own, untouched"
        assert view["badge"] == "off", view
        assert "not reachable" in (view["badgeTitle"] or ""), view

        # 2. helper that never answers: the documented timeout, then the blocked view
        silent = tb.profile.write_silent_host()
        manifest.write_text(real.replace(_path_in(real), str(silent)))
        time.sleep(2.5)  # past the reconnect backoff
        started = time.monotonic()
        view = tb.open_message("Fallback probe two", server.base)
        waited = time.monotonic() - started
        assert view["state"] == "fallback", view
        assert view["badge"] == "err", view
        assert 3.5 < waited < 9, f"fallback after {waited:.1f} s (host timeout 4 s, display timeout 5 s)"
        assert server.snapshot() == []
    finally:
        manifest.write_text(real)
        tb.kill_hosts()
    # 3. helper back: the add-on reconnects after its backoff
    deadline = time.monotonic() + 40
    view = None
    while time.monotonic() < deadline:
        tb.select_none()
        view = tb.open_message("Recovery probe", server.base)
        if view["state"] == "sanitized":
            break
        time.sleep(2)
    assert_sanitized(view)
    assert view["badge"] == str(expected_count(_mail("Recovery probe", server.base).html))
    assert server.snapshot() == []


def _path_in(manifest_text: str) -> str:
    import json

    return json.loads(manifest_text)["path"]


def test_options_page_status_and_settings(tb, server):
    assert tb.open_addon_tab("options/options.html")
    try:
        private = "Let link resolving reach local network addresses"
        text = tb.wait_page_text("/options/options.html", private)
        assert "Helper answering: trackless" in text and "(protocol 1)" in text, text
        # labels and explanations a person reads, never the internal names
        for internal in ("resolve_allow_private", "dns_uncloaking", "image_max_bytes", "request_timeout_ms", "sender_images"):
            assert internal not in text, (internal, text)
        assert "What this sends: those host names, to your resolver" in text, text
        assert "Show images from the sender's own domain" in text, text
        # sizes in MB and times in seconds
        values = tb.page_eval(
            "/options/options.html",
            "['image_max_bytes', 'request_timeout_ms'].map(n => content.document.getElementById('setting-' + n))"
            ".map(i => i.value + ' ' + i.parentNode.textContent.trim()).join('|')",
        )
        assert values == "5 Largest image the helper fetches  MB|5 Network time limit  seconds", values
        # the image fetcher may reach the loopback test server only with this setting
        tb.page_eval(
            "/options/options.html",
            f"[...content.document.querySelectorAll('#settings label')].find(l => l.querySelector('strong').textContent === {private!r}).querySelector('input').click()",
        )
        text = tb.wait_page_text("/options/options.html", f"{private}: saved.")
        assert f"{private}: saved." in text, text
        # allowlist: keep shop.example's links unmodified
        tb.page_eval(
            "/options/options.html",
            "(() => { const d = content.document; d.getElementById('add-domain').value = 'https://www.shop.example/x';"
            " d.getElementById('add-images').checked = false; d.getElementById('add-keep').checked = true;"
            " d.querySelector('#add button').click(); return 1; })()",
        )
        text = tb.wait_page_text("/options/options.html", "Added.")
        rows = tb.page_eval(
            "/options/options.html",
            "[...content.document.querySelectorAll('#allowlist tr')].map(tr => tr.cells[0].textContent + ':' +"
            " [...tr.querySelectorAll('input')].map(i => i.checked).join()).join(';')",
        )
        assert rows == "shop.example:false,true", rows
    finally:
        tb.close_addon_tab("options/options.html")
    # the plain-text mail's shop.example link is now left as it is
    tb.select_none()
    view = tb.open_message("Plain text order", server.base)
    assert view["state"] == "sanitized", view
    hrefs = [l["href"] for l in view["links"]]
    assert "https://shop.example/track?order=42&utm_source=mail&utm_medium=email&mc_eid=abc123" in hrefs, hrefs
    # remove it again from the options page
    assert tb.open_addon_tab("options/options.html")
    try:
        tb.wait_page_text("/options/options.html", "shop.example")
        tb.page_eval("/options/options.html", "content.document.querySelector('#allowlist tr button').click()")
        text = tb.wait_page_text("/options/options.html", "shop.example removed.")
        assert "shop.example removed." in text, text
        assert tb.page_eval("/options/options.html", "content.document.querySelectorAll('#allowlist tr').length") == "0"
    finally:
        tb.close_addon_tab("options/options.html")
    assert server.snapshot() == []


def test_resolve_tracking_link_from_the_context_menu(tb, server):
    """A real right-click on an opaque link, "Resolve tracking link…", the helper
    follows it (loopback allowed by the setting the options test turned on)."""
    before = len(server.snapshot())
    tb.select_none()
    mail = mails.all_mails(server.base)[0]
    view = tb.open_message(mail.subject, server.base)
    assert_sanitized(view)
    opaque = f"{server.base}/ls/click?upn=QWERTYuiop0123456789asdfghJKL"
    assert tb.message_link("l-opaque-local") == {"href": opaque, "original": None, "undone": False}
    tb.context_click_link("l-opaque-local")
    assert tb.activate_menu_item("_trackless-resolve") == "Resolve tracking link…"
    try:
        text = tb.wait_page_text("/resolve/resolve.html", "This link leads to", timeout=20)
        final = f"{server.base}/dest/landing?id=9"
        assert "This link leads to" in text and final in text, text
        deadline = time.monotonic() + 5
        link = tb.message_link("l-opaque-local")
        while link["href"] != final and time.monotonic() < deadline:
            time.sleep(0.1)
            link = tb.message_link("l-opaque-local")
        assert link == {"href": final, "original": opaque, "undone": False}
    finally:
        tb.close_window_with("/resolve/resolve.html")
    paths = [p for _, p in server.snapshot()[before:]]
    assert paths and paths[0].startswith("/ls/click"), paths
    assert all(p.startswith("/ls/click") or p.startswith("/dest/landing") for p in paths), paths


PANE_IMAGE = """const about3Pane = document.getElementById("tabmail").currentAbout3Pane;
const d = about3Pane.messageBrowser.contentDocument.getElementById("messagepane").contentDocument;
const i = d.getElementById(arguments[0]);
return i ? [i.getAttribute("data-trackless-allowed"), (i.getAttribute("src") || "").slice(0, 22), i.naturalWidth] : null;"""


def wait_image(tb, element_id: str, want, timeout: float = 15.0):
    """The displayed image's [allowed URL, src prefix, naturalWidth] once ``want(value)`` holds (or the last value)."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = tb.client.execute_script(PANE_IMAGE, script_args=[element_id])
        if want(value):
            break
        time.sleep(0.2)
    return value


def wait_popup(tb, needle: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = tb.popup_eval("content.document.body.textContent")
        if needle in text:
            break
        time.sleep(0.1)
    return text


def allowlist(tb) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "trackless", "allow", "list"], env=harness.clean_env(tb.profile.home),
        capture_output=True, text=True, timeout=60,
    )
    return out.stdout + out.stderr


def assert_helper_fetch(server, before: int, paths: list[str]) -> None:
    """Exactly these requests since ``before``, each without Cookie (the server
    sets one on every answer), Referer or a library's User-Agent."""
    assert server.snapshot()[before:] == [("GET", p) for p in paths], server.snapshot()[before:]
    for sent in server.headers_snapshot()[before:]:
        assert sent["Cookie"] == "" and sent["Referer"] == "", sent
        assert sent["User-Agent"].startswith("Mozilla/5.0") and not any(
            word in sent["User-Agent"].lower() for word in ("python", "urllib", "trackless")), sent


def test_show_images_from_a_domain_that_also_serves_a_pixel_then_undo(tb, server):
    before = len(server.snapshot())
    view = tb.open_message("Images from a second domain", server.base)
    assert_sanitized(view)
    assert tb.open_popup()
    try:
        text = tb.popup_text()
        # offered although 127.0.0.1 also serves a pixel, and the popup says the pixel stays blocked
        assert "Images from 127.0.0.1 are blocked. Its 1 tracker stays blocked." in text, text
        buttons = tb.popup_eval("[...content.document.querySelectorAll('button.allow')].map(b => b.textContent).join('|')")
        assert buttons == "Show images from 127.0.0.1", "only the content images' domain; never a domain with only trackers"
        # one click: the mail re-renders in place with the picture, fetched by the helper
        tb.popup_eval("content.document.querySelector('button.allow').click()")
        shown = wait_image(tb, "catalog", lambda v: bool(v and v[2]))
        assert shown == [f"{server.base}/content/catalog.jpg", "data:image/png;base64,", 1], shown
        assert wait_image(tb, "same-pixel", lambda v: v is None, 2) is None, "the pixel on the same domain is removed"
        text = wait_popup(tb, "are shown (you allowed them)")
        assert "Images from 127.0.0.1 are shown (you allowed them). Its 1 tracker stays blocked." in text, text
        assert "127.0.0.1" in allowlist(tb)
        # exactly one request: the allowed image, once; the same domain's pixel none
        assert_helper_fetch(server, before, ["/content/catalog.jpg"])
        # undo in the same place: blocked again, re-rendered, nothing fetched
        assert tb.popup_eval("content.document.querySelector('button.block').textContent") == "Block images from 127.0.0.1 again"
        tb.popup_eval("content.document.querySelector('button.block').click()")
        hidden = wait_image(tb, "catalog", lambda v: bool(v) and v[1] == "")
        assert hidden and hidden[1] == "" and hidden[0] is None, hidden
        text = wait_popup(tb, "Show images from 127.0.0.1")
        assert "Images from 127.0.0.1 are blocked." in text, text
        assert "127.0.0.1" not in allowlist(tb)
    finally:
        tb.close_popup()
    assert_helper_fetch(server, before, ["/content/catalog.jpg"])


def popup_once(tb) -> str:
    """The popup's visible text for the displayed message (opened, read, closed)."""
    assert tb.open_popup()
    try:
        return tb.popup_text()
    finally:
        tb.close_popup()


def set_option(tb, label: str, checked: bool) -> None:
    """Tick or untick a setting on the options page, by its label."""
    assert tb.open_addon_tab("options/options.html")
    try:
        tb.wait_page_text("/options/options.html", label)
        find = f"[...content.document.querySelectorAll('#settings label')].find(l => l.querySelector('strong').textContent === {label!r}).querySelector('input')"
        if tb.page_eval("/options/options.html", f"{find}.checked") != str(checked).lower():
            tb.page_eval("/options/options.html", f"{find}.click()")
            tb.wait_page_text("/options/options.html", f"{label}: saved.")
        assert tb.page_eval("/options/options.html", f"{find}.checked") == str(checked).lower()
    finally:
        tb.close_addon_tab("options/options.html")


def test_sender_domain_images_only_for_an_authenticated_sender(tb, server):
    label = "Show images from the sender's own domain"
    set_option(tb, label, True)
    try:
        before = len(server.snapshot())
        view = tb.open_message("Sender images authenticated", server.base)
        assert_sanitized(view)
        local = server.base.replace("127.0.0.1", "localhost")
        shown = wait_image(tb, "hero", lambda v: bool(v and v[2]))
        assert shown == [f"{local}/sender-pass/hero.jpg", "data:image/png;base64,", 1], shown
        text = popup_once(tb)
        assert "Images from the sender's domain localhost are shown: DMARC passed for localhost." in text, text
        assert "Images from localhost are shown (the sender's own domain). Its 1 tracker stays blocked." in text, text
        assert_helper_fetch(server, before, ["/sender-pass/hero.jpg"])
        # the same mail without the provider's verdict: a From anyone can write turns nothing on
        before = len(server.snapshot())
        assert_sanitized(tb.open_message("Sender images unauthenticated", server.base))
        text = popup_once(tb)
        assert ("Images from the sender's domain localhost are not shown: the sender is not authenticated: "
                "no Authentication-Results header from your provider.") in text, text
        assert "Show images from localhost" in text, text
        hero = wait_image(tb, "hero", lambda v: False, 1)
        assert hero and hero[1] == "" and not hero[2], hero
        assert server.snapshot()[before:] == []
    finally:
        set_option(tb, label, False)


ONLY_KIND_PREFIXES = {
    "Remote font only": "/font-only/",
    "Remote style rule background only": "/rule-bg/",
    "Remote media only": "/media-only/",
    "Remote frame only": "/frame-only/",
}


def test_remote_content_of_every_kind_blocked_costs_nothing_and_warns_nothing(tb, server):
    """Blocking on: the mails whose only remote content is a font, a style-rule
    background, a sound or a frame make no request (the add-on's checks included)
    and raise no warning."""
    mark = len(server.snapshot())
    for subject in ONLY_KIND_PREFIXES:
        tb.select_none()
        view = tb.open_message(subject, server.base)
        assert view["state"] == "sanitized", (subject, view)
        time.sleep(0.6)  # past SETTLE_MS: a late check would have reported by now
        assert tb.badge()[0] != "!", (subject, tb.badge())
    assert server.snapshot()[mark:] == [], server.snapshot()[mark:]


def wait_badge(tb, text: str, timeout: float = 5.0):
    badge = tb.badge()
    deadline = time.monotonic() + timeout
    while (not badge or badge[0] != text) and time.monotonic() < deadline:
        time.sleep(0.2)
        badge = tb.badge()
    return badge


def test_remote_content_allowed_is_detected(tb, server):
    """Last: turns Thunderbird's blocking off, so these mails' remote content does load."""
    before = server.snapshot()
    assert all(p.startswith(("/ls/click", "/dest/landing", "/content/catalog.jpg", "/sender-pass/hero.jpg")) for _, p in before), (
        "only the helper's requests the user asked for (resolve, allowed images) so far"
    )
    tb.set_bool_pref("mailnews.message_display.disable_remote_image", False)
    try:
        view = tb.open_message("Remote allowed probe", server.base)
        assert view["state"] == "sanitized", view
        badge = wait_badge(tb, "!")
        assert badge[0] == "!", (badge, view)
        assert "Thunderbird loaded remote content for this message" in badge[1], badge
        assert {p for _, p in server.snapshot()[len(before):]} == {"/allowed/photo.png"}
        # no <img> at all: a CSS background and a web font are loads too
        mark = len(server.snapshot())
        view = tb.open_message("Remote allowed CSS probe", server.base)
        assert view["state"] == "sanitized", view
        badge = wait_badge(tb, "!")
        loaded = [p for _, p in server.snapshot()[mark:]]
        assert badge[0] == "!", (badge, loaded)
        # the background was requested once: by Thunderbird, the add-on's probe added none
        assert loaded.count("/allowed/css-bg.png") == 1 and set(loaded) <= {"/allowed/css-bg.png", "/allowed/font.woff2"}, loaded
        # a mail whose only remote content is a style sheet
        mark = len(server.snapshot())
        view = tb.open_message("Remote allowed stylesheet probe", server.base)
        assert view["state"] == "sanitized", view
        badge = wait_badge(tb, "!")
        assert badge[0] == "!", (badge, server.snapshot()[mark:])
        assert [p for _, p in server.snapshot()[mark:]] == ["/allowed/style.css"]
        # the popup says how to turn Thunderbird's blocking back on
        text = popup_once(tb)
        assert "Thunderbird loaded remote content" in text, text
        assert "uncheck “Allow remote content in messages”" in text and "Exceptions…" in text, text
    finally:
        tb.set_bool_pref("mailnews.message_display.disable_remote_image", True)


def test_remote_content_of_every_kind_allowed_is_detected(tb, server):
    """Blocking off: each mail's one kind of remote load raises the "!" warning."""
    tb.set_bool_pref("mailnews.message_display.disable_remote_image", False)
    try:
        for subject, prefix in ONLY_KIND_PREFIXES.items():
            tb.select_none()
            mark = len(server.snapshot())
            view = tb.open_message(subject, server.base)
            assert view["state"] == "sanitized", (subject, view)
            badge = wait_badge(tb, "!")
            loaded = [p for _, p in server.snapshot()[mark:]]
            assert badge[0] == "!", (subject, badge, loaded)
            assert loaded and all(p.startswith(prefix) for p in loaded), (subject, loaded)
    finally:
        tb.set_bool_pref("mailnews.message_display.disable_remote_image", True)
