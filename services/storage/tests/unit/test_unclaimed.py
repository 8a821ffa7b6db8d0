"""Unclaimed uploads: the reaper's pure decisions, and claim/reap on the memory store (the
same calls run against every backend in ``contract/store_contract.py``)."""
import pytest

from qinling_shared.exceptions import NotFound
from qinling_storage import unclaimed
from qinling_storage.backends.memory import MemoryStore

HOUR = 3600


@pytest.mark.parametrize("uploaded_at, now, is_expired", [
    (1000.0, 1000.0, False), (1000.0, 1000.0 + HOUR - 0.001, False),
    (1000.0, 1000.0 + HOUR, True), (1000.0, 1000.0 + 2 * HOUR, True),
    (None, 0.0, True),  # an unreadable marker
    (5000.0, 1000.0, False),  # made by a replica whose clock is ahead
])
def test_an_upload_expires_after_the_expiration(uploaded_at, now, is_expired):
    assert unclaimed.expired(uploaded_at, now, HOUR) is is_expired


def test_expired_uploads_are_the_old_and_unreadable_ones_sorted():
    uploaded = {"p/new.zip": 9000.0, "p/old.zip": 10.0, "a/old.zip": 20.0, "p/bad.zip": None}
    assert unclaimed.expired_uploads(uploaded, 9000.0 + 10, HOUR) == [
        "a/old.zip", "p/bad.zip", "p/old.zip"]
    assert unclaimed.expired_uploads({}, 0.0, HOUR) == []


@pytest.fixture
def store():
    return MemoryStore()


def test_an_upload_is_marked_until_claimed(store):
    unclaimed.put(store, "p/a.zip", [b"zip"], now=100.0)
    assert store.keys(unclaimed.PREFIX) == ["@unclaimed/p/a.zip"]
    unclaimed.claim(store, "p/a.zip", now=200.0, expiration=HOUR)
    assert store.keys(unclaimed.PREFIX) == []
    unclaimed.claim(store, "p/a.zip", now=200.0, expiration=HOUR)  # again: no error
    assert unclaimed.reap(store, now=100.0 + 10 * HOUR, expiration=HOUR) == []
    assert b"".join(store.open("p/a.zip")) == b"zip"


def test_a_failed_write_leaves_no_marker(store):
    def broken():
        yield b"part"
        raise OSError("client gone")
    with pytest.raises(OSError):
        unclaimed.put(store, "p/a.zip", broken(), now=100.0)
    assert store.keys("p/") == [] and store.keys(unclaimed.PREFIX) == []


def test_claiming_a_missing_or_expired_upload_is_not_found(store):
    with pytest.raises(NotFound, match="Package p/gone.zip not found."):
        unclaimed.claim(store, "p/gone.zip", now=0.0, expiration=HOUR)
    unclaimed.put(store, "p/late.zip", [b"zip"], now=100.0)
    with pytest.raises(NotFound, match="was not claimed in time"):
        unclaimed.claim(store, "p/late.zip", now=100.0 + HOUR, expiration=HOUR)
    assert unclaimed.reap(store, now=100.0 + HOUR, expiration=HOUR) == ["p/late.zip"]


def test_reap_deletes_expired_uploads_and_their_markers_only(store):
    unclaimed.put(store, "p/old.zip", [b"1"], now=0.0)
    unclaimed.put(store, "p/new.zip", [b"2"], now=HOUR)
    store.put(unclaimed.marker_key("p/garbled.zip"), [b"not a time"])
    assert unclaimed.reap(store, now=HOUR + 1, expiration=HOUR) == ["p/garbled.zip", "p/old.zip"]
    assert sorted(store.keys("p/")) == ["p/new.zip"]
    assert store.keys(unclaimed.PREFIX) == ["@unclaimed/p/new.zip"]


def test_delete_removes_an_unclaimed_upload_with_its_marker(store):
    unclaimed.put(store, "p/a.zip", [b"zip"], now=0.0)
    unclaimed.delete(store, "p/a.zip")
    unclaimed.delete(store, "p/a.zip")
    assert store.keys("p/") == [] and store.keys(unclaimed.PREFIX) == []
