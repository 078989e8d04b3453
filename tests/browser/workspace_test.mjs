// The agent workspace in a real browser (Debian's chromium, playwright-core)
// against the real binary on loopback with a local SMTP sink, all started
// here: an agent finds a ticket by a word of its body, applies a macro,
// replies with "set pending"; the customer gets the mail with threading
// headers; the customer's answer (posted as mail) appears on the open page
// without a reload and reopens the ticket; two agents editing one ticket get
// a conflict, not a lost write; an attachment downloads and never renders;
// ticket text with markup shows literally; an agent of another team cannot
// open the ticket; axe-core finds no serious or critical violation on each
// page. Screenshots go to the artifacts directory.
//
//   node tests/browser/workspace_test.mjs BINARY ARTIFACT_DIR
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { startServer, client, launch, accessibilityProblems, stepper, finish } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const [binary, artifacts] = process.argv.slice(2);
if (!binary || !artifacts) {
  console.error('usage: workspace_test.mjs BINARY ARTIFACT_DIR');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
const ADMIN = 'workspace-admin-token-0123456789abcdef';
const { step, steps } = stepper();

// The SMTP sink (python3-aiosmtpd): a maildir the test reads.
function startSink(maildir) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [join(here, '../support/smtp_sink.py'), maildir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let said = '';
    child.stdout.on('data', (d) => {
      said += d;  // the line may come in pieces
      const m = said.match(/listening (\d+)\n/);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error('the SMTP sink exited with ' + code)));
  });
}

