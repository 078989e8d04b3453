#pragma once
// Request metrics for Prometheus: a counter per (method, route, status) and a
// latency histogram per (method, route), routes by their pattern
// ("/api/v1/tickets/{id}") so that ids do not explode the label space.
// Thread-safe; recording takes one short lock.
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace sb::http {

class RequestMetrics {
 public:
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  void record(const std::string& method, const std::string& route, int status, double seconds);
  // The text exposition of both families.
  std::string exposition() const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
};

// A label value, escaped for the text format (backslash, quote, newline).
std::string prometheus_label(const std::string& value);

}  // namespace sb::http
