// Switchboard's dashboard (docs/dashboard.md): plain JavaScript, no build
// step. Every piece of ticket text reaches the page through textContent
// (never innerHTML), so a subject like "<img onerror=...>" shows as text.
'use strict';

const EVENT_TYPES = ['ticket.created', 'ticket.assigned', 'ticket.status_changed', 'sla.warning',
                     'sla.breached', 'ticket.escalated', 'ticket.comment_added', 'ticket.unassigned'];
const state = { token: sessionStorage.getItem('sb.token') || '', me: null, source: null, charts: [],
                refreshTimer: null, feed: [], agents: new Map(), teams: new Map(), teamRouting: new Map(),
                // The open view's live refresh (else the view is drawn again), keyboard
                // handler and timers; cleared when another view opens.
                refresher: null, keys: null, timers: [] };

// ---- small helpers ---------------------------------------------------------

// el('td', {class: 'num'}, 'text', childNode, ...): text arguments become text nodes.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}
const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const res = await fetch(path, { ...options,
    headers: { 'Authorization': 'Bearer ' + state.token, 'Content-Type': 'application/json', ...(options.headers || {}) } });
  const body = res.headers.get('Content-Type')?.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const message = body?.error?.message || ('HTTP ' + res.status);
    throw Object.assign(new Error(message), { status: res.status });
  }
  return body;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.abs(seconds);
  let text;
  if (s < 60) text = Math.round(s) + ' s';
  else if (s < 3600) text = Math.round(s / 60) + ' min';
  else if (s < 86400) text = (s / 3600).toFixed(1) + ' h';
  else text = (s / 86400).toFixed(1) + ' d';
  return seconds < 0 ? '−' + text : text;
}
const clock = (iso) => iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '';
const when = (iso) => iso ? new Date(iso).toLocaleString() : '—';
// A bar's filled part; set through the style object, which the page's CSP allows (a style attribute it would not).
function fill(share) {
  const span = el('span', { 'data-share': share.toFixed(2) });
  span.style.width = Math.round(share * 100) + '%';
  return span;
}
const pill = (text, kind) => el('span', { class: 'pill ' + (kind || text) }, text);
const percent = (x) => x === null || x === undefined ? '—' : (100 * x).toFixed(0) + ' %';
const agentName = (id) => id ? (state.agents.get(id)?.name || 'agent ' + id) : '—';
const teamName = (id) => id ? (state.teams.get(id) || 'team ' + id) : '—';
const ticketLink = (t) => el('a', { href: '#/tickets/' + t.id }, '#' + t.id + ' ', t.subject || '(no subject)');

// The SLA clock that breaches first among a ticket's running ones.
function nextDue(t) {
  if (!t.sla) return null;
  let best = null;
  for (const name of ['first_response', 'next_reply', 'resolution']) {
    const c = t.sla[name];
    if (!c || c.met || !c.due) continue;
    if (!best || c.due < best.due) best = { clock: name.replace('_', ' '), due: c.due, breached: c.breached };
  }
  return best;
}

function destroyCharts() {
  for (const c of state.charts) c.destroy();
  state.charts = [];
}

function chart(canvas, config) {
  if (typeof Chart === 'undefined') {
    canvas.replaceWith(el('p', { class: 'muted' }, 'The chart library is missing: run scripts/web.'));
    return;
  }
  config.options = { responsive: true, maintainAspectRatio: false, animation: false,
                     plugins: { legend: { position: 'bottom' } }, ...(config.options || {}) };
  const c = new Chart(canvas, config);
  canvas.dataset.rendered = 'true';
  state.charts.push(c);
}

// ---- sign-in and live events -------------------------------------------------

