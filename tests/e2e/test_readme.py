"""The README's curl walk-through, run exactly as printed against a live platform."""
import re
import subprocess
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def curl_block():
    text = README.read_text()
    section = text[text.index("## Try it with curl"):]
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
