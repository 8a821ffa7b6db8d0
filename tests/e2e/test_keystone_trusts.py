"""Acting on a user's behalf without passwords in workers (Keystone on).

A function gets ``context['os_session']``: a keystoneauth session on a token scoped to its
execution's project (the caller's for a sync run, a token of a trust for an async one). The
service user's password reaches no worker. A job keeps running after its creator's token
was revoked, through the trust made when it was created, deleted with it.
"""
import json
import time

import pytest

from qinling_testing.api_client import ApiClient
from qinling_testing.packages import zip_package

DEADLINE = 60.0
WHOAMI = """
def main(context, **kwargs):
    session = context["os_session"]
    projects = session.get("/auth/projects", endpoint_filter={
        "service_type": "identity", "interface": "public"}).json()["projects"]
    return {"projects": [p["name"] for p in projects], "project_id": session.get_project_id(),
            "region_name": context["region_name"]}
"""
# what a function can see of its worker: its environment, its parents', every file it may
# read outside the read-only trees of installed software (/usr, Python's prefix and the
# site-packages bound for os_session: /openstack in a private root), and every process's
# command line
SNOOP = r'''
import os, sys

SKIP = ("/usr", "/proc", "/sys", "/dev", "/openstack", os.path.realpath(sys.prefix),
        os.path.realpath(sys.base_prefix))

def main(secret, **kwargs):
    secret, found, seen = secret.encode(), [], 0
    for pid in os.listdir("/proc"):
        for name in ("environ", "cmdline"):
            try:
                with open(f"/proc/{pid}/{name}", "rb") as f:
                    seen += 1
                    if secret in f.read():
                        found.append(f"/proc/{pid}/{name}")
            except OSError:
                pass
    for top, dirs, files in os.walk("/"):
        if os.path.realpath(top).startswith(SKIP) or "site-packages" in top:
            dirs[:] = []
            continue
        for name in files:
            path = os.path.join(top, name)
            try:
                with open(path, "rb") as f:
                    seen += 1
                    if secret in f.read(16 * 1024 * 1024):
                        found.append(path)
            except OSError:
                pass
    if any(secret.decode() in str(value) for value in os.environ.values()):
        found.append("os.environ")
    return {"found": found, "seen": seen}
'''


def created(response):
    assert response.status_code == 201, response.text
    return response.json()


def wait_for_execution(client, function_id, deadline=DEADLINE):
    """The first finished execution of ``function_id``."""
    end = time.monotonic() + deadline
    while True:
        rows = client.get(f"/v1/executions?function_id={function_id}").json()["executions"]
        done = [row for row in rows if row["status"] in ("success", "failed", "error")]
        if done:
            return done[0]
        assert time.monotonic() < end, f"no execution of {function_id} ended in {deadline}s"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def whoami(as_user, keystone_runtime_id):
    return created(as_user("alice").create_function(
        keystone_runtime_id, name="whoami", package=zip_package({"main.py": WHOAMI})))["id"]


def test_a_sync_run_gets_a_session_of_its_callers_project(as_user, keystone, whoami):
    execution = created(as_user("alice").execute(whoami))
    assert execution["status"] == "success", execution["result"]
    output = json.loads(execution["result"])["output"]
    assert output == {"projects": ["project-a"],
                      "project_id": keystone.users["alice"].project_id,
                      "region_name": keystone.region}


def test_an_async_run_gets_one_through_its_functions_trust(as_user, keystone, whoami):
    alice = as_user("alice")
    execution = created(alice.execute(whoami, sync=False))
    done = alice.wait_for_status(f"/v1/executions/{execution['id']}",
                                 {"success", "failed", "error"}, timeout=DEADLINE)
    assert done["status"] == "success", done["result"]
    assert json.loads(done["result"])["output"]["projects"] == ["project-a"]


def test_the_service_password_reaches_no_worker(as_user, keystone, keystone_runtime_id):
    alice = as_user("alice")
    password = keystone.users["qinling"].password
    snoop = created(alice.create_function(keystone_runtime_id, name="snoop", timeout=60,
                                          package=zip_package({"main.py": SNOOP})))
    for sync in (True, False):
        execution = created(alice.execute(snoop["id"], input={"secret": password},
                                          sync=sync))
        done = alice.wait_for_status(f"/v1/executions/{execution['id']}",
                                     {"success", "failed", "error"}, timeout=DEADLINE)
        assert done["status"] == "success", done["result"]
        output = json.loads(done["result"])["output"]
        # the function read files and processes; the only place the password is, is the
        # input this test gave it (its own process's command line does not hold it)
        assert output["seen"] > 10 and output["found"] == [], output
    # the search finds what is there: its own source, in its package
    control = created(alice.execute(snoop["id"], input={"secret": "def main(secret"}))
    assert any("main.py" in path for path in json.loads(control["result"])["output"]["found"])
    # nor does anything the platform keeps of an execution that did not get it as input
    plain = created(alice.execute(snoop["id"], input={"secret": "not-the-password"}))
    log = alice.get(f"/v1/executions/{plain['id']}/log").text
    assert password not in json.dumps(plain) and password not in log


def test_a_job_runs_after_its_creators_token_was_revoked(as_user, keystone, keystone_platform,
                                                          whoami):
    """The job fires at the next minute (Qinling refuses a one-shot time less than a minute
    ahead), once."""
    token = keystone.token("alice")
    with ApiClient(keystone_platform.url, headers={"X-Auth-Token": token}) as alice:
        job = created(alice.post("/v1/jobs", json={
            "function_id": whoami, "pattern": "* * * * *", "count": 1}))
    keystone.revoke(token)
    assert keystone.session("admin").get(f"{keystone.auth_url}/auth/tokens", raise_exc=False,
                                         headers={"X-Subject-Token": token}).status_code == 404
    executions = as_user("alice").get(f"/v1/executions?function_id={whoami}").json()
    before = {row["id"] for row in executions["executions"]}
    end = time.monotonic() + 60 + DEADLINE
    while True:
        rows = [row for row in as_user("alice").get(
            f"/v1/executions?function_id={whoami}").json()["executions"]
            if row["id"] not in before and row["description"] == f"Created by Job {job['id']}"
            and row["status"] in ("success", "failed", "error")]
        if rows:
            break
        assert time.monotonic() < end, f"job {job['id']} did not run in {DEADLINE}s"
        time.sleep(0.2)
    assert rows[0]["status"] == "success", rows[0]["result"]
    assert json.loads(rows[0]["result"])["output"]["projects"] == ["project-a"]


def test_a_trust_lives_as_long_as_its_job(as_user, keystone, whoami):
    alice = as_user("alice")
    session = keystone.session("alice")
    alice_id = keystone.users["alice"].user_id

    def trusts():
        return {t["id"] for t in session.get(
            f"{keystone.auth_url}/OS-TRUST/trusts?trustor_user_id={alice_id}").json()["trusts"]}

    before = trusts()
    job = created(alice.post("/v1/jobs", json={"function_id": whoami, "pattern": "0 0 1 1 *"}))
    made = trusts() - before
    assert len(made) == 1
    assert alice.delete(f"/v1/jobs/{job['id']}").status_code == 204
    assert trusts() == before
