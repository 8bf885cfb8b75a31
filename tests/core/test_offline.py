"""tldextract runs on its bundled snapshot: no network, no cache files."""

import os
import subprocess
import sys
import textwrap


def test_registrable_domain_needs_no_network_and_writes_nothing(tmp_path):
    code = textwrap.dedent("""
        import socket, sys
        def refuse(*a, **k):
            raise AssertionError("network attempt")
        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.socket.sendto = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        from trackless.domains import registrable_domain
        assert registrable_domain("news.brand.co.uk") == "brand.co.uk"
        assert registrable_domain("a.b.github.io") == "b.github.io"
        import trackless
        r = trackless.sanitize('<img src="https://x.list-manage.com/track/open.php?u=1" width=1 height=1>'
                               '<a href="https://www.google.com/url?q=https://brand.example/?utm_source=x">x</a>')
        assert r.badge == 1, r  # the pixel; a Google redirect with utm_* alone is not a tracker (issue 17)
        print("ok")
    """)
    env = dict(os.environ, HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
    assert list(tmp_path.rglob("*")) == [], "tldextract wrote files"
