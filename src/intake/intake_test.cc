#include "intake/intake.h"

#include <gtest/gtest.h>

#include "intake/idempotency.h"
#include "intake/model_updater.h"
#include "intake/text.h"
#include "store/memory_store.h"

namespace sb::intake {
namespace {

// A ticket decided twice teaches its last decision, in the order decisions
// were made; recent decisions count more, fading with the half-life, and
// decisions all of an age count once each.
TEST(Corrections, LatestDecisionPerTicketWeighedByRecency) {
  auto correction = [](std::int64_t id, std::int64_t ticket, const char* label, int days) {
    Correction c;
    c.id = id;
    c.ticket = TicketId{ticket};
    c.label = label;
    c.subject = "s" + std::to_string(id);
    c.at = from_millis(0) + std::chrono::hours(24 * days);
    return c;
  };
  const std::vector<Correction> stored = {correction(1, 7, "vpn", 0), correction(2, 8, "mail", 10),
                                          correction(3, 7, "network", 20), correction(4, 9, "vpn", 200)};
  const std::vector<Lesson> lessons = latest_decisions(stored);
  ASSERT_EQ(lessons.size(), 3u);
  EXPECT_EQ(lessons[0].id, 2);
  EXPECT_EQ(lessons[1].id, 3);
  EXPECT_EQ(lessons[1].example.label, "network");  // ticket 7 ended up there
  EXPECT_EQ(lessons[2].id, 4);
  // Recent weight 3, half-life 90 days: ages 190, 180, 0 days weigh about 1.46, 1.5, 3.
  const auto copies = copies_by_recency(lessons, std::chrono::hours(24 * 90), 3.0);
  EXPECT_EQ(copies, (std::vector<int>{1, 1, 2}));
  const auto steep = copies_by_recency(lessons, std::chrono::hours(24 * 10), 5.0);
  EXPECT_EQ(steep, (std::vector<int>{1, 1, 5}));
  std::vector<Lesson> same_age = lessons;
  for (Lesson& l : same_age) l.at = from_millis(0);
  EXPECT_EQ(copies_by_recency(same_age, std::chrono::hours(24), 2.0), (std::vector<int>{1, 1, 1}));
}

TEST(Text, CleanTextKeepsValidUtf8AndMendsTheRest) {
  EXPECT_TRUE(is_clean_text("plain ascii"));
  EXPECT_TRUE(is_clean_text("Gr\xC3\xBC\xC3\x9F" "e \xE2\x82\xAC \xF0\x9F\x98\x80"));  // ü ß € 😀
  EXPECT_EQ(clean_text("Gr\xC3\xBC\xC3\x9F" "e"), "Gr\xC3\xBC\xC3\x9F" "e");
  EXPECT_FALSE(is_clean_text(std::string("a\0b", 3)));
  EXPECT_EQ(clean_text(std::string("a\0b", 3)), "a b");
  EXPECT_FALSE(is_clean_text("\xff"));
  EXPECT_EQ(clean_text("x\xffy"), "x\xEF\xBF\xBDy");
  EXPECT_FALSE(is_clean_text("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_clean_text("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(is_clean_text("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_clean_text("\xE2\x82"));          // cut short
  EXPECT_TRUE(is_clean_text(clean_text("\xE2\x82\xC0\xAF\xF4\x90\x80\x80\xED\xA0\x80")));
}

class IntakeTest : public ::testing::Test {
 protected:
  IntakeTest() : service(store, {}, [this] { return now; }), intake(service, gate) {
    EXPECT_TRUE(service.start().ok());
    Team team;
    team.name = "Support";
    EXPECT_TRUE(service.create_team(team).ok());
  }
  static TicketInput input(std::string subject) {
    TicketInput in;
    in.ticket.subject = std::move(subject);
    in.ticket.body = "body";
    in.ticket.requester.email = "ann@example.com";
    in.team_name = "Support";
    return in;
  }
  Time now = Time(std::chrono::hours(24 * 20000));
  MemoryStore store;
  Service service;
  TriageGate gate;
  Intake intake;
};

TEST_F(IntakeTest, EveryChannelsTextIsCleanedBeforeItIsStored) {
  TicketInput in = input("bad \xff subject");
  in.source = "web";
  in.ticket.channel = Channel::kWeb;
  in.ticket.body = std::string("with\0nul", 8);
  auto view = intake.create(in);
  ASSERT_TRUE(view.ok()) << view.error().message;
  auto stored = store.find_ticket(view->ticket.id);
  ASSERT_TRUE(stored.ok() && *stored);
  EXPECT_EQ((*stored)->subject, "bad \xEF\xBF\xBD subject");
  EXPECT_EQ((*stored)->body, "with nul");
}

TEST_F(IntakeTest, DuplicateExternalIdIsRefusedBeforeAnythingIsCreated) {
  TicketInput in = input("first");
  in.ticket.external_id = "ext-1";
  ASSERT_TRUE(intake.create(in).ok());
  auto again = intake.create(in);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "duplicate_external_id");
  EXPECT_EQ(again.error().field, "external_id");
  EXPECT_EQ(store.list_tickets({}).value().tickets.size(), 1u);
}

TEST_F(IntakeTest, HistoryFieldsAreRefusedUntilTheEngineTakesThem) {
  TicketInput in = input("imported");
  in.original_created_at = now - std::chrono::hours(5);
  auto r = intake.create(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "original_created_at");
  in.original_created_at.reset();
  in.original_status = TicketStatus::kSolved;
  r = intake.create(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "original_status");
  EXPECT_TRUE(store.list_tickets({}).value().tickets.empty());
}

TEST_F(IntakeTest, MailIsTakenOnceAndRepliesThreadOntoTheirTicket) {
  InboundMail m;
  m.message_id = "first@example.com";
  m.from_address = "ann@example.com";
  m.subject = "Printer on fire";
  m.text = "Please help";
  m.raw = "raw";
  auto first = intake.take_mail(m, "support");
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->outcome, "created");
  ASSERT_TRUE(first->ticket);
  auto again = intake.take_mail(m, "support");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, "duplicate");
  EXPECT_EQ(again->ticket, first->ticket);

  InboundMail reply = m;
  reply.message_id = "second@example.com";
  reply.in_reply_to = "first@example.com";
  reply.text = "Still burning";
  auto threaded = intake.take_mail(reply, "support");
  ASSERT_TRUE(threaded.ok());
  EXPECT_EQ(threaded->outcome, "threaded");
  EXPECT_EQ(threaded->ticket, first->ticket);
  EXPECT_EQ(store.list_messages(*first->ticket).value().size(), 1u);
  EXPECT_EQ(store.list_tickets({}).value().tickets.size(), 1u);
}

TEST_F(IntakeTest, TheFirstMailsAttachmentsAreItsFirstMessage) {
  InboundMail m;
  m.message_id = "files@example.com";
  m.from_address = "ann@example.com";
  m.subject = "Invoice";
  m.text = "see attached";
  m.attachments.push_back(Attachment{"invoice.pdf", "application/pdf", 1234});
  auto made = intake.take_mail(m, "support");
  ASSERT_TRUE(made.ok()) << made.error().message;
  const auto messages = store.list_messages(*made->ticket).value();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].kind, MessageKind::kCustomer);
  EXPECT_EQ(messages[0].body, "see attached");
  ASSERT_EQ(messages[0].attachments.size(), 1u);
  EXPECT_EQ(messages[0].attachments[0].name, "invoice.pdf");
  // A sender without a usable address still gets a ticket, with no address to answer.
  InboundMail odd = m;
  odd.message_id = "odd@example.com";
  odd.from_address = "mailer-daemon";
  odd.attachments.clear();
  auto oddly = intake.take_mail(odd, "support");
  ASSERT_TRUE(oddly.ok()) << oddly.error().message;
  EXPECT_EQ(store.find_ticket(*oddly->ticket).value()->requester.email, "");
}

TEST_F(IntakeTest, IdempotencyKeysReplayRefuseAndHoldWhileRunning) {
  IdempotencyKeys keys(service);
  EXPECT_EQ(keys.begin("tok", "", "POST /x").error().field, "Idempotency-Key");
  EXPECT_EQ(keys.begin("tok", "bad key", "POST /x").error().field, "Idempotency-Key");
  auto first = keys.begin("tok", "k1", "POST /x");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->claim);
  EXPECT_FALSE(first->replay);
  EXPECT_EQ(keys.begin("tok", "k1", "POST /x").error().code, "idempotency_key_in_use");
  keys.keep(*first->claim, 201, "{\"id\":1}");
  first->claim.reset();
  auto replay = keys.begin("tok", "k1", "POST /x");
  ASSERT_TRUE(replay.ok());
  ASSERT_TRUE(replay->replay);
  EXPECT_EQ(replay->replay->status, 201);
  EXPECT_EQ(replay->replay->response, "{\"id\":1}");
  EXPECT_EQ(keys.begin("tok", "k1", "POST /y").error().field, "Idempotency-Key");
  auto other_caller = keys.begin("other", "k1", "POST /y");  // keys are per caller
  ASSERT_TRUE(other_caller.ok());
  EXPECT_FALSE(other_caller->replay);
}

}  // namespace
}  // namespace sb::intake
