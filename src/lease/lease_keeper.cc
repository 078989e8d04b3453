#include "lease/lease_keeper.h"

#include <spdlog/spdlog.h>

#include <random>

namespace sb::cluster {

std::string unique_node_id(const std::string& name) {
  std::random_device rd;
  static const char* hex = "0123456789abcdef";
  std::string id = name + "#";
  std::uint32_t v = rd();
  for (int i = 0; i < 8; ++i, v >>= 4) id += hex[v & 15];
  return id;
}

LeaseKeeper::LeaseKeeper(Store& store, NodeOptions options, std::function<Time()> clock, Acquire acquire, Lose lose)
    : store_(store), options_(std::move(options)), clock_(std::move(clock)), acquire_(std::move(acquire)),
      lose_(std::move(lose)) {}

LeaseKeeper::~LeaseKeeper() { stop(); }

void LeaseKeeper::start() {
  thread_ = std::thread([this] {
    const auto every = options_.ttl / 5;
    for (;;) {
      run_once();
      std::unique_lock lock(stop_mu_);
      if (stop_cv_.wait_for(lock, every, [&] { return stopping_; })) return;
    }
  });
}

void LeaseKeeper::stop() {
  {
    std::lock_guard lock(stop_mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(round_mu_);
  if (!owner_) return;
  lose_locked("shutting down");
  // Let it lapse now: a lease that expires at `now` is free to the others.
  if (auto r = store_.take_lease(options_.partition, options_.id, options_.address, clock_(), Duration::zero()); !r) {
    spdlog::warn("could not hand back the routing lease (it expires by itself): {}", r.error().message);
  }
}

void LeaseKeeper::lose_locked(const char* why) {
  owner_ = false;
  owned_epoch_ = 0;
  spdlog::warn("node {}: no longer owns {} ({})", options_.name, options_.partition, why);
  lose_();
  std::lock_guard lock(status_mu_);
  status_.owner = false;
}

void LeaseKeeper::refresh() {
  {
    std::lock_guard round(round_mu_);
    if (std::chrono::steady_clock::now() - last_round_ < std::chrono::milliseconds(100)) return;
  }
  run_once();
}

void LeaseKeeper::run_once() {
  std::lock_guard round(round_mu_);
  last_round_ = std::chrono::steady_clock::now();
  const Time now = clock_();
  auto lease = store_.take_lease(options_.partition, options_.id, options_.address, now, options_.ttl);
  if (!lease) {
    // The store cannot be reached: an owner keeps going until its lease
    // runs out (its commits would be refused after that anyway).
    spdlog::warn("node {}: lease round failed: {}", options_.name, lease.error().message);
    if (owner_ && now >= owned_until_) lose_locked("the lease ran out without a renewal");
    return;
  }
  const bool mine = lease->owner == options_.id;
  if (mine && owner_ && lease->epoch != owned_epoch_) lose_locked("the lease changed hands meanwhile");
  if (mine && !owner_) {
    const auto started = std::chrono::steady_clock::now();
    const Status s = acquire_(Fence{options_.partition, options_.id, lease->epoch, {}});
    if (!s) {
      spdlog::error("node {}: could not take over {}: {}; handing the lease back", options_.name, options_.partition,
                    s.error().message);
      (void)store_.take_lease(options_.partition, options_.id, options_.address, clock_(), Duration::zero());
      return;
    }
    owner_ = true;
    owned_epoch_ = lease->epoch;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    spdlog::info("node {}: owns {} (epoch {}); state rebuilt from the store in {} ms", options_.name,
                 options_.partition, lease->epoch, ms.count());
    std::lock_guard lock(status_mu_);
    ++status_.takeovers;
  } else if (!mine && owner_) {
    lose_locked(("now held by " + lease->owner).c_str());
  }
  if (mine) owned_until_ = lease->expires_at;
  std::lock_guard lock(status_mu_);
  status_.owner = owner_;
  status_.owner_id = lease->owner;
  status_.owner_address = lease->address;
  status_.epoch = lease->epoch;
  status_.expires_at = lease->expires_at;
}

NodeStatus LeaseKeeper::status() const {
  std::lock_guard lock(status_mu_);
  return status_;
}

}  // namespace sb::cluster
