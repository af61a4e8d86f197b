// What the browser test needs around the page: a recotap-mock binary on a free loopback port
// (stopped with its process group), its API and admin API over HTTP, and a headless Chromium
// page that records every console error.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repository = resolve(here, '..', '..');

/** The binary under test: `RECOTAP_MOCK_BIN`, else the debug build of this checkout (in
 * `CARGO_TARGET_DIR` when set, as `cargo build` put it). */
const targetDir = resolve(repository, process.env.CARGO_TARGET_DIR ?? 'target');
export const binary = process.env.RECOTAP_MOCK_BIN ?? join(targetDir, 'debug', 'recotap-mock');
/** Debian's Chromium (`.ci/ui` installs it), or `CHROMIUM`. */
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
/** Where screenshots go: `UI_SCREENSHOTS` (`docs/ui` to refresh the README's), else a
 * folder git ignores. */
export const screenshots = resolve(repository, process.env.UI_SCREENSHOTS ?? 'ui/test/screenshots');

/** A running mock: `url` (its root), `stop()`. */
export async function startMock(args = []) {
  if (!existsSync(binary)) throw new Error(`no binary at ${binary}: run cargo build first`);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('RECOTAP_MOCK_')),
  );
  const child = spawn(binary, ['--host', '127.0.0.1', '--port', '0', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the mock did not start: ${stderr}`)), 30000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const found = /listening on (http:\/\/\S+)/.exec(out);
      if (found) {
        clearTimeout(timer);
        resolveUrl(found[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`the mock exited (${code}): ${stderr}`)));
  });
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
  process.on('exit', stop);
  return { url, stop, child };
}

/** An admin call: JSON in, JSON (or text, or null) out; throws on a refusal. */
export async function admin(mock, method, path, body, token) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${mock.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  if (!text) return null;
  return response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text;
}

/** An API call with `key` (`path` below `/api/v1`, or a session's `baseUrl` + path): its
 * status. */
export async function api(mock, key, method, path, body, headers = {}) {
  const target = path.startsWith('http') ? path : `${mock.url}/api/v1${path}`;
  const response = await fetch(target, {
    method,
    headers: { 'X-Api-Key': key, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Runs `work(i)` for i in 0..count, `width` at a time. */
export async function inParallel(count, width, work) {
  let next = 0;
  const lanes = Array.from({ length: width }, async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await work(index);
    }
  });
  await Promise.all(lanes);
}

/** Headless Chromium. */
export function launch() {
  return chromium.launch({ executablePath: chromiumPath });
}

/** A page of `browser` whose console errors and uncaught exceptions land in `errors`. */
export async function pageOf(browser, errors) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('dialog', (dialog) => dialog.accept());
  return page;
}

/** Saves a screenshot of the whole of `page` as `<name>.png` in the screenshots folder. */
export async function shoot(page, name) {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

/** The text of the element `selector`. */
export function textOf(page, selector) {
  return page.locator(selector).first().textContent();
}

/** Waits until `predicate` (run in the page with `arg`) is true, within `timeout` ms. */
export function until(page, predicate, arg, timeout = 10000) {
  return page.waitForFunction(predicate, arg, { timeout, polling: 100 });
}
