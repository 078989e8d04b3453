#pragma once
// The SQLite schema as an ordered list of migrations. Migration i (0-based)
// takes the schema from version i to i+1; the applied version is kept in
// schema_version. Never edit a released migration: append a new one.
#include <array>
#include <string_view>

#include "db/sqlite/connection.h"

namespace sb::sqlite {

inline constexpr std::array<std::string_view, 22> kMigrations{
    R"sql(
CREATE TABLE teams (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE agents (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  skills TEXT NOT NULL,      -- JSON {"skill": level}
  teams TEXT NOT NULL,       -- JSON [team id]
  capacity TEXT NOT NULL,    -- JSON [email, web, chat, phone, api]
  presence TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE tickets (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  requester_email TEXT NOT NULL,
  requester_name TEXT NOT NULL,
  requester_tier TEXT NOT NULL,
  status TEXT NOT NULL,
  priority TEXT NOT NULL,
  category TEXT NOT NULL,
  team_id INTEGER,
  required_skills TEXT NOT NULL,  -- JSON {"skill": minimum level}
  tags TEXT NOT NULL,             -- JSON [tag]
  assignee_id INTEGER,
  created_at INTEGER NOT NULL,    -- milliseconds since the Unix epoch, UTC
  updated_at INTEGER NOT NULL,
  assigned_at INTEGER,
  solved_at INTEGER,
  routing TEXT NOT NULL           -- JSON explanation of the last routing decision, or ''
);
CREATE INDEX tickets_by_status ON tickets (status, id);
CREATE INDEX tickets_by_team ON tickets (team_id, id);
CREATE INDEX tickets_by_assignee ON tickets (assignee_id, id);
CREATE TABLE tokens (
  hash TEXT PRIMARY KEY,   -- hex BLAKE2b-256 of the secret; the secret is never stored
  role TEXT NOT NULL,
  agent_id INTEGER,
  created_at INTEGER NOT NULL
);
)sql",
    // 2: routing settings per team, routing state per ticket, decisions.
    R"sql(
ALTER TABLE teams ADD COLUMN routing TEXT NOT NULL DEFAULT '{}';   -- JSON TeamRouting
ALTER TABLE tickets ADD COLUMN optional_skills TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tickets ADD COLUMN queued_at INTEGER;
ALTER TABLE tickets ADD COLUMN offer_expires_at INTEGER;
ALTER TABLE tickets ADD COLUMN accepted_at INTEGER;
ALTER TABLE tickets ADD COLUMN declined_by TEXT NOT NULL DEFAULT '[]';  -- JSON [agent id]
CREATE INDEX tickets_by_requester ON tickets (requester_email, assigned_at);
CREATE TABLE decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  body TEXT NOT NULL               -- JSON Decision
);
CREATE INDEX decisions_by_ticket ON decisions (ticket_id, id);
)sql",
    // 3: what triage did on arrival.
    R"sql(
ALTER TABLE tickets ADD COLUMN triage TEXT NOT NULL DEFAULT '';  -- JSON TriageInfo, or ''
)sql",
    // 4: SLA clocks (stored so that warnings and breaches fire once, across restarts).
    R"sql(
ALTER TABLE tickets ADD COLUMN sla TEXT NOT NULL DEFAULT '';  -- JSON SlaState, or ''
)sql",
    // 5: the outbox (events written with the change), webhooks, deliveries, settings.
    R"sql(
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,         -- numbered by the service, in commit order
  id TEXT NOT NULL,                -- 96 random bits: unique without an index
  type TEXT NOT NULL,
  ticket_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  data TEXT NOT NULL               -- the JSON document delivered
);
CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  events TEXT NOT NULL,            -- JSON [type], [] = all
  description TEXT NOT NULL,
  active INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,              -- webhook | email
  event_seq INTEGER NOT NULL,
  webhook_id INTEGER,
  recipient TEXT NOT NULL,
  message TEXT NOT NULL,
  message_id TEXT NOT NULL,
  state TEXT NOT NULL,             -- pending | delivered | dead
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  delivered_at INTEGER,
  last_error TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_by_message_id ON deliveries (message_id) WHERE message_id != '';
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql",
    // 6: conversations.
    R"sql(
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,          -- numbered by the service
  ticket_id INTEGER NOT NULL,
  kind TEXT NOT NULL,              -- customer | reply | note
  agent_id INTEGER,
  author_name TEXT NOT NULL,
  author_email TEXT NOT NULL,
  body TEXT NOT NULL,
  attachments TEXT NOT NULL,       -- JSON [{name, content_type, size}]
  message_id TEXT NOT NULL,        -- the e-mail's Message-ID, or ''
  at INTEGER NOT NULL
);
CREATE INDEX messages_by_ticket ON messages (ticket_id, id);
CREATE INDEX messages_by_message_id ON messages (message_id) WHERE message_id != '';
)sql",
    // 7: inbound e-mail, kept raw; one receipt per (mailbox, Message-ID).
    R"sql(
