import eventlet

eventlet.monkey_patch()

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from qinling_function.models import Base  # noqa: E402

LIMITS = {
    "default_cpu": 100, "min_cpu": 100, "max_cpu": 300,
    "default_memory": 33554432, "min_memory": 33554432, "max_memory": 134217728,
    "default_timeout": 5, "min_timeout": 1, "max_timeout": 300,
}


@pytest.fixture
def limits():
    return dict(LIMITS)


@pytest.fixture
def session():
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()
