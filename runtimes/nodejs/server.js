#!/usr/bin/env node
'use strict';
// Qinling's Node.js runtime server: an HTTP/1.1 server that runs one function's code
// (standard library only, like ../python3/server.py). It speaks the worker contract
// (GET /ping, POST /execute, POST /cancel, POST /outcome; see README.md). Every execution runs
// in a child process (execution.js, executor.js); outcomes.js keeps recent results.
//
//   node server.js --fd N [--init-fd F] [--cache-dir DIR] [--log-limit BYTES] [--uid U]
//   node server.js --port 9090 [--cache-dir DIR]                       (manual runs)
//
// Under the local driver's sandbox (--init-fd) the worker's init downloads packages and makes
// each execution's cgroup (sandbox.js). With --uid, the server starts as root holding only
// CAP_SETUID/CAP_SETGID and switches to that uid first thing: a process that drops its uid
// itself is not dumpable, so executions cannot ptrace it.

const http = require('http');
const os = require('os');
const path = require('path');
const contract = require('./contract');
const execution = require('./execution');
const outcomes = require('./outcomes');
const { DownloadError, MAX_UNPACKED_BYTES, PackageCache, UnpackError } = require('./packages');
const { Sandbox } = require('./sandbox');

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const LOG_LIMIT = 1024 * 1024;

const OPTIONS = {
  '--fd': ['fd', Number], '--port': ['port', Number], '--host': ['host', String],
  '--init-fd': ['initFd', Number], '--cache-dir': ['cacheDir', String],
  '--log-limit': ['logLimit', Number], '--uid': ['uid', Number],
  '--max-unpacked-size': ['maxUnpackedSize', Number],
};

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (!Object.hasOwn(OPTIONS, key)) throw new Error(`unknown argument ${key}`);
    if (value === undefined) throw new Error(`${key} needs a value`);
    const [name, type] = OPTIONS[key];
    args[name] = type(value);
  }
  if ((args.fd === undefined) === (args.port === undefined)) {
    throw new Error('give exactly one of --fd and --port');
  }
  return args;
}

function becomeUser(uid) {
  if (uid === null || uid === undefined || process.getuid() !== 0) return;
  process.setgroups([]);
  process.setgid(uid);
  process.setuid(uid);
}

function reply(response, status, document) {
  const body = Buffer.from(JSON.stringify(document));
  response.writeHead(status, {
    'Content-Type': 'application/json', 'Content-Length': body.length });
  response.end(body);
}

function readJson(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        const message = `The request body is larger than ${MAX_BODY_BYTES} bytes.`;
        reject(new contract.BadRequest(message, 413));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(new contract.BadRequest(`The request body is not valid JSON: ${error.message}`));
      }
    });
    request.on('error', reject);
  });
}

async function cancel(request, response) {
  try {
    const executionId = contract.parseCancel(await readJson(request));
    if (execution.cancel(executionId)) reply(response, 200, { cancelled: true });
    else reply(response, 404, { error: `Execution ${executionId} does not run here.` });
  } catch (error) {
    if (!(error instanceof contract.BadRequest)) throw error;
    reply(response, error.status, { error: error.message });
  }
}

async function outcome(request, response, kept) {
  try {
    const [executionId, wait] = outcomes.parseOutcome(await readJson(request));
    reply(response, ...outcomes.answer(executionId, ...await kept.state(executionId, wait)));
  } catch (error) {
    if (!(error instanceof contract.BadRequest)) throw error;
    reply(response, error.status, { error: error.message });
  }
}

async function execute(request, response, packages, options) {
  let parsed;
  try {
    parsed = contract.parseExecute(await readJson(request));
  } catch (error) {
    if (!(error instanceof contract.BadRequest)) throw error;
    reply(response, error.status, { error: error.message });
    return;
  }
  // An execution this worker ran or runs is not run again: its result is answered.
  reply(response, 200, await options.outcomes.once(parsed.executionId,
    () => runOnce(parsed, packages, options)));
}

async function runOnce(parsed, packages, options) {
  let packageDir;
  try {
    packageDir = await packages.fetch(parsed.packageUrl, parsed.packageSha256, parsed.packageMd5);
  } catch (error) {
    if (!(error instanceof DownloadError)) throw error;
    return error instanceof UnpackError ? contract.unpackFailure(error.message)
      : contract.downloadFailure(parsed.packageUrl, error.message);
  }
  return execution.run(parsed, packageDir, options);
}

function handler(packages, options) {
  return (request, response) => {
    if (request.method === 'GET' && request.url === '/ping') {
      response.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 4 });
      response.end('pong');
    } else if (request.method === 'POST' && request.url === '/cancel') {
      cancel(request, response).catch((error) => reply(response, 500, { error: error.message }));
    } else if (request.method === 'POST' && request.url === '/outcome') {
      outcome(request, response, options.outcomes)
        .catch((error) => reply(response, 500, { error: error.message }));
    } else if (request.method === 'POST' && request.url === '/execute') {
      execute(request, response, packages, options).catch((error) => {
        process.stderr.write(`${error.stack || error}\n`);
        if (!response.headersSent) {
          const message = `The worker failed to run the execution: ${error.message}`;
          reply(response, 500, { error: message });
        }
      });
    } else {
      request.resume();
      reply(response, 404, { error: `No resource ${request.url}.` });
    }
  };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  becomeUser(args.uid);
  process.on('SIGTERM', () => process.exit(0));
  const cacheDir = args.cacheDir || path.join(os.tmpdir(), `qinling-nodejs-${process.pid}`);
  const sandbox = args.initFd === undefined ? null : new Sandbox(args.initFd);
  const maxUnpacked = args.maxUnpackedSize || MAX_UNPACKED_BYTES;
  const packages = sandbox
    ? new PackageCache(cacheDir, (url, file) => sandbox.download(url, file), maxUnpacked)
    : new PackageCache(cacheDir, undefined, maxUnpacked);
  const options = {
    logLimit: args.logLimit || LOG_LIMIT, sandbox, outcomes: new outcomes.Outcomes() };
  const server = http.createServer({ noDelay: true }, handler(packages, options));
  server.keepAliveTimeout = 0; // the execution service keeps its connections: never close idle
  server.requestTimeout = 0;
  if (args.fd !== undefined) server.listen({ fd: args.fd });
  else server.listen(args.port, args.host || '127.0.0.1');
}

main();
