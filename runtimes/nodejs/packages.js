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

class DownloadError extends Error {}

function targetName(sha256, md5) {
  return sha256 || `md5-${md5}`;
}

class PackageCache {
  constructor(root, download = httpDownload) {
    this.root = path.resolve(root);
    this.download = download;
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
      unzip(data, unpacked);
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

function unzip(data, into) {
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new DownloadError('File is not a zip file');
  const count = data.readUInt16LE(end + 10);
  let offset = data.readUInt32LE(end + 16);
  if (offset === 0xffffffff) throw new DownloadError('zip64 packages are not supported');
  fs.mkdirSync(into, { recursive: true });
  for (let i = 0; i < count; i += 1) {
    if (data.readUInt32LE(offset) !== 0x02014b50) throw new DownloadError('Bad zip directory');
    const method = data.readUInt16LE(offset + 10);
    const size = data.readUInt32LE(offset + 20);
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
    fs.writeFileSync(destination, method === 8 ? zlib.inflateRawSync(raw) : stored(raw, method));
  }
}

function stored(raw, method) {
  if (method !== 0) throw new DownloadError(`unsupported zip compression method ${method}`);
  return raw;
}

function safePath(name) {
  // As Python's zipfile.extractall: drop absolute roots and '..' components.
  const parts = name.split(/[\\/]+/).filter((p) => p && p !== '.' && p !== '..');
  return parts.length ? parts.join(path.sep) : null;
}

module.exports = { DownloadError, PackageCache };
