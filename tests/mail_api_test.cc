// E-mail intake against the real binary: one ticket per request (Message-ID
// dedupe per mailbox), threading on our own Message-IDs, received ones and
// "[#123]" tokens (never a wrong merge), loop prevention, bounces, follow-ups
// to closed tickets, malformed mail, and `switchboard import mail` run twice.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/command.h"
#include "tests/support/eventually.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
const std::string kAdmin = "mail-admin-token-0123456789";

std::string mail(const std::string& from, const std::string& subject, const std::string& id,
                 const std::string& extra_headers = "", const std::string& body = "Hello, it is broken.") {
  return "From: " + from + "\r\nTo: help@acme.example\r\nSubject: " + subject + "\r\nMessage-ID: <" + id + ">\r\n" +
         extra_headers + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n";
}

class Mail : public ::testing::Test {
 protected:
  void SetUp() override {
    sink = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/python3", SUPPORT_DIR "/smtp_sink.py", (dir.path() / "maildir").string()},
        (dir.path() / "smtp.log").string());
    ASSERT_TRUE(sink->start());
    const std::string config = (dir.path() / "config.yaml").string();
    std::ofstream(config) << "teams: [Support]\noutbound: {allow_loopback: true}\nnotifications:\n  smtp: {url: \"smtp://127.0.0.1:" << sink->port()
                          << "\", from: \"Acme <help@acme.example>\"}\n"
                             "  delivery: {retry_base_seconds: 0.2, max_attempts: 5}\n";
    server = std::make_unique<ServerProcess>(SWITCHBOARD_BINARY, dir.path().string(), kAdmin,
                                             std::vector<std::string>{"--config", config});
    ASSERT_TRUE(server->start()) << server->log_path();
    admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
  }
  HttpResult post(const std::string& raw, const std::string& mailbox = "support") {
    return admin->request("POST", "/api/v1/mail?mailbox=" + mailbox, raw, {{"Content-Type", "message/rfc822"}});
  }
  json ticket(std::int64_t id) { return admin->get("/api/v1/tickets/" + std::to_string(id)).body; }
  std::size_t ticket_count() { return admin->get("/api/v1/tickets?limit=100").body["tickets"].size(); }
  json mail_deliveries() {
    json out = json::array();
    const json all = admin->get("/api/v1/deliveries?limit=500").body["deliveries"];
    for (const json& d : all) {
      if (d["kind"] == "email") out.push_back(d);
    }
    return out;
  }

  TempDir dir{"sb_mail"};
  std::unique_ptr<ChildProcess> sink;
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> admin;
};

