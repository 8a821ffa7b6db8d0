import os
import stat

import pytest

from qinling_storage import signing_key


def test_key_is_made_once_with_mode_0600(tmp_path):
    state = tmp_path / "state"
    key = signing_key.load_or_create(str(state))
    path = state / "storage-signing.key"
    assert len(key) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert signing_key.load_or_create(str(state)) == key
    assert sorted(os.listdir(state)) == ["storage-signing.key"]  # no temporary left


def test_existing_key_file_is_kept(tmp_path):
    (tmp_path / "storage-signing.key").write_text("operator-made\n")
    assert signing_key.load_or_create(str(tmp_path)) == b"operator-made"


def test_empty_key_file_is_an_error(tmp_path):
    (tmp_path / "storage-signing.key").write_text("")
    with pytest.raises(RuntimeError, match="is empty"):
        signing_key.load_or_create(str(tmp_path))
