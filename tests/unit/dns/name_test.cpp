// Host names, name patterns and wildcard matching (spec/include/mxtls/spec/dns/name.hpp):
// tables of one-line cases and every case of spec/vectors/names.json.
// Covers NAME-2.3.1-01, NAME-2.3.2-03, NAME-2.3.4-01/02, NAME-2-01, NAME-3.1-01..04,
// NAME-4.1.2-01, NAME-4.1.3-01, NAME-6.4.3-01..03.
#include "mxtls/spec/dns/name.hpp"

#include "../mtasts/vector_check.hpp"
#include "vectors.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dns = mxtls::spec::dns;
using mxtls::test::str;

namespace {

struct good_name {
  const char* input;
  const char* expect;
};

TEST(DnsHostname, AcceptsLdhNamesAndLowerCasesThem) {
  good_name const cases[] = {
      {"mail.example.com", "mail.example.com"},
      {"MAIL.EXAMPLE.COM", "mail.example.com"},
      {"a", "a"},
      {"a-b.c-d", "a-b.c-d"},
      {"0.example", "0.example"},
      {"xn--bcher-kva.example", "xn--bcher-kva.example"},
      {"1-1.example", "1-1.example"},
  };
  for (auto const& c : cases) {
    auto r = dns::parse_hostname(c.input);
    ASSERT_TRUE(r) << c.input << ": " << r.error().message();
    EXPECT_EQ(*r, c.expect) << c.input;
  }
}

struct bad_name {
  std::string_view input;
  dns::errc code;
  std::size_t offset;
};

TEST(DnsHostname, RejectsNonLdhNamesAtTheFailingByte) {
  bad_name const cases[] = {
      {"", dns::errc::name_empty, 0},
      {"a..b", dns::errc::label_empty, 2},
      {"a.-b", dns::errc::label_leading_hyphen, 2},
      {"a.b-", dns::errc::label_trailing_hyphen, 3},
      {"a.b_c", dns::errc::label_invalid_character, 3},
      {"a.b\xc3\xa9", dns::errc::u_label, 3},
      {"a.b.c.1", dns::errc::numeric_top_label, 6},
      {"a.b.", dns::errc::trailing_dot, 3},
      {"a b", dns::errc::label_invalid_character, 1},
      {"a\tb", dns::errc::label_invalid_character, 1},
      {std::string_view("a\0b", 3), dns::errc::label_invalid_character, 1},
  };
  for (auto const& c : cases) {
    std::string_view const in = c.input;
    auto r = dns::parse_hostname(in);
    ASSERT_FALSE(r) << in;
    EXPECT_EQ(r.error().code, c.code) << in << ": " << r.error().message();
    EXPECT_EQ(r.error().offset, c.offset) << in;
  }
}

TEST(DnsHostname, TrailingDotOnlyWhereAllowed) {
  EXPECT_FALSE(dns::parse_hostname("example.com."));
  auto r = dns::parse_hostname("Example.COM.", {.allow_trailing_dot = true});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "example.com");
  EXPECT_FALSE(dns::parse_hostname("example.com..", {.allow_trailing_dot = true}));
}

TEST(DnsHostname, LengthLimitsAreExact) {
  std::string const label63(63, 'a');
  EXPECT_TRUE(dns::parse_hostname(label63 + ".x"));
  EXPECT_FALSE(dns::parse_hostname(label63 + "a.x"));
  std::string name = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');
  ASSERT_EQ(name.size(), 253u);
  EXPECT_TRUE(dns::parse_hostname(name));
  EXPECT_TRUE(dns::parse_hostname(name + ".", {.allow_trailing_dot = true}));
  auto r = dns::parse_hostname(name + "b");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, dns::errc::name_too_long);
}

TEST(DnsHostname, IsLdhLabel) {
  // [NAME-2.3.1-01] LDH labels; [NAME-2.3.2-01] an A-label is checked for LDH shape only.
  EXPECT_TRUE(dns::is_ldh_label("a"));
  EXPECT_TRUE(dns::is_ldh_label("xn--bcher-kva"));
  EXPECT_TRUE(dns::is_ldh_label(std::string(63, 'z')));
  EXPECT_FALSE(dns::is_ldh_label(""));
  EXPECT_FALSE(dns::is_ldh_label(std::string(64, 'z')));
  EXPECT_FALSE(dns::is_ldh_label("-a"));
  EXPECT_FALSE(dns::is_ldh_label("a-"));
  EXPECT_FALSE(dns::is_ldh_label("a.b"));
  EXPECT_FALSE(dns::is_ldh_label("*"));
  EXPECT_FALSE(dns::is_ldh_label("a_b"));
}

TEST(DnsNameHelpers, NormalizeFoldsAsciiAndStripsOneDot) {
  EXPECT_EQ(dns::normalize("Mail.Example.COM."), "mail.example.com");
  EXPECT_EQ(dns::normalize("a.."), "a.");
  EXPECT_EQ(dns::normalize("\xC3\x89.example"), "\xC3\x89.example");  // only ASCII folds
  EXPECT_EQ(dns::normalize(""), "");
}

TEST(DnsNameHelpers, EqualCiFoldsOnlyAsciiLetters) {
  // [NAME-3.1-01] case-insensitive; [NAME-3.1-04] only A-Z and a-z fold.
  EXPECT_TRUE(dns::equal_ci("MAIL.example.COM", "mail.EXAMPLE.com"));
  EXPECT_FALSE(dns::equal_ci("mail.example.com", "mail.example.co"));
  EXPECT_FALSE(dns::equal_ci("\xC3\x89", "\xC3\xA9"));  // É vs é are different octets
  EXPECT_FALSE(dns::equal_ci("[", "{"));                 // 0x5B vs 0x7B: not letters
  EXPECT_TRUE(dns::equal_ci("", ""));
}

