// What the package's own tests share: the binary under test, a plain HTTP client for the API
// the code under test would call, and ways to watch processes come and go.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const INDEX_CJS = path.join(PACKAGE_DIR, 'index.cjs');
export const BIN = path.join(PACKAGE_DIR, 'bin', 'recotap-mock.cjs');

/** The binary the tests run: RECOTAP_MOCK_BINARY (what .ci/node sets), which must exist. */
export function binaryUnderTest() {
  const binary = process.env.RECOTAP_MOCK_BINARY;
  if (!binary || !fs.existsSync(binary)) {
    throw new Error('set RECOTAP_MOCK_BINARY to a recotap-mock binary (scripts/build-static.sh prints one) to run these tests');
  }
  return binary;
}

/** One HTTP request; resolves to `{ status, body }` (body parsed as JSON when it is). */
export function request(method, url, { body, headers = {} } = {}) {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const allHeaders = { ...headers, ...(data ? { 'content-type': 'application/json' } : {}) };
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: allHeaders, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        let parsed = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode, body: parsed, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** A call to the emulated API with `key`, as the code under test makes it. */
export function api(mock, method, route, body) {
  return request(method, mock.baseUrl + route, { body, headers: { 'x-api-key': mock.apiKey } });
}

/** Whether process `pid` still runs (a zombie, exited but not yet reaped, does not). */
export function isRunning(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves once `condition()` holds; rejects after `timeoutMs`. */
export async function waitFor(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Whether something accepts connections at `url`'s health endpoint. */
export async function answers(url) {
  try {
    return (await request('GET', `${url}/_mock/health`)).status === 200;
  } catch {
    return false;
  }
}

/** The first line a child process prints on stdout. */
export function firstLine(stream) {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', function onData(chunk) {
      text += chunk;
      const end = text.indexOf('\n');
      if (end >= 0) {
        stream.off('data', onData);
        resolve(text.slice(0, end));
      }
    });
    stream.on('end', () => reject(new Error(`the stream ended before a line: ${JSON.stringify(text)}`)));
  });
}

/** The process ids whose parent is `pid` (from /proc). */
export function childrenOf(pid) {
  const children = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}
