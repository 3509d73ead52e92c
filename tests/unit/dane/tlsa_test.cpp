// TLSA record data and RFC 7672 usability, checked against spec/vectors/tlsa.json
// (DANE-3.1-01..03, DANE-3.1.3-02, DANE-2.2-01..03).
#include "mxtls/spec/dane/tlsa.hpp"

#include "vectors.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

namespace dane = mxtls::spec::dane;
namespace json = boost::json;

std::string str(json::value const& v) { return std::string(v.as_string()); }

std::string to_hex(std::vector<std::uint8_t> const& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0x0f];
  }
  return out;
}

std::vector<std::uint8_t> from_hex(std::string const& hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

json::value record_json(dane::tlsa_record const& r) {
  return json::object{{"valid", true},
                      {"usage", static_cast<std::int64_t>(r.usage)},
                      {"selector", static_cast<std::int64_t>(r.selector)},
                      {"matching", static_cast<std::int64_t>(r.matching)},
                      {"data", to_hex(r.data)},
                      {"usability", dane::to_string(dane::usability(r))}};
}

json::value error_json(mxtls::spec::parse_error const& e) {
  EXPECT_EQ(e.code.category(), dane::dane_category());
  return json::object{{"valid", false},
                      {"requirement", std::string(e.requirement)},
                      {"error", dane::to_string(static_cast<dane::errc>(e.code.value()))},
                      {"offset", static_cast<std::int64_t>(e.offset)}};
}

dane::tlsa_record must_parse(std::string const& text) {
  auto r = dane::parse_tlsa_text(text);
  if (!r) {
    ADD_FAILURE() << text << ": " << r.error().message();
    return {};
  }
  return std::move(*r);
}

// [DANE-3.1-01] record syntax; [DANE-3.1.3-02][DANE-3.1-02][DANE-3.1-03] usability;
// [DANE-2.2-01][DANE-2.2-02][DANE-2.2-03] RRset states (usable, all unusable, no records).
TEST(Tlsa, EveryVectorHolds) {
  auto const doc = mxtls::test::load_vectors("tlsa.json");
  int n = 0;
  for (auto const& c : mxtls::test::vector_cases(doc)) {
    ++n;
    SCOPED_TRACE(str(c.at("name")));
    auto const ctx = str(c.at("context"));
    auto const& expect = c.at("expect");
    if (ctx == "rrset") {
      std::vector<dane::tlsa_record> rrset;
      for (auto const& t : c.at("input").as_array()) rrset.push_back(must_parse(str(t)));
      EXPECT_EQ(dane::to_string(dane::classify_rrset(rrset)), str(expect.at("state")));
      continue;
    }
    ASSERT_TRUE(ctx == "text" || ctx == "rdata") << ctx;
    auto const input = str(c.at("input"));
    auto const r = ctx == "text" ? dane::parse_tlsa_text(input) : dane::parse_tlsa_rdata(from_hex(input));
    if (expect.at("valid").as_bool()) {
      ASSERT_TRUE(r) << r.error().message();
      EXPECT_EQ(record_json(*r), expect);
    } else {
      ASSERT_FALSE(r);
      EXPECT_EQ(error_json(r.error()), expect) << r.error().message();
    }
  }
  EXPECT_GE(n, 40);
}

TEST(Tlsa, WireAndTextFormsRoundTrip) {
  auto const r = must_parse("3 1 1 74FC7A6F725394E8FB69BEECA35E41C8CD930E351749F062C7C8F95E16A20838");
  EXPECT_EQ(dane::to_text(r), "3 1 1 74FC7A6F725394E8FB69BEECA35E41C8CD930E351749F062C7C8F95E16A20838");
  auto const wire = dane::to_rdata(r);
  ASSERT_EQ(wire.size(), 35u);
  EXPECT_EQ(wire[0], 3);
  EXPECT_EQ(wire[1], 1);
  EXPECT_EQ(wire[2], 1);
  auto const back = dane::parse_tlsa_rdata(wire);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, r);
  EXPECT_EQ(must_parse(dane::to_text(*back)), r);
}

