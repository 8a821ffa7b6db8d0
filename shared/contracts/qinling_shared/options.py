"""Every qinling.conf option, with Qinling's group and option names where Qinling had them.

This module only declares; values are read at the edges (a service's ``__main__``, the
gateway's app factory) and passed on as plain values.
"""
from oslo_config import cfg

default_opts = [
    cfg.StrOpt("transport_url", default="rabbit://guest:guest@127.0.0.1:5672/",
               help="RabbitMQ URL shared by every service (oslo.messaging form; "
                    "amqp:// is accepted too). Several hosts, as Kolla writes a cluster "
                    "(rabbit://u:p@h1:5672,u:p@h2:5672/), are tried in order: a dead host "
                    "is skipped."),
    cfg.StrOpt("qinling_endpoint", default="http://127.0.0.1:7070",
               help="Public URL of the Qinling API, used in links and webhook URLs."),
    cfg.StrOpt("state_path", default="var",
               help="Directory for local state: SQLite files, packages, logs, etcd data. "
                    "Relative paths are taken from the working directory."),
    cfg.IntOpt("rpc_response_timeout", default=60, min=1,
               help="Seconds the gateway waits for a service to answer an RPC call "
                    "(synchronous executions wait for the function timeout on top)."),
    cfg.IntOpt("service_workers", default=20, min=1,
               help="Concurrent workers (greenlets) per Nameko service process."),
]

database_opts = [
    cfg.StrOpt("connection", default="sqlite:///$state_path/qinling-{service}.sqlite",
               secret=True,
               help="SQLAlchemy URL of the service databases. '{service}' is replaced by the "
                    "service name (function, execution, trigger), giving each service its own "
                    "database, e.g. postgresql://qinling@db/qinling_{service}. Without it "
                    "the services share one database, as Kolla configures it (e.g. "
                    "mysql+pymysql://qinling:secret@db/qinling), each with its own tables and "
                    "Alembic version table (alembic_version_<service>). PostgreSQL, MySQL/"
                    "MariaDB and SQLite are supported; a missing PostgreSQL or MySQL/MariaDB "
                    "database is created at start (utf8mb4 on MySQL/MariaDB)."),
]

api_opts = [
    cfg.HostAddressOpt("host", default="127.0.0.1", help="Address the REST gateway binds."),
    cfg.PortOpt("port", default=7070, help="Port the REST gateway binds."),
    cfg.IntOpt("max_body_size", default=1024 * 1024, min=1024,
               help="Largest request body the REST gateway reads, in bytes, after any "
                    "gzip or deflate is decoded: a JSON body, a urlencoded form, each text "
                    "field of a multipart form. A function's multipart form may declare up to "
                    "this plus [storage] max_package_size. A larger declared Content-Length "
                    "is refused (413) before the body is read."),
]

pecan_opts = [
    cfg.BoolOpt("auth_enable",
                help="Authenticate every request with Keystone (keystonemiddleware's "
                     "auth_token, configured in [keystone_authtoken]), enforce the policy "
                     "per project and act later through Keystone trusts, as Qinling did. "
                     "Unset: on when [keystone_authtoken] auth_url is set (as "
                     "Kolla configures it), else off. Off, every request acts as project "
                     "'default' with admin rights (the embedded default of make run)."),
]

engine_opts = [
    cfg.StrOpt("orchestrator", default="local",
               help="Orchestrator driver that runs function workers: local or kubernetes. "
                    "kubernetes: the [kubernetes] options are checked at start."),
    cfg.IntOpt("function_concurrency", default=3, min=1,
               help="Executions one worker takes at once before another worker is added."),
    cfg.IntOpt("function_service_expiration", default=3600, min=1,
               help="Seconds a function's workers may stay idle before they are reclaimed."),
    cfg.IntOpt("pool_size", default=2, min=0,
               help="Idle pre-started workers kept per runtime by each execution service "
                    "replica, so that a cold start binds one instead of starting a process "
                    "(0: no warm pool)."),
    cfg.StrOpt("replica_id", default="",
               help="Name of this execution service replica in the etcd worker map: stable "
                    "across its restarts, unique among live replicas (empty: the host name "
                    "and the state path)."),
    cfg.IntOpt("async_max_retries", default=3, min=0,
               help="How often an asynchronous execution is run again after a failure of the "
                    "platform (no worker could be started, the worker was unreachable or broke "
                    "before answering), when its function sets no max_retries of its own. A "
                    "function that ran and failed is never run again."),
    cfg.FloatOpt("async_retry_delay", default=1.0, min=0.001,
                 help="Seconds before the first retry of an asynchronous execution; each "
                      "further retry waits twice as long, up to async_retry_max_delay."),
    cfg.FloatOpt("async_retry_max_delay", default=60.0, min=0.001,
                 help="Longest wait before a retry of an asynchronous execution, in seconds."),
    cfg.IntOpt("async_concurrency", default=0, min=0,
               help="Asynchronous executions one execution service process runs at once "
                    "(0: half of service_workers, so synchronous calls keep workers)."),
]

