import eventlet

eventlet.monkey_patch()

import pathlib  # noqa: E402
import sys  # noqa: E402
import uuid  # noqa: E402
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


@pytest.fixture(scope="session")
def swift_server():
    """A real Swift all-in-one on 127.0.0.1, for the whole test session."""
    from qinling_testing.swift import SwiftAIO
    with SwiftAIO() as server:
        yield server


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 server (moto) on 127.0.0.1, for the whole test session."""
    from qinling_testing.s3 import S3Server
    with S3Server() as server:
        yield server


@pytest.fixture
def swift_settings(swift_server):
    """``STORAGE["swift"]`` for the test Swift, with a container of this test's own."""
    return {"auth_url": swift_server.auth_url, "auth_version": "1",
            "user": swift_server.user, "key": swift_server.key,
            "container": f"qinling-{uuid.uuid4().hex[:12]}",
            "max_object_size": 51 * 1024 * 1024}


@pytest.fixture
def s3_settings(s3_server):
    """``STORAGE["s3"]`` for the test S3 server, with a bucket of this test's own."""
    return {"endpoint_url": s3_server.url, "region_name": s3_server.region_name,
            "access_key": s3_server.access_key, "secret_key": s3_server.secret_key,
            "bucket": f"qinling-{uuid.uuid4().hex[:12]}", "addressing_style": "path"}