TEST(Tlsa, UnassignedValuesSurviveTheRoundTrip) {
  std::vector<std::uint8_t> const wire{200, 17, 99, 0xab};
  auto const r = dane::parse_tlsa_rdata(wire);
  ASSERT_TRUE(r);
  EXPECT_EQ(static_cast<int>(r->usage), 200);
  EXPECT_EQ(dane::to_string(r->usage), "unassigned");
  EXPECT_EQ(dane::to_rdata(*r), wire);
  EXPECT_EQ(dane::to_text(*r), "200 17 99 AB");
}

TEST(Tlsa, RdataIsBoundedBySixteenBitLength) {
  std::vector<std::uint8_t> wire(dane::max_rdata_octets, 0);
  wire[0] = 3;
  wire[1] = 1;
  wire[2] = 0;
  EXPECT_TRUE(dane::parse_tlsa_rdata(wire));
  wire.push_back(0);
  auto const r = dane::parse_tlsa_rdata(wire);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, dane::errc::rdata_too_long);
}

TEST(Tlsa, TextDataIsBoundedByRdataSize) {
  std::string const max_data(2 * (dane::max_rdata_octets - 3), 'a');
  EXPECT_TRUE(dane::parse_tlsa_text("3 1 0 " + max_data));
  auto const r = dane::parse_tlsa_text("3 1 0 " + max_data + "aa");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, dane::errc::rdata_too_long);
  auto const huge = dane::parse_tlsa_text(std::string(dane::max_text_octets + 1, ' '));
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, dane::errc::text_too_long);
}

// [DANE-3.1-03] 32 octets for SHA2-256, 64 for SHA2-512, any non-empty length for Full.
TEST(Tlsa, DigestLengthRuleIsExactForEachMatchingType) {
  for (std::size_t len = 0; len <= 70; ++len) {
    SCOPED_TRACE(len);
    dane::tlsa_record r{dane::tlsa_usage::dane_ee, dane::tlsa_selector::spki, dane::tlsa_matching::sha256,
                        std::vector<std::uint8_t>(len, 1)};
    auto const expect256 = len == 0    ? dane::tlsa_usability::unusable_empty_data
                           : len == 32 ? dane::tlsa_usability::usable
                                       : dane::tlsa_usability::unusable_bad_digest_length;
    EXPECT_EQ(dane::usability(r), expect256);
    r.matching = dane::tlsa_matching::sha512;
    auto const expect512 = len == 0    ? dane::tlsa_usability::unusable_empty_data
                           : len == 64 ? dane::tlsa_usability::usable
                                       : dane::tlsa_usability::unusable_bad_digest_length;
    EXPECT_EQ(dane::usability(r), expect512);
    r.matching = dane::tlsa_matching::full;
    EXPECT_EQ(dane::usability(r), len == 0 ? dane::tlsa_usability::unusable_empty_data : dane::tlsa_usability::usable);
  }
}

// [DANE-3.1.3-02] PKIX usages unusable; [DANE-3.1-02] unassigned parameters unusable.
TEST(Tlsa, OnlyDaneUsagesWithKnownParametersAreUsable) {
  // Exhaustive over the three octets (data fitting the matching type).
  for (int u = 0; u < 256; ++u) {
    for (int s = 0; s < 256; s += 1) {
      for (int m : {0, 1, 2, 3, 255}) {
        dane::tlsa_record r{static_cast<dane::tlsa_usage>(u), static_cast<dane::tlsa_selector>(s),
                            static_cast<dane::tlsa_matching>(m),
                            std::vector<std::uint8_t>(m == 2 ? 64 : 32, 7)};
        bool const usable = (u == 2 || u == 3) && s <= 1 && m <= 2;
        ASSERT_EQ(dane::usability(r) == dane::tlsa_usability::usable, usable) << u << ' ' << s << ' ' << m;
      }
    }
  }
}

}  // namespace
