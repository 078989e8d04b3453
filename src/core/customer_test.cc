// Customers and organisations: the records' checks and the typed attributes.
#include "core/customer.h"

#include <gtest/gtest.h>

#include <limits>

namespace sb {
namespace {

const std::vector<std::string> kTiers{"standard", "vip", "enterprise"};
const std::vector<AttributeSpec> kSpecs{{"lifetime_value", AttributeType::kNumber, {}},
                                        {"plan", AttributeType::kOneOf, {"free", "pro", "business"}},
                                        {"churn_risk", AttributeType::kBoolean, {}},
                                        {"renewal", AttributeType::kDate, {}},
                                        {"notes", AttributeType::kText, {}}};

std::string field_of(const Status& s) { return s ? "ok" : s.error().field; }

TEST(Attributes, EachValueMustBeOfItsDeclaredType) {
  EXPECT_TRUE(check_attributes({{"lifetime_value", 4000.0}, {"plan", std::string("pro")}, {"churn_risk", false},
                                {"renewal", std::string("2027-02-28")}, {"notes", std::string("likes phone calls")}},
                               kSpecs));
  EXPECT_EQ(field_of(check_attributes({{"lifetime_value", std::string("4000")}}, kSpecs)), "attributes.lifetime_value");
  EXPECT_EQ(field_of(check_attributes({{"lifetime_value", std::numeric_limits<double>::infinity()}}, kSpecs)),
            "attributes.lifetime_value");
  EXPECT_EQ(field_of(check_attributes({{"plan", std::string("gold")}}, kSpecs)), "attributes.plan");
  EXPECT_EQ(check_attributes({{"plan", std::string("gold")}}, kSpecs).error().message,
            "'attributes.plan' must be one of: free, pro, business");
  EXPECT_EQ(field_of(check_attributes({{"churn_risk", std::string("yes")}}, kSpecs)), "attributes.churn_risk");
  EXPECT_EQ(field_of(check_attributes({{"renewal", std::string("2027-02-30")}}, kSpecs)), "attributes.renewal");
  EXPECT_EQ(field_of(check_attributes({{"renewal", std::string("28.02.2027")}}, kSpecs)), "attributes.renewal");
  EXPECT_TRUE(check_attributes({{"renewal", std::string("2028-02-29")}}, kSpecs));  // a leap day
  EXPECT_EQ(field_of(check_attributes({{"notes", std::string(1001, 'x')}}, kSpecs)), "attributes.notes");
  EXPECT_EQ(field_of(check_attributes({{"shoe_size", 42.0}}, kSpecs, "customer.attributes")),
            "customer.attributes.shoe_size");
}

TEST(Attributes, DeclarationsAreCheckedToo) {
  EXPECT_TRUE(check_specs(kSpecs, "customers.attributes"));
  EXPECT_EQ(field_of(check_specs({{"Plan", AttributeType::kText, {}}}, "customers.attributes")),
            "customers.attributes[0].name");
  EXPECT_EQ(field_of(check_specs({{"a", AttributeType::kText, {}}, {"a", AttributeType::kNumber, {}}}, "x")), "x[1].name");
  EXPECT_EQ(field_of(check_specs({{"plan", AttributeType::kOneOf, {}}}, "x")), "x[0].values");
}

TEST(Customers, AreNormalisedAndCheckedAgainstTiersAndAttributes) {
  Customer c;
  c.name = "Kim Novak";
  c.emails = {"Kim@BigCo.com", "kim.novak@home.example"};
  c.tier = "enterprise";
  c.language = "pt-BR";
  c.time_zone = "America/Argentina/Buenos_Aires";
  c.attributes = {{"lifetime_value", 4000.0}};
  ASSERT_TRUE(validate(c, kTiers, kSpecs));
  EXPECT_EQ(c.emails[0], "kim@bigco.com");
  EXPECT_EQ(email_domain(c.emails[0]), "bigco.com");
  EXPECT_EQ(email_domain("no address"), "");

  auto bad = [&](auto change) {
    Customer d = c;
    change(d);
    return field_of(validate(d, kTiers, kSpecs));
  };
  EXPECT_EQ(bad([](Customer& d) { d.emails.push_back("KIM@bigco.com"); }), "emails[2]");  // twice, whatever the case
  EXPECT_EQ(bad([](Customer& d) { d.emails[1] = "not an address"; }), "emails[1]");
  EXPECT_EQ(bad([](Customer& d) { d.tier = "gold"; }), "tier");
  EXPECT_EQ(bad([](Customer& d) { d.language = "portuguese please"; }), "language");
  EXPECT_EQ(bad([](Customer& d) { d.time_zone = "../etc/passwd"; }), "time_zone");
  EXPECT_EQ(bad([](Customer& d) { d.attributes["plan"] = std::string("gold"); }), "attributes.plan");
  EXPECT_EQ(bad([](Customer& d) {
              d.name.clear();
              d.emails.clear();
            }),
            "emails");
  EXPECT_EQ(bad([](Customer& d) { d.language = "de"; }), "ok");
}

TEST(Organizations, HaveANameAndPlausibleDomains) {
  Organization o;
  o.name = "BigCo";
  o.domains = {"BigCo.com", "bigco.co.uk"};
  o.tier = "enterprise";
  ASSERT_TRUE(validate(o, kTiers, kSpecs));
  EXPECT_EQ(o.domains[0], "bigco.com");
  auto bad = [&](auto change) {
    Organization p = o;
    change(p);
    return field_of(validate(p, kTiers, kSpecs));
  };
  EXPECT_EQ(bad([](Organization& p) { p.name.clear(); }), "name");
  EXPECT_EQ(bad([](Organization& p) { p.domains.push_back("localhost"); }), "domains[2]");
  EXPECT_EQ(bad([](Organization& p) { p.domains.push_back("bigco..com"); }), "domains[2]");
  EXPECT_EQ(bad([](Organization& p) { p.domains.push_back("BIGCO.COM"); }), "domains[2]");
  EXPECT_EQ(bad([](Organization& p) { p.tier = "gold"; }), "tier");
  EXPECT_EQ(bad([](Organization& p) { p.attributes["renewal"] = 2027.0; }), "attributes.renewal");
}

}  // namespace
}  // namespace sb
