#include "tests/support/http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace sb::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

struct HttpClient::Impl {
  asio::io_context ctx;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  bool connected = false;
};

std::string HttpResult::header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (beast::iequals(k, name)) return v;
  }
  return {};
}

HttpClient::HttpClient(std::string host, std::uint16_t port, std::string token)
    : impl_(std::make_unique<Impl>()), host_(std::move(host)), port_(port), token_(std::move(token)) {}

HttpClient::~HttpClient() = default;

HttpResult HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                               const std::vector<std::pair<std::string, std::string>>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    beast::error_code ec;
    const bool reused = impl_->connected;
    if (!impl_->connected) {
      impl_->stream.emplace(impl_->ctx);
      impl_->buffer.clear();
      impl_->stream->connect(asio::ip::tcp::endpoint(asio::ip::make_address(host_), port_), ec);
      if (ec) return HttpResult{0, nullptr, ec.message(), {}};
      impl_->connected = true;
    }
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, host_);
    if (!token_.empty()) req.set(bhttp::field::authorization, "Bearer " + token_);
    if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
    for (const auto& [k, v] : headers) req.set(k, v);  // may replace the content type
    req.body() = body;
    req.prepare_payload();
    bhttp::write(*impl_->stream, req, ec);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 << 20);
    // Read even after a failed write: a server may answer (413) and close
    // before taking the whole body.
    beast::error_code read_ec;
    bhttp::read(*impl_->stream, impl_->buffer, parser, read_ec);
    if (!read_ec) ec = {};
    else if (!ec) ec = read_ec;
    if (ec) {
      // The server may have closed a kept-alive connection: reconnect once.
      impl_->connected = false;
      beast::error_code ignored;
      impl_->stream->socket().close(ignored);
      // Retry only a kept-alive connection the server had closed; a fresh
      // connection's failure is reported, so a test never sends twice.
      if (attempt == 0 && reused) continue;
      return HttpResult{0, nullptr, ec.message(), {}};
    }
    const auto& res = parser.get();
    HttpResult out;
    out.status = res.result_int();
    out.raw = res.body();
    out.body = nlohmann::json::parse(out.raw, nullptr, false);
    if (out.body.is_discarded()) out.body = nullptr;
    for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    if (!res.keep_alive()) {
      impl_->connected = false;
      beast::error_code ignored;
      impl_->stream->socket().close(ignored);
    }
    return out;
  }
  return {};
}

}  // namespace sb::testing
