"""What the worker's init does for its runtime server (qinling_sandbox/runtime_requests.py):
downloads into the package cache, a cgroup per execution (against a temp dir tree), the bind."""
import json
import os

import pytest

from qinling_execution.orchestrators.local.qinling_sandbox import cgroups, runtime_requests


@pytest.fixture
def cache(tmp_path):
    directory = tmp_path / "packages"
    (directory / ".incoming-1").mkdir(parents=True)
    return directory


def worker_group(tmp_path):
    group = cgroups.Group(1, {c: str(tmp_path / c / "w-1") for c in cgroups.CONTROLLERS})
    group.make()
    return group


def ask(requests, **message):
    answer = requests.answer(json.dumps(message).encode())
    return None if answer is None else json.loads(answer)


def test_a_download_fills_a_new_file_in_the_cache(cache, package_server):
    url, _ = package_server.add("p.zip", {"main.py": "def main():\n    pass\n"})
    requests = runtime_requests.RuntimeRequests(str(cache), None, False, None)
    into = cache / ".incoming-1" / "package.zip"
    assert ask(requests, op="download", url=url, into=str(into)) == {"ok": True}
    assert into.read_bytes() == package_server.files["/p.zip"]
    assert oct(into.stat().st_mode & 0o777) == "0o600"
    again = ask(requests, op="download", url=url, into=str(into))
    assert again["error"].startswith("[Errno 17] File exists")


@pytest.mark.parametrize("url, into, error", [
    ("{base}/absent.zip", "{cache}/.incoming-1/p.zip", "HTTP Error 404: Not Found"),
    ("file:///etc/passwd", "{cache}/.incoming-1/p.zip", "not an http or https URL: "),
    ("{base}/p.zip", "{cache}/../elsewhere.zip", "'{cache}/../elsewhere.zip' is not in"),
    ("{base}/p.zip", "{cache}/.incoming-2/p.zip", "No such file or directory"),
    ("{base}/p.zip", "{cache}/outside/p.zip", "/outside/p.zip' is not in the package cache"),
])
def test_a_download_the_init_refuses_or_cannot_make(cache, package_server, url, into, error):
    package_server.add("p.zip", {"main.py": ""})
    (cache / "outside").symlink_to(cache.parent)  # a link in the cache leading out of it
    requests = runtime_requests.RuntimeRequests(str(cache), None, False, None)
    values = {"base": package_server.base, "cache": cache}
    answer = ask(requests, op="download", url=url.format(**values), into=into.format(**values))
    assert set(answer) == {"error"} and error.format(**values) in answer["error"], answer
    assert os.listdir(cache / ".incoming-1") == []


def test_an_execution_group_is_made_joined_by_path_and_kept_on_release(tmp_path):
    group = worker_group(tmp_path)
    requests = runtime_requests.RuntimeRequests(str(tmp_path), group, True, None)
    answer = ask(requests, op="cgroup", memory=1 << 25, cpu=250)
    assert answer == {"id": "x1", "strict": True, "procs": sorted(
        str(tmp_path / c / "w-1" / "x1" / "cgroup.procs") for c in cgroups.CONTROLLERS),
        # a v1 group: the child joins through ``tasks`` (its thread alone, no global lock)
        "join": sorted(str(tmp_path / c / "w-1" / "x1" / "tasks") for c in cgroups.CONTROLLERS)}
    assert (tmp_path / "cpu/w-1/x1/cpu.cfs_quota_us").read_text() == "25000"
    assert (tmp_path / "pids/w-1/x1/pids.max").read_text() == "128"
    assert ask(requests, op="release", id="x1") is None
    assert ask(requests, op="cgroup", memory=1 << 25, cpu=250)["id"] == "x1"  # reused
    assert ask(requests, op="cgroup", memory=1 << 26, cpu=250)["id"] == "x2"


def test_without_a_worker_group_there_is_no_execution_group(tmp_path):
    requests = runtime_requests.RuntimeRequests(str(tmp_path), None, True, None)
    assert ask(requests, op="cgroup", memory=1 << 25, cpu=100) == {"id": None}


@pytest.mark.parametrize("strict", [True, False])
def test_a_group_that_cannot_be_made_is_refused_only_when_strict(tmp_path, strict):
    missing = cgroups.Group(1, {"memory": str(tmp_path / "file")})
    (tmp_path / "file").write_text("not a directory")
    requests = runtime_requests.RuntimeRequests(str(tmp_path), missing, strict, None)
    answer = ask(requests, op="cgroup", memory=1 << 25, cpu=100)
    if strict:
        assert answer["error"].startswith("cannot make the execution's cgroup: ")
    else:
        assert answer == {"id": None}


def test_the_bind_drops_the_inits_privileges_and_a_failure_is_fatal(tmp_path):
    bound = []
    requests = runtime_requests.RuntimeRequests(str(tmp_path), None, False, bound.append)
    assert ask(requests, op="bind", uid=20042) is None
    assert bound == [20042]

    def refuse(uid):
        raise PermissionError("setresuid")

    refusing = runtime_requests.RuntimeRequests(str(tmp_path), None, False, refuse)
    with pytest.raises(PermissionError):
        ask(refusing, op="bind", uid=20042)


@pytest.mark.parametrize("line", [b"{not json", b'{"no": "op"}', b'{"op": "unknown"}', b"[]"])
def test_a_bad_request_is_logged_and_not_answered(tmp_path, line, capsys):
    requests = runtime_requests.RuntimeRequests(str(tmp_path), None, False, None)
    assert requests.answer(line) is None
    assert "qinling-sandbox: ignoring a bad request" in capsys.readouterr().err
