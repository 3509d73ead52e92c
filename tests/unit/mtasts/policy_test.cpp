// The MTA-STS policy file (RFC 8461 §3.2): the RFC example, the errata, the pitfalls of
// implementations.md as one-line tables, print/parse, and every case of
// spec/vectors/sts_policy.json. Covers STS-3.2-04..10, STS-3.2-12..18, STS-3.2-20, STS-3.3-08.
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

std::vector<std::string> mx_strings(mtasts::policy const& p) {
  std::vector<std::string> out;
  for (auto const& m : p.mx) out.push_back(m.to_string());
  return out;
}

TEST(MtaStsPolicy, ParsesTheRfc8461Example) {
  auto p = mtasts::parse_policy(
      "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
      "mx: backupmx.example.com\r\nmax_age: 604800\r\n");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->version, "STSv1");
  EXPECT_EQ(p->mode, mtasts::policy_mode::enforce);
  EXPECT_EQ(p->max_age, 604800u);
  EXPECT_EQ(mx_strings(*p), (std::vector<std::string>{"mail.example.com", "*.example.net", "backupmx.example.com"}));
}

TEST(MtaStsPolicy, LineTerminatorsLfCrlfAndMixedAreEquivalent) {
  std::string const lf = "version: STSv1\nmode: testing\nmx: a.example\nmax_age: 10\n";
  std::string const crlf = "version: STSv1\r\nmode: testing\r\nmx: a.example\r\nmax_age: 10\r\n";
  std::string const mixed = "version: STSv1\r\nmode: testing\nmx: a.example\r\nmax_age: 10";
  auto a = mtasts::parse_policy(lf), b = mtasts::parse_policy(crlf), c = mtasts::parse_policy(mixed);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, *c);
}

TEST(MtaStsPolicy, FirstDuplicateWinsNeverTheLast) {
  auto p = mtasts::parse_policy(
      "version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 100\nmax_age: 5\n");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->mode, mtasts::policy_mode::enforce);
  EXPECT_EQ(p->max_age, 100u);
}

TEST(MtaStsPolicy, MaxAgeIsParsedIn64BitsAndCappedAtOneYear) {
  struct row {
    const char* value;
    bool valid;
    std::uint32_t max_age;
  } const rows[] = {
      {"0", true, 0},
      {"31557600", true, 31557600},
      {"0031557600", true, 31557600},
      {"31557601", false, 0},
      {"2147483647", false, 0},
      {"4294967295", false, 0},
      {"4294967296", false, 0},  // wraps to 0 in a 32-bit parser
      {"4294967297", false, 0},  // wraps to 1 in a 32-bit parser
      {"9999999999", false, 0},
      {"99999999999", false, 0},
      {"-1", false, 0},
      {"1e6", false, 0},
      {"0x10", false, 0},
      {"", false, 0},
  };
  for (auto const& r : rows) {
    auto p = mtasts::parse_policy(std::string("version: STSv1\nmode: none\nmax_age: ") + r.value + "\n");
    EXPECT_EQ(bool(p), r.valid) << r.value;
    if (p && r.valid) {
      EXPECT_EQ(p->max_age, r.max_age) << r.value;
    }
  }
}

TEST(MtaStsPolicy, PitfallsFromDeployedImplementations) {
  struct row {
    const char* name;
    std::string body;
    mtasts::errc code;
  } const rows[] = {
      {"Mode: is an unknown key", "version: STSv1\nMode: enforce\nmx: a.example\nmax_age: 1\n", mtasts::errc::mode_missing},
      {"mx: a, b", "version: STSv1\nmode: enforce\nmx: a.example, b.example\nmax_age: 1\n", mtasts::errc::mx_pattern_invalid},
      {"IP literal", "version: STSv1\nmode: enforce\nmx: 192.0.2.1\nmax_age: 1\n", mtasts::errc::mx_pattern_invalid},
      {"*.*.example", "version: STSv1\nmode: enforce\nmx: *.*.example\nmax_age: 1\n", mtasts::errc::mx_pattern_invalid},
      {"mx*.example.com", "version: STSv1\nmode: enforce\nmx: mx*.example.com\nmax_age: 1\n", mtasts::errc::mx_pattern_invalid},
      {"trailing dot", "version: STSv1\nmode: enforce\nmx: mail.example.com.\nmax_age: 1\n", mtasts::errc::mx_pattern_invalid},
      {"U-label", "version: STSv1\nmode: enforce\nmx: b\xc3\xbc" "cher.example\nmax_age: 1\n", mtasts::errc::mx_pattern_invalid},
      {"nmx typo", "version: STSv1\nmode: enforce\nnmx: a.example\nmax_age: 1\n", mtasts::errc::mx_missing},
      {"blank line", "version: STSv1\n\nmode: none\nmax_age: 1\n", mtasts::errc::blank_line},
      {"bare CR", "version: STSv1\rmode: none\nmax_age: 1\n", mtasts::errc::bare_cr},
      {"max_age 31557601", "version: STSv1\nmode: none\nmax_age: 31557601\n", mtasts::errc::max_age_too_large},
      {"11 digits", "version: STSv1\nmode: none\nmax_age: 12345678901\n", mtasts::errc::max_age_invalid},
      {"space before colon", "version: STSv1\nmode : none\nmax_age: 1\n", mtasts::errc::key_invalid},
      {"split(':') pitfall is fine, but no key", ": x\nversion: STSv1\nmode: none\nmax_age: 1\n", mtasts::errc::key_invalid},
  };
  for (auto const& r : rows) {
    auto p = mtasts::parse_policy(r.body);
    ASSERT_FALSE(p) << r.name;
    EXPECT_EQ(p.error().code, r.code) << r.name << ": " << p.error().message();
  }
}

