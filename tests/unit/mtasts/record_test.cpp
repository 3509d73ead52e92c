// The `_mta-sts` TXT record and its selection from the RRset (RFC 8461 §3.1): one-line
// tables and every case of spec/vectors/sts_txt.json.
// Covers STS-3.1-01..10, STS-3.1-14, STS-3.2-18.
#include "mxtls/spec/mtasts/record.hpp"

#include "vector_check.hpp"
#include "vectors.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mtasts = mxtls::spec::mtasts;
namespace dns = mxtls::spec::dns;
using mxtls::test::str;

namespace {

TEST(MtaStsRecord, ParsesTheRfcExample) {
  auto r = mtasts::parse_sts_record("v=STSv1; id=20160831085700Z;");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->id, "20160831085700Z");
  EXPECT_TRUE(r->extensions.empty());
}

TEST(MtaStsRecord, GoodRecordsTable) {
  struct good {
    const char* input;
    const char* id;
  } const cases[] = {
      {"v=STSv1;id=a", "a"},
      {"v=STSv1; id=a;", "a"},
      {"v=STSv1 ;id=a ; ", "a"},
      {"v=STSv1;\tid=a\t;\t", "a"},
      {"v=STSv1; id=a; id=b", "a"},
      {"v=STSv1; x=1; id=Z9; y=2;", "Z9"},
      {"v=STSv1; id=12345678901234567890123456789012", "12345678901234567890123456789012"},
  };
  for (auto const& c : cases) {
    auto r = mtasts::parse_sts_record(c.input);
    ASSERT_TRUE(r) << c.input << ": " << r.error().message();
    EXPECT_EQ(r->id, c.id) << c.input;
  }
}

TEST(MtaStsRecord, BadRecordsTable) {
  struct bad {
    const char* input;
    mtasts::errc code;
    std::size_t offset;
  } const cases[] = {
      {"", mtasts::errc::not_sts_record, 0},
      {"v=STSv", mtasts::errc::not_sts_record, 6},
      {"v=STSv2; id=1", mtasts::errc::not_sts_record, 6},
      {"V=STSv1; id=1", mtasts::errc::not_sts_record, 0},   // [STS-3.1-03] case-sensitive
      {"id=1; v=STSv1", mtasts::errc::not_sts_record, 0},   // [STS-3.1-07] version first
      {" v=STSv1; id=1", mtasts::errc::not_sts_record, 0},  // [STS-3.1-07]
      {"v=STSv1", mtasts::errc::field_missing, 7},
      {"v=STSv1; ", mtasts::errc::field_missing, 9},
      {"v=STSv1;;", mtasts::errc::field_empty, 8},
      {"v=STSv1; id=1;;", mtasts::errc::field_empty, 14},
      {"v=STSv1x; id=1", mtasts::errc::field_delimiter_expected, 7},
      {"v=STSv1; id=1 x=2", mtasts::errc::field_delimiter_expected, 14},
      {"v=STSv1; id=", mtasts::errc::id_invalid, 12},
      {"v=STSv1; id=a_b", mtasts::errc::id_invalid, 13},
      {"v=STSv1; x=1", mtasts::errc::id_missing, 12},
      {"v=STSv1; =1; id=1", mtasts::errc::field_name_invalid, 9},
      {"v=STSv1; x =1; id=1", mtasts::errc::field_name_invalid, 10},
      {"v=STSv1; x= 1; id=1", mtasts::errc::extension_value_invalid, 11},
      {"v=STSv1; x=\x7f; id=1", mtasts::errc::extension_value_invalid, 11},
      {"v=STSv1; x=\x80; id=1", mtasts::errc::record_not_ascii, 11},
      {"v=STSv1\xc2\xa0; id=1", mtasts::errc::record_not_ascii, 7},
  };
  for (auto const& c : cases) {
    auto r = mtasts::parse_sts_record(c.input);
    ASSERT_FALSE(r) << c.input;
    EXPECT_EQ(r.error().code, c.code) << c.input << ": " << r.error().message();
    EXPECT_EQ(r.error().offset, c.offset) << c.input;
  }
}

