// The agent workspace (docs/dashboard.md): ticket views and search with bulk
// actions, and the ticket page worked from the keyboard. Loaded before
// app.js, whose helpers (el, api, pill, state, ...) it uses when called.
// Every action is one API call with the signed-in token: the page can do
// nothing the token cannot do over HTTP. Ticket text reaches the page only
// through textContent.
'use strict';

const OPEN_STATUSES = 'new,open,pending,hold';
// The built-in views: a name and the query GET /api/v1/tickets takes.
function builtInViews() {
  const me = state.me.agent?.id;
  const views = [];
  if (me) views.push({ key: 'mine', name: 'Mine', query: `assignee_id=${me}&status=${OPEN_STATUSES}&sort=updated` });
  views.push({ key: 'teams', name: state.me.role === 'admin' ? 'All open' : "My teams' queues", query: `status=${OPEN_STATUSES}&sort=updated` },
             { key: 'unassigned', name: 'Unassigned', query: `assignee_id=none&status=${OPEN_STATUSES}&sort=created` },
             { key: 'breach', name: 'Closest to breach', query: 'sort=due' },
             { key: 'solved', name: 'Solved recently', query: 'status=solved,closed&sort=updated' });
  return views;
}

const FILTERS = [
  // name, label, kind, choices
  ['q', 'Search', 'search'],
  ['status', 'Status', 'select', ['', 'new', 'open', 'pending', 'hold', 'solved', 'closed', OPEN_STATUSES]],
  ['priority', 'Priority', 'select', ['', 'low', 'normal', 'high', 'urgent']],
  ['channel', 'Channel', 'select', ['', 'email', 'web', 'chat', 'phone', 'api']],
  ['team', 'Team', 'team'],
  ['assignee_id', 'Agent', 'agent'],
  ['category', 'Category', 'text'],
  ['tag', 'Tag', 'text'],
  ['requester', 'Requester', 'text'],
  ['created_from', 'Created from', 'date'],
  ['created_to', 'Created before', 'date'],
  ['updated_from', 'Updated from', 'date'],
  ['sort', 'Sort', 'select', ['updated', 'created', 'due', 'id']],
];
const statusLabel = (s) => s === OPEN_STATUSES ? 'any open' : s || 'any';

// Agents and teams the caller may name (an agent: teammates and their teams).
// Who is asking (docs/customers.md): the customer record intake matched,
// its organisation and account owner, their attributes, and how they matched.
function customerPanel(t, c) {
  const attrs = (a) => Object.entries(a || {}).map(([k, v]) => [k.replace(/_/g, ' '), String(v)]);
  const rows = [];
  if (c) {
    rows.push(['Name', c.name || '—'], ['Addresses', c.emails.join(', ') || '—']);
    if (c.tier) rows.push(['Own tier', c.tier]);
    if (c.language) rows.push(['Language', c.language]);
    if (c.time_zone) rows.push(['Time zone', c.time_zone]);
    if (c.external_id) rows.push(['External id', c.external_id]);
    rows.push(...attrs(c.attributes));
  }
  const o = c?.organization;
  if (o) {
    rows.push(['Organisation', o.name], ['Domains', o.domains.join(', ') || '—']);
    if (o.tier) rows.push(['Organisation tier', o.tier]);
    if (o.account_owner_id) rows.push(['Account owner', agentName(o.account_owner_id)]);
    rows.push(...attrs(o.attributes).map(([k, v]) => [k + ' (organisation)', v]));
  }
  rows.push(['Ticket tier', t.requester.tier]);
  return el('section', { class: 'card', id: 'customer', 'aria-labelledby': 'customer-title' },
    el('h2', { id: 'customer-title' }, 'Customer'),
    c || t.requester.matched ? el('dl', { class: 'facts' }, rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])) : el('p', { class: 'muted' }, 'No customer record.'),
    t.requester.matched ? el('p', { class: 'muted', id: 'matched' }, 'Matched: ' + t.requester.matched) : '');
}

async function loadPeople() {
  const [agents, teams] = await Promise.all([api('/api/v1/agents'), api('/api/v1/teams')]);
  state.agents = new Map(agents.agents.map((a) => [a.id, a]));
  state.teams = new Map(teams.teams.map((t) => [t.id, t.name]));
  state.teamRouting = new Map(teams.teams.map((t) => [t.id, t.routing]));
}

