"""Jobs over RPC with a real broker: CRUD with typed errors, and the service's own timer
firing a due job as an async execution of the job's project, with the tick's key."""
import time

import pytest
import sqlalchemy as sa
from nameko.standalone.rpc import ServiceRpcProxy

from qinling_nameko.providers import CurrentCaller
from qinling_nameko.rpc import rpc
from qinling_shared import clock
from qinling_shared.context import tenancy
from qinling_shared.exceptions import InvalidInput, NotFound, QinlingError

from qinling_trigger import job_rules, job_ticks
from qinling_trigger.models import Job
from qinling_trigger.service import TriggerService

SUBMITTED = []


class FunctionStandIn:
    name = "function"

    @rpc(expected_exceptions=QinlingError)
    def get_function(self, function_id):
        if function_id != "f1":
            raise NotFound(f"Function not found [id={function_id}]")
        return {"id": function_id, "project_id": "p1"}


class ExecutionStandIn:
    name = "execution"
    caller = CurrentCaller()

    @rpc
    def create_execution(self, values, idempotency_key=None, request_key=None):
        SUBMITTED.append((self.caller.project_id, values, idempotency_key))
        return {"id": f"e{len(SUBMITTED)}"}


@pytest.fixture
def database(tmp_path):
    return f"sqlite:///{tmp_path}/trigger.sqlite"


@pytest.fixture
def trigger(container_factory, rabbit_config, database):
    SUBMITTED.clear()
    config = {**rabbit_config, "DATABASE_URL": database}
    for cls in (TriggerService, FunctionStandIn, ExecutionStandIn):
        container_factory(cls, config).start()
    with ServiceRpcProxy("trigger", config, context_data=tenancy("p1")) as proxy:
        yield proxy


def test_job_lifecycle_and_exact_400s(trigger):
    job = trigger.create_job({"function_id": "f1", "pattern": "0 0 1 1 *", "name": "yearly"})
    assert (job["status"], job["function_version"], job["project_id"]) == ("running", 0, "p1")
    assert trigger.function_usage("f1") == {"jobs": 1, "webhooks": 0, "event_triggers": 0}
    with pytest.raises(InvalidInput) as raised:
        trigger.create_job({"function_id": "f1", "pattern": "61 * * * *"})
    assert raised.value.message == job_rules.BAD_PATTERN.format("61 * * * *")
    with pytest.raises(InvalidInput) as raised:
        trigger.create_job({"function_id": "f1", "first_execution_time": "2000-01-01T00:00:00"})
    assert raised.value.message == job_rules.TOO_SOON
    with pytest.raises(InvalidInput, match=r"^Can not change job type\.$"):
        trigger.update_job(job["id"], {"pattern": ""})
    assert trigger.update_job(job["id"], {"status": "paused"})["status"] == "paused"
    assert trigger.update_job(job["id"], {"status": "running"})["status"] == "running"
    assert [j["id"] for j in trigger.list_jobs()] == [job["id"]]
    trigger.delete_job(job["id"])
    with pytest.raises(NotFound, match=rf"^Job not found \[id={job['id']}\]$"):
        trigger.get_job(job["id"])


def test_the_timer_fires_a_due_job_once_as_its_project(trigger, database):
    job = trigger.create_job({"function_id": "f1", "pattern": "* * * * *",
                              "function_input": "hello", "count": 1})
    # make its tick due now (a pattern's ticks are a minute apart: too slow for a test)
    tick = clock.utcnow().replace(microsecond=0)
    engine = sa.create_engine(database)
    with engine.begin() as conn:
        conn.execute(sa.update(Job).where(Job.id == job["id"])
                     .values(next_execution_time=tick))
    engine.dispose()
    deadline = time.monotonic() + 10
    while trigger.get_job(job["id"])["status"] != "done" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert trigger.get_job(job["id"])["status"] == "done"
    assert SUBMITTED == [("p1", {"function_id": "f1", "function_version": 0, "sync": False,
                                 "input": "hello",
                                 "description": f"Created by Job {job['id']}"},
                          job_ticks.idempotency_key(job["id"], tick))]
