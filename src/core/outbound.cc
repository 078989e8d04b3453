#include "core/outbound.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <atomic>
#include <cstring>
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

Kind classify_v4(std::uint32_t ip) {  // host order
  const auto in = [&](std::uint32_t net, int bits) { return (ip >> (32 - bits)) == (net >> (32 - bits)); };
  if (in(0x7F000000, 8)) return Kind::kLoopback;                          // 127/8
  if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16) ||    // 10/8, 172.16/12, 192.168/16
      in(0x64400000, 10)) {                                                // 100.64/10 (CGNAT)
    return Kind::kPrivate;
  }
  if (in(0xA9FE0000, 16)) return Kind::kLinkLocal;                        // 169.254/16 (cloud metadata)
  if (in(0x00000000, 8) || in(0xE0000000, 4) || ip == 0xFFFFFFFF) return Kind::kNever;  // 0/8, multicast, broadcast
  return Kind::kPublic;
}

Kind classify(const sockaddr* a) {
  if (a->sa_family == AF_INET) return classify_v4(ntohl(reinterpret_cast<const sockaddr_in*>(a)->sin_addr.s_addr));
  if (a->sa_family != AF_INET6) return Kind::kNever;
  const in6_addr& v6 = reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr;
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    std::uint32_t ip = 0;
    std::memcpy(&ip, v6.s6_addr + 12, 4);
    return classify_v4(ntohl(ip));
  }
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return Kind::kLoopback;
  if (IN6_IS_ADDR_UNSPECIFIED(&v6) || IN6_IS_ADDR_MULTICAST(&v6)) return Kind::kNever;
  if (IN6_IS_ADDR_LINKLOCAL(&v6)) return Kind::kLinkLocal;
  if ((v6.s6_addr[0] & 0xFE) == 0xFC) return Kind::kPrivate;  // fc00::/7
  return Kind::kPublic;
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
  switch (classify(address)) {
    case Kind::kPublic: return {};
    case Kind::kLoopback:
      return policy.allow_loopback ? std::string() : text_of(address) + " is a loopback address (outbound.allow_loopback)";
    case Kind::kPrivate:
      return policy.allow_private ? std::string() : text_of(address) + " is a private address (outbound.allow_private)";
    case Kind::kLinkLocal:
      return policy.allow_link_local ? std::string()
                                     : text_of(address) + " is a link-local address (outbound.allow_link_local)";
    case Kind::kNever: return text_of(address) + " is not an address to connect to";
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
