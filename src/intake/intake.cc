#include "intake/intake.h"

#include <algorithm>

#include "intake/text.h"

namespace sb::intake {

Status check_tier(const std::string& tier, const std::vector<std::string>& tiers) {
  if (std::find(tiers.begin(), tiers.end(), tier) != tiers.end()) return Status::Ok();
  return Error::Invalid("requester.tier",
                        "'requester.tier' must be one of the tiers: " + tier_list(tiers) + " (not '" + tier + "')");
}


Intake::Intake(Service& service, TriageGate& triage, Directory* directory)
    : service_(service), triage_(triage), directory_(directory) {}

void Intake::apply_match(const DirectoryMatch& m, TicketInput& in, const std::vector<std::string>& tiers) {
  Requester& r = in.ticket.requester;
  if (m.customer) r.customer = m.customer->id;
  if (m.organization) r.organization = m.organization->id;
  r.matched = m.how;
  if (!m.tier.empty() && !in.tier_given) {
    if (std::find(tiers.begin(), tiers.end(), m.tier) != tiers.end()) {
      r.tier = m.tier;
    } else {
      r.matched += " (not a configured tier: left " + r.tier + ")";
    }
  } else if (!m.tier.empty()) {
    r.matched += " (the request's tier " + r.tier + " stands)";
  }
  if (m.organization && m.organization->account_owner) in.ticket.account_owner = m.organization->account_owner;
}

namespace {

// Text every store can keep (intake/text.h); the API's JSON parser has
// refused NUL and invalid UTF-8 already, so this changes only what other
// channels (the web form) let through.
void clean(Ticket& t) {
  for (std::string* s : {&t.subject, &t.body, &t.requester.name, &t.requester.email}) {
    if (!is_clean_text(*s)) *s = clean_text(*s);
  }
}

}  // namespace

triage::TriageOutcome Intake::triage_input(const TicketInput& in, const triage::TriageSettings& settings,
                                           const DirectoryMatch* match) {
  triage::TriageInput input{in.ticket, in.team_name, in.explicit_priority, in.urgency, in.impact};
  if (match && match->customer) input.customer = &*match->customer;
  if (match && match->organization) input.organization = &*match->organization;
  triage::TriageOutcome out = triage::run_triage(input, settings, service_.clock()());
  if (out.team_name) {
    auto id = service_.team_by_name(*out.team_name);
    if (!id && *out.team_name != settings.triage_team) {
      // The label names no team here: a person decides.
      out.ticket.triage->sent_to_triage = true;
      out.ticket.triage->priority_reason += "; no team named '" + *out.team_name + "', sent to triage";
      out.team_name = settings.triage_team;
      id = service_.team_by_name(settings.triage_team);
    }
    out.ticket.team = id;
  }
  return out;
}

triage::TriageOutcome Intake::preview(const TicketInput& input) {
  TicketInput in = input;
  clean(in.ticket);
  std::optional<DirectoryMatch> match;
  if (directory_) {
    if (auto m = directory_->match(in.ticket.requester.email, in.ticket.requester.name); m.ok()) {
      match = std::move(*m);
      apply_match(*match, in, triage_.settings()->tiers);
    }
  }
  return triage_input(in, *triage_.settings(), match ? &*match : nullptr);
}

Result<TicketView> Intake::create(TicketInput in, const Hooks& hooks) {
  const bool history = in.original_created_at || in.original_status;
  if (history && in.original_status == TicketStatus::kNew && in.ticket.assignee) {
    return Error::Invalid("original_status", "a ticket someone holds is not new");
  }
  if (in.original_created_at && *in.original_created_at > service_.clock()()) {
    return Error::Invalid("original_created_at", "the creation time is in the future");
  }
  clean(in.ticket);
  if (auto s = check_tier(in.ticket.requester.tier, triage_.settings()->tiers); !s) return s.error();
  static const std::vector<AttributeSpec> kNoFields;
  if (auto s = check_attributes(in.ticket.fields, directory_ ? directory_->settings().ticket_fields : kNoFields, "fields");
      !s) {
    return s.error();
  }
  if (in.ticket.external_id) {
    // Checked first: a duplicate caught only at commit would cost an engine rebuild.
    auto existing = service_.find_ticket_by_external_id(*in.ticket.external_id, in.ticket.source);
    if (!existing) return existing.error();
    if (*existing) {
      return Error::Conflict("duplicate_external_id",
                             "ticket " + std::to_string((*existing)->value) + " has external_id '" +
                                 *in.ticket.external_id + "'" +
                                 (in.ticket.source.empty() ? std::string() : " in " + in.ticket.source),
                             "external_id");
    }
  }
  const auto settings = triage_.settings();
  // Matched to its records; a new customer is written with the ticket. Two
  // tickets from one new address at once: the second's commit finds the
  // address taken, and it is matched again to the customer the first made.
  Result<TicketView> created = Error::Unavailable("not created");
  triage::TriageOutcome out;
  for (int attempt = 0; attempt < 2; ++attempt) {
    TicketInput matched = in;
    std::optional<DirectoryMatch> match;
    if (directory_) {
      auto m = directory_->match(in.ticket.requester.email, in.ticket.requester.name);
      if (!m) return m.error();
      match = std::move(*m);
      apply_match(*match, matched, settings->tiers);
    }
    out = triage_input(matched, *settings, match ? &*match : nullptr);
    Service::Attach attach = hooks.attach;
    if (match && match->created) {
      attach = [&hooks, customer = *match->customer](WriteBatch& b) {
        b.customers.push_back(customer);
        if (hooks.attach) hooks.attach(b);
      };
    }
    if (history) {
      // Kept as the other system has it: its time, status and holder; no rule
      // assigns it and nobody is told.
      Ticket draft = out.ticket;
      if (in.original_created_at) draft.created_at = draft.updated_at = *in.original_created_at;
      if (in.original_status) draft.status = *in.original_status;
      draft.assignee = in.ticket.assignee;
      out.assign_to.reset();
      created = service_.import_ticket(std::move(draft), attach);
    } else {
      created = service_.create_ticket(out.ticket, attach, hooks.answer, hooks.first_message);
    }
    const bool raced = !created && match && match->created && created.error().code == "duplicate_email";
    if (!raced) break;
  }
  if (!created) return created.error();
  TicketView view = std::move(*created);
  // Rule actions that need the ticket to exist; each is its own commit.
  if (out.assign_to) {
    TicketPatch assign;
    assign.assignee = std::optional<AgentId>(*out.assign_to);
    if (auto v = service_.update_ticket(view.ticket.id, assign)) view = std::move(*v);
  }
  if (out.spam) {
    for (TicketStatus s : {TicketStatus::kSolved, TicketStatus::kClosed}) {
      TicketPatch close;
      close.status = s;
      if (auto v = service_.update_ticket(view.ticket.id, close)) view = std::move(*v);
    }
  }
  return view;
}

}  // namespace sb::intake
