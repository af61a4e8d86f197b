'use strict';
// Finding the recotap-mock binary: RECOTAP_MOCK_BINARY when set, else the platform package
// that npm installed with this one (an optional dependency whose `os`, `cpu` and `libc` match
// this machine), found with require.resolve: no install script, no download.

const fs = require('node:fs');

/** The platform packages, by `${process.platform}-${process.arch}`. */
const PLATFORM_PACKAGES = {
  'linux-x64': '@recotap-mock/linux-x64',
};

/**
 * The path of the recotap-mock binary. Throws an Error naming the platform and the fix when
 * there is none. The options exist for tests: another platform, environment or resolver.
 */
function findBinary({ platform = process.platform, arch = process.arch, env = process.env, resolve = require.resolve } = {}) {
  const explicit = env.RECOTAP_MOCK_BINARY;
  if (explicit) {
    if (!fs.existsSync(explicit)) {
      throw new Error(`RECOTAP_MOCK_BINARY is ${explicit}, which does not exist`);
    }
    return explicit;
  }
  const key = `${platform}-${arch}`;
  const name = PLATFORM_PACKAGES[key];
  if (!name) {
    throw new Error(
      `recotap-mock has no binary for ${key} (packages exist for ${Object.keys(PLATFORM_PACKAGES).join(', ')}): ` +
        'build one from the repository (scripts/build-static.sh, or cargo build --release -p recotap-mock-cli) ' +
        'and set RECOTAP_MOCK_BINARY to its path',
    );
  }
  try {
    return resolve(`${name}/bin/recotap-mock`);
  } catch (error) {
    if (error && error.code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error(
      `the recotap-mock binary for ${key} is missing: its package ${name} is not installed. ` +
        `npm installs it as an optional dependency of recotap-mock on ${key} machines; it is skipped by ` +
        '--omit=optional (or --no-optional) and, with some npm versions, by a lockfile written on another platform. ' +
        `Fix: npm install --save-dev ${name}, or set RECOTAP_MOCK_BINARY to a recotap-mock binary`,
    );
  }
}

module.exports = { findBinary, PLATFORM_PACKAGES };
