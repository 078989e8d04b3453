// The store contract for customers and organisations (docs/customers.md):
// records round-trip, an address, domain or external id belongs to one
// record, search and cursor paging, removal; a ticket keeps its match.
#include "db/store_contract.h"

namespace sb::contract {
namespace {

Organization bigco(std::int64_t id = 1) {
  Organization o;
  o.id = OrganizationId{id};
  o.name = "BigCo Ltd";
  o.domains = {"bigco.com", "bigco.de"};
  o.tier = "enterprise";
  o.account_owner = AgentId{7};
  o.external_id = "crm-org-1";
  o.attributes = {{"plan", std::string("business")}, {"seats", 250.0}};
  o.created_at = from_millis(1000);
  o.updated_at = from_millis(2000);
  return o;
}

Customer ada(std::int64_t id = 1) {
  Customer c;
  c.id = CustomerId{id};
  c.name = "Ada Lovelace";
  c.emails = {"ada@bigco.com", "ada@home.example"};
  c.organization = OrganizationId{1};
  c.tier = "vip";
  c.language = "en-GB";
  c.time_zone = "Europe/London";
  c.external_id = "crm-77";
  c.attributes = {{"lifetime_value", 4000.5}, {"newsletter", true}, {"since", std::string("2019-03-01")}};
  c.created_at = from_millis(1000);
  c.updated_at = from_millis(3000);
  return c;
}

TEST_P(StoreContract, CustomersAndOrganisationsRoundTripAndAreFoundByAddressDomainOrExternalId) {
  WriteBatch b;
  b.organizations = {bigco()};
  b.customers = {ada()};
  ASSERT_TRUE(store->commit(b).ok());

  auto c = store->find_customer_by_email("ada@home.example");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->id, CustomerId{1});
  EXPECT_EQ((*c)->name, "Ada Lovelace");
  EXPECT_EQ((*c)->emails, ada().emails);
  EXPECT_EQ((*c)->organization, OrganizationId{1});
  EXPECT_EQ((*c)->tier, "vip");
  EXPECT_EQ((*c)->language, "en-GB");
  EXPECT_EQ((*c)->time_zone, "Europe/London");
  EXPECT_EQ((*c)->attributes, ada().attributes);
  EXPECT_EQ((*c)->updated_at, from_millis(3000));
  EXPECT_EQ((*store->find_customer_by_external_id("crm-77"))->id, CustomerId{1});
  EXPECT_TRUE(store->find_customer(CustomerId{1})->has_value());
  EXPECT_FALSE(store->find_customer_by_email("nobody@bigco.com")->has_value());

  auto o = store->find_organization_by_domain("bigco.de");
  ASSERT_TRUE(o.ok() && o->has_value());
  EXPECT_EQ((*o)->name, "BigCo Ltd");
  EXPECT_EQ((*o)->account_owner, AgentId{7});
  EXPECT_EQ((*o)->tier, "enterprise");
  EXPECT_EQ((*o)->attributes, bigco().attributes);
  EXPECT_EQ((*store->find_organization_by_external_id("crm-org-1"))->id, OrganizationId{1});
  EXPECT_EQ(*store->last_customer_id(), 1);
  EXPECT_EQ(*store->last_organization_id(), 1);

  // An update replaces the addresses: the old one no longer finds it.
  Customer moved = ada();
  moved.emails = {"ada@newco.example"};
  WriteBatch update;
  update.customers = {moved};
  ASSERT_TRUE(store->commit(update).ok());
  EXPECT_FALSE(store->find_customer_by_email("ada@bigco.com")->has_value());
  EXPECT_TRUE(store->find_customer_by_email("ada@newco.example")->has_value());
}

TEST_P(StoreContract, AnAddressDomainOrExternalIdBelongsToOneRecordAndAConflictWritesNothing) {
  WriteBatch b;
  b.organizations = {bigco()};
  b.customers = {ada()};
  ASSERT_TRUE(store->commit(b).ok());

  Customer other = ada(2);
  other.external_id = "";
  other.emails = {"grace@bigco.com", "ada@bigco.com"};
  WriteBatch clash;
  clash.customers = {other};
  auto s = store->commit(clash);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(s.error().field, "emails");
  EXPECT_FALSE(store->find_customer_by_email("grace@bigco.com")->has_value());  // nothing written

  Customer same_external = ada(3);
  same_external.emails = {"x@y.example"};
  WriteBatch clash2;
  clash2.customers = {same_external};
  s = store->commit(clash2);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().field, "external_id");

  Organization other_org = bigco(2);
  other_org.external_id = "";
  other_org.domains = {"bigco.com"};
  WriteBatch clash3;
  clash3.organizations = {other_org};
  s = store->commit(clash3);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().field, "domains");
  EXPECT_FALSE(store->find_organization(OrganizationId{2})->has_value());
}

