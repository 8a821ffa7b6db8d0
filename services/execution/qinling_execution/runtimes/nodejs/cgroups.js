'use strict';
// A cgroup per execution, under the worker's group that the sandbox delegated to this uid
// (the same layout as qinling_sandbox/cgroups.py: v1 one directory per controller, v2 one).

const fs = require('fs');
const path = require('path');

const CFS_PERIOD_US = 100000;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

function knobs(version, { memory, cpu, pids }) {
  const items = [];
  if (memory) {
    items.push(version === 1
      ? ['memory', 'memory.limit_in_bytes', memory]
      : ['memory', 'memory.max', memory]);
    items.push(version === 1
      ? ['memory', 'memory.memsw.limit_in_bytes', memory, true]
      : ['memory', 'memory.swap.max', 0, true]);
  }
  if (cpu) {
    const quota = Math.max(1000, Math.floor((cpu * CFS_PERIOD_US) / 1000));
    if (version === 1) {
      items.push(['cpu', 'cpu.cfs_period_us', CFS_PERIOD_US], ['cpu', 'cpu.cfs_quota_us', quota]);
    } else {
      items.push(['cpu', 'cpu.max', `${quota} ${CFS_PERIOD_US}`]);
    }
  }
  if (pids) items.push(['pids', 'pids.max', pids]);
  return items;
}

class Group {
  constructor(version, dirs) {
    this.version = version;
    this.dirs = dirs;
  }

  paths() {
    return [...new Set(Object.values(this.dirs))];
  }

  join(pid) {
    for (const dir of this.paths()) {
      try {
        fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
      } catch (error) {
        warn(`cannot join the execution's cgroup: ${error.message}`);
      }
    }
  }

  remove() {
    for (const dir of this.paths()) {
      for (let attempt = 0; attempt < 200; attempt += 1) {
        killAll(dir);
        try {
          fs.rmdirSync(dir);
          break;
        } catch (error) {
          if (error.code !== 'EBUSY') break;
        }
        Atomics.wait(PAUSE, 0, 0, 5); // killed processes leave the group within a few ms
      }
    }
  }
}

function killAll(dir) {
  let pids = [];
  try {
    pids = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
  } catch (error) {
    return;
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch (error) {
      // gone already
    }
  }
}

function forExecution(spec, name, limits, strict) {
  const dirs = {};
  for (const [controller, dir] of Object.entries(spec.dirs)) {
    dirs[controller] = path.join(dir, name);
  }
  const group = new Group(spec.version, dirs);
  try {
    for (const dir of group.paths()) fs.mkdirSync(dir, { recursive: true });
    for (const [controller, file, value, optional] of knobs(spec.version, limits)) {
      try {
        fs.writeFileSync(path.join(dirs[controller], file), String(value));
      } catch (error) {
        if (!optional) throw error;
      }
    }
  } catch (error) {
    group.remove();
    if (strict) throw error;
    warn(`cannot limit the execution's cgroup: ${error.message}; running without it`);
    return null;
  }
  return group;
}

function warn(message) {
  process.stderr.write(`qinling-sandbox: ${message}\n`);
}

module.exports = { forExecution, knobs };
