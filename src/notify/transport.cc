#include "notify/transport.h"

#include <curl/curl.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "core/outbound_curl.h"
#include "notify/mail.h"

namespace sb::notify {
namespace {

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using List = std::unique_ptr<curl_slist, ListDeleter>;


struct Reader {
  const std::string* text;
  std::size_t pos = 0;
};
std::size_t read_chunk(char* out, std::size_t size, std::size_t n, void* user) {
  auto* r = static_cast<Reader*>(user);
  const std::size_t len = std::min(size * n, r->text->size() - r->pos);
  std::memcpy(out, r->text->data() + r->pos, len);
  r->pos += len;
  return len;
}

void common(CURL* c, const std::string& url, std::chrono::milliseconds timeout, char* errbuf) {
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<std::int64_t>(timeout.count(), 5000)));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
}

}  // namespace

static std::size_t collect(char* data, std::size_t size, std::size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  const std::size_t len = size * n;
  if (out->size() < (1u << 20)) out->append(data, std::min<std::size_t>(len, (1u << 20) - out->size()));
  return len;
}

Result<HttpReply> post(const std::string& url, const std::vector<std::string>& headers, const std::string& body,
                       std::chrono::milliseconds timeout) {
  return request("POST", url, headers, body, timeout);
}

Result<HttpReply> request(const std::string& method, const std::string& url, const std::vector<std::string>& headers,
                          const std::string& body, std::chrono::milliseconds timeout) {
  init_curl();
  Easy c(curl_easy_init());
  if (!c) return Error::Unavailable("curl_easy_init failed");
  char errbuf[CURL_ERROR_SIZE] = {0};
  common(c.get(), url, timeout, errbuf);
  curl_slist* raw = curl_slist_append(nullptr, "Expect:");
  for (const std::string& h : headers) raw = curl_slist_append(raw, h.c_str());
  List list(raw);
  HttpReply reply;
  curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, list.get());
  if (method == "GET") {
    curl_easy_setopt(c.get(), CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    if (method != "POST") curl_easy_setopt(c.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &reply.body);
  OutboundGuard guard;
  guard.install(c.get());
  const CURLcode rc = curl_easy_perform(c.get());
  if (rc != CURLE_OK) return Error::Unavailable(guard.error(errbuf[0] ? errbuf : curl_easy_strerror(rc)));
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &reply.status);
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(c.get(), CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0) {
    reply.retry_after = std::chrono::seconds(retry_after);
  }
  return reply;
}

Result<long> post_json(const std::string& url, const std::vector<std::string>& headers, const std::string& body,
                       std::chrono::milliseconds timeout) {
  std::vector<std::string> all{"Content-Type: application/json"};
  all.insert(all.end(), headers.begin(), headers.end());
  auto reply = post(url, all, body, timeout);
  if (!reply) return reply.error();
  return reply->status;
}

Status send_mail(const SmtpSettings& smtp, const std::string& to_address, const std::string& message,
                 std::chrono::milliseconds timeout) {
  init_curl();
  if (!is_plain_address(to_address)) return Error::Invalid("recipient", "not a plain e-mail address");
  Easy c(curl_easy_init());
  if (!c) return Error::Unavailable("curl_easy_init failed");
  char errbuf[CURL_ERROR_SIZE] = {0};
  common(c.get(), smtp.url, timeout, errbuf);
  curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  const std::string from = "<" + address_of(smtp.from) + ">";
  curl_easy_setopt(c.get(), CURLOPT_MAIL_FROM, from.c_str());
  List rcpt(curl_slist_append(nullptr, ("<" + to_address + ">").c_str()));
  curl_easy_setopt(c.get(), CURLOPT_MAIL_RCPT, rcpt.get());
  if (!smtp.username.empty()) {
    curl_easy_setopt(c.get(), CURLOPT_USERNAME, smtp.username.c_str());
    curl_easy_setopt(c.get(), CURLOPT_PASSWORD, smtp.password.c_str());
  }
  Reader reader{&message};
  curl_easy_setopt(c.get(), CURLOPT_READFUNCTION, read_chunk);
  curl_easy_setopt(c.get(), CURLOPT_READDATA, &reader);
  curl_easy_setopt(c.get(), CURLOPT_UPLOAD, 1L);
  OutboundGuard guard;
  guard.install(c.get());
  const CURLcode rc = curl_easy_perform(c.get());
  if (rc != CURLE_OK) return Error::Unavailable(guard.error(errbuf[0] ? errbuf : curl_easy_strerror(rc)));
  return Status::Ok();
}

Status check_webhook_url(const std::string& url, const std::string& field) {
  init_curl();
  if (url.size() > 2048) return Error::Invalid(field, "the URL is longer than 2048 characters");
  CURLU* u = curl_url();
  const CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0);
  auto part = [&](CURLUPart p) -> std::string {
    char* v = nullptr;
    if (curl_url_get(u, p, &v, 0) != CURLUE_OK || !v) return {};
    std::string s = v;
    curl_free(v);
    return s;
  };
  Status out = Status::Ok();
  if (rc != CURLUE_OK) {
    out = Error::Invalid(field, std::string("not a URL: ") + curl_url_strerror(rc));
  } else if (const std::string scheme = part(CURLUPART_SCHEME); scheme != "http" && scheme != "https") {
    out = Error::Invalid(field, "the URL must be http or https");
  } else if (const auto authority = url.find("://"); authority == std::string::npos ||
             url.find_first_of("/?#", authority + 3) == authority + 3 || part(CURLUPART_HOST).empty()) {
    // (libcurl reads "http:///x" as the host "x"; a URL as written must name its host.)
    out = Error::Invalid(field, "the URL has no host");
  } else if (!part(CURLUPART_USER).empty() || !part(CURLUPART_PASSWORD).empty()) {
    out = Error::Invalid(field, "the URL must not carry credentials");
  } else {
    // Where it leads, as resolved now (and again on every delivery).
    out = check_outbound_host(part(CURLUPART_HOST), field, outbound_policy(), /*unresolved_ok=*/true);
  }
  curl_url_cleanup(u);
  return out;
}

}  // namespace sb::notify