TEST(DnsNameHelpers, LabelsAndParents) {
  EXPECT_EQ(dns::leftmost_label("a.b.c"), "a");
  EXPECT_EQ(dns::leftmost_label("c"), "c");
  EXPECT_EQ(dns::leftmost_label(""), "");
  EXPECT_EQ(dns::parent("a.b.c"), "b.c");
  EXPECT_EQ(dns::parent("c"), "");
  EXPECT_EQ(dns::label_count("a.b.c"), 3u);
  EXPECT_EQ(dns::label_count("a.b.c."), 3u);
  EXPECT_EQ(dns::label_count(""), 0u);
}

TEST(DnsNamePattern, WildcardMatchesExactlyOneLabel) {
  // [NAME-6.4.3-02] exactly one label: not zero, not two; [NAME-3.1-02] one root dot ignored.
  auto p = dns::parse_name_pattern("*.example.com");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->wildcard);
  EXPECT_EQ(p->base, "example.com");
  EXPECT_TRUE(dns::matches(*p, "mail.example.com"));
  EXPECT_TRUE(dns::matches(*p, "MAIL.EXAMPLE.COM."));
  EXPECT_FALSE(dns::matches(*p, "example.com"));
  EXPECT_FALSE(dns::matches(*p, "foo.bar.example.com"));
  EXPECT_FALSE(dns::matches(*p, ".example.com"));
  EXPECT_FALSE(dns::matches(*p, "mailexample.com"));
  EXPECT_FALSE(dns::matches(*p, "mail.example.com.evil"));
  EXPECT_FALSE(dns::matches(*p, ""));
}

TEST(DnsNamePattern, ExactPatternMatchesWholeNameOnly) {
  auto p = dns::parse_name_pattern("Mail.Example.com");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->wildcard);
  EXPECT_TRUE(dns::matches(*p, "mail.example.com"));
  EXPECT_TRUE(dns::matches(*p, "MAIL.example.com."));
  EXPECT_FALSE(dns::matches(*p, "mail.example.com.."));
  EXPECT_FALSE(dns::matches(*p, "x.mail.example.com"));
  EXPECT_FALSE(dns::matches(*p, "ail.example.com"));
}

TEST(DnsNamePattern, DefaultConstructedPatternMatchesNothing) {
  EXPECT_FALSE(dns::matches(dns::name_pattern{}, ""));
  EXPECT_FALSE(dns::matches(dns::name_pattern{true, ""}, "a."));
}

TEST(DnsNamePattern, ToStringRoundTrips) {
  for (const char* text : {"*.example.com", "mail.example.com", "*.com", "localhost"}) {
    auto p = dns::parse_name_pattern(text);
    ASSERT_TRUE(p) << text;
    EXPECT_EQ(p->to_string(), text);
    EXPECT_EQ(dns::parse_name_pattern(p->to_string()).value(), *p);
  }
}

TEST(DnsNamePattern, BannerStyleOptionsNeedTwoBaseLabels) {
  dns::pattern_options const banner{.min_wildcard_base_labels = 2};
  EXPECT_TRUE(dns::parse_name_pattern("*.example.com", banner));
  auto r = dns::parse_name_pattern("*.com", banner);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, dns::errc::wildcard_base_too_short);
}

// Every case of spec/vectors/names.json.
TEST(DnsVectors, NamesJsonCasesAllHold) {
  auto const doc = mxtls::test::load_vectors("names.json");
  auto const& cases = mxtls::test::vector_cases(doc);
  ASSERT_GE(cases.size(), 40u);
  for (auto const& cv : cases) {
    auto const& c = cv.as_object();
    std::string const name = str(c.at("name"));
    std::string const input = str(c.at("input"));
    std::string const parser = str(c.at("parser"));
    auto const& expect = c.at("expect").as_object();
    dns::name_options nopt;
    dns::pattern_options popt;
    if (auto const* o = c.if_contains("options")) {
      auto const& opts = o->as_object();
      if (auto const* v = opts.if_contains("allow_trailing_dot")) nopt.allow_trailing_dot = popt.allow_trailing_dot = v->as_bool();
      if (auto const* v = opts.if_contains("min_labels")) nopt.min_labels = popt.min_exact_labels = v->to_number<std::size_t>();
      if (auto const* v = opts.if_contains("min_wildcard_base_labels")) popt.min_wildcard_base_labels = v->to_number<std::size_t>();
    }
    mxtls::spec::result<std::string> got = [&]() -> mxtls::spec::result<std::string> {
      if (parser == "hostname") return dns::parse_hostname(input, nopt);
      EXPECT_EQ(parser, "pattern") << name;
      auto p = dns::parse_name_pattern(input, popt);
      if (!p) return p.error();
      return p->to_string();
    }();
    if (expect.at("valid").as_bool()) {
      ASSERT_TRUE(got) << name << ": " << got.error().message();
      EXPECT_EQ(*got, str(expect.at("value"))) << name;
    } else {
      ASSERT_FALSE(got) << name << " parsed as " << *got;
      mxtls::test::expect_error_matches(expect, got.error(), name);
    }
  }
}

}  // namespace
