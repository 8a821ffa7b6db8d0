"""Packages as objects of one Swift container (python-swiftclient).

A key ``a/b.zip`` is the object ``a/b.zip`` of ``[swift] container``, which is created
when missing. Swift makes an object visible only once its upload is complete, so a
reader sees the old object or the whole new one; an upload whose source fails is
abandoned mid-body and never stored.
"""
from qinling_shared.exceptions import NotFound

from qinling_storage.backends.base import PackageStore, check_key, check_prefix, not_found
from qinling_storage.swift_account import SwiftAccount


class Counted:
    """Iterates ``chunks``, counting the bytes that went by."""

    def __init__(self, chunks):
        self._chunks = chunks
        self.size = 0

    def __iter__(self):
        for chunk in self._chunks:
            self.size += len(chunk)
            yield chunk


class SwiftStore(PackageStore):
    def __init__(self, *, account, container):
        self.account = account
        self.container = container

    @classmethod
    def from_settings(cls, settings):
        swift = settings.get("swift") or {}
        account = SwiftAccount.from_settings(swift)
        if account is None:
            raise ValueError("The swift storage provider needs [swift] auth_url.")
        return cls(account=account, container=swift.get("container") or "qinling-packages")

    def put(self, key, chunks):
        check_key(key)
        self.account.ensure_container(self.container)
        counted = Counted(chunks)
        self.account.put_object(self.container, key, counted)
        return counted.size

    def open(self, key):
        check_key(key)
        try:
            return self.account.get_object(self.container, key)[1]
        except NotFound:
            raise not_found(key) from None

    def size(self, key):
        check_key(key)
        try:
            return int(self.account.head_object(self.container, key)["content-length"])
        except NotFound:
            raise not_found(key) from None

    def delete(self, key):
        check_key(key)
        self.account.delete_object(self.container, key)

    def exists(self, key):
        check_key(key)
        try:
            self.account.head_object(self.container, key)
        except NotFound:
            return False
        return True

    def keys(self, prefix):
        check_prefix(prefix)
        try:
            return self.account.object_names(self.container, prefix)
        except NotFound:  # no container yet: nothing stored
            return []
