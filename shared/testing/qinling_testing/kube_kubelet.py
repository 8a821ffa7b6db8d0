"""The fake cluster's kubelet: pod phases, IPs, container states and logs, driven by the test.

``auto=True`` (the default): a new pod whose images are all in ``images`` (a set the test
fills) or ``programs`` goes Running at once, with a unique ``podIP`` (``ip_prefix`` + N,
on loopback so that nothing ever sends traffic off the machine: a connection is refused
at once), ready containers and ``Ready=True``; a pod with another image stays Pending with
its container waiting in ``ErrImagePull``. ``auto=False``: new pods stay Pending
(``ContainerCreating``) until the test calls ``run``, ``fail_pull``, ``terminate``, ``crash``.

``programs[image] = program``: when a pod of that image runs, ``program(pod)`` returns a
``kube_programs.Exit`` (the container's logs, exit code and reason, and after how many
seconds; a timer ends it, cancelled if the pod is deleted) or None (it keeps running);
``kube_programs.args_program`` plays the tests' args image. ``graceful=True``: a deleted
pod stays, with a ``deletionTimestamp``, until ``reap()``. Every method takes the store's lock.
"""
import threading
import uuid

from qinling_testing.kube_kinds import KubeError, bad_request
from qinling_testing.kube_pod_status import condition, conditions, container_status, qos
from qinling_testing.kube_store import now

NODE = "qinling-fake-node"
HOST_IP = "127.0.0.1"
WAITING_MESSAGES = {"ContainerCreating": "ContainerCreating",
                    "ErrImagePull": "trying and failing to pull image",
                    "ImagePullBackOff": "trying and failing to pull image"}


