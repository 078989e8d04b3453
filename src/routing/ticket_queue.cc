#include "routing/ticket_queue.h"

#include <iterator>
#include <tuple>

namespace sb {

std::int64_t queue_rank(Priority priority, Time created_at, Duration aging_step, std::optional<Time> breach_at) {
  if (breach_at) return to_millis(*breach_at);
  const auto level = static_cast<std::int64_t>(priority);
  if (aging_step.count() == 0) return -level;
  return to_millis(created_at) - level * aging_step.count();
}

bool TicketQueue::Entry::operator<(const Entry& o) const {
  return std::tie(rank, created_at, id) < std::tie(o.rank, o.created_at, o.id);
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
