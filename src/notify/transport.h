#pragma once
// The wire, through libcurl: an HTTP POST for webhooks and an SMTP
// submission for e-mail. Each call is one attempt with a deadline; retries
// are the dispatcher's business.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace sb::notify {

struct SmtpSettings {
  std::string url;       // smtp://host:port or smtps://host:port
  std::string from;      // "Support <support@example.com>"
  std::string username;  // optional
  std::string password;
};

struct HttpReply {
  long status = 0;
  std::string body;
  std::optional<std::chrono::seconds> retry_after;  // the Retry-After header (seconds or a date)
};
// One HTTP request (GET, POST, PUT, ...) through the outbound policy; the
// answer (up to 1 MiB of body), or an error when there was none.
Result<HttpReply> request(const std::string& method, const std::string& url, const std::vector<std::string>& headers,
                          const std::string& body, std::chrono::milliseconds timeout);
// POSTs `body` with `headers` ("Name: value", Content-Type among them) and
// returns the answer; an error when there was none.
Result<HttpReply> post(const std::string& url, const std::vector<std::string>& headers, const std::string& body,
                       std::chrono::milliseconds timeout);

// POSTs `body` (JSON) with extra `headers` ("Name: value"). Returns the HTTP
// status the receiver answered with; an error when there was no answer
// (refused, timed out, TLS failure).
Result<long> post_json(const std::string& url, const std::vector<std::string>& headers, const std::string& body,
                       std::chrono::milliseconds timeout);
// Sends one message to one recipient through the relay. Errors carry the
// server's answer.
Status send_mail(const SmtpSettings& smtp, const std::string& to_address, const std::string& message,
                 std::chrono::milliseconds timeout);
// A URL fit for a webhook: http or https with a host, no credentials in it,
// at most 2,048 characters. The error names `field`.
Status check_webhook_url(const std::string& url, const std::string& field);

}  // namespace sb::notify
