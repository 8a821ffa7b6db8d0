"""A trigger database in memory, and fakes of the function and execution services."""
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinling_nameko.providers import Caller
from qinling_shared.exceptions import NotFound

from qinling_trigger.models import Base


class FakeFunction:
    """Functions with versions, and aliases, of project ``p1``; ``f9`` is project ``p2``'s
    (an admin sees it)."""

    def __init__(self):
        self.versions = {"f1": {1}, "f2": set(), "f9": set()}
        self.aliases = {"prod": {"function_id": "f1", "function_version": 1}}

    def get_function(self, function_id):
        if function_id not in self.versions:
            raise NotFound(f"Function not found [id={function_id}]")
        return {"id": function_id, "project_id": "p2" if function_id == "f9" else "p1"}

    def get_version(self, function_id, version):
        self.get_function(function_id)
        if version not in self.versions[function_id]:
            raise NotFound(f"FunctionVersion not found [function_id={function_id}, "
                           f"version_number={version}]")
        return {"function_id": function_id, "version_number": version}

    def resolve_alias(self, name):
        if name not in self.aliases:
            raise NotFound(f"FunctionAlias not found [name={name}]")
        return self.aliases[name]


class FakeExecution:
    """Executions submitted (``created``, each one run), idempotent as the execution
    service: a repeat of the client's ``idempotency_key``, or of the gateway's
    ``request_key``, returns the first execution made with it; ``keys`` are those of every
    call."""

    def __init__(self):
        self.created, self.keys, self.by_key = [], [], {}
        self.projects = []   # the project each submit ran as (handlers that pass one)

    def create_execution(self, values, idempotency_key=None, request_key=None):
        self.keys.append((idempotency_key, request_key))
        keys = [key for key in (("client", idempotency_key), ("request", request_key))
                if key[1] is not None]
        if keys and keys[0] in self.by_key:
            return self.by_key[keys[0]]
        self.created.append(values)
        made = {"id": f"e{len(self.created)}", **values}
        self.by_key.update((key, made) for key in keys)
        return made


@pytest.fixture
def session():
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def function():
    return FakeFunction()


@pytest.fixture
def execution():
    return FakeExecution()


@pytest.fixture
def caller():
    return Caller("p1", False)
