#pragma once
// The HTTP/1.1 server: Boost.Beast, one thread per connection (each with its
// own small io_context so that reads and writes have deadlines). Handlers
// may block (a create waits for its group commit), and a thread per
// connection lets many of them wait at once. Connections are capped, in all
// and per peer address; past a cap a new connection gets 503 and is closed.
//
// One log line per request: method, path, status, milliseconds.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "http/message.h"

namespace sb::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;          // 0 picks a free port
  std::size_t body_limit = 1 << 20;   // larger bodies get 413
  // Paths (prefixes) allowed a larger body, e.g. raw e-mail with attachments.
  std::vector<std::pair<std::string, std::size_t>> large_bodies{{"/api/v1/mail", 32u << 20}};
  std::size_t header_limit = 16 << 10;
  int max_connections = 1024;
  // At most this many open connections from one peer address (past it the
  // new one gets 503 overloaded), so one client cannot take every slot;
  // addresses `exempt` says yes to (trusted proxies) are not counted. 0: no cap.
  int max_connections_per_address = 256;
  std::function<bool(const std::string& address)> exempt;
  // A connection with no request in progress is closed after this long.
  std::chrono::seconds idle_timeout{60};
  // Looks at a request's head before its body is read (path, method,
  // headers; no body): an answer here (a 401 for a missing token, say) is
  // sent at once, and the body is neither asked for (`Expect: 100-continue`)
  // nor kept. Null: every request is read whole.
  std::function<std::optional<Response>(Request& head)> check_head;
  // On SIGTERM/SIGINT (or stop()) the server first drains for this long:
  // it still accepts, but answers every new request 503 shutting_down with
  // Retry-After (so /healthz tells load balancers to look elsewhere) and
  // ends event streams, while requests in progress finish. Then it stops
  // accepting and waits up to 5 s more for what is still running.
  std::chrono::milliseconds drain{1000};
};

class Server {
 public:
  using Handler = std::function<Response(Request&)>;
  Server(ServerOptions options, Handler handler);
  ~Server();

  // Binds and listens. After it, port() is the bound port.
  Status listen();
  std::uint16_t port() const { return port_; }
  // Serves until stop() or SIGINT/SIGTERM; then drains (see
  // ServerOptions::drain), stops accepting, lets requests in progress
  // finish (up to 5 s) and returns.
  void run();
  // True from the start of the drain.
  bool draining() const;
  // Called (on the acceptor's thread) when the drain starts.
  void on_drain(std::function<void()> callback);
  // Thread-safe.
  void stop();
  // Called (on the acceptor's thread) when the process gets SIGHUP.
  void on_hangup(std::function<void()> callback);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace sb::http