TEST_F(Mail, OneTicketPerRequestThreadedOnReplies) {
  auto first = post(mail("Ann Example <Ann@Example.com>", "Printer on fire", "m1@example.com"));
  ASSERT_EQ(first.status, 201) << first.raw;
  EXPECT_EQ(first.body["outcome"], "created");
  const std::int64_t id = first.body["ticket_id"];
  json t = ticket(id);
  EXPECT_EQ(t["channel"], "email");
  EXPECT_EQ(t["subject"], "Printer on fire");
  EXPECT_EQ(t["body"], "Hello, it is broken.");
  EXPECT_EQ(t["requester"]["email"], "ann@example.com");
  EXPECT_EQ(t["requester"]["name"], "Ann Example");

  // Redelivered (the same mailbox): nothing new. Another mailbox is another request.
  auto again = post(mail("ann@example.com", "Printer on fire", "m1@example.com"));
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body["outcome"], "duplicate");
  EXPECT_EQ(again.body["ticket_id"], id);
  EXPECT_EQ(ticket_count(), 1u);

  // A reply to her own message threads; so does a reply to our confirmation.
  auto reply = post(mail("ann@example.com", "Re: Printer on fire", "m2@example.com", "In-Reply-To: <m1@example.com>\r\n",
                         "Still burning."));
  EXPECT_EQ(reply.body["outcome"], "threaded");
  EXPECT_EQ(reply.body["ticket_id"], id);
  json confirmation;
  ASSERT_TRUE(eventually([&] {
    for (const json& d : mail_deliveries()) {
      if (d["state"] == "delivered") confirmation = d;
    }
    return !confirmation.is_null();
  }));
  const std::string ours = confirmation["message_id"];  // "<sb.t1....@acme.example>"
  auto to_ours = post(mail("ann@example.com", "Re: [#1] We have your request", "m3@example.com",
                           "In-Reply-To: " + ours + "\r\nReferences: <m1@example.com> " + ours + "\r\n", "Thanks"));
  EXPECT_EQ(to_ours.body["outcome"], "threaded");
  t = ticket(id);
  ASSERT_EQ(t["comments"].size(), 2u);
  EXPECT_EQ(t["comments"][0]["body"], "Still burning.");
  EXPECT_EQ(t["comments"][0]["kind"], "customer");
  EXPECT_EQ(t["comments"][1]["message_id"], "m3@example.com");

  // An agent's public reply goes to the customer by mail; her answer to it threads.
  auto agent = admin->post("/api/v1/agents", {{"name", "Bo Agent"}, {"teams", {"Support"}}});
  ASSERT_EQ(agent.status, 201) << agent.raw;
  auto reply_by_agent = admin->post("/api/v1/tickets/" + std::to_string(id) + "/comments",
                                    {{"body", "Please unplug it."}, {"author", {{"type", "agent"}, {"agent_id", agent.body["id"]}}}});
  ASSERT_EQ(reply_by_agent.status, 201) << reply_by_agent.raw;
  json reply_mail;
  ASSERT_TRUE(eventually([&] {
    for (const json& d : mail_deliveries()) {
      if (d["event_sequence"].get<int>() > confirmation["event_sequence"].get<int>() && d["state"] == "delivered") {
        reply_mail = d;
      }
    }
    return !reply_mail.is_null();
  })) << mail_deliveries().dump();
  auto answer = post(mail("ann@example.com", "Re: Re: [#1] Printer on fire", "m3b@example.com",
                          "In-Reply-To: " + reply_mail["message_id"].get<std::string>() + "\r\n", "Unplugged."));
  EXPECT_EQ(answer.body["outcome"], "threaded");
  EXPECT_EQ(answer.body["ticket_id"], id);

  // "[#id]" in the subject threads only from the ticket's requester: never a wrong merge.
  const std::string token = "Re: [#" + std::to_string(id) + "] more";
  EXPECT_EQ(post(mail("ann@example.com", token, "m4@example.com")).body["outcome"], "threaded");
  auto stranger = post(mail("eve@example.net", token, "m5@example.com"));
  EXPECT_EQ(stranger.body["outcome"], "created");
  EXPECT_NE(stranger.body["ticket_id"], id);
  auto unknown = post(mail("ann@example.com", "Re: something", "m6@example.com", "In-Reply-To: <nobody@nowhere>\r\n"));
  EXPECT_EQ(unknown.body["outcome"], "created");

  // A message on a solved ticket reopens it; on a closed one, it opens a follow-up.
  ASSERT_EQ(admin->patch("/api/v1/tickets/" + std::to_string(id), {{"status", "solved"}}).status, 200);
  EXPECT_EQ(post(mail("ann@example.com", "Re: x", "m7@example.com", "In-Reply-To: <m1@example.com>\r\n")).body["outcome"],
            "threaded");
  EXPECT_EQ(ticket(id)["status"], "open");
  ASSERT_EQ(admin->patch("/api/v1/tickets/" + std::to_string(id), {{"status", "solved"}}).status, 200);
  ASSERT_EQ(admin->patch("/api/v1/tickets/" + std::to_string(id), {{"status", "closed"}}).status, 200);
  auto follow = post(mail("ann@example.com", "Re: x", "m8@example.com", "In-Reply-To: <m1@example.com>\r\n"));
  EXPECT_EQ(follow.body["outcome"], "follow_up");
  EXPECT_EQ(ticket(follow.body["ticket_id"])["tags"][0], "follow_up_of_" + std::to_string(id));
}

