"""How the kubernetes orchestrator reaches the API server, from its settings, and the
start-up check that says which ``[kubernetes]`` option is at fault when it cannot.

- ``in_cluster``: the pod's service account (its token and CA under
  ``/var/run/secrets/kubernetes.io/serviceaccount``, the host from
  ``KUBERNETES_SERVICE_HOST``/``_PORT``); ``kube_host`` and the certificates are not used.
- else ``kube_host``; with an https one and ``use_api_certificate``, the server is checked
  against ``ssl_ca_cert`` and Qinling presents ``cert_file``/``key_file``, as Kolla
  configures it. The ``ca.pem``, ``cert.pem`` and ``key.pem`` that
  ``openstack coe cluster config --output-certs`` writes for a Magnum cluster are such files.
"""
import os
import ssl
import urllib.parse

import urllib3
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException
from kubernetes.config.incluster_config import (
    SERVICE_CERT_FILENAME, SERVICE_TOKEN_FILENAME, InClusterConfigLoader)

from qinling_shared.config_checks import ConfigError

POOL_SIZE = 64        # API connections kept (each worker starting holds a watch)
CHECK_TIMEOUT = 5.0   # seconds the start-up check waits for an answer


def api_client(settings):
    """An ``ApiClient`` for ``settings`` (no call made yet)."""
    return client.ApiClient(configuration(settings))


def configuration(settings):
    conf = client.Configuration()
    if settings.get("in_cluster"):
        InClusterConfigLoader(
            token_filename=settings.get("token_file") or SERVICE_TOKEN_FILENAME,
            cert_filename=settings.get("token_ca_file") or SERVICE_CERT_FILENAME,
            environ=settings.get("environ") or os.environ).load_and_set(conf)
    else:
        conf.host = settings["kube_host"].rstrip("/")
        if _uses_certificates(settings):
            conf.ssl_ca_cert = settings["ssl_ca_cert"]
            conf.cert_file = settings["cert_file"]
            conf.key_file = settings["key_file"]
    conf.connection_pool_maxsize = POOL_SIZE
    return conf


def check(settings, timeout=CHECK_TIMEOUT):
    """Return once the API answers as the account Qinling uses, in its namespace; else
    ``ConfigError`` naming the option at fault."""
    try:
        conf = configuration(settings)
    except ConfigException as exc:
        raise ConfigError(f"[kubernetes] in_cluster = true: no service account here ({exc}). "
                          f"Is the execution service running in a pod with its token?") \
            from None
    api = client.ApiClient(conf)
    try:
        client.VersionApi(api).get_code(_request_timeout=timeout)
        client.CoreV1Api(api).list_namespaced_pod(settings["namespace"], limit=1,
                                                 _request_timeout=timeout)
    except ApiException as exc:
        raise ConfigError(_refusal(settings, exc)) from None
    except urllib3.exceptions.HTTPError as exc:
        raise ConfigError(_no_answer(settings, conf.host, exc)) from None
    except (ssl.SSLError, OSError) as exc:
        raise ConfigError(f"[kubernetes] cert_file = {settings.get('cert_file')}, key_file = "
                          f"{settings.get('key_file')}: not a certificate and its key "
                          f"({exc}).") from None
    finally:
        api.close()


def _uses_certificates(settings):
    return (urllib.parse.urlsplit(settings["kube_host"]).scheme == "https"
            and settings.get("use_api_certificate"))


def _refusal(settings, exc):
    if exc.status == 401:
        who = ("the service account's token" if settings.get("in_cluster")
               else f"[kubernetes] cert_file = {settings.get('cert_file')}")
        return f"{who}: the Kubernetes API refused it (401 Unauthorized)."
    if exc.status == 403:
        return (f"[kubernetes] namespace = {settings['namespace']}: the Kubernetes API "
                f"refuses Qinling's account there (403 Forbidden): give it the role of "
                f"k8s/base/rbac.yaml in that namespace.")
    return (f"[kubernetes] kube_host = {settings.get('kube_host')}: the Kubernetes API "
            f"answered {exc.status} {exc.reason}.")


def _no_answer(settings, host, exc):
    reason = getattr(exc, "reason", None) or exc
    if "CERTIFICATE_VERIFY_FAILED" in str(reason):
        option = ("the service account's CA" if settings.get("in_cluster")
                  else f"[kubernetes] ssl_ca_cert = {settings.get('ssl_ca_cert')}")
        return f"{option}: the Kubernetes API at {host} is not trusted with it ({reason})."
    if isinstance(reason, urllib3.exceptions.SSLError) and not settings.get("in_cluster"):
        return (f"[kubernetes] cert_file = {settings.get('cert_file')}: the Kubernetes API at "
                f"{host} refused the TLS connection; is this client certificate one it "
                f"trusts? ({reason})")
    if settings.get("in_cluster"):
        return (f"[kubernetes] in_cluster = true: the Kubernetes API at {host} does not "
                f"answer ({reason}).")
    return (f"[kubernetes] kube_host = {settings['kube_host']}: the Kubernetes API does not "
            f"answer ({reason}).")
