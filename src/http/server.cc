#include "http/server.h"

#include <charconv>
#include <map>

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <thread>

namespace sb::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

Request to_request(const bhttp::request<bhttp::string_body>& req) {
  Request r;
  r.method = std::string(req.method_string());
  set_target(r, std::string_view(req.target().data(), req.target().size()));
  r.body = req.body();
  r.authorization = std::string(req[bhttp::field::authorization]);
  r.idempotency_key = std::string(req["Idempotency-Key"]);
  r.last_event_id = std::string(req["Last-Event-ID"]);
  r.content_type = std::string(req[bhttp::field::content_type]);
  r.if_match = std::string(req[bhttp::field::if_match]);
  r.forwarded_by = std::string(req["X-Switchboard-Forwarded-By"]);
  r.forwarded_for = std::string(req["X-Forwarded-For"]);
  return r;
}

bhttp::response<bhttp::string_body> to_beast(const Response& res, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
  out.set(bhttp::field::server, "switchboard");
  for (const auto& [name, value] : res.headers) out.set(name, value);
  if (res.text) {
    out.set(bhttp::field::content_type, res.content_type);
    out.body() = *res.text;
  } else if (!res.body.is_null()) {
    out.set(bhttp::field::content_type, "application/json");
    out.body() = res.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

// As Api's error_response: a 503 says when to come back.
Response plain_error(int status, const std::string& code, const std::string& message) {
  Response r{status, {{"error", {{"code", code}, {"message", message}, {"field", nullptr}}}}, {}};
  if (status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  asio::io_context accept_ctx;
  tcp::acceptor acceptor{accept_ctx};
  asio::signal_set signals{accept_ctx, SIGINT, SIGTERM, SIGHUP};
  std::function<void()> hangup;
  std::function<void()> drain_started;
  std::atomic<bool> draining{false};  // new requests get 503; streams end
  std::atomic<bool> stopping{false};  // no new connections
  asio::steady_timer drain_timer{accept_ctx};
  void wait_signal(Server* server);

  std::mutex mu;
  std::condition_variable idle;
  int active = 0;
  std::set<int> sockets;  // native handles of live connections, to shut down on stop
  std::map<std::string, int> per_address;  // open connections by peer address (exempt ones not counted)

  void accept();
  void serve(std::shared_ptr<asio::io_context> ctx, tcp::socket socket, std::string counted_as);
  void serve_loop(asio::io_context& ctx, beast::tcp_stream& stream);
  void stream_response(asio::io_context& ctx, beast::tcp_stream& stream, const Response& res, unsigned version);
};

void Server::Impl::accept() {
  auto ctx = std::make_shared<asio::io_context>(1);
  acceptor.async_accept(*ctx, [this, ctx](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!stopping) accept();
      return;
    }
    beast::error_code aec;
    const auto peer = socket.remote_endpoint(aec);
    const std::string address = aec ? std::string() : peer.address().to_string();
    const bool counted = options.max_connections_per_address > 0 && !address.empty() &&
                         !(options.exempt && options.exempt(address));
    {
      std::lock_guard lock(mu);
      const bool over_address = counted && per_address[address] >= options.max_connections_per_address;
      if (active >= options.max_connections || over_address) {
        if (counted && per_address[address] == 0) per_address.erase(address);
        beast::tcp_stream stream(std::move(socket));
        auto res = to_beast(plain_error(503, "overloaded",
                                        over_address ? "too many connections from your address; retry"
                                                     : "too many connections; retry"),
                            11, false);
        beast::error_code wec;
        bhttp::write(stream, res, wec);
        accept();
        return;
      }
      ++active;
      if (counted) ++per_address[address];
      sockets.insert(socket.native_handle());
    }
    std::thread([this, ctx, s = std::move(socket), key = counted ? address : std::string()]() mutable {
      serve(ctx, std::move(s), std::move(key));
    }).detach();
    accept();
  });
}

void Server::Impl::serve(std::shared_ptr<asio::io_context> ctx, tcp::socket socket, std::string counted_as) {
  const int fd = socket.native_handle();
  {
    beast::tcp_stream stream(std::move(socket));
    serve_loop(*ctx, stream);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::lock_guard lock(mu);
    sockets.erase(fd);
  }
  std::lock_guard lock(mu);
  --active;
  if (!counted_as.empty() && --per_address[counted_as] <= 0) per_address.erase(counted_as);
  idle.notify_all();
}

// Runs one asynchronous operation to completion on this thread's context,
// so that the stream's deadline applies.
template <class Start>
beast::error_code run_one(asio::io_context& ctx, Start start) {
  beast::error_code result;
  start([&result](beast::error_code ec, std::size_t) { result = ec; });
  ctx.restart();
  ctx.run();
  return result;
}

void Server::Impl::serve_loop(asio::io_context& ctx, beast::tcp_stream& stream) {
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    // The header is read under the largest limit any path allows (Beast
    // checks Content-Length against it right away); then the path's own.
    std::size_t largest = options.body_limit;
    for (const auto& [prefix, limit] : options.large_bodies) largest = std::max(largest, limit);
    parser.body_limit(largest);
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    stream.expires_after(options.idle_timeout);
    beast::error_code ec = run_one(ctx, [&](auto done) { bhttp::async_read_header(stream, buffer, parser, done); });
    std::size_t allowed = options.body_limit;
    std::optional<std::size_t> announced;  // the Content-Length the client gave
    if (!ec || ec == bhttp::error::body_limit) {
      // (Beast refuses a Content-Length over the largest limit while reading
      // the head, before it counts the head as done: read the field itself.)
      const auto field = parser.get()[bhttp::field::content_length];
      std::size_t length = 0;
      if (std::from_chars(field.data(), field.data() + field.size(), length).ec == std::errc()) announced = length;
      const auto target_view = parser.get().target();
      const std::string_view target(target_view.data(), target_view.size());
      for (const auto& [prefix, limit] : options.large_bodies) {
        if (target.starts_with(prefix)) allowed = std::max(allowed, limit);
      }
    }
    if (!ec) {
      const auto length = parser.content_length();
      if (length && *length > allowed) {
        ec = bhttp::error::body_limit;
      } else {
        parser.body_limit(allowed);  // chunked bodies are counted as they come
      }
    }
    std::optional<Response> early;
    if (!ec && !parser.is_done() && options.check_head && !draining) {
      Request head = to_request(parser.get());
      early = options.check_head(head);
    }
    if (!ec && !early && beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
      // The client waits for a go-ahead before sending the body (curl does
      // for large bodies); without it, it stalls for a second.
      bhttp::response<bhttp::empty_body> go{bhttp::status::continue_, parser.get().version()};
      ec = run_one(ctx, [&](auto done) { bhttp::async_write(stream, go, done); });
    }
    if (!ec && !early && !parser.is_done()) {
      ec = run_one(ctx, [&](auto done) { bhttp::async_read(stream, buffer, parser, done); });
    }
    const auto started = std::chrono::steady_clock::now();

    Response res;
    bool keep_alive = true;
    unsigned version = 11;
    std::string method = "-", path = "-";
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
      return;
    } else if (ec == bhttp::error::body_limit) {
      res = plain_error(413, "payload_too_large", "the request body is over " + std::to_string(allowed) + " bytes");
      keep_alive = false;
    } else if (ec == bhttp::error::header_limit) {
      res = plain_error(431, "headers_too_large", "the request headers are too large");
      keep_alive = false;
    } else if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
      res = plain_error(400, "malformed_request", "malformed HTTP request: " + ec.message());
      keep_alive = false;
    } else if (ec) {
      return;  // the connection failed; nothing to answer
    } else if (early) {
      res = std::move(*early);  // refused on its head: the body is not read
      keep_alive = false;
      method = std::string(parser.get().method_string());
      version = parser.get().version();
    } else {
      const auto& req = parser.get();
      version = req.version();
      keep_alive = req.keep_alive() && !draining;
      Request r = to_request(req);
      beast::error_code peer_ec;
      const auto peer = stream.socket().remote_endpoint(peer_ec);
      if (!peer_ec) r.remote = peer.address().to_string();
      method = r.method;
      path = r.path;
      if (draining) {
        res = plain_error(503, "shutting_down", "this server is shutting down; retry");
      } else {
        res = handler(r);
      }
    }

    if (res.stream) {
      stream_response(ctx, stream, res, version);
      spdlog::info("{} {} {} stream ended", method, path, res.status);
      return;
    }
    auto out = to_beast(res, version, keep_alive);
    stream.expires_after(options.idle_timeout);
    if (method == "HEAD") {
      // The head a GET would get, Content-Length included, without the body.
      bhttp::response_serializer<bhttp::string_body> head{out};
      ec = run_one(ctx, [&](auto done) { bhttp::async_write_header(stream, head, done); });
    } else {
      ec = run_one(ctx, [&](auto done) { bhttp::async_write(stream, out, done); });
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    spdlog::info("{} {} {} {:.2f}ms", method, path, res.status, ms);
    if (ec) return;
    if (!keep_alive) {
      // Lingering close: the client may still be sending (a body over the
      // limit); stop reading requests but drain a bounded amount for a
      // moment, so that it reads our answer instead of a reset.
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      // Up to what the client announced, if that is not far past the limit
      // (so that a client sending a body just over it reads the 413 rather
      // than a reset), else 16 MiB; a few seconds at most.
      std::size_t drain_limit = 16u << 20;
      if (announced && *announced <= 2 * allowed + (1u << 20)) drain_limit = std::max<std::size_t>(drain_limit, *announced);
      stream.expires_after(std::chrono::seconds(drain_limit > (16u << 20) ? 10 : 2));
      std::size_t drained = 0;
      while (drained < drain_limit) {
        buffer.clear();
        std::size_t n = 0;
        ec = run_one(ctx, [&](auto done) {
          stream.async_read_some(buffer.prepare(64 << 10), [&n, done](beast::error_code e, std::size_t k) mutable {
            n = k;
            done(e, k);
          });
        });
        if (ec || n == 0) break;
        drained += n;
      }
      return;
    }
  }
}

