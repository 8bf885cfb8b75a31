"""Error codes are a contract: append-only, each documented in PROTOCOL.md."""

from pathlib import Path

from trackless.errors import ERROR_CODES, TracklessError

#: The codes as of 0.1.0, in order. New codes go at the end of ERROR_CODES;
#: this list only ever grows too.
RELEASED = [
    "bad_input", "too_large", "no_html", "rules", "store", "store_corrupt", "network", "refused",
    "bad_frame", "bad_request", "unknown_action", "internal", "timeout", "redirect_loop", "too_many_redirects",
]


def test_codes_are_append_only():
    assert list(ERROR_CODES)[: len(RELEASED)] == RELEASED


def test_every_code_is_documented():
    protocol = (Path(__file__).resolve().parents[1] / "PROTOCOL.md").read_text("utf-8")
    missing = [code for code in ERROR_CODES if f"`{code}`" not in protocol]
    assert missing == []


def test_every_exception_class_has_a_listed_code():
    def walk(cls):
        yield cls
        for sub in cls.__subclasses__():
            yield from walk(sub)

    assert {c.code for c in walk(TracklessError)} <= set(ERROR_CODES)
