#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "app/rules_yaml.h"
#include "triage/triage.h"

namespace sb::triage {
namespace {

std::string write(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("sb_rules_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path.string();
}

// 2026-11-25 is a Wednesday.
Time wednesday_at(int hour) {
  using namespace std::chrono;
  return Time(sys_days(year{2026} / 11 / 25)) + hours(hour);
}

const char* kRules = R"(rule_sets:
  - name: intake
    match: first
    rules:
      - name: spam
        when: {field: subject, regex: "(?i)you have won"}
        then: {spam: true, stop: true}
      - name: vip outage
        when:
          all:
            - {field: requester.tier, equals: vip}
            - {field: text, regex: "(?i)\\b(down|outage)\\b"}
        then: {priority: urgent, team: Network, tags: [vip], auto_reply: "Hi {{requester.name}}, we are on '{{subject}}'."}
      - name: billing words
        when: {field: text, contains: invoice}
        then: {team: Billing, required_skills: {billing: 2}}
  - name: tagging
    match: all
    rules:
      - name: office hours
        when: {all: [{weekday: [mon, tue, wed, thu, fri]}, {hours: "09:00-17:00"}]}
        then: {tags: [office-hours]}
      - name: example.com customers
        when: {field: requester.domain, in: [example.com, example.org]}
        then: {tags: [partner]}
      - name: never
        when: {not: {field: channel, in: [email, web, chat, phone, api]}}
        then: {tags: [impossible]}
)";

TriageOutcome run(const std::string& subject, const std::string& body, const std::string& tier, Time now, const RuleBook& book) {
  TriageInput in;
  in.ticket.subject = subject;
  in.ticket.body = body;
  in.ticket.requester = {"ana@Example.com", "Ana", tier};
  TriageSettings settings;
  settings.rules = std::make_shared<RuleBook>(book);
  return run_triage(in, settings, now);
}

TEST(Rules, FirstMatchAllMatchAndActions) {
  auto book = load_rules(write("ok.yaml", kRules));
  ASSERT_TRUE(book.ok()) << book.error().message;
  auto vip = run("VPN down", "since 9", "vip", wednesday_at(10), *book);
  EXPECT_EQ(vip.ticket.priority, Priority::kUrgent);
  EXPECT_EQ(vip.team_name, "Network");
  EXPECT_EQ(vip.ticket.triage->rules, (std::vector<std::string>{"vip outage", "office hours", "example.com customers"}));
  EXPECT_EQ(vip.ticket.tags, (std::vector<std::string>{"vip", "office-hours", "partner"}));
  EXPECT_EQ(vip.ticket.triage->auto_reply, "Hi Ana, we are on 'VPN down'.");
  EXPECT_NE(vip.ticket.triage->priority_reason.find("rule 'vip outage' set urgent"), std::string::npos);

  auto billing = run("Invoice question", "", "standard", wednesday_at(20), *book);
  EXPECT_EQ(billing.team_name, "Billing");
  EXPECT_EQ(billing.ticket.required_skills.at("billing"), 2);
  EXPECT_EQ(billing.ticket.triage->rules, (std::vector<std::string>{"billing words", "example.com customers"}));

  auto spam = run("You have WON a prize", "", "standard", wednesday_at(10), *book);
  EXPECT_TRUE(spam.spam);
  EXPECT_EQ(spam.ticket.triage->rules, std::vector<std::string>{"spam"});  // stop: no tagging rules
}

// Tiers are a configured list: a rule sets one of them (before the SLA
// policy is chosen); a tier not in the list is an error with file and line.
TEST(Rules, ARuleSetsAConfiguredTier) {
  const std::vector<std::string> tiers{"standard", "vip", "enterprise"};
  const std::string file = write("tier.yaml", "rule_sets:\n  - rules:\n      - name: big accounts\n"
                                              "        when: {field: requester.domain, equals: bigco.com}\n"
                                              "        then: {tier: enterprise, tags: [account]}\n");
  auto book = load_rules(file, RuleVocabulary{tiers});
  ASSERT_TRUE(book.ok()) << book.error().message;
  TriageInput in;
  in.ticket.subject = "Invoice";
  in.ticket.requester = {"kim@bigco.com", "Kim", "standard"};
  TriageSettings settings;
  settings.rules = std::make_shared<RuleBook>(*book);
  settings.tiers = tiers;
  EXPECT_EQ(run_triage(in, settings, wednesday_at(10)).ticket.requester.tier, "enterprise");
  in.ticket.requester.email = "kim@small.com";
  EXPECT_EQ(run_triage(in, settings, wednesday_at(10)).ticket.requester.tier, "standard");

  auto unknown = load_rules(file);  // the default tiers: standard and vip
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find(file + ":5:"), std::string::npos) << unknown.error().message;
  EXPECT_NE(unknown.error().message.find("'enterprise' is not one of the tiers (standard, vip)"), std::string::npos)
      << unknown.error().message;
}

// Conditions on the requester's records and the ticket's custom fields;
// names that are not declared, and field values of the wrong type, are
// errors with file and line.
TEST(Rules, ConditionsOnCustomerOrganisationAndFieldsAndAFieldsAction) {
  RuleVocabulary words;
  words.customer_attributes = {{"lifetime_value", AttributeType::kNumber, {}, "", "", false}};
  words.organization_attributes = {{"segment", AttributeType::kText, {}, "", "", false}};
  words.ticket_fields = {{"order_number", AttributeType::kPattern, {}, "[A-Z]{2}-[0-9]{6}", "", false},
                         {"priority_order", AttributeType::kBoolean, {}, "", "", false}};
  const std::string file =
      write("records.yaml",
            "rule_sets:\n  - match: all\n    rules:\n"
            "      - name: big spender\n        when: {field: customer.lifetime_value, gt: 1000}\n"
            "        then: {tags: [big], fields: {priority_order: true}}\n"
            "      - name: retail\n        when: {all: [{field: organization.segment, equals: retail}, "
            "{field: organization.tier, equals: vip}]}\n        then: {tags: [retail]}\n"
            "      - name: order\n        when: {field: fields.order_number, regex: \"^AB-\"}\n        then: {tags: [ab]}\n");
  auto book = load_rules(file, words);
  ASSERT_TRUE(book.ok()) << book.error().message;
  TriageSettings settings;
  settings.rules = std::make_shared<RuleBook>(*book);
  Customer rich;
  rich.attributes = {{"lifetime_value", 4000.5}};
  Organization shop;
  shop.tier = "vip";
  shop.attributes = {{"segment", std::string("retail")}};
  TriageInput in;
  in.ticket.subject = "Refund";
  in.ticket.fields = {{"order_number", std::string("AB-123456")}};
  in.customer = &rich;
  in.organization = &shop;
  auto out = run_triage(in, settings, wednesday_at(10));
  EXPECT_EQ(out.ticket.tags, (std::vector<std::string>{"big", "retail", "ab"}));
  EXPECT_EQ(out.ticket.fields.at("priority_order"), AttributeValue(true));
  // Without records, conditions on them match nothing.
  in.customer = nullptr;
  in.organization = nullptr;
  in.ticket.fields.clear();
  EXPECT_TRUE(run_triage(in, settings, wednesday_at(10)).ticket.tags.empty());
  rich.attributes["lifetime_value"] = 999.0;
  in.customer = &rich;
  EXPECT_TRUE(run_triage(in, settings, wednesday_at(10)).ticket.tags.empty());

  auto undeclared = load_rules(write("undeclared.yaml", "rule_sets:\n  - rules:\n      - name: x\n"
                                                         "        when: {field: customer.shoe_size, gt: 40}\n"
                                                         "        then: {stop: true}\n"),
                               words);
  ASSERT_FALSE(undeclared.ok());
  EXPECT_NE(undeclared.error().message.find(":4:"), std::string::npos) << undeclared.error().message;
  EXPECT_NE(undeclared.error().message.find("unknown field 'customer.shoe_size'"), std::string::npos);
  auto bad_value = load_rules(write("badvalue.yaml", "rule_sets:\n  - rules:\n      - name: x\n"
                                                      "        when: {field: subject, equals: a}\n"
                                                      "        then: {fields: {order_number: nope}}\n"),
                              words);
  ASSERT_FALSE(bad_value.ok());
  EXPECT_NE(bad_value.error().message.find(":5:"), std::string::npos) << bad_value.error().message;
  EXPECT_NE(bad_value.error().message.find("must match"), std::string::npos) << bad_value.error().message;
  EXPECT_FALSE(load_rules(write("unknownfield.yaml", "rule_sets:\n  - rules:\n      - name: x\n"
                                                     "        when: {field: subject, equals: a}\n"
                                                     "        then: {fields: {colour: red}}\n"),
                          words)
                   .ok());
}

TEST(Rules, LoadErrorsNameFileLineAndColumn) {
  const std::string bad_regex = write("bad1.yaml", "rule_sets:\n  - rules:\n      - name: x\n        when: {field: subject, regex: \"(down\"}\n        then: {stop: true}\n");
  auto r = load_rules(bad_regex);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(bad_regex + ":4:"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("rule_sets[0].rules[0].when.regex"), std::string::npos) << r.error().message;

  const std::string bad_field = write("bad2.yaml", "rule_sets:\n  - rules:\n      - name: x\n        when: {field: colour, equals: red}\n        then: {stop: true}\n");
  auto f = load_rules(bad_field);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("unknown field 'colour'"), std::string::npos);

  const std::string bad_action = write("bad3.yaml", "rule_sets:\n  - rules:\n      - name: x\n        when: {field: subject, equals: a}\n        then: {priority: critical}\n");
  auto a = load_rules(bad_action);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find(":5:"), std::string::npos) << a.error().message;
  EXPECT_NE(a.error().message.find("then.priority"), std::string::npos);

  EXPECT_FALSE(load_rules(write("bad4.yaml", "rule_sets: [\n")).ok());
  EXPECT_FALSE(load_rules("/nonexistent/rules.yaml").ok());
}

}  // namespace
}  // namespace sb::triage
