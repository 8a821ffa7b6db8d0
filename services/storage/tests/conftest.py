import eventlet

eventlet.monkey_patch()

import pathlib  # noqa: E402
import sys  # noqa: E402
import urllib.parse  # noqa: E402

import pytest  # noqa: E402
import requests  # noqa: E402

# pytest runs with --import-mode=importlib (no test folder on sys.path): make the shared
# test helpers (zip_samples, contract/store_contract) importable
_HERE = pathlib.Path(__file__).parent
for _folder in (_HERE, _HERE / "contract"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))


@pytest.fixture
def web_session(web_config_port):
    """nameko's ``web_session``, minus its import of ``werkzeug.urls.url_join`` (gone in
    werkzeug 3): a requests session whose relative URLs go to the service's web server."""
    base = f"http://127.0.0.1:{web_config_port}/"

    class WebSession(requests.Session):
        def request(self, method, url, *args, **kwargs):
            return super().request(method, urllib.parse.urljoin(base, url), *args, **kwargs)

    with WebSession() as session:
        yield session