TEST_P(StoreContract, CustomersAreSearchedByWordPrefixAndPagedByCursor) {
  WriteBatch b;
  b.organizations = {bigco()};
  for (int i = 1; i <= 5; ++i) {
    Customer c;
    c.id = CustomerId{i};
    c.name = i % 2 ? "Grace Hopper " + std::to_string(i) : "Alan Turing " + std::to_string(i);
    c.emails = {"p" + std::to_string(i) + (i <= 3 ? "@bigco.com" : "@small.example")};
    if (i <= 3) c.organization = OrganizationId{1};
    c.external_id = "ext-" + std::to_string(i);
    c.created_at = c.updated_at = from_millis(i);
    b.customers.push_back(c);
  }
  ASSERT_TRUE(store->commit(b).ok());

  auto ids = [&](DirectoryQuery q) {
    std::vector<std::int64_t> out;
    auto got = store->list_customers(q);
    EXPECT_TRUE(got.ok()) << got.error().message;
    if (got.ok()) for (const Customer& c : *got) out.push_back(c.id.value);
    return out;
  };
  EXPECT_EQ(ids({"grac", std::nullopt, 0, 50}), (std::vector<std::int64_t>{1, 3, 5}));
  EXPECT_EQ(ids({"HOPPER bigco", std::nullopt, 0, 50}), (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(ids({"race", std::nullopt, 0, 50}), std::vector<std::int64_t>{});  // prefixes of words only
  EXPECT_EQ(ids({"ext 4", std::nullopt, 0, 50}), std::vector<std::int64_t>{4});
  EXPECT_EQ(ids({"", OrganizationId{1}, 0, 50}), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(ids({"", std::nullopt, 0, 2}), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(ids({"", std::nullopt, 2, 2}), (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(ids({"", std::nullopt, 4, 2}), std::vector<std::int64_t>{5});

  auto orgs = store->list_organizations({"bigco", std::nullopt, 0, 10});
  ASSERT_TRUE(orgs.ok());
  ASSERT_EQ(orgs->size(), 1u);
  EXPECT_TRUE(store->list_organizations({"smallco", std::nullopt, 0, 10})->empty());
}

TEST_P(StoreContract, ARemovedRecordFreesItsAddressesAndItsIdIsNotGivenAgain) {
  WriteBatch b;
  b.organizations = {bigco()};
  b.customers = {ada()};
  ASSERT_TRUE(store->commit(b).ok());
  WriteBatch removal;
  removal.removed_customers = {CustomerId{1}};
  removal.removed_organizations = {OrganizationId{1}};
  ASSERT_TRUE(store->commit(removal).ok());
  EXPECT_FALSE(store->find_customer(CustomerId{1})->has_value());
  EXPECT_FALSE(store->find_customer_by_email("ada@bigco.com")->has_value());
  EXPECT_FALSE(store->find_organization_by_domain("bigco.com")->has_value());
  EXPECT_TRUE(store->list_customers({})->empty());
  EXPECT_EQ(*store->last_customer_id(), 1);  // the next customer is 2
  EXPECT_EQ(*store->last_organization_id(), 1);

  // The address and the external id can be another record's now.
  WriteBatch again;
  again.customers = {ada(2)};
  again.customers[0].organization.reset();
  ASSERT_TRUE(store->commit(again).ok());
  EXPECT_EQ((*store->find_customer_by_email("ada@bigco.com"))->id, CustomerId{2});
}

TEST_P(StoreContract, ATicketKeepsItsCustomerMatchFieldsAndAccountOwnerAndReportsGroupByOrganisation) {
  Ticket t = sample_ticket(1);
  t.requester.customer = CustomerId{12};
  t.requester.organization = OrganizationId{3};
  t.requester.matched = "customer 12 by address ana@example.com";
  t.fields = {{"order_number", std::string("AB-123456")}, {"amount", 12.5}, {"gift", false}};
  t.account_owner = AgentId{9};
  Ticket plain = sample_ticket(2);
  ASSERT_TRUE(store->commit(WriteBatch{{t, plain}, {}, {}, {}, {}}).ok());
  auto got = store->find_ticket(TicketId{1});
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->requester.customer, CustomerId{12});
  EXPECT_EQ((*got)->requester.organization, OrganizationId{3});
  EXPECT_EQ((*got)->requester.matched, t.requester.matched);
  EXPECT_EQ((*got)->fields, t.fields);
  EXPECT_EQ((*got)->account_owner, AgentId{9});
  auto bare = store->find_ticket(TicketId{2});
  EXPECT_FALSE((*bare)->requester.customer);
  EXPECT_TRUE((*bare)->fields.empty());

  auto facts = store->ticket_facts(from_millis(0), from_millis(10'000), ReportGroup::kOrganization);
  ASSERT_TRUE(facts.ok());
  std::vector<std::string> groups;
  for (const TicketFact& f : *facts) groups.push_back(f.group);
  std::sort(groups.begin(), groups.end());
  EXPECT_EQ(groups, (std::vector<std::string>{"", "3"}));
}

}  // namespace
}  // namespace sb::contract
