"""The README's curl walk-through, run exactly as printed against the gateway of the Compose
deployment, then an asynchronous run of its function and its log."""
import json
import re
import subprocess

from qinling_testing.compose import REPO


def readme_walkthrough():
    text = (REPO / "README.md").read_text()
    section = text[text.index("## Try it with curl"):]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)


def test_the_readme_walkthrough_works_against_the_containers(deployment, api, tmp_path):
    script = readme_walkthrough().replace("API=http://127.0.0.1:7070",
                                          f"API={deployment.api_url}", 1)
    script += 'echo "FUNCTION=$FUNCTION"\n'
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"output": "Hello, Qinling"' in done.stdout
    assert "Hello from the log" in done.stdout

    function_id = re.search(r"^FUNCTION=(\S+)$", done.stdout, re.M).group(1)
    accepted = api.execute(function_id, {"name": "Compose"}, sync=False)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["status"] == "running"
    path = f"/v1/executions/{accepted.json()['id']}"
    execution = api.wait_for_status(path, {"success", "failed", "error"})
    assert execution["status"] == "success", execution
    assert '"output": "Hello, Compose"' in execution["result"]
    assert "Hello from the log" in api.get(path + "/log").text


def test_compose_yaml_is_valid_compose_specification(deployment):
    done = deployment.compose("config", "--format", "json")
    config = json.loads(done.stdout)
    assert "version" not in config
    assert set(config["services"]) == {"rabbitmq", "postgresql", "etcd", "api", "function",
                                       "execution", "trigger", "storage"}
