// What every Store agrees a ticket query means (store.h): the words of a
// search, the sort keys, and the filters.
#include <algorithm>
#include <cctype>

#include "store/store.h"

namespace sb {

void for_each_word(std::string_view text, const std::function<void(std::string&&)>& visit) {
  std::string word;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c >= 0x80) {
      word += static_cast<char>(std::tolower(c));
    } else if (!word.empty()) {
      visit(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) visit(std::move(word));
}

std::vector<std::string> search_words(std::string_view text) {
  constexpr std::size_t kMaxWords = 16, kMaxWord = 64;
  std::vector<std::string> words;
  for_each_word(text, [&](std::string&& word) {
    word.resize(std::min(word.size(), kMaxWord));
    if (words.size() < kMaxWords && std::find(words.begin(), words.end(), word) == words.end()) {
      words.push_back(std::move(word));
    }
  });
  return words;
}

std::optional<Time> next_due(const Ticket& t) {
  if (!t.sla || is_terminal(t.status)) return std::nullopt;
  std::optional<Time> best;
  for (const std::optional<SlaClockState>* c : t.sla->clocks()) {
    if (!*c || (*c)->met || !(*c)->running_since || !(*c)->due) continue;
    if (!best || *(*c)->due < *best) best = (*c)->due;
  }
  return best;
}

std::int64_t sort_key(const Ticket& t, TicketSort sort) {
  switch (sort) {
    case TicketSort::kUpdated: return to_millis(t.updated_at);
    case TicketSort::kCreated: return t.id.value;  // ids are given in creation order
    case TicketSort::kDue: {
      auto due = next_due(t);
      return due ? to_millis(*due) : INT64_MAX;
    }
    case TicketSort::kId: break;
  }
  return t.id.value;
}

namespace {
bool within(Time t, const std::optional<Time>& from, const std::optional<Time>& to) {
  return (!from || t >= *from) && (!to || t < *to);
}
}  // namespace

bool matches_filters(const Ticket& t, const TicketQuery& q) {
  if (q.status && t.status != *q.status) return false;
  if (!q.statuses.empty() && std::find(q.statuses.begin(), q.statuses.end(), t.status) == q.statuses.end()) return false;
  if (q.priority && t.priority != *q.priority) return false;
  if (q.team && t.team != q.team) return false;
  if (q.assignee && t.assignee != q.assignee) return false;
  if (q.unassigned && t.assignee) return false;
  if (q.channel && t.channel != *q.channel) return false;
  if (q.category && t.category != *q.category) return false;
  if (q.tag && std::find(t.tags.begin(), t.tags.end(), *q.tag) == t.tags.end()) return false;
  if (q.requester && t.requester.email != *q.requester) return false;
  if (!within(t.created_at, q.created_from, q.created_to)) return false;
  if (!within(t.updated_at, q.updated_from, q.updated_to)) return false;
  if (q.teams) {
    const bool in_teams = t.team && std::find(q.teams->begin(), q.teams->end(), *t.team) != q.teams->end();
    const bool theirs = q.or_assignee && t.assignee == q.or_assignee;
    if (!in_teams && !theirs) return false;
  }
  if (q.sort == TicketSort::kDue && !next_due(t)) return false;  // the due order lists running clocks only
  return true;
}

}  // namespace sb
