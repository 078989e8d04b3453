#pragma once
// The SQL stores' shared implementation (SqliteStore, PgStore): every query
// and mapping, written once over a database type Db that supplies the
// connection (prepare/bind/step in the style of src/db/sqlite/connection.h),
// migrations and the few places the dialects differ. Included by exactly one
// .cc per backend, which instantiates SqlStore<Db>. The rows themselves are
// in sql_records.h and sql_outbox_records.h.
#include <variant>

#include "db/sql/sql_outbox_records.h"

namespace sb {

template <class Db>
int SqlStore<Db>::schema_version() { return Db::kSchemaVersion; }

template <class Db>
Result<std::unique_ptr<SqlStore<Db>>> SqlStore<Db>::open(const std::string& path) {
  std::unique_ptr<SqlStore<Db>> store(new SqlStore<Db>(path));
  auto writer = Db::connect(path);
  if (!writer) return writer.error();
  store->writer_ = std::move(*writer);
  if (auto s = Db::migrate(*store->writer_); !s) return s.error();
  return store;
}

template <class Db>
SqlStore<Db>::ReaderLease::~ReaderLease() {
  if (!c_) return;
  std::lock_guard lock(store_->pool_mu_);
  store_->idle_readers_.push_back(std::move(c_));
}

template <class Db>
Result<typename SqlStore<Db>::ReaderLease> SqlStore<Db>::reader() {
  {
    std::lock_guard lock(pool_mu_);
    if (!idle_readers_.empty()) {
      auto c = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(this, std::move(c));
    }
  }
  auto c = Db::connect(path_);
  if (!c) return c.error();
  return ReaderLease(this, std::move(*c));
}

template <class Db>
Status SqlStore<Db>::commit(std::span<const WriteBatch* const> batches) {
  std::lock_guard lock(writer_mu_);
  auto& c = *writer_;
  if (auto s = c.exec(Db::kBeginWrite); !s) return s;
  if (auto s = write_batches(c, batches); !s) {
    (void)c.exec("ROLLBACK");
    return s;
  }
  if (auto s = c.exec("COMMIT"); !s) {
    (void)c.exec("ROLLBACK");
    return s;
  }
  return Status::Ok();
}

template <class Db>
Result<Snapshot> SqlStore<Db>::load_snapshot() {
  std::lock_guard lock(writer_mu_);
  auto& c = *writer_;
  if (auto s = c.exec(Db::kBeginRead); !s) return s.error();
  Snapshot snap;
  auto fail = [&](const Error& e) -> Result<Snapshot> {
    (void)c.exec("ROLLBACK");
    return e;
  };
  auto teams = c.prepare(std::string("SELECT ") + kTeamColumns + " FROM teams ORDER BY id");
  if (!teams) return fail(teams.error());
  auto t = read_all<Team>(*teams, read_team);
  if (!t) return fail(t.error());
  snap.teams = std::move(*t);

  auto agents = c.prepare(std::string("SELECT ") + kAgentColumns + " FROM agents ORDER BY id");
  if (!agents) return fail(agents.error());
  auto a = read_all<Agent>(*agents, read_agent);
  if (!a) return fail(a.error());
  snap.agents = std::move(*a);

  auto open = c.prepare(std::string("SELECT ") + kTicketColumns +
                        " FROM tickets WHERE status NOT IN ('solved','closed') ORDER BY id");
  if (!open) return fail(open.error());
  auto o = read_all<Ticket>(*open, read_ticket);
  if (!o) return fail(o.error());
  snap.open_tickets = std::move(*o);

  auto last = c.prepare("SELECT assignee_id, MAX(assigned_at) FROM tickets "
                        "WHERE assignee_id IS NOT NULL AND assigned_at IS NOT NULL GROUP BY assignee_id");
  if (!last) return fail(last.error());
  auto l = read_all<std::pair<AgentId, Time>>(*last, [](const auto& s) {
    return std::pair{AgentId{s.int64(0)}, from_millis(s.int64(1))};
  });
  if (!l) return fail(l.error());
  for (auto& [agent, at] : *l) snap.last_assigned[agent] = at;

  // Each requester's latest assigned ticket's agent (ties: the highest ticket id).
  auto sticky = c.prepare(
      "SELECT t.requester_email, t.assignee_id FROM tickets t JOIN (SELECT requester_email, MAX(assigned_at) AS at "
      "FROM tickets WHERE requester_email != '' AND assignee_id IS NOT NULL AND assigned_at IS NOT NULL "
      "GROUP BY requester_email) m ON t.requester_email = m.requester_email AND t.assigned_at = m.at "
      "WHERE t.assignee_id IS NOT NULL ORDER BY t.id");
  if (!sticky) return fail(sticky.error());
  auto st_rows = read_all<std::pair<std::string, AgentId>>(*sticky, [](const auto& s) {
    return std::pair{s.text(0), AgentId{s.int64(1)}};
  });
  if (!st_rows) return fail(st_rows.error());
  for (auto& [email, agent] : *st_rows) snap.last_agent_of[email] = agent;

  auto maxes = c.prepare("SELECT (SELECT COALESCE(MAX(id), 0) FROM tickets), "
                         "(SELECT COALESCE(MAX(id), 0) FROM agents), (SELECT COALESCE(MAX(id), 0) FROM teams)");
  if (!maxes) return fail(maxes.error());
  auto row = maxes->step();
  if (!row) return fail(row.error());
  snap.max_ticket_id = maxes->int64(0);
  snap.max_agent_id = maxes->int64(1);
  snap.max_team_id = maxes->int64(2);
  maxes->reset();
  (void)c.exec("COMMIT");
  return snap;
}

template <class Db>
Result<std::optional<Ticket>> SqlStore<Db>::find_ticket(TicketId id) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kTicketColumns + " FROM tickets WHERE id = ?");
  if (!st) return st.error();
  st->bind(1, id.value);
  return first_row<Ticket>(*st, read_ticket);
}

