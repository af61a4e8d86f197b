// The package loads as ES modules and as CommonJS, both the same classes; its exports map
// resolves every documented entry point; the files npm packs are the ones listed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import * as esm from 'recotap-mock';
import { PACKAGE_DIR } from './support.mjs';

const require = createRequire(import.meta.url);

test('import and require give the same classes', () => {
  const cjs = require('recotap-mock');
  assert.equal(esm.RecotapMock, cjs.RecotapMock);
  assert.equal(esm.RecotapMockError, cjs.RecotapMockError);
  assert.equal(esm.findBinary, cjs.findBinary);
  assert.equal(typeof esm.RecotapMock.start, 'function');
  assert.equal(typeof esm.default.RecotapMock, 'function');
});

test('every entry point resolves through the exports map', () => {
  for (const entry of ['recotap-mock', 'recotap-mock/vitest', 'recotap-mock/vitest/setup', 'recotap-mock/jest', 'recotap-mock/jest/setup', 'recotap-mock/jest/teardown', 'recotap-mock/package.json']) {
    assert.ok(import.meta.resolve(entry).startsWith('file://'), entry);
  }
  assert.equal(typeof require('recotap-mock/jest').recotapSession, 'function');
  assert.equal(typeof require('recotap-mock/jest/setup'), 'function');
  assert.equal(typeof require('recotap-mock/jest/teardown'), 'function');
});

test('the RecotapMock methods are those the declarations list', async () => {
  const fs = await import('node:fs');
  const declarations = fs.readFileSync(`${PACKAGE_DIR}/index.d.ts`, 'utf8');
  const declared = new Set([...declarations.matchAll(/^ {2}(?:static )?([a-zA-Z]+)\(/gm)].map((m) => m[1]));
  const implemented = new Set([
    ...Object.entries(Object.getOwnPropertyDescriptors(esm.RecotapMock.prototype))
      .filter(([name, descriptor]) => name !== 'constructor' && name !== 'toString' && typeof descriptor.value === 'function')
      .map(([name]) => name),
    ...Object.getOwnPropertyNames(esm.RecotapMock).filter((name) => typeof esm.RecotapMock[name] === 'function'),
  ]);
  assert.deepEqual([...implemented].sort(), [...declared].sort());
});

test('npm packs the entry points, the declarations and the command, and no test', () => {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: PACKAGE_DIR, encoding: 'utf8' }));
  const files = packed.files.map((file) => file.path).sort();
  for (const expected of ['index.cjs', 'index.mjs', 'index.d.ts', 'bin/recotap-mock.cjs', 'vitest/index.mjs', 'vitest/index.d.ts', 'vitest/setup.mjs', 'jest/index.cjs', 'jest/index.d.ts', 'jest/setup.cjs', 'jest/teardown.cjs', 'README.md', 'package.json']) {
    assert.ok(files.includes(expected), `${expected} in ${files}`);
  }
  assert.deepEqual(files.filter((file) => file.startsWith('test/')), []);
});
