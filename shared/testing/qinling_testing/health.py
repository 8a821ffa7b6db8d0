"""Poll the gateway's ``/healthz`` until it answers 200, saying what is still down.

Command line (``scripts/wait-healthy``): ``python -m qinling_testing.health URL TIMEOUT``.
"""
import json
import sys
import time
import urllib.error
import urllib.request

OK_WORDS = {"ok", "up", "healthy", "pass", "true", "running"}
GROUP_KEYS = ("checks", "components", "services", "dependencies")


def healthz_url(url):
    url = url.rstrip("/")
    return url if url.endswith("/healthz") else url + "/healthz"


def probe(url, timeout=2.0):
    """``(status, body)``: body is the decoded JSON when it is JSON; status None if no answer."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (OSError, ValueError) as error:
        return None, str(getattr(error, "reason", error))
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def _is_ok(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower() in OK_WORDS
    if isinstance(value, dict):
        return any(_is_ok(value[key]) for key in ("status", "ok", "healthy") if key in value)
    return False


def down_components(body):
    """Names of the parts a /healthz body reports as not ok (its exact shape is the gateway's)."""
    if not isinstance(body, dict):
        return []
    groups = [body[key] for key in GROUP_KEYS if isinstance(body.get(key), dict)]
    parts = {}
    for group in groups or [{k: v for k, v in body.items() if k != "status"}]:
        parts.update(group)
    return sorted(name for name, value in parts.items() if not _is_ok(value))


def describe(status, body):
    if status is None:
        return f"gateway not answering ({body})"
    down = down_components(body)
    return f"HTTP {status}, down: {', '.join(down)}" if down else f"HTTP {status}"


def wait(url, timeout, interval=0.25, report=lambda line: None, check=lambda: None):
    """Return the 200 body, or raise TimeoutError with what was still down.

    ``report(line)`` is called when the state changes; ``check()`` before every probe (it may
    raise to give up early, e.g. when a process died).
    """
    url, deadline, last = healthz_url(url), time.monotonic() + timeout, None
    while True:
        check()
        status, body = probe(url)
        if status == 200:
            return body
        state = describe(status, body)
        if state != last:
            report(state)
            last = state
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{url} not healthy after {timeout:g}s: {state}")
        time.sleep(interval)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: wait-healthy URL TIMEOUT_SECONDS", file=sys.stderr)
        return 2
    url, timeout = argv[0], float(argv[1])
    started = time.monotonic()
    print(f"==> waiting for {healthz_url(url)} (up to {timeout:g}s)", flush=True)
    try:
        wait(url, timeout, report=lambda line: print(f"    {line}", flush=True))
    except TimeoutError as error:
        print(f"==> {error}", file=sys.stderr)
        return 1
    print(f"==> healthy after {time.monotonic() - started:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
