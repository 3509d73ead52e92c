// The MTA-STS policy cache of mxtls-send: expiry from the last fetch (STS-3.3-11), max_age 0
// never cached (STS-3.2-11), the five-minute backoff per id (STS-3.3-07), bounded size, and
// its text form round trip (a damaged file is an error, never a wrong policy).
#include "mxtls/client/sts_cache.hpp"

#include <gtest/gtest.h>

namespace mxtls::client {
namespace {

sts_entry entry(std::string domain, std::string id, std::string body, unix_seconds at) {
  auto p = spec::mtasts::parse_policy(body).value();
  return sts_entry{std::move(domain), std::move(id), std::move(body), std::move(p), at};
}

std::string const enforce_body = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.test\r\nmax_age: 600\r\n";

TEST(StsCache, PolicyAppliesUntilMaxAgeAfterTheFetch) {
  sts_cache c;
  c.store(entry("example.test", "a1", enforce_body, 1000), 1000);
  ASSERT_TRUE(c.find("example.test", 1000));
  EXPECT_TRUE(c.find("example.test", 1599));
  EXPECT_FALSE(c.find("example.test", 1600));  // [STS-3.3-11] expired
  EXPECT_TRUE(c.find_any("example.test"));      // still there for --explain until pruned
  EXPECT_EQ(c.prune(1600), 1u);
  EXPECT_FALSE(c.find_any("example.test"));
}

TEST(StsCache, MaxAgeZeroIsNeverStoredAndRemovesTheOldEntry) {
  sts_cache c;
  c.store(entry("example.test", "a1", enforce_body, 1000), 1000);
  c.store(entry("example.test", "a2", "version: STSv1\nmode: none\nmax_age: 0\n", 1100), 1100);
  EXPECT_FALSE(c.find_any("example.test"));
  EXPECT_EQ(c.size(), 0u);
}

TEST(StsCache, NewerFetchReplacesTheEntry) {
  sts_cache c;
  c.store(entry("example.test", "a1", enforce_body, 1000), 1000);
  c.store(entry("example.test", "a2", "version: STSv1\nmode: testing\nmx: *.example.test\nmax_age: 60\n", 1500), 1500);
  auto e = c.find("example.test", 1500);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->id, "a2");
  EXPECT_EQ(e->policy.mode, spec::mtasts::policy_mode::testing);
  EXPECT_EQ(e->expires_at(), 1560);
}

TEST(StsCache, FailedFetchBacksOffThatIdForFiveMinutes) {
  sts_cache c;
  c.note_failed_fetch("example.test", "a1", 1000);
  EXPECT_TRUE(c.backing_off("example.test", "a1", 1000));
  EXPECT_TRUE(c.backing_off("example.test", "a1", 1299));
  EXPECT_FALSE(c.backing_off("example.test", "a1", 1300));  // [STS-3.3-07] 300 s
  EXPECT_FALSE(c.backing_off("example.test", "b2", 1000));  // another id may be fetched at once
  EXPECT_FALSE(c.backing_off("other.test", "a1", 1000));
  // A successful fetch of that id ends its backoff.
  c.store(entry("example.test", "a1", enforce_body, 1100), 1100);
  EXPECT_FALSE(c.backing_off("example.test", "a1", 1100));
}

TEST(StsCache, FullCacheEvictsTheEntryThatExpiresFirst) {
  sts_cache c(2);
  c.store(entry("a.test", "1", enforce_body, 1000), 1000);  // expires 1600
  c.store(entry("b.test", "1", enforce_body, 900), 1000);   // expires 1500
  c.store(entry("c.test", "1", enforce_body, 1000), 1000);
  EXPECT_EQ(c.size(), 2u);
  EXPECT_TRUE(c.find_any("a.test"));
  EXPECT_FALSE(c.find_any("b.test"));
  EXPECT_TRUE(c.find_any("c.test"));
}

TEST(StsCache, TextFormRoundTrips) {
  sts_cache c;
  c.store(entry("example.test", "a1", enforce_body, 1000), 1000);
  c.store(entry("other.test", "Z9", "version: STSv1\nmode: testing\nmx: *.other.test\nmax_age: 86400\n", 5), 5);
  c.note_failed_fetch("third.test", "x", 42);
  auto text = c.serialize();
  auto back = sts_cache::deserialize(text);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, c);
  EXPECT_EQ(back->serialize(), text);
  EXPECT_TRUE(back->backing_off("third.test", "x", 100));
}

TEST(StsCache, DamagedTextIsRefused) {
  std::string const bad[] = {
      "",
      "[]",
      R"({"format":"mxtls-sts-cache 2","policies":[],"backoff":[]})",
      R"({"format":"mxtls-sts-cache 1","policies":{},"backoff":[]})",
      R"({"format":"mxtls-sts-cache 1","policies":[{"domain":"a.test","id":"1","fetched_at":1}],"backoff":[]})",
      R"({"format":"mxtls-sts-cache 1","policies":[{"domain":"a.test","id":"1","fetched_at":1,"policy":"mode: enforce"}],"backoff":[]})",
      R"({"format":"mxtls-sts-cache 1","policies":[{"domain":"A.test","id":"1","fetched_at":1,"policy":"version: STSv1\nmode: none\nmax_age: 5\n"}],"backoff":[]})",
      R"({"format":"mxtls-sts-cache 1","policies":[{"domain":"a.test","id":"no-dash","fetched_at":1,"policy":"version: STSv1\nmode: none\nmax_age: 5\n"}],"backoff":[]})",
      R"({"format":"mxtls-sts-cache 1","policies":[],"backoff":[{"domain":"a.test","id":"1"}]})",
  };
  for (auto const& t : bad) {
    auto r = sts_cache::deserialize(t);
    ASSERT_FALSE(r) << t;
    EXPECT_EQ(r.error().code, make_error_code(errc::state_invalid)) << t;
  }
  auto ok = sts_cache::deserialize(R"({"format":"mxtls-sts-cache 1","policies":[],"backoff":[]})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->size(), 0u);
}

}  // namespace
}  // namespace mxtls::client
