"""A throw-away RSA key for DKIM tests, generated in pure Python (no network, no openssl, no cryptography).

``new_key(bits)`` -> (PKCS#1 PEM private key bytes, base64 SubjectPublicKeyInfo for a DKIM ``p=`` tag).
"""

from __future__ import annotations

import base64
import random

_RSA_OID = bytes.fromhex("06092a864886f70d010101")  # 1.2.840.113549.1.1.1


def _probably_prime(n: int, rng: random.Random, rounds: int = 24) -> bool:
    if n < 4:
        return n in (2, 3)
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, rng: random.Random) -> int:
    while True:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if _probably_prime(n, rng):
            return n


def _len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _int(v: int) -> bytes:
    raw = v.to_bytes(v.bit_length() // 8 + 1, "big")
    return b"\x02" + _len(len(raw)) + raw


def _seq(*parts: bytes) -> bytes:
    body = b"".join(parts)
    return b"\x30" + _len(len(body)) + body


def new_key(bits: int = 1024, seed: int = 7) -> tuple[bytes, str]:
    rng = random.Random(seed)
    e = 65537
    while True:
        p, q = _prime(bits // 2, rng), _prime(bits // 2, rng)
        phi = (p - 1) * (q - 1)
        if p != q and phi % e:
            break
    n, d = p * q, pow(e, -1, phi)
    private = _seq(_int(0), _int(n), _int(e), _int(d), _int(p), _int(q), _int(d % (p - 1)), _int(d % (q - 1)),
                   _int(pow(q, -1, p)))
    pem = (b"-----BEGIN RSA PRIVATE KEY-----\n" + base64.encodebytes(private) + b"-----END RSA PRIVATE KEY-----\n")
    pkcs1_public = _seq(_int(n), _int(e))
    bitstring = b"\x03" + _len(len(pkcs1_public) + 1) + b"\x00" + pkcs1_public
    spki = _seq(_seq(_RSA_OID, b"\x05\x00"), bitstring)
    return pem, base64.b64encode(spki).decode("ascii")
