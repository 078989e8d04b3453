// Who is asking (docs/customers.md), end to end: the real binary on SQLite
// and on PostgreSQL, with tiers, attributes and custom fields declared in
// its config and rules on them. A VIP customer's e-mail gets the VIP SLA and
// priority; a web-form ticket carries its order number; a rule on an
// attribute sets a tag and a team; account routing goes to the owner and
// falls back when the owner is offline, both explained; a third tier's SLA
// policy; the CSV import re-runs with its rejects reported; bad attribute
// types and unknown fields are 422s naming the field.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <fstream>
#include <map>

#include "tests/support/command.h"
#include "tests/support/http_client.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

using nlohmann::json;
const std::string kAdmin = "customers-admin-token-0123456789";

const char* kRules = R"(rule_sets:
  - name: customers
    match: all
    rules:
      - name: big spender
        when: {field: customer.lifetime_value, gt: 1000}
        then: {tags: [big-spender], team: Billing}
      - name: order number given
        when: {field: fields.order_number, regex: "^[A-Z]{2}-"}
        then: {tags: [has-order]}
)";

const char* kConfig = R"(tiers: [standard, vip, enterprise]
teams: [Support, Billing]
agents:
  - {name: Olga, email: olga@shop.example, teams: [Support], presence: online}
  - {name: Bob, email: bob@shop.example, teams: [Support], presence: online}
  - {name: Bill, email: bill@shop.example, teams: [Billing], presence: online}
customers:
  attributes:
    - {name: lifetime_value, type: number}
    - {name: plan, type: one_of, values: [free, pro, business]}
    - {name: vip_since, type: date}
organizations:
  attributes:
    - {name: segment, type: text}
fields:
  - {name: order_number, type: pattern, pattern: "[A-Z]{2}-[0-9]{6}", label: Order number, form: true}
  - {name: gift, type: boolean}
triage:
  rules: RULES
  priority: {raise_tiers: [vip, enterprise]}
sla:
  policies:
    - {name: enterprise, match: {tier: [enterprise]}, first_response_minutes: 15}
    - {name: vip, match: {tier: [vip]}, first_response_minutes: 30}
    - {name: standard, first_response_minutes: 240}
)";

class Customers : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const std::string rules = (dir.path() / "rules.yaml").string();
    std::ofstream(rules) << kRules;
    std::string config = kConfig;
    config.replace(config.find("RULES"), 5, rules);
    const std::string config_path = (dir.path() / "config.yaml").string();
    std::ofstream(config_path) << config;
    server = std::make_unique<ServerProcess>(SWITCHBOARD_BINARY, dir.path().string(), kAdmin,
                                             std::vector<std::string>{"--config", config_path});
    if (GetParam() == "postgresql") {
      const std::string cluster = pg_test_server(PG_TEST_URL_FILE);
      ASSERT_FALSE(cluster.empty()) << "no PostgreSQL test cluster: " << PG_TEST_URL_FILE;
      server->set_db(create_pg_database(cluster, "sb_customers"));
    }
    ASSERT_TRUE(server->start()) << server->log_path();
    admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
  }
  std::int64_t agent_id(const std::string& name) {
    auto list = admin->get("/api/v1/agents");
    for (const auto& a : list.body["agents"]) {
      if (a["name"] == name) return a["id"];
    }
    ADD_FAILURE() << "no agent " << name << ": " << list.raw;
    return 0;
  }
  json ticket(std::int64_t id) { return admin->get("/api/v1/tickets/" + std::to_string(id)).body; }

  TempDir dir{"sb_customers"};
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> admin;
};

