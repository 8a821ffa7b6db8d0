"""Function packages (zip files) made in memory."""
import io
import zipfile

HELLO_SOURCE = '''\
def main(name="World", **kwargs):
    print("Hello from the log")
    return f"Hello, {name}"
'''


def zip_package(files):
    """``{"main.py": source, ...}`` as the bytes of a zip file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def hello_package():
    return zip_package({"main.py": HELLO_SOURCE})
