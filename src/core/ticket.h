#pragma once
// A support request and everything routing needs to know about it.
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/customer.h"
#include "core/enums.h"
#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"

namespace sb {

// Skill name -> proficiency (1..5). On an agent: what the agent has. On a
// ticket: the minimum an agent must have.
using SkillLevels = std::map<std::string, int>;
inline constexpr int kMinProficiency = 1;
inline constexpr int kMaxProficiency = 5;
// Bounds on lists a caller fills (a ticket's tags, a ticket's or agent's
// skills): past them a request is refused, so no record grows without end.
inline constexpr std::size_t kMaxTags = 100;
inline constexpr std::size_t kMaxSkills = 100;

// A requester's tier is one of the configured list (config `tiers:`, by
// default standard and vip; docs/customers.md): SLA policies, priority and
// rules match on it.
struct Requester {
  std::string email;
  std::string name;
  std::string tier = "standard";
  // The customer record intake matched by address (created when new) and its
  // organisation (the customer's, else the one owning the address's domain),
  // and how, for people: "customer 12 by address ada@bigco.com; ...".
  std::optional<CustomerId> customer;
  std::optional<OrganizationId> organization;
  std::string matched;
};
// The tiers a configuration without `tiers:` knows.
inline const std::vector<std::string>& default_tiers() {
  static const std::vector<std::string> tiers{"standard", "vip"};
  return tiers;
}
// A tier's name: 1 to 32 of a-z, 0-9, '_' and '-'.
bool valid_tier_name(std::string_view name);
// "standard, vip, enterprise": the tiers as an error message names them.
std::string tier_list(const std::vector<std::string>& tiers);

// Why a ticket went to the agent it went to. Written by the routing policy at
// the moment of assignment.
struct RoutingExplanation {
  std::string policy;    // e.g. "skills_best_match"
  AgentId agent;
  int proficiency = 0;   // sum of the agent's levels over the required skills
  int load = 0;          // the agent's load on the ticket's channel before this ticket
  int capacity = 0;      // the agent's capacity on that channel
  int candidates = 0;    // eligible agents considered
  std::string summary;   // one sentence for people
  Time at;
};

struct ModelPrediction {
  std::string model;     // the model's name in the config
  std::string label;
  double confidence = 0;
  bool used = false;     // confident enough to act on
};

// What triage did to a ticket on arrival, for people to read.
struct TriageInfo {
  std::string model;               // which classifier ("category"), empty when none ran
  std::string predicted;           // its label
  double confidence = 0;           // 0..1
  bool sent_to_triage = false;     // below the confidence threshold: a person decides
  std::vector<std::string> rules;  // names of the rules that matched, in order
  std::string priority_reason;     // how the priority was reached
  std::string auto_reply;          // the reply a rule asked to send, when one did
  std::vector<ModelPrediction> predictions;  // every model's guess (team/category, urgency, impact)
  std::string predicts;            // what `predicted` names: "team" or "category"
  std::string predicted_value;     // the label as a team's name or category (labels mapped)
  bool prediction_used = false;    // confident enough to act on
};

// One SLA clock as the ticket carries it (business time; the calendar is the
// policy's). Stored, so that warnings and breaches fire once across restarts.
struct SlaClockState {
  Duration target{0};
  Duration consumed{0};               // business time counted up to the last pause
  std::optional<Time> running_since;  // set while the clock runs
  std::optional<Time> due;            // when it breaches if it keeps running (for display)
  bool warned = false;
  bool breached = false;
  bool met = false;                   // stopped for good: responded / resolved
};

struct SlaState {
  std::string policy;
  // Met by the agent's first public reply (or by the ticket leaving new/open:
  // pending, hold, solved).
  std::optional<SlaClockState> first_response;
  // Starts at each customer message after the first, met by the agent's next
  // public reply.
  std::optional<SlaClockState> next_reply;
  std::optional<SlaClockState> resolution;      // met when solved
  static constexpr std::array<const char*, 3> kClockNames{"first_response", "next_reply", "resolution"};
  std::array<std::optional<SlaClockState>*, 3> clocks() { return {&first_response, &next_reply, &resolution}; }
  std::array<const std::optional<SlaClockState>*, 3> clocks() const {
    return {&first_response, &next_reply, &resolution};
  }
};

// Counted over a ticket's life, for reports (docs/reporting.md).
struct TicketStats {
  std::optional<Time> first_response_at;  // the first public reply by an agent
  int reassignments = 0;   // assignments after the first to an agent other than the previous one
  int declines = 0;        // offers declined
  int offer_timeouts = 0;  // offers left to lapse
  int escalations = 0;     // escalation steps carried out (SLA ladder)
};

// Where a ticket's SLA stands, for reports: no policy; clocks still running
// and none breached; every clock met in time; some clock breached.
enum class SlaOutcome { kNone, kRunning, kMet, kBreached };
template <>
struct EnumNames<SlaOutcome> {
  static constexpr std::array<std::string_view, 4> names{"none", "running", "met", "breached"};
};
SlaOutcome sla_outcome(const std::optional<SlaState>& sla);

// One message in a ticket's conversation.
enum class MessageKind { kCustomer, kReply, kNote };  // from the customer; agent's public reply; internal note
template <>
struct EnumNames<MessageKind> {
  static constexpr std::array<std::string_view, 3> names{"customer", "reply", "note"};
};

struct Attachment {
  std::string name;
  std::string content_type;
  std::int64_t size = 0;  // bytes
  // The bytes, when they are kept with the message (a file an agent attached
  // to a reply or note); empty for mail (the raw message is kept instead) and
  // when read back with the conversation (Store::find_attachment_content).
  std::string content;
};

struct Message {
  std::int64_t id = 0;  // set by the service
  TicketId ticket;
  MessageKind kind = MessageKind::kCustomer;
  std::optional<AgentId> agent;  // the author, for replies and notes
  std::string author_name;
  std::string author_email;
  std::string body;
  std::vector<Attachment> attachments;
  std::string message_id;        // the e-mail's Message-ID, when it came by mail
  Time at;
};

struct Ticket {
  TicketId id;
  Channel channel = Channel::kApi;
  std::string subject;
  std::string body;
  Requester requester;
  TicketStatus status = TicketStatus::kNew;
  Priority priority = Priority::kNormal;
  std::string category;
  std::optional<TeamId> team;  // no team: not routed until one is set
  SkillLevels required_skills;
  // Wanted at first, dropped by the team's relaxation ladder if the ticket
  // waits long enough (drop_optional_skills).
  SkillLevels optional_skills;
  std::vector<std::string> tags;
  std::optional<AgentId> assignee;
  Time created_at;
  Time updated_at;
  std::optional<Time> assigned_at;
  std::optional<Time> solved_at;
  std::optional<RoutingExplanation> routing;
  // Routing state. queued_at: when it last started waiting (relaxation and
  // sticky waits count from here). While offered, offer_expires_at is set and
  // the assignee holds the capacity; accepted_at marks work the agent took on.
  std::optional<Time> queued_at;
  std::optional<Time> offer_expires_at;
  std::optional<Time> accepted_at;
  std::vector<AgentId> declined_by;  // agents who declined or let an offer lapse
  std::optional<TriageInfo> triage;
  std::optional<SlaState> sla;
  // The ticket's id in another system (an import, a CRM, a help desk): unique
  // within its source when set.
  std::optional<std::string> external_id;
  // The connector whose help desk holds this ticket (docs/connectors.md), or
  // "" for our own channels. Its external id is the help desk's ticket id.
  std::string source;
  // Custom fields (config `fields:`; docs/customers.md): declared, typed.
  Attributes fields;
  // The requester's organisation's account owner when intake matched one:
  // routing offers the ticket to this agent first (account routing).
  std::optional<AgentId> account_owner;
  TicketStats stats;
  // One more with every change the engine commits (its ETag; If-Match).
  std::int64_t version = 0;
};

// solved and closed tickets hold no capacity and wait in no queue.
inline bool is_terminal(TicketStatus s) {
  return s == TicketStatus::kSolved || s == TicketStatus::kClosed;
}

// Zendesk's lifecycle: new only at creation; open/pending/hold/solved move
// freely among themselves; solved may reopen or close; closed is final.
// Returns ok or an invalid_transition conflict on field "status".
Status check_transition(TicketStatus from, TicketStatus to);

// Field-level checks that do not need other objects: subject present and at
// most 1,000 characters, skill levels within 1..5 and named, at most
// kMaxTags tags of 1..100 characters, no NUL in any of them, the requester's
// address (when given) an address.
Status validate(const Ticket& t);

// Shared by tickets and agents: at most kMaxSkills, names 1..100 characters
// without NUL, levels 1..5; errors name `field` (and the skill).
Status validate_skills(const SkillLevels& skills, const std::string& field);

// A bare e-mail address as mail can be sent to: one '@' with text on both
// sides, at most 254 characters, no spaces, controls or the characters
// that would make it a display name or a list ("<>(),;:\"[]\\").
bool is_email_address(std::string_view s);

}  // namespace sb