template <class Db>
Result<TicketPage> SqlStore<Db>::list_tickets(const TicketQuery& q) {
  auto c = reader();
  if (!c) return c.error();
  // The WHERE clause holds the filters that are set; their values are bound
  // in the order their placeholders appear.
  std::string where = "TRUE";
  std::vector<std::variant<std::int64_t, std::string>> params;
  auto add = [&](std::string clause, auto... values) {
    where += " AND " + std::move(clause);
    (params.emplace_back(values), ...);
  };
  auto list = [](const auto& values) {
    std::string out;
    for (const auto& v : values) out += std::string(out.empty() ? "'" : ",'") + std::string(to_string(v)) + "'";
    return out;
  };
  if (q.status) add("status = ?", std::string(to_string(*q.status)));
  // Open tickets only, newest first, and nothing narrower to start from (an
  // agent, a requester): read the open tickets' own index in that order (the
  // queues a desk shows all day) rather than every open ticket sorted.
  std::string from = "tickets";
  if (!q.statuses.empty()) {
    add("status IN (" + list(q.statuses) + ")");  // our own names, written into the SQL
    if (std::all_of(q.statuses.begin(), q.statuses.end(), [](TicketStatus s) { return !is_terminal(s); })) {
      add("status IN ('new','open','pending','hold')");  // in the open-ticket indexes' own words
      if (q.sort == TicketSort::kUpdated && !q.assignee && !q.requester && q.words.empty()) {
        from += Db::indexed_by("tickets_open_by_updated");
      }
    }
  }
  if (q.priority) add("priority = ?", std::string(to_string(*q.priority)));
  if (q.team) add("team_id = ?", q.team->value);
  if (q.assignee) add("assignee_id = ?", q.assignee->value);
  if (q.unassigned) add("assignee_id IS NULL");
  if (q.channel) add("channel = ?", std::string(to_string(*q.channel)));
  if (q.category) add("category = ?", *q.category);
  if (q.tag) add(Db::kHasTag, *q.tag);
  if (q.requester) add("requester_email = ?", *q.requester);
  if (q.created_from) add("created_at >= ?", to_millis(*q.created_from));
  if (q.created_to) add("created_at < ?", to_millis(*q.created_to));
  if (q.updated_from) add("updated_at >= ?", to_millis(*q.updated_from));
  if (q.updated_to) add("updated_at < ?", to_millis(*q.updated_to));
  if (q.teams) {
    const std::string no_index = Db::kNoIndex;
    std::string scope = no_index + "team_id IN (" + sql_id_list(*q.teams) + ")";
    if (q.or_assignee) scope = "(" + scope + " OR " + no_index + "assignee_id = " + std::to_string(q.or_assignee->value) + ")";
    add(scope);
  }
  if (!q.words.empty()) {
    // Rare words, or other filters to start from: collect the matching
    // tickets, then filter and order them. Common words alone (thousands of
    // matches; a status at most): walk the order and check each
    // ticket until the page is full.
    constexpr std::int64_t kCommon = 5'000;
    const bool narrowed = q.teams || q.team || q.assignee || q.unassigned || q.priority || q.channel || q.category || q.tag ||
                          q.requester || q.created_from || q.created_to || q.updated_from || q.updated_to;
    const std::string text = Db::text_query(q.words);
    Result<std::vector<std::int64_t>> n = std::vector<std::int64_t>{};
    if (!narrowed) {
      auto count = (*c)->prepare(Db::kTextCount);
      if (!count) return count.error();
      count->bind(1, text).bind(2, kCommon);
      n = read_all<std::int64_t>(*count, [](const auto& s) { return s.int64(0); });
      if (!n) return n.error();
    }
    const bool common = !narrowed && !n->empty() && n->front() >= kCommon;
    add(common ? Db::kTextProbe : Db::kTextMatch, text, text);
  }
  std::string order;
  switch (q.sort) {
    case TicketSort::kId:
      if (q.after) add("id > ?", q.after);
      order = "id";
      break;
    case TicketSort::kUpdated:
      if (q.after) add("(updated_at < ? OR (updated_at = ? AND id < ?))", q.after_key, q.after_key, q.after);
      order = "updated_at DESC, id DESC";
      break;
    case TicketSort::kCreated:  // ids are given in creation order
      if (q.after) add("id < ?", q.after);
      order = "id DESC";
      break;
    case TicketSort::kDue:
      add("due_at IS NOT NULL");
      if (q.after) add("(due_at > ? OR (due_at = ? AND id > ?))", q.after_key, q.after_key, q.after);
      order = "due_at, id";
      break;
  }
  auto st = (*c)->prepare(std::string("SELECT ") + kTicketColumns + " FROM " + from + " WHERE " + where + " ORDER BY " +
                          order + " LIMIT " + std::to_string(q.limit + 1));
  if (!st) return st.error();
  int i = 0;
  for (const auto& p : params) std::visit([&](const auto& v) { st->bind(++i, v); }, p);
  auto rows = read_all<Ticket>(*st, read_ticket);
  if (!rows) return rows.error();
  TicketPage page;
  page.more = static_cast<int>(rows->size()) > q.limit;
  if (page.more) rows->pop_back();
  page.tickets = std::move(*rows);
  return page;
}

