#include "service/group_commit.h"

namespace sb {

GroupCommitter::Handle GroupCommitter::enqueue(WriteBatch batch) {
  auto slot = std::make_shared<Slot>();
  slot->batch = std::move(batch);
  std::lock_guard lock(mu_);
  queued_.push_back(slot);
  return slot;
}

Status GroupCommitter::wait(const Handle& handle) {
  std::unique_lock lock(mu_);
  while (!handle->done) {
    if (leader_) {
      cv_.wait(lock);
      continue;
    }
    leader_ = true;
    const std::size_t n = std::min(queued_.size(), max_batches_);
    committing_.assign(queued_.begin(), queued_.begin() + static_cast<std::ptrdiff_t>(n));
    queued_.erase(queued_.begin(), queued_.begin() + static_cast<std::ptrdiff_t>(n));
    Status status = failed_ ? Status(Error::Unavailable("an earlier write failed; retry"))
                            : Status::Ok();
    if (status) {
      std::vector<const WriteBatch*> batches;
      batches.reserve(committing_.size() + 1);
      WriteBatch fenced;  // an empty batch carrying the fence, checked before the rest is written
      if (fence_) {
        fenced.fence = fence_;
        fenced.fence->now = clock_();
        batches.push_back(&fenced);
      }
      for (const Handle& h : committing_) batches.push_back(&h->batch);
      lock.unlock();
      status = store_.commit(batches);
      lock.lock();
      ++transactions_;
      if (!status) failed_ = true;
    }
    for (const Handle& h : committing_) {
      h->done = true;
      h->status = status;
    }
    committing_.clear();
    leader_ = false;
    cv_.notify_all();
  }
  return handle->status;
}

std::optional<Ticket> GroupCommitter::pending_ticket(TicketId id) const {
  std::lock_guard lock(mu_);
  auto find_in = [&](const Handle& h) -> const Ticket* {
    for (auto it = h->batch.tickets.rbegin(); it != h->batch.tickets.rend(); ++it) {
      if (it->id == id) return &*it;
    }
    return nullptr;
  };
  for (auto it = queued_.rbegin(); it != queued_.rend(); ++it) {
    if (const Ticket* t = find_in(*it)) return *t;
  }
  for (auto it = committing_.rbegin(); it != committing_.rend(); ++it) {
    if (const Ticket* t = find_in(*it)) return *t;
  }
  return std::nullopt;
}

void GroupCommitter::recover() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !leader_; });
  for (const Handle& h : queued_) {
    h->done = true;
    h->status = Error::Unavailable("an earlier write failed; retry");
  }
  queued_.clear();
  failed_ = false;
  cv_.notify_all();
}

void GroupCommitter::set_fence(std::optional<Fence> fence, std::function<Time()> clock) {
  std::lock_guard lock(mu_);
  fence_ = std::move(fence);
  clock_ = std::move(clock);
}

std::size_t GroupCommitter::transactions() const {
  std::lock_guard lock(mu_);
  return transactions_;
}

}  // namespace sb