async function signIn(token) {
  state.token = token;
  try {
    state.me = await api('/api/v1/me');
  } catch (e) {
    state.token = '';
    sessionStorage.removeItem('sb.token');
    throw e;
  }
  sessionStorage.setItem('sb.token', token);
  $('signin').hidden = true;
  $('app').hidden = false;
  const role = state.me.role;
  $('who-name').textContent = role === 'admin' ? 'Administrator' : role === 'viewer' ? 'Viewer'
    : role === 'supervisor' ? 'Supervisor · ' + (state.me.teams || []).map((t) => t.name).join(', ')
    : (state.me.agent?.name || 'Agent');
  // A viewer token reads reports only; a supervisor sees the board and reports
  // of their teams (the server scopes every list; docs/security.md).
  for (const a of document.querySelectorAll('#nav a[data-role="admin"]')) {
    a.hidden = !(manages() || (role === 'viewer' && a.dataset.view === 'reports'));
  }
  if (role === 'viewer') {
    location.hash = '#/reports';
  } else {
    connectEvents();
    if (!manages() && !location.hash.startsWith('#/tickets') && !location.hash.startsWith('#/triage')) location.hash = '#/tickets';
  }
  route();
}

function signOut() {
  sessionStorage.removeItem('sb.token');
  state.token = '';
  state.me = null;
  if (state.source) state.source.close();
  destroyCharts();
  $('app').hidden = true;
  $('signin').hidden = false;
  $('token').value = '';
}

function connectEvents() {
  if (state.source) state.source.close();
  // EventSource cannot send headers: the token goes in the query (docs/dashboard.md).
  const source = new EventSource('/api/v1/events?access_token=' + encodeURIComponent(state.token));
  source.onopen = () => $('live').classList.add('on');
  source.onerror = () => $('live').classList.remove('on');
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (message) => {
      let doc;
      try { doc = JSON.parse(message.data); } catch { return; }
      state.feed.unshift({ ...doc, fresh: true });
      state.feed.length = Math.min(state.feed.length, 50);
      scheduleRefresh();
    });
  }
  state.source = source;
}

// Many events in a burst cause one refresh.
function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => (state.refresher ? state.refresher() : route(true)), 250);
}

// ---- views -------------------------------------------------------------------

// Admins and supervisors manage teams: the board, every agent's view.
function manages() {
  return state.me.role === 'admin' || state.me.role === 'supervisor';
}

async function loadDirectory() {
  if (!manages()) return;
  const [agents, teams] = await Promise.all([api('/api/v1/agents'), api('/api/v1/teams')]);
  state.agents = new Map(agents.agents.map((a) => [a.id, a]));
  state.teams = new Map(teams.teams.map((t) => [t.id, t.name]));
}

async function openTickets() {
  const lists = await Promise.all(['new', 'open', 'pending', 'hold'].map(
      (s) => api('/api/v1/tickets?limit=100&status=' + s)));
  return lists.flatMap((l) => l.tickets);
}

