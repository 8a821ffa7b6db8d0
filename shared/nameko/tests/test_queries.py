import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from qinling_nameko import queries
from qinling_shared import listing
from qinling_shared.exceptions import Forbidden, InvalidInput


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "rows"
    id: Mapped[str] = mapped_column(sa.String, primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String)
    status: Mapped[str] = mapped_column(sa.String)
    count: Mapped[int] = mapped_column(sa.Integer)
    description: Mapped[str | None] = mapped_column(sa.String)
    created_at: Mapped[int] = mapped_column(sa.Integer)
    sync: Mapped[bool] = mapped_column(sa.Boolean, default=True)


ALLOWED = {"status", "count", "description", "sync"}
SORTABLE = {"created_at", "count"}


@pytest.fixture
def session():
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        for i, status in enumerate(["success", "failed", "success", "running", "success"]):
            session.add(Row(id=f"r{i}", project_id="p1" if i < 4 else "p2", status=status,
                            count=i, description=f"Created by Job j{i % 2}", created_at=i,
                            sync=i != 1))
        session.commit()
        yield session


def ids(session, params, project="p1", admin=False):
    query = listing.parse(params)
    return [r.id for r in queries.scoped_rows(session, Row, query, SORTABLE, project, admin,
                                              filters=ALLOWED)]


def test_no_params_lists_own_project_in_creation_order(session):
    assert ids(session, {}) == ["r0", "r1", "r2", "r3"]


@pytest.mark.parametrize("params,expected", [
    ({"status": "success"}, ["r0", "r2"]),
    ({"status": "eq:success"}, ["r0", "r2"]),
    ({"status": "neq:success"}, ["r1", "r3"]),
    ({"status": "in:failed,running"}, ["r1", "r3"]),
    ({"status": "nin:failed,running"}, ["r0", "r2"]),
    ({"count": "gt:1"}, ["r2", "r3"]),
    ({"count": "lte:1"}, ["r0", "r1"]),
    ({"description": "has:j1"}, ["r1", "r3"]),
    ({"sync": "false"}, ["r1"]),
    ({"sync": "neq:false"}, ["r0", "r2", "r3"]),
])
def test_operators(session, params, expected):
    assert ids(session, params) == expected


def test_pagination_with_marker_and_direction(session):
    assert ids(session, {"limit": "2"}) == ["r0", "r1"]
    assert ids(session, {"limit": "2", "marker": "r1"}) == ["r2", "r3"]
    assert ids(session, {"sort_key": "count", "sort_dir": "desc", "limit": "2"}) == ["r3", "r2"]
    assert ids(session, {"sort_dir": "desc", "marker": "r2"}) == ["r1", "r0"]


def test_all_projects_is_for_admins(session):
    assert ids(session, {"all_projects": "true"}, admin=True) == ["r0", "r1", "r2", "r3", "r4"]
    assert ids(session, {"project_id": "p2"}, admin=True) == ["r4"]
    with pytest.raises(Forbidden):
        ids(session, {"all_projects": "true"})


@pytest.mark.parametrize("params,message", [
    ({"colour": "red"}, "Invalid filter 'colour'"),
    ({"limit": "x"}, "Invalid limit: an integer is required."),
    ({"limit": "0"}, "Invalid limit: it must be between 1 and 1000."),
    ({"sort_dir": "up"}, "Invalid sort_dir"),
    ({"sort_key": "status"}, "Invalid sort_key 'status'"),
    ({"marker": "nope"}, "Invalid marker"),
    ({"count": "gt:abc"}, "Invalid value 'abc' for count."),
    ({"all_projects": "maybe"}, "Invalid all_projects"),
    ({"sync": "gt:false"}, "only eq, neq, in and nin"),
])
def test_bad_params(session, params, message):
    with pytest.raises(InvalidInput, match=message):
        ids(session, params, admin=True)


def test_rpc_queries_are_checked_where_applied(session):
    bad = {"filters": [["project_id", "eq", "p2"]]}
    with pytest.raises(InvalidInput, match="Invalid filter 'project_id'"):
        queries.scoped_rows(session, Row, bad, SORTABLE, "p1", False, filters=ALLOWED)
    with pytest.raises(InvalidInput, match="Invalid list query."):
        queries.scoped_rows(session, Row, {"filters": "x"}, SORTABLE, "p1", False, filters=ALLOWED)
