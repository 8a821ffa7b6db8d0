"""The gateway's configuration: built once from qinling.conf at the edge, passed as a value."""
import dataclasses

from qinling_shared import config, config_checks


@dataclasses.dataclass(frozen=True)
class Settings:
    api_host: str = "127.0.0.1"
    api_port: int = 7070
    amqp_uri: str = "amqp://guest:guest@127.0.0.1:5672/"
    rpc_response_timeout: float = 60.0
    storage_url: str = "http://127.0.0.1:7071"
    qinling_endpoint: str = "http://127.0.0.1:7070"
    etcd_url: str = "http://127.0.0.1:2379"
    etcd_ca_cert: str | None = None     # [etcd] ca_cert, cert_file, cert_key (https only)
    etcd_cert_file: str | None = None
    etcd_cert_key: str | None = None
    max_timeout: int = 300
    max_body_size: int = 1024 * 1024           # [api] max_body_size
    max_package_size: int = 50 * 1024 * 1024   # [storage] max_package_size

    @classmethod
    def from_conf(cls, conf):
        """The settings of ``qinling.conf``; ``ConfigError`` for ``[etcd]`` files the health
        check of etcd over https cannot use."""
        etcd = config.etcd_settings(conf)
        config_checks.check_etcd(etcd)
        return cls(
            api_host=conf.api.host,
            api_port=conf.api.port,
            amqp_uri=config.amqp_uri(conf.transport_url),
            rpc_response_timeout=float(conf.rpc_response_timeout),
            storage_url=conf.storage.url.rstrip("/"),
            qinling_endpoint=conf.qinling_endpoint.rstrip("/"),
            etcd_url=config.etcd_url(etcd),
            etcd_ca_cert=etcd["ca_cert"], etcd_cert_file=etcd["cert_file"],
            etcd_cert_key=etcd["cert_key"],
            max_timeout=conf.resource_limits.max_timeout,
            max_body_size=conf.api.max_body_size,
            max_package_size=conf.storage.max_package_size,
        )

    @property
    def sync_execution_timeout(self):
        """A sync execution may run for the largest function timeout on top of the RPC wait."""
        return self.rpc_response_timeout + self.max_timeout
