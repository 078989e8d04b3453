#include <gtest/gtest.h>

#include "core/outbound.h"

#include <nlohmann/json.hpp>

#include "notify/dispatcher.h"
#include "notify/mail.h"
#include "notify/message_template.h"
#include "notify/outbox.h"
#include "notify/signature.h"
#include "store/memory_store.h"

namespace sb::notify {
namespace {

// These tests' receivers listen on loopback, which the servers' configs in
// the tests allow explicitly (outbound.allow_loopback); so do these.
struct LoopbackAllowed : ::testing::Environment {
  void SetUp() override {
    OutboundPolicy p;
    p.allow_loopback = true;
    set_outbound_policy(p);
  }
};
const auto* const kLoopbackAllowed = ::testing::AddGlobalTestEnvironment(new LoopbackAllowed);

TEST(Signature, HmacMatchesRfc4231) {
  // RFC 4231, test case 2.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Signature, VerifiesItsOwnHeaderAndNothingElse) {
  const std::string secret = new_webhook_secret();
  EXPECT_EQ(secret.size(), 6u + 64u);
  EXPECT_NE(secret, new_webhook_secret());
  const std::string h = signature_header(secret, 1764115200, R"({"a":1})");
  EXPECT_TRUE(h.starts_with("t=1764115200,v1="));
  EXPECT_TRUE(verify_signature(h, secret, R"({"a":1})"));
  EXPECT_FALSE(verify_signature(h, secret, R"({"a":2})"));
  EXPECT_FALSE(verify_signature(h, "whsec_other", R"({"a":1})"));
  std::string later = h;
  later.replace(2, 10, "1764115201");  // the timestamp is signed too
  EXPECT_FALSE(verify_signature(later, secret, R"({"a":1})"));
  EXPECT_FALSE(verify_signature("garbage", secret, R"({"a":1})"));
}

TEST(Template, RendersKnownNamesAndFindsUnknownOnes) {
  EXPECT_EQ(render("#{{ticket_id}} {{ subject }}!", {{"ticket_id", "7"}, {"subject", "VPN"}}), "#7 VPN!");
  EXPECT_EQ(render("a {{nope}} b {{", {}), "a  b {{");
  EXPECT_EQ(unknown_placeholders("{{ticket_id}} {{tickt_id}}", confirmation_placeholders()),
            std::vector<std::string>{"tickt_id"});
  EXPECT_TRUE(unknown_placeholders(default_confirmation().created.body, confirmation_placeholders()).empty());
  EXPECT_TRUE(unknown_placeholders(default_confirmation().assigned.subject, confirmation_placeholders()).empty());
}

TEST(Mail, AddressesArePlainOrRefused) {
  EXPECT_TRUE(is_plain_address("ann@example.com"));
  EXPECT_FALSE(is_plain_address("ann@example.com\r\nBcc: eve@example.com"));
  EXPECT_FALSE(is_plain_address("Ann <ann@example.com>"));
  EXPECT_FALSE(is_plain_address("a@b@c"));
  EXPECT_FALSE(is_plain_address("ann,eve@example.com"));
  EXPECT_FALSE(is_plain_address(""));
  EXPECT_EQ(address_of("Support <help@acme.example>"), "help@acme.example");
  EXPECT_EQ(domain_of("help@acme.example"), "acme.example");
}

// An agent's reply is a person's message threaded under the customer's mail.
TEST(Mail, AReplyThreadsUnderTheCustomersMailAndIsNotAutomatic) {
  OutboundMail m;
  m.from = "help@acme.example";
  m.to_address = "ann@example.com";
  m.subject = "Re: [#12] Printer";
  m.body = "Try this.";
  m.message_id = "sb.t12.def@acme.example";
  m.in_reply_to = "second@example.com";
  m.references = {"first@example.com", "second@example.com\r\nBcc: eve@example.com"};
  m.automatic = false;
  const std::string text = build_mail(m);
  const std::string head = text.substr(0, text.find("\r\n\r\n"));
  EXPECT_NE(head.find("In-Reply-To: <second@example.com>"), std::string::npos) << head;
  // GMime parses the ids: what is not one (the injected header) is dropped.
  EXPECT_NE(head.find("References: <first@example.com> <second@example.com>\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("\r\nBcc:"), std::string::npos) << head;
  EXPECT_EQ(head.find("Auto-Submitted"), std::string::npos) << head;
}

TEST(Mail, UserDataNeverStartsAHeader) {
  OutboundMail m;
  m.from = "Acme Support <help@acme.example>";
  m.to_name = "Ann\r\nBcc: eve@example.com";
  m.to_address = "ann@example.com";
  m.subject = "Printer\r\nBcc: eve@example.com\nX-Evil: 1 — dead again";
  m.body = "Line one\nLine two with ünïcödé\n";
  m.message_id = "sb.t12.abc@acme.example";
  m.ticket_ref = "12";
  m.date = from_millis(1764115200000);
  const std::string text = build_mail(m);
  const std::string head = text.substr(0, text.find("\r\n\r\n"));
  EXPECT_NE(head.find("Auto-Submitted: auto-generated"), std::string::npos) << head;
  EXPECT_NE(head.find("Message-Id: <sb.t12.abc@acme.example>"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Switchboard-Ticket: 12"), std::string::npos);
  EXPECT_NE(head.find("From: Acme Support <help@acme.example>"), std::string::npos);
  // No header line starts with the injected names.
  for (const char* bad : {"\r\nBcc:", "\r\nX-Evil:"}) EXPECT_EQ(head.find(bad), std::string::npos) << head;
  // Every line ends in CRLF.
  for (std::size_t i = text.find('\n'); i != std::string::npos; i = text.find('\n', i + 1)) {
    ASSERT_GT(i, 0u);
    EXPECT_EQ(text[i - 1], '\r');
  }
  // Non-ASCII in the subject is encoded (RFC 2047).
  EXPECT_NE(head.find("=?UTF-8?"), std::string::npos) << head;
  // The body is 7-bit on the wire.
  for (unsigned char c : text) ASSERT_LT(c, 0x80) << text;
}

TEST(Transport, WebhookUrlsAreHttpWithAHostAndNoCredentials) {
  EXPECT_TRUE(check_webhook_url("https://hooks.example.com/sb", "url").ok());
  for (const char* hostless : {"http:///x", "https:///", "http://?x", "http://#x"}) {
    auto s = check_webhook_url(hostless, "url");
    ASSERT_FALSE(s.ok()) << hostless;
    EXPECT_EQ(s.error().field, "url");
  }
  // The machine's own services and the private network only where the config allows.
  set_outbound_policy(OutboundPolicy{});
  for (const char* inside : {"http://127.0.0.1:8080/x", "http://localhost/x", "http://10.0.0.7/x", "http://[::1]/x",
                             "http://169.254.169.254/latest/meta-data/", "http://[::127.0.0.1]/x",
                             "http://[::ffff:0:127.0.0.1]/x", "http://[64:ff9b::127.0.0.1]/x", "http://[fec0::1]/x",
                             "http://198.18.0.1/x", "http://192.0.0.1/x", "http://240.0.0.1/x"}) {
    auto s = check_webhook_url(inside, "url");
    ASSERT_FALSE(s.ok()) << inside;
    EXPECT_NE(s.error().message.find("refused"), std::string::npos) << s.error().message;
  }
  // ... and a name that passed when the webhook was made is checked again on connecting.
  auto refused = post("http://127.0.0.1:1/x", {}, "{}", std::chrono::milliseconds(1000));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("refused to connect: 127.0.0.1 is a loopback address"), std::string::npos)
      << refused.error().message;
  OutboundPolicy loopback;
  loopback.allow_loopback = true;
  set_outbound_policy(loopback);  // as the tests' servers allow it
  EXPECT_TRUE(check_webhook_url("http://127.0.0.1:8080/x?y=1", "url").ok());
  for (const char* bad : {"ftp://example.com/", "not a url", "http://user:pw@example.com/", "file:///etc/passwd", ""}) {
    auto s = check_webhook_url(bad, "url");
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().field, "url");
  }
}

class OutboxTest : public ::testing::Test {
 protected:
  OutboxTest() : outbox(store, settings(), [this] { return now; }) { EXPECT_TRUE(outbox.load().ok()); }
  static NotifySettings settings() {
    NotifySettings s;
    s.smtp = SmtpSettings{"smtp://127.0.0.1:1", "Acme Support <help@acme.example>", "", ""};
    s.max_attempts = 3;
    s.retry_base = std::chrono::seconds(10);
    s.timeout = std::chrono::seconds(2);
    return s;
  }
  Event event(std::int64_t seq, EventType type, std::map<std::string, std::string> details = {}) {
    Event e;
    e.seq = seq;
    e.id = "evt_" + std::string(24, static_cast<char>('0' + seq));
    e.type = type;
    e.ticket = TicketId{5};
    e.at = now;
    e.details = std::move(details);
    return e;
  }
  TicketView view(std::optional<std::string> assignee, std::optional<std::size_t> position) {
    TicketView v;
    v.ticket.id = TicketId{5};
    v.ticket.subject = "VPN down";
    v.ticket.requester.email = "ann@example.com";
    v.ticket.requester.name = "Ann";
    v.queue_position = position;
    v.expected_wait = ExpectedWait{300.0, "erlang_c"};
    v.assignee_name = assignee;
    return v;
  }

  MemoryStore store;
  Time now = from_millis(1764115200000);
  Outbox outbox;
};

TEST_F(OutboxTest, EventsFanOutToSubscribedWebhooksAndConfirmations) {
  Webhook all;
  all.url = "http://127.0.0.1:1/all";
  Webhook sla_only;
  sla_only.url = "http://127.0.0.1:1/sla";
  sla_only.events = {EventType::kSlaBreached};
  ASSERT_TRUE(outbox.create_webhook(all).ok());
  auto second = outbox.create_webhook(sla_only);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id, WebhookId{2});
  EXPECT_TRUE(second->secret.starts_with("whsec_"));
  EXPECT_EQ(outbox.create_webhook(Webhook{WebhookId{}, "ftp://x", "", {}, "", true, {}}).error().field, "url");

  std::vector<Event> events{event(1, EventType::kTicketCreated),
                            event(2, EventType::kTicketAssigned, {{"how", "routed"}, {"agent_id", "3"}}),
                            event(3, EventType::kSlaBreached, {{"clock", "first_response"}})};
  WriteBatch batch;
  outbox.write(events, {{TicketId{5}, view(std::string("Bob"), std::nullopt)}}, batch);
  // Three events to the first hook, one to the second, one confirmation (the
  // assignment came with the creation, so the first mail names Bob).
  ASSERT_EQ(batch.deliveries.size(), 5u);
  int mails = 0;
  for (const Delivery& d : batch.deliveries) {
    if (d.kind != DeliveryKind::kEmail) continue;
    ++mails;
    EXPECT_EQ(d.recipient, "ann@example.com");
    EXPECT_NE(d.message.find("Bob is looking after it."), std::string::npos) << d.message;
    EXPECT_NE(d.message.find("Subject: [#5] We have your request: VPN down"), std::string::npos) << d.message;
    EXPECT_TRUE(d.message_id.starts_with("<sb.t5."));
    EXPECT_TRUE(d.message_id.ends_with("@acme.example>"));
  }
  EXPECT_EQ(mails, 1);
  auto doc = nlohmann::json::parse(events[1].data);
  EXPECT_EQ(doc["type"], "ticket.assigned");
  EXPECT_EQ(doc["sequence"], 2);
  EXPECT_EQ(doc["data"]["agent_id"], 3);
  EXPECT_EQ(doc["data"]["how"], "routed");
  EXPECT_EQ(doc["data"]["ticket"]["id"], 5);
  EXPECT_EQ(doc["data"]["ticket"]["assignee_name"], "Bob");

  // A ticket that waits: its confirmation gives the place in line and the wait.
  std::vector<Event> waiting{event(4, EventType::kTicketCreated)};
  WriteBatch b2;
  outbox.write(waiting, {{TicketId{5}, view(std::nullopt, 3)}}, b2);
  ASSERT_EQ(b2.deliveries.back().kind, DeliveryKind::kEmail);
  EXPECT_NE(b2.deliveries.back().message.find("You are number 3 in the queue; the expected wait is about 5 minutes."),
            std::string::npos)
      << b2.deliveries.back().message;

  // A later assignment gets its own message; an offer does not (it may be declined).
  std::vector<Event> later{event(5, EventType::kTicketAssigned, {{"how", "offered"}}),
                           event(6, EventType::kTicketAssigned, {{"how", "accepted"}})};
  WriteBatch b3;
  outbox.write(later, {{TicketId{5}, view(std::string("Cy"), std::nullopt)}}, b3);
  int later_mails = 0;
  for (const Delivery& d : b3.deliveries) {
    if (d.kind == DeliveryKind::kEmail) {
      ++later_mails;
      EXPECT_EQ(d.event_seq, 6);
      EXPECT_NE(d.message.find("Cy is now handling your request"), std::string::npos);
    }
  }
  EXPECT_EQ(later_mails, 1);
}

TEST_F(OutboxTest, PublicRepliesAreMailedToTheRequesterNotesNever) {
  std::vector<Event> events{
      event(1, EventType::kCommentAdded, {{"kind", "reply"}, {"body", "Try tray 2."}, {"comment_id", "9"}}),
      event(2, EventType::kCommentAdded, {{"kind", "note"}, {"body", "Roller worn."}, {"comment_id", "10"}}),
      event(3, EventType::kCommentAdded, {{"kind", "customer"}, {"body", "Thanks"}, {"comment_id", "11"}})};
  TicketView v = view(std::string("Bob"), std::nullopt);
  v.ticket.channel = Channel::kEmail;
  WriteBatch batch;
  outbox.write(events, {{TicketId{5}, v}}, batch);
  ASSERT_EQ(batch.deliveries.size(), 1u);
  const Delivery& d = batch.deliveries[0];
  EXPECT_EQ(d.event_seq, 1);
  EXPECT_NE(d.message.find("Subject: Re: [#5] VPN down"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("Try tray 2."), std::string::npos);
  EXPECT_EQ(d.message.find("Roller worn."), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(events[0].data)["data"]["comment_id"], 9);
  // A chat or phone ticket's replies stay in their channel.
  v.ticket.channel = Channel::kChat;
  WriteBatch chat;
  outbox.write(events, {{TicketId{5}, v}}, chat);
  EXPECT_TRUE(chat.deliveries.empty());
}

TEST_F(OutboxTest, FailuresBackOffThenGoDeadAndCanBeRedelivered) {
  Webhook w;
  w.url = "http://127.0.0.1:1/nobody-listens";
  ASSERT_TRUE(outbox.create_webhook(w).ok());
  std::vector<Event> events{event(1, EventType::kSlaWarning)};
  WriteBatch batch;
  batch.events = events;
  outbox.write(batch.events, {{TicketId{5}, view(std::nullopt, 1)}}, batch);
  ASSERT_TRUE(store.commit(batch).ok());

  Dispatcher dispatcher(outbox);
  EXPECT_EQ(dispatcher.run_once(now), 1);
  DeliveryQuery q;
  auto d = store.list_deliveries(q)->at(0);
  EXPECT_EQ(d.state, DeliveryState::kPending);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_FALSE(d.last_error.empty());
  EXPECT_GE(d.next_attempt_at, now + std::chrono::seconds(5));  // 10 s x jitter 0.5..1
  EXPECT_LE(d.next_attempt_at, now + std::chrono::seconds(11));
  EXPECT_EQ(dispatcher.run_once(now), 0);  // not due yet
  now += std::chrono::seconds(11);
  EXPECT_EQ(dispatcher.run_once(now), 1);
  d = store.list_deliveries(q)->at(0);
  EXPECT_GE(d.next_attempt_at, now + std::chrono::seconds(10));  // 20 s x jitter
  now += std::chrono::seconds(21);
  dispatcher.run_once(now);
  d = store.list_deliveries(q)->at(0);
  EXPECT_EQ(d.state, DeliveryState::kDead);
  EXPECT_EQ(d.attempts, 3);
  now += std::chrono::hours(1);
  EXPECT_EQ(dispatcher.run_once(now), 0);

  auto again = outbox.redeliver(d.id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->state, DeliveryState::kPending);
  EXPECT_EQ(again->attempts, 0);
  EXPECT_EQ(dispatcher.run_once(now), 1);
  EXPECT_EQ(outbox.redeliver(999).error().code, "not_found");
}

}  // namespace
}  // namespace sb::notify
