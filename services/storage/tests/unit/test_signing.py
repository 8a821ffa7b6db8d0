import urllib.parse

import pytest

from qinling_storage import signing

SECRET = b"s3cret"
KEY = "proj/0b7c.zip"
NOW = 1_700_000_000


def test_valid_signature_until_expiry():
    sig = signing.sign(KEY, NOW + 60, SECRET)
    assert signing.verify(KEY, NOW + 60, sig, SECRET, now=NOW)
    assert signing.verify(KEY, str(NOW + 60), sig, SECRET, now=NOW + 60)  # query strings


def test_expired_signature_is_refused():
    sig = signing.sign(KEY, NOW + 60, SECRET)
    assert not signing.verify(KEY, NOW + 60, sig, SECRET, now=NOW + 61)


@pytest.mark.parametrize("change", ["key", "expires", "signature", "secret"])
def test_tampered_url_is_refused(change):
    sig = signing.sign(KEY, NOW + 60, SECRET)
    args = {"key": KEY, "expires": NOW + 60, "signature": sig, "secret": SECRET}
    args[change] = {"key": "other/0b7c.zip", "expires": NOW + 6000,
                    "signature": sig[:-1] + ("0" if sig[-1] != "0" else "1"),
                    "secret": b"other"}[change]
    assert not signing.verify(args["key"], args["expires"], args["signature"],
                              args["secret"], now=NOW)


@pytest.mark.parametrize("expires,signature", [
    (None, "ab"), ("soon", "ab"), (str(NOW + 60), None), (str(NOW + 60), ""),
    (str(NOW + 60), "é" * 64), ([1], "ab"),
])
def test_malformed_parameters_are_simply_invalid(expires, signature):
    assert not signing.verify(KEY, expires, signature, SECRET, now=NOW)


def test_str_and_bytes_secrets_agree():
    assert signing.sign(KEY, NOW, "s3cret") == signing.sign(KEY, NOW, b"s3cret")


def test_signed_url_carries_a_verifiable_signature():
    url = signing.signed_url("http://storage:7071/", KEY, NOW + 60, SECRET)
    parts = urllib.parse.urlsplit(url)
    assert parts.path == f"/v1/packages/{KEY}"
    assert url.startswith("http://storage:7071/v1/packages/")
    query = dict(urllib.parse.parse_qsl(parts.query))
    assert query["expires"] == str(NOW + 60)
    assert signing.verify(KEY, query["expires"], query["signature"], SECRET, now=NOW)
