import pytest

from qinling_shared.drivers import UnknownDriver
from qinling_storage.backends import STORES
from qinling_storage.backends.local import LocalStore
from qinling_storage.backends.memory import MemoryStore
from qinling_storage.backends.s3 import S3Store
from qinling_storage.backends.swift import SwiftStore
from qinling_storage.dependencies import build_storage
from qinling_storage.packages import ZipLimits
from qinling_storage.swift_account import SwiftAccount


def settings(**overrides):
    return {"provider": "memory", "file_system_dir": "", "url": "http://127.0.0.1:7071",
            "url_signing_key": "k", "signed_url_ttl": 300, "max_package_size": 1000,
            **overrides}


def test_registry_knows_every_backend():
    assert STORES.load("local") is LocalStore
    assert STORES.load("memory") is MemoryStore
    assert STORES.load("swift") is SwiftStore
    assert STORES.load("s3") is S3Store
    assert STORES.names == ["local", "memory", "s3", "swift"]


def test_without_a_swift_auth_url_there_is_no_swift_account():
    assert build_storage(settings()).swift is None
    assert build_storage(settings(swift={"auth_url": ""})).swift is None


def test_swift_settings_give_an_account_and_a_size_limit():
    storage = build_storage(settings(swift={
        "auth_url": "http://127.0.0.1:1/auth/v1.0", "auth_version": "1", "user": "a:u",
        "key": "k", "max_object_size": 1234}))
    assert isinstance(storage.swift, SwiftAccount)
    assert storage.max_swift_object_size == 1234


def test_swift_object_size_limit_defaults_to_qinlings_51_mib():
    assert build_storage(settings()).max_swift_object_size == 51 * 1024 * 1024


def test_s3_provider_reads_the_s3_settings():
    storage = build_storage(settings(provider="s3", s3={
        "endpoint_url": "http://127.0.0.1:1", "region_name": "eu-west-1", "access_key": "a",
        "secret_key": "s", "bucket": "my-packages", "addressing_style": "path"}))
    assert isinstance(storage.store, S3Store)
    assert (storage.store.bucket, storage.store.region_name) == ("my-packages", "eu-west-1")
    assert storage.store.client.meta.endpoint_url == "http://127.0.0.1:1"


def test_unknown_provider_suggests_a_close_name():
    with pytest.raises(UnknownDriver, match="Did you mean 'local'"):
        build_storage(settings(provider="locale"))


def test_local_provider_uses_the_file_system_dir(tmp_path):
    storage = build_storage(settings(provider="local", file_system_dir=str(tmp_path / "p")))
    assert isinstance(storage.store, LocalStore)
    assert storage.store.root == str(tmp_path / "p")
    assert (tmp_path / "p").is_dir()


def test_settings_become_typed_values():
    storage = build_storage(settings())
    assert isinstance(storage.store, MemoryStore)
    assert storage.signing_key == b"k"
    assert (storage.url, storage.signed_url_ttl, storage.max_package_size) == (
        "http://127.0.0.1:7071", 300, 1000)
    assert storage.zip_limits == ZipLimits()


def test_zip_limits_may_be_set():
    storage = build_storage(settings(max_package_files=5, max_unpacked_size=99))
    assert storage.zip_limits == ZipLimits(max_files=5, max_unpacked_size=99)


def test_empty_signing_key_is_generated_and_kept_in_the_state_path(tmp_path):
    first = build_storage(settings(url_signing_key=""), state_path=str(tmp_path))
    second = build_storage(settings(url_signing_key=None), state_path=str(tmp_path))
    assert first.signing_key == second.signing_key
    assert (tmp_path / "storage-signing.key").read_bytes().strip() == first.signing_key


def test_generated_signing_key_needs_a_state_path():
    with pytest.raises(ValueError, match="STATE_PATH"):
        build_storage(settings(url_signing_key=""))
