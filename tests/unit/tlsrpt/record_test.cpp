// The `_smtp._tls` TXT record and its selection (RFC 8460 §3): tables and every case of
// spec/vectors/tlsrpt_txt.json. Covers RPT-3-02..10.
#include "mxtls/spec/tlsrpt/record.hpp"

#include "../mtasts/vector_check.hpp"
#include "vectors.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tlsrpt = mxtls::spec::tlsrpt;
namespace dns = mxtls::spec::dns;
using mxtls::test::str;
using strings = std::vector<std::string>;

namespace {

TEST(TlsRptRecord, ParsesMailtoAndHttpsUris) {
  auto r = tlsrpt::parse_tlsrpt_record("v=TLSRPTv1; rua=mailto:tlsrpt@example.com, https://r.example.com/v1");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->rua, (strings{"mailto:tlsrpt@example.com", "https://r.example.com/v1"}));
  EXPECT_TRUE(r->ignored_rua.empty());
}

TEST(TlsRptRecord, UnknownFieldsAreIgnored) {
  // [RPT-3-09] a superset of the ABNF: unknown fields ignored (kept only for display).
  auto r = tlsrpt::parse_tlsrpt_record("v=TLSRPTv1; future=1; rua=mailto:a@b.example; x.y-z_=!#$;");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->rua, (strings{"mailto:a@b.example"}));
  ASSERT_EQ(r->extensions.size(), 2u);
  EXPECT_EQ(r->extensions[1].name, "x.y-z_");
  EXPECT_EQ(r->extensions[1].value, "!#$");
}

TEST(TlsRptRecord, OtherSchemesAreSetAside) {
  auto r = tlsrpt::parse_tlsrpt_record("v=TLSRPTv1;rua=http://x.example/,Mailto:a@example.com,urn:x:y");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->rua, (strings{"Mailto:a@example.com"}));
  EXPECT_EQ(r->ignored_rua, (strings{"http://x.example/", "urn:x:y"}));
}

TEST(TlsRptRecord, BadRecordsTable) {
  struct bad {
    const char* input;
    tlsrpt::errc code;
    std::size_t offset;
  } const cases[] = {
      {"", tlsrpt::errc::not_tlsrpt_record, 0},
      {"v=TLSRPTv2; rua=mailto:a@b.example", tlsrpt::errc::not_tlsrpt_record, 9},  // [RPT-3-03]
      {"V=TLSRPTv1; rua=mailto:a@b.example", tlsrpt::errc::not_tlsrpt_record, 0},  // [RPT-3-03]
      {"v=TLSRPTv1", tlsrpt::errc::field_missing, 10},
      {"v=TLSRPTv1;;rua=mailto:a@b.example", tlsrpt::errc::field_empty, 11},
      {"v=TLSRPTv1; rua=mailto:a@b.example ,", tlsrpt::errc::rua_uri_invalid, 36},
      {"v=TLSRPTv1; rua=:x", tlsrpt::errc::rua_uri_invalid, 16},
      {"v=TLSRPTv1; rua=mailto:a@b.example%", tlsrpt::errc::rua_uri_invalid, 34},
      {"v=TLSRPTv1; rua=mailto:a@b.example%4", tlsrpt::errc::rua_uri_invalid, 34},
      {"v=TLSRPTv1; rua=mailto:a b", tlsrpt::errc::field_delimiter_expected, 25},
      {"v=TLSRPTv1; rua=mailto:a@b.example\x80", tlsrpt::errc::rua_uri_invalid, 34},
      {"v=TLSRPTv1; x=1", tlsrpt::errc::rua_missing, 15},
  };
  for (auto const& c : cases) {
    auto r = tlsrpt::parse_tlsrpt_record(c.input);
    ASSERT_FALSE(r) << c.input;
    EXPECT_EQ(r.error().code, c.code) << c.input << ": " << r.error().message();
    EXPECT_EQ(r.error().offset, c.offset) << c.input;
  }
}

TEST(TlsRptRecord, CandidateRuleMatchesMtaSts) {
  EXPECT_TRUE(tlsrpt::is_tlsrpt_candidate("v=TLSRPTv1"));
  EXPECT_TRUE(tlsrpt::is_tlsrpt_candidate("v=TLSRPTv1 ;"));
  EXPECT_FALSE(tlsrpt::is_tlsrpt_candidate("v=TLSRPTv10;"));
  EXPECT_FALSE(tlsrpt::is_tlsrpt_candidate("v=tlsrptv1;"));
}

TEST(TlsRptRecord, SelectionCountsCandidates) {
  auto none = tlsrpt::select_tlsrpt_record({{"v=STSv1; id=1"}});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, tlsrpt::errc::no_tlsrpt_record);
  auto two = tlsrpt::select_tlsrpt_record({{"v=TLSRPTv1; rua=mailto:a@b.example"}, {"v=TLSRPTv1"}});
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().code, tlsrpt::errc::multiple_tlsrpt_records);
  auto one = tlsrpt::select_tlsrpt_record({{"v=TLSRPTv1; ", "rua=mailto:a@b.example"}, {"junk"}});
  ASSERT_TRUE(one) << one.error().message();
  EXPECT_EQ(one->rua, (strings{"mailto:a@b.example"}));
}

// Every case of spec/vectors/tlsrpt_txt.json.
TEST(TlsRptVectors, TlsrptTxtJsonCasesAllHold) {
  auto const doc = mxtls::test::load_vectors("tlsrpt_txt.json");
  auto const& cases = mxtls::test::vector_cases(doc);
  ASSERT_GE(cases.size(), 35u);
  for (auto const& cv : cases) {
    auto const& c = cv.as_object();
    std::string const name = str(c.at("name"));
    auto const& expect = c.at("expect").as_object();
    auto rrset = dns::parse_txt_rrset(str(c.at("input")));
    mxtls::spec::result<tlsrpt::tlsrpt_record> r =
        rrset ? tlsrpt::select_tlsrpt_record(*rrset) : mxtls::spec::result<tlsrpt::tlsrpt_record>(rrset.error());
    if (expect.at("valid").as_bool()) {
      ASSERT_TRUE(r) << name << ": " << r.error().message();
      strings rua;
      for (auto const& u : expect.at("rua").as_array()) rua.push_back(str(u));
      EXPECT_EQ(r->rua, rua) << name;
      if (auto const* ig = expect.if_contains("ignored_rua")) {
        strings want;
        for (auto const& u : ig->as_array()) want.push_back(str(u));
        EXPECT_EQ(r->ignored_rua, want) << name;
      }
    } else {
      ASSERT_FALSE(r) << name;
      mxtls::test::expect_error_matches(expect, r.error(), name);
    }
  }
}

}  // namespace