template <class Db>
Result<std::optional<Agent>> SqlStore<Db>::find_agent(AgentId id) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kAgentColumns + " FROM agents WHERE id = ?");
  if (!st) return st.error();
  st->bind(1, id.value);
  return first_row<Agent>(*st, read_agent);
}

template <class Db>
Result<std::vector<Agent>> SqlStore<Db>::list_agents() {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kAgentColumns + " FROM agents ORDER BY id");
  if (!st) return st.error();
  return read_all<Agent>(*st, read_agent);
}

template <class Db>
Result<std::vector<Team>> SqlStore<Db>::list_teams() {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kTeamColumns + " FROM teams ORDER BY id");
  if (!st) return st.error();
  return read_all<Team>(*st, read_team);
}

template <class Db>
Result<std::optional<TokenRecord>> SqlStore<Db>::find_token(const std::string& hash) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kTokenColumns + " FROM tokens WHERE hash = ?");
  if (!st) return st.error();
  st->bind(1, hash);
  return first_row<TokenRecord>(*st, read_token);
}

template <class Db>
Result<std::vector<TokenRecord>> SqlStore<Db>::list_tokens() {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kTokenColumns + " FROM tokens ORDER BY created_at, hash");
  if (!st) return st.error();
  return read_all<TokenRecord>(*st, read_token);
}

template <class Db>
Result<std::vector<AuditEntry>> SqlStore<Db>::list_audit(std::int64_t before, int limit) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(
      "SELECT id, at, actor, action, target, detail, status FROM audit_log WHERE (?1 = 0 OR id < ?1) "
      "ORDER BY id DESC LIMIT ?2");
  if (!st) return st.error();
  st->bind(1, before).bind(2, static_cast<std::int64_t>(limit));
  return read_all<AuditEntry>(*st, [](const auto& s) {
    return AuditEntry{s.int64(0), from_millis(s.int64(1)), s.text(2), s.text(3), s.text(4), s.text(5),
                      static_cast<int>(s.int64(6))};
  });
}

