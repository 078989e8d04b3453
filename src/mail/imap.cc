#include "mail/imap.h"

#include "core/outbound_curl.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <sstream>

namespace sb::mail {
namespace {

std::size_t collect(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// `url` with `request` (a custom command) or a plain fetch when empty.
Result<std::string> perform(const ImapMailbox& box, const std::string& url, const std::string& request) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, void (*)(CURL*)> c(curl_easy_init(), curl_easy_cleanup);
  if (!c) return Error::Unavailable("curl_easy_init failed");
  std::string out;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "imap,imaps");
  curl_easy_setopt(c.get(), CURLOPT_USERNAME, box.username.c_str());
  curl_easy_setopt(c.get(), CURLOPT_PASSWORD, box.password.c_str());
  curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c.get(), CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(c.get(), CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &out);
  if (!request.empty()) curl_easy_setopt(c.get(), CURLOPT_CUSTOMREQUEST, request.c_str());
  OutboundGuard guard;
  guard.install(c.get());
  const CURLcode rc = curl_easy_perform(c.get());
  if (rc != CURLE_OK) return Error::Unavailable(box.name + ": " + guard.error(errbuf[0] ? errbuf : curl_easy_strerror(rc)));
  return out;
}

}  // namespace

Result<std::string> imap_command(const ImapMailbox& box, const std::string& command) {
  return perform(box, box.url, command);
}

Result<std::vector<std::uint64_t>> imap_unprocessed(const ImapMailbox& box) {
  auto answer = imap_command(box, std::string("UID SEARCH UNKEYWORD ") + kDoneKeyword);
  if (!answer) return answer.error();
  std::vector<std::uint64_t> uids;
  std::istringstream lines(*answer);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("* SEARCH")) continue;
    std::istringstream words(line.substr(8));
    for (std::uint64_t uid; words >> uid;) uids.push_back(uid);
  }
  return uids;
}

Result<std::string> imap_fetch(const ImapMailbox& box, std::uint64_t uid) {
  std::string url = box.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return perform(box, url + ";UID=" + std::to_string(uid), "");
}

Status imap_mark_done(const ImapMailbox& box, std::uint64_t uid) {
  auto r = imap_command(box, "UID STORE " + std::to_string(uid) + " +FLAGS (\\Seen " + kDoneKeyword + ")");
  if (!r) return r.error();
  return Status::Ok();
}

ImapPoller::ImapPoller(ImapMailbox box, Ingest ingest) : box_(std::move(box)), ingest_(std::move(ingest)) {}

ImapPoller::~ImapPoller() { stop(); }

void ImapPoller::start() {
  thread_ = std::thread([this] {
    while (!stopping_) {
      if (auto n = poll_once(); !n) spdlog::warn("mailbox {}: {}", box_.name, n.error().message);
      for (auto waited = std::chrono::milliseconds(0); waited < box_.poll && !stopping_;
           waited += std::chrono::milliseconds(50)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  });
}

void ImapPoller::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

Result<int> ImapPoller::poll_once() {
  auto uids = imap_unprocessed(box_);
  if (!uids) return uids.error();
  int taken = 0;
  for (std::uint64_t uid : *uids) {
    if (stopping_) break;
    auto raw = imap_fetch(box_, uid);
    if (!raw) return raw.error();
    if (auto s = ingest_(*raw); !s) {
      spdlog::warn("mailbox {}: message UID {} not taken in: {}", box_.name, uid, s.error().message);
      continue;  // left unflagged: tried again next round
    }
    if (auto s = imap_mark_done(box_, uid); !s) return s.error();
    ++taken;
  }
  return taken;
}

}  // namespace sb::mail