async function boardView(view) {
  await loadDirectory();
  const [queues, tickets, desk, links] = await Promise.all([api('/api/v1/queues'), openTickets(),
                                                      api('/api/v1/triage/desk?limit=0').catch(() => null),
                                                      api('/api/v1/connectors').catch(() => null)]);
  const agents = [...state.agents.values()];
  const waiting = queues.queues.reduce((n, q) => n + q.waiting, 0);
  const oldest = Math.max(0, ...queues.queues.map((q) => q.oldest_wait_seconds || 0));
  const online = agents.filter((a) => a.presence === 'online').length;
  const atRisk = tickets.map((t) => ({ t, due: nextDue(t) })).filter((x) => x.due)
                        .sort((a, b) => a.due.due.localeCompare(b.due.due));
  const breached = atRisk.filter((x) => x.due.breached).length;

  const kpi = (label, value, bad) => el('div', { class: 'kpi' + (bad ? ' bad' : '') },
                                        el('div', { class: 'value' }, value), el('div', { class: 'label' }, label));
  view.append(el('div', { class: 'kpis' },
    kpi('Waiting', waiting, waiting > 0 && online === 0), kpi('Oldest wait', duration(oldest)),
    kpi('Agents online', online + ' / ' + agents.length), kpi('Open tickets', tickets.length),
    kpi('SLA breached', breached, breached > 0)));

  const queueRows = queues.queues.map((q) => el('tr', { 'data-team': q.name },
    el('td', {}, q.name), el('td', { class: 'num queue-waiting' }, q.waiting),
    el('td', { class: 'num' }, duration(q.oldest_wait_seconds)), el('td', { class: 'num' }, q.agents_online),
    el('td', { class: 'num' }, q.expected_wait_seconds === null ? '—' : duration(q.expected_wait_seconds))));
  const agentRows = agents.map((a) => {
    // Capacity is per channel: the bar shows the fullest channel, the text each busy one.
    const busy = Object.keys(a.load).filter((c) => a.load[c] > 0);
    const share = Math.min(1, Math.max(0, ...busy.map((c) => a.capacity[c] ? a.load[c] / a.capacity[c] : 1)));
    return el('tr', { 'data-agent': a.name },
      el('td', {}, el('a', { href: '#/mine?agent=' + a.id }, a.name)), el('td', {}, pill(a.presence)),
      el('td', {}, el('div', { class: 'bar' + (share >= 1 ? ' full' : '') },
                      fill(share))),
      el('td', { class: 'num load' }, busy.length ? busy.map((c) => `${c} ${a.load[c]}/${a.capacity[c]}`).join(', ') : 'idle'));
  });
  const riskRows = atRisk.slice(0, 12).map(({ t, due }) => {
    const left = (new Date(due.due) - Date.now()) / 1000;
    return el('tr', {},
      el('td', {}, ticketLink(t)), el('td', {}, teamName(t.team)), el('td', {}, agentName(t.assignee_id)),
      el('td', {}, due.clock),
      el('td', { class: 'num ' + (left < 0 ? 'due-past' : left < 3600 ? 'due-soon' : '') },
         left < 0 ? 'breached ' + duration(-left) + ' ago' : 'in ' + duration(left)));
  });
  const table = (head, rows, empty) => el('table', {},
    el('thead', {}, el('tr', {}, head.map(([h, cls]) => el('th', { class: cls }, h)))),
    el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { class: 'empty', colspan: head.length }, empty))));

  view.append(el('div', { class: 'grid board' },
    el('section', { class: 'card', id: 'queues' }, el('h2', {}, 'Queues'),
       table([['Team'], ['Waiting', 'num'], ['Oldest wait', 'num'], ['Online', 'num'], ['Expected wait', 'num']],
             queueRows, 'No teams yet.')),
    el('section', { class: 'card' }, el('h2', {}, 'Live activity'), feedList()),
    el('section', { class: 'card', id: 'at-risk' }, el('h2', {}, 'Closest to breach'),
       table([['Ticket'], ['Team'], ['Agent'], ['Clock'], ['Due', 'num']], riskRows, 'No running SLA clocks.')),
    el('section', { class: 'card', id: 'agents' }, el('h2', {}, 'Agents'),
       table([['Agent'], ['Presence'], ['Load'], ['Tickets', 'num']], agentRows, 'No agents yet.')),
    desk?.team ? triageCard(desk) : '',
    links?.connectors?.length ? connectorsCard(links.connectors) : ''));
}

// Help desks kept in step (docs/connectors.md): is each reached, how far
// behind, what it refused or cannot map.
function connectorsCard(connectors) {
  const rows = connectors.map((c) => el('tr', { 'data-connector': c.name },
    el('td', {}, c.name, el('div', { class: 'muted' }, c.type.replace('_', ' '))),
    el('td', {}, pill(c.ok ? 'ok' : 'failing', c.ok ? '' : 'breached')),
    el('td', {}, c.last_sync ? clock(c.last_sync) : 'never'),
    el('td', { class: 'num' }, c.lag_seconds.toFixed(1) + ' s'),
    el('td', { class: 'num' }, c.backlog),
    el('td', { class: 'num' }, c.written),
    el('td', { class: 'num' + (c.dead_letters ? ' due-past' : '') }, c.dead_letters)));
  const problems = connectors.flatMap((c) => [
    ...(c.last_error ? [c.name + ': ' + c.last_error] : []), ...c.problems.map((p) => c.name + ': ' + p)]);
  return el('section', { class: 'card', id: 'connectors' }, el('h2', {}, 'Connectors'),
    el('table', {},
      el('thead', {}, el('tr', {}, ['Help desk', 'State', 'Last sync', 'Lag', 'Backlog', 'Written back', 'Dead'].map(
        (h, i) => el('th', { class: i >= 3 ? 'num' : '' }, h)))),
      el('tbody', {}, rows)),
    problems.length ? el('ul', { class: 'problems', id: 'connector-problems' },
                         problems.slice(0, 8).map((p) => el('li', { class: 'error' }, p))) : '');
}

