#include "http/proxies.h"

#include <gtest/gtest.h>

namespace sb::http {
namespace {

TEST(TrustedProxies, OnlyATrustedPeerSaysWhoTheClientIs) {
  auto p = TrustedProxies::parse({"127.0.0.1", "10.0.0.0/8", "fd00::/8"});
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_TRUE(p->trusts("10.2.3.4"));
  EXPECT_TRUE(p->trusts("::ffff:127.0.0.1"));  // IPv4-mapped
  EXPECT_TRUE(p->trusts("fd12::1"));
  EXPECT_FALSE(p->trusts("11.0.0.1"));
  EXPECT_FALSE(p->trusts("not an address"));
  // An untrusted peer's header is ignored.
  EXPECT_EQ(p->client("198.51.100.7", "203.0.113.5"), "198.51.100.7");
  // Behind trusted hops: the nearest untrusted address, read from the right.
  EXPECT_EQ(p->client("127.0.0.1", "203.0.113.5"), "203.0.113.5");
  EXPECT_EQ(p->client("127.0.0.1", "6.6.6.6, 203.0.113.5, 10.1.1.1"), "203.0.113.5");
  EXPECT_EQ(p->client("127.0.0.1", "10.9.9.9, 10.1.1.1"), "10.9.9.9");  // all trusted: the first
  EXPECT_EQ(p->client("127.0.0.1", ""), "127.0.0.1");
  EXPECT_EQ(p->client("127.0.0.1", "junk, 10.1.1.1"), "10.1.1.1");  // believe no further than junk
}

TEST(TrustedProxies, AnEntryThatIsNoAddressIsAnError) {
  auto bad = TrustedProxies::parse({"10.0.0.0/8", "proxy.example.com"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("proxy.example.com"), std::string::npos);
  EXPECT_FALSE(TrustedProxies::parse({"10.0.0.0/40"}).ok());
  EXPECT_TRUE(TrustedProxies::parse({}).ok());
}

}  // namespace
}  // namespace sb::http
