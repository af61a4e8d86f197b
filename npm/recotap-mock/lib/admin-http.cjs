'use strict';
// One call to the admin API: JSON in, the answer's status and text out, never through a proxy.
// node:http with an agent of this package's own, rather than the global fetch: no proxy
// variable (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NODE_USE_ENV_PROXY) and no global fetch
// dispatcher a test may install (undici's setGlobalDispatcher, a MockAgent) applies to it; a
// mock is on loopback, and a proxy would either not reach it or answer in its place.

const http = require('node:http');
const https = require('node:https');

/** A fresh connection per call: a kept-alive one can be closed by the mock as it is reused. */
const AGENTS = {
  'http:': new http.Agent({ keepAlive: false }),
  'https:': new https.Agent({ keepAlive: false }),
};

/** How long one admin call may take. */
const CALL_TIMEOUT_MS = 30_000;

/**
 * The admin API refused a call (`status` is its HTTP status, `message` its `error` text, or the
 * answer's body when it has none), or the mock could not be reached or started (`status` 0).
 * `method` and `path` name the call.
 */
class RecotapMockError extends Error {
  constructor(status, message, method, path, options) {
    super(message, options);
    this.name = 'RecotapMockError';
    this.status = status;
    this.method = method;
    this.path = path;
  }
}

/**
 * An expectation not met (verify), or client errors the code under test got
 * (assertNoClientErrors): the message says what was expected, what arrived and what to check.
 * Not node:assert's AssertionError, which Jest prints as an empty value comparison.
 */
class RecotapMockAssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'RecotapMockAssertionError';
  }
}

/**
 * Sends `method` `url` with `body` (JSON-encoded when not undefined) and `headers`; resolves
 * to `{ status, text }` whatever the status. Rejects with a RecotapMockError (status 0) when the
 * mock cannot be reached or does not answer in time.
 */
function send(method, url, body, headers, describe) {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const requestHeaders = { ...headers };
  if (data) {
    requestHeaders['content-type'] = 'application/json';
    requestHeaders['content-length'] = String(data.length);
  }
  return new Promise((resolve, reject) => {
    const request = transport.request(
      target,
      { method, headers: requestHeaders, agent: AGENTS[target.protocol] },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('error', fail);
        response.on('end', () => resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    function fail(error) {
      const why = describe ? ` (${describe()})` : '';
      reject(new RecotapMockError(0, `cannot reach the mock at ${target.origin}: ${error.message}${why}`, method, target.pathname + target.search, { cause: error }));
    }
    request.setTimeout(CALL_TIMEOUT_MS, () => request.destroy(new Error(`no answer within ${CALL_TIMEOUT_MS / 1000} s`)));
    request.on('error', fail);
    request.end(data);
  });
}

module.exports = { RecotapMockError, RecotapMockAssertionError, send };
