import os

import pytest
from store_contract import Boom, StoreContract, failing_after

from qinling_shared.exceptions import Conflict, InvalidInput, NotFound
from qinling_storage.backends.local import LocalStore


def files_under(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, names in os.walk(root) for f in names)


class TestLocalStore(StoreContract):
    @pytest.fixture
    def root(self, tmp_path):
        return tmp_path / "packages"

    @pytest.fixture
    def store(self, root):
        return LocalStore.from_settings({"provider": "local", "file_system_dir": str(root)})

    def test_objects_are_files_under_the_root(self, store, root):
        store.put("p/a.zip", [b"abc"])
        assert (root / "p" / "a.zip").read_bytes() == b"abc"
        assert files_under(root) == ["p/a.zip"]

    def test_objects_outlive_the_store_instance(self, store, root):
        store.put("p/a.zip", [b"abc"])
        assert b"".join(LocalStore(root=str(root)).open("p/a.zip")) == b"abc"

    def test_failing_source_leaves_no_temporary_file(self, store, root):
        store.put("p/keep.zip", [b"old"])
        with pytest.raises(Boom):
            store.put("p/a.zip", failing_after([b"partial"] * 3))
        with pytest.raises(Boom):
            store.put("p/keep.zip", failing_after([b"partial"]))
        assert files_under(root) == ["p/keep.zip"]

    def test_write_in_progress_is_only_a_hidden_temporary_file(self, store, root):
        during = []

        def chunks():
            yield b"part"
            during.extend(files_under(root))
            yield b"rest"
        store.put("p/a.zip", chunks())
        assert len(during) == 1 and during[0].startswith("p/.") and during[0].endswith(".part")
        assert files_under(root) == ["p/a.zip"]

    def test_symlinked_directory_leading_out_is_refused(self, store, root, tmp_path):
        outside = tmp_path / "outside"
        outside.mkdir()
        (root / "evil").symlink_to(outside)
        with pytest.raises(InvalidInput, match="outside the store"):
            store.put("evil/a.zip", [b"x"])
        assert list(outside.iterdir()) == []

    def test_key_below_an_existing_object_is_a_conflict(self, store):
        store.put("p/a.zip", [b"x"])
        with pytest.raises(Conflict):
            store.put("p/a.zip/b.zip", [b"y"])
        with pytest.raises(Conflict):
            store.put("p", [b"y"])

    def test_a_directory_is_not_an_object(self, store):
        store.put("p/a.zip", [b"x"])
        assert not store.exists("p")
        with pytest.raises(NotFound):
            store.size("p")
        with pytest.raises(NotFound):
            store.open("p")
        store.delete("p")
        assert store.exists("p/a.zip")

    def test_open_closes_the_file_when_closed_early(self, store):
        store.put("p/a.zip", [b"x" * 200_000])
        chunks = store.open("p/a.zip")
        next(chunks)
        chunks.close()
        with pytest.raises(ValueError):
            next(chunks)  # reading a closed file
