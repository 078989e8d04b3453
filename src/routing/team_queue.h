#pragma once
// The waiting tickets of one team. Tickets with the same channel and the same
// required skills form a group, kept in serving order (TicketQueue). An agent
// with room need only look at the first ticket of each group: if it can serve
// that one it can serve the rest, and if not, none of them. So finding an
// agent's next ticket costs one check per group, not one per ticket.
#include <map>
#include <optional>
#include <vector>

#include "routing/skills.h"
#include "routing/ticket_queue.h"

namespace sb {

class TeamQueue {
 public:
  void push(const TicketQueue::Entry& e, Channel channel, const std::vector<SkillLevel>& needs);
  void erase(const TicketQueue::Entry& e, Channel channel, const std::vector<SkillLevel>& needs);

  std::size_t size() const { return size_; }
  // 1-based place in serving order over the whole team; nullopt when absent.
  // O(groups x log n).
  std::optional<std::size_t> position(const TicketQueue::Entry& e) const;
  std::optional<Time> oldest() const;

  // The first ticket in serving order among the groups that `fits` accepts;
  // `fits(channel, needs)` says whether the agent can serve that group, and
  // `takes(entry)` whether it can take that ticket (it may have declined it),
  // so the walk goes past a group's head only for such tickets.
  template <class Fits, class Takes>
  std::optional<TicketQueue::Entry> best(Fits&& fits, Takes&& takes) const {
    std::optional<TicketQueue::Entry> out;
    for (const auto& [key, queue] : groups_) {
      if (out && !(*queue.begin() < *out)) continue;
      if (!fits(key.channel, key.needs)) continue;
      for (const TicketQueue::Entry& e : queue) {
        if (out && !(e < *out)) break;
        if (takes(e)) {
          out = e;
          break;
        }
      }
    }
    return out;
  }
  // Every waiting ticket, in serving order. O(n log n).
  std::vector<TicketQueue::Entry> entries() const;

 private:
  struct Key {
    Channel channel;
    std::vector<SkillLevel> needs;
    bool operator<(const Key& o) const;
  };
  std::map<Key, TicketQueue> groups_;  // never holds an empty queue
  std::size_t size_ = 0;
};

}  // namespace sb
