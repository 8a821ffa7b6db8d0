"""Package store backends, loaded by name from ``[storage] provider``."""
from qinling_shared.drivers import Registry

from qinling_storage.backends.base import PackageStore

STORES = Registry("storage provider", PackageStore, {
    "local": "qinling_storage.backends.local:LocalStore",
    "memory": "qinling_storage.backends.memory:MemoryStore",
    "s3": "qinling_storage.backends.s3:S3Store",
    "swift": "qinling_storage.backends.swift:SwiftStore",
})