TEST_F(Mail, AutomaticMailIsNeverAnsweredAndBouncesAreOnlyRecorded) {
  auto ooo = post(mail("bob@example.com", "Out of office", "a1@example.com", "Auto-Submitted: auto-replied\r\n"));
  ASSERT_EQ(ooo.status, 201);
  const std::int64_t auto_id = ooo.body["ticket_id"];
  EXPECT_EQ(ticket(auto_id)["tags"][0], "auto_submitted");
  auto person = post(mail("cy@example.com", "Question", "a2@example.com"));
  const std::int64_t person_id = person.body["ticket_id"];
  auto list = post(mail("list@example.com", "Newsletter", "a3@example.com", "Precedence: list\r\n"));
  EXPECT_EQ(list.body["outcome"], "created");
  // Only the person gets a confirmation.
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  json mails = mail_deliveries();
  ASSERT_EQ(mails.size(), 1u) << mails.dump();
  EXPECT_EQ(mails[0]["recipient"], "cy@example.com");

  // A bounce of our confirmation: a note on that ticket, no new ticket, no answer.
  const std::size_t before = ticket_count();
  const std::string ours = mails[0]["message_id"];
  auto bounce = post(mail("MAILER-DAEMON@mx.example.com", "Undelivered Mail Returned to Sender", "b1@mx.example.com",
                          "In-Reply-To: " + ours + "\r\n", "550 5.1.1 user unknown"));
  EXPECT_EQ(bounce.body["outcome"], "bounce");
  EXPECT_EQ(bounce.body["ticket_id"], person_id);
  EXPECT_EQ(ticket_count(), before);
  json notes = ticket(person_id)["comments"];
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0]["kind"], "note");
  auto stray = post(mail("postmaster@mx.example.com", "Undeliverable", "b2@mx.example.com"));
  EXPECT_EQ(stray.body["outcome"], "bounce");
  EXPECT_TRUE(stray.body["ticket_id"].is_null());
  EXPECT_EQ(ticket_count(), before);
  EXPECT_EQ(mail_deliveries().size(), 1u);
}

TEST_F(Mail, MalformedMailStillBecomesATicketAndBadRequestsAreRefused) {
  auto broken = post("this is not\r\n\r\nreally an e-mail \x01\x02");
  ASSERT_EQ(broken.status, 201) << broken.raw;
  EXPECT_FALSE(broken.body["problems"].empty());
  EXPECT_EQ(post(std::string()).status, 400);
  HttpClient anonymous("127.0.0.1", server->port());
  EXPECT_EQ(anonymous.request("POST", "/api/v1/mail", mail("a@b.c", "x", "z@b.c")).status, 401);
  // A message with attachments over the general 1 MiB body limit is still taken.
  const std::string big = mail("dee@example.com", "Logs", "big@example.com", "", std::string(3u << 20, 'x'));
  EXPECT_EQ(post(big).status, 201);
}

// The first e-mail of a ticket keeps its attachments (issue 20, point 10):
// it is the first message of the conversation when it has any.
TEST_F(Mail, TheFirstMailsAttachmentsStayWithTheTicket) {
  const std::string raw =
      "From: Dee <dee@example.com>\r\nSubject: Invoice wrong\r\nMessage-ID: <att1@example.com>\r\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the PDF.\r\n"
      "--b\r\nContent-Type: application/pdf; name=invoice.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "JVBERi0=\r\n--b--\r\n";
  auto r = post(raw);
  ASSERT_EQ(r.status, 201) << r.raw;
  const json t = ticket(r.body["ticket_id"].get<std::int64_t>());
  ASSERT_EQ(t["comments"].size(), 1u) << t.dump();
  EXPECT_EQ(t["comments"][0]["attachments"][0]["name"], "invoice.pdf");
  EXPECT_EQ(t["comments"][0]["author"]["email"], "dee@example.com") << t["comments"][0].dump();
  // A first e-mail without attachments is the ticket alone, as before.
  auto plain = post(mail("eve@example.com", "No files", "plain1@example.com"));
  ASSERT_EQ(plain.status, 201) << plain.raw;
  EXPECT_TRUE(ticket(plain.body["ticket_id"].get<std::int64_t>())["comments"].empty());
}

