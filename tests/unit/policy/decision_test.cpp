// The delivery decision (spec/proposal.md §7.2): the document's representative rows written
// out by hand, and the exhaustive golden table over the product of all inputs
// (tests/golden/decision.tsv, Postfix tls_policy.in/.ref style).
// Set MXTLS_UPDATE_GOLDEN=1 to rewrite the table after a deliberate change, then review the diff.
#include "mxtls/spec/policy/decision.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace mxtls::spec::policy {
namespace {

using prefix::mx_prefix;

decision run(mx_prefix p, pin_state pin, dnssec_status mx, sts_mode sts, bool match, dane_state dane) {
  return decide(inputs{p, pin, mx, sts, match, dane});
}

// Representative rows of the table in spec/proposal.md §7.2.
TEST(DeliveryDecision, PlainHostIsOpportunistic) {
  auto d = run(mx_prefix::none, pin_state::none, dnssec_status::insecure, sts_mode::absent, false, dane_state::no_tlsa);
  EXPECT_EQ(d.act, action::attempt);
  EXPECT_EQ(d.tls, tls_level::opportunistic);
  EXPECT_FALSE(d.pkix);
  EXPECT_FALSE(d.dane);
  EXPECT_EQ(d.reason, "opportunistic");
  EXPECT_TRUE(allows_plaintext(d.tls));
}

TEST(DeliveryDecision, StarttlsPrefixRequiresVerifiedTlsEvenWithoutDnssec) {  // [DNS-03][PFX-12]
  auto d = run(mx_prefix::starttls, pin_state::none, dnssec_status::insecure, sts_mode::absent, false, dane_state::no_tlsa);
  EXPECT_EQ(d.act, action::attempt);
  EXPECT_EQ(d.tls, tls_level::verified);
  EXPECT_TRUE(d.pkix);
  EXPECT_FALSE(d.mx_authentic);  // [DNS-04] never reported as protected against MX rewriting
  EXPECT_EQ(d.reason, "prefix:starttls");
}

TEST(DeliveryDecision, SmtpsPrefixOnSecureMxIsAuthentic) {
  auto d = run(mx_prefix::smtps, pin_state::none, dnssec_status::secure, sts_mode::absent, false, dane_state::no_tlsa);
  EXPECT_EQ(d.tls, tls_level::verified);
  EXPECT_TRUE(d.pkix);
  EXPECT_TRUE(d.mx_authentic);
  EXPECT_EQ(d.reason, "prefix:smtps");
}

TEST(DeliveryDecision, CoveringPinActsLikeStarttlsPrefixUnderStsNone) {  // [BAN-19][DNS-11]
  auto d = run(mx_prefix::none, pin_state::covering, dnssec_status::insecure, sts_mode::none, false, dane_state::no_tlsa);
  EXPECT_EQ(d.act, action::attempt);
  EXPECT_EQ(d.tls, tls_level::verified);
  EXPECT_TRUE(d.pkix);
  EXPECT_EQ(d.reason, "pin");
}

TEST(DeliveryDecision, UsableTlsaRequiresDaneOnly) {  // [DANE-3.2-01]
  auto d = run(mx_prefix::none, pin_state::none, dnssec_status::secure, sts_mode::absent, false, dane_state::usable);
  EXPECT_EQ(d.tls, tls_level::verified);
  EXPECT_TRUE(d.dane);
  EXPECT_FALSE(d.pkix);
  EXPECT_EQ(d.reason, "dane:usable");
}

TEST(DeliveryDecision, PrefixWithUsableTlsaRequiresBothChecks) {  // [DNS-09]
  auto d = run(mx_prefix::starttls, pin_state::none, dnssec_status::secure, sts_mode::absent, false, dane_state::usable);
  EXPECT_TRUE(d.dane);
  EXPECT_TRUE(d.pkix);
  EXPECT_EQ(d.reason, "dane:usable+prefix:starttls");
}

TEST(DeliveryDecision, AllUnusableTlsaRequiresEncryptionWithoutAuthentication) {  // [DANE-2.2-02][DNS-13]
  auto d = run(mx_prefix::none, pin_state::none, dnssec_status::secure, sts_mode::absent, false, dane_state::all_unusable);
  EXPECT_EQ(d.tls, tls_level::encrypted);
  EXPECT_TRUE(requires_tls(d.tls));
  EXPECT_FALSE(allows_plaintext(d.tls));
  EXPECT_FALSE(d.pkix);
  EXPECT_FALSE(d.dane);
}

TEST(DeliveryDecision, StsTestingMismatchStillAttemptsAndReports) {  // [STS-5-02]
  auto d = run(mx_prefix::starttls, pin_state::none, dnssec_status::secure, sts_mode::testing, false, dane_state::all_unusable);
  EXPECT_EQ(d.act, action::attempt);
  EXPECT_EQ(d.tls, tls_level::verified);
  EXPECT_TRUE(d.pkix);
  EXPECT_TRUE(d.report);
  EXPECT_EQ(d.reason, "dane:all-unusable+prefix:starttls");
}

TEST(DeliveryDecision, StsEnforceMismatchSkipsHostWhateverDane) {  // [STS-5-01][DNS-11]
  for (auto dane : {dane_state::no_tlsa, dane_state::usable, dane_state::all_unusable, dane_state::lookup_failure}) {
    auto d = run(mx_prefix::none, pin_state::none, dnssec_status::insecure, sts_mode::enforce, false, dane);
    EXPECT_EQ(d.act, action::skip_mx);
    EXPECT_EQ(d.tls, tls_level::none);
    EXPECT_EQ(d.reason, "mx-not-in-sts-policy");
  }
}

TEST(DeliveryDecision, TlsaLookupFailureSkipsHostEvenWithPrefixAndPin) {  // [DANE-2.1.2-03][DNS-12]
  auto d = run(mx_prefix::starttls, pin_state::covering, dnssec_status::secure, sts_mode::enforce, true, dane_state::lookup_failure);
  EXPECT_EQ(d.act, action::skip_mx);
  EXPECT_EQ(d.reason, "tlsa-lookup-failure");
}

TEST(DeliveryDecision, BogusMxDefersTheMessage) {  // [DNS-05]
  for (auto p : {mx_prefix::none, mx_prefix::starttls, mx_prefix::smtps}) {
    auto d = run(p, pin_state::covering, dnssec_status::bogus, sts_mode::enforce, true, dane_state::usable);
    EXPECT_EQ(d.act, action::defer_message);
    EXPECT_EQ(d.reason, "mx-rrset-bogus");
  }
}

TEST(DeliveryDecision, InsecureMxDisablesDaneButKeepsPrefix) {  // [DNS-20]
  auto d = run(mx_prefix::starttls, pin_state::none, dnssec_status::insecure, sts_mode::absent, false, dane_state::usable);
  EXPECT_EQ(d.tls, tls_level::verified);
  EXPECT_TRUE(d.pkix);
  EXPECT_FALSE(d.dane);
  EXPECT_EQ(d.reason, "prefix:starttls");
}

TEST(DeliveryDecision, InsecureMxIgnoresTlsaLookupFailure) {  // [DNS-20]: DANE input becomes no-tlsa
  auto d = run(mx_prefix::none, pin_state::none, dnssec_status::insecure, sts_mode::absent, false, dane_state::lookup_failure);
  EXPECT_EQ(d.act, action::attempt);
  EXPECT_EQ(d.tls, tls_level::opportunistic);
}

TEST(DeliveryDecision, EveryAttemptCitesDns10) {
  auto d = run(mx_prefix::none, pin_state::none, dnssec_status::secure, sts_mode::absent, false, dane_state::no_tlsa);
  EXPECT_NE(std::find(d.ids.begin(), d.ids.end(), "DNS-10"), d.ids.end());
}

// ---- the exhaustive golden table ------------------------------------------------------

std::vector<inputs> all_inputs() {
  std::vector<inputs> v;
  for (auto p : {mx_prefix::none, mx_prefix::starttls, mx_prefix::smtps})
    for (auto pin : {pin_state::none, pin_state::covering})
      for (auto mx : {dnssec_status::secure, dnssec_status::insecure, dnssec_status::bogus})
        for (auto sts : {sts_mode::absent, sts_mode::none, sts_mode::testing, sts_mode::enforce})
          for (bool match : {false, true})
            for (auto dane : {dane_state::no_tlsa, dane_state::usable, dane_state::all_unusable, dane_state::lookup_failure})
              v.push_back(inputs{p, pin, mx, sts, match, dane});
  return v;
}

std::string table() {
  std::string out =
      "# Golden table of decide() (spec/proposal.md §7.2) over the product of its inputs.\n"
      "# prefix\tpin\tmx_dnssec\tsts\tsts_match\tdane\t=>\taction\ttls\tchecks\tmx\treason\tids\n";
  for (auto const& in : all_inputs()) out += format(in) + "\t=>\t" + format(decide(in)) + "\n";
  return out;
}

TEST(DeliveryDecisionGolden, MatchesTheReviewedTable) {
  std::string const path = std::string(MXTLS_SOURCE_DIR) + "/tests/golden/decision.tsv";
  std::string const now = table();
  if (std::getenv("MXTLS_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << now;
    GTEST_SKIP() << "rewrote " << path;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "missing golden table " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string const want = ss.str();
  // Compare line by line so a failure names the input row that changed.
  std::istringstream a(want), b(now);
  std::string la, lb;
  int line = 0;
  while (true) {
    bool const ga = static_cast<bool>(std::getline(a, la));
    bool const gb = static_cast<bool>(std::getline(b, lb));
    ++line;
    if (!ga && !gb) break;
    ASSERT_EQ(la, lb) << "golden table differs at line " << line;
  }
  EXPECT_EQ(all_inputs().size(), 576u);
}

}  // namespace
}  // namespace mxtls::spec::policy