TEST_P(Customers, AVipCustomersEmailGetsTheVipSlaAndPriorityAndShowsItsMatch) {
  auto vip = admin->post("/api/v1/customers", {{"name", "Vera"}, {"emails", {"Vera@Example.com"}}, {"tier", "vip"},
                                               {"language", "de"}, {"attributes", {{"plan", "business"}}}});
  ASSERT_EQ(vip.status, 201) << vip.raw;
  EXPECT_EQ(vip.body["emails"], json::array({"vera@example.com"}));
  auto mail = admin->request("POST", "/api/v1/mail?mailbox=support",
                             "From: Vera <vera@example.com>\r\nTo: help@shop.example\r\nSubject: Where is my parcel?\r\n"
                             "Message-ID: <v1@example.com>\r\n\r\nIt has not come.\r\n",
                             {{"Content-Type", "message/rfc822"}});
  ASSERT_EQ(mail.status, 201) << mail.raw;
  const json t = ticket(mail.body["ticket_id"]);
  EXPECT_EQ(t["requester"]["tier"], "vip");
  EXPECT_EQ(t["requester"]["customer_id"], vip.body["id"]);
  EXPECT_NE(t["requester"]["matched"].get<std::string>().find("by address vera@example.com"), std::string::npos)
      << t["requester"];
  EXPECT_NE(t["requester"]["matched"].get<std::string>().find("tier vip from the customer"), std::string::npos);
  EXPECT_EQ(t["sla"]["policy"], "vip");
  EXPECT_EQ(t["priority"], "high");  // normal, raised one level for a vip

  // A new address becomes a customer of the organisation owning its domain.
  auto org = admin->post("/api/v1/organizations",
                         {{"name", "BigCo"}, {"domains", {"bigco.com"}}, {"tier", "enterprise"},
                          {"attributes", {{"segment", "retail"}}}});
  ASSERT_EQ(org.status, 201) << org.raw;
  auto fresh = admin->post("/api/v1/tickets", {{"subject", "Invoice"}, {"requester", {{"email", "new@bigco.com"}}}});
  ASSERT_EQ(fresh.status, 201) << fresh.raw;
  EXPECT_EQ(fresh.body["requester"]["organization_id"], org.body["id"]);
  EXPECT_EQ(fresh.body["requester"]["tier"], "enterprise");  // the third tier, from the organisation
  EXPECT_EQ(fresh.body["sla"]["policy"], "enterprise");
  auto made = admin->get("/api/v1/customers?q=new%20bigco");
  ASSERT_EQ(made.body["customers"].size(), 1u) << made.raw;
  EXPECT_EQ(made.body["customers"][0]["organization_id"], org.body["id"]);
  EXPECT_EQ(made.body["customers"][0]["id"], fresh.body["requester"]["customer_id"]);
  // A second ticket from that address matches the same customer (one record).
  auto again = admin->post("/api/v1/tickets", {{"subject", "Again"}, {"requester", {{"email", "new@bigco.com"}}}});
  EXPECT_EQ(again.body["requester"]["customer_id"], fresh.body["requester"]["customer_id"]);
  // Reports group by organisation (named) and by tier.
  auto by_org = admin->get("/api/v1/reports/tickets?interval=none&group_by=organization");
  ASSERT_EQ(by_org.status, 200) << by_org.raw;
  std::map<std::string, int> created;
  for (const auto& row : by_org.body["rows"]) created[row["group"].get<std::string>()] = row["created"];
  EXPECT_EQ(created["BigCo"], 2) << by_org.raw;
  EXPECT_EQ(created[""], 1) << by_org.raw;  // Vera's has none
  auto by_tier = admin->get("/api/v1/reports/tickets?interval=none&group_by=tier");
  std::map<std::string, int> tiers;
  for (const auto& row : by_tier.body["rows"]) tiers[row["group"].get<std::string>()] = row["created"];
  EXPECT_EQ(tiers["enterprise"], 2) << by_tier.raw;
  EXPECT_EQ(tiers["vip"], 1);
  // A tier the caller gives stands.
  auto given = admin->post("/api/v1/tickets", {{"subject", "Given"}, {"requester", {{"email", "vera@example.com"}, {"tier", "standard"}}}});
  EXPECT_EQ(given.body["requester"]["tier"], "standard");
}

