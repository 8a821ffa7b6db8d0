import pytest
from service_harness import FakeFunctions, make_service, new_engine, new_session


@pytest.fixture
def session():
    with new_session() as session:
        yield session


@pytest.fixture
def engine():
    return new_engine()


@pytest.fixture
def functions():
    return FakeFunctions()


@pytest.fixture
def service(session, engine, functions):
    return make_service(session, engine, functions)


@pytest.fixture
def runtime(service):
    return service.create_runtime({"image": "python3", "name": "python3"})
