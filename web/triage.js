// The triage desk (docs/triage.md): tickets the classifier was unsure of,
// each with its three best guesses, the rules that matched and the
// requester's other tickets. One key (1, 2, 3) or click on a guess puts the
// ticket where it belongs and routes it on at once; the person's decision is
// kept as a correction the model learns from. Loaded before app.js, whose
// helpers (el, api, pill, state, ...) it uses when called. Ticket text
// reaches the page only through textContent.
'use strict';

async function triageView(view) {
  const [desk, teams] = await Promise.all([api('/api/v1/triage/desk?limit=50'), api('/api/v1/teams')]);
  state.teams = new Map(teams.teams.map((t) => [t.id, t.name]));
  const predicts = desk.model?.predicts || 'team';
  const kpi = (label, value, id) => el('div', { class: 'kpi', id }, el('div', { class: 'value' }, value), el('div', { class: 'label' }, label));
  const kpis = (s) => [kpi('Waiting', s.waiting, 'desk-waiting'), kpi('Oldest wait', duration(s.oldest_wait_seconds)),
    kpi('Decided in the last hour', s.decided_last_hour, 'desk-decided'),
    kpi('Median time to a decision (24 h)', duration(s.median_decision_seconds_24h)),
    kpi('Model overruled (24 h)', s.decided_24h ? s.overruled_24h + ' / ' + s.decided_24h : '—', 'desk-overruled')];
  view.append(el('div', { class: 'toolbar' }, el('h1', {}, 'Triage desk'),
    el('span', { class: 'muted' }, desk.team ? 'Tickets in ' + desk.team.name + (desk.model
      ? ` the model "${desk.model.name}" was less than ${percent(desk.model.min_confidence)} sure of`
      : '') : 'No triage team is configured.')));
  const stats = el('div', { class: 'kpis', id: 'desk-stats' }, kpis(desk.stats));
  view.append(stats);

  const notices = el('div', { id: 'desk-notices', 'aria-live': 'polite' });
  const list = el('div', { id: 'desk-tickets', class: 'grid' });
  view.append(notices, list);
  const empty = el('p', { class: 'card muted empty', id: 'desk-empty' }, 'Nothing waits for triage.');

  // Puts a ticket where the person chose; the team (and priority) change routes it on at once.
  const decide = async (card, t, changes) => {
    for (const b of card.querySelectorAll('button')) b.disabled = true;
    try {
      const after = await api('/api/v1/tickets/' + t.id, { method: 'PATCH', body: JSON.stringify(changes),
                                                             headers: { 'If-Match': t.etag } });
      card.remove();
      const where = changes.team || changes.category;
      notices.prepend(el('div', { class: 'notice ok decided', 'data-ticket': t.id }, '#' + t.id + ' → ' + where +
        (after.assignee_name ? ', with ' + after.assignee_name : after.queue_position ? ', waiting ' + after.queue_position + ' in line' : '')));
      const next = list.querySelector('.desk-ticket');
      if (next) select(next);
    } catch (e) {
      if (e.status === 412 || e.status === 404) {
        card.remove();
        notices.prepend(el('div', { class: 'notice conflict', role: 'alert' }, '#' + t.id + ' changed meanwhile (another triager?); nothing was saved.'));
        return;
      }
      for (const b of card.querySelectorAll('button')) b.disabled = false;
      notices.prepend(el('div', { class: 'notice error', role: 'alert' }, '#' + t.id + ': ' + e.message));
    }
  };

  const select = (card) => {
    for (const c of list.querySelectorAll('.desk-ticket')) c.classList.remove('cursor');
    card.classList.add('cursor');
    card.focus();
  };

  const addCard = (t) => {
    const card = el('section', { class: 'card desk-ticket', tabindex: '-1', 'data-id': t.id, 'aria-labelledby': 'desk-t' + t.id });
    const priority = el('select', { id: 'prio-' + t.id, 'aria-label': 'Priority of ticket ' + t.id },
      ['low', 'normal', 'high', 'urgent'].map((p) => el('option', { value: p, selected: p === t.priority }, p)));
    const withPriority = (changes) => priority.value !== t.priority ? { ...changes, priority: priority.value } : changes;
    const guesses = (t.guesses || []).map((g, i) => el('button', { class: 'guess', 'data-key': i + 1, 'data-value': g.value,
        onclick: () => decide(card, t, withPriority({ [predicts]: g.value })) },
      el('kbd', {}, String(i + 1)), ' ', g.value, ' ', el('span', { class: 'confidence' }, percent(g.confidence))));
    const teamPick = el('select', { id: 'team-' + t.id, 'aria-label': 'Another team for ticket ' + t.id },
      el('option', { value: '' }, 'another team…'),
      [...state.teams.values()].filter((n) => n !== desk.team?.name).map((n) => el('option', { value: n }, n)));
    const category = el('input', { id: 'cat-' + t.id, type: 'text', value: t.category || '', size: 10, 'aria-label': 'Category of ticket ' + t.id });
    const route = el('button', { class: 'secondary', onclick: () => {
      const changes = {};
      if (teamPick.value) changes.team = teamPick.value;
      if (category.value.trim() && category.value.trim() !== t.category) changes.category = category.value.trim();
      if (!changes.team && predicts === 'team') { teamPick.focus(); return; }
      decide(card, t, withPriority(changes));
    } }, 'Route');
    const triage = t.triage || {};
    const others = t.requester_tickets || [];
    card.append(
      el('h2', { id: 'desk-t' + t.id }, ticketLink(t)),
      el('p', { class: 'muted' }, (t.requester.name || '') + ' <' + t.requester.email + '> · ' + t.channel + ' · waiting ' +
         duration((Date.now() - new Date(t.created_at)) / 1000)),
      el('p', { class: 'excerpt' }, (t.body || '').slice(0, 400)),
      el('div', { class: 'guesses', role: 'group', 'aria-label': 'The model\'s guesses' }, guesses.length ? guesses : el('span', { class: 'muted' }, 'No model guess.')),
      el('div', { class: 'toolbar' }, el('label', { for: 'team-' + t.id, class: 'sr-only' }, 'Team'), teamPick,
         el('label', { for: 'cat-' + t.id }, 'Category'), category, el('label', { for: 'prio-' + t.id }, 'Priority'), priority, route),
      triage.predicted && !(t.guesses || []).some((g) => g.label === triage.predicted)
        ? el('p', { class: 'muted own-guess' }, `The model's own guess was "${triage.predicted_value || triage.predicted}" (${percent(triage.confidence)}), which no team answers to.`) : '',
      el('p', { class: 'muted why' }, triage.rules?.length ? 'Rules matched: ' + triage.rules.join(', ') + '. ' : 'No rule matched. ',
         triage.priority_reason ? 'Priority: ' + triage.priority_reason + '.' : ''),
      others.length ? el('details', {}, el('summary', {}, 'Their other tickets (' + others.length + ')'),
        el('ul', { class: 'others' }, others.map((o) => el('li', {}, ticketLink(o), ' ', pill(o.status), ' ', teamName(o.team),
          o.category ? ' · ' + o.category : '')))) : '');
    card.addEventListener('click', (e) => { if (e.target === card) select(card); });
    card.addEventListener('focusin', () => { for (const c of list.querySelectorAll('.desk-ticket')) c.classList.toggle('cursor', c === card); });
    list.append(card);
  };
  for (const t of desk.tickets) addCard(t);
  if (!desk.tickets.length) list.append(empty);

  // Keyboard: j/k move between tickets, 1-3 take that guess, Enter routes as the fields say.
  return () => {
    // New arrivals join the end of the list; nothing the triager looks at moves.
    state.refresher = async () => {
      const now = await api('/api/v1/triage/desk?limit=50');
      stats.replaceChildren(...kpis(now.stats));
      for (const t of now.tickets) {
        if (!list.querySelector(`.desk-ticket[data-id="${t.id}"]`)) { empty.remove(); addCard(t); }
      }
    };
    const first = list.querySelector('.desk-ticket');
    if (first) first.classList.add('cursor');
    state.keys = (e) => {
      const cards = [...list.querySelectorAll('.desk-ticket')];
      const at = cards.findIndex((c) => c.classList.contains('cursor'));
      if (e.key === 'j' && cards.length) select(cards[Math.min(cards.length - 1, at + 1)]);
      else if (e.key === 'k' && cards.length) select(cards[Math.max(0, at - 1)]);
      else if (['1', '2', '3'].includes(e.key) && at >= 0) cards[at].querySelector(`button.guess[data-key="${e.key}"]`)?.click();
    };
  };
}
