'use strict';
// The worker contract as the runtime sees it: the /execute request and the texts users see.
// Texts that Qinling's tempest suite checks are kept word for word (same as the Python runtime).

const TIMEOUT_MESSAGE = 'Function execution timeout.';
const RESOURCE_MESSAGE = 'Function execution failed because of too much resource consumption';
const CANCELLED_MESSAGE = 'Function execution cancelled.';
const DEFAULT_ENTRY = 'main.main';
const DEFAULT_TIMEOUT = 5;
const HEX = /^[0-9a-f]+$/;

class BadRequest extends Error {
  constructor(message, status = 400) {
    super(message);
    this.status = status;
  }
}

function parseExecute(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequest('The request body must be a JSON object.');
  }
  const request = {
    executionId: text(body, 'execution_id'),
    functionId: text(body, 'function_id', ''),
    functionVersion: integer(body, 'function_version', 0, 0),
    entry: text(body, 'entry', DEFAULT_ENTRY) || DEFAULT_ENTRY,
    input: body.input === undefined ? null : body.input,
    timeout: seconds(body, 'timeout'),
    cpu: integer(body, 'cpu', null, 1),
    memorySize: integer(body, 'memory_size', null, 1),
    packageUrl: url(body, 'package_url'),
    packageSha256: digest(body, 'package_sha256', 64),
    packageMd5: digest(body, 'package_md5', 32),
  };
  if (request.packageSha256 === null && request.packageMd5 === null) {
    throw new BadRequest("'package_sha256' or 'package_md5' is required.");
  }
  return request;
}

function parseCancel(body) {
  if (body === null || typeof body !== 'object' || typeof body.execution_id !== 'string') {
    throw new BadRequest("'execution_id' is required and must be a string.");
  }
  return body.execution_id;
}

function downloadFailure(packageUrl, error) {
  return {
    output: `Failed to download function package from ${packageUrl}, error: ${error}`,
    success: false, duration: 0, logs: '',
  };
}

function unpackFailure(error) {
  return {
    output: `Function package could not be unpacked: ${error}`,
    success: false, duration: 0, logs: '',
  };
}

function text(body, key, fallback = null) {
  const value = body[key];
  if (value === undefined || value === null) {
    if (fallback === null) throw new BadRequest(`'${key}' is required.`);
    return fallback;
  }
  if (typeof value !== 'string') throw new BadRequest(`'${key}' must be a string.`);
  return value;
}

function integer(body, key, fallback, minimum) {
  const value = body[key];
  if (value === undefined || value === null) return fallback;
  if (!Number.isInteger(value) || value < minimum) {
    throw new BadRequest(`'${key}' must be an integer of at least ${minimum}.`);
  }
  return value;
}

function seconds(body, key) {
  const value = body[key];
  if (value === undefined || value === null) return DEFAULT_TIMEOUT;
  if (typeof value !== 'number' || !(value > 0)) {
    throw new BadRequest(`'${key}' must be a positive number of seconds.`);
  }
  return value;
}

function url(body, key) {
  const value = text(body, key);
  if (!value.startsWith('http://') && !value.startsWith('https://')) {
    throw new BadRequest(`'${key}' must be an http or https URL.`);
  }
  return value;
}

function digest(body, key, digits) {
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length !== digits || !HEX.test(value.toLowerCase())) {
    throw new BadRequest(`'${key}' must be ${digits} hexadecimal digits.`);
  }
  return value.toLowerCase();
}

module.exports = {
  BadRequest, CANCELLED_MESSAGE, DEFAULT_ENTRY, RESOURCE_MESSAGE, TIMEOUT_MESSAGE,
  downloadFailure, parseCancel, parseExecute, unpackFailure,
};
