#include "routing/team_queue.h"

#include <algorithm>
#include <tuple>

namespace sb {

bool TeamQueue::Key::operator<(const Key& o) const {
  if (channel != o.channel) return channel < o.channel;
  return std::lexicographical_compare(
      needs.begin(), needs.end(), o.needs.begin(), o.needs.end(),
      [](SkillLevel a, SkillLevel b) { return std::tie(a.skill, a.level) < std::tie(b.skill, b.level); });
}

void TeamQueue::push(const TicketQueue::Entry& e, Channel channel, const std::vector<SkillLevel>& needs) {
  TicketQueue& q = groups_[Key{channel, needs}];
  const std::size_t before = q.size();
  q.push(e);
  size_ += q.size() - before;
}

void TeamQueue::erase(const TicketQueue::Entry& e, Channel channel, const std::vector<SkillLevel>& needs) {
  auto it = groups_.find(Key{channel, needs});
  if (it == groups_.end()) return;
  const std::size_t before = it->second.size();
  it->second.erase(e);
  size_ -= before - it->second.size();
  if (it->second.empty()) groups_.erase(it);
}

std::optional<std::size_t> TeamQueue::position(const TicketQueue::Entry& e) const {
  bool present = false;
  std::size_t ahead = 0;
  for (const auto& [key, queue] : groups_) {
    ahead += queue.ahead_of(e);
    present = present || queue.contains(e);
  }
  if (!present) return std::nullopt;
  return ahead + 1;
}

std::optional<Time> TeamQueue::oldest() const {
  std::optional<Time> out;
  for (const auto& [key, queue] : groups_) {
    if (auto t = queue.oldest(); t && (!out || *t < *out)) out = t;
  }
  return out;
}

}  // namespace sb

namespace sb {

std::vector<TicketQueue::Entry> TeamQueue::entries() const {
  std::vector<TicketQueue::Entry> out;
  out.reserve(size_);
  for (const auto& [key, queue] : groups_) out.insert(out.end(), queue.begin(), queue.end());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sb
