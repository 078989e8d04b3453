#pragma once
// Waiting tickets in the order they should be served: lower rank first, then
// older first (then lower id, for determinism). The rank folds priority and
// aging into one number fixed at enqueue time (queue_rank), so the order never
// needs re-sorting as tickets age. An order-statistics
// tree (libstdc++'s pb_ds) answers "how many are ahead of this one" in
// O(log n), so a queue position costs the same with 10 or 100,000 waiting.
#include <cstddef>
#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>
#include <functional>
#include <optional>

#include "core/enums.h"
#include "core/ids.h"
#include "core/time.h"

namespace sb {

// The serving rank of a ticket (lower first). With aging_step 0: strict
// priority, then age. With a step: each priority level is worth that much
// waiting (created_at - priority x step), so a lower-priority ticket that has
// waited a step longer per level goes first and nothing starves. `breach_at`
// is the hook for SLA ordering: when set it ranks by time to breach instead.
std::int64_t queue_rank(Priority priority, Time created_at, Duration aging_step,
                        std::optional<Time> breach_at = std::nullopt);

class TicketQueue {
 public:
  struct Entry {
    std::int64_t rank;
    Time created_at;
    TicketId id;
    bool operator<(const Entry& o) const;
  };
 private:
  using Tree = __gnu_pbds::tree<Entry, __gnu_pbds::null_type, std::less<Entry>, __gnu_pbds::rb_tree_tag,
                                __gnu_pbds::tree_order_statistics_node_update>;

 public:
  using const_iterator = Tree::const_iterator;

  void push(const Entry& e) { entries_.insert(e); }
  void erase(const Entry& e) { entries_.erase(e); }
  bool contains(const Entry& e) const { return entries_.find(e) != entries_.end(); }

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }

  // 1-based place of `e` in serving order; nullopt when not queued. O(log n).
  std::optional<std::size_t> position(const Entry& e) const;
  // How many entries come before `e` in serving order (queued or not). O(log n).
  std::size_t ahead_of(const Entry& e) const { return entries_.order_of_key(e); }
  // Creation time of the oldest waiting ticket. O(n).
  std::optional<Time> oldest() const;

 private:
  Tree entries_;
};

}  // namespace sb
