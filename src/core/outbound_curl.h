#pragma once
// libcurl's side of the outbound policy (core/outbound.h): every socket a
// transfer opens is checked against the policy on the address resolved for
// it, so a name that resolves to a refused address is refused too. For the
// modules that link libcurl (notify, mail); header-only so that core does not.
#include <curl/curl.h>

#include <string>

#include "core/outbound.h"

namespace sb {

struct OutboundGuard {
  OutboundPolicy policy = outbound_policy();
  std::string refused;  // why the last connection was refused, if it was

  // Installs the check on `c`; the guard must outlive the transfer.
  void install(CURL* c) {
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, &OutboundGuard::open);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, this);
  }
  // The error of a failed transfer: the refusal when there was one.
  std::string error(const char* curl_message) const {
    return refused.empty() ? std::string(curl_message) : "refused to connect: " + refused;
  }

 private:
  static curl_socket_t open(void* self, curlsocktype, curl_sockaddr* address) {
    auto* guard = static_cast<OutboundGuard*>(self);
    std::string why = refused_address(&address->addr, guard->policy);
    if (!why.empty()) {
      guard->refused = std::move(why);
      return CURL_SOCKET_BAD;
    }
    return ::socket(address->family, address->socktype, address->protocol);
  }
};

}  // namespace sb
