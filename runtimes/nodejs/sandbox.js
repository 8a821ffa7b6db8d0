'use strict';
// The server's side of the local driver's sandbox (--init-fd): the worker's init process
// downloads packages for this server, which has no network, and makes the cgroup of each
// execution. The sandbox owns the cgroup layout; this server only writes its execution child
// into the cgroup.procs files it is given. The protocol (one JSON line per message) is in
// runtimes/README.md.

const fs = require('fs');
const net = require('net');

class Sandbox {
  constructor(fd) {
    this.socket = new net.Socket({ fd, readable: true, writable: true });
    this.waiting = [];
    this.buffer = '';
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk) => this.receive(chunk));
    this.socket.on('close', () => this.failAll('the worker\'s init is gone'));
  }

  // PackageCache's download(url, file).
  async download(url, file) {
    const answer = await this.ask({ op: 'download', url, into: file });
    if (answer.error !== undefined) throw new Error(answer.error);
  }

  // The execution's cgroup with these limits: {id, procs}, or null (the sandbox has none).
  async executionGroup(memory, cpu) {
    const answer = await this.ask({ op: 'cgroup', memory, cpu });
    if (answer.error !== undefined) throw new Error(answer.error);
    return answer.id === null ? null : { id: answer.id, procs: answer.procs };
  }

  // Once the execution's child has exited: the sandbox ends what it left in the group.
  release(group) {
    this.send({ op: 'release', id: group.id });
  }

  ask(message) {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.send(message);
    });
  }

  send(message) {
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  receive(chunk) {
    this.buffer += chunk;
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0) {
      const answer = JSON.parse(this.buffer.slice(0, newline));
      this.buffer = this.buffer.slice(newline + 1);
      const waiter = this.waiting.shift();
      if (waiter) waiter.resolve(answer);
      newline = this.buffer.indexOf('\n');
    }
  }

  failAll(message) {
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error(message));
  }
}

// Move the execution child into its group (a failure is logged: the worker's limits still hold).
function join(group, pid) {
  for (const procs of group.procs) {
    try {
      fs.writeFileSync(procs, String(pid));
    } catch (error) {
      const message = `cannot join the execution's cgroup: ${error.message}`;
      process.stderr.write(`qinling-sandbox: ${message}\n`);
    }
  }
}

module.exports = { Sandbox, join };