namespace {
constexpr const char* kCorrectionColumns =
    "id, ticket_id, at, field, from_value, to_value, label, guess, confidence, source, actor, subject, body, waited_ms";
template <class Statement>
Correction read_correction(const Statement& s) {
  Correction k;
  k.id = s.int64(0);
  k.ticket = TicketId{s.int64(1)};
  k.at = from_millis(s.int64(2));
  k.field = s.text(3);
  k.from = s.text(4);
  k.to = s.text(5);
  k.label = s.text(6);
  k.guess = s.text(7);
  k.confidence = static_cast<double>(s.int64(8)) / 1e6;  // kept in millionths
  k.source = s.text(9);
  k.by = s.text(10);
  k.subject = s.text(11);
  k.body = s.text(12);
  k.waited = Duration(s.int64(13));
  return k;
}
}  // namespace

template <class Db>
Result<std::vector<Correction>> SqlStore<Db>::list_corrections(const std::string& field, std::int64_t after,
                                                               int limit) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kCorrectionColumns +
                          " FROM corrections WHERE id > ?1 AND (?2 = '' OR field = ?2) ORDER BY id LIMIT ?3");
  if (!st) return st.error();
  st->bind(1, after).bind(2, field).bind(3, static_cast<std::int64_t>(limit));
  return read_all<Correction>(*st, [](const auto& s) { return read_correction(s); });
}

template <class Db>
Result<std::vector<Correction>> SqlStore<Db>::recent_corrections(Time since, int limit) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kCorrectionColumns +
                          " FROM corrections WHERE at >= ?1 ORDER BY id DESC LIMIT ?2");
  if (!st) return st.error();
  st->bind(1, to_millis(since)).bind(2, static_cast<std::int64_t>(limit));
  return read_all<Correction>(*st, [](const auto& s) { return read_correction(s); });
}

}  // namespace sb

namespace sb {

template <class Db>
Result<std::vector<Decision>> SqlStore<Db>::list_decisions(TicketId ticket, int limit) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare("SELECT body FROM decisions WHERE ticket_id = ? ORDER BY id DESC LIMIT ?");
  if (!st) return st.error();
  st->bind(1, ticket.value).bind(2, static_cast<std::int64_t>(limit));
  return read_all<Decision>(*st, [](const auto& s) {
    return decision_from_json(nlohmann::json::parse(s.text(0), nullptr, false));
  });
}

template <class Db>
Result<std::vector<Message>> SqlStore<Db>::list_messages(TicketId ticket) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(
      "SELECT id, ticket_id, kind, agent_id, author_name, author_email, body, attachments, message_id, at "
      "FROM messages WHERE ticket_id = ? ORDER BY id");
  if (!st) return st.error();
  st->bind(1, ticket.value);
  return read_all<Message>(*st, read_message);
}

template <class Db>
Result<std::int64_t> SqlStore<Db>::max_of(const char* column, const char* table) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT COALESCE(MAX(") + column + "), 0) FROM " + table);
  if (!st) return st.error();
  auto row = read_all<std::int64_t>(*st, [](const auto& s) { return s.int64(0); });
  if (!row) return row.error();
  return row->empty() ? 0 : row->front();
}

template <class Db>
Result<std::int64_t> SqlStore<Db>::last_message_id() { return max_of("id", "messages"); }

template <class Db>
Result<std::optional<std::string>> SqlStore<Db>::find_attachment_content(std::int64_t message_id, int index) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare("SELECT content FROM attachment_content WHERE message_id = ? AND idx = ?");
  if (!st) return st.error();
  st->bind(1, message_id).bind(2, static_cast<std::int64_t>(index));
  return first_row<std::string>(*st, [](const auto& s) { return s.blob(0); });
}

