#include "routing/ticket_queue.h"

#include <iterator>
#include <tuple>

namespace sb {

bool TicketQueue::Entry::operator<(const Entry& o) const {
  if (priority != o.priority) return priority > o.priority;
  return std::tie(created_at, id) < std::tie(o.created_at, o.id);
}

std::optional<std::size_t> TicketQueue::position(const Entry& e) const {
  if (!contains(e)) return std::nullopt;
  return entries_.order_of_key(e) + 1;
}

std::optional<Time> TicketQueue::oldest() const {
  std::optional<Time> out;
  for (const Entry& e : entries_) {
    if (!out || e.created_at < *out) out = e.created_at;
  }
  return out;
}

}  // namespace sb
