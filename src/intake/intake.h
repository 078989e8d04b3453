#pragma once
// Intake: the one way in for every channel. A channel (the API, the web form,
// e-mail over HTTP or IMAP, and later connectors and history imports) turns
// what arrived into a TicketInput or an InboundMail and hands it here; intake
// cleans the text, deduplicates (external id; a mailbox's Message-IDs),
// threads replies onto their tickets, runs triage, creates the ticket through
// the service (so it is durable before anyone is told) and applies the rule
// actions that need the ticket to exist.
//
// No JSON, no HTTP: the adapters above map their formats to these types.
// Thread-safe (the service serialises commands; mail is taken one at a time
// so that a redelivery racing its first copy is seen as a duplicate).
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "customers/directory.h"
#include "intake/ticket_input.h"
#include "intake/triage_gate.h"
#include "service/service.h"

namespace sb::intake {

// One inbound e-mail, as the mail adapter read it.
struct InboundMail {
  std::string message_id;               // the Message-ID, or "sha256:<hex>" of the raw message without one
  std::string in_reply_to;              // the first id in In-Reply-To ("" when none)
  std::vector<std::string> references;  // References, oldest first
  std::string from_address;             // lower-cased
  std::string from_name;
  std::string subject;
  std::string text;
  std::vector<Attachment> attachments;
  bool auto_submitted = false;  // automatic mail: tagged, never answered automatically
  bool bounce = false;          // a delivery failure report: a note, never a ticket
  std::string raw;              // kept with the receipt
};

struct MailOutcome {
  std::string outcome;  // created | threaded | follow_up | bounce | duplicate
  std::optional<TicketId> ticket;
};

// A requester's tier must be one of the configured tiers: 422 on
// requester.tier naming them otherwise.
Status check_tier(const std::string& tier, const std::vector<std::string>& tiers);

class Intake {
 public:
  // None is owned; all must outlive the Intake. With a directory, every new
  // ticket is matched to its customer and organisation (docs/customers.md)
  // and its custom fields are checked against the declarations; without
  // one, no ticket may carry custom fields.
  Intake(Service& service, TriageGate& triage, Directory* directory = nullptr);

  // Records committed with the new ticket (Service::create_ticket): `attach`
  // anything that needs the ticket's id (an e-mail receipt), `answer`
  // anything that needs the reply (an Idempotency-Key record).
  struct Hooks {
    Service::Attach attach;
    Service::Answer answer;
    std::optional<Message> first_message;  // kept in the conversation (Service::create_ticket)
  };
  // A new ticket from any channel. Errors, with nothing created: 422 for a
  // field intake or the engine refuses, 409 duplicate_external_id when
  // another ticket has the external id, 503 when the store is unavailable.
  // Rule actions that need the ticket (assign_to, spam) follow as their own
  // commits; the view returned is the ticket after them.
  Result<TicketView> create(TicketInput input, const Hooks& hooks = {});

  // What triage would make of `input`, creating nothing (the API's preview).
  triage::TriageOutcome preview(const TicketInput& input);

  // One e-mail for `mailbox`: a new ticket, a customer message on the ticket
  // it answers (In-Reply-To/References we know, or "[#123]" in the subject
  // from that ticket's requester), a follow-up ticket when that one is
  // closed, a note for a bounce, or nothing new when the mailbox has seen
  // its Message-ID (duplicate). The receipt commits with what it made.
  Result<MailOutcome> take_mail(const InboundMail& mail, const std::string& mailbox);

  TriageGate& triage() { return triage_; }
  Directory* directory() { return directory_; }

 private:
  // Runs triage and resolves the team it chose (to the triage team when the
  // label names no team here).
  triage::TriageOutcome triage_input(const TicketInput& input, const triage::TriageSettings& settings,
                                     const DirectoryMatch* match = nullptr);

  // The requester's records onto the ticket: customer, organisation, how
  // they matched, the tier (unless the caller gave one), the account owner.
  static void apply_match(const DirectoryMatch& m, TicketInput& in, const std::vector<std::string>& tiers);

  Service& service_;
  TriageGate& triage_;
  Directory* directory_;
  std::mutex mail_mu_;
};

}  // namespace sb::intake
