"""Peak resident memory growth of processes during one step (Linux /proc).

Before the step each process's high-water mark is reset to its current RSS (writing 5 to
/proc/<pid>/clear_refs); after it, VmHWM minus that baseline is the growth. RSS is also
sampled every few milliseconds, which still works where the reset is not allowed.
"""
import threading

SAMPLE_SECONDS = 0.005


def status_kib(pid, field):
    """``VmRSS``, ``VmHWM``... of /proc/<pid>/status, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def reset_peak(pid):
    """Reset VmHWM to the current RSS; False if the kernel or permissions refuse."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class PeakWatch:
    """``with PeakWatch({"api": pid, ...}) as watch: step()`` then ``watch.growth_kib``."""

    def __init__(self, pids):
        self.pids = dict(pids)
        self.growth_kib = {}
        self._baseline, self._sampled, self._reset = {}, {}, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.wait(SAMPLE_SECONDS):
            for name, pid in self.pids.items():
                self._sampled[name] = max(self._sampled[name], status_kib(pid, "VmRSS"))

    def __enter__(self):
        for name, pid in self.pids.items():
            self._baseline[name] = self._sampled[name] = status_kib(pid, "VmRSS")
            self._reset[name] = reset_peak(pid)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        for name, pid in self.pids.items():
            peak = self._sampled[name]
            if self._reset[name]:
                peak = max(peak, status_kib(pid, "VmHWM"))
            self.growth_kib[name] = peak - self._baseline[name]

    @property
    def method(self):
        return "VmHWM reset + RSS samples" if all(self._reset.values()) else "RSS samples"
