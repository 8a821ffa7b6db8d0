"""The contract every PackageStore fulfils (see backends/base.py).

A backend's test module subclasses ``StoreContract`` and provides a ``store`` fixture.
"""
import hashlib
import os

import pytest

from qinling_shared.exceptions import InvalidInput, NotFound
from qinling_storage import unclaimed

BAD_PREFIXES = ["", "/", "p", "../", "p/../", "p//", ".hidden/", "p\\x/", 42]
BAD_KEYS = ["", "/etc/passwd", "../outside.zip", "p/../../outside.zip", "p/../x.zip",
            "p//x.zip", "p/./x.zip", ".hidden", "p/.part", "p\\x.zip", "p/x\x00.zip",
            "p/" + "x" * 1100]


class Boom(Exception):
    pass


def failing_after(chunks):
    yield from chunks
    raise Boom("source broke")


class StoreContract:
    def test_put_then_open_gives_the_same_bytes(self, store):
        assert store.put("p/a.zip", [b"hello ", b"", b"world"]) == 11
        assert b"".join(store.open("p/a.zip")) == b"hello world"

    def test_empty_object(self, store):
        assert store.put("p/empty.zip", []) == 0
        assert store.exists("p/empty.zip")
        assert store.size("p/empty.zip") == 0
        assert b"".join(store.open("p/empty.zip")) == b""

    def test_exists_and_size(self, store):
        assert not store.exists("p/a.zip")
        store.put("p/a.zip", [b"12345"])
        assert store.exists("p/a.zip")
        assert store.size("p/a.zip") == 5

    def test_overwrite_replaces(self, store):
        store.put("p/a.zip", [b"old contents"])
        store.put("p/a.zip", [b"new"])
        assert store.size("p/a.zip") == 3
        assert b"".join(store.open("p/a.zip")) == b"new"

    def test_keys_with_slashes_are_separate_objects(self, store):
        store.put("p1/a.zip", [b"one"])
        store.put("p2/deeper/a.zip", [b"two"])
        assert b"".join(store.open("p1/a.zip")) == b"one"
        assert b"".join(store.open("p2/deeper/a.zip")) == b"two"

    @pytest.mark.parametrize("method", ["open", "size"])
    def test_missing_key_is_not_found_at_the_call(self, store, method):
        with pytest.raises(NotFound, match="p/missing.zip"):
            getattr(store, method)("p/missing.zip")  # no next(): raised before any read

    def test_delete_removes_and_is_idempotent(self, store):
        store.put("p/a.zip", [b"x"])
        store.delete("p/a.zip")
        assert not store.exists("p/a.zip")
        with pytest.raises(NotFound):
            store.open("p/a.zip")
        store.delete("p/a.zip")
        store.delete("p/never-there.zip")

    def test_large_object_streams_in_chunks(self, store):
        block = os.urandom(64 * 1024)
        blocks = [block[i:] + block[:i] for i in range(80)]  # 5 MiB, every block distinct
        expected = hashlib.sha256(b"".join(blocks)).hexdigest()
        assert store.put("p/big.zip", iter(blocks)) == 80 * len(block)
        chunks = list(store.open("p/big.zip"))
        assert len(chunks) > 1
        assert max(map(len, chunks)) <= 1024 * 1024
        assert hashlib.sha256(b"".join(chunks)).hexdigest() == expected

    def test_reader_never_sees_a_partial_new_object(self, store):
        seen = []

        def chunks():
            yield b"first half, "
            seen.append((store.exists("p/new.zip"), store.keys("p/")))
            yield b"second half"
        store.put("p/new.zip", chunks())
        assert seen == [(False, [])]
        assert store.keys("p/") == ["p/new.zip"]

    def test_reader_sees_the_old_object_while_overwriting(self, store):
        store.put("p/a.zip", [b"old"])
        seen = []

        def chunks():
            yield b"new "
            seen.append(b"".join(store.open("p/a.zip")))
            yield b"bytes"
        store.put("p/a.zip", chunks())
        assert seen == [b"old"]
        assert b"".join(store.open("p/a.zip")) == b"new bytes"

    def test_failing_source_stores_nothing(self, store):
        with pytest.raises(Boom):
            store.put("p/a.zip", failing_after([b"partial"]))
        assert not store.exists("p/a.zip")

    def test_failing_source_keeps_the_old_object(self, store):
        store.put("p/a.zip", [b"old"])
        with pytest.raises(Boom):
            store.put("p/a.zip", failing_after([b"partial"]))
        assert b"".join(store.open("p/a.zip")) == b"old"

    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_unsafe_key_is_refused_by_every_method(self, store, key):
        for call in (lambda: store.put(key, [b"x"]), lambda: store.open(key),
                     lambda: store.size(key), lambda: store.delete(key),
                     lambda: store.exists(key)):
            with pytest.raises(InvalidInput):
                call()

    def test_keys_lists_every_depth_under_the_prefix_only(self, store):
        for key in ("p/a.zip", "p/sub/b.zip", "q/c.zip", "pp/d.zip"):
            store.put(key, [b"x"])
        assert sorted(store.keys("p/")) == ["p/a.zip", "p/sub/b.zip"]
        assert store.keys("p/sub/") == ["p/sub/b.zip"]

    def test_keys_of_a_prefix_with_nothing_stored_is_empty(self, store):
        assert store.keys("nothing/") == []
        store.put("p/a.zip", [b"x"])
        assert store.keys("nothing/") == []
        assert store.keys("p/a.zip/") == []

    def test_a_deleted_object_is_not_listed(self, store):
        store.put("p/a.zip", [b"x"])
        store.put("p/b.zip", [b"x"])
        store.delete("p/a.zip")
        assert store.keys("p/") == ["p/b.zip"]

    @pytest.mark.parametrize("prefix", BAD_PREFIXES)
    def test_unsafe_prefix_is_refused(self, store, prefix):
        with pytest.raises(InvalidInput):
            store.keys(prefix)

    def test_non_string_key_is_refused(self, store):
        with pytest.raises(InvalidInput):
            store.exists(42)

    def test_unclaimed_uploads_are_reaped_claimed_ones_kept(self, store):
        """The upload reaper uses only this contract: it works on every backend."""
        unclaimed.put(store, "p/claimed.zip", [b"used"], now=0.0)
        unclaimed.put(store, "p/left.zip", [b"orphan"], now=0.0)
        unclaimed.claim(store, "p/claimed.zip", now=1.0, expiration=60)
        assert unclaimed.reap(store, now=30.0, expiration=60) == []
        assert unclaimed.reap(store, now=60.0, expiration=60) == ["p/left.zip"]
        assert store.keys("p/") == ["p/claimed.zip"]
        assert store.keys(unclaimed.PREFIX) == []
