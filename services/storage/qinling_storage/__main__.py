"""``qinling-storage``: run the storage service until SIGTERM."""
import warnings

warnings.filterwarnings("ignore", message=".*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import os  # noqa: E402

from qinling_nameko import service_main  # noqa: E402
from qinling_shared import config  # noqa: E402


SWIFT_KEYS = ("auth_url", "auth_version", "user", "key", "project_name", "user_domain_name",
              "project_domain_name", "container", "max_object_size")
S3_KEYS = ("endpoint_url", "region_name", "access_key", "secret_key", "bucket",
           "addressing_style")


def extra_config(conf):
    """The storage service's part of the container config, from ``qinling.conf``."""
    storage = conf.storage
    return {
        "STORAGE": {
            "provider": storage.provider,
            "file_system_dir": os.path.abspath(storage.file_system_dir),
            "url": storage.url,
            "url_signing_key": storage.url_signing_key or "",
            "signed_url_ttl": storage.signed_url_ttl,
            "max_package_size": storage.max_package_size,
            "max_package_files": storage.max_package_files,
            "max_unpacked_size": storage.max_unpacked_size,
            "upload_expiration": storage.upload_expiration,
            "swift": {key: getattr(conf.swift, key) for key in SWIFT_KEYS},
            "s3": {key: getattr(conf.s3, key) for key in S3_KEYS},
        },
        "STATE_PATH": config.state_path(conf),
        "WEB_SERVER_ADDRESS": f"{storage.http_host}:{storage.http_port}",
    }


def load_classes():
    from qinling_storage.service import StorageService
    return [StorageService]


def main(argv=None):
    service_main.main("storage", load_classes, extra_config, argv=argv)


if __name__ == "__main__":
    main()
