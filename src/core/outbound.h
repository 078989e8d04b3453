#pragma once
// Where Switchboard may connect to on others' behalf (webhooks, the SMTP
// relay, IMAP inboxes): a policy on the address actually connected to,
// after DNS resolution, so that a webhook URL cannot reach the machine's
// own services or the private network (SSRF), not even through a name that
// resolves differently later (the check runs on every connection).
// Addresses are classified by the IANA IPv4 and IPv6 Special-Purpose Address
// Registries, IPv4 inside IPv6 (mapped, compatible, SIIT, NAT64, 6to4) judged
// as the IPv4 address it leads to. Loopback, private (RFC 1918, CGNAT, unique
// local, site-local, local-use NAT64) and link-local addresses are refused
// unless the config allows them (`outbound:`); unspecified, documentation,
// benchmarking, reserved, discard, multicast and broadcast addresses always.
#include <sys/socket.h>

#include <string>

#include "core/status.h"

namespace sb {

struct OutboundPolicy {
  bool allow_loopback = false;
  bool allow_private = false;
  bool allow_link_local = false;
};

// The process's policy (set once at start, from the config).
void set_outbound_policy(const OutboundPolicy& policy);
OutboundPolicy outbound_policy();

// Why `address` may not be connected to ("a loopback address", ...), or ""
// when it may.
std::string refused_address(const sockaddr* address, const OutboundPolicy& policy);
// Resolves `host` and checks every address it has; the error (422 on
// `field`) names the address and the config setting that would allow it.
// A name that does not resolve (now) is an error unless `unresolved_ok`
// (a webhook's host may appear later; every connection is checked anyway).
Status check_outbound_host(const std::string& host, const std::string& field,
                           const OutboundPolicy& policy = outbound_policy(), bool unresolved_ok = false);

}  // namespace sb