TEST_F(Mail, ImportRunTwiceCreatesNothingTwice) {
  const fs::path maildir = dir.path() / "Maildir";
  fs::create_directories(maildir / "cur");
  fs::create_directories(maildir / "new");
  fs::create_directories(maildir / "tmp");
  std::ofstream(maildir / "cur" / "1.host:2,S") << mail("a@example.com", "One", "i1@example.com");
  std::ofstream(maildir / "new" / "2.host") << mail("b@example.com", "Two", "i2@example.com");
  const fs::path mbox = dir.path() / "archive.mbox";
  std::ofstream(mbox) << "From a@example.com Mon Nov 23 10:00:00 2026\n"
                      << mail("c@example.com", "Three", "i3@example.com") << "\nFrom b@example.com Mon Nov 23 11:00:00 2026\n"
                      << mail("a@example.com", "Re: One", "i4@example.com", "In-Reply-To: <i1@example.com>\r\n");
  auto import = [&](const fs::path& p) {
    auto r = run_command(std::string(SWITCHBOARD_BINARY) + " import mail " + p.string() + " --url http://127.0.0.1:" +
                         std::to_string(server->port()) + " --token " + kAdmin + " --mailbox archive 2>&1");
    return std::pair{r.exit_code, r.output};
  };
  auto [code, out] = import(maildir);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("2 messages: 2 created"), std::string::npos) << out;
  std::tie(code, out) = import(mbox);
  EXPECT_NE(out.find("2 messages: 1 created, 1 threaded"), std::string::npos) << out;
  std::tie(code, out) = import(maildir);
  EXPECT_NE(out.find("2 messages: 0 created, 0 threaded, 0 follow-up, 0 bounces, 2 already imported"), std::string::npos)
      << out;
  EXPECT_EQ(ticket_count(), 3u);
  std::tie(code, out) = import(dir.path() / "missing");
  EXPECT_EQ(code, 2);
}

TEST_F(Mail, CsvImportRejectsBadRowsAndCreatesNothingTwice) {
  // The first 40 real help-desk tickets, plus rows the server must refuse.
  const fs::path csv = dir.path() / "tickets.csv";
  int untitled = 0;  // real tickets with an empty title: the server refuses them too
  {
    std::ifstream in(SHARED_DATA_DIR "/tickets_test.csv");
    std::ofstream out(csv);
    std::string line;
    for (int i = 0; i < 41 && std::getline(in, line); ++i) {
      if (i > 0 && line.starts_with(",")) ++untitled;
      out << line << "\n";
    }
    out << "\"Printer, 2nd floor\",\"jams \"\"again\"\"\",1,1,1,1,1,1,1\n";  // quoted fields
    out << ",no title at all,1,1,1,1,1,1,1\n";                              // no subject: refused
  }
  auto run = [&](const std::string& args) {
    auto r = run_command(std::string(SWITCHBOARD_BINARY) + " import csv " + csv.string() + " --url http://127.0.0.1:" +
                         std::to_string(server->port()) + " --token " + kAdmin + " " + args + " 2>&1");
    return std::pair{r.exit_code, r.output};
  };
  auto [code, out] = run("--map subject=title,body=body,category=category --quiet");
  EXPECT_EQ(code, 1) << out;  // a row was rejected
  const int good = 41 - untitled, bad = 1 + untitled;
  EXPECT_NE(out.find("42 rows: " + std::to_string(good) + " created, 0 already imported, " + std::to_string(bad) +
                     " rejected"),
            std::string::npos)
      << out;
  std::ifstream rejects(csv.string() + ".rejects.csv");
  std::string header, row, last;
  std::getline(rejects, header);
  int rejected_rows = 0;
  while (std::getline(rejects, row)) {
    last = row;
    ++rejected_rows;
  }
  EXPECT_TRUE(header.ends_with(",reason")) << header;
  EXPECT_EQ(rejected_rows, bad);
  EXPECT_NE(last.find("line 43: 'subject' is required"), std::string::npos) << last;
  std::tie(code, out) = run("--map subject=title,body=body,category=category --quiet");
  EXPECT_NE(out.find("42 rows: 0 created, " + std::to_string(good) + " already imported, " + std::to_string(bad) +
                     " rejected"),
            std::string::npos)
      << out;
  auto imported = admin->get("/api/v1/tickets?limit=100").body["tickets"];
  ASSERT_EQ(imported.size(), static_cast<std::size_t>(good));
  const json& quoted = imported.back();
  EXPECT_EQ(quoted["subject"], "Printer, 2nd floor");
  EXPECT_EQ(quoted["body"], "jams \"again\"");
  EXPECT_TRUE(quoted["external_id"].get<std::string>().starts_with("csv:"));
  std::tie(code, out) = run("--map subject=nope");
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("--map"), std::string::npos) << out;
}

