#pragma once
// Proxies whose X-Forwarded-For is believed (`limits.trusted_proxies`): a
// load balancer in front, or the other nodes of a cluster handing requests
// to the routing owner. Behind them, limits per client address (the support
// form) count the client, not the proxy. A header from anyone else is
// ignored: a client cannot pick its own address.
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include "core/status.h"

namespace sb::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Each entry an address ("10.0.0.7", "::1") or a network ("10.0.0.0/8");
  // the error names the entry that is neither.
  static Result<TrustedProxies> parse(const std::vector<std::string>& entries);

  bool empty() const { return v4_.empty() && v6_.empty(); }
  bool trusts(std::string_view address) const;
  // The client's address: `remote` itself, unless it is a trusted proxy;
  // then the nearest address in `forwarded_for` (read from the right) that
  // is not one (or the first, when every one is).
  std::string client(const std::string& remote, std::string_view forwarded_for) const;

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

}  // namespace sb::http
