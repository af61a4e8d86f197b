#!/usr/bin/env node
'use strict';
// The `recotap-mock` command of the npm package: runs the platform package's binary (or
// RECOTAP_MOCK_BINARY) with the same arguments and the same stdin, stdout and stderr, forwards
// SIGINT, SIGTERM and SIGHUP to it, and ends as it ends: its exit code, or its signal.

const { spawn } = require('node:child_process');
const { findBinary } = require('../lib/binary.cjs');

let binary;
try {
  binary = findBinary();
} catch (error) {
  console.error(`recotap-mock: ${error.message}`);
  process.exit(1);
}

const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit' });
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function forward(signal) {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}
for (const signal of FORWARDED) process.on(signal, forward);

child.on('error', (error) => {
  console.error(`recotap-mock: cannot run ${binary}: ${error.message}`);
  process.exit(1);
});

child.on('exit', (code, signal) => {
  if (signal) {
    // Die of the same signal, so that a shell or a supervisor sees what the binary saw.
    for (const name of FORWARDED) process.removeListener(name, forward);
    process.kill(process.pid, signal);
    // A signal this process ignores or outlives (SIGKILL cannot be caught): the shell's way.
    process.exit(128 + (require('node:os').constants.signals[signal] ?? 0));
  }
  process.exit(code ?? 1);
});