// The triage desk at a glance: what waits for a person, and how fast people decide.
function triageCard(desk) {
  const s = desk.stats;
  const row = (label, value, id) => el('tr', {}, el('th', { scope: 'row' }, label), el('td', { class: 'num', id }, value));
  return el('section', { class: 'card', id: 'triage-desk' }, el('h2', {}, el('a', { href: '#/triage' }, 'Triage desk')),
    el('table', {}, el('tbody', {},
      row('Waiting', s.waiting, 'triage-waiting'), row('Oldest wait', duration(s.oldest_wait_seconds)),
      row('Decided in the last hour', s.decided_last_hour, 'triage-decided-hour'),
      row('Decided in 24 h', s.decided_24h, 'triage-decided-day'),
      row('Median time to a decision', duration(s.median_decision_seconds_24h)),
      row('Model overruled', s.decided_24h ? percent(s.overruled_24h / s.decided_24h) : '—'))));
}

function feedList() {
  const list = el('ul', { class: 'feed', id: 'feed' });
  if (!state.feed.length) list.append(el('li', { class: 'muted' }, 'Waiting for events…'));
  for (const e of state.feed.slice(0, 30)) {
    const t = e.data?.ticket;
    list.append(el('li', { class: e.fresh ? 'fresh' : '' }, el('time', {}, clock(e.created_at)),
      pill(e.type.replace('ticket.', ''), e.type.startsWith('sla.breached') ? 'breached' : ''),
      t ? ticketLink(t) : '', t?.assignee_name ? el('span', { class: 'muted' }, '→ ' + t.assignee_name) : ''));
    e.fresh = false;
  }
  return list;
}

async function reportsView(view) {
  await loadDirectory();
  const now = new Date();
  const iso = (d) => d.toISOString().replace(/\.\d+Z$/, 'Z');
  const ago = (hours) => iso(new Date(now - hours * 3600e3));
  const [hourly, week, daily, agentUse, classifier, models] = await Promise.all([
    api(`/api/v1/reports/tickets?interval=hour&from=${ago(24)}`),
    api(`/api/v1/reports/tickets?interval=none&from=${ago(24 * 7)}`),
    api(`/api/v1/reports/tickets?interval=day&from=${ago(24 * 14)}`),
    api(`/api/v1/reports/agents?from=${ago(24)}`),
    api(`/api/v1/reports/classifier?interval=day&from=${ago(24 * 30)}`),
    state.me.role === 'viewer' ? null : api('/api/v1/triage/models').catch(() => null)]);
  const canvas = (id) => el('div', { class: 'chart-box' }, el('canvas', { id }));
  const csv = (name, query) => el('a', { href: '#', onclick: (e) => { e.preventDefault(); download(name, query); } }, 'CSV');
  view.append(el('div', { class: 'grid cols-2' },
    el('section', { class: 'card' }, el('h2', {}, 'Volume by hour (24 h) ', csv('tickets', '?interval=hour')), canvas('chart-volume')),
    el('section', { class: 'card' }, el('h2', {}, 'Wait for an agent (7 days)'), canvas('chart-waits')),
    el('section', { class: 'card' }, el('h2', {}, 'SLA attainment by day (14 days)'), canvas('chart-sla')),
    el('section', { class: 'card' }, el('h2', {}, 'Tickets held per agent (now)'), canvas('chart-load')),
    el('section', { class: 'card wide' }, el('h2', {}, 'Agents over the last 24 h ', csv('agents', '')), occupancyTable(agentUse)),
    el('section', { class: 'card wide' }, el('h2', {}, 'The classifier and the people who correct it (30 days)'), classifierTable(classifier)),
    models?.models.length ? el('section', { class: 'card wide' }, el('h2', {}, 'Model checks'), modelChecks(models)) : ''));
  // Charts measure their canvas: drawn once the view is on the page.
  return () => drawReports(view, hourly, week, daily);
}

