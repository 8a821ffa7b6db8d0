"""ZIP packages built in memory for the tests."""
import io
import stat
import zipfile

MAIN_PY = "def main(name='world'):\n    return f'hello {name}'\n"


def make_zip(files=None, method=zipfile.ZIP_DEFLATED):
    """A ZIP of ``{name: text or bytes}`` (default: one ``main.py``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in (files or {"main.py": MAIN_PY}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_with_symlink(name="link", target="/etc/passwd"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("main.py", MAIN_PY)
        info = zipfile.ZipInfo(name)
        info.create_system = 3  # unix
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, target)
    return buffer.getvalue()


def zip_bomb(size):
    """One member of ``size`` zero bytes: a few KiB compressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)
            member.write(bytes(size % len(chunk)))
    return buffer.getvalue()
