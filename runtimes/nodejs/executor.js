'use strict';
// The execution child: receives one request from the worker, runs the function, sends back
// {output, success} and exits. Qinling's Node.js contract: the entry 'module.handler' names a
// file of the package and one of its exports, called as handler(context, input) (it may
// return a promise). A JSON object input is passed as is; '__function_input' (a raw, non-JSON
// input) is passed as the input itself.

const fs = require('fs');
const path = require('path');

const POSITIONAL_KEY = '__function_input';
const MAX_RESULT_BYTES = 16 * 1024 * 1024;

function closeInheritedFds() {
  // Only stdio and the channel to the worker stay open: the worker's listening socket or its
  // fetch socket must not reach user code.
  const keep = new Set([0, 1, 2, process.channel ? process.channel.fd : -1]);
  let fds = [];
  try {
    fds = fs.readdirSync('/proc/self/fd').map(Number);
  } catch (error) {
    return;
  }
  for (const fd of fds) {
    if (keep.has(fd)) continue;
    try {
      if (fs.fstatSync(fd).isSocket()) fs.closeSync(fd);
    } catch (error) {
      // not ours to close (libuv's own descriptors are not sockets) or already closed
    }
  }
}

function loadHandler(packageDir, entry) {
  const dot = entry.lastIndexOf('.');
  if (dot <= 0 || dot === entry.length - 1) {
    throw new Error(`Invalid entry '${entry}': expected 'module.function'.`);
  }
  const modulePath = path.join(packageDir, ...entry.slice(0, dot).split('.'));
  const handler = require(modulePath)[entry.slice(dot + 1)];
  if (typeof handler !== 'function') {
    throw new Error(`Module '${entry.slice(0, dot)}' has no function '${entry.slice(dot + 1)}'.`);
  }
  return handler;
}

function argument(input) {
  if (input !== null && typeof input === 'object' && !Array.isArray(input)
      && Object.prototype.hasOwnProperty.call(input, POSITIONAL_KEY)) {
    return input[POSITIONAL_KEY];
  }
  return input === null ? {} : input;
}

function encode(result) {
  let text;
  try {
    text = JSON.stringify(result.output === undefined ? null : result.output);
  } catch (error) {
    const output = `Function result is not JSON-serialisable: ${error.message}`;
    return { output, success: false };
  }
  if (text !== undefined && text.length > MAX_RESULT_BYTES) {
    const output = `Function result is too large: ${text.length} bytes encoded, `
      + `the limit is ${MAX_RESULT_BYTES}.`;
    return { output, success: false };
  }
  return { output: text === undefined ? null : JSON.parse(text), success: result.success };
}

async function execute(request) {
  console.log(`Start execution: ${request.executionId}`);
  let result;
  try {
    const handler = loadHandler(request.packageDir, request.entry);
    result = { output: await handler({}, argument(request.input)), success: true };
  } catch (error) {
    console.error(error && error.stack ? error.stack : String(error));
    const message = error instanceof Error ? error.message : String(error);
    result = { output: message || 'Error', success: false };
  }
  console.log(`Finished execution: ${request.executionId}`);
  process.send(encode(result), () => process.exit(0));
}

closeInheritedFds();
process.once('message', (request) => { execute(request); });
process.send({ ready: true });
