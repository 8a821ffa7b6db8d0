import pytest

from qinling_shared import listing
from qinling_shared.exceptions import InvalidInput, NotFound

JOB = {"id": "j-1", "name": None, "project_id": "default", "function_id": "f1",
       "function_version": 0, "function_alias": None, "function_input": None,
       "pattern": "0 0 1 1 *", "status": "running", "count": None,
       "first_execution_time": "2027-01-01T00:00:00Z",
       "next_execution_time": "2027-01-01T00:00:00Z", "created_at": "2026-01-01T00:00:00Z",
       "updated_at": None}


async def test_create_passes_the_typed_fields(client, rpc):
    rpc.answer("trigger", "create_job", lambda values: JOB)
    response = await client.post("/v1/jobs", json={
        "function_id": "f1", "function_version": "1", "pattern": "0 0 1 1 *", "count": 3,
        "function_input": "x" * 300, "project_id": "x", "status": "done"})
    assert response.status == 201
    assert await response.json() == JOB
    assert rpc.calls[0].args == ({"function_id": "f1", "function_version": 1,
                                  "pattern": "0 0 1 1 *", "count": 3,
                                  "function_input": "x" * 300},)


@pytest.mark.parametrize("body, message", [
    ({"function_id": 1}, "Invalid value of 'function_id': a string is required."),
    ({"pattern": 5}, "Invalid value of 'pattern': a string is required."),
    ({"count": "x"}, "Invalid value of 'count': an integer is required.")])
async def test_create_with_wrong_types_is_a_400(client, rpc, body, message):
    response = await client.post("/v1/jobs", json=body)
    assert response.status == 400
    assert await response.json() == {"faultstring": message}
    assert rpc.calls == []


async def test_the_services_400_is_passed_on_exactly(client, rpc):
    rpc.answer("trigger", "create_job",
               InvalidInput("Execution time must be at least 1 minute in the future."))
    response = await client.post("/v1/jobs", json={"function_id": "f1",
                                                   "first_execution_time": "2000-01-01"})
    assert response.status == 400
    assert await response.json() == {
        "faultstring": "Execution time must be at least 1 minute in the future."}


async def test_list_show_update_and_delete(client, rpc):
    rpc.answer("trigger", "list_jobs", lambda query: [JOB])
    rpc.answer("trigger", "get_job", lambda job_id: JOB)
    rpc.answer("trigger", "update_job", lambda job_id, values: {**JOB, "status": "paused"})
    rpc.answer("trigger", "delete_job", lambda job_id: None)
    listed = await client.get("/v1/jobs?status=running")
    assert await listed.json() == {"jobs": [JOB]}
    assert rpc.calls[0].args == (listing.parse({"status": "running"}),)
    assert await (await client.get("/v1/jobs/j-1")).json() == JOB
    updated = await client.put("/v1/jobs/j-1", json={"status": "paused", "count": 9})
    assert updated.status == 200 and (await updated.json())["status"] == "paused"
    assert rpc.calls[2].args == ("j-1", {"status": "paused"})
    assert (await client.delete("/v1/jobs/j-1")).status == 204


async def test_unknown_job_is_the_services_404(client, rpc):
    rpc.answer("trigger", "get_job", NotFound("Job not found [id=j-9]"))
    response = await client.get("/v1/jobs/j-9")
    assert response.status == 404
    assert await response.json() == {"faultstring": "Job not found [id=j-9]"}
