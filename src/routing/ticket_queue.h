#pragma once
// The waiting tickets of one team, in the order they should be served:
// higher priority first, then older first (then lower id, for determinism).
#include <cstddef>
#include <optional>
#include <set>

#include "core/enums.h"
#include "core/ids.h"
#include "core/time.h"

namespace sb {

class TicketQueue {
 public:
  struct Entry {
    Priority priority;
    Time created_at;
    TicketId id;
    bool operator<(const Entry& o) const;
  };
  using const_iterator = std::set<Entry>::const_iterator;

  void push(const Entry& e) { entries_.insert(e); }
  void erase(const Entry& e) { entries_.erase(e); }
  bool contains(const Entry& e) const { return entries_.count(e) != 0; }

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }

  // 1-based place of `e` in serving order; nullopt when not queued. O(n).
  std::optional<std::size_t> position(const Entry& e) const;
  // Creation time of the oldest waiting ticket. O(n).
  std::optional<Time> oldest() const;

 private:
  std::set<Entry> entries_;
};

}  // namespace sb
