'use strict';
// The outcomes of this worker's recent executions, by execution id: a run is idempotent by
// its execution id at the worker (same rules as ../python3/pyruntime/outcomes.py).
//
// POST /execute of an execution this worker ran or is running runs nothing: it answers the
// kept result (or waits for the run in progress and answers its result). POST /outcome tells
// the execution service what became of an execution it sent here before it stopped:
// 'finished' with the result, 'running', or not known here (404). Kept results are bounded:
// the last LIMIT of them and at most BYTE_LIMIT bytes of outputs and logs, the oldest going
// first. A run that ended without a result is forgotten, so it may be sent again.

const { BadRequest } = require('./contract');

const LIMIT = 1024;
const BYTE_LIMIT = 16 * 1024 * 1024;
const MAX_WAIT = 300;
const FINISHED = 'finished';
const RUNNING = 'running';

class Outcomes {
  constructor(limit = LIMIT, byteLimit = BYTE_LIMIT) {
    this.limit = limit;
    this.byteLimit = byteLimit;
    this.running = new Map(); // execution id -> promise of its result (null: none)
    this.done = new Map(); // execution id -> { result, size }, oldest first
    this.bytes = 0;
  }

  // The result of running executionId once: run() is called only when this worker has not
  // run it and is not running it; otherwise the kept result, or that of the run in progress.
  async once(executionId, run) {
    for (;;) {
      if (this.done.has(executionId)) return this.done.get(executionId).result;
      const pending = this.running.get(executionId);
      if (pending === undefined) break;
      await pending.catch(() => null);
    }
    let result = null;
    const pending = (async () => {
      try {
        result = await run();
        return result;
      } finally {
        this.running.delete(executionId);
        if (result !== null && result !== undefined) this.keep(executionId, result);
      }
    })();
    this.running.set(executionId, pending);
    return pending;
  }

  // [state, result] after waiting up to wait seconds for a run in progress to end.
  async state(executionId, wait = 0) {
    const pending = this.running.get(executionId);
    if (pending !== undefined && wait > 0) {
      let timer;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(resolve, Math.min(wait, MAX_WAIT) * 1000);
      });
      await Promise.race([pending.catch(() => null), timeout]);
      clearTimeout(timer);
    }
    if (this.done.has(executionId)) return [FINISHED, this.done.get(executionId).result];
    if (this.running.has(executionId)) return [RUNNING, null];
    return [null, null];
  }

  keep(executionId, result) {
    const output = JSON.stringify(result.output === undefined ? null : result.output) || '';
    const size = output.length + (result.logs || '').length;
    this.done.set(executionId, { result, size });
    this.bytes += size;
    while (this.done.size > this.limit || (this.bytes > this.byteLimit && this.done.size > 1)) {
      const [oldest, entry] = this.done.entries().next().value;
      this.done.delete(oldest);
      this.bytes -= entry.size;
    }
  }
}

function parseOutcome(body) {
  if (body === null || typeof body !== 'object' || typeof body.execution_id !== 'string') {
    throw new BadRequest("'execution_id' is required and must be a string.");
  }
  const wait = body.wait === undefined ? 0 : body.wait;
  if (typeof wait !== 'number' || !(wait >= 0)) {
    throw new BadRequest("'wait' must be a number of seconds, at least 0.");
  }
  return [body.execution_id, wait];
}

// [status, document] of POST /outcome.
function answer(executionId, state, result) {
  if (state === FINISHED) return [200, { execution_id: executionId, state, result }];
  if (state === RUNNING) return [200, { execution_id: executionId, state }];
  return [404, { error: `Execution ${executionId} is not known here.` }];
}

module.exports = { FINISHED, Outcomes, RUNNING, answer, parseOutcome };
