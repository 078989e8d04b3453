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

// Another system's history keeps its times, status and holder: a solved one
// is only recorded, an open one held by an agent counts against their
// capacity (past it, too) without routing, and nothing says "created".
TEST_F(IntakeTest, HistoryKeepsItsTimesStatusAndHolder) {
  Agent ada;
  ada.name = "Ada";
  ada.teams = {TeamId{1}};
  ada.capacity[static_cast<std::size_t>(Channel::kEmail)] = 1;
  ada.presence = Presence::kOnline;
  auto agent = service.create_agent(ada);
  ASSERT_TRUE(agent.ok()) << agent.error().message;
  const AgentId id = agent->agent.id;

  TicketInput solved = input("old and done");
  solved.ticket.source = "rt";
  solved.ticket.external_id = "7";
  solved.original_created_at = now - std::chrono::hours(50);
  solved.original_status = TicketStatus::kSolved;
  solved.ticket.assignee = id;
  auto a = intake.create(solved);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->ticket.status, TicketStatus::kSolved);
  EXPECT_EQ(a->ticket.created_at, now - std::chrono::hours(50));
  EXPECT_EQ(a->ticket.assignee, id);

  for (const char* ext : {"8", "9"}) {  // two held by Ada, whose capacity is one
    TicketInput held = input("held");
    held.ticket.source = "rt";
    held.ticket.external_id = ext;
    held.original_created_at = now - std::chrono::hours(3);
    held.original_status = TicketStatus::kOpen;
    held.ticket.assignee = id;
    auto b = intake.create(held);
    ASSERT_TRUE(b.ok()) << b.error().message;
    EXPECT_EQ(b->ticket.assignee, id);
    EXPECT_EQ(b->ticket.status, TicketStatus::kOpen);
    ASSERT_TRUE(b->ticket.routing);
    EXPECT_EQ(b->ticket.routing->policy, "manual");
  }
  // A new ticket finds Ada full and waits.
  auto fresh = intake.create(input("new work"));
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE(fresh->ticket.assignee);
  // The same external id in another source is another ticket; in the same one, refused.
  TicketInput other = input("api one");
  other.ticket.external_id = "8";
  EXPECT_TRUE(intake.create(other).ok());
  TicketInput again = input("again");
  again.ticket.source = "rt";
  again.ticket.external_id = "8";
  auto dup = intake.create(again);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, "duplicate_external_id");
  // Nothing announced the history as new.
  auto events = store.list_events(0, 100).value();
  int created = 0;
  for (const Event& e : events) created += e.type == EventType::kTicketCreated;
  EXPECT_EQ(created, 2);  // "new work" and "api one" only
  TicketInput future = input("later");
  future.original_created_at = now + std::chrono::hours(1);
  auto refused = intake.create(future);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "original_created_at");
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
