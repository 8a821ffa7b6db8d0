"""Caches that keep RPC calls off the hot path: function specs and signed package URLs."""
import time
import urllib.parse


class SpecCache:
    """Function specs by id; entries are dropped by function events or after ``ttl`` s."""

    def __init__(self, ttl=60.0, clock=time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._entries = {}

    def get(self, function_id, load):
        entry = self._entries.get(function_id)
        now = self.clock()
        if entry is None or entry[0] < now:
            entry = (now + self.ttl, load(function_id))
            self._entries[function_id] = entry
        return entry[1]

    def forget(self, function_id):
        self._entries.pop(function_id, None)


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
