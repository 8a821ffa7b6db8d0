"""Worker containers run the way a Kubernetes pod runs them, under ``docker run``.

:func:`docker_run_args` translates a pod's worker container (the spec the kubernetes driver
makes: image, resources, security context, emptyDir mounts) into ``docker run`` arguments, so
that the image built by ``make images`` runs with the limits the pod would set. A field it
cannot translate raises :class:`Untranslatable`: no limit is ever dropped silently. A pod has
no pids limit (the kubelet's ``podPidsLimit`` is unlimited unless configured), so none is set.

An emptyDir is what the kubelet makes of one: a directory of this host's disk (root, group
the pod's ``fsGroup``, mode 2777: :func:`make_empty_dirs`) bind-mounted into the container. (A
``--tmpfs`` would differ: runc gives it the mode of the image's directory it covers, and what
it holds counts against the container's memory limit.)

:class:`RuntimeContainer` starts such a container on a :class:`WorkerNetwork` and speaks the
worker contract to it like ``runtime_servers.RuntimeServerProcess`` does to a process.
"""
import decimal
import math
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid

from qinling_execution.orchestrators.kubernetes import manifests

from qinling_testing.docker_engine import docker_client
from qinling_testing.runtime_servers import WorkerClient

RUNTIME_UID = 10002  # the runtime images' user and group (runtimes/*/Dockerfile)
CPU = re.compile(r"(\d+)m|(\d+(?:\.\d+)?)")
MEMORY = re.compile(r"(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?")
MEMORY_UNITS = {None: 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
                "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
SHARED_SECURITY = {"runAsUser", "runAsGroup", "runAsNonRoot", "seccompProfile"}
CONTAINER_SECURITY = SHARED_SECURITY | {"allowPrivilegeEscalation", "readOnlyRootFilesystem",
                                        "capabilities"}


class Untranslatable(ValueError):
    """A field of the spec that ``docker run`` cannot be told (or this module does not know)."""


def worker_pod(image, cpu=250, memory_size=64 * 2**20):
    """``(container, pod)``: the worker container and the pod fields around it, exactly as
    the kubernetes driver makes them (``manifests.worker_pod_spec``)."""
    pod = manifests.worker_pod_spec(image, cpu, memory_size)
    [container] = pod.pop("containers")
    return container, pod


def docker_run_args(container, pod=None, empty_dirs=None):
    """The arguments of ``docker run`` after its own options: flags, the image, then the
    container's ``args``. ``pod``: the pod's ``securityContext`` and ``volumes``, which the
    container's ``volumeMounts`` and security context need; ``empty_dirs``: ``{volume name:
    host directory}`` of its emptyDirs (:func:`make_empty_dirs`). ``name`` only names the
    container in its pod and sets nothing. :class:`Untranslatable` on any field not
    translated."""
    _known(container, {"name", "image", "args", "ports", "resources", "securityContext",
                       "volumeMounts", "readinessProbe"}, "container")
    pod = pod or {}
    _known(pod, {"securityContext", "volumes", "automountServiceAccountToken",
                 "enableServiceLinks", "restartPolicy", "terminationGracePeriodSeconds"}, "pod")
    _no_token_nor_links(pod)
    pod_security = pod.get("securityContext", {})
    _known(pod_security, SHARED_SECURITY | {"fsGroup"}, "pod.securityContext")
    args = [*_ports(container.get("ports", [])), *_resources(container.get("resources", {})),
            *_security(pod_security, container.get("securityContext", {})),
            *_volumes(container.get("volumeMounts", []), pod.get("volumes", []),
                      empty_dirs or {})]
    args += _lifecycle(pod)
    return [*args, container["image"], *container.get("args", [])]


def _no_token_nor_links(pod):
    """A worker pod mounts no service-account token and gets no service links: nothing to
    give ``docker run``; anything else would need translating."""
    for field, value in (("automountServiceAccountToken", False), ("enableServiceLinks", False)):
        if pod.get(field, value) is not value:
            raise Untranslatable(f"pod.{field}: only {value} is translated (nothing to add)")


def _lifecycle(pod):
    """The grace a stop gives. Not translated on purpose: ``restartPolicy`` (a worker that
    exits is a failure the suite must see, not restart) and the readiness probe (what
    :class:`RuntimeContainer` awaits: ``/ping``)."""
    args = []
    if "terminationGracePeriodSeconds" in pod:
        args += ["--stop-timeout", str(pod["terminationGracePeriodSeconds"])]
    return args


def _known(spec, fields, where):
    unknown = sorted(set(spec) - fields)
    if unknown:
        raise Untranslatable(f"{where}: no docker run translation for {', '.join(unknown)}")


def _ports(ports):
    args = []
    for index, port in enumerate(ports):
        _known(port, {"containerPort", "protocol", "name"}, f"ports[{index}]")
        if port.get("protocol", "TCP") != "TCP":
            raise Untranslatable(f"ports[{index}]: only TCP is translated")
        args += ["--expose", str(port["containerPort"])]
    return args


def _resources(resources):
    """Limits as the kubelet sets them: CFS quota (``--cpus``), memory without swap, and CPU
    shares from the cpu request (the limit when no request is given). A memory request sets
    no cgroup limit (it schedules): nothing to translate."""
    _known(resources, {"requests", "limits"}, "resources")
    limits, requests = resources.get("limits", {}), resources.get("requests", {})
    _known(limits, {"cpu", "memory"}, "resources.limits")
    _known(requests, {"cpu", "memory"}, "resources.requests")
    args = []
    if "cpu" in limits:
        args += ["--cpus", f"{millicpu(limits['cpu']) / 1000:g}"]
    cpu_request = requests.get("cpu", limits.get("cpu"))
    if cpu_request is not None:
        args += ["--cpu-shares", str(max(2, millicpu(cpu_request) * 1024 // 1000))]
    if "memory" in limits:
        limit = str(memory_bytes(limits["memory"]))
        args += ["--memory", limit, "--memory-swap", limit]
    return args


def millicpu(quantity):
    """A Kubernetes cpu quantity (``"250m"``, ``"0.5"``, ``2``) in millicpu, rounded up."""
    match = CPU.fullmatch(str(quantity))
    if not match:
        raise Untranslatable(f"cpu quantity {quantity!r} is not translated")
    if match[1]:
        return int(match[1])
    return math.ceil(decimal.Decimal(match[2]) * 1000)


def memory_bytes(quantity):
    """A Kubernetes memory quantity (``"67108864"``, ``"64Mi"``, ``"1G"``) in bytes."""
    match = MEMORY.fullmatch(str(quantity))
    if not match:
        raise Untranslatable(f"memory quantity {quantity!r} is not translated")
    return int(match[1]) * MEMORY_UNITS[match[2]]


def _security(pod_security, container_security):
    """The container's security context over the pod's (the kubelet's precedence)."""
    _known(container_security, CONTAINER_SECURITY, "securityContext")
    merged = {**{key: value for key, value in pod_security.items() if key != "fsGroup"},
              **container_security}
    user, group = merged.get("runAsUser"), merged.get("runAsGroup")
    args = []
    if user is not None:
        args += ["--user", str(user) if group is None else f"{user}:{group}"]
    elif group is not None:
        raise Untranslatable("runAsGroup without runAsUser: docker sets a group with a user")
    if merged.get("runAsNonRoot") and not user:
        raise Untranslatable("runAsNonRoot needs a runAsUser other than 0 here (the kubelet "
                             "would check the image's user)")
    if "fsGroup" in pod_security:
        args += ["--group-add", str(pod_security["fsGroup"])]
    if merged.get("allowPrivilegeEscalation") is False:
        args += ["--security-opt", "no-new-privileges"]
    if merged.get("readOnlyRootFilesystem"):
        args.append("--read-only")
    capabilities = merged.get("capabilities", {})
    _known(capabilities, {"drop", "add"}, "securityContext.capabilities")
    args += [arg for name in capabilities.get("drop", []) for arg in ("--cap-drop", name)]
    args += [arg for name in capabilities.get("add", []) for arg in ("--cap-add", name)]
    seccomp = merged.get("seccompProfile", {"type": "RuntimeDefault"})
    _known(seccomp, {"type"}, "seccompProfile")
    if seccomp["type"] == "Unconfined":
        args += ["--security-opt", "seccomp=unconfined"]
    elif seccomp["type"] != "RuntimeDefault":  # RuntimeDefault: Docker's default profile
        raise Untranslatable(f"seccompProfile {seccomp['type']} is not translated")
    return args


def _volumes(mounts, volumes, empty_dirs):
    """Each mounted emptyDir as a bind mount of its host directory."""
    names = _empty_dir_names(volumes)
    args = []
    for mount in mounts:
        _known(mount, {"name", "mountPath", "readOnly"}, f"volumeMount {mount.get('name')}")
        if mount["name"] not in names:
            raise Untranslatable(f"volumeMount {mount['name']}: not an emptyDir of the pod")
        if mount["name"] not in empty_dirs:
            raise Untranslatable(f"volumeMount {mount['name']}: no host directory given")
        spec = f"type=bind,source={empty_dirs[mount['name']]},target={mount['mountPath']}"
        args += ["--mount", spec + (",readonly" if mount.get("readOnly") else "")]
    return args


def _empty_dir_names(volumes):
    for volume in volumes:
        _known(volume, {"name", "emptyDir"}, f"volume {volume.get('name')}")
        _known(volume["emptyDir"], {"medium"}, f"volume {volume['name']}.emptyDir")
        if volume["emptyDir"].get("medium", "") != "":
            raise Untranslatable(f"volume {volume['name']}: only the node's disk is translated")
    return {volume["name"] for volume in volumes}


def make_empty_dirs(pod, root):
    """``{volume name: directory}``: a directory under ``root`` for each emptyDir of ``pod``,
    as the kubelet makes it: owner root, group the pod's ``fsGroup`` (root without), mode
    2777 (0777 without an fsGroup). Giving a directory to a group takes root."""
    fs_group = pod.get("securityContext", {}).get("fsGroup")
    made = {}
    for name in sorted(_empty_dir_names(pod.get("volumes", []))):
        made[name] = os.path.join(root, name)
        os.mkdir(made[name])
        os.chown(made[name], 0, fs_group or 0)
        os.chmod(made[name], 0o777 if fs_group is None else 0o2777)
    return made


def _docker(*args, check=True, timeout=120):
    done = subprocess.run([docker_client(), *args], capture_output=True, text=True,
                          timeout=timeout)
    if check and done.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)} failed: {done.stderr.strip()}")
    return done


class WorkerNetwork:
    """A Docker bridge network of the tests' own: workers run on it like pods on theirs, and
    reach this host's servers (e.g. a ``PackageServer``) at :attr:`gateway`."""

    def __init__(self):
        self.name = f"qinling-test-workers-{uuid.uuid4().hex[:8]}"
        _docker("network", "create", self.name)
        self.gateway = _docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}",
                               self.name).stdout.strip()

    def close(self):
        _docker("network", "rm", self.name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class RuntimeContainer(WorkerClient):
    """A runtime server in a container, reached at its address on its network and its
    container port: ``RuntimeServerProcess``'s shape (``url``, ``execute``, ``close()``...)."""

    def __init__(self, name, host, port, volumes_root):
        super().__init__(host, port)
        self.name, self.volumes_root = name, volumes_root

    @classmethod
    def start(cls, container, pod=None, network=None, timeout=60.0):
        """``docker run`` ``container`` (a pod's container spec, :func:`docker_run_args`) on
        ``network`` (a network name; Docker's default bridge without), then wait until it
        answers ``GET /ping`` (``AssertionError`` with its logs when it never does). Its
        emptyDirs are directories of this host until :meth:`close`."""
        name = f"qinling-test-worker-{uuid.uuid4().hex[:12]}"
        port = container["ports"][0]["containerPort"]
        where = ["--network", network] if network else []
        worker = cls(name, None, port, tempfile.mkdtemp(prefix=f"{name}-"))
        try:
            run_args = docker_run_args(container, pod,
                                       make_empty_dirs(pod or {}, worker.volumes_root))
        except BaseException:
            worker.close()
            raise
        started = _docker("run", "--detach", "--name", name, *where, *run_args, check=False)
        if started.returncode != 0:
            worker.close()
            raise RuntimeError(f"docker run failed: {started.stderr.strip()}")
        worker.host = _docker("inspect", "-f",
                              "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                              name).stdout.strip()
        worker.wait_ready(timeout)
        return worker

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                self._fail("exited")
            if self.host and self.answers_ping():
                return
            time.sleep(0.1)
        self._fail(f"did not answer GET /ping in {timeout:g} s")

    def _fail(self, what):
        logs = self.logs()
        self.close()
        raise AssertionError(f"worker container {self.name} {what}; its logs:\n{logs}")

    def running(self):
        return _docker("inspect", "-f", "{{.State.Running}}", self.name,
                       check=False).stdout.strip() == "true"

    def logs(self):
        """The container's output so far (stdout and stderr)."""
        done = _docker("logs", self.name, check=False)
        return done.stdout + done.stderr

    def gone(self, pid, timeout=3.0):
        """True once ``pid`` (of the container's pid namespace: what the worker reports) is
        gone there: not even a zombie, as the image's init (tini) reaps what is left."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stat = _docker("exec", self.name, "cat", f"/proc/{pid}/stat", check=False)
            if stat.returncode != 0:
                if "No such file" in stat.stderr:
                    return True
                raise RuntimeError(f"docker exec in {self.name} failed: {stat.stderr}")
            time.sleep(0.05)
        return False

    def close(self):
        _docker("rm", "--force", "--volumes", self.name, check=False)
        shutil.rmtree(self.volumes_root, ignore_errors=True)
