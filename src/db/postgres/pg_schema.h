#pragma once
// The PostgreSQL schema (docs/scaling.md), as an ordered list of migrations
// like the SQLite one (src/db/sqlite/schema.h): migration i takes the
// schema from version i to i+1, recorded in schema_version; never edit a
// released migration, append one. Version 1 is the SQLite schema as of its
// migration 11, in PostgreSQL's types: times are BIGINT milliseconds since the
// epoch (UTC), nested values JSON text, raw mail BYTEA.
#include <array>
#include <memory>
#include <string>
#include <string_view>

#include <pqxx/connection>

#include "core/status.h"


namespace sb::pg {

inline constexpr std::array<std::string_view, 12> kMigrations{
    R"sql(
CREATE TABLE teams (
  id BIGINT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  routing TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE agents (
  id BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  skills TEXT NOT NULL,
  teams TEXT NOT NULL,
  capacity TEXT NOT NULL,
  presence TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE tickets (
  id BIGINT PRIMARY KEY,
  channel TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  requester_email TEXT NOT NULL,
  requester_name TEXT NOT NULL,
  requester_tier TEXT NOT NULL,
  status TEXT NOT NULL,
  priority TEXT NOT NULL,
  category TEXT NOT NULL,
  team_id BIGINT,
  required_skills TEXT NOT NULL,
  tags TEXT NOT NULL,
  assignee_id BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  assigned_at BIGINT,
  solved_at BIGINT,
  routing TEXT NOT NULL,
  optional_skills TEXT NOT NULL DEFAULT '{}',
  queued_at BIGINT,
  offer_expires_at BIGINT,
  accepted_at BIGINT,
  declined_by TEXT NOT NULL DEFAULT '[]',
  triage TEXT NOT NULL DEFAULT '',
  sla TEXT NOT NULL DEFAULT '',
  external_id TEXT UNIQUE,
  first_response_at BIGINT,
  tallies BIGINT NOT NULL DEFAULT 0,
  predicts TEXT NOT NULL DEFAULT '',
  predicted TEXT NOT NULL DEFAULT '',
  prediction_used INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tickets_by_status ON tickets (status, id);
CREATE INDEX tickets_by_team ON tickets (team_id, id);
CREATE INDEX tickets_by_assignee ON tickets (assignee_id, id);
CREATE INDEX tickets_by_requester ON tickets (requester_email, assigned_at);
CREATE INDEX tickets_report ON tickets (created_at) INCLUDE (assigned_at, solved_at, team_id, assignee_id, channel,
                                                          priority, category, first_response_at, tallies, predicts,
                                                          predicted, prediction_used);
CREATE INDEX tickets_unsolved ON tickets (created_at) WHERE solved_at IS NULL;
CREATE TABLE tokens (
  hash TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  agent_id BIGINT,
  created_at BIGINT NOT NULL
);
CREATE TABLE decisions (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ticket_id BIGINT NOT NULL,
  at BIGINT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX decisions_by_ticket ON decisions (ticket_id, id);
CREATE TABLE events (
  seq BIGINT PRIMARY KEY,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  ticket_id BIGINT NOT NULL,
  at BIGINT NOT NULL,
  data TEXT NOT NULL
);
CREATE TABLE webhooks (
  id BIGINT PRIMARY KEY,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  events TEXT NOT NULL,
  description TEXT NOT NULL,
  active INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE deliveries (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind TEXT NOT NULL,
  event_seq BIGINT NOT NULL,
  webhook_id BIGINT,
  recipient TEXT NOT NULL,
  message TEXT NOT NULL,
  message_id TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  delivered_at BIGINT,
  last_error TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_by_message_id ON deliveries (message_id) WHERE message_id != '';
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE messages (
  id BIGINT PRIMARY KEY,
  ticket_id BIGINT NOT NULL,
  kind TEXT NOT NULL,
  agent_id BIGINT,
  author_name TEXT NOT NULL,
  author_email TEXT NOT NULL,
  body TEXT NOT NULL,
  attachments TEXT NOT NULL,
  message_id TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX messages_by_ticket ON messages (ticket_id, id);
CREATE INDEX messages_by_message_id ON messages (message_id) WHERE message_id != '';
CREATE TABLE mail_receipts (
  mailbox TEXT NOT NULL,
  message_id TEXT NOT NULL,
  ticket_id BIGINT,
  outcome TEXT NOT NULL,
  raw BYTEA NOT NULL,
  received_at BIGINT NOT NULL,
  PRIMARY KEY (mailbox, message_id)
);
CREATE INDEX mail_receipts_by_message_id ON mail_receipts (message_id);
CREATE TABLE idempotency (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  request TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_by_age ON idempotency (created_at);
CREATE TABLE presence_log (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  agent_id BIGINT NOT NULL,
  at BIGINT NOT NULL,
  presence TEXT NOT NULL
);
CREATE INDEX presence_log_by_time ON presence_log (at, agent_id);
CREATE INDEX presence_log_by_agent ON presence_log (agent_id, at);
)sql",
    // 2: partition leases (docs/scaling.md).
    R"sql(
CREATE TABLE leases (
  partition TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  address TEXT NOT NULL,
  epoch BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
)sql",
    // 3: a ticket's version, one more with every change (its ETag).
    R"sql(
ALTER TABLE tickets ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
)sql",
    // 4: token expiry and revocation; the audit log of administrative changes.
    R"sql(
ALTER TABLE tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE tokens ADD COLUMN revoked_at BIGINT;
CREATE TABLE audit_log (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL,
  status INTEGER NOT NULL
);
)sql",
    // 5: a supervisor token's teams (a JSON array of ids).
    R"sql(
ALTER TABLE tokens ADD COLUMN teams TEXT NOT NULL DEFAULT '';
)sql",
    // 6: the agent workspace's views and search (docs/dashboard.md): the
    // soonest running SLA clock's due time, orders by update and creation,
    // and full-text search (tsvector + GIN) over tickets (subject, body,
    // requester) and their conversations. Words are runs of letters and
    // digits, as SQLite's unicode61 tokenizer has them ('simple': no stemming).
    R"sql(
ALTER TABLE tickets ADD COLUMN due_at BIGINT;
CREATE INDEX tickets_by_updated ON tickets (updated_at, id);
CREATE INDEX tickets_by_created ON tickets (created_at, id);
CREATE INDEX tickets_by_due ON tickets (due_at, id) WHERE due_at IS NOT NULL;
ALTER TABLE tickets ADD COLUMN search tsvector GENERATED ALWAYS AS (
  to_tsvector('simple', regexp_replace(subject || ' ' || body || ' ' || requester_name || ' ' || requester_email,
                                       '[^[:alnum:]]+', ' ', 'g'))) STORED;
CREATE INDEX tickets_search ON tickets USING GIN (search);
ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (
  to_tsvector('simple', regexp_replace(body, '[^[:alnum:]]+', ' ', 'g'))) STORED;
CREATE INDEX messages_search ON messages USING GIN (search);
)sql",
    // 7: the open tickets in update and creation order (the workspace's queues).
    R"sql(
CREATE INDEX tickets_open_by_updated ON tickets (updated_at, id) WHERE status IN ('new','open','pending','hold');
CREATE INDEX tickets_open_by_created ON tickets (created_at, id) WHERE status IN ('new','open','pending','hold');
)sql",
    // 8: creation order is id order: the two creation indexes cost every write and save nothing.
    R"sql(
DROP INDEX tickets_by_created;
DROP INDEX tickets_open_by_created;
)sql",
    // 9: files agents attach to replies and notes (mail keeps its raw message).
    R"sql(
CREATE TABLE attachment_content (
  message_id BIGINT NOT NULL,
  idx INTEGER NOT NULL,
  content BYTEA NOT NULL,
  PRIMARY KEY (message_id, idx)
);
)sql",
    // 10: people's decisions about team and category: the classifier's lessons.
    R"sql(
CREATE TABLE corrections (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ticket_id BIGINT NOT NULL,
  at BIGINT NOT NULL,
  field TEXT NOT NULL,             -- team | category
  from_value TEXT NOT NULL,
  to_value TEXT NOT NULL,
  label TEXT NOT NULL,             -- to_value as the model's label
  guess TEXT NOT NULL,             -- the model's label at intake
  confidence BIGINT NOT NULL,      -- the guess's, in millionths
  source TEXT NOT NULL,            -- desk | move | edit
  actor TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  waited_ms BIGINT NOT NULL            -- from the ticket's creation to the decision
);
CREATE INDEX corrections_by_field ON corrections (field, id);
CREATE INDEX corrections_by_at ON corrections (at);
)sql",
    // 11: customers and organisations (docs/customers.md); a ticket's
    // organisation (reports group by it) and its customer match and custom
    // fields (JSON). Removed records stay as rows without addresses, domains
    // or external id, so that their ids are never given again.
    R"sql(
CREATE TABLE organizations (
  id BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  domains TEXT NOT NULL,           -- JSON list, lower-case
  tier TEXT NOT NULL,
  account_owner BIGINT,
  external_id TEXT,
  attributes TEXT NOT NULL,        -- JSON object
  search TEXT NOT NULL,            -- " word word ": name, domains, external id
  removed BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX organizations_by_external_id ON organizations (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX organizations_by_name ON organizations (name);
CREATE TABLE organization_domains (
  domain TEXT PRIMARY KEY,
  organization_id BIGINT NOT NULL
);
CREATE INDEX organization_domains_by_organization ON organization_domains (organization_id);
CREATE TABLE customers (
  id BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  emails TEXT NOT NULL,            -- JSON list, lower-case, the reply address first
  organization_id BIGINT,
  tier TEXT NOT NULL,
  language TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  external_id TEXT,
  attributes TEXT NOT NULL,        -- JSON object
  search TEXT NOT NULL,            -- " word word ": name, addresses, external id
  removed BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX customers_by_external_id ON customers (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX customers_by_organization ON customers (organization_id, id);
CREATE TABLE customer_emails (
  email TEXT PRIMARY KEY,
  customer_id BIGINT NOT NULL
);
CREATE INDEX customer_emails_by_customer ON customer_emails (customer_id);
ALTER TABLE tickets ADD COLUMN organization_id BIGINT;
ALTER TABLE tickets ADD COLUMN customer TEXT NOT NULL DEFAULT '';
)sql",
    // 12: where a ticket came from when another system holds it (a
    // connector's name, docs/connectors.md; '' for our own channels): its
    // external id is unique within that source.
    R"sql(
ALTER TABLE tickets ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets DROP CONSTRAINT tickets_external_id_key;
CREATE UNIQUE INDEX tickets_by_external_id ON tickets (source, external_id) WHERE external_id IS NOT NULL;
)sql",
};

// Brings the database to the latest version, in one transaction per
// migration, holding an advisory lock so that nodes starting together
// migrate once. Fails when the database is newer than this binary.
Status migrate(pqxx::connection& c);

// The version the database is at (0: empty).
Result<int> schema_version(pqxx::connection& c);

}  // namespace sb::pg
