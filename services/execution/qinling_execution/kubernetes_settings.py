"""The ``[kubernetes]`` options of the kubernetes orchestrator, checked at the execution
service's start (when ``[engine] orchestrator = kubernetes``) so that an operator sees a
configuration error before anything else.

``checked`` reads them from ``qinling.conf`` (with the pool's limits, the
``[resource_limits]`` defaults), checks them (``check``: each option on its own) and asks the
API server whether it answers, as Qinling's account, in its namespace
(``orchestrators.kubernetes.connection.check``); each raises ``ConfigError`` with one line
naming the option at fault.
"""
import re
import urllib.parse

from qinling_shared.config_checks import ConfigError, readable_file

# a DNS-1123 label, as Kubernetes requires of a namespace name
NAMESPACE = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
CERTIFICATE_FILES = ("ssl_ca_cert", "cert_file", "key_file")
KEYS = ("kube_host", "use_api_certificate", "ssl_ca_cert", "cert_file", "key_file",
        "namespace", "replicas", "in_cluster", "worker_start_timeout")


def settings(conf):
    """The kubernetes orchestrator's settings, from ``qinling.conf`` (with the pool's limits,
    ``[resource_limits]`` defaults, and the runs a worker serves at once)."""
    values = {key: getattr(conf.kubernetes, key) for key in KEYS}
    values.update(default_cpu=conf.resource_limits.default_cpu,
                  default_memory=conf.resource_limits.default_memory,
                  function_concurrency=conf.engine.function_concurrency)
    return values


def checked(conf):
    """``settings(conf)`` once they pass ``check`` and the API server answers with them."""
    from qinling_execution.orchestrators.kubernetes import connection  # the client is big

    values = settings(conf)
    check(values)
    connection.check(values)
    return values


def check(settings):
    """``settings``: ``kube_host``, ``use_api_certificate``, ``ssl_ca_cert``, ``cert_file``,
    ``key_file``, ``namespace``, ``in_cluster``. Unless ``in_cluster``, ``kube_host`` must be
    an http(s) URL with a host; with an https one and ``use_api_certificate``, the three
    certificate files must be readable."""
    if not NAMESPACE.fullmatch(settings["namespace"] or ""):
        raise ConfigError(f"[kubernetes] namespace = {settings['namespace']}: not a Kubernetes "
                          f"namespace name (lower-case letters, digits and '-', at most 63).")
    if not settings.get("in_cluster"):
        _check_host(settings)


def _check_host(settings):
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
