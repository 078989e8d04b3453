#include "routing/ticket_queue.h"

#include <iterator>
#include <tuple>

namespace sb {

bool TicketQueue::Entry::operator<(const Entry& o) const {
  if (priority != o.priority) return priority > o.priority;
  return std::tie(created_at, id) < std::tie(o.created_at, o.id);
}

std::optional<std::size_t> TicketQueue::position(const Entry& e) const {
  auto it = entries_.find(e);
  if (it == entries_.end()) return std::nullopt;
  return static_cast<std::size_t>(std::distance(entries_.begin(), it)) + 1;
}

std::optional<Time> TicketQueue::oldest() const {
  std::optional<Time> out;
  for (const Entry& e : entries_) {
    if (!out || e.created_at < *out) out = e.created_at;
  }
  return out;
}

}  // namespace sb
