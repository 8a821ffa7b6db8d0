'use strict';
// One execution: a child process (executor.js) runs the function; the worker enforces the
// timeout, turns the child's fate into Qinling's result and collects its logs. A crash, a
// limit kill or a timeout kill never takes the worker down.
//
// Limits: rlimits through prlimit(1) when it exists (open files, processes, file size, CPU
// time), V8's heap cap, and, under the local driver's sandbox, a cgroup per execution that the
// sandbox makes with memory_size (plus a margin for V8's own growth) and the cpu quota. The
// child says it is ready once Node has started; only then does it join that cgroup and get
// the request, so Node's start-up is not throttled by the function's CPU quota. The child is
// in its own process group; once the outcome is known, the sandbox kills every process of the
// execution's cgroup (whatever it left behind).

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { join } = require('./sandbox');
const { CANCELLED_MESSAGE, RESOURCE_MESSAGE, TIMEOUT_MESSAGE } = require('./contract');

const PRLIMIT = '/usr/bin/prlimit';
const EXECUTOR = path.join(__dirname, 'executor.js');
const OPEN_FILES = 1024;
const PROCESSES = 128;
const FILE_SIZE = 500 * 1024 * 1024;
const NODE_MARGIN = 32 * 1024 * 1024;
const EXIT_GRACE_MS = 500;
let counter = 0;
const running = new Map(); // execution id -> Set of functions that cancel one run of it

function cancel(executionId) {
  // POST /cancel: kill the run(s) of an execution; false when none runs here.
  const runs = running.get(executionId);
  if (!runs) return false;
  for (const stop of runs) stop();
  return true;
}

function track(executionId, stop) {
  if (!running.has(executionId)) running.set(executionId, new Set());
  running.get(executionId).add(stop);
  return () => {
    const runs = running.get(executionId);
    runs.delete(stop);
    if (runs.size === 0) running.delete(executionId);
  };
}

function command(request) {
  const megabytes = Math.max(16, Math.ceil((request.memorySize || 0) / 1048576));
  const heap = request.memorySize ? [`--max-old-space-size=${megabytes}`] : [];
  const node = [process.execPath, ...heap, EXECUTOR];
  if (!fs.existsSync(PRLIMIT)) return node;
  const cpu = Math.ceil(request.timeout) + 1;
  return [PRLIMIT, `--nofile=${OPEN_FILES}`, `--nproc=${PROCESSES}`, `--fsize=${FILE_SIZE}`,
    '--core=0', `--cpu=${cpu}:${cpu + 1}`, '--', ...node];
}

async function run(request, packageDir, options) {
  const started = process.hrtime.bigint();
  counter += 1;
  const logPath = path.join(os.tmpdir(), `execution-${process.pid}-${counter}.log`);
  const group = options.sandbox ? await options.sandbox.executionGroup(
    request.memorySize ? request.memorySize + NODE_MARGIN : null, request.cpu) : null;
  const logFd = fs.openSync(logPath, 'w+', 0o600);
  const [program, ...args] = command(request);
  const child = spawn(program, args, {
    stdio: ['ignore', logFd, logFd, 'ipc'], detached: true, env: { ...process.env },
  });
  fs.closeSync(logFd);
  return new Promise((resolve) => {
    let outcome = null;
    const finish = (result) => {
      if (outcome) return;
      outcome = result;
      clearTimeout(timer);
      killGroup(child.pid);
      // The sandbox ends every process of the execution at once (its cgroup), the child
      // included: a killed child may otherwise wait long for its share of a throttled CPU.
      if (group) options.sandbox.release(group);
    };
    const timer = setTimeout(() => finish({ output: TIMEOUT_MESSAGE, success: false }),
      request.timeout * 1000);
    const untrack = track(request.executionId,
      () => finish({ output: CANCELLED_MESSAGE, success: false }));
    child.on('message', (message) => {
      if (message.ready) {
        if (outcome) return; // ended meanwhile: its group is released already
        if (group) join(group, child.pid);
        child.send({ executionId: request.executionId, entry: request.entry,
          input: request.input, packageDir });
      } else {
        finish({ output: message.output, success: message.success === true });
      }
    });
    child.on('error', (error) => finish({
      output: `Cannot start the execution: ${error.message}`, success: false }));
    let done = false;
    const settle = () => {
      if (done) return;
      done = true;
      untrack();
      finish({ output: RESOURCE_MESSAGE, success: false });
      const duration = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ ...outcome, duration: Math.round(duration * 1000) / 1000,
        logs: readLogs(logPath, options.logLimit) });
    };
    // A result sent just before exiting may be read after 'exit': settle once the channel is
    // closed too (or shortly after 'exit', should something the function left hold it open).
    child.on('disconnect', () => {
      if (child.exitCode !== null || child.signalCode !== null) settle();
    });
    child.on('exit', () => {
      killGroup(child.pid);
      if (!child.connected) settle();
      else setTimeout(settle, EXIT_GRACE_MS);
    });
  });
}

function killGroup(pid) {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    // already gone
  }
}

function readLogs(logPath, limit) {
  let data;
  try {
    data = fs.readFileSync(logPath);
    fs.unlinkSync(logPath);
  } catch (error) {
    return '';
  }
  if (data.length <= limit) return data.toString('utf8');
  const half = Math.floor(limit / 2);
  const omitted = data.length - 2 * half;
  const marker = `\n... [logs truncated: ${data.length} bytes, ${omitted} omitted] ...\n`;
  return data.subarray(0, half).toString('utf8') + marker
    + data.subarray(data.length - half).toString('utf8');
}

module.exports = { cancel, run };
