'use strict';
// Function packages: fetched once per digest, verified, unpacked atomically (as the Python
// runtime's pyruntime/packages.py). <cache>/<sha256>/ or <cache>/md5-<md5>/ holds the code.
//
// The bytes come from download(url, file): httpDownload here, or the worker's init when the
// local driver's sandbox runs this server without a network (sandbox.js).

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const https = require('https');
const path = require('path');
const zlib = require('zlib');

const DOWNLOAD_TIMEOUT_MS = 30000;

const MAX_UNPACKED_BYTES = 512 * 1024 * 1024; // as the storage service's max_unpacked_size
const MAX_MEMBERS = 10000;

class DownloadError extends Error {}
// Fetched, but not a zip this server unpacks: corrupt, too large unpacked, too many members.
class UnpackError extends DownloadError {}

function targetName(sha256, md5) {
  return sha256 || `md5-${md5}`;
}

class PackageCache {
  constructor(root, download = httpDownload, maxUnpacked = MAX_UNPACKED_BYTES) {
    this.root = path.resolve(root);
    this.download = download;
    this.maxUnpacked = maxUnpacked;
    fs.mkdirSync(this.root, { recursive: true });
    this.pending = new Map();
  }

  fetch(url, sha256, md5) {
    const name = targetName(sha256, md5);
    const target = path.join(this.root, name);
    if (fs.existsSync(target)) return Promise.resolve(target);
    if (!this.pending.has(name)) {
      const job = this.install(url, { sha256, md5 }, target)
        .finally(() => this.pending.delete(name));
      this.pending.set(name, job);
    }
    return this.pending.get(name);
  }

  async install(url, expected, target) {
    const scratch = fs.mkdtempSync(path.join(this.root, '.incoming-'));
    try {
      const archive = path.join(scratch, 'package.zip');
      await this.download(url, archive);
      const data = fs.readFileSync(archive);
      for (const [algorithm, value] of Object.entries(expected)) {
        if (!value) continue;
        const actual = crypto.createHash(algorithm).update(data).digest('hex');
        if (actual !== value) {
          throw new DownloadError(`${algorithm} mismatch: expected ${value}, got ${actual}`);
        }
      }
      const unpacked = path.join(scratch, 'code');
      try {
        unzip(data, unpacked, this.maxUnpacked);
      } catch (error) {
        throw error instanceof UnpackError ? error : new UnpackError(error.message);
      }
      fs.renameSync(unpacked, target);
      return target;
    } catch (error) {
      throw error instanceof DownloadError ? error : new DownloadError(error.message);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
}

function httpDownload(url, file) {
  const client = url.startsWith('https://') ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { timeout: DOWNLOAD_TIMEOUT_MS }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new DownloadError(`HTTP Error ${response.statusCode}`));
        return;
      }
      const out = fs.createWriteStream(file, { mode: 0o600 });
      response.pipe(out);
      out.on('finish', resolve);
      out.on('error', reject);
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new DownloadError('timed out')));
    request.on('error', reject);
  });
}

// Unpack the zip in data into the directory into, refusing more than maxUnpacked bytes (the
// declared sizes, checked before writing anything; no member inflates beyond its own).
function unzip(data, into, maxUnpacked) {
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new UnpackError('File is not a zip file');
  const count = data.readUInt16LE(end + 10);
  const first = data.readUInt32LE(end + 16);
  if (first === 0xffffffff) throw new UnpackError('zip64 packages are not supported');
  if (count > MAX_MEMBERS) {
    throw new UnpackError(`it holds ${count} members, more than ${MAX_MEMBERS}`);
  }
  let total = 0;
  for (let i = 0, at = first; i < count; i += 1) {
    if (data.readUInt32LE(at) !== 0x02014b50) throw new UnpackError('Bad zip directory');
    total += data.readUInt32LE(at + 24);
    at += 46 + data.readUInt16LE(at + 28) + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32);
  }
  if (total > maxUnpacked) {
    throw new UnpackError(`it unpacks to ${total} bytes, more than ${maxUnpacked}`);
  }
  let offset = first;
  fs.mkdirSync(into, { recursive: true });
  for (let i = 0; i < count; i += 1) {
    const method = data.readUInt16LE(offset + 10);
    const size = data.readUInt32LE(offset + 20);
    const declared = data.readUInt32LE(offset + 24);
    const nameLength = data.readUInt16LE(offset + 28);
    const skip = data.readUInt16LE(offset + 30) + data.readUInt16LE(offset + 32);
    const local = data.readUInt32LE(offset + 42);
    const name = data.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + skip;
    const safe = safePath(name);
    if (!safe) continue;
    const destination = path.join(into, safe);
    if (name.endsWith('/')) {
      fs.mkdirSync(destination, { recursive: true });
      continue;
    }
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    const raw = data.subarray(start, start + size);
    fs.mkdirSync(path.dirname(destination), { recursive: true });
    fs.writeFileSync(destination, method === 8
      ? zlib.inflateRawSync(raw, { maxOutputLength: Math.max(declared, 1) })
      : stored(raw, method));
  }
}

function stored(raw, method) {
  if (method !== 0) throw new UnpackError(`unsupported zip compression method ${method}`);
  return raw;
}

function safePath(name) {
  // As Python's zipfile.extractall: drop absolute roots and '..' components.
  const parts = name.split(/[\\/]+/).filter((p) => p && p !== '.' && p !== '..');
  return parts.length ? parts.join(path.sep) : null;
}

module.exports = { DownloadError, MAX_UNPACKED_BYTES, PackageCache, UnpackError };
