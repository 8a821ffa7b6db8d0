"""The README's curl walk-through, and its triggers block after it, run exactly as printed
against a live platform."""
import re
import subprocess
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def curl_block(heading="## Try it with curl"):
    text = README.read_text()
    section = text[text.index(heading):]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)


def test_readme_curl_walkthrough_works(platform, tmp_path):
    script = curl_block()
    assert script.startswith("API=http://127.0.0.1:7070\n")
    script = script.replace("API=http://127.0.0.1:7070", f"API={platform.url}", 1)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"output": "Hello, Qinling"' in done.stdout
    assert "Hello from the log" in done.stdout


def test_readme_triggers_block_works(platform, tmp_path):
    script = curl_block().replace("API=http://127.0.0.1:7070", f"API={platform.url}", 1)
    script += curl_block("## Run functions on a schedule")
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"pattern": "0 2 * * *"' in done.stdout and '"count": 5' in done.stdout
    assert '"execution_id"' in done.stdout                 # the signed invoke ran
    assert '"event_type": "compute.instance.create.end"' in done.stdout