storage_opts = [
    cfg.StrOpt("provider", default="local",
               help="Package storage backend: local, swift, s3 or memory."),
    cfg.StrOpt("file_system_dir", default="$state_path/packages",
               help="Directory of the local backend."),
    cfg.HostAddressOpt("http_host", default="127.0.0.1",
                       help="Address the storage service's HTTP endpoint binds."),
    cfg.PortOpt("http_port", default=7071,
                help="Port of the storage service's HTTP endpoint (package bytes)."),
    cfg.StrOpt("url", default="http://127.0.0.1:7071",
               help="Base URL at which the gateway and workers reach the storage service."),
    cfg.StrOpt("url_signing_key", secret=True,
               help="Secret that signs package download URLs. Unset: a random key is made "
                    "once and kept in $state_path/storage-signing.key."),
    cfg.IntOpt("signed_url_ttl", default=300, min=1,
               help="Seconds a signed package download URL stays valid."),
    cfg.IntOpt("max_package_size", default=50 * 1024 * 1024, min=1,
               help="Largest package upload accepted, in bytes."),
    cfg.IntOpt("max_package_files", default=10000, min=1,
               help="Most members a package zip may hold (zip bomb guard)."),
    cfg.IntOpt("max_unpacked_size", default=512 * 1024 * 1024, min=1,
               help="Largest total unpacked size of a package zip, in bytes (zip bomb guard)."),
    cfg.IntOpt("upload_expiration", default=3600, min=1,
               help="Seconds an uploaded package may stay unclaimed by a function before "
                    "the storage service deletes it."),
]

swift_opts = [
    cfg.StrOpt("auth_url", default="",
               help="Swift auth URL: a Keystone v3 URL, or a tempauth v1 URL "
                    "(http://host:8080/auth/v1.0). Used by the swift storage backend and for "
                    "functions whose code is a Swift object."),
    cfg.StrOpt("auth_version", default="3", choices=["1", "3"],
               help="1 for tempauth/v1 auth, 3 for Keystone v3."),
    cfg.StrOpt("user", default="", help="Swift user (v1: account:user)."),
    cfg.StrOpt("key", default="", secret=True, help="Swift password or key."),
    cfg.StrOpt("project_name", default="", help="Keystone project (auth_version 3)."),
    cfg.StrOpt("user_domain_name", default="Default", help="Keystone user domain (v3)."),
    cfg.StrOpt("project_domain_name", default="Default", help="Keystone project domain (v3)."),
    cfg.StrOpt("container", default="qinling-packages",
               help="Container of the swift storage backend (created when missing)."),
    cfg.IntOpt("max_object_size", default=51 * 1024 * 1024, min=1,
               help="Largest Swift object accepted as function code, in bytes."),
]

s3_opts = [
    cfg.StrOpt("endpoint_url", default="", help="S3 endpoint URL (empty: AWS)."),
    cfg.StrOpt("region_name", default="us-east-1", help="S3 region."),
    cfg.StrOpt("access_key", default="", help="S3 access key."),
    cfg.StrOpt("secret_key", default="", secret=True, help="S3 secret key."),
    cfg.StrOpt("bucket", default="qinling-packages",
               help="Bucket of the s3 storage backend (created when missing)."),
    cfg.StrOpt("addressing_style", default="path", choices=["path", "virtual", "auto"],
               help="S3 addressing style."),
]

