#include "app/import_cli.h"

#include "core/outbound.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "mail/mail_parser.h"
#include "notify/signature.h"
#include "triage/csv.h"
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

std::string token_or_env(const std::string& given) {
  if (!given.empty()) return given;
  const char* env = std::getenv("SWITCHBOARD_TOKEN");
  return env ? env : "";
}

std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

namespace {
// The import commands connect where the operator points them (the server,
// often on this machine): the outbound policy guards the server's own
// connections on others' behalf, not these.
void allow_any_server() { set_outbound_policy(OutboundPolicy{true, true, true}); }
}  // namespace

int run_connect_check(const ConnectCheckCommand& cmd) {
  allow_any_server();
  const std::string token = token_or_env(cmd.token);
  if (token.empty()) {
    std::fprintf(stderr, "switchboard connect check: give --token or set SWITCHBOARD_TOKEN (an admin token)\n");
    return 2;
  }
  auto reply = notify::request("POST", cmd.url + "/api/v1/connectors/" + cmd.name + "/check",
                               {"Authorization: Bearer " + token}, "", std::chrono::seconds(60));
  if (!reply) {
    std::fprintf(stderr, "switchboard connect check: cannot reach %s: %s\n", cmd.url.c_str(), reply.error().message.c_str());
    return 1;
  }
  const nlohmann::json body = nlohmann::json::parse(reply->body, nullptr, false);
  if (reply->status == 404) {
    std::fprintf(stderr, "switchboard connect check: the server has no connector '%s' (see connectors: in its config)\n",
                 cmd.name.c_str());
    return 1;
  }
  if (reply->status != 200 || !body.is_object()) {
    std::fprintf(stderr, "switchboard connect check: the server answered HTTP %ld: %s\n", reply->status, reply->body.c_str());
    return 1;
  }
  for (const auto& f : body.value("facts", nlohmann::json::array())) std::printf("  %s\n", f.get<std::string>().c_str());
  for (const auto& w : body.value("warnings", nlohmann::json::array())) std::printf("warning: %s\n", w.get<std::string>().c_str());
  for (const auto& e : body.value("errors", nlohmann::json::array())) std::fprintf(stderr, "error: %s\n", e.get<std::string>().c_str());
  const bool ok = body.value("ok", false);
  std::printf("connector %s: %s\n", cmd.name.c_str(), ok ? "ok" : "cannot work (see the errors)");
  return ok ? 0 : 1;
}

