"""The ``[kubernetes]`` options of the kubernetes orchestrator, checked at the execution
service's start (when ``[engine] orchestrator = kubernetes``) so that an operator sees a
configuration error before anything else.

``check`` takes the options as a plain dict (``__main__`` reads them) and raises
``ConfigError`` with one line naming the option.
"""
import re
import urllib.parse

from qinling_shared.config_checks import ConfigError, readable_file

# a DNS-1123 label, as Kubernetes requires of a namespace name
NAMESPACE = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
CERTIFICATE_FILES = ("ssl_ca_cert", "cert_file", "key_file")


def check(settings):
    """``settings``: ``kube_host``, ``use_api_certificate``, ``ssl_ca_cert``, ``cert_file``,
    ``key_file``, ``namespace``. ``kube_host`` must be an http(s) URL with a host; with an
    https one and ``use_api_certificate``, the three certificate files must be readable."""
    url = settings["kube_host"] or ""
    try:
        parsed = urllib.parse.urlsplit(url)
        parsed.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as error:
        raise ConfigError(f"[kubernetes] kube_host = {url}: {error}.") from None
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"[kubernetes] kube_host = {url}: not an http(s) URL of the "
                          f"Kubernetes API (http(s)://host[:port]).")
    if parsed.scheme == "https" and settings["use_api_certificate"]:
        for option in CERTIFICATE_FILES:
            readable_file("kubernetes", option, settings[option])
    if not NAMESPACE.fullmatch(settings["namespace"] or ""):
        raise ConfigError(f"[kubernetes] namespace = {settings['namespace']}: not a Kubernetes "
                          f"namespace name (lower-case letters, digits and '-', at most 63).")
