"""Jobs on the live platform: create (cron and one-shot), pause, resume, cancel, Qinling's
exact 400s, and a function kept from deletion while a job runs it. (Firing needs a tick at
least a minute ahead: the trigger service's interface tests fire a job through its own timer
and the unit tests step through ticks with an injected clock.)"""
import datetime


def create(api, **fields):
    response = api.post("/v1/jobs", json=fields)
    assert response.status_code == 201, response.text
    return response.json()


def fault(response, status):
    assert response.status_code == status, response.text
    return response.json()["faultstring"]


def test_a_cron_job_pauses_resumes_and_cancels(api, hello_function_id):
    job = create(api, function_id=hello_function_id, pattern="0 0 1 1 *", name="yearly",
                 function_input='{"name": "Job"}' + " " * 300)
    assert (job["status"], job["count"], job["function_version"]) == ("running", None, 0)
    assert job["next_execution_time"].endswith("-01-01T00:00:00Z")
    assert len(job["function_input"]) > 255                       # no 255 cut
    path = f"/v1/jobs/{job['id']}"
    assert api.put(path, json={"status": "paused"}).json()["status"] == "paused"
    assert api.put(path, json={"status": "running"}).json()["status"] == "running"
    assert api.get("/v1/jobs").json()["jobs"][-1]["id"] == job["id"]
    assert fault(api.put(path, json={"pattern": ""}), 400) == "Can not change job type."
    assert fault(api.put(path, json={"status": "done"}), 400) == "Invalid status."
    assert api.put(path, json={"status": "cancelled"}).json()["status"] == "cancelled"
    assert fault(api.put(path, json={"status": "running"}), 400) == \
        "Can not update a finished job."
    assert api.delete(path).status_code == 204
    assert fault(api.get(path), 404) == f"Job not found [id={job['id']}]"


def test_a_one_shot_job_keeps_its_time_in_utc(api, hello_function_id):
    ahead = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2)) \
        .replace(microsecond=0)
    local = ahead.astimezone(datetime.timezone(datetime.timedelta(hours=2)))
    job = create(api, function_id=hello_function_id, first_execution_time=local.isoformat())
    assert (job["count"], job["pattern"]) == (1, None)
    assert job["next_execution_time"] == ahead.strftime("%Y-%m-%dT%H:%M:%SZ")
    api.delete(f"/v1/jobs/{job['id']}")


def test_qinlings_exact_400s(api, hello_function_id):
    assert fault(api.post("/v1/jobs", json={"pattern": "* * * * *"}), 400) == \
        "Either function_alias or function_id must be provided."
    assert fault(api.post("/v1/jobs", json={"function_id": hello_function_id}), 400) == \
        "pattern or first_execution_time must be specified."
    assert fault(api.post("/v1/jobs", json={"function_id": hello_function_id,
                                            "pattern": "61 * * * *"}), 400) == \
        "The specified pattern is not valid: 61 * * * *"
    assert fault(api.post("/v1/jobs", json={"function_id": hello_function_id,
                                            "first_execution_time": "2000-01-01T00:00:00"}),
                 400) == "Execution time must be at least 1 minute in the future."
    assert api.get("/v1/jobs", params={"function_id": hello_function_id}).json()["jobs"] == []


def test_a_function_a_running_job_uses_cannot_be_deleted(api, hello_function_id):
    job = create(api, function_id=hello_function_id, pattern="0 0 1 1 *")
    function = f"/v1/functions/{hello_function_id}"
    assert "running job(s)" in fault(api.delete(function), 403)
    api.put(f"/v1/jobs/{job['id']}", json={"status": "cancelled"})
    assert api.delete(function).status_code == 204
