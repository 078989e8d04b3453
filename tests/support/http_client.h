#pragma once
// A small blocking HTTP/1.1 client over one keep-alive connection, for
// end-to-end tests and the load generator.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::testing {

struct HttpResult {
  int status = 0;
  nlohmann::json body;  // null when the body is not JSON
  std::string raw;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(const std::string& name) const;
};

class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port, std::string token = {});
  ~HttpClient();

  HttpResult request(const std::string& method, const std::string& target, const std::string& body = {},
                     const std::vector<std::pair<std::string, std::string>>& headers = {});
  HttpResult get(const std::string& target) { return request("GET", target); }
  HttpResult post(const std::string& target, const nlohmann::json& body) { return request("POST", target, body.dump()); }
  HttpResult patch(const std::string& target, const nlohmann::json& body) { return request("PATCH", target, body.dump()); }
  HttpResult put(const std::string& target, const nlohmann::json& body) { return request("PUT", target, body.dump()); }
  void set_token(std::string token) { token_ = std::move(token); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string host_;
  std::uint16_t port_;
  std::string token_;
};

}  // namespace sb::testing
