import pytest

from qinling_shared.drivers import UnknownDriver
from qinling_storage.backends import STORES
from qinling_storage.backends.local import LocalStore
from qinling_storage.backends.memory import MemoryStore
from qinling_storage.dependencies import build_storage
from qinling_storage.packages import ZipLimits


def settings(**overrides):
    return {"provider": "memory", "file_system_dir": "", "url": "http://127.0.0.1:7071",
            "url_signing_key": "k", "signed_url_ttl": 300, "max_package_size": 1000,
            **overrides}


def test_registry_knows_local_and_memory():
    assert STORES.load("local") is LocalStore
    assert STORES.load("memory") is MemoryStore


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