CREATE TABLE mail_receipts (
  mailbox TEXT NOT NULL,
  message_id TEXT NOT NULL,
  ticket_id INTEGER,
  outcome TEXT NOT NULL,
  raw BLOB NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (mailbox, message_id)
);
CREATE INDEX mail_receipts_by_message_id ON mail_receipts (message_id);
)sql",
    // 8: Idempotency-Key answers, kept 24 hours.
    R"sql(
CREATE TABLE idempotency (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  request TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_by_age ON idempotency (created_at);
)sql",
    // 9: tickets' ids in other systems (imports), unique when set.
    R"sql(
ALTER TABLE tickets ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX tickets_by_external_id ON tickets (external_id) WHERE external_id IS NOT NULL;
)sql",
    // 10: reports scan tickets by creation time; the index carries every
    // column they read, so a year of tickets is read without touching the
    // (wide) table rows.
    R"sql(
CREATE INDEX tickets_report ON tickets (created_at, assigned_at, solved_at, team_id, assignee_id, channel, priority,
                                        category);
)sql",
    // 11: what reports count per ticket (TicketStats, the SLA outcome, the
    // classifier's guess), in the covering index; agents' presence history.
    R"sql(
ALTER TABLE tickets ADD COLUMN first_response_at INTEGER;
-- One integer, so that a report reads one column, not five (see pack_tallies):
-- bits 0-1 the SLA outcome (0 none, 1 running, 2 met, 3 breached), then
-- reassignments, declines, offer timeouts and escalations, 8 bits each (at most 255).
ALTER TABLE tickets ADD COLUMN tallies INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN predicts TEXT NOT NULL DEFAULT '';   -- what the classifier guessed: team | category | ''
ALTER TABLE tickets ADD COLUMN predicted TEXT NOT NULL DEFAULT '';  -- its guess (a team's name or a category)
ALTER TABLE tickets ADD COLUMN prediction_used INTEGER NOT NULL DEFAULT 0;  -- confident enough to act on
DROP INDEX tickets_report;
CREATE INDEX tickets_report ON tickets (created_at, assigned_at, solved_at, team_id, assignee_id, channel, priority,
                                        category, first_response_at, tallies, predicts, predicted, prediction_used);
CREATE INDEX tickets_unsolved ON tickets (solved_at, created_at) WHERE solved_at IS NULL;
CREATE TABLE presence_log (
  agent_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  presence TEXT NOT NULL
);
CREATE INDEX presence_log_by_time ON presence_log (at, agent_id);
CREATE INDEX presence_log_by_agent ON presence_log (agent_id, at);
)sql",
    // 12: partition leases (docs/scaling.md).
    R"sql(
CREATE TABLE leases (
  partition TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  address TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
)sql",
    // 13: a ticket's version, one more with every change (its ETag).
    R"sql(
ALTER TABLE tickets ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
)sql",
    // 14: token expiry and revocation; the audit log of administrative changes.
    R"sql(
ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE tokens ADD COLUMN revoked_at INTEGER;
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL,
  status INTEGER NOT NULL
);
)sql",
    // 15: a supervisor token's teams (a JSON array of ids).
    R"sql(
ALTER TABLE tokens ADD COLUMN teams TEXT NOT NULL DEFAULT '';
)sql",
    // 16: the agent workspace's views and search (docs/dashboard.md): the
    // soonest running SLA clock's due time, orders by update and creation,
    // and full-text indexes over tickets (subject, body, requester) and
    // their conversations, kept by triggers. The ticket index is rewritten
    // only when its text changes, not on every routing change.
    R"sql(
