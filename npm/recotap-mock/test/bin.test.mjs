// The `recotap-mock` command of the package (bin/recotap-mock.cjs): the binary's arguments,
// output and exit code pass through, and SIGINT and SIGTERM reach the binary, which stops
// gracefully; the command then exits as the binary did.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { BIN, answers, binaryUnderTest, childrenOf, firstLine, isRunning, waitFor } from './support.mjs';

const env = () => ({ ...process.env, RECOTAP_MOCK_BINARY: binaryUnderTest() });

test('arguments, output and exit code pass through', () => {
  const version = spawnSync(process.execPath, [BIN, '--version'], { env: env(), encoding: 'utf8' });
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^recotap-mock \d+\.\d+\.\d+/);
  const bad = spawnSync(process.execPath, [BIN, '--no-such-flag'], { env: env(), encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--no-such-flag/);
  const health = spawnSync(process.execPath, [BIN, '--port', '9', 'health'], { env: env(), encoding: 'utf8' });
  assert.equal(health.status, 1);
  assert.match(health.stderr, /recotap-mock health: cannot connect to 127\.0\.0\.1:9/);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal} sent to the command reaches the binary, which stops gracefully; the command exits 0`, async () => {
    const command = spawn(process.execPath, [BIN, '--port', '0'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    command.stderr.setEncoding('utf8');
    command.stderr.on('data', (chunk) => (stderr += chunk));
    const line = await firstLine(command.stdout);
    const url = line.replace('recotap-mock listening on ', '');
    assert.ok(await answers(url));
    const exited = new Promise((resolve) => command.once('exit', (code, sig) => resolve({ code, sig })));
    command.kill(signal); // to the command alone, not to a process group
    const { code, sig } = await exited;
    assert.deepEqual({ code, sig }, { code: 0, sig: null }, stderr);
    assert.match(stderr, /shutting down/);
    await waitFor(async () => !(await answers(url)), 2000, 'the port to close');
  });
}

test('a binary killed by a signal makes the command die of the same signal', async () => {
  const command = spawn(process.execPath, [BIN, '--port', '0'], { env: env(), stdio: ['ignore', 'pipe', 'ignore'] });
  await firstLine(command.stdout);
  const exited = new Promise((resolve) => command.once('exit', (code, sig) => resolve({ code, sig })));
  // The binary is the command's only child.
  const children = childrenOf(command.pid);
  assert.equal(children.length, 1);
  process.kill(children[0], 'SIGKILL');
  assert.deepEqual(await exited, { code: null, sig: 'SIGKILL' });
  await waitFor(() => !isRunning(children[0]), 2000, 'the binary to be gone');
});
