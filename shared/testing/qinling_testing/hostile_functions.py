"""Hostile functions for the tests of issue #9 (D10, D11), the same behaviours in Python 3 and
Node.js, chosen by ``main``'s input ``action``: ``bomb`` (a fork bomb that burns the CPU until
its timeout), ``daemons`` (three double-forked processes in new sessions that ignore SIGTERM;
returns 3 once they all run), ``kill_worker`` (SIGKILLs its runtime server) and ``hello``.

``SOURCES[runtime]`` is ``(path in the package, source)``; the entry is ``main.main``."""

PYTHON = '''\
import os
import signal
import time


def main(action="hello", **kwargs):
    if action == "bomb":
        while True:
            try:
                if os.fork() == 0:
                    os.setsid()
            except OSError:
                pass
    if action == "daemons":  # each reports its pid once it ignores SIGTERM
        read, write = os.pipe()
        for _ in range(3):
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    signal.signal(signal.SIGTERM, signal.SIG_IGN)
                    os.write(write, b"+")
                    time.sleep(300)
                os._exit(0)
        reported = b""
        while len(reported) < 3:
            reported += os.read(read, 3)
        return len(reported)
    if action == "kill_worker":
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(10)
    return "hello"
'''
NODEJS = '''\
const cp = require('child_process');
exports.main = (context, input) => {
  const action = (input && input.action) || 'hello';
  if (action === 'bomb') {
    cp.spawn('/bin/sh', ['-c', 'b() { b & b & wait; }; b'], { detached: true, stdio: 'ignore' });
    for (;;) { /* burn until the timeout */ }
  }
  if (action === 'daemons') {
    cp.execFileSync('/bin/sh', ['-c', `for i in 1 2 3; do setsid /bin/sh -c 'trap "" TERM; \\
exec sleep 300' </dev/null >/dev/null 2>&1 & done`]);
    const fs = require('fs');
    const sleeping = () => fs.readdirSync('/proc').filter((pid) => {
      try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep'); }
      catch (e) { return false; }
    }).length;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < 200 && sleeping() < 3; i += 1) Atomics.wait(pause, 0, 0, 10);
    return sleeping();
  }
  if (action === 'kill_worker') process.kill(process.ppid, 'SIGKILL');
  return 'hello';
};
'''
SOURCES = {"python3": ("main.py", PYTHON), "nodejs": ("main.js", NODEJS)}
