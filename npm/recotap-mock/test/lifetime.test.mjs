// The binary's life tied to Node's: it dies with the Node process that started it (SIGKILL
// included, through --exit-with-stdin), a start that fails leaves no child and says why, and
// calls to the mock never go through a proxy.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { RecotapMock } from '../index.mjs';
import { INDEX_CJS, answers, binaryUnderTest, firstLine, isRunning, waitFor } from './support.mjs';

/** A Node child that starts a mock, prints `{pid, url}` and then does what `then` says. */
function nodeStartingAMock(then, env = {}, before = '') {
  const script = `
    ${before}
    const { RecotapMock } = require(${JSON.stringify(INDEX_CJS)});
    RecotapMock.start().then(async (mock) => {
      console.log(JSON.stringify({ pid: mock.pid, url: mock.url }));
      ${then}
    }, (error) => { console.error(error); process.exit(3); });`;
  return spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RECOTAP_MOCK_BINARY: binaryUnderTest(), ...env },
  });
}

test('the binary dies within seconds of the Node process that started it being SIGKILLed', async () => {
  const parent = nodeStartingAMock('setInterval(() => {}, 1000);');
  const { pid, url } = JSON.parse(await firstLine(parent.stdout));
  assert.ok(isRunning(pid));
  assert.ok(await answers(url));
  parent.kill('SIGKILL');
  try {
    await waitFor(() => !isRunning(pid), 5000, `the binary ${pid} to exit after its parent was killed`);
    assert.equal(await answers(url), false);
  } finally {
    if (isRunning(pid)) process.kill(pid, 'SIGKILL'); // a failed test leaves no binary behind
  }
});

test('a script that ends without stop() ends, and its binary with it', async () => {
  const parent = nodeStartingAMock('await mock.addAccount("acme.com", "Acme");');
  const { pid } = JSON.parse(await firstLine(parent.stdout));
  const [code] = await Promise.race([
    new Promise((resolve) => parent.once('exit', (...end) => resolve(end))),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the script did not end by itself')), 10_000)),
  ]);
  assert.equal(code, 0);
  try {
    await waitFor(() => !isRunning(pid), 5000, `the binary ${pid} to exit with its script`);
  } finally {
    if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  }
});

test('stop() ends the binary gracefully', async () => {
  const mock = await RecotapMock.start({ binary: binaryUnderTest() });
  const pid = mock.pid;
  await mock.stop();
  assert.equal(isRunning(pid), false);
});

test('a binary that exits at once rejects with its exit status and its own words', async () => {
  const error = await RecotapMock.start({ binary: binaryUnderTest(), args: ['--no-such-flag'] }).catch((e) => e);
  assert.equal(error.name, 'RecotapMockError');
  assert.equal(error.status, 0);
  assert.equal(error.method, 'START');
  assert.match(error.message, /the binary did not start: it exited with status 2: .*--no-such-flag/s);
});

test('a binary that cannot be run rejects, naming it', async () => {
  const error = await RecotapMock.start({ binary: '/nonexistent/recotap-mock' }).catch((e) => e);
  assert.equal(error.status, 0);
  assert.match(error.message, /could not be run.*ENOENT/);
});

test('a binary that stays silent is killed after the timeout, and the start rejects', async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'recotap-silent-'));
  const silent = path.join(directory, 'silent');
  fs.writeFileSync(silent, '#!/bin/sh\necho "$$" > "$0.pid"\nexec sleep 30\n', { mode: 0o755 });
  try {
    const started = Date.now();
    const error = await RecotapMock.start({ binary: silent, timeoutMs: 500 }).catch((e) => e);
    assert.match(error.message, /no listening line within 0\.5 s/);
    assert.ok(Date.now() - started < 5000);
    const pid = Number(fs.readFileSync(`${silent}.pid`, 'utf8'));
    await waitFor(() => !isRunning(pid), 2000, 'the silent binary to be killed');
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});

test('the binary does not get the caller RECOTAP_MOCK_* variables', async () => {
  // A token exported for another mock would make every admin call of this one a 401.
  const parent = nodeStartingAMock('console.log(JSON.stringify(await mock.accounts())); await mock.stop();', {
    RECOTAP_MOCK_ADMIN_TOKEN: 'exported-elsewhere',
    RECOTAP_MOCK_PORT: '1',
  });
  const lines = [];
  parent.stdout.setEncoding('utf8');
  parent.stdout.on('data', (chunk) => lines.push(chunk));
  const code = await new Promise((resolve) => parent.once('exit', resolve));
  assert.equal(code, 0);
  assert.match(lines.join(''), /\n\[\]\n$/);
});

test('calls never go through a proxy, whatever the environment says, nor through a replaced global fetch', async () => {
  let proxied = 0;
  const proxy = http.createServer((req, res) => {
    proxied += 1;
    res.writeHead(502).end('{"error":"the proxy answered"}');
  });
  proxy.on('connect', (req, socket) => {
    proxied += 1;
    socket.destroy();
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
  try {
    const parent = nodeStartingAMock('await mock.addAccount("acme.com", "Acme"); console.log((await mock.accounts()).length); await mock.stop();', {
      HTTP_PROXY: proxyUrl,
      http_proxy: proxyUrl,
      HTTPS_PROXY: proxyUrl,
      ALL_PROXY: proxyUrl,
      NO_PROXY: '',
      NODE_USE_ENV_PROXY: '1',
    }, "globalThis.fetch = () => { throw new Error('a test double of fetch answered'); };");
    let output = '';
    parent.stdout.setEncoding('utf8');
    parent.stdout.on('data', (chunk) => (output += chunk));
    const code = await new Promise((resolve) => parent.once('exit', resolve));
    assert.equal(code, 0);
    assert.match(output, /\n1\n$/);
    assert.equal(proxied, 0);
  } finally {
    proxy.close();
  }
});