function_opts = [
    cfg.IntOpt("max_versions", default=10, min=1,
               help="Most versions one function may have (Qinling hard-coded 10)."),
]

trigger_opts = [
    cfg.IntOpt("job_grace", default=60, min=1,
               help="Seconds a job's tick may be late and still run; a later tick (after a "
                    "downtime) is missed."),
    cfg.IntOpt("job_catch_up", default=0, min=0,
               help="How many of a job's latest missed ticks still run after a downtime "
                    "(0: missed ticks are skipped; Qinling replayed them all)."),
    cfg.ListOpt("notification_exchanges",
                default=["nova", "cinder", "glance", "neutron", "openstack"],
                help="Exchanges an event trigger listens on when it names none: each "
                     "service's control_exchange (Cinder publishes on 'openstack' unless "
                     "its control_exchange is 'cinder')."),
    cfg.StrOpt("notification_transport_url", secret=True,
               help="The broker OpenStack services publish their notifications on "
                    "([oslo_messaging_notifications] transport_url of nova, cinder...); "
                    "unset: [DEFAULT] transport_url."),
    cfg.StrOpt("notification_queue", default="qinling-trigger-notifications",
               help="The durable queue the trigger services share, bound to the "
                    "exchanges of the event triggers (never oslo.messaging's own queues)."),
    cfg.BoolOpt("notification_exchanges_durable", default=False,
                help="Declare the notification exchanges durable: set it as the "
                     "publishers' [oslo_messaging_rabbit] amqp_durable_queues, or RabbitMQ "
                     "refuses the declaration."),
]

etcd_opts = [
    cfg.HostAddressOpt("host", default="127.0.0.1", help="etcd host."),
    cfg.PortOpt("port", default=2379, help="etcd client port."),
    cfg.StrOpt("protocol", default="http", choices=["http", "https"],
               help="etcd protocol. https: the execution service and the gateway's health "
                    "check talk TLS to etcd, with the files below; a service refuses to start "
                    "when one of them is missing or unreadable."),
    cfg.StrOpt("ca_cert",
               help="CA certificate (PEM) that etcd's server certificate is checked against, "
                    "with protocol https (unset: the system's CAs)."),
    cfg.StrOpt("cert_file",
               help="Client certificate (PEM) presented to etcd with protocol https, as an "
                    "etcd started with --client-cert-auth requires; set with cert_key."),
    cfg.StrOpt("cert_key",
               help="Private key (PEM) of cert_file, with protocol https; set with cert_file."),
    cfg.StrOpt("prefix", default="/qinling/",
               help="Key prefix under which Qinling keeps its worker map."),
]

kubernetes_opts = [
    cfg.StrOpt("kube_host", default="http://127.0.0.1:8001",
               help="URL of the Kubernetes API server of the kubernetes orchestrator: "
                    "http(s)://host[:port] (the default is a local `kubectl proxy`)."),
    cfg.BoolOpt("use_api_certificate", default=True,
                help="With an https kube_host, authenticate with the TLS client certificate "
                     "cert_file/key_file and check the server against ssl_ca_cert; the "
                     "execution service refuses to start when one of them is missing."),
    cfg.StrOpt("ssl_ca_cert", default="/etc/qinling/pki/kubernetes/ca.crt",
               help="CA certificate (PEM) of the Kubernetes API server."),
    cfg.StrOpt("cert_file", default="/etc/qinling/pki/kubernetes/qinling.crt",
               help="Client certificate (PEM) Qinling presents to the Kubernetes API."),
    cfg.StrOpt("key_file", default="/etc/qinling/pki/kubernetes/qinling.key",
               help="Private key (PEM) of cert_file."),
    cfg.StrOpt("namespace", default="qinling",
               help="Kubernetes namespace of Qinling's runtime pools and function pods."),
    cfg.IntOpt("replicas", default=3, min=0,
               help="Spare pods of a runtime's pool (its Deployment's replicas), ready to be "
                    "taken as workers of functions with the default cpu and memory; a new "
                    "image is tried on them first. 0: every worker is a pod of its own."),
    cfg.BoolOpt("in_cluster", default=False,
                help="Reach the Kubernetes API as the pod's service account (its token and CA "
                     "under /var/run/secrets/kubernetes.io/serviceaccount, the host from "
                     "KUBERNETES_SERVICE_HOST): for an execution service that runs in the "
                     "cluster (k8s/). kube_host and the certificate options are then unused."),
    cfg.IntOpt("worker_start_timeout", default=120, min=1,
               help="Seconds a new worker pod (or a runtime pool's first pod of a new image) "
                    "has to become Ready, pulling its image included."),
]