template <class Db>
Result<std::optional<MailReceipt>> SqlStore<Db>::find_mail_receipt(const std::string& mailbox,
                                                                  const std::string& message_id) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(
      "SELECT mailbox, message_id, ticket_id, outcome, raw, received_at FROM mail_receipts "
      "WHERE (? = '' OR mailbox = ?) AND message_id = ? ORDER BY received_at LIMIT 1");
  if (!st) return st.error();
  st->bind(1, mailbox).bind(2, mailbox).bind(3, message_id);
  return first_row<MailReceipt>(*st, [](const auto& s) {
    MailReceipt r;
    r.mailbox = s.text(0);
    r.message_id = s.text(1);
    if (auto t = s.optional_int64(2)) r.ticket = TicketId{*t};
    r.outcome = s.text(3);
    r.raw = s.blob(4);
    r.received_at = from_millis(s.int64(5));
    return r;
  });
}

template <class Db>
Result<std::optional<TicketId>> SqlStore<Db>::find_ticket_by_external_id(const std::string& external_id,
                                                                          const std::string& source) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare("SELECT id FROM tickets WHERE source = ? AND external_id = ?");
  if (!st) return st.error();
  st->bind(1, source).bind(2, external_id);
  return first_row<TicketId>(*st, [](const auto& s) { return TicketId{s.int64(0)}; });
}

template <class Db>
Result<std::optional<IdempotencyRecord>> SqlStore<Db>::find_idempotency(const std::string& scope,
                                                                       const std::string& key, Time since) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(
      "SELECT scope, key, request, status, response, created_at FROM idempotency "
      "WHERE scope = ? AND key = ? AND created_at >= ?");
  if (!st) return st.error();
  st->bind(1, scope).bind(2, key).bind(3, to_millis(since));
  return first_row<IdempotencyRecord>(*st, [](const auto& s) {
    return IdempotencyRecord{s.text(0), s.text(1), s.text(2), static_cast<int>(s.int64(3)), s.text(4),
                             from_millis(s.int64(5))};
  });
}

template <class Db>
Status SqlStore<Db>::purge_idempotency(Time before) {
  std::lock_guard lock(writer_mu_);
  auto st = writer_->prepare("DELETE FROM idempotency WHERE created_at < ?");
  if (!st) return st.error();
  st->bind(1, to_millis(before));
  return st->run();
}

template <class Db>
Result<std::optional<TicketId>> SqlStore<Db>::find_ticket_by_message_ids(const std::vector<std::string>& ids) {
  auto c = reader();
  if (!c) return c.error();
  for (const std::string& id : ids) {
    auto st = (*c)->prepare(
        "SELECT ticket_id FROM mail_receipts WHERE message_id = ?1 AND ticket_id IS NOT NULL "
        "UNION ALL SELECT e.ticket_id FROM deliveries d JOIN events e ON e.seq = d.event_seq "
        "WHERE d.message_id = '<' || ?1 || '>' LIMIT 1");
    if (!st) return st.error();
    st->bind(1, id);
    auto found = first_row<TicketId>(*st, [](const auto& s) { return TicketId{s.int64(0)}; });
    if (!found) return found.error();
    if (*found) return *found;
  }
  return std::optional<TicketId>();
}

template <class Db>
Result<std::vector<Event>> SqlStore<Db>::list_events(std::int64_t after_seq, int limit) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare("SELECT seq, id, type, ticket_id, at, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?");
  if (!st) return st.error();
  st->bind(1, after_seq).bind(2, static_cast<std::int64_t>(limit));
  return read_all<Event>(*st, read_event);
}

template <class Db>
Result<std::int64_t> SqlStore<Db>::last_event_seq() { return max_of("seq", "events"); }

template <class Db>
Result<std::vector<Webhook>> SqlStore<Db>::list_webhooks() {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare("SELECT id, url, secret, events, description, active, created_at FROM webhooks ORDER BY id");
  if (!st) return st.error();
  return read_all<Webhook>(*st, read_webhook);
}

template <class Db>
Result<std::vector<Delivery>> SqlStore<Db>::due_deliveries(Time now, int limit) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kDeliveryColumns +
                          " FROM deliveries WHERE state = 'pending' AND next_attempt_at <= ? "
                          "ORDER BY next_attempt_at, id LIMIT ?");
  if (!st) return st.error();
  st->bind(1, to_millis(now)).bind(2, static_cast<std::int64_t>(limit));
  return read_all<Delivery>(*st, read_delivery);
}