// A ticket list query as the filters' values (dates as YYYY-MM-DD).
function queryFromForm(form) {
  const params = new URLSearchParams();
  for (const [name, , kind] of FILTERS) {
    const v = form.elements[name].value.trim();
    if (!v) continue;
    params.set(name, kind === 'date' ? v + 'T00:00:00Z' : v);
  }
  return params.toString();
}

// ---- the ticket list: views, search, bulk actions ------------------------------

async function ticketsView(view, params) {
  await loadPeople();
  const saved = (await api('/api/v1/views')).views;
  const views = builtInViews();
  let query = params.get('query');
  const key = params.get('view') || (query ? '' : views[0].key);
  const chosen = views.find((v) => v.key === key) || saved.find((v) => 'saved-' + v.id === key);
  if (!query) query = chosen ? chosen.query : views[0].query;
  const current = new URLSearchParams(query);

  const side = el('nav', { class: 'card views', 'aria-label': 'Ticket views' }, el('h2', {}, 'Views'),
    el('ul', {}, views.map((v) => el('li', {}, el('a', { href: '#/tickets?view=' + v.key, class: v.key === key ? 'active' : '',
                                                        'aria-current': v.key === key ? 'page' : null }, v.name)))),
    el('h2', {}, 'Saved views'),
    saved.length ? el('ul', { id: 'saved-views' }, saved.map((v) => el('li', {},
      el('a', { href: '#/tickets?view=saved-' + v.id + '&query=' + encodeURIComponent(v.query),
                class: 'saved-' + v.id === key ? 'active' : '' }, v.name, v.shared ? ' (shared)' : ''),
      v.mine || state.me.role === 'admin' ? el('button', { class: 'link small', 'aria-label': 'Delete view ' + v.name,
        onclick: async () => { await api('/api/v1/views/' + v.id, { method: 'DELETE' }); route(true); } }, '×') : '')))
      : el('p', { class: 'muted' }, 'None yet: search, then "Save view".'));

  const field = ([name, label, kind, choices]) => {
    const id = 'f-' + name;
    let input;
    const value = current.get(name) || '';
    if (kind === 'select') {
      input = el('select', { id, name }, choices.map((c) => el('option', { value: c, selected: c === value }, name === 'status' ? statusLabel(c) : c || 'any')));
    } else if (kind === 'team') {
      input = el('select', { id, name }, el('option', { value: '' }, 'any'),
        [...state.teams].map(([tid, n]) => el('option', { value: tid, selected: String(tid) === value }, n)));
    } else if (kind === 'agent') {
      input = el('select', { id, name }, el('option', { value: '' }, 'any'), el('option', { value: 'none', selected: value === 'none' }, 'unassigned'),
        [...state.agents.values()].map((a) => el('option', { value: a.id, selected: String(a.id) === value }, a.name)));
    } else {
      input = el('input', { id, name, type: kind === 'date' ? 'date' : kind === 'search' ? 'search' : 'text',
                            value: kind === 'date' ? value.slice(0, 10) : value,
                            placeholder: kind === 'search' ? 'Words in subject, body, conversation or requester  ( / )' : '' });
    }
    return el('div', { class: 'field field-' + kind }, el('label', { for: id }, label), input);
  };
  const form = el('form', { id: 'search-form', class: 'card filters', role: 'search' }, FILTERS.map(field),
    el('div', { class: 'field actions' }, el('button', { type: 'submit' }, 'Search'),
       el('button', { type: 'button', class: 'secondary', id: 'save-view', onclick: () => saveView(form) }, 'Save view')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = '#/tickets?query=' + encodeURIComponent(queryFromForm(form));
  });

  const list = el('tbody', { id: 'ticket-rows' });
  const table = el('table', { id: 'ticket-list' }, el('caption', { class: 'sr-only' }, 'Tickets'),
    el('thead', {}, el('tr', {}, el('th', {}, el('input', { type: 'checkbox', id: 'select-all', 'aria-label': 'Select all shown',
      onchange: (e) => { for (const c of list.querySelectorAll('input[type=checkbox]')) c.checked = e.target.checked; showBulk(); } })),
      ['Ticket', 'Requester', 'Status', 'Priority', 'Team', 'Agent', 'Updated'].map((h) => el('th', { scope: 'col' }, h)))),
    list);
  const more = el('button', { class: 'secondary', id: 'load-more', hidden: true }, 'Load more');
  const bulk = bulkBar(list);
  const showBulk = () => { bulk.hidden = !list.querySelector('input[type=checkbox]:checked'); };
  list.addEventListener('change', showBulk);

  let cursor = null;
  const page = async () => {
    const res = await api('/api/v1/tickets?limit=50&' + query + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    for (const t of res.tickets) list.append(ticketRow(t));
    if (!list.children.length) list.append(el('tr', {}, el('td', { class: 'empty', colspan: 8 }, 'No tickets match.')));
    cursor = res.next_cursor;
    more.hidden = !cursor;
  };
  more.addEventListener('click', () => page().catch((e) => list.append(el('tr', {}, el('td', { colspan: 8, class: 'error' }, e.message)))));
  try {
    await page();
  } catch (e) {
    if (e.status === 401) throw e;
    list.append(el('tr', {}, el('td', { colspan: 8, class: 'error', role: 'alert' }, e.message)));
  }
  view.append(el('div', { class: 'desk' }, side,
    el('div', { class: 'grid' }, form, bulk,
      el('section', { class: 'card', 'aria-labelledby': 'list-title' },
        el('h1', { id: 'list-title' }, chosen ? chosen.name : 'Search results'), el('div', { class: 'scroll' }, table), more))));
  // Keyboard: / search, j/k move, x select, Enter or o open. Installed once
  // the view is shown (route() calls what a view returns).
  return () => { state.keys = listKeys; };
  function listKeys(e) {
    const rows = [...list.querySelectorAll('tr[data-id]')];
    const at = rows.findIndex((r) => r.classList.contains('cursor'));
    const move = (i) => {
      rows.forEach((r) => r.classList.remove('cursor'));
      const r = rows[Math.max(0, Math.min(rows.length - 1, i))];
      if (r) { r.classList.add('cursor'); r.querySelector('a').focus(); }
    };
    if (e.key === '/') { e.preventDefault(); form.elements.q.focus(); }
    else if (e.key === 'j') move(at + 1);
    else if (e.key === 'k') move(at - 1);
    else if (e.key === 'x' && at >= 0) { const c = rows[at].querySelector('input'); c.checked = !c.checked; showBulk(); }
    else if ((e.key === 'o' || e.key === 'Enter') && at >= 0 && e.target.tagName !== 'A') location.hash = '#/tickets/' + rows[at].dataset.id;
  }
}

function ticketRow(t) {
  return el('tr', { 'data-id': t.id },
    el('td', {}, el('input', { type: 'checkbox', value: t.id, 'aria-label': 'Select ticket ' + t.id })),
    el('td', {}, ticketLink(t)), el('td', {}, t.requester.name || t.requester.email || '—'),
    el('td', {}, pill(t.status)), el('td', {}, pill(t.priority, t.priority)), el('td', {}, teamName(t.team)),
    el('td', {}, t.assignee_name || (t.assignee_id ? agentName(t.assignee_id) : 'unassigned')),
    el('td', { class: 'num' }, when(t.updated_at)));
}

async function saveView(form) {
  const name = prompt('Name of the view');
  if (!name) return;
  const shared = state.me.role !== 'agent' && confirm('Share it with everyone?');
  try {
    const v = await api('/api/v1/views', { method: 'POST', body: JSON.stringify({ name, query: queryFromForm(form), shared }) });
    location.hash = '#/tickets?view=saved-' + v.id + '&query=' + encodeURIComponent(v.query);
  } catch (e) {
    alert(e.message);
  }
}

// The bar that changes every checked ticket at once, with a result per ticket.
function bulkBar(list) {
  const result = el('ul', { id: 'bulk-results', class: 'results', 'aria-live': 'polite' });
  const choice = (id, label, options) => el('div', { class: 'field' }, el('label', { for: id }, label),
    el('select', { id }, el('option', { value: '' }, 'keep'), options));
  const statusSel = choice('bulk-status', 'Status', ['open', 'pending', 'hold', 'solved'].map((s) => el('option', { value: s }, s)));
  const prioritySel = choice('bulk-priority', 'Priority', ['low', 'normal', 'high', 'urgent'].map((s) => el('option', { value: s }, s)));
  const agentSel = choice('bulk-assignee', 'Assign to', [el('option', { value: 'none' }, 'nobody (queue)'),
    ...[...state.agents.values()].map((a) => el('option', { value: a.id }, a.name))]);
  const teamSel = choice('bulk-team', 'Move to team', [...state.teams].map(([id, n]) => el('option', { value: id }, n)));
  const tag = el('div', { class: 'field' }, el('label', { for: 'bulk-tag' }, 'Add tag'), el('input', { id: 'bulk-tag', type: 'text' }));
  const apply = el('button', { type: 'button', id: 'bulk-apply' }, 'Apply to selected');
  const bar = el('section', { class: 'card bulk', id: 'bulk', hidden: true, 'aria-label': 'Change the selected tickets' },
    statusSel, prioritySel, agentSel, teamSel, tag, el('div', { class: 'field actions' }, apply), result);
  apply.addEventListener('click', async () => {
    const ids = [...list.querySelectorAll('input[type=checkbox]:checked')].map((c) => Number(c.value));
    const changes = {};
    const v = (id) => bar.querySelector('#' + id).value;
    if (v('bulk-status')) changes.status = v('bulk-status');
    if (v('bulk-priority')) changes.priority = v('bulk-priority');
    if (v('bulk-assignee')) changes.assignee_id = v('bulk-assignee') === 'none' ? null : Number(v('bulk-assignee'));
    if (v('bulk-team')) changes.team = Number(v('bulk-team'));
    result.replaceChildren();
    // A tag is added to each ticket's own tags: one change per ticket then.
    const tagText = v('bulk-tag').trim();
    try {
      let results;
      if (tagText) {
        results = [];
        for (const id of ids) {
          const t = await api('/api/v1/tickets/' + id);
          const tags = t.tags.includes(tagText) ? t.tags : [...t.tags, tagText];
          const one = await api('/api/v1/tickets/bulk', { method: 'POST', body: JSON.stringify({ ids: [id], changes: { ...changes, tags } }) });
          results.push(...one.results);
        }
      } else {
        results = (await api('/api/v1/tickets/bulk', { method: 'POST', body: JSON.stringify({ ids, changes }) })).results;
      }
      for (const r of results) {
        result.append(el('li', { class: r.status === 200 ? 'ok' : 'error' }, '#' + r.id + ': ',
          r.status === 200 ? 'changed' : r.error.message));
      }
    } catch (e) {
      result.append(el('li', { class: 'error' }, e.message));
    }
  });
  return bar;
}

// ---- the ticket page -------------------------------------------------------------

// Downloads an attachment (the API needs the token, so fetch it and save the
// blob; it is never shown inline).
async function downloadAttachment(ticketId, messageId, index, name) {
  const res = await fetch(`/api/v1/tickets/${ticketId}/messages/${messageId}/attachments/${index}`,
                          { headers: { 'Authorization': 'Bearer ' + state.token } });
  if (!res.ok) { alert('The attachment could not be fetched (' + res.status + ').'); return; }
  const url = URL.createObjectURL(await res.blob());
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function threadOf(t, comments) {
  const items = [];
  // A mail ticket's first message is its e-mail; others show the ticket's own text first.
  const first = comments[0];
  if (!(first && first.author.type === 'customer' && first.body === t.body)) {
    items.push(el('article', { class: 'msg customer' }, el('div', { class: 'meta' }, (t.requester.name || t.requester.email || 'Customer') + ' · ' + when(t.created_at)),
                  el('div', { class: 'body' }, t.body || '(no text)')));
  }
  for (const m of comments) {
    const kind = m.author.type === 'customer' ? 'customer' : m.public === false ? 'note' : 'reply';
    items.push(el('article', { class: 'msg ' + kind, 'data-message': m.id },
      el('div', { class: 'meta' }, (m.author.name || m.author.email || m.author.type) + ' · ' + (kind === 'note' ? 'internal note · ' : '') + when(m.created_at)),
      el('div', { class: 'body' }, m.body),
      m.attachments.length ? el('ul', { class: 'attachments' }, m.attachments.map((a, i) => el('li', {},
        el('button', { class: 'link attachment', type: 'button', onclick: () => downloadAttachment(t.id, m.id, i, a.name) },
           '↓ ' + a.name), el('span', { class: 'muted' }, ' ' + a.content_type + ', ' + Math.max(1, Math.round(a.size / 1024)) + ' KB')))) : ''));
  }
  return items;
}

async function ticketView(view, id) {
  await loadPeople();
  const res = await fetch('/api/v1/tickets/' + id, { headers: { 'Authorization': 'Bearer ' + state.token } });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw Object.assign(new Error(body?.error?.message || 'HTTP ' + res.status), { status: res.status });
  }
  let t = await res.json();
  let etag = res.headers.get('ETag');
  const [routing, macros, others, customer] = await Promise.all([
    api('/api/v1/tickets/' + id + '/routing'), api('/api/v1/tickets/' + id + '/macros'),
    t.requester.email ? api('/api/v1/tickets?sort=updated&limit=11&requester=' + encodeURIComponent(t.requester.email)) : { tickets: [] },
    t.requester.customer_id ? api('/api/v1/customers/' + t.requester.customer_id).catch(() => null) : null]);
  const loadedAt = Math.max(0, ...t.comments.map((m) => m.id));
  const me = state.me.agent?.id;

  // Notices: conflicts, collisions, errors; read out by screen readers.
  const notices = el('div', { id: 'notices', 'aria-live': 'polite' });
  const notice = (kind, text, action) => {
    const n = el('div', { class: 'notice ' + kind, id: kind === 'conflict' ? 'conflict' : null, role: kind === 'conflict' ? 'alert' : null },
                 text, action || '');
    notices.append(n);
    return n;
  };
  const viewers = el('p', { id: 'viewers', class: 'muted' });

  // The conversation and the composer.
  const thread = el('div', { class: 'thread', id: 'thread' }, threadOf(t, t.comments));
  const text = el('textarea', { id: 'composer', rows: 6, 'aria-label': 'Message', placeholder: 'Write a reply…  (r reply, n note, Ctrl+Enter send)' });
  let isPublic = true;
  const replyTab = el('button', { type: 'button', id: 'mode-reply', class: 'tab', 'aria-pressed': 'true' }, 'Reply to customer');
  const noteTab = el('button', { type: 'button', id: 'mode-note', class: 'tab', 'aria-pressed': 'false' }, 'Internal note');
  const setMode = (pub) => {
    isPublic = pub;
    replyTab.setAttribute('aria-pressed', String(pub));
    noteTab.setAttribute('aria-pressed', String(!pub));
    text.classList.toggle('note', !pub);
    text.setAttribute('aria-label', pub ? 'Reply to the customer' : 'Internal note');
  };
  replyTab.addEventListener('click', () => setMode(true));
  noteTab.addEventListener('click', () => setMode(false));
  const sendStatus = el('select', { id: 'send-status' }, ['', 'open', 'pending', 'hold', 'solved'].map((s) =>
    el('option', { value: s }, s ? 'and set ' + s : 'and keep the status')));
  let pendingChanges = {};
  const macroPick = el('select', { id: 'macro' }, el('option', { value: '' }, 'Apply a macro…'),
    macros.macros.map((m) => el('option', { value: m.id }, m.name)));
  macroPick.addEventListener('change', () => {
    const m = macros.macros.find((x) => String(x.id) === macroPick.value);
    if (!m) return;
    text.value = m.body;
    setMode(m.public);
    sendStatus.value = m.changes.status || '';
    pendingChanges = {};
    if (m.changes.priority) pendingChanges.priority = m.changes.priority;
    if (m.changes.add_tags) pendingChanges.tags = [...new Set([...t.tags, ...m.changes.add_tags])];
    macroPick.value = '';
    text.focus();
  });
  // Files to send with the message (base64 in the JSON body, which is at most 1 MiB).
  const files = el('input', { type: 'file', id: 'files', multiple: true });
  const send = el('button', { type: 'button', id: 'send' }, 'Send');
  const sendError = el('p', { class: 'error', role: 'alert', id: 'send-error' });
  const composer = el('section', { class: 'card composer', 'aria-label': 'Reply or note' },
    el('div', { class: 'tabs' }, replyTab, noteTab, el('label', { for: 'macro', class: 'sr-only' }, 'Macro'), macroPick),
    text, el('div', { class: 'send-row' }, el('label', { for: 'files', class: 'files-label' }, 'Attach files'), files,
      el('label', { for: 'send-status', class: 'sr-only' }, 'Status after sending'), sendStatus, send),
    sendError);
  const doSend = async () => {
    const body = text.value;
    if (!body.trim()) { sendError.textContent = 'Write something first.'; return; }
    sendError.textContent = '';
    send.disabled = true;
    try {
      const payload = { body, public: isPublic };
      if (sendStatus.value) payload.status = sendStatus.value;
      if (files.files.length) {
        payload.attachments = await Promise.all([...files.files].map((f) => new Promise((resolve, reject) => {
          const reader = new FileReader();
          reader.onload = () => resolve({ name: f.name, content_type: f.type || 'application/octet-stream',
                                          content_base64: String(reader.result).split(',')[1] || '' });
          reader.onerror = () => reject(new Error('could not read ' + f.name));
          reader.readAsDataURL(f);
        })));
      }
      await api('/api/v1/tickets/' + id + '/comments', { method: 'POST', body: JSON.stringify(payload) });
      if (Object.keys(pendingChanges).length) {
        await api('/api/v1/tickets/' + id, { method: 'PATCH', body: JSON.stringify(pendingChanges) });
      }
      text.value = '';
      files.value = '';
      pendingChanges = {};
      sendStatus.value = '';
      await refresh(true);
    } catch (e) {
      sendError.textContent = e.message;
    } finally {
      send.disabled = false;
    }
  };
  send.addEventListener('click', doSend);
  text.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); doSend(); } });

  // The ticket's fields, saved together with If-Match: a stale write is refused.
  const props = el('form', { id: 'ticket-form', class: 'props' });
  let dirty = false;
  const drawProps = () => {
    const teamId = t.team;
    const teammates = [...state.agents.values()].filter((a) => a.teams.includes(teamId));
    const canMove = state.me.role !== 'agent' || state.teamRouting.get(teamId)?.agents_move_tickets;
    const row = (label, input) => el('div', { class: 'field' }, el('label', { for: input.id }, label), input);
    const options = (values, selected) => values.map(([v, n]) => el('option', { value: v, selected: String(v) === String(selected) }, n));
    props.replaceChildren(
      row('Status', el('select', { id: 'p-status', name: 'status' },
        options([['new', 'new'], ['open', 'open'], ['pending', 'pending'], ['hold', 'hold'], ['solved', 'solved'], ['closed', 'closed']], t.status))),
      row('Priority', el('select', { id: 'p-priority', name: 'priority' },
        options([['low', 'low'], ['normal', 'normal'], ['high', 'high'], ['urgent', 'urgent']], t.priority))),
      row('Team', el('select', { id: 'p-team', name: 'team', disabled: !canMove },
        options([...state.teams].map(([tid, n]) => [tid, n]).concat(state.teams.has(teamId) || !teamId ? [] : [[teamId, teamName(teamId)]]), teamId))),
      row('Agent', el('select', { id: 'p-assignee', name: 'assignee_id' },
        options([['', 'unassigned (queue)'], ...(me && !teammates.some((a) => a.id === me) ? [[me, state.me.agent.name]] : []),
                 ...teammates.map((a) => [a.id, a.name + (a.presence === 'online' ? '' : ' (' + a.presence + ')')])]
                 .concat(t.assignee_id && !teammates.some((a) => a.id === t.assignee_id) && t.assignee_id !== me ? [[t.assignee_id, t.assignee_name || agentName(t.assignee_id)]] : []),
                t.assignee_id || ''))),
      row('Tags', el('input', { id: 'p-tags', name: 'tags', type: 'text', value: t.tags.join(', ') })),
      row('Category', el('input', { id: 'p-category', name: 'category', type: 'text', value: t.category })),
      el('div', { class: 'field actions' },
        el('button', { type: 'submit', id: 'save' }, 'Save'),
        me && t.assignee_id !== me ? el('button', { type: 'button', class: 'secondary', id: 'take', onclick: () => patch({ assignee_id: me }) }, 'Take it') : ''));
    dirty = false;
  };
  props.addEventListener('input', () => { dirty = true; });
  props.addEventListener('change', () => { dirty = true; });
  const patch = async (changes) => {
    const res = await fetch('/api/v1/tickets/' + id, { method: 'PATCH', body: JSON.stringify(changes),
      headers: { 'Authorization': 'Bearer ' + state.token, 'Content-Type': 'application/json', 'If-Match': etag } });
    const body = await res.json();
    if (res.status === 412) {
      notices.querySelector('#conflict')?.remove();
      notice('conflict', 'Someone changed this ticket after you opened it; your change was not saved. ',
             el('button', { type: 'button', class: 'link', onclick: () => route() }, 'Load their version'));
      return;
    }
    if (!res.ok) { notice('error', body?.error?.message || 'HTTP ' + res.status); return; }
    await refresh(true);
  };
  props.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = props.elements;
    const changes = {};
    if (f.status.value !== t.status) changes.status = f.status.value;
    if (f.priority.value !== t.priority) changes.priority = f.priority.value;
    if (!f.team.disabled && String(t.team) !== f.team.value) changes.team = Number(f.team.value);
    if (String(t.assignee_id || '') !== f.assignee_id.value) changes.assignee_id = f.assignee_id.value ? Number(f.assignee_id.value) : null;
    const tags = f.tags.value.split(',').map((x) => x.trim()).filter(Boolean);
    if (tags.join(',') !== t.tags.join(',')) changes.tags = tags;
    if (f.category.value.trim() !== t.category) changes.category = f.category.value.trim();
    if (Object.keys(changes).length) patch(changes);
  });

  const offer = el('div', { id: 'offer' });
  const drawOffer = () => {
    offer.replaceChildren();
    if (t.offer_expires_at && !t.accepted_at && t.assignee_id === me) {
      const answer = (what) => api('/api/v1/tickets/' + id + '/' + what, { method: 'POST', body: '{}' }).then(() => refresh(true))
        .catch((e) => notice('error', e.message));
      offer.append(el('div', { class: 'notice offer' }, 'This ticket is offered to you until ' + when(t.offer_expires_at) + '. ',
        el('button', { type: 'button', id: 'accept', onclick: () => answer('accept') }, 'Accept (a)'), ' ',
        el('button', { type: 'button', class: 'secondary', id: 'decline', onclick: () => answer('decline') }, 'Decline')));
    }
  };

  const facts = el('dl', { class: 'facts', id: 'facts' });
  const drawFacts = () => {
    const rows = [['Channel', t.channel], ['Requester', [t.requester.name, t.requester.email].filter(Boolean).join(' · ') || '—'],
                  ['Tier', t.requester.tier], ['Created', when(t.created_at)], ['Updated', when(t.updated_at)]];
    for (const [name, value] of Object.entries(t.fields || {})) rows.push([name.replace(/_/g, ' '), String(value)]);
    if (t.queue_position) rows.push(['Place in line', t.queue_position]);
    if (t.expected_wait_seconds !== null && t.expected_wait_seconds !== undefined) rows.push(['Expected wait', duration(t.expected_wait_seconds)]);
    for (const name of ['first_response', 'next_reply', 'resolution']) {
      const c = t.sla?.[name];
      if (!c) continue;
      rows.push(['SLA ' + name.replace('_', ' '), [pill(c.breached ? 'breached' : c.met ? 'met' : 'running', c.breached ? 'breached' : c.met ? 'met' : 'open'),
        ' ', c.due && !c.met ? 'due ' + when(c.due) : '']]);
    }
    facts.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  };

  const triage = routing.triage;
  const why = [];
  if (t.routing) why.push(el('p', { id: 'explanation' }, t.routing.summary));
  if (triage && (triage.model || triage.rules.length || triage.priority_reason)) {
    why.push(el('dl', { class: 'facts' },
      triage.model ? [el('dt', {}, 'Classifier'), el('dd', {}, (triage.predicted_value || triage.predicted) + ' (' + percent(triage.confidence) + ' sure' + (triage.sent_to_triage ? ', sent to triage' : '') + ')')] : [],
      triage.rules.length ? [el('dt', {}, 'Rules'), el('dd', {}, triage.rules.join(', '))] : [],
      [el('dt', {}, 'Priority'), el('dd', {}, triage.priority_reason)]));
  }
  const decisions = routing.decisions.map((d) => el('div', { class: 'decision' },
    el('div', { class: 'meta' }, when(d.at) + ' · ' + d.outcome + (d.policy ? ' · ' + d.policy : '')),
    el('div', {}, d.summary),
    d.candidates?.length ? el('div', { class: 'muted' }, 'Candidates: ' + d.candidates.map((c) => c.name + ' (' + c.reason + ')').join(', ')) : ''));
  const otherTickets = others.tickets.filter((o) => o.id !== t.id).slice(0, 10);
  const customerCard = customerPanel(t, customer);

  const subject = el('h1', { id: 'ticket-subject' }, '#' + t.id + ' ' + t.subject);
  const statusPill = el('span', { id: 'ticket-status' }, pill(t.status));
  view.append(
    el('div', { class: 'ticket-head' }, subject, statusPill),
    notices, viewers, offer,
    el('div', { class: 'grid cols-3' },
      el('div', { class: 'grid' },
        el('section', { class: 'card', 'aria-labelledby': 'conv-title' }, el('h2', { id: 'conv-title' }, 'Conversation'), thread),
        composer),
      el('div', { class: 'grid' },
        el('section', { class: 'card', 'aria-labelledby': 'props-title' }, el('h2', { id: 'props-title' }, 'Ticket'), props),
        el('section', { class: 'card', 'aria-labelledby': 'details-title' }, el('h2', { id: 'details-title' }, 'Details'), facts),
        customerCard,
        el('section', { class: 'card', id: 'requester-tickets', 'aria-labelledby': 'others-title' },
          el('h2', { id: 'others-title' }, 'Their other tickets'),
          otherTickets.length ? el('ul', { class: 'plain' }, otherTickets.map((o) => el('li', {}, ticketLink(o), ' ', pill(o.status))))
                              : el('p', { class: 'muted' }, 'None.')),
        el('section', { class: 'card', id: 'routing', 'aria-labelledby': 'why-title' }, el('h2', { id: 'why-title' }, 'Why this agent'),
           why.length ? why : el('p', { class: 'muted' }, 'Not routed yet.'),
           el('h2', {}, 'Routing history'), decisions.length ? decisions : el('p', { class: 'muted' }, 'No decisions yet.')))));
  drawProps();
  drawOffer();
  drawFacts();

  // Live: the event stream brings changes; the thread, the facts and (unless
  // being edited) the fields redraw; the composer keeps what is being written.
  let collisionShown = false;
  async function refresh(mine) {
    const r = await fetch('/api/v1/tickets/' + id, { headers: { 'Authorization': 'Bearer ' + state.token } });
    if (!r.ok) return;
    const next = await r.json();
    const fresh = next.comments.filter((m) => m.id > loadedAt && !(m.author.agent_id && m.author.agent_id === me));
    if (!mine && !collisionShown && fresh.some((m) => m.author.type === 'agent')) {
      const who = fresh.find((m) => m.author.type === 'agent').author.name;
      notice('collision', who + ' has replied since you opened this ticket.');
      collisionShown = true;
    }
    const before = new Set(t.comments.map((m) => m.id));
    t = next;
    thread.replaceChildren(...threadOf(t, t.comments));
    for (const m of thread.querySelectorAll('[data-message]')) {
      if (!before.has(Number(m.dataset.message))) m.classList.add('fresh');
    }
    subject.textContent = '#' + t.id + ' ' + t.subject;
    statusPill.replaceChildren(pill(t.status));
    drawFacts();
    drawOffer();
    if (mine || !dirty) {
      etag = r.headers.get('ETag');
      drawProps();
    }
  }
  // Who else has it open, every 10 s while the page is shown.
  const ping = async () => {
    try {
      const v = await api('/api/v1/tickets/' + id + '/viewing', { method: 'PUT', body: '{}' });
      viewers.textContent = v.others.length ? v.others.map((o) => o.name).join(', ') + (v.others.length > 1 ? ' are' : ' is') + ' also viewing this ticket.' : '';
    } catch { /* the next ping tries again */ }
  };
  text.addEventListener('keydown', (e) => { if (e.key === 'Escape') text.blur(); });

  // Installed once the page is shown (route() calls what a view returns):
  // live refresh, the viewers ping, and the keys r reply, n note, a accept,
  // s save.
  return () => {
    state.refresher = () => refresh(false);
    ping();
    state.timers.push(setInterval(ping, 10000));
    state.keys = (e) => {
      if (e.key === 'r') { e.preventDefault(); setMode(true); text.focus(); }
      else if (e.key === 'n') { e.preventDefault(); setMode(false); text.focus(); }
      else if (e.key === 'a') offer.querySelector('#accept')?.click();
      else if (e.key === 's') { e.preventDefault(); props.requestSubmit(); }
    };
  };
}
