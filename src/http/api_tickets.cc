// Tickets: create (through intake), read, list, change, accept/decline, the
// routing explanation, and the conversation.
#include "http/api.h"

#include <charconv>

#include "http/api_helpers.h"
#include "http/auth.h"
#include "json/json_codec.h"

namespace sb::http {

using namespace detail;

namespace {

// A ticket's ETag: its id and version, strong ("7-12").
std::string etag(const Ticket& t) {
  return "\"" + std::to_string(t.id.value) + "-" + std::to_string(t.version) + "\"";
}

// If-Match on a ticket: one strong ETag from a GET or PATCH of it, or "*".
// Returns the version it names (nullopt for "*"); an ETag of another ticket
// names no version it can have (-1).
std::optional<std::int64_t> if_match_version(const std::string& header, TicketId id) {
  std::string v = header;
  v.erase(0, v.find_first_not_of(" \t"));
  v.erase(v.find_last_not_of(" \t") + 1);
  if (v == "*") return std::nullopt;
  const std::size_t dash = v.find('-');
  std::int64_t ticket = 0, version = 0;
  if (v.size() < 5 || v.front() != '"' || v.back() != '"' || dash == std::string::npos ||
      std::from_chars(v.data() + 1, v.data() + dash, ticket).ptr != v.data() + dash ||
      std::from_chars(v.data() + dash + 1, v.data() + v.size() - 1, version).ptr != v.data() + v.size() - 1) {
    throw Fail{Error::Invalid("If-Match", "If-Match must be one ETag as a GET of the ticket gave it, or *")};
  }
  return ticket == id.value ? version : -1;
}

}  // namespace

Response Api::create_ticket(Request& r) {
  const json body = parse_body(r);
  TicketInput in = ok_or_throw(parse_ticket_create(body, resolve_team()));
  intake::Intake::Hooks hooks;
  if (r.idempotency) {
    // The key's record commits with the ticket: a crash before the answer
    // reaches the client cannot let its retry make a second ticket.
    hooks.answer = [record = *r.idempotency](WriteBatch& b, const TicketView& v) {
      IdempotencyRecord committed = record;
      committed.status = 201;
      committed.response = to_json(v).dump(-1, ' ', false, json::error_handler_t::replace);
      b.idempotency.push_back(std::move(committed));
    };
  }
  return created(to_json(ok_or_throw(intake_.create(std::move(in), hooks))));
}

Response Api::get_ticket(Request& r) {
  const TicketView v = visible_ticket(r, TicketId{id_param(r, "ticket")});
  json out = to_json(v);
  json comments = json::array();
  for (const Message& m : ok_or_throw(service_.list_messages(v.ticket.id))) comments.push_back(to_json(m));
  out["comments"] = std::move(comments);
  Response res = ok(std::move(out));
  res.headers.emplace_back("ETag", etag(v.ticket));
  return res;
}

Response Api::list_comments(Request& r) {
  const TicketView v = visible_ticket(r, TicketId{id_param(r, "ticket")});
  json comments = json::array();
  for (const Message& m : ok_or_throw(service_.list_messages(v.ticket.id))) comments.push_back(to_json(m));
  return ok({{"comments", std::move(comments)}});
}

Response Api::add_comment(Request& r) {
  const TicketView v = visible_ticket(r, TicketId{id_param(r, "ticket")});
  CommentInput in = ok_or_throw(parse_comment_create(parse_body(r)));
  Message& m = in.message;
  // Files the agent attached: their bytes come base64; kept with the message.
  for (std::size_t i = 0; i < m.attachments.size(); ++i) {
    Attachment& a = m.attachments[i];
    if (a.content.empty()) continue;
    if (m.kind == MessageKind::kCustomer) {
      throw Fail{Error::Invalid("attachments", "files are attached by agents; a customer's come by mail")};
    }
    auto bytes = decode_base64(a.content);
    if (!bytes || bytes->empty()) {
      throw Fail{Error::Invalid("attachments[" + std::to_string(i) + "].content_base64", "is not base64")};
    }
    a.content = std::move(*bytes);
    a.size = static_cast<std::int64_t>(a.content.size());
    if (a.content_type.empty()) a.content_type = "application/octet-stream";
  }
  m.ticket = v.ticket.id;
  if (r.principal.role == Role::kAgent) {
    if (in.author_given) throw Fail{Error::Invalid("author", "an agent token writes as its own agent")};
    m.agent = r.principal.agent;
  } else if (!in.author_given) {
    throw Fail{Error::Missing("author")};
  }
  if (m.agent) {
    auto agent = ok_or_throw(service_.find_agent(*m.agent));
    if (!agent) throw Fail{Error::Invalid("author.agent_id", "agent " + std::to_string(m.agent->value) + " does not exist")};
    if (r.principal.is_supervisor() && !r.principal.manages_any(agent->agent.teams)) {
      throw Fail{Error::Invalid("author.agent_id", "a supervisor writes as agents of their own teams only")};
    }
    if (m.author_name.empty()) m.author_name = agent->agent.name;
    if (m.author_email.empty()) m.author_email = agent->agent.email;
  } else {
    if (m.author_name.empty()) m.author_name = v.ticket.requester.name;
    if (m.author_email.empty()) m.author_email = v.ticket.requester.email;
  }
  if (in.status) {
    // Checked first, so that a bad status changes nothing.
    if (m.kind == MessageKind::kCustomer) throw Fail{Error::Invalid("status", "only agents set the status with a comment")};
    ok_or_throw(check_transition(v.ticket.status, *in.status));
  }
  Message saved = ok_or_throw(service_.add_message(std::move(m)));
  if (in.status && *in.status != v.ticket.status) {
    TicketPatch patch;
    patch.status = in.status;
    ok_or_throw(service_.update_ticket(saved.ticket, patch));
  }
  Response res = created(to_json(saved));
  res.headers.emplace_back("Location", "/api/v1/tickets/" + std::to_string(saved.ticket.value) + "/comments");
  return res;
}

// An offer is the offered agent's to take or turn down (a supervisor or admin
// may answer for them); an agent's teammates see it but cannot answer it.
static AgentId offered_agent(const Request& r, const TicketView& t) {
  if (!t.ticket.assignee) throw Fail{Error::Conflict("not_offered", "the ticket is not offered to anyone")};
  if (r.principal.role == Role::kAgent && t.ticket.assignee != r.principal.agent) {
    throw Fail{Error::Conflict("not_offered", "the ticket is offered to another agent")};
  }
  return *t.ticket.assignee;
}

Response Api::accept_ticket(Request& r) {
  const TicketView t = visible_ticket(r, TicketId{id_param(r, "ticket")});
  return ok(to_json(ok_or_throw(service_.accept(t.ticket.id, offered_agent(r, t)))));
}

Response Api::decline_ticket(Request& r) {
  const TicketView t = visible_ticket(r, TicketId{id_param(r, "ticket")});
  return ok(to_json(ok_or_throw(service_.decline(t.ticket.id, offered_agent(r, t)))));
}

Response Api::ticket_routing(Request& r) {
  const TicketView t = visible_ticket(r, TicketId{id_param(r, "ticket")});
  const int limit = static_cast<int>(int_query(r, "limit", 1, 100).value_or(50));
  json decisions = json::array();
  for (const Decision& d : ok_or_throw(service_.list_decisions(t.ticket.id, limit))) decisions.push_back(to_json(d));
  return ok({{"ticket_id", t.ticket.id.value},
             {"triage", t.ticket.triage ? triage_to_json(*t.ticket.triage) : json(nullptr)},
             {"decisions", std::move(decisions)}});
}

// GET /api/v1/tickets: filters, full-text search (q), order and cursor
// paging (docs/dashboard.md lists the parameters). Each caller sees only
// their scope: a supervisor their teams, an agent their teams and their own.
Response Api::list_tickets(Request& r) {
  TicketQuery q;
  if (auto s = text_query(r, "status")) {
    // One status, or several separated by commas.
    for (std::size_t pos = 0; pos <= s->size();) {
      std::size_t comma = s->find(',', pos);
      if (comma == std::string::npos) comma = s->size();
      q.statuses.push_back(ok_or_throw(parse_enum<TicketStatus>(s->substr(pos, comma - pos), "status")));
      pos = comma + 1;
    }
  }
  if (auto s = text_query(r, "priority")) q.priority = ok_or_throw(parse_enum<Priority>(*s, "priority"));
  if (auto s = text_query(r, "channel")) q.channel = ok_or_throw(parse_enum<Channel>(*s, "channel"));
  if (auto s = text_query(r, "team")) {
    if (auto byname = service_.team_by_name(*s)) {
      q.team = byname;
    } else {
      q.team = TeamId{*int_query(r, "team", 1, INT64_MAX)};
    }
  }
  if (text_query(r, "assignee_id") == "none") {
    q.unassigned = true;
  } else if (auto a = int_query(r, "assignee_id", 1, INT64_MAX)) {
    q.assignee = AgentId{*a};
  }
  q.category = text_query(r, "category");
  q.tag = text_query(r, "tag");
  q.requester = text_query(r, "requester", 254);
  q.created_from = time_query(r, "created_from");
  q.created_to = time_query(r, "created_to");
  q.updated_from = time_query(r, "updated_from");
  q.updated_to = time_query(r, "updated_to");
  if (auto text = text_query(r, "q", 1000)) {
    q.words = search_words(*text);
    if (q.words.empty()) throw Fail{Error::Invalid("q", "'q' holds no word to search for")};
  }
  if (auto s = text_query(r, "sort")) q.sort = ok_or_throw(parse_enum<TicketSort>(*s, "sort"));
  q.limit = static_cast<int>(int_query(r, "limit", 1, 100).value_or(50));
  if (auto cursor = text_query(r, "cursor", 200)) {
    if (q.sort == TicketSort::kId) {
      q.after = ok_or_throw(decode_cursor(*cursor));
    } else {
      const KeyedCursor c = ok_or_throw(decode_keyed_cursor(*cursor));
      q.after_key = c.key;
      q.after = c.id;
    }
  }
  if (r.principal.is_supervisor()) {
    // Their teams' tickets; another team's are as if there were none.
    if (q.team && !r.principal.manages(*q.team)) throw Fail{Error::NotFound("team " + std::to_string(q.team->value))};
    if (!q.team) q.teams = r.principal.teams;
  } else if (!r.principal.is_admin()) {
    // An agent: their teams' tickets and those assigned to them.
    if (q.team && !r.principal.works_in(*q.team)) throw Fail{Error::NotFound("team " + std::to_string(q.team->value))};
    q.teams = r.principal.teams;
    q.or_assignee = r.principal.agent;
  }
  TicketPage page = ok_or_throw(service_.list_tickets(q));
  json next = nullptr;
  if (page.more) {
    const Ticket& last = page.tickets.back();
    next = q.sort == TicketSort::kId ? encode_cursor(last.id.value)
                                     : encode_cursor(KeyedCursor{sort_key(last, q.sort), last.id.value});
  }
  json tickets = json::array();
  for (Ticket& t : page.tickets) tickets.push_back(to_json(TicketView{std::move(t), std::nullopt}));
  return ok({{"tickets", std::move(tickets)}, {"next_cursor", std::move(next)}});
}

Response Api::update_ticket(Request& r) {
  const TicketId id{id_param(r, "ticket")};
  const json body = parse_body(r);
  TicketPatch patch = ok_or_throw(parse_ticket_patch(body, resolve_team()));
  check_fields(patch);
  if (!r.principal.is_admin()) check_in_scope(r, visible_ticket(r, id).ticket, patch);
  if (!r.if_match.empty()) patch.if_version = if_match_version(r.if_match, id);
  // Only a change of team or category can make a correction.
  const bool decides = patch.team || patch.category;
  const Service::Editor by = decides ? editor(r) : Service::Editor{};
  auto updated = service_.update_ticket(id, patch, decides ? &by : nullptr);
  if (!updated && updated.error().kind == ErrorKind::kPreconditionFailed) {
    // A stale write: nothing changed; here is the version to read again.
    Response res = error_response(updated.error());
    if (auto now = service_.find_ticket(id); now && *now) res.headers.emplace_back("ETag", etag((*now)->ticket));
    return res;
  }
  const TicketView view = ok_or_throw(std::move(updated));
  Response res = ok(to_json(view));
  res.headers.emplace_back("ETag", etag(view.ticket));
  return res;
}

}  // namespace sb::http