function drawReports(view, hourly, week, daily) {
  const $ = (id) => view.querySelector('#' + id);
  // Every hour of the last 24, quiet ones too (the report lists hours with tickets).
  const byHour = new Map(hourly.rows.map((r) => [Date.parse(r.bucket), r]));
  const first = Math.floor(Date.now() / 3600e3) * 3600e3 - 23 * 3600e3;
  const slots = Array.from({ length: 24 }, (_, i) => first + i * 3600e3);
  chart($('chart-volume'), { type: 'bar', data: {
    labels: slots.map((t) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })), datasets: [
    { label: 'created', data: slots.map((t) => byHour.get(t)?.created || 0), backgroundColor: '#2f6fed' },
    { label: 'solved', data: slots.map((t) => byHour.get(t)?.solved || 0), backgroundColor: '#1f9d61' }] },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });

  const edges = week.wait_histogram_edges_seconds;
  const labels = edges.map((e) => '< ' + duration(e)).concat(['≥ ' + duration(edges[edges.length - 1])]);
  const counts = edges.map(() => 0).concat([0]);
  for (const r of week.rows) r.wait_histogram.forEach((n, i) => { counts[i] += n; });
  chart($('chart-waits'), { type: 'bar', data: { labels, datasets: [
    { label: 'tickets', data: counts, backgroundColor: '#7c5cff' }] },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });

  chart($('chart-sla'), { type: 'bar', data: {
    labels: daily.rows.map((r) => new Date(r.bucket).toLocaleDateString()),
    datasets: [{ label: 'met in time (%)', data: daily.rows.map((r) => r.sla.attainment === null ? null : 100 * r.sla.attainment),
                 backgroundColor: '#1f9d61' },
               { type: 'line', label: 'breached (tickets)', data: daily.rows.map((r) => r.sla.breached), borderColor: '#d2372f',
                 backgroundColor: '#d2372f', yAxisID: 'count' }] },
    options: { scales: { y: { min: 0, max: 100, title: { display: true, text: '%' } },
                         count: { position: 'right', min: 0, ticks: { precision: 0 }, grid: { display: false } } } } });

  const agents = [...state.agents.values()];
  chart($('chart-load'), { type: 'bar', data: { labels: agents.map((a) => a.name), datasets: [
    { label: 'tickets held', data: agents.map((a) => Object.values(a.load).reduce((x, y) => x + y, 0)), backgroundColor: '#2f6fed' }] },
    options: { scales: { x: { ticks: { autoSkip: false, maxRotation: 60 } }, y: { beginAtZero: true, ticks: { precision: 0 } } } } });
}

function occupancyTable(report) {
  const rows = report.rows.map((r) => el('tr', {}, el('td', {}, r.agent), el('td', {}, r.teams),
    el('td', { class: 'num' }, duration(r.online_seconds)), el('td', { class: 'num' }, percent(r.occupancy)),
    el('td', { class: 'num' }, percent(r.utilisation)), el('td', { class: 'num' }, r.held), el('td', { class: 'num' }, r.solved)));
  return el('div', { class: 'scroll' }, el('table', { id: 'occupancy' }, el('thead', {}, el('tr', {},
    ['Agent', 'Teams', 'Online', 'Occupancy', 'Utilisation', 'Held', 'Solved']
    .map((h, i) => el('th', { class: i > 1 ? 'num' : '' }, h)))), el('tbody', {}, rows)));
}

