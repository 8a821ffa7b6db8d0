"""A function cannot read another function's files, the platform's config or its databases:
real workers of the local driver, with a private root (this host) and with Landlock."""
import errno
import os
import pathlib
import shutil
import tempfile

import pytest
from local_harness import execute, host_facts  # noqa: F401 - a fixture

from qinling_execution.orchestrators.local.driver import LocalOrchestrator
from qinling_testing.runtime_servers import RUNTIMES_DIR

pytestmark = pytest.mark.filterwarnings("ignore:Using fork:DeprecationWarning")

READER = '''\
import os


def read(path):
    try:
        with open(path) as handle:
            return {"text": handle.read()}
    except OSError as exc:
        return {"errno": exc.errno}


def listing(path):
    try:
        return {"names": sorted(os.listdir(path))}
    except OSError as exc:
        return {"errno": exc.errno}


def main(paths=(), directories=(), **kwargs):
    return {"read": {p: read(p) for p in paths}, "list": {d: listing(d) for d in directories},
            "own": read(os.path.join(os.path.dirname(__file__), "secret.txt")),
            "uid": os.getuid()}
'''


@pytest.fixture(scope="module")
def packages(package_server):
    return {name: package_server.add(f"{name}.zip",
                                     {"reader.py": READER, "secret.txt": f"{name} secret"})
            for name in ("a", "b")}


def platform_files(root):
    """A config and a database where the platform keeps them (mode 0644: no help from DAC)."""
    conf, database = root / "qinling.conf", root / "state" / "qinling-execution.sqlite"
    database.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text("[database]\nconnection = postgresql://qinling:secret@db/qinling\n")
    database.write_bytes(b"SQLite format 3\x00")
    for path in (conf, database):
        path.chmod(0o644)
    return str(conf), str(database)


def attempt(driver, packages, root):
    """Function a's view of function b's package, the config and the database."""
    conf, database = platform_files(root)
    worker_a = driver.start_worker("rt", "python3", "fn-a", 0, "w-a")
    worker_b = driver.start_worker("rt", "python3", "fn-b", 0, "w-b")
    assert execute(worker_b.url, packages["b"], "reader.main")["output"]["own"] == {
        "text": "b secret"}
    b_package = os.path.join(driver.workers_dir, "w-b", "packages", packages["b"][1])
    assert os.path.exists(os.path.join(b_package, "secret.txt"))  # it is there, on the host
    result = execute(worker_a.url, packages["a"], "reader.main", {
        "paths": [os.path.join(b_package, "secret.txt"), conf, database, "/etc/shadow",
                  "/etc/passwd"],
        "directories": [driver.workers_dir, str(root)]})
    assert result["success"] is True, result
    return result["output"]


def test_a_private_root_hides_everything_else(tmp_path, host_facts, packages):  # noqa: F811
    driver = LocalOrchestrator(str(tmp_path / "state"), RUNTIMES_DIR, facts=host_facts)
    try:
        seen = attempt(driver, packages, tmp_path)
    finally:
        driver.close()
    assert seen["own"] == {"text": "a secret"}  # the reader works
    assert set(map(str, seen["read"].values())) == {str({"errno": errno.ENOENT})}
    assert set(map(str, seen["list"].values())) == {str({"errno": errno.ENOENT})}


@pytest.fixture
def traversable_dir():
    """A temp dir every uid may traverse (pytest's own are 0700): without a private root,
    the workers reach their files by host paths, as the function's uid."""
    path = tempfile.mkdtemp(prefix="qinling-landlock-")
    os.chmod(path, 0o711)
    yield pathlib.Path(path)
    shutil.rmtree(path)


def test_landlock_denies_everything_else_where_there_is_no_private_root(traversable_dir,
                                                                        host_facts,  # noqa: F811
                                                                        packages):
    facts = {**host_facts, "pivot_root": "pretend: no mount namespace here"}
    driver = LocalOrchestrator(str(traversable_dir / "state"), RUNTIMES_DIR, facts=facts)
    assert driver.probe()["enforced"]["fs"].startswith("Landlock")
    try:
        seen = attempt(driver, packages, traversable_dir)
    finally:
        driver.close()
    assert seen["own"] == {"text": "a secret"}
    assert set(map(str, seen["read"].values())) == {str({"errno": errno.EACCES})}
    assert set(map(str, seen["list"].values())) == {str({"errno": errno.EACCES})}


def test_a_closed_state_directory_is_warned_about_without_a_private_root(tmp_path,
                                                                        host_facts):  # noqa: F811
    facts = {**host_facts, "pivot_root": "pretend: no mount namespace here"}
    driver = LocalOrchestrator(str(tmp_path / "state"), RUNTIMES_DIR, facts=facts)
    closed = str(tmp_path)  # pytest makes it 0700
    assert [w.split(" ")[0] for w in driver.probe()["warnings"]] == [closed]
    driver.close()
    private = LocalOrchestrator(str(tmp_path / "state"), RUNTIMES_DIR, facts=host_facts)
    assert private.probe()["warnings"] == []
    private.close()
