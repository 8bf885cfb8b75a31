"""Decoder steps, one by one, on literal inputs."""

from __future__ import annotations

import base64
import zlib

import pytest

from trackless.links import decoders as d


def test_query_takes_raw_first_value_by_name():
    step = d.query("u")
    assert step("https://x.example/l?a=1&u=https%3A%2F%2Fy.example&u=second") == "https%3A%2F%2Fy.example"
    assert step("https://x.example/l?uu=1") is None
    assert step("https://x.example/l") is None
    assert step("not a url?u=1") is None


def test_query_names_require_url_skips_non_urls():
    step = d.query(names=["url", "u"], require_url=True)
    assert step("https://x.example/r?u=nope&url=https%3A%2F%2Fy.example%2F") == "https%3A%2F%2Fy.example%2F"
    assert step("https://x.example/r?url=https://y.example/") == "https://y.example/"
    assert step("https://x.example/r?url=ftp%3A%2F%2Fy.example") is None


def test_rest_after_param_keeps_ampersands_and_fragment():
    step = d.rest_after_param("url")
    assert step("https://t.example/c3/?a=1&url=https://s.example/p?x=1&y=2#f") == "https://s.example/p?x=1&y=2#f"
    assert step("https://t.example/c3/?xurl=no&url=yes") == "yes"
    assert step("https://t.example/c3/?xurl=https://a.example") is None
    assert step("https://t.example/c3/?url=") is None


def test_path_segment_indexes():
    assert d.path_segment(1)("https://h.example/c/TOKEN/x") == "TOKEN"
    assert d.path_segment(-1)("https://h.example/a/b/LAST/") == "LAST"
    assert d.path_segment(5)("https://h.example/a") is None


def test_regex_capture():
    step = d.regex(r"/L0/([^/]+)/")
    assert step("https://a.example/L0/https:%2F%2Fb.example/1/x") == "https:%2F%2Fb.example"
    assert step("https://a.example/nope") is None


def test_percent_decode_strict_and_when_encoded():
    assert d.percent_decode()("a%20b+c%2B") == "a b+c+"
    assert d.percent_decode()("%E0%A4%A") is None  # invalid UTF-8
    assert d.percent_decode(when="encoded")("https://x.example/%41") == "https://x.example/%41"
    assert d.percent_decode(when="encoded")("https%3A%2F%2Fx.example") == "https://x.example"


@pytest.mark.parametrize("text,expected", [
    ("aGVsbG8/d29ybGQ=", b"hello?world"),     # standard, padded
    ("aGVsbG8/d29ybGQ", b"hello?world"),      # standard, unpadded
    ("aGVsbG8_d29ybGQ", b"hello?world"),      # url alphabet
    ("aGk", b"hi"),
    ("a", None),                              # impossible length
    ("aGk!", None),
    ("aG+k_", None),                          # mixed alphabets
])
def test_base64_variants(text, expected):
    assert d.b64()(text) == expected


def test_base64_alphabet_and_padding_options():
    assert d.b64("url")("aGVsbG8/d29ybGQ=") is None
    assert d.b64("standard")("aGVsbG8_d29ybGQ") is None
    assert d.b64(padding="required")("aGk") is None
    assert d.b64(padding="required")("aGk=") == b"hi"


def test_zlib_round_trip_and_caps():
    assert d.zlib_step()(zlib.compress(b"l=x")) == b"l=x"
    assert d.zlib_step()(b"not zlib") is None
    assert d.zlib_step()("a str") is None
    assert d.zlib_step()(zlib.compress(b"A" * 100_000)) is None  # over the 64 KiB cap
    assert d.zlib_step()(zlib.compress(b"l=x")[:-3]) is None      # truncated stream
    raw = zlib.compressobj(wbits=-15)
    deflated = raw.compress(b"raw") + raw.flush()
    assert d.zlib_step("raw")(deflated) == b"raw"


def test_json_field_nested_and_types():
    nested = '{"s":"x","p":"{\\"url\\":\\"https://a.example/\\"}"}'
    assert d.json_field("url")(d.json_field("p")(nested)) == "https://a.example/"
    assert d.json_field(["a", "b"])('{"a":{"b":"deep"}}') == "deep"
    assert d.json_field("n")('{"n": 5}') is None
    assert d.json_field("n")("not json") is None
    assert d.json_field("n")(b"\xff\xfe") is None


def test_form_field():
    assert d.form_field("l")(b"r=me%40x.example&l=https%3A%2F%2Fa.example") == "https%3A%2F%2Fa.example"
    assert d.form_field("l")("ll=1") is None


def test_strip_prefix():
    assert d.strip_prefix("a1")("a1aGk") == "aGk"
    assert d.strip_prefix("a1")("b1aGk") is None


def _b64u(s: str) -> str:
    return base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")


def test_proofpoint_v3_single_and_run_length_replacements():
    # '**A' is a run of 2 characters, '**B' of 3 (A-Z a-z 0-9 - _ for 2..65)
    # '*' -> '?', '**A' -> '=&', '**B' -> '#%%'
    url = f"https://urldefense.com/v3/__https://x.example/a*b**Ac**Bd__;{_b64u('?=&#%%')}!!Org!sig$"
    assert d.proofpoint(3)(url) == "https://x.example/a?b=&c#%%d"


def test_proofpoint_v3_unicode_and_leftovers():
    url = f"https://urldefense.com/v3/__https://x.example/caf*__;{_b64u('é')}!!Org!sig$"
    assert d.proofpoint(3)(url) == "https://x.example/café"
    leftover = f"https://urldefense.com/v3/__https://x.example/a*__;{_b64u('&&')}!!Org!sig$"
    assert d.proofpoint(3)(leftover) is None      # a replacement character unused
    missing = f"https://urldefense.com/v3/__https://x.example/a**Bb__;{_b64u('&')}!!Org!sig$"
    assert d.proofpoint(3)(missing) is None       # run longer than what is left


def test_proofpoint_v1_v2():
    assert d.proofpoint(1)("https://urldefense.proofpoint.com/v1/url?u=http://a.example/%7Ex&k=1") == "http://a.example/~x"
    v2 = "https://urldefense.proofpoint.com/v2/url?u=https-3A__a.example_my-2Dpage-5Fone-3Fx-3D1&d=x"
    assert d.proofpoint(2)(v2) == "https://a.example/my-page_one?x=1"


def test_postmark():
    step = d.postmark()
    assert step("https://click.pstmrk.it/2s/a.example%2Fx%3Fy%3D1/AbC/dEf") == "https://a.example/x?y=1"
    assert step("https://click.pstmrk.it/3/a.example/AbC") == "http://a.example"
    assert step("https://click.pstmrk.it/3s/https%3A%2F%2Fa.example/AbC") is None  # scheme is not repeated
    assert step("https://click.pstmrk.it/x/a.example/") is None


def test_run_pipeline_collects_decoded_texts():
    seen: list[str] = []
    steps = (d.query("u"), d.percent_decode())
    assert d.run_pipeline(steps, "https://w.example/l?u=https%3A%2F%2Fa.example", seen) == "https://a.example"
    assert seen == ["https%3A%2F%2Fa.example", "https://a.example"]
    assert d.run_pipeline((d.query("zz"),), "https://w.example/l?u=1") is None