// How often people overrule the model, per guessed label and per day; and how right its guesses were on settled tickets.
function classifierTable(report) {
  const c = report.corrections;
  const rows = c.by_label.map((r) => el('tr', {}, el('td', {}, r.key || '(no guess)'), el('td', { class: 'num' }, r.decisions),
    el('td', { class: 'num' }, r.overruled), el('td', { class: 'num' }, percent(r.rate))));
  const days = c.over_time.map((r) => el('li', {}, new Date(r.key).toLocaleDateString() + ': ' + r.decisions + ' decisions, ' +
    r.overruled + ' overruled (' + percent(r.rate) + ')'));
  return el('div', { id: 'classifier-report' },
    el('p', {}, `People decided the ${c.field} of ${c.decisions} tickets; they overruled the model's guess ${c.overruled} times (${percent(c.rate)}). ` +
       `On ${report.settled} settled tickets its guesses were right ${percent(report.accuracy)} of the time.`),
    el('div', { class: 'scroll' }, el('table', { id: 'overrules' }, el('thead', {}, el('tr', {},
      ['Model guessed', 'Decisions', 'Overruled', 'Rate'].map((h, i) => el('th', { class: i ? 'num' : '', scope: 'col' }, h)))),
      el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { class: 'empty', colspan: 4 }, 'No corrections yet.'))))),
    days.length ? el('ul', { class: 'muted' }, days) : '');
}

// Every candidate model checked against the serving one, with both models' figures on the held-out corrections.
function modelChecks(models) {
  const f1 = (f) => f ? f.macro_f1.toFixed(3) : '—';
  const cov = (f) => f ? percent(f.coverage) : '—';
  const rows = models.checks.map((c) => el('tr', {}, el('td', {}, when(c.at)), el('td', {}, c.model),
    el('td', {}, pill(c.accepted ? 'accepted' : 'refused', c.accepted ? 'online' : 'breached')),
    el('td', { class: 'num' }, f1(c.candidate) + ' / ' + f1(c.serving)), el('td', { class: 'num' }, cov(c.candidate) + ' / ' + cov(c.serving)),
    el('td', {}, c.reason), el('td', { class: 'muted' }, c.provenance)));
  return el('div', { id: 'model-checks' },
    el('p', { class: 'muted' }, models.models.map((m) => `"${m.name}" serves from ${m.path}` +
      (m.provenance ? ` (${m.provenance})` : '') + `; a candidate goes to ${m.candidate}.`).join(' ')),
    el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {},
      ['When', 'Model', 'Outcome', 'Macro-F1 (candidate / serving)', 'Coverage (candidate / serving)', 'Why', 'Learnt from']
        .map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { class: 'empty', colspan: 7 }, 'No candidate checked yet.'))))));
}

async function download(name, query) {
  const res = await fetch('/api/v1/reports/' + name + (query || '?') + (query ? '&' : '') + 'format=csv',
                          { headers: { 'Authorization': 'Bearer ' + state.token } });
  const url = URL.createObjectURL(await res.blob());
  const a = el('a', { href: url, download: name + '-report.csv' });
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

async function mineView(view, params) {
  let agentId = state.me.agent?.id;
  if (manages()) {
    await loadDirectory();
    agentId = Number(params.get('agent')) || [...state.agents.keys()][0];
    const pick = el('select', { id: 'agent-pick', onchange: (e) => { location.hash = '#/mine?agent=' + e.target.value; } },
      [...state.agents.values()].map((a) => el('option', { value: a.id, selected: a.id === agentId }, a.name)));
    view.append(el('div', { class: 'toolbar' }, el('span', { class: 'muted' }, 'Viewing as'), pick));
  }
  if (!agentId) {
    view.append(el('p', { class: 'muted' }, 'No agents yet.'));
    return;
  }
  const [agent, tickets] = await Promise.all([api('/api/v1/agents/' + agentId),
                                              api('/api/v1/tickets?limit=100&assignee_id=' + agentId)]);
  const active = tickets.tickets.filter((t) => t.status !== 'solved' && t.status !== 'closed');
  const setPresence = async (p) => {
    await api('/api/v1/agents/' + agentId + '/presence', { method: 'PUT', body: JSON.stringify({ presence: p }) });
    route(true);
  };
  view.append(el('div', { class: 'toolbar' }, el('h1', {}, agent.name), pill(agent.presence),
    ['online', 'away', 'offline'].filter((p) => p !== agent.presence)
      .map((p) => el('button', { class: 'small', onclick: () => setPresence(p) }, 'Go ' + p))));
  const rows = active.map((t) => {
    const due = nextDue(t);
    const buttons = [];
    if (t.offer_expires_at && !t.accepted_at) {
      buttons.push(el('button', { class: 'small', onclick: async () => { await api('/api/v1/tickets/' + t.id + '/accept', { method: 'POST', body: '{}' }); route(true); } }, 'Accept'));
    }
    return el('tr', {}, el('td', {}, ticketLink(t)), el('td', {}, pill(t.status)), el('td', {}, pill(t.priority, t.priority)),
      el('td', {}, due ? (due.breached ? 'breached' : 'due ' + when(due.due)) : '—'), el('td', {}, buttons));
  });
  view.append(el('section', { class: 'card' }, el('h2', {}, 'Open tickets (' + active.length + ')'),
    el('table', {}, el('thead', {}, el('tr', {}, ['Ticket', 'Status', 'Priority', 'SLA', ''].map((h) => el('th', {}, h)))),
       el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { class: 'empty', colspan: 5 }, 'Nothing open. Well done.'))))));
}

