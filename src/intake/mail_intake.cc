// E-mail intake: exactly one ticket per message. A mailbox's Message-IDs are
// remembered (with the raw message) in the same transaction as the ticket or
// message they made, so a redelivery, or a crash between fetching and
// flagging, makes nothing twice.
#include <cctype>

#include "intake/intake.h"

namespace sb::intake {
namespace {

// The ticket number in a subject's "[#123]", if any.
std::optional<std::int64_t> subject_token(const std::string& subject) {
  for (std::size_t at = subject.find("[#"); at != std::string::npos; at = subject.find("[#", at + 2)) {
    std::size_t end = at + 2;
    while (end < subject.size() && end - at < 20 && std::isdigit(static_cast<unsigned char>(subject[end]))) ++end;
    if (end > at + 2 && end < subject.size() && subject[end] == ']') return std::stoll(subject.substr(at + 2, end - at - 2));
  }
  return std::nullopt;
}

}  // namespace

Result<MailOutcome> Intake::take_mail(const InboundMail& m, const std::string& mailbox) {
  std::lock_guard lock(mail_mu_);
  MailOutcome out;
  auto seen = service_.find_mail_receipt(mailbox, m.message_id);
  if (!seen) return seen.error();
  if (*seen) {
    out.outcome = "duplicate";
    out.ticket = (*seen)->ticket;
    return out;
  }
  MailReceipt receipt{mailbox, m.message_id, std::nullopt, "", m.raw, service_.clock()()};

  // Threading: a reply to something we sent or received, else "[#123]" in the
  // subject from that ticket's requester; never a guess beyond that.
  std::vector<std::string> refs;
  if (!m.in_reply_to.empty()) refs.push_back(m.in_reply_to);
  refs.insert(refs.end(), m.references.rbegin(), m.references.rend());
  auto thread = service_.find_ticket_by_message_ids(refs);
  if (!thread) return thread.error();
  std::optional<TicketId> ticket = *thread;
  if (!ticket) {
    if (auto n = subject_token(m.subject)) {
      auto t = service_.find_ticket(TicketId{*n});
      if (!t) return t.error();
      if (*t && !m.from_address.empty() && (*t)->ticket.requester.email == m.from_address) ticket = TicketId{*n};
    }
  }

  Message message;
  message.kind = MessageKind::kCustomer;
  message.author_email = m.from_address;
  message.author_name = m.from_name;
  message.body = m.text.empty() ? "(no text)" : m.text;
  message.attachments = m.attachments;
  message.message_id = m.message_id;

  if (m.bounce) {
    // Recorded, never answered: a note on the ticket it is about, if known.
    out.outcome = "bounce";
    receipt.outcome = "bounce";
    receipt.ticket = ticket;
    if (ticket) {
      message.ticket = *ticket;
      message.kind = MessageKind::kNote;
      message.body = "Delivery failure report from " + m.from_address + ": " + m.subject + "\n\n" + message.body;
      auto r = service_.add_message(message, [&](WriteBatch& b) { b.receipts.push_back(receipt); });
      if (!r) return r.error();
    } else if (auto s = service_.keep_receipt(receipt); !s) {
      return s.error();
    }
    out.ticket = ticket;
    return out;
  }

  if (ticket) {
    message.ticket = *ticket;
    receipt.ticket = ticket;
    receipt.outcome = "threaded";
    auto r = service_.add_message(message, [&](WriteBatch& b) { b.receipts.push_back(receipt); });
    if (r) {
      out.outcome = "threaded";
      out.ticket = ticket;
      return out;
    }
    if (r.error().code != "ticket_closed") return r.error();
    // A reply to a closed ticket opens a follow-up.
  }

  TicketInput in;
  in.source = "email";
  in.ticket.channel = Channel::kEmail;
  in.ticket.subject = m.subject.empty() ? "(no subject)" : m.subject.substr(0, 1000);
  in.ticket.body = m.text;
  // A sender we could not answer (no usable address) still gets a ticket.
  in.ticket.requester.email = is_email_address(m.from_address) ? m.from_address : "";
  in.ticket.requester.name = m.from_name;
  if (m.auto_submitted) in.ticket.tags.push_back("auto_submitted");  // no automatic answer
  if (ticket) in.ticket.tags.push_back("follow_up_of_" + std::to_string(ticket->value));
  const std::string outcome = ticket ? "follow_up" : "created";
  Hooks hooks;
  // The e-mail's attachments stay with the ticket: the first message of its
  // conversation is the e-mail itself (only when it has any, as before otherwise).
  if (!m.attachments.empty()) hooks.first_message = message;
  hooks.attach = [&](WriteBatch& b) {
    receipt.ticket = b.tickets.front().id;
    receipt.outcome = outcome;
    b.receipts.push_back(receipt);
  };
  auto view = create(std::move(in), hooks);
  if (!view) return view.error();
  out.outcome = outcome;
  out.ticket = view->ticket.id;
  return out;
}

}  // namespace sb::intake
