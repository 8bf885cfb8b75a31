"""Reading malformed MIME as the mail clients do (trackless.mail)."""

import pytest

from trackless.mail import parse_message

MAIL = (b'From: News <news@shop.example>\r\nTo: jane@example.org\r\nMIME-Version: 1.0\r\n'
        b'Content-Type: multipart/alternative; boundary=%s\r\n\r\n'
        b'--b1\r\nContent-Type: text/plain\r\n\r\nHi\r\n'
        b'--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hi</p>\r\n--b1--\r\n')


@pytest.mark.parametrize("boundary", [b'"b1"', b"b1", b'"b1', b'"b1; format=x'])
def test_boundary_with_an_unterminated_quote_still_finds_the_html_part(boundary):
    mail = parse_message(MAIL % boundary)
    assert mail.require_html().strip() == "<p>Hi</p>"
    assert mail.text.strip() == "Hi"


def test_nested_part_with_an_unterminated_quote():
    inner = (b'--o\r\nContent-Type: multipart/alternative; boundary="in\r\n\r\n'
             b'--in\r\nContent-Type: text/html\r\n\r\n<p>Nested</p>\r\n--in--\r\n--o--\r\n')
    raw = b'From: a@b.example\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n' + inner
    assert parse_message(raw).require_html().strip() == "<p>Nested</p>"


def test_a_good_mail_is_read_as_before():
    raw = MAIL % b'"b1"'
    assert parse_message(raw).html.strip() == "<p>Hi</p>"