// A streamed body: the head without a length (the body ends when the
// connection closes), then whatever the producer writes, each write with
// its own deadline.
void Server::Impl::stream_response(asio::io_context& ctx, beast::tcp_stream& stream, const Response& res,
                                   unsigned version) {
  bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(res.status), version};
  head.set(bhttp::field::server, "switchboard");
  head.set(bhttp::field::cache_control, "no-cache");
  for (const auto& [name, value] : res.headers) head.set(name, value);
  head.keep_alive(false);
  bhttp::response_serializer<bhttp::empty_body> sr{head};
  stream.expires_after(options.idle_timeout);
  if (run_one(ctx, [&](auto done) { bhttp::async_write_header(stream, sr, done); })) return;
  const StreamWriter write = [&](std::string_view chunk) {
    if (draining) return false;
    stream.expires_after(std::chrono::seconds(10));
    return !run_one(ctx, [&](auto done) { asio::async_write(stream, asio::buffer(chunk.data(), chunk.size()), done); });
  };
  res.stream(write);
}

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

Server::~Server() {
  // Connection threads still running after the shutdown bound hold pointers
  // into Impl; leave it to the process's exit rather than free it under them.
  std::unique_lock lock(impl_->mu);
  if (impl_->active > 0) {
    lock.unlock();
    (void)impl_.release();
  }
}

