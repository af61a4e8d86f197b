// Finding the binary: RECOTAP_MOCK_BINARY wins; else the platform package, found by
// require.resolve from wherever the package is installed; a missing platform package, or a
// platform without one, is an error that names the platform and the fix.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { findBinary } from '../index.mjs';
import { PACKAGE_DIR, binaryUnderTest } from './support.mjs';

/** A project folder holding a copy of this package in node_modules, with or without the platform package. */
function projectWith({ platformPackage }) {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'recotap-resolve-'));
  const installed = path.join(project, 'node_modules', 'recotap-mock');
  fs.mkdirSync(installed, { recursive: true });
  for (const entry of ['package.json', 'index.cjs', 'index.mjs', 'lib', 'bin']) {
    fs.cpSync(path.join(PACKAGE_DIR, entry), path.join(installed, entry), { recursive: true });
  }
  if (platformPackage) {
    const platform = path.join(project, 'node_modules', '@recotap-mock', 'linux-x64');
    fs.mkdirSync(path.join(platform, 'bin'), { recursive: true });
    fs.cpSync(path.join(PACKAGE_DIR, '..', 'linux-x64', 'package.json'), path.join(platform, 'package.json'));
    fs.copyFileSync(binaryUnderTest(), path.join(platform, 'bin', 'recotap-mock'));
  }
  return project;
}

/** Runs `code` (CommonJS) in `project` without RECOTAP_MOCK_BINARY. */
function runIn(project, code) {
  const env = { ...process.env };
  delete env.RECOTAP_MOCK_BINARY;
  return spawnSync(process.execPath, ['-e', code], { cwd: project, env, encoding: 'utf8' });
}

test('RECOTAP_MOCK_BINARY wins, and must exist', () => {
  assert.equal(findBinary({ env: { RECOTAP_MOCK_BINARY: binaryUnderTest() } }), binaryUnderTest());
  assert.throws(() => findBinary({ env: { RECOTAP_MOCK_BINARY: '/nonexistent/bin' } }), /RECOTAP_MOCK_BINARY is \/nonexistent\/bin, which does not exist/);
});

test('the platform package is found next to the installed package, and its binary starts', () => {
  const project = projectWith({ platformPackage: true });
  try {
    const run = runIn(project, `
      const { RecotapMock, findBinary } = require('recotap-mock');
      console.log(findBinary());
      RecotapMock.start().then(async (mock) => { console.log((await mock.accounts()).length); await mock.stop(); });`);
    assert.equal(run.status, 0, run.stderr);
    const [found, count] = run.stdout.trim().split('\n');
    assert.equal(found, path.join(project, 'node_modules', '@recotap-mock', 'linux-x64', 'bin', 'recotap-mock'));
    assert.equal(count, '0');
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
});

test('a missing platform package is an error naming the platform and the fix', () => {
  const project = projectWith({ platformPackage: false });
  try {
    const run = runIn(project, `
      require('recotap-mock').RecotapMock.start().catch((error) => { console.log(error.message); process.exit(4); });`);
    assert.equal(run.status, 4, run.stderr);
    const message = run.stdout;
    assert.match(message, new RegExp(`for ${process.platform}-${process.arch} is missing`));
    assert.match(message, /@recotap-mock\/linux-x64 is not installed/);
    assert.match(message, /npm install --save-dev @recotap-mock\/linux-x64/);
    assert.match(message, /RECOTAP_MOCK_BINARY/);
    // The command says the same, and fails.
    const command = spawnSync(process.execPath, [path.join(project, 'node_modules', 'recotap-mock', 'bin', 'recotap-mock.cjs'), '--version'], {
      env: { ...process.env, RECOTAP_MOCK_BINARY: '' },
      encoding: 'utf8',
    });
    assert.equal(command.status, 1);
    assert.match(command.stderr, /@recotap-mock\/linux-x64 is not installed/);
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
});

test('a platform without a package is an error naming it and the fix', () => {
  const missing = () => {
    const error = new Error('not found');
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  };
  assert.throws(() => findBinary({ platform: 'darwin', arch: 'arm64', env: {}, resolve: missing }), /no binary for darwin-arm64 .*set RECOTAP_MOCK_BINARY/);
});

test('the binary reports the version of the package', () => {
  const version = execFileSync(binaryUnderTest(), ['--version'], { encoding: 'utf8' }).trim();
  const { version: packageVersion } = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8'));
  assert.equal(version, `recotap-mock ${packageVersion}`);
});
