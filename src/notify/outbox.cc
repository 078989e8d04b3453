#include "notify/outbox.h"

#include <sstream>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "json/json_mapping.h"
#include "notify/mail.h"
#include "notify/message_template.h"
#include "notify/signature.h"

namespace sb::notify {
namespace {

using nlohmann::json;

// A JSON string literal for `s` (quotes, escapes); the common case of
// nothing to escape without building a json value.
void append_quoted(std::string& out, const std::string& s) {
  const bool plain = std::none_of(s.begin(), s.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
  if (plain) {
    out += '"';
    out += s;
    out += '"';
  } else {
    out += json(s).dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

// The document a webhook receives (and the live stream shows), assembled as
// text around the ticket's JSON (rendered once per ticket per change):
// {"id", "type", "sequence", "created_at", "data": {"ticket": {...}, details...}}.
std::string event_document(const Event& e, const std::string& ticket_json) {
  std::string out;
  out.reserve(ticket_json.size() + 160);
  out += R"({"id":)";
  append_quoted(out, e.id);
  out += R"(,"type":")";
  out += to_string(e.type);
  out += R"(","sequence":)";
  out += std::to_string(e.seq);
  out += R"(,"created_at":")";
  out += format_time(e.at);
  out += R"(","data":{"ticket":)";
  out += ticket_json;
  for (const auto& [key, value] : e.details) {
    const bool number = key.ends_with("_id") && !value.empty() && value.size() < 19 &&
                        std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
    out += ',';
    append_quoted(out, key);
    out += ':';
    if (number) {
      out += value;
    } else {
      append_quoted(out, value);
    }
  }
  out += "}}";
  return out;
}

std::string human_wait(double seconds) {
  if (seconds < 60) return "under a minute";
  if (seconds < 3600) {
    const int m = static_cast<int>(std::lround(seconds / 60));
    return "about " + std::to_string(m) + (m == 1 ? " minute" : " minutes");
  }
  const int h = static_cast<int>(std::lround(seconds / 3600));
  return "about " + std::to_string(h) + (h == 1 ? " hour" : " hours");
}

}  // namespace

ConfirmationSettings default_confirmation() {
  ConfirmationSettings c;
  c.created.subject = "[#{{ticket_id}}] We have your request: {{subject}}";
  c.created.body =
      "Hello {{requester_name}},\n\n"
      "Thank you for contacting us. Your request \"{{subject}}\" is ticket #{{ticket_id}}.\n"
      "{{status_line}}\n\n"
      "Reply to this message to add to your request.\n";
  c.assigned.subject = "[#{{ticket_id}}] {{assignee}} is handling your request";
  c.assigned.body =
      "Hello {{requester_name}},\n\n"
      "{{assignee}} is now handling your request \"{{subject}}\" (ticket #{{ticket_id}}).\n\n"
      "Reply to this message to add to your request.\n";
  return c;
}

const std::vector<std::string>& confirmation_placeholders() {
  static const std::vector<std::string> names{"ticket_id", "subject",       "requester_name", "requester_email",
                                              "assignee",  "queue_position", "expected_wait",  "status_line",
                                              "priority",  "status"};
  return names;
}

Outbox::Outbox(Store& store, NotifySettings settings, Clock clock)
    : store_(store), settings_(std::move(settings)), clock_(std::move(clock)) {}

Status Outbox::load() {
  auto hooks = store_.list_webhooks();
  if (!hooks) return hooks.error();
  std::lock_guard lock(mu_);
  webhooks_ = std::move(*hooks);
  return Status::Ok();
}

void Outbox::add_connector(const std::string& name, ConnectorSink* sink) {
  std::lock_guard lock(mu_);
  connectors_[name] = sink;
}

ConnectorSink* Outbox::connector(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = connectors_.find(name);
  return it == connectors_.end() ? nullptr : it->second;
}

std::vector<ConnectorSink::Health> Outbox::connector_health() const {
  std::vector<ConnectorSink*> sinks;
  {
    std::lock_guard lock(mu_);
    for (const auto& entry : connectors_) sinks.push_back(entry.second);
  }
  std::vector<ConnectorSink::Health> out;
  for (ConnectorSink* s : sinks) {
    if (s) out.push_back(s->health());
  }
  return out;
}

void Outbox::write(std::vector<Event>& events, const Views& views, WriteBatch& batch) {
  std::vector<Webhook> hooks;
  std::set<std::string> connectors;
  {
    std::lock_guard lock(mu_);
    hooks = webhooks_;
    for (const auto& entry : connectors_) connectors.insert(entry.first);
  }
  std::set<TicketId> created, pushed;
  // Several events of one change usually concern one ticket: view and render it once.
  std::map<TicketId, std::string> rendered;
  for (Event& e : events) {
    auto view = views.find(e.ticket);
    if (view == views.end()) continue;  // the service gives a view for every event's ticket
    const TicketView& v = view->second;
    auto it = rendered.find(e.ticket);
    if (it == rendered.end()) {
      it = rendered.emplace(e.ticket, http::ticket_summary(v).dump(-1, ' ', false, json::error_handler_t::replace)).first;
    }
    e.data = event_document(e, it->second);
    for (const Webhook& w : hooks) {
      if (!w.active || !w.wants(e.type)) continue;
      Delivery d;
      d.kind = DeliveryKind::kWebhook;
      d.event_seq = e.seq;
      d.webhook = w.id;
      d.next_attempt_at = d.created_at = e.at;
      batch.deliveries.push_back(std::move(d));
    }
    if (!v.ticket.source.empty()) {
      // A help desk's ticket: its customers hear from the help desk, not from
      // us, and one write-back per change carries the ticket's state there.
      const bool changes_there = e.type != EventType::kCommentAdded && e.type != EventType::kSlaWarning &&
                                 e.type != EventType::kSlaBreached;
      if (changes_there && connectors.count(v.ticket.source) && pushed.insert(e.ticket).second) {
        Delivery d;
        d.kind = DeliveryKind::kConnector;
        d.event_seq = e.seq;
        d.recipient = v.ticket.source;
        d.next_attempt_at = d.created_at = e.at;
        batch.deliveries.push_back(std::move(d));
      }
      continue;
    }
    std::optional<Delivery> mail;
    if (e.type == EventType::kTicketCreated) {
      created.insert(e.ticket);
      if (settings_.confirmation.on_created) mail = confirmation(e, v, false);
    } else if (e.type == EventType::kTicketAssigned && settings_.confirmation.on_assigned &&
               !created.count(e.ticket) && e.details.count("how") && e.details.at("how") != "offered") {
      // Assigned in the same change as created: the first message already names the agent.
      mail = confirmation(e, v, true);
    }
    if (e.type == EventType::kCommentAdded && e.details.count("kind") && e.details.at("kind") == "reply") {
      // The files attached to the reply travel with it (the message is in this batch).
      std::vector<OutboundMail::File> files;
      const std::string comment = e.details.count("comment_id") ? e.details.at("comment_id") : "";
      for (const Message& m : batch.messages) {
        if (std::to_string(m.id) != comment) continue;
        for (const Attachment& a : m.attachments) {
          if (!a.content.empty()) files.push_back({a.name, a.content_type, a.content});
        }
      }
      mail = reply_mail(e, v, std::move(files));
    }
    if (mail) batch.deliveries.push_back(std::move(*mail));
  }
}

std::optional<Delivery> Outbox::confirmation(const Event& e, const TicketView& v, bool assigned) const {
  if (!settings_.smtp) return std::nullopt;
  const Ticket& t = v.ticket;
  if (assigned && !v.assignee_name) return std::nullopt;

  TemplateVars vars;
  vars["ticket_id"] = std::to_string(t.id.value);
  vars["subject"] = t.subject;
  vars["requester_name"] = t.requester.name.empty() ? t.requester.email : t.requester.name;
  vars["requester_email"] = t.requester.email;
  vars["assignee"] = v.assignee_name.value_or("");
  vars["queue_position"] = v.queue_position ? std::to_string(*v.queue_position) : "";
  const bool wait_known = v.expected_wait && v.expected_wait->seconds;
  vars["expected_wait"] = wait_known ? human_wait(*v.expected_wait->seconds) : "not known yet";
  vars["priority"] = std::string(to_string(t.priority));
  vars["status"] = std::string(to_string(t.status));
  if (v.assignee_name) {
    vars["status_line"] = *v.assignee_name + " is looking after it.";
  } else if (v.queue_position) {
    vars["status_line"] = "You are number " + std::to_string(*v.queue_position) + " in the queue" +
                          (wait_known ? "; the expected wait is " + vars["expected_wait"] + "." : ".");
  } else {
    vars["status_line"] = "Our team will pick it up shortly.";
  }

  const MessageTemplate& tpl = assigned ? settings_.confirmation.assigned : settings_.confirmation.created;
  return mail_to_requester(e, v, render(tpl.subject, vars), render(tpl.body, vars));
}

std::optional<Delivery> Outbox::reply_mail(const Event& e, const TicketView& v, std::vector<OutboundMail::File> files) const {
  const Ticket& t = v.ticket;
  if (t.channel != Channel::kEmail && t.channel != Channel::kWeb && t.channel != Channel::kApi) return std::nullopt;
  const std::string id = std::to_string(t.id.value);
  std::string subject = t.subject;
  if (subject.find("[#" + id + "]") == std::string::npos) subject = "[#" + id + "] " + subject;
  if (!subject.starts_with("Re: ")) subject = "Re: " + subject;
  std::string body = e.details.at("body");
  body += "\n\n-- \nReply to this message to add to your request #" + id + ".\n";
  std::vector<std::string> references;
  if (auto refs = e.details.find("references"); refs != e.details.end()) {
    std::istringstream words(refs->second);
    for (std::string r; words >> r && references.size() < 20;) references.push_back(r);
  }
  const auto in_reply_to = e.details.find("in_reply_to");
  return mail_to_requester(e, v, subject, body, false,
                           in_reply_to == e.details.end() ? std::string() : in_reply_to->second, std::move(references),
                           std::move(files));
}

std::optional<Delivery> Outbox::mail_to_requester(const Event& e, const TicketView& v, std::string subject,
                                                  std::string body, bool automatic, std::string in_reply_to,
                                                  std::vector<std::string> references,
                                                  std::vector<OutboundMail::File> files) const {
  if (!settings_.smtp) return std::nullopt;
  const Ticket& t = v.ticket;
  if (!is_plain_address(t.requester.email)) return std::nullopt;
  // RFC 3834: never answer automatic mail (out-of-office replies, lists, bounces).
  if (std::find(t.tags.begin(), t.tags.end(), "auto_submitted") != t.tags.end()) return std::nullopt;
  OutboundMail mail;
  mail.from = settings_.smtp->from;
  mail.to_name = t.requester.name;
  mail.to_address = t.requester.email;
  mail.subject = std::move(subject);
  mail.body = std::move(body);
  const std::string token = e.id.size() > 4 ? e.id.substr(4) : std::to_string(e.seq);
  mail.message_id = "sb.t" + std::to_string(t.id.value) + "." + token + "@" + domain_of(address_of(mail.from));
  mail.ticket_ref = std::to_string(t.id.value);
  mail.date = e.at;
  mail.automatic = automatic;
  mail.in_reply_to = std::move(in_reply_to);
  mail.references = std::move(references);
  mail.files = std::move(files);

  Delivery d;
  d.kind = DeliveryKind::kEmail;
  d.event_seq = e.seq;
  d.recipient = t.requester.email;
  d.message = build_mail(mail);
  d.message_id = "<" + mail.message_id + ">";
  d.next_attempt_at = d.created_at = e.at;
  return d;
}

Result<Webhook> Outbox::create_webhook(Webhook draft) {
  if (auto s = check_webhook_url(draft.url, "url"); !s) return s.error();
  std::lock_guard lock(mu_);
  draft.id = WebhookId{webhooks_.empty() ? 1 : webhooks_.back().id.value + 1};
  draft.secret = new_webhook_secret();
  draft.created_at = clock_();
  WriteBatch b;
  b.webhooks.push_back(draft);
  if (auto s = store_.commit(b); !s) return s.error();
  webhooks_.push_back(draft);
  return draft;
}

Result<Webhook> Outbox::update_webhook(WebhookId id, const WebhookPatch& patch) {
  if (patch.url) {
    if (auto s = check_webhook_url(*patch.url, "url"); !s) return s.error();
  }
  std::lock_guard lock(mu_);
  auto it = std::find_if(webhooks_.begin(), webhooks_.end(), [&](const Webhook& w) { return w.id == id; });
  if (it == webhooks_.end()) return Error::NotFound("webhook " + std::to_string(id.value));
  Webhook next = *it;
  if (patch.url) next.url = *patch.url;
  if (patch.events) next.events = *patch.events;
  if (patch.description) next.description = *patch.description;
  if (patch.active) next.active = *patch.active;
  WriteBatch b;
  b.webhooks.push_back(next);
  if (auto s = store_.commit(b); !s) return s.error();
  *it = next;
  return next;
}

std::vector<Webhook> Outbox::webhooks() const {
  std::lock_guard lock(mu_);
  return webhooks_;
}

std::optional<Webhook> Outbox::webhook(WebhookId id) const {
  std::lock_guard lock(mu_);
  for (const Webhook& w : webhooks_) {
    if (w.id == id) return w;
  }
  return std::nullopt;
}

Result<Delivery> Outbox::redeliver(std::int64_t delivery_id) {
  auto found = store_.find_delivery(delivery_id);
  if (!found) return found.error();
  if (!*found) return Error::NotFound("delivery " + std::to_string(delivery_id));
  Delivery d = **found;
  d.state = DeliveryState::kPending;
  d.attempts = 0;
  d.next_attempt_at = clock_();
  if (auto s = store_.update_delivery(d); !s) return s.error();
  return d;
}

}  // namespace sb::notify
