#include "core/outbound.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <initializer_list>
#include <mutex>

namespace sb {
namespace {

std::mutex policy_mu;
OutboundPolicy the_policy;

std::string text_of(const sockaddr* a) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (a->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a)->sin_addr, buf, sizeof buf);
  } else if (a->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

enum class Kind { kPublic, kLoopback, kPrivate, kLinkLocal, kNever };

// The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and
// its updates), by what a connection there would reach: the machine itself,
// the private network, the link, or nothing anyone should be sent to
// (unspecified, documentation, benchmarking, reserved, multicast, broadcast).
struct V4Range {
  std::uint32_t net;
  int bits;
  Kind kind;
  const char* what;
};
constexpr V4Range kV4[] = {
    {0x00000000, 8, Kind::kNever, "'this network' (0/8)"},
    {0x0A000000, 8, Kind::kPrivate, "private (10/8)"},
    {0x64400000, 10, Kind::kPrivate, "shared address space (100.64/10, CGNAT)"},
    {0x7F000000, 8, Kind::kLoopback, "loopback"},
    {0xA9FE0000, 16, Kind::kLinkLocal, "link-local (169.254/16)"},
    {0xAC100000, 12, Kind::kPrivate, "private (172.16/12)"},
    {0xC0000000, 24, Kind::kNever, "IETF protocol assignments (192.0.0/24)"},
    {0xC0000200, 24, Kind::kNever, "documentation (192.0.2/24)"},
    {0xC0586300, 24, Kind::kNever, "the deprecated 6to4 relay anycast (192.88.99/24)"},
    {0xC0A80000, 16, Kind::kPrivate, "private (192.168/16)"},
    {0xC6120000, 15, Kind::kNever, "benchmarking (198.18/15)"},
    {0xC6336400, 24, Kind::kNever, "documentation (198.51.100/24)"},
    {0xCB007100, 24, Kind::kNever, "documentation (203.0.113/24)"},
    {0xE0000000, 4, Kind::kNever, "multicast (224/4)"},
    {0xF0000000, 4, Kind::kNever, "reserved (240/4, with the broadcast address)"},
};

struct Class {
  Kind kind = Kind::kPublic;
  const char* what = "";
};

Class classify_v4(std::uint32_t ip) {  // host order
  for (const V4Range& r : kV4) {
    if ((ip >> (32 - r.bits)) == (r.net >> (32 - r.bits))) return {r.kind, r.what};
  }
  return {};
}

std::uint32_t v4_at(const in6_addr& v6, int offset) {
  std::uint32_t ip = 0;
  std::memcpy(&ip, v6.s6_addr + offset, 4);
  return ntohl(ip);
}

// Whether the first `bits` bits of `v6` are `prefix` (given as bytes).
bool starts_with(const in6_addr& v6, std::initializer_list<unsigned char> prefix, int bits) {
  int i = 0;
  for (unsigned char byte : prefix) {
    const int take = std::min(8, bits - 8 * i);
    if (take <= 0) break;
    const unsigned char mask = static_cast<unsigned char>(0xFF << (8 - take));
    if ((v6.s6_addr[i] & mask) != (byte & mask)) return false;
    ++i;
  }
  return true;
}

Class classify_v6(const in6_addr& v6) {
  auto zero_upto = [&](int n) {
    for (int i = 0; i < n; ++i) {
      if (v6.s6_addr[i] != 0) return false;
    }
    return true;
  };
  if (IN6_IS_ADDR_UNSPECIFIED(&v6)) return {Kind::kNever, "unspecified (::)"};
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return {Kind::kLoopback, "loopback"};
  // IPv4 inside IPv6: judged as the IPv4 address they lead to.
  if (IN6_IS_ADDR_V4MAPPED(&v6)) return classify_v4(v4_at(v6, 12));                   // ::ffff:a.b.c.d
  if (zero_upto(12)) return classify_v4(v4_at(v6, 12));                                  // ::a.b.c.d (deprecated)
  if (zero_upto(8) && v6.s6_addr[8] == 0xFF && v6.s6_addr[9] == 0xFF && v6.s6_addr[10] == 0 && v6.s6_addr[11] == 0) {
    return classify_v4(v4_at(v6, 12));                                                   // ::ffff:0:a.b.c.d (SIIT)
  }
  if (starts_with(v6, {0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0}, 96)) {
    return classify_v4(v4_at(v6, 12));                                                   // 64:ff9b::/96 (NAT64)
  }
  if (starts_with(v6, {0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01}, 48)) return {Kind::kPrivate, "local-use NAT64 (64:ff9b:1::/48)"};
  if (starts_with(v6, {0x20, 0x02}, 16)) {                                               // 2002::/16 (6to4)
    const Class inner = classify_v4(v4_at(v6, 2));
    return inner.kind == Kind::kPublic ? Class{} : inner;
  }
  if (starts_with(v6, {0x01, 0x00, 0, 0, 0, 0, 0, 0}, 64)) return {Kind::kNever, "discard-only (100::/64)"};
  if (starts_with(v6, {0x20, 0x01, 0x0D, 0xB8}, 32)) return {Kind::kNever, "documentation (2001:db8::/32)"};
  if (starts_with(v6, {0x3F, 0xFF}, 20)) return {Kind::kNever, "documentation (3fff::/20)"};
  if (starts_with(v6, {0x20, 0x01, 0x00}, 23)) return {Kind::kNever, "IETF protocol assignments (2001::/23, Teredo)"};
  if (starts_with(v6, {0x5F, 0x00}, 16)) return {Kind::kNever, "segment routing (5f00::/16)"};
  if (starts_with(v6, {0xFC}, 7)) return {Kind::kPrivate, "unique local (fc00::/7)"};
  if (starts_with(v6, {0xFE, 0x80}, 10)) return {Kind::kLinkLocal, "link-local (fe80::/10)"};
  if (starts_with(v6, {0xFE, 0xC0}, 10)) return {Kind::kPrivate, "site-local (fec0::/10)"};
  if (starts_with(v6, {0xFF}, 8)) return {Kind::kNever, "multicast (ff00::/8)"};
  return {};
}

Class classify(const sockaddr* a) {
  if (a->sa_family == AF_INET) return classify_v4(ntohl(reinterpret_cast<const sockaddr_in*>(a)->sin_addr.s_addr));
  if (a->sa_family != AF_INET6) return {Kind::kNever, "not an IP address"};
  return classify_v6(reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr);
}

}  // namespace