async function eventually(what, fn, seconds = 20) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function mailsIn(maildir) {
  const out = [];
  for (const sub of ['new', 'cur']) {
    let names = [];
    try { names = readdirSync(join(maildir, sub)); } catch { /* not yet */ }
    for (const n of names) out.push(readFileSync(join(maildir, sub, n), 'utf8'));
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'sb_workspace_'));
const maildir = join(dir, 'maildir');
let sink;
let server;
let browser;
let error = null;
const pages = [];
try {
  sink = await startSink(maildir);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `teams: [Network, Hardware]
outbound: {allow_loopback: true}
customers:
  attributes: [{name: lifetime_value, type: number}]
notifications:
  smtp: {url: "smtp://127.0.0.1:${sink.port}", from: "Help desk <help@example.com>"}
sla:
  policies:
    - {name: standard, first_response_minutes: 120, resolution_minutes: 1440}
macros:
  - name: Spooler restart
    body: "Hello {{requester_name}},\\n\\nI am {{agent_name}} and I have ticket #{{ticket_id}} ({{ticket_subject}}); we answer by {{sla_due}}.\\nPlease restart the print spooler."
    status: pending
    add_tags: [spooler]
`);
  server = await startServer(binary, dir, ADMIN, ['--config', config]);
  const admin = client(server.base, ADMIN);
  const teams = (await admin('GET', '/api/v1/teams')).teams;
  const network = teams.find((t) => t.name === 'Network').id;
  const hardware = teams.find((t) => t.name === 'Hardware').id;
  const ada = await admin('POST', '/api/v1/agents', { name: 'Ada Lovelace', email: 'ada@example.com', teams: [network], presence: 'online', capacity: { email: 5 } });
  const bo = await admin('POST', '/api/v1/agents', { name: 'Bo Diddley', email: 'bo@example.com', teams: [network], presence: 'away', capacity: { email: 5 } });
  const hal = await admin('POST', '/api/v1/agents', { name: 'Hal', teams: [hardware], presence: 'online', capacity: { email: 5 } });
  const token = async (id) => (await admin('POST', '/api/v1/tokens', { agent_id: id })).token;
  const [adaToken, boToken, halToken] = [await token(ada.id), await token(bo.id), await token(hal.id)];

  // Who is asking: Kim's record, of an organisation Ada looks after.
  const films = await admin('POST', '/api/v1/organizations', { name: 'Novak Films', domains: ['novak.example'], tier: 'vip', account_owner_id: ada.id });
  await admin('POST', '/api/v1/customers', { name: 'Kim Novak', emails: ['kim@example.com'], organization_id: films.id,
                                             language: 'cs', attributes: { lifetime_value: 4000 } });

  // The customer's e-mail: markup in subject and body, a rare word, an HTML attachment.
  const subject = 'Printer <b>on fire</b> <img src=x onerror="window.__xss=1">';
  const mail = ['From: Kim Novak <kim@example.com>', 'To: help@example.com', `Subject: ${subject}`,
                'Message-ID: <first-1@example.com>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=XX', '',
                '--XX', 'Content-Type: text/plain; charset=utf-8', '',
                'The flamingo printer smokes.', '<script>window.__xss=2</script>', '',
                '--XX', 'Content-Type: text/html; name="report.html"', 'Content-Disposition: attachment; filename="report.html"', '',
                '<script>window.__xss=3</script><h1>report</h1>', '--XX--', ''].join('\r\n');
  const posted = await admin('POST', '/api/v1/mail', mail);
  const id = posted.ticket_id;
  const routed = await admin('PATCH', `/api/v1/tickets/${id}`, { team: network });
  assert.equal(routed.assignee_id, ada.id);
  for (const s of ['VPN drops at night', 'Laptop fan noise', 'Password expired']) {
    await admin('POST', '/api/v1/tickets', { subject: s, body: 'Please help.', team: network, channel: 'email',
                                             requester: { email: 'lee@example.org', name: 'Lee' } });
  }
  await admin('POST', '/api/v1/tickets', { subject: 'Flamingo monitor', body: 'flamingo', team: hardware, channel: 'email' });

  browser = await launch();
  const open = async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 950 }, acceptDownloads: true });
    const page = await context.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
    pages.push(page);
    return page;
  };
  const signIn = async (page, tok) => {
    await page.goto(server.base + '/');
    await page.fill('#token', tok);
    await page.click('#signin-form button');
    await page.waitForSelector('#app:not([hidden])');
  };
  const accessible = async (page, name) => {
    const problems = await accessibilityProblems(page);
    assert.deepEqual(problems, [], `axe-core on ${name}`);
  };

  const page = await open();
  await step('the sign-in page is accessible', async () => {
    await page.goto(server.base + '/');
    await page.waitForSelector('#signin-form');
    await accessible(page, 'the sign-in page');
  });
  await step('an agent signs in to her views and finds the ticket by a word of its body', async () => {
    await signIn(page, adaToken);
    await page.waitForSelector('#ticket-list tr[data-id]');
    assert.match(await page.textContent('#list-title'), /Mine/);
    await accessible(page, 'the ticket list');
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-q');
    await page.fill('#f-q', 'flamingo');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#list-title')?.textContent === 'Search results');
    const rows = await page.$$eval('#ticket-list tr[data-id]', (trs) => trs.map((tr) => Number(tr.dataset.id)));
    assert.deepEqual(rows, [id]);  // Hardware's flamingo is not hers to see
    await page.screenshot({ path: join(artifacts, 'workspace.png'), fullPage: true });
    await page.click(`#ticket-list a[href="#/tickets/${id}"]`);
    await page.waitForSelector('#composer');
  });

  await step('ticket text with markup shows literally', async () => {
    assert.equal(await page.textContent('#ticket-subject'), `#${id} ${subject}`);
    assert.equal(await page.$$eval('#ticket-subject img, #ticket-subject b, #thread img, #thread script', (n) => n.length), 0);
    assert.ok((await page.textContent('#thread')).includes('<script>window.__xss=2</script>'));
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    const customer = await page.textContent('#customer');
    for (const text of ['Kim Novak', 'lifetime value', '4000', 'Novak Films', 'Account owner', 'Ada Lovelace', 'Ticket tiervip']) {
      assert.ok(customer.includes(text), `the customer card shows ${text}: ${customer}`);
    }
    assert.match(await page.textContent('#matched'), /by address kim@example\.com.*organisation \d+ \(Novak Films\) of the customer/);
    await accessible(page, 'the ticket page');
  });

  await step('an attachment downloads and never renders', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#thread button.attachment')]);
    assert.equal(download.suggestedFilename(), 'report.html');
    const saved = join(dir, 'report.html');
    await download.saveAs(saved);
    assert.equal(readFileSync(saved, 'utf8').trim(), '<script>window.__xss=3</script><h1>report</h1>');
    assert.equal(page.context().pages().length, 1);  // no tab opened to show it
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    const res = await fetch(`${server.base}/api/v1/tickets/${id}/messages/1/attachments/0`, { headers: { Authorization: 'Bearer ' + adaToken } });
    assert.match(res.headers.get('content-disposition'), /^attachment;/);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });

  await step('a macro fills its placeholders', async () => {
    await page.selectOption('#macro', { label: 'Spooler restart' });
    const text = await page.inputValue('#composer');
    assert.match(text, /^Hello Kim Novak,/);
    assert.match(text, new RegExp(`I am Ada Lovelace and I have ticket #${id} \\(Printer <b>on fire</b>`));
    assert.match(text, /we answer by \w{3} \d+ \w{3} \d{4} \d\d:\d\d UTC\./);  // the first-response clock's due time
    assert.doesNotMatch(text, /\{\{/);
    assert.equal(await page.inputValue('#send-status'), 'pending');
  });

  let replyId;
  await step('she replies with a file and "set pending" and the customer gets the mail, threaded', async () => {
    await page.fill('#composer', 'Please restart the print spooler, then try again.');
    await page.setInputFiles('#files', { name: 'steps.txt', mimeType: 'text/plain', buffer: Buffer.from('1. Open services.msc\n') });
    await page.evaluate(() => { window.__marker = 'no reload'; });
    await page.click('#send');
    await page.waitForFunction(() => [...document.querySelectorAll('#thread .msg.reply')].some((m) => m.textContent.includes('restart the print spooler')));
    await page.waitForFunction(() => document.querySelector('#ticket-status')?.textContent === 'pending');
    const sent = await eventually('the reply at the SMTP sink', () => mailsIn(maildir).find((m) => m.includes('restart the print spooler')));
    assert.match(sent, /^To: .*kim@example\.com/m);
    assert.match(sent, /^In-Reply-To: <first-1@example\.com>/m);
    assert.match(sent, /^References: .*<first-1@example\.com>/m);
    replyId = sent.match(/^Message-Id: <([^>]+)>/mi)[1];
    assert.match(sent, /Content-Disposition: attachment; filename=steps\.txt/i);
    assert.ok(sent.includes(Buffer.from('1. Open services.msc\n').toString('base64')), 'the file travels base64 in the mail');
    // The reply's file is on the page too, and downloads.
    const [download] = await Promise.all([page.waitForEvent('download'),
      page.click('#thread .msg.reply button.attachment')]);
    assert.equal(download.suggestedFilename(), 'steps.txt');
    assert.doesNotMatch(sent, /^Auto-Submitted:/mi);  // a person wrote it
    const ticket = await admin('GET', `/api/v1/tickets/${id}`);
    assert.equal(ticket.status, 'pending');
  });

  await step("the customer's answer appears without a reload and reopens the ticket", async () => {
    const answer = ['From: Kim Novak <kim@example.com>', 'To: help@example.com', `Subject: Re: ticket ${id}`,
                    'Message-ID: <answer-2@example.com>', `In-Reply-To: <${replyId}>`, `References: <first-1@example.com> <${replyId}>`,
                    'Content-Type: text/plain', '', 'Restarted it. The printer still smokes.', ''].join('\r\n');
    const threaded = await admin('POST', '/api/v1/mail', answer);
    assert.equal(threaded.ticket_id, id);
    await page.waitForFunction(() => [...document.querySelectorAll('#thread .msg.customer')].some((m) => m.textContent.includes('still smokes')));
    await page.waitForFunction(() => document.querySelector('#ticket-status')?.textContent === 'open');
    assert.equal(await page.evaluate(() => window.__marker), 'no reload');
    await page.screenshot({ path: join(artifacts, 'ticket.png'), fullPage: true });
  });

  await step('two agents editing one ticket get a conflict, not a lost write', async () => {
    const boPage = await open();
    await signIn(boPage, boToken);
    await boPage.goto(`${server.base}/#/tickets/${id}`);
    await boPage.waitForSelector('#composer');
    // Bo sees that Ada has the ticket open.
    await boPage.waitForFunction(() => document.querySelector('#viewers')?.textContent.includes('Ada Lovelace'));
    await page.selectOption('#p-priority', 'low');      // Ada starts a change...
    await boPage.selectOption('#p-priority', 'urgent');  // ...Bo saves his first
    await boPage.click('#save');
    await eventually("Bo's change", async () => (await admin('GET', `/api/v1/tickets/${id}`)).priority === 'urgent');
    await page.click('#save');
    await page.waitForSelector('#conflict');
    assert.match(await page.textContent('#conflict'), /changed this ticket after you opened it/);
    page.errors = page.errors.filter((e) => !e.includes('status of 412'));  // the browser logs the refusal it was meant to get
    assert.equal((await admin('GET', `/api/v1/tickets/${id}`)).priority, 'urgent');
    await accessible(page, 'the ticket page with a conflict');
  });

  await step('bulk actions give a result per ticket', async () => {
    await page.goto(`${server.base}/#/tickets?view=teams`);
    await page.waitForSelector('#ticket-list tr[data-id]');
    await page.check('#select-all');
    await page.selectOption('#bulk-priority', 'high');
    await page.click('#bulk-apply');
    await page.waitForSelector('#bulk-results li');
    const results = await page.$$eval('#bulk-results li', (lis) => lis.map((li) => li.textContent));
    assert.equal(results.length, 4);
    assert.ok(results.every((r) => r.endsWith('changed')), results.join('; '));
    await accessible(page, 'the ticket list with the bulk bar');
  });

  await step('an agent of another team cannot open the ticket', async () => {
    const halPage = await open();
    await signIn(halPage, halToken);
    await halPage.goto(`${server.base}/#/tickets/${id}`);
    await halPage.waitForSelector('#view p.error');
    assert.match(await halPage.textContent('#view'), /no such ticket/);
    halPage.errors = halPage.errors.filter((e) => !e.includes('status of 404'));
    assert.doesNotMatch(await halPage.textContent('#view'), /flamingo|Printer/);
    const res = await fetch(`${server.base}/api/v1/tickets/${id}`, { headers: { Authorization: 'Bearer ' + halToken } });
    assert.equal(res.status, 404);
    await accessible(halPage, "another team's agent's page");
  });

  for (const p of pages) assert.deepEqual(p.errors, [], 'a page logged errors');
} catch (e) {
  error = e;
}
await finish({ error, pages, server, browser, artifacts, steps, cleanup: () => {
  if (sink) sink.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
} });