template <class Db>
Result<std::vector<Delivery>> SqlStore<Db>::list_deliveries(const DeliveryQuery& q) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kDeliveryColumns +
                          " FROM deliveries WHERE id > ?1 AND (CAST(?2 AS TEXT) IS NULL OR state = ?2) "
                          "AND (CAST(?3 AS BIGINT) IS NULL OR webhook_id = ?3) AND (CAST(?4 AS BIGINT) IS NULL OR event_seq = ?4) "
                          "ORDER BY id LIMIT ?5");
  if (!st) return st.error();
  st->bind(1, q.after);
  if (q.state) st->bind(2, to_string(*q.state)); else st->bind_null(2);
  if (q.webhook) st->bind(3, q.webhook->value); else st->bind_null(3);
  st->bind(4, q.event_seq);
  st->bind(5, static_cast<std::int64_t>(q.limit));
  return read_all<Delivery>(*st, read_delivery);
}

template <class Db>
Result<std::optional<Delivery>> SqlStore<Db>::find_delivery(std::int64_t id) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kDeliveryColumns + " FROM deliveries WHERE id = ?");
  if (!st) return st.error();
  st->bind(1, id);
  return first_row<Delivery>(*st, read_delivery);
}

template <class Db>
Status SqlStore<Db>::scan_ticket_facts(Time from, Time to, ReportGroup group, FactRange range, unsigned fields,
                                      const std::function<void(const TicketFact&)>& visit) {
  auto c = reader();
  if (!c) return c.error();
  static const char* columns[] = {"''", "COALESCE(CAST(team_id AS TEXT), '')", "channel", "category", "priority",
                                  "COALESCE(CAST(assignee_id AS TEXT), '')", "requester_tier",
                                  "COALESCE(CAST(organization_id AS TEXT), '')"};
  // Every column read is in the tickets_report index (migration 11), but for
  // the requester's tier (grouping by it reads the rows too); only the ones
  // asked for are read.
  std::string sql = std::string("SELECT created_at, assigned_at, solved_at, ") + columns[static_cast<int>(group)];
  if (fields & kFactAssignee) sql += ", assignee_id";
  if (fields & kFactTeam) sql += ", team_id";
  if (fields & kFactCategory) sql += ", category";
  if (fields & kFactTallies) sql += ", first_response_at, tallies";
  if (fields & kFactGuess) sql += ", predicts, predicted, prediction_used";
  sql += range == FactRange::kCreated
             ? std::string(" FROM tickets") + Db::kReportIndex + " WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at"
             : std::string(" FROM tickets") + Db::kReportIndex + " WHERE created_at < ?2 AND (solved_at IS NULL OR solved_at >= ?1)"
               " ORDER BY created_at";
  auto st = (*c)->prepare(sql);
  if (!st) return st.error();
  st->bind(1, to_millis(from)).bind(2, to_millis(to));
  // One fact, refilled per row: its strings keep their buffers.
  TicketFact f;
  auto& s = *st;
  for (;;) {
    auto row = s.step();
    if (!row) {
      s.reset();
      return row.error();
    }
    if (!*row) break;
    f.created_at = from_millis(s.int64(0));
    f.assigned_at = opt_time(s.optional_int64(1));
    f.solved_at = opt_time(s.optional_int64(2));
    f.group.assign(s.text_view(3));
    int col = 4;
    if (fields & kFactAssignee) {
      f.assignee.reset();
      if (auto a = s.optional_int64(col)) f.assignee = AgentId{*a};
      ++col;
    }
    if (fields & kFactTeam) {
      f.team.reset();
      if (auto t = s.optional_int64(col)) f.team = TeamId{*t};
      ++col;
    }
    if (fields & kFactCategory) f.category.assign(s.text_view(col++));
    if (fields & kFactTallies) {
      f.first_response_at = opt_time(s.optional_int64(col++));
      unpack_tallies(s.int64(col++), f.sla, f.reassignments, f.declines, f.offer_timeouts, f.escalations);
    }
    if (fields & kFactGuess) {
      f.predicts.assign(s.text_view(col++));
      f.predicted.assign(s.text_view(col++));
      f.prediction_used = s.int64(col++) != 0;
    }
    visit(f);
  }
  s.reset();
  return Status::Ok();
}