// ---- router ------------------------------------------------------------------

async function route(refresh) {
  if (!state.me) return;
  const [path, query] = (location.hash.slice(1) || '/').split('?');
  const params = new URLSearchParams(query || '');
  let name = 'board';
  let render = boardView;
  let arg = params;
  const ticket = path.match(/^\/tickets\/(\d+)$/);
  if (state.me.role === 'viewer') { name = 'reports'; render = reportsView; }
  else if (ticket) { name = 'ticket'; render = ticketView; arg = ticket[1]; }
  else if (path === '/tickets') { name = 'tickets'; render = ticketsView; }
  else if (path === '/reports') { name = 'reports'; render = reportsView; }
  else if (path === '/mine') { name = 'mine'; render = mineView; }
  else if (path === '/triage') { name = 'triage'; render = triageView; }
  else if (!manages()) { name = 'tickets'; render = ticketsView; }
  // Live refreshes redraw the board and the agent view; reports refresh when
  // opened; the ticket list waits for the person (a redraw would lose their place).
  if (refresh && (name === 'reports' || name === 'tickets')) return;
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.dataset.view === name);
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  state.refresher = null;
  state.keys = null;
  for (const t of state.timers) clearInterval(t);
  state.timers = [];
  // Views draw asynchronously: only the latest one asked for is shown (a
  // quick second navigation must not be overtaken by the first).
  const seq = state.routeSeq = (state.routeSeq || 0) + 1;
  const next = el('div', { 'data-view': name });
  let after;
  try {
    after = await render(next, arg);
  } catch (e) {
    if (seq !== state.routeSeq) return;
    if (e.status === 401) return signOut();
    next.append(el('p', { class: 'error', role: 'alert' }, e.status === 404 ? 'There is no such ticket, or it is not yours to see.' : e.message));
  }
  if (seq !== state.routeSeq) return;
  const scroll = window.scrollY;
  $('view').replaceChildren(next);
  if (typeof after === 'function') after();
  window.scrollTo(0, refresh ? scroll : 0);
}

// Keys go to the open view, except while typing (where the view's own fields handle them).
document.addEventListener('keydown', (e) => {
  if (!state.keys || e.ctrlKey || e.metaKey || e.altKey) return;
  const tag = e.target.tagName;
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || e.target.isContentEditable) return;
  state.keys(e);
});

window.addEventListener('hashchange', () => { destroyCharts(); route(); });
$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('signin-error').textContent = '';
  try {
    await signIn($('token').value.trim());
  } catch (err) {
    $('signin-error').textContent = err.status === 401 ? 'That token is not valid.' : err.message;
  }
});
$('signout').addEventListener('click', signOut);
if (state.token) signIn(state.token).catch(signOut); else $('signin').hidden = false;
