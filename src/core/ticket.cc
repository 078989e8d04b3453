#include "core/ticket.h"

#include <algorithm>

namespace sb {

Status check_transition(TicketStatus from, TicketStatus to) {
  using S = TicketStatus;
  bool allowed = false;
  if (from == to) {
    allowed = from != S::kClosed;
  } else if (to == S::kNew || from == S::kClosed) {
    allowed = false;
  } else if (from == S::kSolved) {
    allowed = to == S::kOpen || to == S::kClosed;
  } else {
    allowed = to != S::kClosed;  // a ticket is solved before it is closed
  }
  if (allowed) return Status::Ok();
  return Error::Conflict("invalid_transition",
                         "a ticket cannot go from '" + std::string(to_string(from)) + "' to '" +
                             std::string(to_string(to)) + "'",
                         "status");
}

bool valid_tier_name(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string tier_list(const std::vector<std::string>& tiers) {
  std::string out;
  for (const std::string& t : tiers) out += (out.empty() ? "" : ", ") + t;
  return out;
}

bool is_email_address(std::string_view s) {
  if (s.empty() || s.size() > 254) return false;
  const auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == s.size() || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7f) return false;
    if (std::string_view("<>(),;:\"[]\\").find(static_cast<char>(c)) != std::string_view::npos) return false;
  }
  return true;
}

Status validate_skills(const SkillLevels& skills, const std::string& field) {
  if (skills.size() > kMaxSkills) {
    return Error::Invalid(field, "at most " + std::to_string(kMaxSkills) + " skills");
  }
  for (const auto& [name, level] : skills) {
    if (name.empty() || name.size() > 100) {
      return Error::Invalid(field, "skill names must be 1 to 100 characters");
    }
    if (name.find('\0') != std::string::npos) return Error::Invalid(field, "a skill name contains a NUL character");
    if (level < kMinProficiency || level > kMaxProficiency) {
      return Error::Invalid(field + "." + name, "proficiency must be between 1 and 5");
    }
  }
  return Status::Ok();
}

Status validate(const Ticket& t) {
  if (t.subject.empty()) return Error::Missing("subject");
  if (t.subject.size() > 1000) return Error::Invalid("subject", "subject is longer than 1000 characters");
  if (auto s = validate_skills(t.required_skills, "required_skills"); !s) return s;
  if (auto s = validate_skills(t.optional_skills, "optional_skills"); !s) return s;
  if (t.tags.size() > kMaxTags) return Error::Invalid("tags", "at most " + std::to_string(kMaxTags) + " tags");
  for (const auto& tag : t.tags) {
    if (tag.empty() || tag.size() > 100) return Error::Invalid("tags", "tags must be 1 to 100 characters");
    if (tag.find('\0') != std::string::npos) return Error::Invalid("tags", "a tag contains a NUL character");
  }
  if (!t.requester.email.empty() && !is_email_address(t.requester.email)) {
    const std::string shown = t.requester.email.substr(0, 100);
    return Error::Invalid("requester.email", "'" + shown + "' is not an e-mail address");
  }
  return Status::Ok();
}

}  // namespace sb

namespace sb {

SlaOutcome sla_outcome(const std::optional<SlaState>& sla) {
  if (!sla) return SlaOutcome::kNone;
  bool any = false, running = false;
  for (const auto* c : sla->clocks()) {
    if (!*c) continue;
    any = true;
    if ((*c)->breached) return SlaOutcome::kBreached;
    if (!(*c)->met) running = true;
  }
  if (!any) return SlaOutcome::kNone;
  return running ? SlaOutcome::kRunning : SlaOutcome::kMet;
}

}  // namespace sb
