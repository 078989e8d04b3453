#pragma once
// Several nodes over one store (docs/scaling.md): the routing partition is
// owned by one node at a time through a lease in the store. Every node runs
// a LeaseKeeper: each round (every ttl/5) it takes the lease if it is free,
// expired or already its own (a renewal), in one statement, so racing nodes
// agree on one winner. On winning it calls `acquire` with the lease's fence
// (the service rebuilds from the store and fences its commits); when the
// lease is seen in another node's hands, or could not be renewed before it
// ran out, it calls `lose`. Followers learn the owner's address from the
// same round, to hand requests to it.
//
// Thread-safe; the callbacks run on the keeper's thread.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "store/store.h"

namespace sb::cluster {

struct NodeOptions {
  std::string name;     // as given with --node (for people)
  std::string id;       // unique per process: name + "#" + random (a restarted node is a new owner)
  std::string address;  // host:port where this node takes requests
  std::string partition = "routing";
  Duration ttl = std::chrono::seconds(5);
};

// A node's view of the lease after its last round.
struct NodeStatus {
  bool owner = false;
  std::string owner_id;       // empty: nobody (yet)
  std::string owner_address;
  std::int64_t epoch = 0;
  Time expires_at;
  std::int64_t takeovers = 0;  // times this node became the owner
};

// Makes a node id from its name: name#8 hex digits.
std::string unique_node_id(const std::string& name);

class LeaseKeeper {
 public:
  using Acquire = std::function<Status(const Fence&)>;  // error: not owner yet (retried next round)
  using Lose = std::function<void()>;
  LeaseKeeper(Store& store, NodeOptions options, std::function<Time()> clock, Acquire acquire, Lose lose);
  ~LeaseKeeper();

  // Runs rounds on a thread until stop().
  void start();
  // Stops the rounds; an owner stands down and lets the lease lapse at once,
  // so that another node takes over without waiting for it to expire.
  void stop();
  // One round (the thread's loop; tests call it directly).
  void run_once();
  // A round now, unless one ran in the last 100 ms: a follower that found
  // the owner gone learns who owns routing now (or takes it, if it lapsed).
  void refresh();
  NodeStatus status() const;
  bool owner() const { return owner_.load(); }
  const NodeOptions& options() const { return options_; }

 private:
  void lose_locked(const char* why);

  Store& store_;
  const NodeOptions options_;
  std::function<Time()> clock_;
  Acquire acquire_;
  Lose lose_;
  std::mutex round_mu_;  // one round at a time
  mutable std::mutex status_mu_;
  NodeStatus status_;
  std::atomic<bool> owner_{false};
  std::int64_t owned_epoch_ = 0;  // under round_mu_
  Time owned_until_;              // under round_mu_
  std::chrono::steady_clock::time_point last_round_;  // under round_mu_
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sb::cluster