TEST(MtaStsPolicy, ModeNoneNeedsNoMxButOtherModesDo) {
  EXPECT_TRUE(mtasts::parse_policy("version: STSv1\nmode: none\nmax_age: 1\n"));
  EXPECT_FALSE(mtasts::parse_policy("version: STSv1\nmode: testing\nmax_age: 1\n"));
  EXPECT_FALSE(mtasts::parse_policy("version: STSv1\nmode: enforce\nmax_age: 1\n"));
}

TEST(MtaStsPolicy, SizeLimitIs65536Octets) {
  std::string body = "version: STSv1\nmode: none\nmax_age: 1\nx: ";
  std::string const at_limit = body + std::string(mtasts::max_policy_octets - body.size(), 'y');
  ASSERT_EQ(at_limit.size(), 65536u);
  EXPECT_TRUE(mtasts::parse_policy(at_limit));
  auto r = mtasts::parse_policy(at_limit + "y");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, mtasts::errc::policy_too_large);
  EXPECT_EQ(r.error().requirement, "STS-3.3-08");
}

TEST(MtaStsPolicy, ExtensionValuesMustBeWellFormedUtf8) {
  auto body = [](std::string v) { return "version: STSv1\nmode: none\nmax_age: 1\nx: " + v + "\n"; };
  EXPECT_TRUE(mtasts::parse_policy(body("\xc3\xa9")));                  // é
  EXPECT_TRUE(mtasts::parse_policy(body("\xe2\x98\x83")));              // ☃
  EXPECT_TRUE(mtasts::parse_policy(body("\xf0\x9f\x98\x80")));          // 😀
  EXPECT_TRUE(mtasts::parse_policy(body("\xf4\x8f\xbf\xbf")));          // U+10FFFF
  EXPECT_FALSE(mtasts::parse_policy(body("\xc0\xaf")));                 // overlong
  EXPECT_FALSE(mtasts::parse_policy(body("\xe0\x80\xaf")));             // overlong
  EXPECT_FALSE(mtasts::parse_policy(body("\xed\xa0\x80")));             // surrogate
  EXPECT_FALSE(mtasts::parse_policy(body("\xf4\x90\x80\x80")));         // above U+10FFFF
  EXPECT_FALSE(mtasts::parse_policy(body("\xc3")));                     // truncated
  EXPECT_FALSE(mtasts::parse_policy(body("\x80")));                     // lone continuation
  EXPECT_FALSE(mtasts::parse_policy(body("\xff")));
}

TEST(MtaStsPolicy, PrintIsCanonicalCrlfAndParsesBack) {
  mtasts::policy p;
  p.mode = mtasts::policy_mode::testing;
  p.max_age = 86400;
  p.mx = {dns::name_pattern{false, "mail.example.com"}, dns::name_pattern{true, "example.net"}};
  std::string const text = mtasts::print_policy(p);
  EXPECT_EQ(text, "version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 86400\r\n");
  auto back = mtasts::parse_policy(text);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, p);
}

TEST(MtaStsPolicy, ModeNamesRoundTrip) {
  for (auto m : {mtasts::policy_mode::enforce, mtasts::policy_mode::testing, mtasts::policy_mode::none}) {
    EXPECT_EQ(mtasts::parse_policy_mode(mtasts::to_string(m)), m);
  }
  EXPECT_FALSE(mtasts::parse_policy_mode("Enforce"));
  EXPECT_FALSE(mtasts::parse_policy_mode("enforce "));
  EXPECT_FALSE(mtasts::parse_policy_mode(""));
}

// Every case of spec/vectors/sts_policy.json.
TEST(MtaStsVectors, StsPolicyJsonCasesAllHold) {
  auto const doc = mxtls::test::load_vectors("sts_policy.json");
  auto const& cases = mxtls::test::vector_cases(doc);
  ASSERT_GE(cases.size(), 80u);
  for (auto const& cv : cases) {
    auto const& c = cv.as_object();
    std::string const name = str(c.at("name"));
    auto const& expect = c.at("expect").as_object();
    auto r = mtasts::parse_policy(str(c.at("input")));
    if (expect.at("valid").as_bool()) {
      ASSERT_TRUE(r) << name << ": " << r.error().message() << " at " << r.error().offset;
      auto const& want = expect.at("policy").as_object();
      EXPECT_EQ(r->version, str(want.at("version"))) << name;
      EXPECT_EQ(mtasts::to_string(r->mode), str(want.at("mode"))) << name;
      EXPECT_EQ(r->max_age, want.at("max_age").to_number<std::uint32_t>()) << name;
      std::vector<std::string> mx;
      for (auto const& m : want.at("mx").as_array()) mx.push_back(str(m));
      EXPECT_EQ(mx_strings(*r), mx) << name;
    } else {
      ASSERT_FALSE(r) << name;
      mxtls::test::expect_error_matches(expect, r.error(), name);
    }
  }
}

}  // namespace