ALTER TABLE tickets ADD COLUMN due_at INTEGER;
CREATE INDEX tickets_by_updated ON tickets (updated_at, id);
CREATE INDEX tickets_by_created ON tickets (created_at, id);
CREATE INDEX tickets_by_due ON tickets (due_at, id) WHERE due_at IS NOT NULL;
CREATE VIRTUAL TABLE ticket_fts USING fts5(subject, body, requester_name, requester_email, content='tickets',
                                           content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
  INSERT INTO ticket_fts (rowid, subject, body, requester_name, requester_email)
  VALUES (new.id, new.subject, new.body, new.requester_name, new.requester_email);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE ON tickets
WHEN old.subject IS NOT new.subject OR old.body IS NOT new.body OR old.requester_name IS NOT new.requester_name
  OR old.requester_email IS NOT new.requester_email BEGIN
  INSERT INTO ticket_fts (ticket_fts, rowid, subject, body, requester_name, requester_email)
  VALUES ('delete', old.id, old.subject, old.body, old.requester_name, old.requester_email);
  INSERT INTO ticket_fts (rowid, subject, body, requester_name, requester_email)
  VALUES (new.id, new.subject, new.body, new.requester_name, new.requester_email);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
  INSERT INTO ticket_fts (ticket_fts, rowid, subject, body, requester_name, requester_email)
  VALUES ('delete', old.id, old.subject, old.body, old.requester_name, old.requester_email);
END;
CREATE VIRTUAL TABLE message_fts USING fts5(body, content='messages', content_rowid='id',
                                            tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO message_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO message_fts (message_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
INSERT INTO ticket_fts (ticket_fts) VALUES ('rebuild');
INSERT INTO message_fts (message_fts) VALUES ('rebuild');
)sql",
    // 17: the open tickets in update and creation order (the workspace's
    // queues: a tenth of the table, read newest first without a sort).
    R"sql(
CREATE INDEX tickets_open_by_updated ON tickets (updated_at, id) WHERE status IN ('new','open','pending','hold');
CREATE INDEX tickets_open_by_created ON tickets (created_at, id) WHERE status IN ('new','open','pending','hold');
)sql",
    // 18: creation order is id order (ids are given as tickets are created):
    // the two creation indexes cost every ticket write (the upsert rewrites
    // each index) and save nothing.
    R"sql(
DROP INDEX tickets_by_created;
DROP INDEX tickets_open_by_created;
)sql",
    // 19: files agents attach to replies and notes (mail keeps its raw message).
    R"sql(
CREATE TABLE attachment_content (
  message_id INTEGER NOT NULL,
  idx INTEGER NOT NULL,            -- its place in the message's attachments
  content BLOB NOT NULL,
  PRIMARY KEY (message_id, idx)
);
)sql",
    // 20: people's decisions about team and category: the classifier's lessons.
    R"sql(
CREATE TABLE corrections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  field TEXT NOT NULL,             -- team | category
  from_value TEXT NOT NULL,
  to_value TEXT NOT NULL,
  label TEXT NOT NULL,             -- to_value as the model's label
  guess TEXT NOT NULL,             -- the model's label at intake
  confidence INTEGER NOT NULL,      -- the guess's, in millionths
  source TEXT NOT NULL,            -- desk | move | edit
  actor TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  waited_ms INTEGER NOT NULL            -- from the ticket's creation to the decision
);
CREATE INDEX corrections_by_field ON corrections (field, id);
CREATE INDEX corrections_by_at ON corrections (at);
)sql",
    // 21: customers and organisations (docs/customers.md); a ticket's
    // organisation (reports group by it) and its customer match and custom
    // fields (JSON). Removed records stay as rows without addresses, domains
    // or external id, so that their ids are never given again.
    R"sql(
CREATE TABLE organizations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  domains TEXT NOT NULL,           -- JSON list, lower-case
  tier TEXT NOT NULL,
  account_owner INTEGER,
  external_id TEXT,
  attributes TEXT NOT NULL,        -- JSON object
  search TEXT NOT NULL,            -- " word word ": name, domains, external id
  removed INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX organizations_by_external_id ON organizations (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX organizations_by_name ON organizations (name);
CREATE TABLE organization_domains (
  domain TEXT PRIMARY KEY,
  organization_id INTEGER NOT NULL
);
CREATE INDEX organization_domains_by_organization ON organization_domains (organization_id);
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  emails TEXT NOT NULL,            -- JSON list, lower-case, the reply address first
  organization_id INTEGER,
  tier TEXT NOT NULL,
  language TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  external_id TEXT,
  attributes TEXT NOT NULL,        -- JSON object
  search TEXT NOT NULL,            -- " word word ": name, addresses, external id
  removed INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX customers_by_external_id ON customers (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX customers_by_organization ON customers (organization_id, id);
CREATE TABLE customer_emails (
  email TEXT PRIMARY KEY,
  customer_id INTEGER NOT NULL
);
CREATE INDEX customer_emails_by_customer ON customer_emails (customer_id);
ALTER TABLE tickets ADD COLUMN organization_id INTEGER;
ALTER TABLE tickets ADD COLUMN customer TEXT NOT NULL DEFAULT '';
)sql",
    // 22: where a ticket came from when another system holds it (a
    // connector's name, docs/connectors.md; '' for our own channels): its
    // external id is unique within that source.
    R"sql(
ALTER TABLE tickets ADD COLUMN source TEXT NOT NULL DEFAULT '';
DROP INDEX tickets_by_external_id;
CREATE UNIQUE INDEX tickets_by_external_id ON tickets (source, external_id) WHERE external_id IS NOT NULL;
)sql",
};

// Brings the database to the latest version. Fails when the file is newer
// than this binary.
Status migrate(Connection& c);

}  // namespace sb::sqlite