int run_import_csv(const ImportCsvCommand& cmd) {
  allow_any_server();
  const std::string token = token_or_env(cmd.token);
  if (token.empty()) {
    std::fprintf(stderr, "switchboard import csv: give --token or set SWITCHBOARD_TOKEN (an admin token)\n");
    return 2;
  }
  auto table = triage::read_csv(cmd.path);
  if (!table) {
    std::fprintf(stderr, "switchboard import csv: %s\n", table.error().message.c_str());
    return 2;
  }
  static const std::set<std::string> kTargets{"subject",  "body",     "requester_email", "requester_name", "priority",
                                              "channel",  "team",     "category",        "tags",           "external_id",
                                              "urgency",  "impact",   "created_at",      "status",         "assignee_id"};
  std::vector<std::pair<std::string, std::size_t>> mapping;  // target -> column index
  std::stringstream pairs(cmd.map);
  for (std::string pair; std::getline(pairs, pair, ',');) {
    const auto eq = pair.find('=');
    const std::string target = pair.substr(0, eq);
    if (eq == std::string::npos || !kTargets.count(target)) {
      std::fprintf(stderr, "switchboard import csv: --map: '%s' is not target=column (targets: subject, body, "
                           "requester_email, requester_name, priority, channel, team, category, tags, external_id, "
                           "urgency, impact; with --history: created_at, status, assignee_id)\n", pair.c_str());
      return 2;
    }
    auto col = table->column(pair.substr(eq + 1), "--map");
    if (!col) {
      std::fprintf(stderr, "switchboard import csv: --map: %s\n", col.error().message.c_str());
      return 2;
    }
    mapping.emplace_back(target, *col);
  }
  if (std::none_of(mapping.begin(), mapping.end(), [](const auto& m) { return m.first == "subject"; })) {
    std::fprintf(stderr, "switchboard import csv: --map must give the subject (e.g. subject=title)\n");
    return 2;
  }
  const std::string reject_path = cmd.reject.empty() ? cmd.path + ".rejects.csv" : cmd.reject;
  std::ofstream rejects;
  bool has_created_at = false;
  for (const auto& entry : mapping) {
    const bool past = entry.first == "created_at" || entry.first == "status" || entry.first == "assignee_id";
    if (past && !cmd.history) {
      std::fprintf(stderr, "switchboard import csv: --map %s= needs --history (rows that are past tickets)\n",
                   entry.first.c_str());
      return 2;
    }
    has_created_at = has_created_at || entry.first == "created_at";
  }
  if (cmd.history && !has_created_at) {
    std::fprintf(stderr, "switchboard import csv: --history needs --map created_at=COLUMN\n");
    return 2;
  }
  int created = 0, already = 0, rejected = 0;
  const std::size_t total = table->rows.size();
  for (std::size_t i = 0; i < total; ++i) {
    const auto& row = table->rows[i];
    nlohmann::json ticket{{"channel", "api"}};
    std::string joined;
    for (const auto& cell : row) joined += cell + "\x1f";
    ticket["external_id"] = "csv:" + notify::hmac_sha256_hex("switchboard import", joined).substr(0, 32);
    for (const auto& [target, col] : mapping) {
      const std::string& v = row[col];
      if (target == "requester_email" || target == "requester_name") {
        ticket["requester"][target == "requester_email" ? "email" : "name"] = v;
      } else if (target == "tags") {
        nlohmann::json tags = nlohmann::json::array();
        std::stringstream list(v);
        for (std::string tag; std::getline(list, tag, ';');) {
          if (!tag.empty()) tags.push_back(tag);
        }
        ticket["tags"] = std::move(tags);
      } else if (target == "created_at" || target == "status" || target == "assignee_id") {
        if (v.empty()) continue;
        if (target == "assignee_id") {
          char* end = nullptr;
          const long long id = std::strtoll(v.c_str(), &end, 10);
          ticket["history"][target] = end && *end == '\0' && id > 0 ? nlohmann::json(id) : nlohmann::json(v);
        } else {
          ticket["history"][target] = v;
        }
      } else if (!v.empty() || target == "subject") {
        ticket[target] = v;
      }
    }
    if (cmd.history && !ticket.contains("history")) ticket["history"] = nlohmann::json::object();
    auto reply = notify::post(cmd.url + "/api/v1/tickets",
                              {"Authorization: Bearer " + token, "Content-Type: application/json"}, ticket.dump(),
                              std::chrono::seconds(30));
    if (!reply) {
      std::fprintf(stderr, "\nswitchboard import csv: %s (row %zu); re-run to resume\n", reply.error().message.c_str(), i + 2);
      return 1;
    }
    const auto body = nlohmann::json::parse(reply->body, nullptr, false);
    const std::string code = body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
    if (reply->status == 201) {
      ++created;
    } else if (code == "duplicate_external_id") {
      ++already;
    } else if (reply->status == 401 || reply->status == 403 || reply->status >= 500) {
      std::fprintf(stderr, "\nswitchboard import csv: HTTP %ld: %s\n", reply->status, reply->body.c_str());
      return 1;
    } else {
      if (!rejects.is_open()) {
        rejects.open(reject_path);
        for (const auto& h : table->header) rejects << csv_field(h) << ',';
        rejects << "reason\n";
      }
      for (const auto& cell : row) rejects << csv_field(cell) << ',';
      const std::string reason = body.is_object() && body.contains("error") ? body["error"].value("message", "") : reply->body;
      rejects << csv_field("line " + std::to_string(i + 2) + ": " + reason) << '\n';
      ++rejected;
    }
    if (!cmd.quiet && (i % 50 == 0 || i + 1 == total)) {
      std::fprintf(stderr, "\rimport csv: %zu/%zu rows", i + 1, total);
    }
  }
  if (!cmd.quiet) std::fprintf(stderr, "\n");
  std::printf("%zu rows: %d created, %d already imported, %d rejected%s\n", total, created, already, rejected,
              rejected ? (" (see " + reject_path + ")").c_str() : "");
  return rejected > 0 ? 1 : 0;
}

