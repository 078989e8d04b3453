#include "http/proxies.h"

#include <boost/asio/ip/address.hpp>

#include <optional>

namespace sb::http {
namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An address as text, IPv4-mapped IPv6 ("::ffff:10.0.0.1") as IPv4.
std::optional<ip::address> address_of(std::string_view text) {
  boost::system::error_code ec;
  ip::address a = ip::make_address(std::string(trim(text)), ec);
  if (ec) return std::nullopt;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& entries) {
  TrustedProxies out;
  for (const std::string& entry : entries) {
    boost::system::error_code ec;
    if (entry.find('/') != std::string::npos) {
      if (auto n4 = ip::make_network_v4(entry, ec); !ec) {
        out.v4_.push_back(n4.canonical());
        continue;
      }
      if (auto n6 = ip::make_network_v6(entry, ec); !ec) {
        out.v6_.push_back(n6.canonical());
        continue;
      }
    } else if (auto a = address_of(entry)) {
      if (a->is_v4()) out.v4_.push_back(ip::network_v4(a->to_v4(), 32));
      else out.v6_.push_back(ip::network_v6(a->to_v6(), 128));
      continue;
    }
    return Error::Invalid("trusted_proxies", "'" + entry + "' is neither an address nor a network like 10.0.0.0/8");
  }
  return out;
}

bool TrustedProxies::trusts(std::string_view address) const {
  const auto a = address_of(address);
  if (!a) return false;
  if (a->is_v4()) {
    const ip::network_v4 one(a->to_v4(), 32);
    for (const auto& n : v4_) {
      if (one == n || one.is_subnet_of(n)) return true;
    }
    return false;
  }
  const ip::network_v6 one(a->to_v6(), 128);
  for (const auto& n : v6_) {
    if (one == n || one.is_subnet_of(n)) return true;
  }
  return false;
}

std::string TrustedProxies::client(const std::string& remote, std::string_view forwarded_for) const {
  if (forwarded_for.empty() || !trusts(remote)) return remote;
  std::string nearest = remote;
  while (!forwarded_for.empty()) {
    const std::size_t comma = forwarded_for.rfind(',');
    const std::string_view hop = trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    const auto a = address_of(hop);
    if (!a) return nearest;  // junk: believe no further
    nearest = a->to_string();
    if (!trusts(nearest)) return nearest;
  }
  return nearest;
}

}  // namespace sb::http
