"""The trigger service starts in a real container, migrates its database and answers ping."""
import sqlalchemy as sa
from nameko.standalone.rpc import ServiceRpcProxy

from qinling_trigger.service import TriggerService


def test_starts_migrates_and_answers_ping(container_factory, rabbit_config, tmp_path):
    url = f"sqlite:///{tmp_path}/trigger.sqlite"
    config = {**rabbit_config, "DATABASE_URL": url}
    container_factory(TriggerService, config).start()
    with ServiceRpcProxy("trigger", config) as trigger:
        assert trigger.ping() == {"service": "trigger", "status": "ok"}
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0005"
    engine.dispose()
