"""The gateway is a plain asyncio process: neither it nor the Qinling packages it depends on
carry Nameko, SQLAlchemy or a database driver."""
import importlib.metadata
import pathlib
import re

import qinling_api
import qinling_shared

FORBIDDEN = re.compile(r"import nameko|sqlalchemy|psycopg")
FORBIDDEN_REQUIREMENTS = re.compile(r"^(nameko|sqlalchemy|psycopg|alembic)\b", re.IGNORECASE)


def qinling_requirements(distribution):
    """``distribution`` and every Qinling distribution it requires, transitively."""
    seen, todo = set(), [distribution]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for requirement in importlib.metadata.requires(name) or ():
            required = re.split(r"[ ;<>=\[!~]", requirement, maxsplit=1)[0]
            if required.startswith("qinling-"):
                todo.append(required)
    return seen


def test_the_gateway_depends_only_on_the_wire_contracts():
    assert qinling_requirements("qinling-api") == {"qinling-api", "qinling-shared"}


def test_no_framework_or_database_requirement():
    for name in qinling_requirements("qinling-api"):
        for requirement in importlib.metadata.requires(name) or ():
            assert not FORBIDDEN_REQUIREMENTS.match(requirement), (name, requirement)


def test_no_source_line_mentions_them():
    for package in (qinling_api, qinling_shared):
        for path in pathlib.Path(package.__file__).parent.rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                assert not FORBIDDEN.search(line), f"{path}:{number}: {line}"
