"""Load qinling.conf (oslo.config) and turn it into the plain values services consume."""
import os
import urllib.parse

from oslo_config import cfg

from oslo_policy import opts as policy_opts

from qinling_shared import options

DEFAULT_POLICY_FILE = "policy.yaml"   # oslo.policy's
KEYSTONE_GROUP = "keystone_authtoken"
FAILOVER = ";"   # kombu's separator of alternate broker URLs


def load(argv=None, default_config_files=None):
    """Parse ``--config-file``/``--config-dir`` like every OpenStack service (Kolla-compatible).

    No file is required: every option has a default.
    """
    conf = cfg.ConfigOpts()
    options.register(conf)
    policy_opts.set_defaults(conf)   # [oslo_policy], with oslo.policy's own defaults
    conf(args=argv if argv is not None else [], project="qinling",
         default_config_files=default_config_files)
    return conf


def state_path(conf):
    path = os.path.abspath(conf.state_path)
    os.makedirs(path, exist_ok=True)
    return path


def amqp_uris(transport_url):
    """oslo.messaging's ``rabbit://`` URL as ``amqp://`` URLs, one per host, in order: Kolla
    writes every node of a RabbitMQ cluster (``rabbit://u:p@h1:5672,u:p@h2:5672/vhost``)."""
    parsed = urllib.parse.urlsplit(transport_url)
    if parsed.scheme in ("rabbit", "amqp", "pyamqp"):
        parsed = parsed._replace(scheme="amqp")
    return [urllib.parse.urlunsplit(parsed._replace(netloc=host))
            for host in parsed.netloc.split(",")]


def amqp_uri(transport_url):
    """The broker URL of kombu (Nameko): the hosts' ``amqp://`` URLs joined by ``;``, which
    kombu fails over through in order. ``split_uri`` gives them back."""
    return FAILOVER.join(amqp_uris(transport_url))


def split_uri(amqp_uri):
    """The host URLs of ``amqp_uri`` (for a client that takes one URL at a time)."""
    return amqp_uri.split(FAILOVER)


def policy_file(conf):
    """The absolute path of ``[oslo_policy] policy_file`` (YAML, or Kolla's ``policy.json``),
    found as oslo.config finds files: as given, else beside the config files and in the
    config dirs. ``None`` when the default ``policy.yaml`` is nowhere: the rules in code
    apply. A file named by the operator and not found is an error."""
    name = conf.oslo_policy.policy_file
    path = conf.find_file(name)
    if path is None and name != DEFAULT_POLICY_FILE:
        raise SystemExit(f"[oslo_policy] policy_file {name!r} not found (looked as given, "
                         "beside the config files and in the config dirs)")
    return path and os.path.abspath(path)


def register_keystone_opts(conf):
    """``[keystone_authtoken]`` as keystonemiddleware reads it, with the ``password`` plugin's
    options: the service user the gateway validates tokens as and the services make trusts
    and trust-scoped tokens as."""
    from keystoneauth1 import loading
    from keystonemiddleware import auth_token
    for group, opts in auth_token.list_opts():
        conf.register_opts(opts, group=group)
    conf.register_opts(loading.get_auth_plugin_conf_options("password"), group=KEYSTONE_GROUP)


def auth_enabled(auth_enable, auth_url):
    """``[pecan] auth_enable`` when set; unset, on as soon as ``[keystone_authtoken]`` names
    Keystone (a Kolla deployment), off for the embedded default."""
    return bool(auth_url) if auth_enable is None else auth_enable


KEYSTONE_CREDENTIALS = ("auth_url", "username", "user_id", "password", "user_domain_name",
                        "user_domain_id", "project_name", "project_id", "project_domain_name",
                        "project_domain_id")


def keystone_settings(conf):
    """``None`` without Keystone; else the service user's credentials (``credentials``, for
    keystoneauth's ``v3.Password``), the Keystone URL functions use (``www_authenticate_uri``,
    else ``auth_url``) and the region."""
    register_keystone_opts(conf)
    group = conf[KEYSTONE_GROUP]
    if not auth_enabled(conf.pecan.auth_enable, group.auth_url):
        return None
    return {"credentials": {name: group[name] for name in KEYSTONE_CREDENTIALS
                            if group[name]},
            "public_auth_url": group.www_authenticate_uri or group.auth_url,
            "region_name": group.region_name}


def etcd_settings(conf):
    """The ``[etcd]`` options as a dict of the same names; unset files are ``None``
    (``config_checks.check_etcd`` checks them)."""
    etcd = conf.etcd
    return {
        "host": etcd.host, "port": etcd.port, "protocol": etcd.protocol,
        "ca_cert": etcd.ca_cert or None, "cert_file": etcd.cert_file or None,
        "cert_key": etcd.cert_key or None, "prefix": etcd.prefix,
    }


def etcd_url(settings):
    """``protocol://host:port`` of ``etcd_settings`` (an IPv6 host in brackets)."""
    host = settings["host"]
    host = f"[{host}]" if ":" in host else host
    return f"{settings['protocol']}://{host}:{settings['port']}"


def resource_limits(conf):
    return {name: getattr(conf.resource_limits, name)
            for name in (o.dest for o in options.resource_limits_opts)}
