from qinling_execution.caches import PackageUrls, SpecCache, expires_at


def test_spec_cache_loads_once_and_forgets():
    calls = []
    cache = SpecCache(ttl=60, clock=lambda: 0)
    load = lambda fid: calls.append(fid) or {"id": fid}  # noqa: E731
    assert cache.get("f", load) == {"id": "f"}
    cache.get("f", load)
    assert calls == ["f"]
    cache.forget("f")
    cache.get("f", load)
    assert calls == ["f", "f"]


def test_spec_cache_expires():
    now = [0]
    cache = SpecCache(ttl=10, clock=lambda: now[0])
    calls = []
    cache.get("f", lambda fid: calls.append(fid))
    now[0] = 11
    cache.get("f", lambda fid: calls.append(fid))
    assert len(calls) == 2


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
