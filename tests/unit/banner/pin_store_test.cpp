// The strict-tls pin cache over time: storing, expiry, max-age=0 removal, replacement,
// the size bound and the text form (BAN-10, BAN-13, BAN-18, BAN-22, BAN-25).
#include "mxtls/spec/banner/pin_store.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace {

namespace banner = mxtls::spec::banner;
using banner::apply_outcome;
using banner::pin_store;

banner::strict_tls_directive directive(std::string const& token) {
  auto d = banner::parse_directive(token);
  if (!d) {
    ADD_FAILURE() << token << ": " << d.error().message();
    return {};
  }
  return std::move(*d);
}

// [BAN-18] expiry = t + max-age; [BAN-25] compared with the same clock.
TEST(PinStore, CoversMatchingHostsUntilExpiry) {
  pin_store s;
  EXPECT_EQ(s.apply(directive("strict-tls=*.example.com; max-age=100"), "mx1.example.com", 1000),
            apply_outcome::stored);
  auto p = s.find_covering("mx2.example.com", 1000);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->expires_at, 1100);
  EXPECT_TRUE(s.find_covering("MX2.EXAMPLE.COM.", 1099));
  EXPECT_FALSE(s.find_covering("mx2.example.com", 1100)) << "a pin expires at now + max-age";
  EXPECT_FALSE(s.find_covering("example.com", 1000)) << "no includeSubDomains: the base is not covered";
  EXPECT_FALSE(s.find_covering("a.mx2.example.com", 1000));
  EXPECT_FALSE(s.find_covering("mx2.example.net", 1000));
}

// [BAN-13] coverage table, "*.B" + includeSubDomains row.
TEST(PinStore, WildcardWithIncludeSubDomainsCoversEveryDepthButNotTheBase) {
  pin_store s;
  s.apply(directive("strict-tls=*.example.com; max-age=100; includeSubDomains"), "mx1.example.com", 0);
  for (char const* host : {"mx9.example.com", "a.b.c.example.com"}) {
    SCOPED_TRACE(host);
    EXPECT_TRUE(s.find_covering(host, 50));
  }
  EXPECT_FALSE(s.find_covering("example.com", 50)) << "D-21: '*.' never covers the base";
  EXPECT_FALSE(s.find_covering("badexample.com", 50));
  EXPECT_FALSE(s.find_covering("com", 50));
}

// [BAN-13] coverage table, exact P + includeSubDomains row.
TEST(PinStore, ExactWithIncludeSubDomainsCoversItselfAndEveryDepth) {
  pin_store s;
  s.apply(directive("strict-tls=mx1.example.com; max-age=100; includeSubDomains"), "mx1.example.com", 0);
  for (char const* host : {"mx1.example.com", "a.mx1.example.com", "a.b.mx1.example.com"}) {
    SCOPED_TRACE(host);
    EXPECT_TRUE(s.find_covering(host, 50));
  }
  EXPECT_FALSE(s.find_covering("mx2.example.com", 50));
  EXPECT_FALSE(s.find_covering("example.com", 50));
}

// [BAN-10] max-age=0 removes the pin with the same pattern and creates none.
TEST(PinStore, MaxAgeZeroRemovesThePinForThatPatternOnly) {
  pin_store s;
  s.apply(directive("strict-tls=*.example.com; max-age=100"), "mx1.example.com", 0);
  s.apply(directive("strict-tls=mx1.example.com; max-age=100"), "mx1.example.com", 0);
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(s.apply(directive("strict-tls=*.example.com; max-age=0"), "mx1.example.com", 10), apply_outcome::removed);
  EXPECT_EQ(s.size(), 1u);
  EXPECT_FALSE(s.find_covering("mx2.example.com", 10));
  EXPECT_TRUE(s.find_covering("mx1.example.com", 10)) << "the exact pin is another pattern";
  EXPECT_EQ(s.apply(directive("strict-tls=*.example.com; max-age=0"), "mx1.example.com", 10),
            apply_outcome::nothing_to_remove);
}

// [BAN-18] replacing includes the includeSubDomains flag.
TEST(PinStore, NewerDirectiveReplacesPinForSamePattern) {
  pin_store s;
  s.apply(directive("strict-tls=*.example.com; max-age=1000; includeSubDomains"), "mx1.example.com", 0);
  EXPECT_TRUE(s.find_covering("a.b.example.com", 99));
  // A shorter, narrower directive from the same pattern wins: it is the host's current word.
  EXPECT_EQ(s.apply(directive("strict-tls=*.example.com; max-age=10"), "mx2.example.com", 100),
            apply_outcome::replaced);
  ASSERT_EQ(s.size(), 1u);
  auto const p = s.pins().front();
  EXPECT_EQ(p.expires_at, 110);
  EXPECT_FALSE(p.include_subdomains);
  EXPECT_FALSE(s.find_covering("a.b.example.com", 105)) << "the replacement dropped includeSubDomains";
  EXPECT_FALSE(s.find_covering("mx1.example.com", 110));
}

