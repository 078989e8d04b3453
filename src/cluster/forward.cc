#include "cluster/forward.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <optional>

namespace sb::cluster {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// One kept-alive connection to the owner per server thread (the server runs
// a thread per client connection). Not reused after 20 s idle, well inside
// the owner's idle timeout, so a reused connection is one the owner still holds.
struct Upstream {
  asio::io_context ctx{1};
  std::optional<beast::tcp_stream> stream;
  std::string address;
  Clock::time_point last_used;
  beast::flat_buffer buffer;
  void close() {
    if (stream) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->close();
    }
    stream.reset();
    buffer.clear();
  }
};
thread_local Upstream upstream;

// Runs one asynchronous operation on this thread's context, so that the
// stream's deadline applies.
template <class Start>
beast::error_code run_one(asio::io_context& ctx, Start start) {
  beast::error_code result = asio::error::would_block;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ctx.restart();
  ctx.run();
  return result;
}

http::Response unreachable(const std::string& address, const std::string& why) {
  return http::error_response(
      Error::NotOwner("the node that owns routing (" + address + ") did not answer (" + why + "); retry"));
}

beast::error_code connect(Upstream& u, const std::string& address, std::chrono::milliseconds timeout) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) return asio::error::invalid_argument;
  tcp::resolver resolver(u.ctx);
  beast::error_code ec;
  auto endpoints = resolver.resolve(address.substr(0, colon), address.substr(colon + 1), ec);
  if (ec) return ec;
  u.stream.emplace(u.ctx);
  u.stream->expires_after(std::min<std::chrono::milliseconds>(timeout, std::chrono::seconds(5)));
  ec = run_one(u.ctx, [&](auto done) { u.stream->async_connect(endpoints, done); });
  if (ec) {
    u.close();
    return ec;
  }
  u.address = address;
  return {};
}

}  // namespace

bool answered_by_any_node(const http::Request& r) {
  if (r.method != "GET") return false;
  const std::string& p = r.path;
  return p == "/healthz" || p == "/" || p.starts_with("/assets/") || p == "/support" || p == "/api/v1/events" ||
         p == "/metrics" || p.starts_with("/api/v1/reports/");
}

http::Response forward(const http::Request& r, const std::string& address, const std::string& self,
                       std::chrono::milliseconds timeout, bool* not_sent) {
  Upstream& u = upstream;
  if (not_sent) *not_sent = false;
  if (u.stream && (u.address != address || Clock::now() - u.last_used > std::chrono::seconds(20))) u.close();
  if (!u.stream) {
    if (auto ec = connect(u, address, timeout)) {
      if (not_sent) *not_sent = true;
      return unreachable(address, ec.message());
    }
  }
  bhttp::request<bhttp::string_body> req;
  req.method_string(r.method);
  req.target(r.target.empty() ? r.path : r.target);
  req.version(11);
  req.set(bhttp::field::host, address);
  auto copy = [&](bhttp::field f, const std::string& v) {
    if (!v.empty()) req.set(f, v);
  };
  copy(bhttp::field::authorization, r.authorization);
  copy(bhttp::field::content_type, r.content_type);
  copy(bhttp::field::if_match, r.if_match);
  if (!r.idempotency_key.empty()) req.set("Idempotency-Key", r.idempotency_key);
  if (!r.last_event_id.empty()) req.set("Last-Event-ID", r.last_event_id);
  req.set("X-Switchboard-Forwarded-By", self);
  // The client's address for the owner's per-address limits (believed when
  // the owner lists this node in limits.trusted_proxies).
  if (!r.remote.empty()) req.set("X-Forwarded-For", r.forwarded_for.empty() ? r.remote : r.forwarded_for + ", " + r.remote);
  req.body() = r.body;
  req.keep_alive(true);
  req.prepare_payload();

  u.stream->expires_after(timeout);
  if (auto ec = run_one(u.ctx, [&](auto done) { bhttp::async_write(*u.stream, req, done); })) {
    u.close();
    return unreachable(address, ec.message());
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(256u << 20);
  if (auto ec = run_one(u.ctx, [&](auto done) { bhttp::async_read(*u.stream, u.buffer, parser, done); })) {
    u.close();
    return unreachable(address, ec.message());
  }
  u.last_used = Clock::now();
  auto& res = parser.get();
  if (!res.keep_alive()) u.close();

  http::Response out;
  out.status = static_cast<int>(res.result_int());
  const std::string content_type(res[bhttp::field::content_type]);
  if (!content_type.empty() || !res.body().empty()) {
    out.text = std::move(res.body());
    out.content_type = content_type;
  }
  for (const auto& field : res) {
    switch (field.name()) {
      case bhttp::field::content_type:
      case bhttp::field::content_length:
      case bhttp::field::connection:
      case bhttp::field::keep_alive:
      case bhttp::field::transfer_encoding:
      case bhttp::field::server:
      case bhttp::field::date:
        break;
      default:
        out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
  }
  out.headers.emplace_back("X-Switchboard-Node", address);
  return out;
}

}  // namespace sb::cluster
