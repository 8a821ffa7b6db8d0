"""The caches that keep RPC calls and queries off the warm path: function specs, aliases,
runtimes and signed package URLs. Each replica keeps its own; the function service's events
and this service's own runtime changes make them forget (``invalidation``)."""
import time
import urllib.parse


class Caches:
    """This replica's caches, one per kind of thing cached."""

    def __init__(self):
        self.specs = TtlCache()     # (function_id, version) -> spec
        self.aliases = TtlCache()   # (alias name, project_id) -> resolved alias
        self.runtimes = TtlCache()  # (runtime_id,) -> runtime dict, or None when there is none
        self.package_urls = PackageUrls()


class TtlCache:
    """Values loaded on a miss and kept ``ttl`` s, or until forgotten.

    Keys are tuples whose first item is their group (a function id, an alias name):
    ``forget_group`` drops every key of a group, ``forget`` one key. A value whose load was
    under way when anything was forgotten is returned but not kept, so a load that raced a
    forget never puts stale data back.
    """

    def __init__(self, ttl=60.0, clock=time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._entries = {}
        self._generation = 0  # bumped by every forget

    def get(self, key, load):
        """The value of ``key``, from ``load()`` on a miss (its exceptions are not cached)."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] >= self.clock():
            return entry[1]
        generation = self._generation
        value = load()
        if generation == self._generation:
            self._entries[key] = (self.clock() + self.ttl, value)
        return value

    def forget(self, key):
        self._generation += 1
        self._entries.pop(key, None)

    def forget_group(self, group):
        self._generation += 1
        for key in [k for k in self._entries if k[0] == group]:
            del self._entries[key]


class PackageUrls:
    """Signed download URLs by package key, reused until ``margin`` s before they expire."""

    def __init__(self, margin=30.0, clock=time.time):
        self.margin = margin
        self.clock = clock
        self._urls = {}

    def get(self, key, sign):
        url = self._urls.get(key)
        if url is None or expires_at(url) - self.margin < self.clock():
            url = self._urls[key] = sign(key)
        return url


def expires_at(url):
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    try:
        return int(query["expires"][0])
    except (KeyError, ValueError):
        return 0