// [BAN-12] out-of-scope directives are ignored, removals included.
TEST(PinStore, OutOfScopeDirectiveChangesNothing) {
  pin_store s;
  EXPECT_EQ(s.apply(directive("strict-tls=*.bank.example; max-age=1000"), "mx1.example.com", 0),
            apply_outcome::out_of_scope);
  EXPECT_EQ(s.apply(directive("strict-tls=example.com; max-age=1000"), "mx1.example.com", 0),
            apply_outcome::out_of_scope);
  EXPECT_EQ(s.size(), 0u);
  s.apply(directive("strict-tls=*.example.com; max-age=1000"), "mx1.example.com", 0);
  EXPECT_EQ(s.apply(directive("strict-tls=*.example.com; max-age=0"), "mx1.example.net", 0),
            apply_outcome::out_of_scope);
  EXPECT_EQ(s.size(), 1u) << "an unrelated host cannot remove a pin";
}

TEST(PinStore, FindCoveringReturnsTheLongestLivedPin) {
  pin_store s;
  s.apply(directive("strict-tls=*.example.com; max-age=500"), "mx1.example.com", 0);
  s.apply(directive("strict-tls=mx1.example.com; max-age=1000"), "mx1.example.com", 0);
  s.apply(directive("strict-tls=example.com; max-age=2000; includeSubDomains"), "example.com", 0);
  s.apply(directive("strict-tls=*.mx1.example.com; max-age=3000; includeSubDomains"), "a.mx1.example.com", 0);
  auto p = s.find_covering("mx1.example.com", 0);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->pattern.to_string(), "example.com");
  EXPECT_EQ(p->expires_at, 2000);
  p = s.find_covering("mx1.example.com", 2000);
  EXPECT_FALSE(p);
  p = s.find_covering("mx1.example.com", 999);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->expires_at, 2000);
}

TEST(PinStore, PruneDropsExpiredPins) {
  pin_store s;
  s.apply(directive("strict-tls=*.a.example; max-age=10"), "mx.a.example", 0);
  s.apply(directive("strict-tls=*.b.example; max-age=20"), "mx.b.example", 0);
  s.apply(directive("strict-tls=*.c.example; max-age=30"), "mx.c.example", 0);
  EXPECT_EQ(s.prune(9), 0u);
  EXPECT_EQ(s.prune(20), 2u);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s.pins().front().pattern.base, "c.example");
}

// [BAN-22] bounded; drop the soonest-expiring, report live evictions.
TEST(PinStore, WhenFullExpiredPinsGoFirstThenTheSoonestExpiring) {
  pin_store s(3);
  s.apply(directive("strict-tls=*.a.example; max-age=50"), "mx.a.example", 0);
  s.apply(directive("strict-tls=*.b.example; max-age=10"), "mx.b.example", 0);
  s.apply(directive("strict-tls=*.c.example; max-age=30"), "mx.c.example", 0);
  std::vector<banner::pin> evicted;
  EXPECT_EQ(s.apply(directive("strict-tls=*.d.example; max-age=5"), "mx.d.example", 0, &evicted),
            apply_outcome::stored);
  EXPECT_EQ(s.size(), 3u);
  ASSERT_EQ(evicted.size(), 1u) << "a live pin dropped for room is reported (BAN-22: log it)";
  EXPECT_EQ(evicted.front().pattern.to_string(), "*.b.example");
  EXPECT_FALSE(s.find_covering("mx.b.example", 0)) << "b expired soonest and was evicted";
  EXPECT_TRUE(s.find_covering("mx.d.example", 0)) << "the new pin is always stored";
  // At t=40, c (expires 30) and d (expires 5) have expired: both go, nothing live is evicted.
  evicted.clear();
  s.apply(directive("strict-tls=*.e.example; max-age=100"), "mx.e.example", 40, &evicted);
  EXPECT_EQ(s.size(), 2u);
  EXPECT_TRUE(evicted.empty());
  EXPECT_TRUE(s.find_covering("mx.a.example", 40));
  EXPECT_TRUE(s.find_covering("mx.e.example", 40));
}

TEST(PinStore, ReplacingNeverEvicts) {
  pin_store s(2);
  s.apply(directive("strict-tls=*.a.example; max-age=50"), "mx.a.example", 0);
  s.apply(directive("strict-tls=*.b.example; max-age=10"), "mx.b.example", 0);
  EXPECT_EQ(s.apply(directive("strict-tls=*.a.example; max-age=60"), "mx.a.example", 0), apply_outcome::replaced);
  EXPECT_EQ(s.size(), 2u);
  EXPECT_TRUE(s.find_covering("mx.b.example", 0));
}

