// TXT presentation format (spec/include/mxtls/spec/dns/txt.hpp): one-line tables and every
// case of spec/vectors/txt_presentation.json. Covers NAME-5.1-01..03, NAME-3.3.14-01/02.
#include "mxtls/spec/dns/txt.hpp"

#include "../mtasts/vector_check.hpp"
#include "vectors.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dns = mxtls::spec::dns;
using mxtls::test::str;
using strings = std::vector<std::string>;

namespace {

TEST(DnsTxt, QuotedStringsAreUnescapedAndSplit) {
  EXPECT_EQ(dns::parse_txt_presentation(R"("v=STSv1; id=" "abc")").value(), (strings{"v=STSv1; id=", "abc"}));
  EXPECT_EQ(dns::parse_txt_presentation(R"("a\"b" "c\\d" "\065\066")").value(), (strings{"a\"b", "c\\d", "AB"}));
  EXPECT_EQ(dns::parse_txt_presentation(R"("\000")").value(), (strings{std::string(1, '\0')}));
  EXPECT_EQ(dns::parse_txt_presentation(R"("\255")").value(), (strings{std::string(1, '\xff')}));
  EXPECT_EQ(dns::parse_txt_presentation("\"x\"\r").value(), (strings{"x"}));
}

TEST(DnsTxt, UnquotedLineIsOneStringVerbatim) {
  // [NAME-5.1-02] no quote at the start: one string, verbatim, one trailing CR removed.
  EXPECT_EQ(dns::parse_txt_presentation("v=STSv1; id=1").value(), (strings{"v=STSv1; id=1"}));
  EXPECT_EQ(dns::parse_txt_presentation(" v=STSv1;\r").value(), (strings{" v=STSv1;"}));
  EXPECT_EQ(dns::parse_txt_presentation("a\\065").value(), (strings{"a\\065"}));
  EXPECT_EQ(dns::parse_txt_presentation("").value(), (strings{""}));
}

TEST(DnsTxt, MalformedQuotingFailsAtTheFailingByte) {
  struct bad {
    std::string_view input;
    dns::errc code;
    std::size_t offset;
  } const cases[] = {
      {R"(")", dns::errc::txt_unterminated_string, 0},
      {R"("a" ")", dns::errc::txt_unterminated_string, 4},
      {R"("\)", dns::errc::txt_bad_escape, 1},
      {R"("\1")", dns::errc::txt_bad_escape, 1},
      {R"("\1a3")", dns::errc::txt_bad_escape, 1},
      {R"("\300")", dns::errc::txt_bad_escape, 1},
      {R"("a""b")", dns::errc::txt_missing_separator, 3},
      {R"("a"x)", dns::errc::txt_junk_after_string, 3},
      {R"("a" x)", dns::errc::txt_junk_after_string, 4},
  };
  for (auto const& c : cases) {
    auto r = dns::parse_txt_presentation(c.input);
    ASSERT_FALSE(r) << c.input;
    EXPECT_EQ(r.error().code, c.code) << c.input << ": " << r.error().message();
    EXPECT_EQ(r.error().offset, c.offset) << c.input;
  }
}

TEST(DnsTxt, CharacterStringsAreAtMost255Octets) {
  std::string const ok = "\"" + std::string(255, 'x') + "\"";
  EXPECT_TRUE(dns::parse_txt_presentation(ok));
  // An escape that produces the 256th octet is reported where it starts.
  auto r = dns::parse_txt_presentation("\"" + std::string(255, 'x') + "\\065\"");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, dns::errc::txt_string_too_long);
  EXPECT_EQ(r.error().offset, 256u);
}

TEST(DnsTxt, RdataIsBoundedAt65535Octets) {
  // 256 strings of 255 octets = 256 * 256 = 65536 RDATA octets: one too many.
  std::string line;
  for (int i = 0; i < 256; ++i) line += "\"" + std::string(255, 'x') + "\" ";
  auto r = dns::parse_txt_presentation(line);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, dns::errc::txt_input_too_large);
  EXPECT_EQ(r.error().requirement, "NAME-3.3.14-02");
  std::string fits;
  for (int i = 0; i < 255; ++i) fits += "\"" + std::string(255, 'x') + "\" ";
  fits += "\"" + std::string(254, 'y') + "\"";  // 255 * 256 + 255 = 65535
  EXPECT_TRUE(dns::parse_txt_presentation(fits));
  EXPECT_FALSE(dns::parse_txt_presentation(std::string(dns::max_txt_line_octets + 1, '"')));
}

