#include "app/import_cli.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "mail/mail_parser.h"
#include "notify/transport.h"

namespace sb {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The messages under `path`, as (where, raw) pairs.
std::vector<std::pair<std::string, std::string>> collect_messages(const fs::path& path, std::string& error) {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    const bool maildir = fs::is_directory(path / "cur", ec) || fs::is_directory(path / "new", ec);
    for (const fs::path& dir : maildir ? std::vector<fs::path>{path / "cur", path / "new"} : std::vector<fs::path>{path}) {
      if (!fs::is_directory(dir, ec)) continue;
      for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (e.is_regular_file() && (maildir || e.path().extension() == ".eml")) files.push_back(e.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) out.emplace_back(f.string(), read_file(f));
    return out;
  }
  if (!fs::is_regular_file(path, ec)) {
    error = "no such file or directory";
    return out;
  }
  std::string text = read_file(path);
  if (text.starts_with("From ")) {
    int n = 0;
    for (std::string& m : mail::split_mbox(text)) out.emplace_back(path.string() + "#" + std::to_string(++n), std::move(m));
  } else {
    out.emplace_back(path.string(), std::move(text));
  }
  return out;
}

}  // namespace

int run_import_mail(const ImportMailCommand& cmd) {
  std::string token = cmd.token;
  if (token.empty()) {
    if (const char* env = std::getenv("SWITCHBOARD_TOKEN")) token = env;
  }
  if (token.empty()) {
    std::fprintf(stderr, "switchboard import mail: give --token or set SWITCHBOARD_TOKEN (an admin token)\n");
    return 2;
  }
  std::string error;
  const auto messages = collect_messages(cmd.path, error);
  if (!error.empty()) {
    std::fprintf(stderr, "switchboard import mail: %s: %s\n", cmd.path.c_str(), error.c_str());
    return 2;
  }
  std::string mailbox;  // URL-encode the few characters a mailbox name may hold
  for (char c : cmd.mailbox) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') {
      mailbox += c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      mailbox += buf;
    }
  }
  const std::string url = cmd.url + "/api/v1/mail?mailbox=" + mailbox;
  std::map<std::string, int> outcomes;
  int failed = 0;
  std::size_t done = 0;
  for (const auto& [where, raw] : messages) {
    auto reply = notify::post(url, {"Authorization: Bearer " + token, "Content-Type: message/rfc822"}, raw,
                              std::chrono::seconds(60));
    ++done;
    if (!reply) {
      std::fprintf(stderr, "\nswitchboard import mail: %s: %s\n", where.c_str(), reply.error().message.c_str());
      return 1;  // the server is not there: stop (a re-run resumes safely)
    }
    const auto body = nlohmann::json::parse(reply->body, nullptr, false);
    if (reply->status == 200 || reply->status == 201) {
      ++outcomes[body.is_object() ? body.value("outcome", "?") : "?"];
    } else {
      ++failed;
      const std::string message = body.is_object() && body.contains("error") ? body["error"].value("message", "") : reply->body;
      std::fprintf(stderr, "\n%s: HTTP %ld: %s\n", where.c_str(), reply->status, message.c_str());
      if (reply->status == 401 || reply->status == 403) return 1;
    }
    if (!cmd.quiet) std::fprintf(stderr, "\rimport mail: %zu/%zu messages", done, messages.size());
  }
  if (!cmd.quiet) std::fprintf(stderr, "\n");
  std::printf("%zu messages: %d created, %d threaded, %d follow-up, %d bounces, %d already imported, %d failed\n",
              messages.size(), outcomes["created"], outcomes["threaded"], outcomes["follow_up"], outcomes["bounce"],
              outcomes["duplicate"], failed);
  return failed > 0 ? 1 : 0;
}

}  // namespace sb
