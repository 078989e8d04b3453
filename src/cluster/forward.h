#pragma once
// Any node takes any request (docs/scaling.md). What changes routing state
// goes to the node that owns routing: a follower hands the request on as it
// came (method, target, body, the headers that matter) over a kept-alive
// connection per thread, and returns the owner's answer as it came. Reads of
// the store (reports, the event stream), the dashboard's files and the
// health check are answered by every node itself.
#include <chrono>
#include <string>

#include "http/message.h"

namespace sb::cluster {

// True for the requests a follower answers itself.
bool answered_by_any_node(const http::Request& request);

// Sends `request` to the node at `address` (host:port) and returns its
// answer; a 503 not_owner (with Retry-After) when it cannot be reached.
// `self` names this node in X-Switchboard-Forwarded-By. `not_sent` (if
// given) says whether the request surely never left: no connection could
// be made, so it is safe to send elsewhere.
http::Response forward(const http::Request& request, const std::string& address, const std::string& self,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30), bool* not_sent = nullptr);

}  // namespace sb::cluster