TEST(MtaStsRecord, RecordAbove65535OctetsIsRejectedBeforeParsing) {
  std::string big = "v=STSv1; id=1; x=" + std::string(mtasts::max_sts_record_octets, 'a');
  auto r = mtasts::parse_sts_record(big);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, mtasts::errc::record_too_large);
}

TEST(MtaStsRecord, CandidateRuleFollowsTheErratum6285Decision) {
  EXPECT_TRUE(mtasts::is_sts_candidate("v=STSv1"));
  EXPECT_TRUE(mtasts::is_sts_candidate("v=STSv1;"));
  EXPECT_TRUE(mtasts::is_sts_candidate("v=STSv1 ; id=1"));
  EXPECT_TRUE(mtasts::is_sts_candidate("v=STSv1\t;id=1"));
  EXPECT_FALSE(mtasts::is_sts_candidate("v=STSv10; id=1"));
  EXPECT_FALSE(mtasts::is_sts_candidate("v=STSv1x"));
  EXPECT_FALSE(mtasts::is_sts_candidate("V=STSv1;"));
  EXPECT_FALSE(mtasts::is_sts_candidate(" v=STSv1;"));
  EXPECT_FALSE(mtasts::is_sts_candidate(""));
}

TEST(MtaStsRecord, SelectionConcatenatesStringsBeforeChecking) {
  std::vector<dns::txt_strings> const rrset = {{"v=spf1 -all"}, {"v=STS", "v1; id=", "abc"}};
  auto r = mtasts::select_sts_record(rrset);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->id, "abc");
}

TEST(MtaStsRecord, SelectionDistinguishesNoneFromSeveral) {
  auto none = mtasts::select_sts_record({{"v=spf1 -all"}});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, mtasts::errc::no_sts_record);
  auto several = mtasts::select_sts_record({{"v=STSv1; id=1"}, {"v=STSv1; id=2"}});
  ASSERT_FALSE(several);
  EXPECT_EQ(several.error().code, mtasts::errc::multiple_sts_records);
  EXPECT_NE(several.error().detail.find("RR 1, RR 2"), std::string::npos) << several.error().detail;
  auto invalid = mtasts::select_sts_record({{"v=STSv1; id=a-b"}});
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, mtasts::errc::id_invalid);
}

// Every case of spec/vectors/sts_txt.json: presentation format → selection → record.
TEST(MtaStsVectors, StsTxtJsonCasesAllHold) {
  auto const doc = mxtls::test::load_vectors("sts_txt.json");
  auto const& cases = mxtls::test::vector_cases(doc);
  ASSERT_GE(cases.size(), 50u);
  for (auto const& cv : cases) {
    auto const& c = cv.as_object();
    std::string const name = str(c.at("name"));
    auto const& expect = c.at("expect").as_object();
    auto rrset = dns::parse_txt_rrset(str(c.at("input")));
    mxtls::spec::result<mtasts::sts_record> r =
        rrset ? mtasts::select_sts_record(*rrset) : mxtls::spec::result<mtasts::sts_record>(rrset.error());
    if (expect.at("valid").as_bool()) {
      ASSERT_TRUE(r) << name << ": " << r.error().message();
      EXPECT_EQ(r->id, str(expect.at("id"))) << name;
      if (auto const* ext = expect.if_contains("extensions")) {
        std::vector<mtasts::sts_extension> want;
        for (auto const& e : ext->as_array()) want.push_back({str(e.at("name")), str(e.at("value"))});
        EXPECT_EQ(r->extensions, want) << name;
      }
    } else {
      ASSERT_FALSE(r) << name << " selected id " << r->id;
      mxtls::test::expect_error_matches(expect, r.error(), name);
    }
  }
}

}  // namespace
