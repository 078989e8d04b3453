// The dashboard in a real browser (Debian's chromium, driven by
// playwright-core) against the real binary on loopback, started here:
// sign in, watch a ticket arrive and get assigned live, open its routing
// explanation, check that ticket text stays text, check a chart rendered,
// and the agent's own view. Screenshots go to the artifacts directory.
//
//   node tests/browser/dashboard_test.mjs BINARY ARTIFACT_DIR
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startServer as start, client, launch, accessibilityProblems, stepper } from './harness.mjs';

const [binary, artifacts] = process.argv.slice(2);
if (!binary || !artifacts) {
  console.error('usage: dashboard_test.mjs BINARY ARTIFACT_DIR');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
const ADMIN = 'browser-admin-token-0123456789abcdef';

const startServer = (dir) => start(binary, dir, ADMIN);
const { step, steps } = stepper();

// Signs out of the dashboard and in again with another token.
async function signInAgain(token) {
  await page.click('#signout');
  await page.waitForSelector('#signin-form');
  await page.fill('#token', token);
  await page.click('#signin-form button');
}

const dir = mkdtempSync(join(tmpdir(), 'sb_browser_'));
// A help desk that cannot be reached (nothing listens on the discard port):
// the board's Connectors card must say so.
process.env.SB_BROWSER_HELPDESK_PASSWORD = 'unused';
writeFileSync(join(dir, 'config.yaml'),
  'outbound: {allow_loopback: true}\nconnectors:\n  - {name: helpdesk, type: request_tracker, url: "http://127.0.0.1:9", ' +
  'user: switchboard, password_env: SB_BROWSER_HELPDESK_PASSWORD, queues: {General: Network}, poll_seconds: 0.2}\n');
const server = await start(binary, dir, ADMIN, ['--config', join(dir, 'config.yaml')]);
const admin = client(server.base, ADMIN);
let browser;
let page;
let failed = false;
try {
  const team = await admin('POST', '/api/v1/teams', { name: 'Network' });
  const ada = await admin('POST', '/api/v1/agents', { name: 'Ada Lovelace', teams: [team.id], presence: 'online',
                                                       capacity: { email: 3 }, skills: { vpn: 4 } });
  await admin('POST', '/api/v1/agents', { name: 'Bo Diddley', teams: [team.id], presence: 'away', capacity: { email: 3 } });
  const adaToken = (await admin('POST', '/api/v1/tokens', { agent_id: ada.id })).token;
  const viewerToken = (await admin('POST', '/api/v1/tokens', { role: 'viewer' })).token;

  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });

  await step('a wrong token is refused with a message', async () => {
    await page.goto(server.base + '/');
    await page.fill('#token', 'not-a-token');
    await page.click('#signin-form button');
    await page.waitForFunction(() => document.querySelector('#signin-error').textContent.includes('not valid'));
    assert.equal(await page.isVisible('#app'), false);
    pageErrors.length = 0;  // the browser logs the 401 it was meant to get
  });

  await step('sign in shows the live board', async () => {
    await page.fill('#token', ADMIN);
    await page.click('#signin-form button');
    await page.waitForSelector('#queues tr[data-team="Network"]');
    await page.waitForSelector('#live.on');  // the event stream is connected
    assert.equal(await page.textContent('#agents tr[data-agent="Ada Lovelace"] td.load'), 'idle');
  });

  const subject = '<img src=x onerror="window.__xss=1">VPN down in Leeds';
  let ticket;
  await step('a ticket arrives and is assigned, live', async () => {
    ticket = await admin('POST', '/api/v1/tickets', { subject, body: 'Since 9:00.\n<script>window.__xss=2</script>',
                                                      team: team.id, channel: 'email', required_skills: { vpn: 2 },
                                                      requester: { email: 'kim@example.com', name: 'Kim' } });
    assert.equal(ticket.assignee_id, ada.id);
    // No reload: the event stream brings it into the feed and the board redraws.
    await page.waitForFunction((id) => [...document.querySelectorAll('#feed li')]
      .some((li) => li.textContent.includes('assigned') && li.textContent.includes('#' + id)), ticket.id);
    await page.waitForFunction(() => document.querySelector('#agents tr[data-agent="Ada Lovelace"] td.load')?.textContent === 'email 1/3');
    await page.screenshot({ path: join(artifacts, 'board.png'), fullPage: true });
    assert.deepEqual(await accessibilityProblems(page), [], 'axe-core on the board');
  });

  await step('a help desk that cannot be reached is said on the board', async () => {
    for (let i = 0; i < 100 && !(await admin('GET', '/api/v1/connectors')).connectors[0].last_error; ++i) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.evaluate(() => { location.hash = '#/reports'; });
    await page.waitForSelector('canvas');
    await page.evaluate(() => { location.hash = '#/'; });
    await page.waitForSelector('#connectors tr[data-connector="helpdesk"]');
    assert.match(await page.textContent('#connectors tr[data-connector="helpdesk"]'), /failing/);
    assert.match(await page.textContent('#connector-problems'), /helpdesk: cannot read RT's transactions/);
    assert.deepEqual(await accessibilityProblems(page), [], 'axe-core on the board with its connectors');
  });

  await step('its page shows the thread and why it went to Ada, as text', async () => {
    await page.click(`#feed a[href="#/tickets/${ticket.id}"]`);
    await page.waitForSelector('#ticket-subject');
    assert.equal(await page.textContent('#ticket-subject'), `#${ticket.id} ${subject}`);
    assert.equal(await page.$$eval('#ticket-subject img, #thread img, #thread script', (n) => n.length), 0);
    assert.ok((await page.textContent('#thread')).includes('<script>window.__xss=2</script>'));
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    const why = await page.textContent('#explanation');
    assert.match(why, /Ada Lovelace/);
    assert.match(why, /proficiency/);
    assert.match(await page.textContent('#routing'), /assigned/);
    await page.screenshot({ path: join(artifacts, 'ticket.png'), fullPage: true });
  });

  await step('reports draw their charts', async () => {
    await page.click('#nav a[data-view="reports"]');
    await page.waitForSelector('#chart-volume[data-rendered="true"]');
    await page.waitForSelector('#chart-load[data-rendered="true"]');
    // The volume chart holds the ticket just created; the load chart Ada's one ticket.
    const created = await page.evaluate(() => Chart.getChart('chart-volume').data.datasets[0].data.reduce((a, b) => a + b, 0));
    assert.equal(created, 1);
    const held = await page.evaluate(() => Chart.getChart('chart-load').data.datasets[0].data);
    assert.deepEqual(held, [1, 0]);
    await page.screenshot({ path: join(artifacts, 'reports.png'), fullPage: true });
    assert.deepEqual(await accessibilityProblems(page), [], 'axe-core on the reports');
  });

  await step("an agent signs in to the workspace, opens their desk and goes away", async () => {
    await signInAgain(adaToken);
    await page.waitForSelector('#view [data-view="tickets"]');
    await page.click('#nav a[data-view="mine"]');
    await page.waitForSelector('#view [data-view="mine"]');
    assert.equal(await page.isVisible('#nav a[data-view="board"]'), false);
    assert.match(await page.textContent('#view [data-view="mine"]'), /Open tickets \(1\)/);
    assert.match(await page.textContent('#view [data-view="mine"]'), /VPN down in Leeds/);
    await page.click('button:has-text("Go away")');
    await page.waitForFunction(() => document.querySelector('#view [data-view="mine"] .pill')?.textContent === 'away');
    await page.screenshot({ path: join(artifacts, 'agent.png'), fullPage: true });
    assert.deepEqual(await accessibilityProblems(page), [], 'axe-core on the agent desk');
  });

  await step("a supervisor sees their team's board and not another team's", async () => {
    const hardware = await admin('POST', '/api/v1/teams', { name: 'Hardware' });
    await admin('POST', '/api/v1/agents', { name: 'Hal', teams: [hardware.id], presence: 'online', capacity: { email: 3 } });
    await admin('POST', '/api/v1/tickets', { subject: 'Broken laptop', team: hardware.id, channel: 'email' });
    const supervisorToken = (await admin('POST', '/api/v1/tokens', { role: 'supervisor', teams: ['Network'] })).token;
    await signInAgain(supervisorToken);
    await page.click('#nav a[data-view="board"]');
    await page.waitForSelector('#queues tr[data-team="Network"]');
    await page.waitForSelector('#agents tr[data-agent="Ada Lovelace"]');
    assert.equal(await page.textContent('#who-name'), 'Supervisor · Network');
    assert.equal(await page.$$eval('#queues tr[data-team="Hardware"], #agents tr[data-agent="Hal"]', (n) => n.length), 0);
    assert.equal(await page.isVisible('#nav a[data-view="reports"]'), true);
    assert.doesNotMatch(await page.textContent('#view'), /Broken laptop/);
    await page.screenshot({ path: join(artifacts, 'supervisor.png'), fullPage: true });
  });

  await step('a viewer sees the reports and nothing else', async () => {
    await signInAgain(viewerToken);
    await page.waitForSelector('#chart-volume[data-rendered="true"]');
    assert.equal(await page.isVisible('#nav a[data-view="board"]'), false);
    assert.equal(await page.isVisible('#nav a[data-view="reports"]'), true);
    assert.equal(await page.textContent('#who-name'), 'Viewer');
    await page.screenshot({ path: join(artifacts, 'viewer.png'), fullPage: true });
  });

  assert.deepEqual(pageErrors, [], 'the page logged errors');
} catch (e) {
  failed = true;
  console.error(e);
  if (page) await page.screenshot({ path: join(artifacts, 'failure.png'), fullPage: true }).catch(() => {});
  console.error('server log:\n' + server.log());
} finally {
  console.log(steps.join('\n'));
  if (browser) await browser.close();
  server.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
console.log(failed ? 'FAILED' : `PASSED (screenshots in ${artifacts})`);
process.exit(failed ? 1 : 0);