class Kubelet:
    def __init__(self, store, ip_prefix="127.244.0."):
        self.store, self.ip_prefix = store, ip_prefix
        self.auto, self.images, self.programs, self.runtimes = True, set(), {}, {}
        self._seen, self._ips, self._timers, self._logs = set(), {}, {}, {}
        self._servers = {}  # pod uid -> what a runtime's ``start`` returned

    def serve_runtime(self, image, start):
        """Pods of ``image`` really serve: when one runs, ``start(pod_ip)`` starts a server
        on ``pod_ip`` (a loopback address ``127.0.0.N`` of the pod's own, e.g. at port 9090)
        and returns something with ``close()``, called when the pod ends or is deleted."""
        self.runtimes[image] = start

    @property
    def graceful(self):
        return self.store.graceful_pods

    @graceful.setter
    def graceful(self, value):
        self.store.graceful_pods = bool(value)

    # -- called by the cluster after every write
    def sync(self):
        with self.store.lock:
            pods = {p["metadata"]["uid"]: p for p in self.store.objects("Pod")}
            for uid in [u for u in self._timers if u not in pods
                        or "deletionTimestamp" in pods[u]["metadata"]]:
                timer = self._timers.pop(uid)
                if timer is not None:
                    timer.cancel()
            for uid in [u for u in self._servers if u not in pods
                        or "deletionTimestamp" in pods[u]["metadata"]]:
                self._servers.pop(uid).close()
            for uid in [u for u in self._seen if u not in pods]:
                self._seen.discard(uid)
                self._ips.pop(uid, None)
                self._logs = {k: v for k, v in self._logs.items() if k[0] != uid}
            for uid, pod in pods.items():
                if uid not in self._seen:
                    self._seen.add(uid)
                    self._schedule(pod)
                    if self.auto:
                        self._start(pod)

    def _schedule(self, pod):
        def mutate(obj):
            obj["spec"]["nodeName"] = NODE
            obj["status"].update(conditions=[condition("PodScheduled", True)],
                                 hostIP=HOST_IP, hostIPs=[{"ip": HOST_IP}], qosClass=qos(obj))
            obj["status"]["containerStatuses"] = [
                container_status(c, {"waiting": {"reason": "ContainerCreating"}}, False)
                for c in obj["spec"]["containers"]]
        self._update(pod["metadata"]["namespace"], pod["metadata"]["name"], mutate)

    def _start(self, pod):
        ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        missing = [c["image"] for c in pod["spec"]["containers"]
                   if not any(c["image"] in known
                              for known in (self.images, self.programs, self.runtimes))]
        if missing:
            self.fail_pull(ns, name)
        else:
            self.run(ns, name)

    def _update(self, namespace, name, mutate):
        pod = self.store.update("Pod", namespace, name, mutate)
        if pod is None:
            raise KubeError(404, "NotFound", f'pods "{name}" not found')
        return pod

    def _ip(self, uid, ip=None, prefix=None):
        if ip is not None:
            self._ips[uid] = ip
        if uid not in self._ips:
            used, prefix = set(self._ips.values()), prefix or self.ip_prefix
            self._ips[uid] = next(f"{prefix}{n}" for n in range(2, 255)
                                  if f"{prefix}{n}" not in used)
        return self._ips[uid]

    # -- the test's controls
    def run(self, namespace, name, ip=None):
        """The pod goes Running and Ready at ``ip`` (default: the next free one); then its
        image's program, if any, runs."""
        with self.store.lock:
            pod = self.store.read("Pod", namespace, name)
            uid = pod["metadata"]["uid"]
            runtime = next((self.runtimes[c["image"]] for c in pod["spec"]["containers"]
                            if c["image"] in self.runtimes), None)
            ip = self._ip(uid, ip, "127.0.0." if runtime else None)
            if runtime is not None and uid not in self._servers:
                self._servers[uid] = runtime(ip)

            def mutate(obj):
                started = now()
                obj["status"].update(phase="Running", podIP=ip, podIPs=[{"ip": ip}],
                                     startTime=obj["status"].get("startTime", started),
                                     conditions=conditions(obj, True))
                obj["status"]["containerStatuses"] = [
                    container_status(c, {"running": {"startedAt": started}}, True)
                    for c in obj["spec"]["containers"]]
            pod = self._update(namespace, name, mutate)
            program = next((self.programs[c["image"]] for c in pod["spec"]["containers"]
                            if c["image"] in self.programs), None)
            if program is not None:
                self._play(pod, program(pod))
            return pod

    def _play(self, pod, outcome):
        if outcome is None:
            return
        ns, name, uid = (pod["metadata"]["namespace"], pod["metadata"]["name"],
                         pod["metadata"]["uid"])
        if outcome.logs is not None:
            self.set_logs(ns, name, outcome.logs)

        def finish():
            with self.store.lock:
                current = self.store.get("Pod", ns, name)
                if current is None or current["metadata"]["uid"] != uid or \
                        uid not in self._timers:
                    return
                self._timers.pop(uid)
                self.terminate(ns, name, outcome.exit_code, outcome.reason,
                               pod_reason=outcome.pod_reason, pod_message=outcome.pod_message)
        if outcome.after <= 0:
            self._timers[uid] = None
            finish()
        else:
            timer = self._timers[uid] = threading.Timer(outcome.after, finish)
            timer.daemon = True
            timer.start()

    def fail_pull(self, namespace, name, message=None):
        """The pod's containers wait in ``ErrImagePull`` (phase Pending)."""
        with self.store.lock:
            pod = self.store.read("Pod", namespace, name)
            ip = self._ip(pod["metadata"]["uid"])

            def mutate(obj):
                obj["status"].update(phase="Pending", podIP=ip, podIPs=[{"ip": ip}],
                                     startTime=obj["status"].get("startTime", now()),
                                     conditions=conditions(obj, False))
                obj["status"]["containerStatuses"] = [container_status(c, {"waiting": {
                    "reason": "ErrImagePull",
                    "message": message or f"pull access denied for {c['image']}, repository "
                                          "does not exist or may require authorization"}},
                    False) for c in obj["spec"]["containers"]]
            return self._update(namespace, name, mutate)

    def terminate(self, namespace, name, exit_code=0, reason=None, logs=None, container=None,
                  pod_reason=None, pod_message=None):
        """The containers (or only ``container``) end with ``exit_code``; once all have
        ended the phase is Succeeded (all 0 and restartPolicy not Always) or Failed."""
        reason = reason or ("Completed" if exit_code == 0 else "Error")
        with self.store.lock:
            if logs is not None:
                self.set_logs(namespace, name, logs, container)

            def mutate(obj):
                statuses, finished = obj["status"].get("containerStatuses") or [], now()
                for status in statuses:
                    if container in (None, status["name"]):
                        started = status["state"].get("running", {}).get("startedAt", finished)
                        status.update(ready=False, started=False, state={"terminated": {
                            "exitCode": exit_code, "reason": reason, "startedAt": started,
                            "finishedAt": finished, "containerID": status.get(
                                "containerID") or f"containerd://{uuid.uuid4().hex}"}})
                        status.setdefault("containerID",
                                          status["state"]["terminated"]["containerID"])
                ended = [s["state"]["terminated"] for s in statuses if "terminated" in s["state"]]
                if len(ended) == len(statuses):
                    succeeded = all(e["exitCode"] == 0 for e in ended) and \
                        obj["spec"].get("restartPolicy") != "Always" and pod_reason is None
                    obj["status"]["phase"] = "Succeeded" if succeeded else "Failed"
                    obj["status"]["conditions"] = conditions(obj, False, "PodCompleted")
                if pod_reason:
                    obj["status"].update(reason=pod_reason, message=pod_message or pod_reason)
            pod = self._update(namespace, name, mutate)
            server = self._servers.pop(pod["metadata"]["uid"], None)
            if server is not None and pod["status"]["phase"] in ("Succeeded", "Failed"):
                server.close()
            elif server is not None:
                self._servers[pod["metadata"]["uid"]] = server
            return pod

    def crash(self, namespace, name):
        """The containers crash and wait in ``CrashLoopBackOff`` (Running, not Ready)."""
        with self.store.lock:
            def mutate(obj):
                for status in obj["status"].get("containerStatuses") or []:
                    status.update(ready=False, started=False,
                                  restartCount=status.get("restartCount", 0) + 1,
                                  lastState={"terminated": {
                                      "exitCode": 1, "reason": "Error", "finishedAt": now()}},
                                  state={"waiting": {"reason": "CrashLoopBackOff",
                                                     "message": "back-off 10s restarting "
                                                                "failed container"}})
                obj["status"]["phase"] = "Running"
                obj["status"]["conditions"] = conditions(obj, False)
            return self._update(namespace, name, mutate)

    def set_logs(self, namespace, name, text, container=None):
        """The logs of the pod's ``container`` (default: every container)."""
        with self.store.lock:
            pod = self.store.read("Pod", namespace, name)
            for c in pod["spec"]["containers"]:
                if container in (None, c["name"]):
                    self._logs[(pod["metadata"]["uid"], c["name"])] = text

    def logs(self, namespace, name, container=None):
        """What ``GET .../pods/{name}/log`` answers; ``KubeError`` as the API's."""
        with self.store.lock:
            pod = self.store.read("Pod", namespace, name)
            names = [c["name"] for c in pod["spec"]["containers"]]
            if container is None and len(names) > 1:
                raise bad_request(f"a container name must be specified for pod {name}, "
                                  f"choose one of: [{' '.join(names)}]")
            container = container or names[0]
            if container not in names:
                raise bad_request(f"container {container} is not valid for pod {name}")
            status = next((s for s in pod["status"].get("containerStatuses") or []
                           if s["name"] == container), None)
            waiting = (status or {"state": {"waiting": {"reason": "ContainerCreating"}}}) \
                ["state"].get("waiting")
            if waiting and not (status or {}).get("containerID"):
                why = WAITING_MESSAGES.get(waiting.get("reason"), waiting.get("reason"))
                raise bad_request(f'container "{container}" in pod "{name}" is waiting to '
                                  f"start: {why}")
            return self._logs.get((pod["metadata"]["uid"], container), "")

    def servers(self):
        """``{(namespace, name): server}`` of the pods whose runtime serves now."""
        with self.store.lock:
            pods = {p["metadata"]["uid"]: p["metadata"] for p in self.store.objects("Pod")}
            return {(pods[uid]["namespace"], pods[uid]["name"]): server
                    for uid, server in self._servers.items() if uid in pods}

    def pending(self):
        """``(namespace, name)`` of the pods whose program is still counting down."""
        with self.store.lock:
            pods = {p["metadata"]["uid"]: p["metadata"] for p in self.store.objects("Pod")}
            return sorted((pods[uid]["namespace"], pods[uid]["name"])
                          for uid, timer in self._timers.items() if uid in pods and timer)

    def reap(self):
        """Remove the pods deleted while ``graceful`` (those with a deletionTimestamp)."""
        with self.store.lock:
            for pod in self.store.objects("Pod"):
                if "deletionTimestamp" in pod["metadata"]:
                    self.store.remove("Pod", pod["metadata"]["namespace"],
                                      pod["metadata"]["name"])

    def close(self):
        with self.store.lock:
            for timer in self._timers.values():
                if timer is not None:
                    timer.cancel()
            self._timers.clear()
            for server in self._servers.values():
                server.close()
            self._servers.clear()
