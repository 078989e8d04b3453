#include "triage/priority.h"

#include <algorithm>

namespace sb::triage {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return s;
}

bool word_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '\''; }

// `phrase` as whole words in `text` (both lower case).
bool has_phrase(const std::string& text, const std::string& phrase) {
  for (std::size_t at = text.find(phrase); at != std::string::npos; at = text.find(phrase, at + 1)) {
    const bool start = at == 0 || !word_char(text[at - 1]);
    const std::size_t end = at + phrase.size();
    if (start && (end == text.size() || !word_char(text[end]))) return true;
  }
  return false;
}

}  // namespace

PriorityResult compute_priority(const PriorityInput& in, const PriorityPolicy& policy) {
  PriorityResult out;
  std::optional<Level> urgency = in.urgency;
  const std::string text = lower(in.text);
  std::string signal;
  for (const std::string& phrase : policy.urgent_phrases) {
    if (has_phrase(text, lower(phrase))) {
      signal = phrase;
      break;
    }
  }
  if (in.explicit_priority) {
    out.priority = *in.explicit_priority;
    out.reason = "given as " + std::string(to_string(out.priority));
  } else if (urgency || in.impact || !signal.empty()) {
    if (!signal.empty()) urgency = Level::kHigh;
    const Level u = urgency.value_or(Level::kMedium), i = in.impact.value_or(Level::kMedium);
    out.priority = policy.matrix[static_cast<std::size_t>(u)][static_cast<std::size_t>(i)];
    out.reason = "urgency " + std::string(to_string(u)) + (signal.empty() ? "" : " (the text says '" + signal + "')") +
                 " x impact " + std::string(to_string(i)) + " = " + std::string(to_string(out.priority));
  } else {
    out.priority = Priority::kNormal;
    out.reason = "default normal";
  }
  const auto& raise = policy.raise_tiers;
  if (std::find(raise.begin(), raise.end(), in.tier) != raise.end() && out.priority != Priority::kUrgent) {
    out.priority = static_cast<Priority>(static_cast<int>(out.priority) + 1);
    out.reason += "; " + (in.tier == "vip" ? std::string("VIP") : "'" + in.tier + "'") + " requester: raised to " +
                  std::string(to_string(out.priority));
  }
  return out;
}

}  // namespace sb::triage
