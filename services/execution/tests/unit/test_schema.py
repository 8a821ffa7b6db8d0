import qinling_execution
from qinling_execution.models import Base
from qinling_testing.schema import drift


def test_migrations_build_the_schema_the_models_declare(tmp_path):
    assert drift(qinling_execution, Base.metadata, f"sqlite:///{tmp_path}/schema.sqlite") == []
