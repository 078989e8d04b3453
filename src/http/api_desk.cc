// The agent workspace's routes beside the ticket itself (docs/dashboard.md):
// macros rendered for a ticket, bulk changes with a result per ticket, who
// else is viewing a ticket, inbound attachments as downloads, saved views.
#include "http/api.h"

#include <chrono>

#include "http/api_helpers.h"
#include "json/json_codec.h"
#include "json/json_fields.h"
#include "mail/mail_parser.h"
#include "notify/message_template.h"

namespace sb::http {

using namespace detail;

const std::vector<std::string>& macro_placeholders() {
  static const std::vector<std::string> names{"requester_name", "requester_email", "agent_name", "ticket_id",
                                              "ticket_subject", "team_name", "sla_due"};
  return names;
}

namespace {

// "Wed 3 Dec 2026 14:30 UTC": a due time as a person reads it.
std::string readable(Time t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char out[64];
  std::strftime(out, sizeof out, "%a %e %b %Y %H:%M UTC", &tm);
  std::string s = out;
  if (auto dbl = s.find("  "); dbl != std::string::npos) s.erase(dbl, 1);
  return s;
}

// A file name fit for a header: the ASCII fallback, and RFC 5987's UTF-8 form.
std::string disposition(const std::string& name) {
  std::string ascii, encoded;
  for (unsigned char c : name) {
    const bool plain = std::isalnum(c) || c == '.' || c == '-' || c == '_';
    ascii += plain ? static_cast<char>(c) : '_';
    if (plain) {
      encoded += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789ABCDEF";
      encoded += '%';
      encoded += hex[c >> 4];
      encoded += hex[c & 15];
    }
  }
  if (ascii.empty()) ascii = encoded = "attachment";
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

std::string view_owner(const Principal& p) {
  return p.agent ? "agent:" + std::to_string(p.agent->value) : "token:" + p.token_hash.substr(0, 16);
}

}  // namespace

Response Api::ticket_macros(Request& r) {
  const TicketView v = visible_ticket(r, TicketId{id_param(r, "ticket")});
  const Ticket& t = v.ticket;
  notify::TemplateVars vars{{"requester_name", t.requester.name.empty() ? t.requester.email : t.requester.name},
                            {"requester_email", t.requester.email},
                            {"ticket_id", std::to_string(t.id.value)},
                            {"ticket_subject", t.subject}};
  // The agent writing: the caller's agent, else the ticket's.
  if (auto who = r.principal.agent ? r.principal.agent : t.assignee) {
    if (auto a = ok_or_throw(service_.find_agent(*who))) vars["agent_name"] = a->agent.name;
  }
  if (t.team) {
    if (auto team = ok_or_throw(service_.find_team(*t.team))) vars["team_name"] = team->name;
  }
  if (auto due = next_due(t)) vars["sla_due"] = readable(*due);
  json out = json::array();
  for (std::size_t i = 0; i < macros_.size(); ++i) {
    const Macro& m = macros_[i];
    json changes = json::object();
    if (m.status) changes["status"] = to_string(*m.status);
    if (m.priority) changes["priority"] = to_string(*m.priority);
    if (!m.add_tags.empty()) changes["add_tags"] = m.add_tags;
    out.push_back({{"id", i + 1},
                   {"name", m.name},
                   {"public", m.is_public},
                   {"body", notify::render(m.body, vars)},
                   {"changes", std::move(changes)}});
  }
  return ok({{"macros", std::move(out)}});
}

// POST /api/v1/tickets/bulk {"ids": [...], "changes": {...}}: the same
// change to each ticket, each checked as a PATCH of it would be; one result
// per ticket, in the order given (a ticket the caller cannot see is a 404
// among the results, and the others go on).
Response Api::bulk_update(Request& r) {
  const json body = parse_body(r);
  Fields f(body);
  if (!f.has("ids") && !f.error()) throw Fail{Error::Missing("ids")};
  if (!f.has("changes") && !f.error()) throw Fail{Error::Missing("changes")};
  if (auto s = f.finish(); !s) throw Fail{s.error()};
  const json& ids = body.at("ids");
  if (!ids.is_array() || ids.empty() || ids.size() > 100) {
    throw Fail{Error::Invalid("ids", "'ids' must be a list of 1 to 100 ticket ids")};
  }
  for (const json& id : ids) {
    if (!id.is_number_integer() || id.get<std::int64_t>() < 1) throw Fail{Error::Invalid("ids", "'ids' must hold ticket ids")};
  }
  const TicketPatch patch = ok_or_throw(parse_ticket_patch(body.at("changes"), resolve_team()));
  check_fields(patch);
  json results = json::array();
  int done = 0;
  const bool decides = patch.team || patch.category;  // only these make corrections
  const Service::Editor by = decides ? editor(r) : Service::Editor{};
  for (const json& id_json : ids) {
    const TicketId id{id_json.get<std::int64_t>()};
    try {
      if (!r.principal.is_admin()) check_in_scope(r, visible_ticket(r, id).ticket, patch);
      const TicketView v = ok_or_throw(service_.update_ticket(id, patch, decides ? &by : nullptr));
      results.push_back({{"id", id.value}, {"status", 200}, {"ticket", to_json(v)}});
      ++done;
    } catch (const Fail& failed) {
      const Response e = error_response(failed.error);
      results.push_back({{"id", id.value}, {"status", e.status}, {"error", e.body["error"]}});
    }
  }
  return ok({{"results", std::move(results)}, {"changed", done}, {"failed", static_cast<int>(ids.size()) - done}});
}

// PUT /api/v1/tickets/{id}/viewing: "I have this ticket open"; answers who
// else has had it open in the last 30 seconds (the page asks every 10).
Response Api::ticket_viewing(Request& r) {
  const TicketView v = visible_ticket(r, TicketId{id_param(r, "ticket")});
  std::string name = "Administrator";
  if (r.principal.agent) {
    if (auto a = ok_or_throw(service_.find_agent(*r.principal.agent))) name = a->agent.name;
  } else if (r.principal.is_supervisor()) {
    name = "A supervisor";
  }
  const auto now = std::chrono::steady_clock::now();
  json others = json::array();
  {
    std::lock_guard lock(viewers_mu_);
    // Forget whoever has not asked for a while, on every ticket (bounded by the open pages).
    for (auto t = viewers_.begin(); t != viewers_.end();) {
      for (auto w = t->second.begin(); w != t->second.end();) {
        w = now - w->second.second > std::chrono::seconds(30) ? t->second.erase(w) : std::next(w);
      }
      t = t->second.empty() ? viewers_.erase(t) : std::next(t);
    }
    auto& here = viewers_[v.ticket.id.value];
    here[r.principal.token_hash] = {name, now};
    for (const auto& [who, seen] : here) {
      if (who != r.principal.token_hash) others.push_back({{"name", seen.first}});
    }
  }
  return ok({{"ticket_id", v.ticket.id.value}, {"others", std::move(others)}});
}

// GET /api/v1/tickets/{id}/messages/{message}/attachments/{index}: an
// inbound e-mail's attachment, from the raw message kept at intake. Always a
// download: application/octet-stream, Content-Disposition: attachment, a
// sandboxing CSP; never rendered inline.
Response Api::attachment(Request& r) {
  const TicketView v = visible_ticket(r, TicketId{id_param(r, "ticket")});
  auto number = [&](const char* key) {
    const std::string& s = r.params.at(key);
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || p != s.data() + s.size() || n < 0) throw Fail{Error::NotFound(std::string(key) + " " + s)};
    return n;
  };
  const std::int64_t message_id = number("message");
  const std::int64_t index = number("index");
  const auto messages = ok_or_throw(service_.list_messages(v.ticket.id));
  const auto m = std::find_if(messages.begin(), messages.end(), [&](const Message& x) { return x.id == message_id; });
  if (m == messages.end()) throw Fail{Error::NotFound("message " + std::to_string(message_id))};
  if (index >= static_cast<std::int64_t>(m->attachments.size())) {
    throw Fail{Error::NotFound("attachment " + std::to_string(index))};
  }
  const Error not_kept = Error::NotFound("the content of attachment " + std::to_string(index) + " was not kept");
  Response res;
  if (auto kept = ok_or_throw(service_.find_attachment_content(message_id, static_cast<int>(index)))) {
    res.text = std::move(*kept);  // a file an agent attached
  } else {
    // An e-mail's: read from the raw message kept at intake.
    const auto receipt = m->message_id.empty() ? std::nullopt : ok_or_throw(service_.find_mail_receipt("", m->message_id));
    if (!receipt) throw Fail{not_kept};
    mail::MailLimits limits;
    limits.keep_attachment_bytes = true;
    mail::ParsedMail parsed = mail::parse_mail(receipt->raw, limits);
    if (index >= static_cast<std::int64_t>(parsed.attachment_bytes.size())) throw Fail{not_kept};
    res.text = std::move(parsed.attachment_bytes[static_cast<std::size_t>(index)]);
  }
  res.content_type = "application/octet-stream";
  res.headers.emplace_back("Content-Disposition", disposition(m->attachments[static_cast<std::size_t>(index)].name));
  res.headers.emplace_back("Content-Security-Policy", "default-src 'none'; sandbox");
  res.headers.emplace_back("Cache-Control", "private, no-store");
  return res;
}

// Saved views: a named ticket list query, the caller's own or shared by a
// supervisor or admin with everyone. Kept in the settings as one document.
namespace {
json views_document(const std::optional<std::string>& text) {
  if (!text) return json::array();
  json doc = json::parse(*text, nullptr, false);
  return doc.is_array() ? doc : json::array();
}
bool shows_view(const json& view, const Principal& p) {
  return view.value("shared", false) || view.value("owner", "") == view_owner(p);
}
json public_view(const json& view, const Principal& p) {
  return {{"id", view.value("id", std::int64_t{0})},
          {"name", view.value("name", "")},
          {"query", view.value("query", "")},
          {"shared", view.value("shared", false)},
          {"mine", view.value("owner", "") == view_owner(p)}};
}
}  // namespace

Response Api::list_views(Request& r) {
  json out = json::array();
  for (const json& v : views_document(ok_or_throw(service_.find_setting("views")))) {
    if (shows_view(v, r.principal)) out.push_back(public_view(v, r.principal));
  }
  return ok({{"views", std::move(out)}});
}

Response Api::create_view(Request& r) {
  const json body = parse_body(r);
  Fields f(body);
  if (!f.has("name") && !f.error()) throw Fail{Error::Missing("name")};
  if (!f.has("query") && !f.error()) throw Fail{Error::Missing("query")};
  const std::string name = f.string("name", 100).value_or("");
  const std::string query = f.string("query", 2000).value_or("");
  const bool shared = f.boolean("shared").value_or(false);
  if (auto s = f.finish(); !s) throw Fail{s.error()};
  if (name.find_first_not_of(" \t") == std::string::npos) throw Fail{Error::Invalid("name", "'name' must not be empty")};
  if (shared && r.principal.role == Role::kAgent) {
    throw Fail{Error::Forbidden("views shared with everyone are made by supervisors and admins")};
  }
  // The query is what GET /api/v1/tickets takes: checked by running it once.
  Request probe = r;
  probe.query.clear();
  for (std::size_t pos = 0; pos < query.size();) {
    std::size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    const std::string pair = query.substr(pos, amp - pos);
    const std::size_t eq = pair.find('=');
    if (!pair.empty()) probe.query[url_decode(pair.substr(0, eq))] = eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1));
    pos = amp + 1;
  }
  probe.query.erase("cursor");
  probe.query["limit"] = "1";
  try {
    (void)list_tickets(probe);
  } catch (const Fail& failed) {
    Error e = failed.error;
    e.field = "query." + e.field;
    throw Fail{e};
  }
  json created_view;
  ok_or_throw(service_.change_setting("views", [&](const std::optional<std::string>& text) -> Result<std::string> {
    json doc = views_document(text);
    if (doc.size() >= 1000) return Error::Conflict("too_many_views", "there are 1,000 saved views already");
    std::int64_t next = 1;
    for (const json& v : doc) next = std::max(next, v.value("id", std::int64_t{0}) + 1);
    created_view = {{"id", next}, {"name", name}, {"query", query}, {"shared", shared}, {"owner", view_owner(r.principal)}};
    doc.push_back(created_view);
    return doc.dump();
  }));
  return created(public_view(created_view, r.principal));
}

Response Api::delete_view(Request& r) {
  const std::int64_t id = id_param(r, "view");
  ok_or_throw(service_.change_setting("views", [&](const std::optional<std::string>& text) -> Result<std::string> {
    json doc = views_document(text);
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      if ((*it).value("id", std::int64_t{0}) != id || !shows_view(*it, r.principal)) continue;
      if ((*it).value("owner", "") != view_owner(r.principal) && !r.principal.is_admin()) {
        return Error::Forbidden("a shared view is removed by whoever made it, or an admin");
      }
      doc.erase(it);
      return doc.dump();
    }
    return Error::NotFound("view " + std::to_string(id));
  }));
  return Response{204, nullptr, {}};
}

}  // namespace sb::http