Status Server::listen() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) return Error::Invalid("listen", "bad listen address '" + impl_->options.address + "'");
  const tcp::endpoint endpoint{address, impl_->options.port};
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error::Unavailable("cannot listen on " + impl_->options.address + ":" +
                              std::to_string(impl_->options.port) + ": " + ec.message());
  }
  port_ = a.local_endpoint().port();
  return Status::Ok();
}

void Server::Impl::wait_signal(Server* server) {
  signals.async_wait([this, server](beast::error_code ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      if (hangup) hangup();
      wait_signal(server);
      return;
    }
    server->stop();
  });
}

void Server::on_hangup(std::function<void()> callback) { impl_->hangup = std::move(callback); }
void Server::on_drain(std::function<void()> callback) { impl_->drain_started = std::move(callback); }
bool Server::draining() const { return impl_->draining; }

void Server::run() {
  Impl& s = *impl_;
  s.wait_signal(this);
  s.accept();
  s.accept_ctx.run();
  // Stopped: no new connections. Wake idle keep-alive readers and give
  // requests in progress a bounded time to finish.
  std::unique_lock lock(s.mu);
  for (int fd : s.sockets) ::shutdown(fd, SHUT_RD);
  s.idle.wait_for(lock, std::chrono::seconds(5), [&] { return s.active == 0; });
}

void Server::stop() {
  Impl& s = *impl_;
  if (s.draining.exchange(true)) return;
  asio::post(s.accept_ctx, [&s] {
    spdlog::info("shutting down: draining for {} ms", s.options.drain.count());
    if (s.drain_started) s.drain_started();
    beast::error_code ec;
    s.signals.cancel(ec);
    s.drain_timer.expires_after(s.options.drain);
    s.drain_timer.async_wait([&s](beast::error_code) {
      s.stopping = true;
      beast::error_code ignored;
      s.acceptor.close(ignored);
    });
  });
}

}  // namespace sb::http