resource_limits_opts = [
    cfg.IntOpt("default_cpu", default=100, help="Default cpu of a function (millicpu)."),
    cfg.IntOpt("min_cpu", default=100, help="Smallest cpu a function may ask (millicpu)."),
    cfg.IntOpt("max_cpu", default=300, help="Largest cpu a function may ask (millicpu)."),
    cfg.IntOpt("default_memory", default=33554432, help="Default memory of a function (bytes)."),
    cfg.IntOpt("min_memory", default=33554432, help="Smallest memory a function may ask (bytes)."),
    cfg.IntOpt("max_memory", default=134217728, help="Largest memory a function may ask (bytes)."),
    cfg.IntOpt("default_timeout", default=5, help="Default timeout of a function (seconds)."),
    cfg.IntOpt("min_timeout", default=1, help="Smallest timeout a function may ask (seconds)."),
    cfg.IntOpt("max_timeout", default=300, help="Largest timeout a function may ask (seconds)."),
]

local_opts = [
    cfg.StrOpt("runtimes_dir", default="",
               help="Folder of the runtime servers (python3/server.py, nodejs/server.js): the "
                    "repository's runtimes/ folder. Empty: the runtimes folder of the "
                    "execution service's working directory. The service refuses to start when "
                    "a runtime server is missing there."),
    cfg.IntOpt("worker_start_timeout", default=10, min=1,
               help="Seconds a new local worker has to answer its first ping."),
    cfg.StrOpt("python_executable", default="",
               help="Interpreter of the local Python 3 runtime (empty: the service's own)."),
    cfg.StrOpt("node_executable", default="/usr/bin/node",
               help="Node.js binary of the local Node.js runtime."),
    cfg.BoolOpt("require_isolation", default=False,
                help="Refuse to start workers when the host probe finds a limit the local "
                     "orchestrator cannot enforce (memory, cpu, pids, nofile, fsize, nproc, "
                     "fs, network, uid); the error and /healthz name the missing ones. "
                     "False: run with what can be enforced, and log what cannot."),
    cfg.BoolOpt("allow_network", default=False,
                help="Let functions open network connections. False: each worker's runtime "
                     "runs in an empty network namespace (loopback only), and image functions' "
                     "containers have no network."),
    cfg.StrOpt("container_engine", default="unix:///var/run/docker.sock",
               help="Docker Engine API the local orchestrator runs image functions on "
                    "(code.source = image), one container per execution: "
                    "unix:///path/to/docker.sock or tcp://host:port. Empty: image functions "
                    "are refused (400)."),
    cfg.StrOpt("worker_host", default="127.0.0.1",
               help="Address the local workers listen on. Every execution replica must reach "
                    "it: the worker map holds the workers' URLs, and a replica that takes over "
                    "a run asks the worker it was sent to. 127.0.0.1 when the replicas share "
                    "a host; with replicas in containers or on several hosts, leave it empty: "
                    "the address this host's name resolves to (a container's own address)."),
]

GROUPS = {
    None: default_opts,
    "database": database_opts,
    "api": api_opts,
    "pecan": pecan_opts,
    "engine": engine_opts,
    "storage": storage_opts,
    "swift": swift_opts,
    "s3": s3_opts,
    "function": function_opts,
    "trigger": trigger_opts,
    "etcd": etcd_opts,
    "kubernetes": kubernetes_opts,
    "resource_limits": resource_limits_opts,
    "local": local_opts,
}


def register(conf):
    for group, opts in GROUPS.items():
        conf.register_opts(opts, group=group)


def list_opts():
    """Entry point for oslo-config-generator."""
    return [("DEFAULT" if group is None else group, opts) for group, opts in GROUPS.items()]
