import pytest
from service_harness import FakeFunctions, Ports, make_service, new_session


@pytest.fixture
def session():
    with new_session() as session:
        yield session


@pytest.fixture
def ports():
    return Ports()


@pytest.fixture
def functions():
    return FakeFunctions()


@pytest.fixture
def service(session, ports, functions):
    return make_service(session, ports, functions)


@pytest.fixture
def admin(session, ports, functions):
    """The service as an admin of project p1 (runtimes and scaling are admin-only)."""
    return make_service(session, ports, functions, admin=True)


@pytest.fixture
def runtime(admin):
    return admin.create_runtime({"image": "python3", "name": "python3"})
