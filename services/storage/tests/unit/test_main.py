import os

from qinling_shared import config
from qinling_storage.__main__ import extra_config


def test_extra_config_maps_qinling_conf(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text(
        "[DEFAULT]\nstate_path = state\n"
        "[storage]\nprovider = memory\nhttp_host = 127.0.0.2\nhttp_port = 9999\n"
        "url = http://storage.example:9999\nurl_signing_key = abc\n"
        "signed_url_ttl = 30\nmax_package_size = 1234\nmax_package_files = 7\n"
        "upload_expiration = 60\n"
        "[swift]\nauth_url = http://swift.example/auth/v1.0\nauth_version = 1\n"
        "user = acct:me\nkey = secret\ncontainer = code\nmax_object_size = 99\n"
        "[s3]\nendpoint_url = http://s3.example\naccess_key = ak\nsecret_key = sk\n"
        "bucket = pkgs\naddressing_style = virtual\n")
    extra = extra_config(config.load(["--config-file", str(conf_file)]))
    assert extra == {
        "STORAGE": {
            "provider": "memory",
            "file_system_dir": str(tmp_path / "state" / "packages"),
            "url": "http://storage.example:9999", "url_signing_key": "abc",
            "signed_url_ttl": 30, "max_package_size": 1234,
            "max_package_files": 7, "max_unpacked_size": 512 * 1024 * 1024,
            "upload_expiration": 60,
            "swift": {"auth_url": "http://swift.example/auth/v1.0", "auth_version": "1",
                      "user": "acct:me", "key": "secret", "project_name": "",
                      "user_domain_name": "Default", "project_domain_name": "Default",
                      "container": "code", "max_object_size": 99},
            "s3": {"endpoint_url": "http://s3.example", "region_name": "us-east-1",
                   "access_key": "ak", "secret_key": "sk", "bucket": "pkgs",
                   "addressing_style": "virtual"},
        },
        "STATE_PATH": str(tmp_path / "state"),
        "WEB_SERVER_ADDRESS": "127.0.0.2:9999",
    }
    assert os.path.isdir(tmp_path / "state")


def test_defaults_leave_the_signing_key_empty(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    extra = extra_config(config.load([]))
    assert extra["STORAGE"]["url_signing_key"] == ""
    assert extra["STORAGE"]["provider"] == "local"
    assert extra["WEB_SERVER_ADDRESS"] == "127.0.0.1:7071"
    assert extra["STORAGE"]["swift"]["auth_url"] == ""  # no Swift: Swift code is refused
    assert extra["STORAGE"]["s3"]["bucket"] == "qinling-packages"
