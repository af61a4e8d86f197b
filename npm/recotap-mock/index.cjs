'use strict';
// The package's entry point for require(): the one implementation, which index.mjs re-exports
// for import, so that both see the same classes (instanceof works across them).

const { RecotapMock, RecotapMockError, RecotapMockAssertionError } = require('./lib/mock.cjs');
const { findBinary } = require('./lib/binary.cjs');

module.exports = { RecotapMock, RecotapMockError, RecotapMockAssertionError, findBinary };
