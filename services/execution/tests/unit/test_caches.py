import pytest

from qinling_execution.caches import PackageUrls, TtlCache, expires_at


def counting_loader(calls, value):
    return lambda: calls.append(value) or {"value": value}


def test_cache_loads_once_and_forgets_a_key():
    calls = []
    cache = TtlCache(ttl=60, clock=lambda: 0)
    assert cache.get(("f", 0), counting_loader(calls, "f0")) == {"value": "f0"}
    cache.get(("f", 0), counting_loader(calls, "f0"))
    cache.get(("f", 1), counting_loader(calls, "f1"))
    assert calls == ["f0", "f1"]
    cache.forget(("f", 0))
    cache.get(("f", 0), counting_loader(calls, "f0"))
    cache.get(("f", 1), counting_loader(calls, "f1"))
    assert calls == ["f0", "f1", "f0"]


def test_forget_group_drops_every_key_of_the_group_only():
    calls = []
    cache = TtlCache(ttl=60, clock=lambda: 0)
    for key in (("f", 0), ("f", 2), ("g", 0)):
        cache.get(key, counting_loader(calls, key))
    cache.forget_group("f")
    for key in (("f", 0), ("f", 2), ("g", 0)):
        cache.get(key, counting_loader(calls, key))
    assert calls == [("f", 0), ("f", 2), ("g", 0), ("f", 0), ("f", 2)]


def test_cache_expires():
    now = [0]
    cache = TtlCache(ttl=10, clock=lambda: now[0])
    calls = []
    cache.get(("f",), counting_loader(calls, 1))
    now[0] = 11
    cache.get(("f",), counting_loader(calls, 2))
    assert calls == [1, 2]


def test_a_load_that_raced_a_forget_is_not_kept():
    """A load that began before a forget may carry the old value: it is returned to its
    caller but the next get loads again."""
    cache = TtlCache(ttl=60, clock=lambda: 0)

    def old_value_while_forgotten():
        cache.forget_group("f")  # the update lands while the old spec is on its way
        return "old"

    assert cache.get(("f", 0), old_value_while_forgotten) == "old"
    assert cache.get(("f", 0), lambda: "new") == "new"
    assert cache.get(("f", 0), lambda: "newer") == "new"


def test_a_failed_load_is_not_kept():
    cache = TtlCache(ttl=60, clock=lambda: 0)

    def fails():
        raise LookupError("missing")

    with pytest.raises(LookupError):
        cache.get(("f", 0), fails)
    assert cache.get(("f", 0), lambda: "found") == "found"


def test_package_urls_resigned_near_expiry():
    now = [1000]
    urls = PackageUrls(margin=30, clock=lambda: now[0])
    signed = []

    def sign(key):
        signed.append(key)
        return f"http://s/v1/packages/{key}?expires={now[0] + 300}&signature=x"

    first = urls.get("k", sign)
    assert urls.get("k", sign) == first and len(signed) == 1
    now[0] += 280
    urls.get("k", sign)
    assert len(signed) == 2


def test_expires_at_of_a_url_without_it_is_zero():
    assert expires_at("http://x/y") == 0
