"""Builds the package store and the storage settings from the container config."""
import dataclasses

from nameko.extensions import DependencyProvider

from qinling_storage import packages, signing_key
from qinling_storage.backends import STORES
from qinling_storage.backends.base import PackageStore
from qinling_storage.swift_account import SwiftAccount

STORAGE_KEY = "STORAGE"
STATE_PATH_KEY = "STATE_PATH"
MAX_SWIFT_OBJECT_SIZE = 51 * 1024 * 1024  # Qinling's MAX_PACKAGE_SIZE for Swift code
UPLOAD_EXPIRATION = 3600  # seconds an upload may stay unclaimed ([storage] upload_expiration)


@dataclasses.dataclass(frozen=True)
class Storage:
    """What the storage service's entrypoints work with."""

    provider: str
    store: PackageStore
    url: str
    signing_key: bytes
    signed_url_ttl: int
    max_package_size: int
    zip_limits: packages.ZipLimits
    upload_expiration: int = UPLOAD_EXPIRATION
    swift: SwiftAccount | None = None  # the [swift] account, for Swift-sourced code
    max_swift_object_size: int = MAX_SWIFT_OBJECT_SIZE


def build_storage(settings, state_path=None):
    """``settings`` is the ``STORAGE`` dict (see the README for its keys); its optional
    ``swift`` and ``s3`` dicts hold the ``[swift]`` and ``[s3]`` options."""
    store = STORES.load(settings["provider"]).from_settings(settings)
    key = settings.get("url_signing_key")
    if not key:
        if not state_path:
            raise ValueError("STATE_PATH is needed to keep a generated URL signing key.")
        key = signing_key.load_or_create(state_path)
    defaults = packages.ZipLimits()
    swift = settings.get("swift") or {}
    return Storage(
        provider=settings["provider"],
        store=store,
        url=settings["url"],
        signing_key=key.encode("utf-8") if isinstance(key, str) else key,
        signed_url_ttl=int(settings["signed_url_ttl"]),
        max_package_size=int(settings["max_package_size"]),
        zip_limits=packages.ZipLimits(
            max_files=int(settings.get("max_package_files", defaults.max_files)),
            max_unpacked_size=int(
                settings.get("max_unpacked_size", defaults.max_unpacked_size))),
        upload_expiration=int(settings.get("upload_expiration", UPLOAD_EXPIRATION)),
        swift=SwiftAccount.from_settings(swift),
        max_swift_object_size=int(swift.get("max_object_size", MAX_SWIFT_OBJECT_SIZE)),
    )


class PackageStorage(DependencyProvider):
    """Injects the service's :class:`Storage`, built once when the container starts."""

    def __init__(self):
        self.storage = None

    def setup(self):
        config = self.container.config
        self.storage = build_storage(config[STORAGE_KEY], config.get(STATE_PATH_KEY))

    def get_dependency(self, worker_ctx):
        return self.storage
