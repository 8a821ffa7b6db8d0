"""Function packages (zip files) made in memory."""
import io
import zipfile

HELLO_SOURCE = '''\
def main(name="World", **kwargs):
    print("Hello from the log")
    return f"Hello, {name}"
'''


def zip_package(files):
    """``{"main.py": source, ...}`` as the bytes of a zip file: the same bytes for the same
    files (each member dated 1980-01-01, not now), so a package's md5 can be computed again."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            member = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            member.external_attr = 0o644 << 16
            archive.writestr(member, content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def hello_package():
    return zip_package({"main.py": HELLO_SOURCE})