TEST_P(Customers, AWebFormTicketCarriesItsOrderNumberAndARuleOnAnAttributeSetsATagAndATeam) {
  auto form = admin->get("/support");
  EXPECT_NE(form.raw.find("name=\"field.order_number\""), std::string::npos);
  EXPECT_NE(form.raw.find("Order number"), std::string::npos);
  EXPECT_EQ(form.raw.find("field.gift"), std::string::npos);  // not on the form
  auto sent = admin->request("POST", "/support",
                             "name=Kim&email=kim%40example.com&subject=Broken+mug&message=It+came+broken"
                             "&field.order_number=AB-123456",
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(sent.status, 201) << sent.raw;
  const auto at = sent.raw.find("id=\"ticket\">#");
  ASSERT_NE(at, std::string::npos);
  const json t = ticket(std::stoll(sent.raw.substr(at + 13)));
  EXPECT_EQ(t["fields"]["order_number"], "AB-123456");
  EXPECT_EQ(t["channel"], "web");
  EXPECT_NE(std::find(t["tags"].begin(), t["tags"].end(), "has-order"), t["tags"].end()) << t["tags"];
  // A bad order number: the form says which field, and nothing is made.
  const auto before = admin->get("/api/v1/tickets?limit=100").body["tickets"].size();
  auto bad = admin->request("POST", "/support",
                            "name=Kim&email=kim%40example.com&subject=x&message=y&field.order_number=12345",
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.raw.find("Please check Order number"), std::string::npos) << bad.raw;
  EXPECT_EQ(admin->get("/api/v1/tickets?limit=100").body["tickets"].size(), before);

  // The rule on customer.lifetime_value.
  ASSERT_EQ(admin->post("/api/v1/customers", {{"name", "Rich"}, {"emails", {"rich@example.com"}},
                                              {"attributes", {{"lifetime_value", 4000.5}}}})
                .status,
            201);
  auto rich = admin->post("/api/v1/tickets", {{"subject", "Refund"}, {"requester", {{"email", "rich@example.com"}}}});
  ASSERT_EQ(rich.status, 201) << rich.raw;
  EXPECT_NE(std::find(rich.body["tags"].begin(), rich.body["tags"].end(), "big-spender"), rich.body["tags"].end());
  EXPECT_EQ(rich.body["assignee_id"], agent_id("Bill"));  // Billing's agent
  EXPECT_NE(std::find(rich.body["triage"]["rules"].begin(), rich.body["triage"]["rules"].end(), "big spender"),
            rich.body["triage"]["rules"].end());
  auto poor = admin->post("/api/v1/tickets", {{"subject", "Refund"}, {"requester", {{"email", "poor@example.com"}}}});
  EXPECT_EQ(std::find(poor.body["tags"].begin(), poor.body["tags"].end(), "big-spender"), poor.body["tags"].end());
}

TEST_P(Customers, AccountRoutingGoesToTheOwnerAndFallsBackWhenTheOwnerIsOfflineBothExplained) {
  const auto olga = agent_id("Olga");
  auto org = admin->post("/api/v1/organizations",
                         {{"name", "Acme"}, {"domains", {"acme.example"}}, {"account_owner_id", olga}});
  ASSERT_EQ(org.status, 201) << org.raw;
  EXPECT_EQ(admin->post("/api/v1/organizations", {{"name", "Nobody"}, {"account_owner_id", 999}}).status, 422);
  auto first = admin->post("/api/v1/tickets", {{"subject", "One"}, {"team", "Support"},
                                                {"requester", {{"email", "ann@acme.example"}}}});
  ASSERT_EQ(first.status, 201) << first.raw;
  EXPECT_EQ(first.body["assignee_id"], olga);
  EXPECT_EQ(first.body["account_owner_id"], olga);
  EXPECT_EQ(first.body["routing"]["policy"], "account_owner");
  EXPECT_NE(first.body["routing"]["summary"].get<std::string>().find("account owner Olga"), std::string::npos)
      << first.body["routing"];

  auto first_decisions = admin->get("/api/v1/tickets/" + std::to_string(first.body["id"].get<int>()) + "/routing");
  ASSERT_FALSE(first_decisions.body["decisions"].empty()) << first_decisions.raw;
  EXPECT_EQ(first_decisions.body["decisions"][0]["policy"], "account_owner") << first_decisions.raw;

  ASSERT_EQ(admin->put("/api/v1/agents/" + std::to_string(olga) + "/presence", {{"presence", "offline"}}).status, 200);
  auto second = admin->post("/api/v1/tickets", {{"subject", "Two"}, {"team", "Support"},
                                                 {"requester", {{"email", "ann@acme.example"}}}});
  ASSERT_EQ(second.status, 201) << second.raw;
  EXPECT_EQ(second.body["assignee_id"], agent_id("Bob"));
  EXPECT_NE(second.body["routing"]["summary"].get<std::string>().find("account owner Olga"), std::string::npos);
  EXPECT_NE(second.body["routing"]["summary"].get<std::string>().find("offline, so the team's policy chose"),
            std::string::npos)
      << second.body["routing"];
  // The decision log says the same.
  auto decisions = admin->get("/api/v1/tickets/" + std::to_string(second.body["id"].get<int>()) + "/routing");
  EXPECT_NE(decisions.raw.find("offline, so the team's policy chose"), std::string::npos) << decisions.raw;
}

TEST_P(Customers, BadAttributeTypesAndUnknownFieldsAre422sNamingTheFieldAndChangeNothing) {
  auto expect_422 = [](const HttpResult& r, const std::string& field) {
    EXPECT_EQ(r.status, 422) << r.raw;
    EXPECT_EQ(r.body["error"]["field"], field) << r.raw;
  };
  expect_422(admin->post("/api/v1/customers", {{"emails", {"a@example.com"}}, {"attributes", {{"lifetime_value", "lots"}}}}),
             "attributes.lifetime_value");
  expect_422(admin->post("/api/v1/customers", {{"emails", {"a@example.com"}}, {"attributes", {{"shoe_size", 42}}}}),
             "attributes.shoe_size");
  expect_422(admin->post("/api/v1/customers", {{"emails", {"a@example.com"}}, {"attributes", {{"plan", "gold"}}}}),
             "attributes.plan");
  expect_422(admin->post("/api/v1/customers", {{"emails", {"a@example.com"}}, {"attributes", {{"vip_since", "2024-02-30"}}}}),
             "attributes.vip_since");
  expect_422(admin->post("/api/v1/customers", {{"emails", {"not an address"}}}), "emails[0]");
  expect_422(admin->post("/api/v1/customers", {{"emails", {"a@example.com"}}, {"tier", "gold"}}), "tier");
  expect_422(admin->post("/api/v1/customers", {{"emails", {"a@example.com"}}, {"shoe", 1}}), "shoe");
  expect_422(admin->post("/api/v1/organizations", {{"name", "X"}, {"attributes", {{"segment", 5}}}}),
             "attributes.segment");
  EXPECT_TRUE(admin->get("/api/v1/customers").body["customers"].empty());
  // Ticket custom fields: unknown, wrong type, not matching the pattern.
  expect_422(admin->post("/api/v1/tickets", {{"subject", "x"}, {"fields", {{"colour", "red"}}}}), "fields.colour");
  expect_422(admin->post("/api/v1/tickets", {{"subject", "x"}, {"fields", {{"gift", "yes"}}}}), "fields.gift");
  expect_422(admin->post("/api/v1/tickets", {{"subject", "x"}, {"fields", {{"order_number", "ab-1"}}}}),
             "fields.order_number");
  EXPECT_TRUE(admin->get("/api/v1/tickets").body["tickets"].empty());
  // An address another customer holds is a conflict on emails.
  ASSERT_EQ(admin->post("/api/v1/customers", {{"emails", {"b@example.com"}}}).status, 201);
  auto taken = admin->post("/api/v1/customers", {{"emails", {"c@example.com", "B@example.com"}}});
  EXPECT_EQ(taken.status, 409) << taken.raw;
  EXPECT_EQ(taken.body["error"]["field"], "emails");
  auto ok = admin->post("/api/v1/tickets", {{"subject", "x"}, {"fields", {{"order_number", "AB-123456"}, {"gift", true}}}});
  EXPECT_EQ(ok.status, 201) << ok.raw;
  EXPECT_EQ(ok.body["fields"]["gift"], true);
  // An agent's PATCH sets and removes fields, checked the same way.
  const std::string path = "/api/v1/tickets/" + std::to_string(ok.body["id"].get<int>());
  expect_422(admin->patch(path, {{"fields", {{"order_number", "nope"}}}}), "fields.order_number");
  auto patched = admin->patch(path, {{"fields", {{"order_number", "CD-654321"}, {"gift", nullptr}}}});
  ASSERT_EQ(patched.status, 200) << patched.raw;
  EXPECT_EQ(patched.body["fields"], json({{"order_number", "CD-654321"}}));
}

TEST_P(Customers, ImportIsReRunnableWithRejectsReportedAndMergeJoinsTwoRecords) {
  const std::string csv = (dir.path() / "customers.csv").string();
  std::ofstream(csv) << "external_id,email,name,organization,tier,lifetime_value,plan\n"
                        "c-1,ann@example.com,Ann,Acme,vip,1200,pro\n"
                        "c-2,bo@example.com;bo@home.example,Bo,Acme,,35.5,free\n"
                        "c-3,cy@example.com,Cy,,gold,,\n"             // an unknown tier
                        "c-4,di@example.com,Di,Beta Ltd,,lots,\n"     // not a number
                        ",eve@example.com,Eve,,,,business\n";
  const std::string rejects = (dir.path() / "rejects.csv").string();
  const std::string cmd = std::string(SWITCHBOARD_BINARY) + " import customers " + csv + " --url http://127.0.0.1:" +
                          std::to_string(server->port()) + " --token " + kAdmin + " --reject " + rejects + " 2>&1";
  auto first = run_command(cmd);
  EXPECT_EQ(first.exit_code, 1) << first.output;  // rows were refused
  EXPECT_NE(first.output.find("5 rows"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find("3 created, 0 updated, 0 unchanged, 2 rejected"), std::string::npos) << first.output;
  std::ifstream in(rejects);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("line 4: tier:"), std::string::npos) << text;
  EXPECT_NE(text.find("line 5: attributes.lifetime_value:"), std::string::npos) << text;
  EXPECT_EQ(text.find("Beta Ltd\",") , std::string::npos);
  // No organisation was made for the refused row.
  EXPECT_EQ(admin->get("/api/v1/organizations?q=beta").body["organizations"].size(), 0u);

  auto again = run_command(cmd);
  EXPECT_NE(again.output.find("0 created, 0 updated, 3 unchanged, 2 rejected"), std::string::npos) << again.output;
  auto acme = admin->get("/api/v1/organizations?q=acme").body["organizations"];
  ASSERT_EQ(acme.size(), 1u);
  auto acme_people = admin->get("/api/v1/customers?organization_id=" + std::to_string(acme[0]["id"].get<int>()));
  EXPECT_EQ(acme_people.body["customers"].size(), 2u);
  auto ann = admin->get("/api/v1/customers?q=c-1").body["customers"];
  ASSERT_EQ(ann.size(), 1u);
  EXPECT_EQ(ann[0]["tier"], "vip");
  EXPECT_EQ(ann[0]["attributes"]["lifetime_value"], 1200);

  // A changed row updates; paging by cursor walks them all once.
  std::ofstream(csv) << "external_id,email,name\nc-2,bo@work.example,Bo B.\n";
  auto changed = run_command(cmd);
  EXPECT_EQ(changed.exit_code, 0) << changed.output;
  EXPECT_NE(changed.output.find("0 created, 1 updated"), std::string::npos) << changed.output;
  std::vector<std::int64_t> seen;
  std::string cursor;
  for (int page = 0; page < 5; ++page) {
    auto p = admin->get("/api/v1/customers?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& c : p.body["customers"]) seen.push_back(c["id"]);
    if (p.body["next_cursor"].is_null()) break;
    cursor = p.body["next_cursor"];
  }
  EXPECT_EQ(seen.size(), 3u);

  // Merging: Eve's record goes into Ann's.
  const auto eve = admin->get("/api/v1/customers?q=eve").body["customers"][0];
  auto merged = admin->post("/api/v1/customers/" + std::to_string(ann[0]["id"].get<int>()) + "/merge", {{"from", eve["id"]}});
  ASSERT_EQ(merged.status, 200) << merged.raw;
  EXPECT_EQ(merged.body["emails"], json::array({"ann@example.com", "eve@example.com"}));
  EXPECT_EQ(merged.body["attributes"]["plan"], "pro");  // Ann's own value stays
  EXPECT_EQ(admin->get("/api/v1/customers/" + std::to_string(eve["id"].get<int>())).status, 404);
  auto mail_from_eve = admin->post("/api/v1/tickets", {{"subject", "hi"}, {"requester", {{"email", "eve@example.com"}}}});
  EXPECT_EQ(mail_from_eve.body["requester"]["customer_id"], ann[0]["id"]);
}

// Tickets from new addresses at once, several from each: every one is
// created (a clash between two drafts of one customer would fail every
// ticket committed with them), and each address makes one customer.
TEST_P(Customers, ConcurrentTicketsFromNewAddressesAllSucceedAndMakeOneCustomerEach) {
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  std::vector<std::string> failures(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c("127.0.0.1", server->port(), kAdmin);
      for (int i = 0; i < 25; ++i) {
        auto r = c.post("/api/v1/tickets", {{"subject", "burst"}, {"team", "Support"},
                                            {"requester", {{"email", "burst" + std::to_string(i % 5) + "@new.example"}}}});
        if (r.status == 201) ++created;
        else failures[t] = r.raw;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(created.load(), 200) << failures[0] << failures[1];
  auto customers = admin->get("/api/v1/customers?q=new%20example&limit=50");
  EXPECT_EQ(customers.body["customers"].size(), 5u) << customers.raw;
}

INSTANTIATE_TEST_SUITE_P(Stores, Customers, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sb::testing
