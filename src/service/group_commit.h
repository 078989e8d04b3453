#pragma once
// Group commit: many requests' write batches share one store transaction
// (and so one fsync). Batches are enqueued in engine order, under the
// caller's engine lock; each caller then waits, and whichever waiter finds
// no commit under way becomes the leader and commits everything queued so
// far in one transaction. A caller learns its batch is durable only when
// that transaction has committed.
//
// After a failed commit the engine holds changes the store does not; every
// batch queued behind it was built on them, so all fail until recover() is
// called (by the owner, under its engine lock, before rebuilding the engine
// from the store).
//
// Thread-safe.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "store/store.h"

namespace sb {

class GroupCommitter {
 public:
  struct Slot;
  using Handle = std::shared_ptr<Slot>;

  explicit GroupCommitter(Store& store, std::size_t max_batches_per_commit = 512)
      : store_(store), max_batches_(max_batches_per_commit) {}

  Handle enqueue(WriteBatch batch);
  // Blocks until the batch is committed (ok) or its transaction failed.
  Status wait(const Handle& handle);
  // The newest queued or committing version of a ticket, which the store
  // will have once its transaction lands.
  std::optional<Ticket> pending_ticket(TicketId id) const;
  // Fails every batch not yet being committed, waits for the commit under
  // way, and clears the failure so that new batches commit again.
  void recover();
  // Commits made so far (for metrics and tests).
  std::size_t transactions() const;

  // Every commit from now on is made under this lease (docs/scaling.md): the
  // store refuses it (not_owner) once the lease changed hands or expired at
  // clock(). nullopt: unfenced (one node).
  void set_fence(std::optional<Fence> fence, std::function<Time()> clock);

 private:
  Store& store_;
  const std::size_t max_batches_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Handle> queued_;
  std::vector<Handle> committing_;
  bool leader_ = false;
  bool failed_ = false;
  std::size_t transactions_ = 0;
  std::optional<Fence> fence_;
  std::function<Time()> clock_;
};

struct GroupCommitter::Slot {
  WriteBatch batch;
  bool done = false;
  Status status;
};

}  // namespace sb
