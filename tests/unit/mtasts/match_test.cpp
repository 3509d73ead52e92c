// MX host validation against the policy's mx patterns (RFC 8461 §4.1): tables and every
// case of spec/vectors/mx_match.json. Covers STS-4.1-01..04, STS-3.2-12..15.
#include "mxtls/spec/mtasts/policy.hpp"

#include "vector_check.hpp"
#include "vectors.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mtasts = mxtls::spec::mtasts;
namespace dns = mxtls::spec::dns;
using mxtls::test::str;

namespace {

mtasts::policy policy_with(std::vector<std::string> const& patterns) {
  mtasts::policy p;
  p.mode = mtasts::policy_mode::enforce;
  for (auto const& s : patterns) p.mx.push_back(mtasts::parse_mx_pattern(s).value());
  return p;
}

TEST(MtaStsMatch, WildcardMatchesExactlyOneLabel) {
  auto const p = policy_with({"*.example.com"});
  EXPECT_TRUE(mtasts::mx_matches(p, "mail.example.com"));
  EXPECT_FALSE(mtasts::mx_matches(p, "example.com"));
  EXPECT_FALSE(mtasts::mx_matches(p, "foo.bar.example.com"));
}

TEST(MtaStsMatch, NeverASubstringOrSuffixMatch) {
  auto const p = policy_with({"mail.example.com", "*.example.net"});
  for (const char* host : {"xmail.example.com", "mail.example.com.evil", "mail.example.co", "ail.example.com",
                           "evil-example.net", "a.evil-example.net", "example.net"}) {
    EXPECT_FALSE(mtasts::mx_matches(p, host)) << host;
  }
}

TEST(MtaStsMatch, CaseInsensitiveAndTrailingDotIgnored) {
  auto const p = policy_with({"Mail.Example.com", "*.EXAMPLE.NET"});
  EXPECT_TRUE(mtasts::mx_matches(p, "MAIL.example.COM."));
  EXPECT_TRUE(mtasts::mx_matches(p, "Mx1.Example.Net."));
  EXPECT_FALSE(mtasts::mx_matches(p, "mail.example.com.."));
}

TEST(MtaStsMatch, EmptyPolicyMatchesNothing) {
  mtasts::policy const p;
  EXPECT_FALSE(mtasts::mx_matches(p, "mail.example.com"));
  EXPECT_FALSE(mtasts::mx_matches(p, ""));
}

TEST(MtaStsMatch, MxPatternErrorsNameTheRule) {
  struct row {
    const char* text;
    const char* requirement;
  } const rows[] = {
      {"b\xc3\xbc" "cher.example", "STS-3.2-14"},
      {"a.example, b.example", "STS-3.2-13"},
      {"a.example b.example", "STS-3.2-13"},
      {"a.example.", "STS-3.2-15"},
      {"192.0.2.1", "STS-3.2-15"},
      {"*.*.example", "STS-3.2-15"},
      {"", "STS-3.2-15"},
  };
  for (auto const& r : rows) {
    auto p = mtasts::parse_mx_pattern(r.text);
    ASSERT_FALSE(p) << r.text;
    EXPECT_EQ(p.error().code, mtasts::errc::mx_pattern_invalid) << r.text;
    EXPECT_EQ(p.error().requirement, r.requirement) << r.text;
    EXPECT_FALSE(p.error().detail.empty()) << r.text;
  }
}

// Every case of spec/vectors/mx_match.json: patterns validated first (in order), then the host.
TEST(MtaStsVectors, MxMatchJsonCasesAllHold) {
  auto const doc = mxtls::test::load_vectors("mx_match.json");
  auto const& cases = mxtls::test::vector_cases(doc);
  ASSERT_GE(cases.size(), 40u);
  for (auto const& cv : cases) {
    auto const& c = cv.as_object();
    std::string const name = str(c.at("name"));
    std::string const host = str(c.at("input"));
    auto const& expect = c.at("expect").as_object();
    bool const valid = !expect.contains("valid") || expect.at("valid").as_bool();
    mtasts::policy p;
    std::optional<mxtls::spec::parse_error> failure;
    std::string where;
    for (auto const& pv : c.at("patterns").as_array()) {
      auto m = mtasts::parse_mx_pattern(str(pv));
      if (!m) {
        failure = m.error();
        where = "pattern";
        break;
      }
      p.mx.push_back(*m);
    }
    if (!failure) {
      auto h = dns::parse_hostname(host, {.allow_trailing_dot = true});
      if (!h) {
        failure = h.error();
        where = "host";
      }
    }
    if (valid) {
      ASSERT_FALSE(failure) << name << ": " << failure->message();
      EXPECT_EQ(mtasts::mx_matches(p, host), expect.at("match").as_bool()) << name;
    } else {
      ASSERT_TRUE(failure) << name;
      EXPECT_EQ(where, str(expect.at("invalid"))) << name;
      mxtls::test::expect_error_matches(expect, *failure, name);
    }
  }
}

}  // namespace
