"""Signed, expiring package download URLs (HMAC-SHA256). Pure: the caller passes ``now``."""
import hashlib
import hmac
import urllib.parse


def _bytes(value):
    return value if isinstance(value, bytes) else value.encode("utf-8")


def sign(key, expires, secret):
    """Hex HMAC-SHA256 of ``key`` and the expiry (unix seconds) under ``secret``."""
    message = f"{key}\n{int(expires)}".encode("utf-8")
    return hmac.new(_bytes(secret), message, hashlib.sha256).hexdigest()


def verify(key, expires, signature, secret, now):
    """True when ``signature`` signs ``key`` and ``expires`` and ``now`` is not past it.

    ``expires`` and ``signature`` may come straight from a query string (any type or
    ``None``): anything malformed is simply not valid. The compare is constant-time.
    """
    try:
        expires = int(expires)
    except (TypeError, ValueError):
        return False
    if not isinstance(signature, str) or now > expires:
        return False
    expected = sign(key, expires, secret)
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace"))


def signed_url(base_url, key, expires, secret):
    """``<base_url>/v1/packages/<key>?expires=..&signature=..``."""
    query = urllib.parse.urlencode({"expires": int(expires),
                                    "signature": sign(key, expires, secret)})
    path = urllib.parse.quote(key, safe="/")
    return f"{base_url.rstrip('/')}/v1/packages/{path}?{query}"