TEST(DnsTxt, SplitRrLinesHandlesLfCrlfAndBlankLines) {
  // [NAME-5.1-03] LF or CRLF, mixed; empty and white-space-only lines skipped.
  auto const lines = dns::split_rr_lines("a\r\n\n  \nb\nc\r\n \t\r\nd");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].text, "a");
  EXPECT_EQ(lines[0].offset, 0u);
  EXPECT_EQ(lines[1].text, "b");
  EXPECT_EQ(lines[1].offset, 7u);
  EXPECT_EQ(lines[2].text, "c");
  EXPECT_EQ(lines[3].text, "d");
  EXPECT_TRUE(dns::split_rr_lines("").empty());
  EXPECT_TRUE(dns::split_rr_lines("\n\r\n").empty());
}

TEST(DnsTxt, ExactlyOneCarriageReturnEndsALine) {
  // [NAME-5.1-02][NAME-5.1-03] the line parser and the RRset parser strip the same single CR
  // (found by fuzz/txt_presentation: "\r\r" used to lose both).
  using rrset = std::vector<strings>;
  EXPECT_EQ(dns::parse_txt_presentation("\r\r").value(), (strings{"\r"}));
  EXPECT_EQ(dns::parse_txt_rrset("\r\r").value(), (rrset{{"\r"}}));
  EXPECT_EQ(dns::parse_txt_rrset("x\r\r\n").value(), (rrset{{"x\r"}}));
  EXPECT_EQ(dns::parse_txt_rrset("\"x\"\r").value(), (rrset{{"x"}}));
  EXPECT_FALSE(dns::parse_txt_rrset("\"x\"\r\r\n"));
}

TEST(DnsTxt, ConcatenateAddsNoSpaces) {
  EXPECT_EQ(dns::concatenate({"v=STSv1; id=", "abc", "", "d"}), "v=STSv1; id=abcd");
  EXPECT_EQ(dns::concatenate({}), "");
}

TEST(DnsTxt, PrintThenParseIsIdentity) {
  std::vector<strings> const samples = {
      {"v=STSv1; id=1"}, {"", "a"}, {"q\"uote", "back\\slash"}, {std::string("\0\x01\x7f\x80\xff", 5)}, {std::string(255, 'z')}};
  for (auto const& s : samples) {
    auto const printed = dns::print_txt(s);
    auto r = dns::parse_txt_presentation(printed);
    ASSERT_TRUE(r) << printed;
    EXPECT_EQ(*r, s) << printed;
  }
}

TEST(DnsTxt, RrsetInputOverOneMebibyteIsRejected) {
  auto r = dns::parse_txt_rrset(std::string(dns::max_txt_input_octets + 1, 'a'));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, dns::errc::txt_input_too_large);
}

// Every case of spec/vectors/txt_presentation.json.
TEST(DnsVectors, TxtPresentationJsonCasesAllHold) {
  auto const doc = mxtls::test::load_vectors("txt_presentation.json");
  auto const& cases = mxtls::test::vector_cases(doc);
  ASSERT_GE(cases.size(), 25u);
  for (auto const& cv : cases) {
    auto const& c = cv.as_object();
    std::string const name = str(c.at("name"));
    auto const& expect = c.at("expect").as_object();
    auto r = dns::parse_txt_rrset(str(c.at("input")));
    if (expect.at("valid").as_bool()) {
      ASSERT_TRUE(r) << name << ": " << r.error().message();
      std::vector<strings> want;
      for (auto const& rr : expect.at("rrset").as_array()) {
        strings ss;
        for (auto const& s : rr.as_array()) ss.push_back(str(s));
        want.push_back(ss);
      }
      EXPECT_EQ(*r, want) << name;
    } else {
      ASSERT_FALSE(r) << name;
      mxtls::test::expect_error_matches(expect, r.error(), name);
    }
  }
}

}  // namespace
