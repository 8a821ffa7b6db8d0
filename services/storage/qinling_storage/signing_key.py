"""The URL signing secret when the operator set none: made once, kept in a 0600 file."""
import os
import secrets

FILE_NAME = "storage-signing.key"


def load_or_create(state_path):
    """The key kept in ``<state_path>/storage-signing.key``, created on first use.

    The file is written whole under a temporary name and linked into place, so concurrent
    starters agree on one key and nobody reads a half-written file.
    """
    path = os.path.join(state_path, FILE_NAME)
    if not os.path.exists(path):
        os.makedirs(state_path, exist_ok=True)
        _create(path)
    with open(path, "rb") as stream:
        key = stream.read().strip()
    if not key:
        raise RuntimeError(f"URL signing key file {path} is empty.")
    return key


def _create(path):
    tmp = f"{path}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as stream:
            stream.write(secrets.token_hex(32))
            stream.flush()
            os.fsync(stream.fileno())
        os.link(tmp, path)
    except FileExistsError:
        pass  # another process made it first: use theirs
    finally:
        os.unlink(tmp)
