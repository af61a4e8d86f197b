'use strict';
// Starting the recotap-mock binary so that it never outlives the Node process that started it,
// and reading its output pipes so that they never fill.
//
// The binary runs with --exit-with-stdin and a pipe on its stdin that Node holds and never
// writes to: when Node ends, however it ends (SIGKILL and crashes included), the kernel closes
// the pipe and the binary shuts down gracefully. On a normal exit it also gets SIGTERM at once.
// Once started, the child and its pipes are unref'd: a script that forgets stop() still exits.

const { spawn } = require('node:child_process');
const { RecotapMockError } = require('./admin-http.cjs');

const LISTENING = 'recotap-mock listening on ';

/** How much of what the binary wrote on stderr is kept, for the error of a start that failed. */
const STDERR_KEPT = 64 * 1024;

/** How long stop() waits after SIGTERM before SIGKILL. */
const STOP_PATIENCE_MS = 10_000;

/** Binaries started here and not yet stopped: signalled when this process exits normally. */
const running = new Set();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGTERM');
  });
}

/**
 * The environment the binary gets: the caller's, without its RECOTAP_MOCK_* variables (the
 * binary reads every flag from one: a developer's exported token, key or state file must not
 * silently change a mock this package configures), RECOTAP_MOCK_BINARY aside.
 */
function cleanEnvironment(environment = process.env) {
  const kept = {};
  for (const [name, value] of Object.entries(environment)) {
    if (!name.startsWith('RECOTAP_MOCK_') || name === 'RECOTAP_MOCK_BINARY') kept[name] = value;
  }
  return kept;
}

/** The last `limit` bytes of a stream, as text. */
function keepTail(stream, limit) {
  let tail = Buffer.alloc(0);
  stream.on('data', (chunk) => {
    tail = Buffer.concat([tail, chunk]);
    if (tail.length > limit) tail = tail.subarray(tail.length - limit);
  });
  return () => tail.toString('utf8');
}

/**
 * Starts `binary` with `args` (plus --exit-with-stdin) and waits up to `timeoutMs` for its
 * listening line. Resolves to `{ child, url, stderr }` (`stderr()` the kept tail). Rejects with
 * a RecotapMockError (status 0, method START) with the binary's own words when it cannot be
 * run, exits, prints something else first, or stays silent too long; it is killed by then.
 */
function launch(binary, args, { timeoutMs = 30_000 } = {}) {
  const command = [binary, ...args, '--exit-with-stdin'];
  const describe = command.join(' ');
  return new Promise((resolve, reject) => {
    let settled = false;
    let child;
    try {
      child = spawn(binary, [...args, '--exit-with-stdin'], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: cleanEnvironment(),
        windowsHide: true,
      });
    } catch (error) {
      reject(new RecotapMockError(0, `the binary could not be run: ${error.message}`, 'START', describe, { cause: error }));
      return;
    }
    const stderr = keepTail(child.stderr, STDERR_KEPT);
    // A write error on stdin (the binary gone) must not become an uncaught exception.
    child.stdin.on('error', () => {});
    let firstLine = '';
    let lineDone = false;

    function giveUp(why, error) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      // Its stderr may still be arriving: give it until the pipes close, briefly.
      const said = () => {
        const text = stderr().trim();
        reject(new RecotapMockError(0, `the binary did not start: ${why}${text ? `: ${text}` : ' (nothing on stderr)'}`, 'START', describe, error ? { cause: error } : undefined));
      };
      if (child.stderr.readableEnded || child.exitCode !== null || child.signalCode !== null) {
        setTimeout(said, 50);
      } else {
        const fallback = setTimeout(said, 1000);
        child.once('close', () => {
          clearTimeout(fallback);
          said();
        });
      }
    }

    const timer = setTimeout(() => giveUp(`no listening line within ${timeoutMs / 1000} s`), timeoutMs);

    child.on('error', (error) => giveUp(`it could not be run (${error.message})`, error));
    child.on('exit', (code, signal) => {
      running.delete(child);
      if (!lineDone) giveUp(signal ? `it was killed by ${signal}` : `it exited with status ${code}`);
    });
    child.stdout.on('data', (chunk) => {
      if (lineDone) return; // the rest of stdout is read and dropped, so the pipe never fills
      firstLine += chunk.toString('utf8');
      const end = firstLine.indexOf('\n');
      if (end < 0) return;
      lineDone = true;
      const line = firstLine.slice(0, end).trim();
      if (!line.startsWith(LISTENING)) {
        giveUp(`it printed ${JSON.stringify(line)} instead of ${JSON.stringify(LISTENING.trim())}`);
        return;
      }
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      running.add(child);
      installExitHook();
      for (const handle of [child, child.stdin, child.stdout, child.stderr]) handle.unref();
      resolve({ child, url: line.slice(LISTENING.length).trim(), stderr });
    });
  });
}

/**
 * Stops a binary started by launch(): SIGTERM, then SIGKILL after STOP_PATIENCE_MS. Resolves
 * to its exit code (null when killed by a signal) once it has exited.
 */
async function stopChild(child) {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.ref(); // keep this process alive until the child is gone
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_PATIENCE_MS);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

module.exports = { launch, stopChild, cleanEnvironment, LISTENING };
