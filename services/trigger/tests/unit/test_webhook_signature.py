"""Signed webhook invokes: ``X-Qinling-Signature-256: sha256=<hex HMAC-SHA256 of the body>``."""
import json

import pytest

from qinling_shared.exceptions import InvalidInput
from qinling_trigger import webhook_signature as ws

SECRET = "s3cr3t-of-the-webhook"
BODY = json.dumps({"name": "web-1", "size": 3}).encode()


@pytest.mark.parametrize("secret, body, hexdigest", [
    # RFC 4231, test case 2
    ("Jefe", b"what do ya want for nothing?",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    # GitHub's documented webhook example
    ("It's a Secret to Everybody", b"Hello, World!",
     "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
])
def test_the_header_is_the_hmac_sha256_of_the_raw_body(secret, body, hexdigest):
    assert ws.signature_header(secret, body) == "sha256=" + hexdigest
    ws.verify(secret, body, "sha256=" + hexdigest)
    ws.verify(secret, body, "sha256=" + hexdigest.upper())
    ws.verify(secret, body, " sha256=" + hexdigest + " ")   # header whitespace


def test_text_is_signed_as_utf8():
    assert ws.signature_header("clé", "données") == ws.signature_header(
        "clé".encode(), "données".encode())


def test_an_empty_body_is_signed_too():
    header = ws.signature_header(SECRET, b"")
    ws.verify(SECRET, b"", header)
    with pytest.raises(ws.SignatureRejected, match="does not match"):
        ws.verify(SECRET, b" ", header)


GOOD = ws.signature_header(SECRET, BODY)


@pytest.mark.parametrize("header, reason", [
    (None, "Missing signature: this webhook requires the X-Qinling-Signature-256 header."),
    ("", "Missing signature"),
    ("   ", "Malformed signature"),
    (GOOD[len("sha256="):], "Malformed signature"),                 # no prefix
    ("sha1=" + GOOD[len("sha256="):], "Malformed signature"),
    ("SHA256=" + GOOD[len("sha256="):], "Malformed signature"),
    ("sha256 =" + GOOD[len("sha256="):], "Malformed signature"),
    (GOOD[:-1], "Malformed signature"),                             # 63 digits
    (GOOD + "0", "Malformed signature"),                            # 65 digits
    (GOOD[:-1] + "g", "Malformed signature"),
    (GOOD[:-1] + "é", "Malformed signature"),
    ("sha256=", "Malformed signature"),
    (b"sha256=00", "Malformed signature"),
    (ws.signature_header("another secret", BODY), "Invalid signature: it does not match"),
    (ws.signature_header(SECRET, BODY + b"\n"), "Invalid signature"),
    (GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1"), "Invalid signature"),
    ("sha256=" + "0" * 64, "Invalid signature"),
])
def test_a_missing_malformed_or_wrong_signature_is_rejected(header, reason):
    with pytest.raises(ws.SignatureRejected) as raised:
        ws.verify(SECRET, BODY, header)
    assert str(raised.value).startswith(reason)
    assert isinstance(raised.value, ValueError)


def test_the_body_is_the_exact_bytes_signed():
    reencoded = json.dumps(json.loads(BODY), separators=(",", ":")).encode()
    assert reencoded != BODY
    with pytest.raises(ws.SignatureRejected):
        ws.verify(SECRET, reencoded, GOOD)
    ws.verify(SECRET, BODY, GOOD)


@pytest.mark.parametrize("secret", [None, ""])
def test_a_webhook_without_secret_needs_no_signature(secret):
    ws.verify(secret, BODY, None)
    ws.verify(secret, BODY, "garbage")


def test_the_digests_are_compared_in_constant_time(monkeypatch):
    calls = []
    real = ws.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(ws.hmac, "compare_digest", spy)
    ws.verify(SECRET, BODY, GOOD)
    with pytest.raises(ws.SignatureRejected):
        ws.verify(SECRET, BODY, "sha256=" + "1" * 64)
    assert [b for _, b in calls] == [GOOD[7:].encode(), b"1" * 64]


@pytest.mark.parametrize("value", [None, "x", "~" * 255, "a secret with spaces"])
def test_a_valid_secret(value):
    assert ws.clean_secret(value) == value


@pytest.mark.parametrize("value", ["", "s" * 256, "clé", "line\nbreak", 12345, b"bytes"])
def test_an_invalid_secret_is_refused(value):
    with pytest.raises(InvalidInput, match="^Invalid secret: 1 to 255 printable ASCII"):
        ws.clean_secret(value)
