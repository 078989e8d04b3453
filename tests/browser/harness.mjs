// What the browser tests share: the real binary on a free loopback port,
// an API client, Debian's chromium through playwright-core, and an
// accessibility check with axe-core in the same page.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../web/package.json'));
export const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// Starts `binary serve` on SQLite in `dir` with `args`; resolves once /healthz answers.
export async function startServer(binary, dir, adminToken, args = []) {
  const port = await freePort();
  const child = spawn(binary, ['serve', '--db', join(dir, 'sb.db'), '--listen', `127.0.0.1:${port}`, '--admin-token', adminToken, ...args],
                      { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; ++i) {
    try {
      if ((await fetch(base + '/healthz')).ok) return { child, base, log: () => log };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the server did not start:\n' + log);
}

// An API client with a token: client(method, path, body) -> parsed JSON; throws on a non-2xx.
export function client(base, token) {
  return async (method, path, body, headers = {}) => {
    const raw = typeof body === 'string';
    const res = await fetch(base + path, { method, headers: { Authorization: 'Bearer ' + token,
                                                              'Content-Type': raw ? 'message/rfc822' : 'application/json', ...headers },
                                           body: body === undefined ? undefined : raw ? body : JSON.stringify(body) });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (!res.ok) throw Object.assign(new Error(`${method} ${path}: ${res.status} ${text}`), { status: res.status, body: json });
    return json;
  };
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Runs axe-core in the page (injected by the test, not served by us) and
// returns the serious and critical violations, described.
export async function accessibilityProblems(page) {
  // Evaluated through the debugging protocol: the page's CSP (no inline script) stays as it is.
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  return result;
}

// Named steps with their time, printed at the end.
export function stepper() {
  const steps = [];
  const step = async (name, fn) => {
    const started = Date.now();
    try {
      await fn();
      steps.push(`ok   ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      steps.push(`FAIL ${name}: ${e.message}`);
      throw e;
    }
  };
  return { step, steps };
}

// A scenario's end: on failure the error, a screenshot of each page and the
// server's log; always the steps; then the browser, the server and whatever
// `cleanup` stops go, and the process exits 0 or 1.
export async function finish({ error, pages, server, browser, artifacts, steps, cleanup }) {
  if (error) {
    console.error(error);
    for (const [i, p] of pages.entries()) await p.screenshot({ path: `${artifacts}/failure-${i}.png`, fullPage: true }).catch(() => {});
    if (server) console.error('server log:\n' + server.log());
  }
  console.log(steps.join('\n'));
  if (browser) await browser.close();
  if (server) server.child.kill('SIGTERM');
  if (cleanup) cleanup();
  console.log(error ? 'FAILED' : `PASSED (screenshots in ${artifacts})`);
  process.exit(error ? 1 : 0);
}
