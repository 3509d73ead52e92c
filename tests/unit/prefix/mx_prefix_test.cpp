// MX prefix classification and the per-prefix connection plan, checked against
// spec/vectors/mx_prefix.json (PFX-*, P26-*).
#include "mxtls/spec/prefix/mx_prefix.hpp"

#include "vectors.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace {

namespace prefix = mxtls::spec::prefix;
namespace json = boost::json;
using prefix::mx_prefix;
using prefix::port_attempt;
using prefix::tls_start;

std::string str(json::value const& v) { return std::string(v.as_string()); }

// [PFX-01] left-most label only, [PFX-02][PFX-03] tag + at least one octet, valid host
// names only, [PFX-04] the proposal's examples, [PFX-05] three classes.
TEST(MxPrefix, ClassifiesEveryVector) {
  auto const doc = mxtls::test::load_vectors("mx_prefix.json");
  int n = 0;
  for (auto const& c : mxtls::test::vector_cases(doc)) {
    ++n;
    SCOPED_TRACE(str(c.at("name")));
    auto const& expect = c.at("expect").as_object();
    auto const got = prefix::classify(str(c.at("input")));
    if (expect.at("valid").as_bool()) {
      ASSERT_TRUE(got) << got.error().message();
      json::array ports;
      for (auto const& a : prefix::port_order(*got)) ports.push_back(a.port);
      json::object const obj{{"valid", true},
                             {"prefix", prefix::to_string(*got)},
                             {"requires_verified_tls", prefix::requires_verified_tls(*got)},
                             {"offers_implicit_tls", prefix::offers_implicit_tls(*got)},
                             {"ports", ports}};
      EXPECT_EQ(json::value(obj), json::value(expect));
    } else {
      ASSERT_FALSE(got) << "classified as " << prefix::to_string(*got);
      EXPECT_EQ(got.error().code, prefix::errc::mx_host_invalid);
      EXPECT_EQ(str(expect.at("error")), prefix::to_string(prefix::errc::mx_host_invalid));
      EXPECT_EQ(got.error().requirement, str(expect.at("requirement")));
      EXPECT_EQ(got.error().offset, expect.at("offset").to_number<std::size_t>());
      EXPECT_FALSE(got.error().detail.empty()) << "the detail names the dns rule";
    }
  }
  EXPECT_GE(n, 25);
}

// [PFX-03] ASCII case-insensitive.
TEST(MxPrefix, ClassificationIgnoresCaseOfEveryLetter) {
  std::string const host = "smtps-starttls-mx1.example.com";
  // Flip the case of each letter in turn (all 2^n variants would be the property test's job).
  for (std::size_t i = 0; i < host.size(); ++i) {
    std::string h = host;
    h[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(h[i])));
    auto const got = prefix::classify(h);
    ASSERT_TRUE(got) << h;
    EXPECT_EQ(*got, mx_prefix::smtps) << h;
  }
}

// [PFX-05] smtps implies everything starttls implies; [P26-16] only smtps uses port 26.
TEST(MxPrefix, SmtpsImpliesEverythingStarttlsImplies) {
  EXPECT_TRUE(prefix::requires_verified_tls(mx_prefix::starttls));
  EXPECT_TRUE(prefix::requires_verified_tls(mx_prefix::smtps));
  EXPECT_FALSE(prefix::requires_verified_tls(mx_prefix::none));
  EXPECT_TRUE(prefix::offers_implicit_tls(mx_prefix::smtps));
  EXPECT_FALSE(prefix::offers_implicit_tls(mx_prefix::starttls));
  EXPECT_FALSE(prefix::offers_implicit_tls(mx_prefix::none));
}

// [P26-09] implicit TLS first, then port 25; [P26-13] port 25 after fallback is verified.
TEST(MxPrefix, PortOrderPerPrefix) {
  using V = std::vector<port_attempt>;
  EXPECT_EQ(prefix::port_order(mx_prefix::none), (V{{25, tls_start::starttls, false}}));
  EXPECT_EQ(prefix::port_order(mx_prefix::starttls), (V{{25, tls_start::starttls, true}}));
  EXPECT_EQ(prefix::port_order(mx_prefix::smtps),
            (V{{26, tls_start::implicit, true}, {25, tls_start::starttls, true}}));
}

// [P26-01] the implicit-TLS port is configuration, default 26.
TEST(MxPrefix, ImplicitTlsPortIsAParameter) {
  using V = std::vector<port_attempt>;
  EXPECT_EQ(prefix::port_order(mx_prefix::smtps, 10026),
            (V{{10026, tls_start::implicit, true}, {25, tls_start::starttls, true}}));
  EXPECT_EQ(prefix::port_order(mx_prefix::starttls, 10026), (V{{25, tls_start::starttls, true}}));
}

TEST(MxPrefix, EveryPlanEndsOnPort25AndNeverRelaxesAVerifiedRequirement) {
  for (auto p : {mx_prefix::none, mx_prefix::starttls, mx_prefix::smtps}) {
    auto const plan = prefix::port_order(p);
    ASSERT_FALSE(plan.empty());
    EXPECT_EQ(plan.back().port, 25);
    for (auto const& a : plan) EXPECT_EQ(a.verified_tls_required, prefix::requires_verified_tls(p));
  }
}

}  // namespace