// Past tickets from a file (import csv --history): their creation time,
// status and holder kept, nobody mailed, the holder's load counted.
TEST_F(Mail, CsvHistoryKeepsTimesStatusAndHolderAndMailsNobody) {
  const json agent = admin->post("/api/v1/agents", {{"name", "Olga"}, {"email", "olga@example.com"},
                                                    {"teams", {1}}, {"presence", "online"}}).body;
  const int olga = agent["id"];
  const fs::path csv = dir.path() / "history.csv";
  std::ofstream(csv) << "title,from,opened,state,agent\n"
                        "Old printer,ann@example.org,2025-03-01T09:30:00Z,solved," << olga << "\n"
                        "Still open,bob@example.org,2026-11-30T08:00:00Z,open," << olga << "\n"
                        "Never held,cy@example.org,2026-10-01T10:00:00Z,closed,\n"
                        "Bad time,dee@example.org,yesterday,solved,\n";
  const std::string base = std::string(SWITCHBOARD_BINARY) + " import csv " + csv.string() + " --url http://127.0.0.1:" +
                           std::to_string(server->port()) + " --token " + kAdmin + " --quiet ";
  const std::string map = "--map subject=title,requester_email=from,created_at=opened,status=state,assignee_id=agent";
  auto without = run_command(base + map + " 2>&1");
  EXPECT_EQ(without.exit_code, 2);
  EXPECT_NE(without.output.find("needs --history"), std::string::npos) << without.output;
  auto r = run_command(base + map + " --history 2>&1");
  EXPECT_EQ(r.exit_code, 1) << r.output;  // the bad time is rejected
  EXPECT_NE(r.output.find("4 rows: 3 created, 0 already imported, 1 rejected"), std::string::npos) << r.output;
  std::ifstream rejects(csv.string() + ".rejects.csv");
  std::string all((std::istreambuf_iterator<char>(rejects)), {});
  EXPECT_NE(all.find("history.created_at"), std::string::npos) << all;

  const json tickets = admin->get("/api/v1/tickets?limit=10").body["tickets"];
  ASSERT_EQ(tickets.size(), 3u);
  EXPECT_EQ(tickets[0]["created_at"], "2025-03-01T09:30:00.000Z");
  EXPECT_EQ(tickets[0]["status"], "solved");
  EXPECT_EQ(tickets[0]["assignee_id"], olga);
  EXPECT_EQ(tickets[1]["status"], "open");
  EXPECT_EQ(tickets[1]["assignee_id"], olga);
  EXPECT_EQ(tickets[2]["status"], "closed");
  EXPECT_TRUE(tickets[2]["assignee_id"].is_null());
  // Olga holds the open one; nobody was mailed (the relay is configured here).
  EXPECT_EQ(admin->get("/api/v1/agents/" + std::to_string(olga)).body["load"]["api"], 1);
  const json deliveries = admin->get("/api/v1/deliveries?limit=500").body;
  EXPECT_TRUE(deliveries.contains("deliveries"));
  for (const json& d : deliveries["deliveries"]) EXPECT_NE(d["kind"], "email") << d.dump();
}

}  // namespace
}  // namespace sb::testing