int run_import_customers(const ImportCustomersCommand& cmd) {
  allow_any_server();
  const char* me = "switchboard import customers";
  const std::string token = token_or_env(cmd.token);
  if (token.empty()) {
    std::fprintf(stderr, "%s: give --token or set SWITCHBOARD_TOKEN (an admin token)\n", me);
    return 2;
  }
  auto table = triage::read_csv(cmd.path);
  if (!table) {
    std::fprintf(stderr, "%s: %s\n", me, table.error().message.c_str());
    return 2;
  }
  static const std::set<std::string> kFields{"external_id", "name", "organization", "tier", "language", "time_zone"};
  bool has_key = false;
  for (const std::string& h : table->header) has_key = has_key || h == "email" || h == "emails" || h == "external_id";
  if (!has_key) {
    std::fprintf(stderr, "%s: %s: the header needs an email or external_id column\n", me, cmd.path.c_str());
    return 2;
  }
  const std::string reject_path = cmd.reject.empty() ? cmd.path + ".rejects.csv" : cmd.reject;
  std::ofstream rejects;
  std::map<std::string, int> counts;
  const std::size_t total = table->rows.size();
  const auto started = std::chrono::steady_clock::now();
  constexpr std::size_t kBatch = 500;
  for (std::size_t first = 0; first < total; first += kBatch) {
    const std::size_t last = std::min(total, first + kBatch);
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t i = first; i < last; ++i) {
      nlohmann::json row{{"attributes", nlohmann::json::object()}};
      for (std::size_t c = 0; c < table->header.size() && c < table->rows[i].size(); ++c) {
        const std::string& h = table->header[c];
        const std::string& v = table->rows[i][c];
        if (v.empty()) continue;
        if (h == "email" || h == "emails") {
          nlohmann::json emails = nlohmann::json::array();
          std::stringstream list(v);
          for (std::string e; std::getline(list, e, ';');) {
            if (!e.empty()) emails.push_back(e);
          }
          row["emails"] = std::move(emails);
        } else if (kFields.count(h)) {
          row[h] = v;
        } else {
          row["attributes"][h] = v;  // read as its declared type by the server
        }
      }
      rows.push_back(std::move(row));
    }
    auto reply = notify::post(cmd.url + "/api/v1/customers/import",
                              {"Authorization: Bearer " + token, "Content-Type: application/json"},
                              nlohmann::json{{"rows", rows}}.dump(), std::chrono::seconds(120));
    if (!reply) {
      std::fprintf(stderr, "\n%s: %s (rows from line %zu); re-run to resume\n", me, reply.error().message.c_str(), first + 2);
      return 1;
    }
    const auto body = nlohmann::json::parse(reply->body, nullptr, false);
    if (reply->status != 200 || !body.is_object() || !body.contains("results")) {
      std::fprintf(stderr, "\n%s: HTTP %ld: %s (rows from line %zu)\n", me, reply->status, reply->body.c_str(), first + 2);
      return 1;
    }
    const auto& results = body["results"];
    for (std::size_t k = 0; k < results.size() && first + k < last; ++k) {
      const std::string outcome = results[k].value("outcome", "rejected");
      ++counts[outcome];
      if (outcome != "rejected") continue;
      if (!rejects.is_open()) {
        rejects.open(reject_path);
        for (const auto& h : table->header) rejects << csv_field(h) << ',';
        rejects << "reason\n";
      }
      for (const auto& cell : table->rows[first + k]) rejects << csv_field(cell) << ',';
      const auto& e = results[k]["error"];
      rejects << csv_field("line " + std::to_string(first + k + 2) + ": " + e.value("field", "") + ": " +
                           e.value("message", ""))
              << '\n';
    }
    if (!cmd.quiet) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "\rimport customers: %zu/%zu rows (%.0f rows/s)", last, total, s > 0 ? last / s : 0.0);
    }
  }
  if (!cmd.quiet) std::fprintf(stderr, "\n");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%zu rows in %.1f s: %d created, %d updated, %d unchanged, %d rejected%s\n", total, seconds,
              counts["created"], counts["updated"], counts["unchanged"], counts["rejected"],
              counts["rejected"] ? (" (see " + reject_path + ")").c_str() : "");
  return counts["rejected"] > 0 ? 1 : 0;
}

int run_import_mail(const ImportMailCommand& cmd) {
  allow_any_server();
  const std::string token = token_or_env(cmd.token);
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
