"""The evidence report (``trackless report``): who tracks you, mail by mail.

sources   walk .eml / mbox / Maildir / directories, one mail at a time
analyse   bytes -> MailFindings (pure)
aggregate per sender over time and overall (pure, streaming)
redact    stable placeholders for the reader's address and per-recipient tokens
render_*  Markdown, self-contained HTML, JSON (schema: docs/report-schema.md)
progress  a progress line on a terminal, silence otherwise
run       the parallel, bounded pipeline tying these together
"""
