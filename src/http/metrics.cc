#include "http/metrics.h"

#include <sstream>

namespace sb::http {

std::string prometheus_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void RequestMetrics::record(const std::string& method, const std::string& route, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{method, route, status}];
  Histogram& h = latency_[{method, route}];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string RequestMetrics::exposition() const {
  std::ostringstream out;
  std::lock_guard lock(mu_);
  out << "# HELP switchboard_http_requests_total HTTP requests answered, by route pattern and status.\n"
         "# TYPE switchboard_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [method, route, status] = key;
    out << "switchboard_http_requests_total{method=\"" << method << "\",route=\"" << prometheus_label(route)
        << "\",status=\"" << status << "\"} " << n << "\n";
  }
  out << "# HELP switchboard_http_request_duration_seconds Time from parsed request to response, by route pattern.\n"
         "# TYPE switchboard_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    const std::string labels = "method=\"" + key.first + "\",route=\"" + prometheus_label(key.second) + "\"";
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      out << "switchboard_http_request_duration_seconds_bucket{" << labels << ",le=\"" << kBuckets[i] << "\"} "
          << h.buckets[i] << "\n";
    }
    out << "switchboard_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << h.count << "\n";
    out << "switchboard_http_request_duration_seconds_sum{" << labels << "} " << h.sum << "\n";
    out << "switchboard_http_request_duration_seconds_count{" << labels << "} " << h.count << "\n";
  }
  return out.str();
}

}  // namespace sb::http