template <class Db>
Result<std::vector<PresenceChange>> SqlStore<Db>::presence_history(Time from, Time to) {
  auto c = reader();
  if (!c) return c.error();
  auto read = [](const auto& s) {
    return PresenceChange{AgentId{s.int64(0)}, from_millis(s.int64(1)), enum_or(s.text(2), Presence::kOffline)};
  };
  // Each agent's last change before `from`.
  auto before = (*c)->prepare(
      "SELECT p.agent_id, p.at, p.presence FROM presence_log p JOIN (SELECT agent_id, MAX(at) AS at FROM presence_log "
      "WHERE at < ?1 GROUP BY agent_id) m ON p.agent_id = m.agent_id AND p.at = m.at ORDER BY p.agent_id");
  if (!before) return before.error();
  before->bind(1, to_millis(from));
  auto out = read_all<PresenceChange>(*before, read);
  if (!out) return out.error();
  auto within = (*c)->prepare(
      std::string("SELECT agent_id, at, presence FROM presence_log WHERE at >= ? AND at < ? ORDER BY at, ") +
      Db::kInsertOrder);
  if (!within) return within.error();
  within->bind(1, to_millis(from)).bind(2, to_millis(to));
  auto rest = read_all<PresenceChange>(*within, read);
  if (!rest) return rest.error();
  out->insert(out->end(), rest->begin(), rest->end());
  return out;
}

template <class Db>
Result<std::int64_t> SqlStore<Db>::count_deliveries(DeliveryState state) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare("SELECT COUNT(*) FROM deliveries WHERE state = ?");
  if (!st) return st.error();
  st->bind(1, to_string(state));
  auto row = read_all<std::int64_t>(*st, [](const auto& s) { return s.int64(0); });
  if (!row) return row.error();
  return row->empty() ? 0 : row->front();
}

template <class Db>
Status SqlStore<Db>::update_delivery(const Delivery& d) {
  std::lock_guard lock(writer_mu_);
  auto& c = *writer_;
  auto st = c.prepare(
      "UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, delivered_at = ?, last_error = ? "
      "WHERE id = ? RETURNING id");
  if (!st) return st.error();
  st->bind(1, to_string(d.state)).bind(2, d.attempts).bind(3, to_millis(d.next_attempt_at));
  st->bind(4, opt_millis(d.delivered_at)).bind(5, d.last_error).bind(6, d.id);
  auto rows = read_all<std::int64_t>(*st, [](const auto& s) { return s.int64(0); });
  if (!rows) return rows.error();
  if (rows->empty()) return Error::NotFound("delivery " + std::to_string(d.id));
  return Status::Ok();
}

template <class Db>
Result<std::optional<std::string>> SqlStore<Db>::find_setting(const std::string& key) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare("SELECT value FROM settings WHERE key = ?");
  if (!st) return st.error();
  st->bind(1, key);
  return first_row<std::string>(*st, [](const auto& s) { return s.text(0); });
}

template <class Db>
Result<Lease> SqlStore<Db>::take_lease(const std::string& partition, const std::string& owner, const std::string& address,
                                       Time now, Duration ttl) {
  std::lock_guard lock(writer_mu_);
  auto& c = *writer_;
  // One statement: the conflict's row lock (PostgreSQL) or the write lock
  // (SQLite) makes racing nodes take turns, and only one of them wins.
  auto take = c.prepare(
      "INSERT INTO leases (partition, owner, address, epoch, expires_at) VALUES (?1, ?2, ?3, 1, ?5) "
      "ON CONFLICT (partition) DO UPDATE SET "
      "epoch = CASE WHEN leases.owner = excluded.owner THEN leases.epoch ELSE leases.epoch + 1 END, "
      "owner = excluded.owner, address = excluded.address, expires_at = excluded.expires_at "
      "WHERE leases.owner = excluded.owner OR leases.expires_at <= ?4");
  if (!take) return take.error();
  take->bind(1, partition).bind(2, owner).bind(3, address).bind(4, to_millis(now)).bind(5, to_millis(now + ttl));
  if (auto s = take->run(); !s) return s.error();
  auto st = c.prepare("SELECT partition, owner, address, epoch, expires_at FROM leases WHERE partition = ?");
  if (!st) return st.error();
  st->bind(1, partition);
  auto lease = first_row<Lease>(*st, [](const auto& s) {
    return Lease{s.text(0), s.text(1), s.text(2), s.int64(3), from_millis(s.int64(4))};
  });
  if (!lease) return lease.error();
  if (!*lease) return Error::Unavailable("lease '" + partition + "' vanished");
  return **lease;
}

}  // namespace sb

#include "db/sql/sql_directory_impl.h"
