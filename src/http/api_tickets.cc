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

Response Api::accept_ticket(Request& r) {
  const TicketView t = visible_ticket(r, TicketId{id_param(r, "ticket")});
  if (!t.ticket.assignee) throw Fail{Error::Conflict("not_offered", "the ticket is not offered to anyone")};
  return ok(to_json(ok_or_throw(service_.accept(t.ticket.id, *t.ticket.assignee))));
}

Response Api::decline_ticket(Request& r) {
  const TicketView t = visible_ticket(r, TicketId{id_param(r, "ticket")});
  if (!t.ticket.assignee) throw Fail{Error::Conflict("not_offered", "the ticket is not offered to anyone")};
  return ok(to_json(ok_or_throw(service_.decline(t.ticket.id, *t.ticket.assignee))));
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

Response Api::list_tickets(Request& r) {
  TicketQuery q;
  if (auto it = r.query.find("status"); it != r.query.end() && !it->second.empty()) {
    q.status = ok_or_throw(parse_enum<TicketStatus>(it->second, "status"));
  }
  if (auto it = r.query.find("team"); it != r.query.end() && !it->second.empty()) {
    if (auto byname = service_.team_by_name(it->second)) {
      q.team = byname;
    } else {
      q.team = TeamId{*int_query(r, "team", 1, INT64_MAX)};
    }
  }
  if (auto a = int_query(r, "assignee_id", 1, INT64_MAX)) q.assignee = AgentId{*a};
  q.limit = static_cast<int>(int_query(r, "limit", 1, 100).value_or(50));
  if (auto it = r.query.find("cursor"); it != r.query.end() && !it->second.empty()) {
    q.after = ok_or_throw(decode_cursor(it->second));
  }
  if (r.principal.is_supervisor()) {
    // Their teams' tickets; another team's are as if there were none.
    if (q.team && !r.principal.manages(*q.team)) throw Fail{Error::NotFound("team " + std::to_string(q.team->value))};
    if (!q.team) q.teams = r.principal.teams;
  } else if (!r.principal.is_admin()) {
    if (q.assignee && q.assignee != r.principal.agent) throw Fail{Error::Forbidden("agents may list only their own tickets")};
    q.assignee = r.principal.agent;
  }
  TicketPage page = ok_or_throw(service_.list_tickets(q));
  json tickets = json::array();
  for (Ticket& t : page.tickets) tickets.push_back(to_json(TicketView{std::move(t), std::nullopt}));
  json next = page.more ? json(encode_cursor(tickets.back()["id"].get<std::int64_t>())) : json(nullptr);
  return ok({{"tickets", std::move(tickets)}, {"next_cursor", next}});
}

Response Api::update_ticket(Request& r) {
  const TicketId id{id_param(r, "ticket")};
  const json body = parse_body(r);
  TicketPatch patch = ok_or_throw(parse_ticket_patch(body, resolve_team()));
  if (!r.principal.is_admin()) {
    (void)visible_ticket(r, id);
    if (r.principal.role == Role::kAgent && (patch.priority || patch.team || patch.assignee || patch.tags)) {
      throw Fail{Error::Forbidden("agents may change only the status of their tickets")};
    }
    check_in_scope(r, patch);
  }
  if (!r.if_match.empty()) patch.if_version = if_match_version(r.if_match, id);
  auto updated = service_.update_ticket(id, patch);
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