TEST(PinStore, ExpiryDoesNotOverflow) {
  pin_store s;
  constexpr auto max = std::numeric_limits<banner::unix_seconds>::max();
  s.apply(directive("strict-tls=*.example.com; max-age=31557600"), "mx1.example.com", max - 5);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s.pins().front().expires_at, max);
}

TEST(PinStore, SerializesOnePinPerLineOrderedByPattern) {
  pin_store s;
  s.apply(directive("strict-tls=mx1.example.com; max-age=100; includeSubDomains"), "mx1.example.com", 1000);
  s.apply(directive("strict-tls=*.example.com; max-age=50"), "mx1.example.com", 1000);
  EXPECT_EQ(s.serialize(),
            "mxtls-strict-tls-pins 1\n"
            "*.example.com 1050 -\n"
            "mx1.example.com 1100 includeSubDomains\n");
}

TEST(PinStore, DeserializeRoundTrips) {
  pin_store s;
  s.apply(directive("strict-tls=mx1.example.com; max-age=100; includeSubDomains"), "mx1.example.com", -20);
  s.apply(directive("strict-tls=*.example.com; max-age=50"), "mx1.example.com", 1000);
  s.apply(directive("strict-tls=*.xn--bcher-kva.example; max-age=7"), "mx.xn--bcher-kva.example", 3);
  auto back = pin_store::deserialize(s.serialize());
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(back->serialize(), s.serialize());
  EXPECT_TRUE(back->find_covering("mx7.example.com", 1049));
}

TEST(PinStore, DeserializeEmptyStore) {
  auto s = pin_store::deserialize("mxtls-strict-tls-pins 1\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->size(), 0u);
}

struct store_case {
  char const* name;
  std::string text;
  bool valid;
  banner::errc error;
  char const* requirement;
  std::size_t offset;
};

TEST(PinStore, DeserializeTable) {
  using E = banner::errc;
  std::string const h = "mxtls-strict-tls-pins 1\n";
  store_case const table[] = {
      {"crlf", "mxtls-strict-tls-pins 1\r\n*.example.com 5 -\r\n", true, {}, "", 0},
      {"no final lf", h + "*.example.com 5 -", true, {}, "", 0},
      {"negative expiry", h + "*.example.com -5 includeSubDomains\n", true, {}, "", 0},
      {"empty text", "", false, E::store_header_invalid, "BAN-18", 0},
      {"other version", "mxtls-strict-tls-pins 2\n", false, E::store_header_invalid, "BAN-18", 0},
      {"two fields", h + "*.example.com 5\n", false, E::store_entry_invalid, "BAN-18", 24},
      {"four fields", h + "*.example.com 5 - x\n", false, E::store_entry_invalid, "BAN-18", 24},
      {"double space", h + "*.example.com  5 -\n", false, E::store_entry_invalid, "BAN-18", 24},
      {"empty line", h + "\n*.example.com 5 -\n", false, E::store_entry_invalid, "BAN-18", 24},
      {"expiry not a number", h + "*.example.com soon -\n", false, E::store_entry_invalid, "BAN-18", 38},
      {"expiry with plus", h + "*.example.com +5 -\n", false, E::store_entry_invalid, "BAN-18", 38},
      {"expiry overflows", h + "*.example.com 99999999999999999999 -\n", false, E::store_entry_invalid, "BAN-18", 38},
      {"unknown flag", h + "*.example.com 5 includesubdomains\n", false, E::store_entry_invalid, "BAN-18", 40},
      {"bad pattern", h + "*.com 5 -\n", false, E::pattern_too_few_labels, "BAN-11", 29},
      {"upper-case pattern", h + "*.EXAMPLE.com 5 -\n", true, {}, "", 0},
      {"duplicate", h + "*.example.com 5 -\n*.Example.com 6 -\n", false, E::store_duplicate_entry, "BAN-18", 42},
  };
  for (auto const& c : table) {
    SCOPED_TRACE(c.name);
    auto s = pin_store::deserialize(c.text);
    if (c.valid) {
      EXPECT_TRUE(s) << s.error().message();
      continue;
    }
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, c.error) << s.error().message();
    EXPECT_EQ(s.error().requirement, c.requirement);
    EXPECT_EQ(s.error().offset, c.offset);
  }
}

TEST(PinStore, DeserializeEnforcesCapacity) {
  std::string const text = "mxtls-strict-tls-pins 1\n*.a.example 5 -\n*.b.example 5 -\n";
  EXPECT_TRUE(pin_store::deserialize(text, 2));
  auto s = pin_store::deserialize(text, 1);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, banner::errc::store_capacity_exceeded);
  EXPECT_EQ(s.error().offset, 40u);
}

}  // namespace
