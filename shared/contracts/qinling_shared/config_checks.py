"""Start-time checks of qinling.conf values that oslo.config cannot make by itself: files an
option names must exist and be readable, options that only work together.

Each check takes plain values (what ``config`` made of the options) and raises
:class:`ConfigError`, whose message is one line naming the option; a process's edge
(``qinling_nameko.service_main``, the gateway's ``__main__``) makes it the exit message.
"""
import os


class ConfigError(ValueError):
    """A qinling.conf option has a value the process cannot start with."""


def readable_file(group, option, path):
    """``path``, which ``[group] option`` names, is a file this process may read."""
    if not path:
        raise ConfigError(f"[{group}] {option} is not set.")
    if not os.path.isfile(path):
        raise ConfigError(f"[{group}] {option} = {path}: no such file.")
    if not os.access(path, os.R_OK):
        raise ConfigError(f"[{group}] {option} = {path}: the file is not readable by this "
                          f"process (user id {os.getuid()}).")


def check_etcd(settings):
    """``settings``: ``config.etcd_settings``. With protocol https, each of ``ca_cert``,
    ``cert_file`` and ``cert_key`` that is set must be a readable file, and the client
    certificate and its key go together (etcd3gw would silently drop one without the other).
    Over http they are not used."""
    if settings["protocol"] != "https":
        return
    cert_file, cert_key = settings.get("cert_file"), settings.get("cert_key")
    if bool(cert_file) != bool(cert_key):
        have, missing = ("cert_file", "cert_key") if cert_file else ("cert_key", "cert_file")
        raise ConfigError(f"[etcd] {missing} is not set: with protocol https, {have} needs "
                          f"it (the client certificate and its key go together).")
    for option in ("ca_cert", "cert_file", "cert_key"):
        if settings.get(option):
            readable_file("etcd", option, settings[option])