void set_outbound_policy(const OutboundPolicy& policy) {
  std::lock_guard lock(policy_mu);
  the_policy = policy;
}

OutboundPolicy outbound_policy() {
  std::lock_guard lock(policy_mu);
  return the_policy;
}

std::string refused_address(const sockaddr* address, const OutboundPolicy& policy) {
  const Class c = classify(address);
  const std::string what = text_of(address) + " is " + (c.kind == Kind::kLoopback ? "a loopback address" : std::string("a ") + c.what + " address");
  switch (c.kind) {
    case Kind::kPublic: return {};
    case Kind::kLoopback: return policy.allow_loopback ? std::string() : what + " (outbound.allow_loopback)";
    case Kind::kPrivate: return policy.allow_private ? std::string() : what + " (outbound.allow_private)";
    case Kind::kLinkLocal: return policy.allow_link_local ? std::string() : what + " (outbound.allow_link_local)";
    case Kind::kNever: return what + ", not an address to connect to";
  }
  return "unknown address";
}

Status check_outbound_host(const std::string& host, const std::string& field, const OutboundPolicy& policy,
                           bool unresolved_ok) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string bare = host.size() > 2 && host.front() == '[' && host.back() == ']' ? host.substr(1, host.size() - 2) : host;
  if (const int rc = getaddrinfo(bare.c_str(), nullptr, &hints, &found); rc != 0) {
    if (unresolved_ok) return Status::Ok();
    return Error::Invalid(field, "cannot resolve '" + host + "': " + gai_strerror(rc));
  }
  Status out = Status::Ok();
  for (addrinfo* a = found; a && out; a = a->ai_next) {
    if (std::string why = refused_address(a->ai_addr, policy); !why.empty()) {
      out = Error::Invalid(field, "'" + host + "' resolves to " + why + "; refused");
    }
  }
  freeaddrinfo(found);
  return out;
}

}  // namespace sb
