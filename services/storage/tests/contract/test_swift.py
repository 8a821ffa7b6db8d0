"""The store contract against a real Swift all-in-one (tests/conftest.py ``swift_server``)."""
import pytest
import swiftclient
from store_contract import Boom, StoreContract, failing_after

from qinling_shared.exceptions import Unavailable
from qinling_storage.backends.swift import SwiftStore


def swift_connection(settings):
    return swiftclient.Connection(settings["auth_url"], settings["user"], settings["key"])


class TestSwiftStore(StoreContract):
    @pytest.fixture
    def store(self, swift_settings):
        return SwiftStore.from_settings({"provider": "swift", "swift": swift_settings})

    def test_objects_live_in_the_configured_container(self, store, swift_settings):
        store.put("p/a.zip", [b"abc"])
        headers, body = swift_connection(swift_settings).get_object(
            swift_settings["container"], "p/a.zip")
        assert body == b"abc"
        assert headers["content-type"] == "application/zip"

    def test_the_container_is_created_when_missing(self, store, swift_settings):
        conn = swift_connection(swift_settings)
        names = [c["name"] for c in conn.get_account()[1]]
        assert swift_settings["container"] not in names
        store.put("p/a.zip", [b"abc"])
        assert [o["name"] for o in conn.get_container(swift_settings["container"])[1]] == [
            "p/a.zip"]

    def test_failing_source_leaves_nothing_in_the_container(self, store, swift_settings):
        store.put("p/keep.zip", [b"old"])
        with pytest.raises(Boom):
            store.put("p/a.zip", failing_after([b"partial"] * 3))
        listing = swift_connection(swift_settings).get_container(swift_settings["container"])[1]
        assert [o["name"] for o in listing] == ["p/keep.zip"]

    def test_reads_before_any_write_are_not_found(self, store):
        assert not store.exists("p/a.zip")  # the container does not exist yet
        store.delete("p/a.zip")

    def test_wrong_credentials_are_unavailable(self, swift_settings):
        store = SwiftStore.from_settings(
            {"provider": "swift", "swift": {**swift_settings, "key": "wrong"}})
        with pytest.raises(Unavailable, match="401"):
            store.exists("p/a.zip")

    def test_provider_needs_an_auth_url(self):
        with pytest.raises(ValueError, match=r"\[swift\] auth_url"):
            SwiftStore.from_settings({"provider": "swift", "swift": {"auth_url": ""}})
