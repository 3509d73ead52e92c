// DANE matching of mxtls-send with Botan: DANE-EE ignores names and dates (DANE-3.1.1-01/02),
// selectors and matching types (DANE-3.1-03/04), unusable records never match (DANE-3.1-02,
// DANE-3.1.3-02), DANE-TA checks the path to the anchor and the leaf's names
// (DANE-3.1.2-01/03, DANE-3.2.2-01/02, DANE-3.2.3-01/02).
#include "mxtls/client/dane_match.hpp"
#include "test_world.hpp"

#include <gtest/gtest.h>

namespace mxtls::client {
namespace {

using net::dane_outcome;
using net::pki::cert_options;
using spec::dane::tlsa_matching;
using spec::dane::tlsa_record;
using spec::dane::tlsa_selector;
using spec::dane::tlsa_usage;

template <std::size_t N>
std::vector<std::uint8_t> bytes(std::array<std::uint8_t, N> const& a) {
  return {a.begin(), a.end()};
}

tlsa_record rec(tlsa_usage u, tlsa_selector s, tlsa_matching m, std::vector<std::uint8_t> data) {
  return tlsa_record{u, s, m, std::move(data)};
}

dane_params params(std::vector<tlsa_record> records, std::vector<std::string> refs = {"mx.example.test"}) {
  dane_params p;
  p.records = std::move(records);
  p.reference_ids = std::move(refs);
  return p;
}

der_chain chain_of(net::pki::issued const& leaf) { return net::pem_to_der_chain(leaf.chain_pem).value(); }

TEST(DaneEe, EverySelectorAndMatchingTypeMatchesTheLeaf) {
  auto leaf = test::test_ca().issue(cert_options::valid({"mx.example.test"}));
  auto const c = chain_of(leaf);
  tlsa_record const good[] = {
      rec(tlsa_usage::dane_ee, tlsa_selector::spki, tlsa_matching::sha256, bytes(leaf.spki_sha256)),
      rec(tlsa_usage::dane_ee, tlsa_selector::cert, tlsa_matching::sha256, bytes(leaf.cert_sha256)),
      rec(tlsa_usage::dane_ee, tlsa_selector::spki, tlsa_matching::sha512, bytes(leaf.spki_sha512)),
      rec(tlsa_usage::dane_ee, tlsa_selector::cert, tlsa_matching::sha512, bytes(leaf.cert_sha512)),
      rec(tlsa_usage::dane_ee, tlsa_selector::spki, tlsa_matching::full, leaf.spki_der),
      rec(tlsa_usage::dane_ee, tlsa_selector::cert, tlsa_matching::full, leaf.cert_der),
  };
  for (auto const& r : good) {
    auto v = dane_verify(c, params({r}));
    EXPECT_EQ(v.outcome, dane_outcome::authenticated) << spec::dane::to_text(r) << ": " << v.reason;
  }
}

TEST(DaneEe, WrongDigestFailsAndUnusableRecordsNeverMatch) {
  auto leaf = test::test_ca().issue(cert_options::valid({"mx.example.test"}));
  auto const c = chain_of(leaf);
  auto wrong = bytes(leaf.spki_sha256);
  wrong[0] ^= 0xFF;
  EXPECT_EQ(dane_verify(c, params({rec(tlsa_usage::dane_ee, tlsa_selector::spki, tlsa_matching::sha256, wrong)})).outcome,
            dane_outcome::failed);
  // [DANE-3.1.3-02] PKIX-EE with the right digest is unusable: it never matches.
  EXPECT_FALSE(record_matches(rec(tlsa_usage::pkix_ee, tlsa_selector::spki, tlsa_matching::sha256, bytes(leaf.spki_sha256)),
                              leaf.cert_der));
  // [DANE-3.1-03] a SHA2-256 digest of the wrong length is unusable.
  auto longer = bytes(leaf.spki_sha256);
  longer.push_back(0);
  EXPECT_FALSE(record_matches(rec(tlsa_usage::dane_ee, tlsa_selector::spki, tlsa_matching::sha256, longer), leaf.cert_der));
  // [DANE-3.2-02] no records: not applicable, never "authenticated".
  EXPECT_EQ(dane_verify(c, params({})).outcome, dane_outcome::not_applicable);
  EXPECT_EQ(dane_verify({}, params({rec(tlsa_usage::dane_ee, tlsa_selector::spki, tlsa_matching::sha256, wrong)})).outcome,
            dane_outcome::failed);
}

TEST(DaneEe, IgnoresNamesAndDates) {
  // [DANE-3.1.1-01][DANE-3.1.1-02] expired, self-signed, for another name: still authenticated.
  auto expired = test::test_ca().issue(cert_options::expired({"elsewhere.test"}));
  auto self = net::pki::self_signed(cert_options::not_yet_valid({"nobody.test"}));
  for (auto const* leaf : {&expired, &self}) {
    auto v = dane_verify(chain_of(*leaf),
                         params({rec(tlsa_usage::dane_ee, tlsa_selector::spki, tlsa_matching::sha256, bytes(leaf->spki_sha256))}));
    EXPECT_EQ(v.outcome, dane_outcome::authenticated) << v.reason;
  }
}

TEST(DaneTa, IntermediateAnchorAuthenticatesANamedLeaf) {
  auto inter = test::test_ca().create_intermediate("mxtls DANE-TA intermediate");
  auto leaf = inter.issue(cert_options::valid({"mx.example.test"}));
  auto const c = chain_of(leaf);
  ASSERT_EQ(c.size(), 2u);  // leaf, intermediate
  auto const ta = rec(tlsa_usage::dane_ta, tlsa_selector::cert, tlsa_matching::sha256, bytes(inter.certificate().cert_sha256));
  auto v = dane_verify(c, params({ta}));
  EXPECT_EQ(v.outcome, dane_outcome::authenticated) << v.reason;
  // [DANE-3.2.2-02] the next-hop domain is a reference identifier too; a wildcard matches one label.
  auto wild = inter.issue(cert_options::valid({"*.example.test"}));
  EXPECT_EQ(dane_verify(chain_of(wild), params({ta}, {"mx.other.test", "mx.example.test"})).outcome,
            dane_outcome::authenticated);
  EXPECT_EQ(dane_verify(chain_of(wild), params({ta}, {"a.mx.example.test"})).outcome, dane_outcome::failed);
}

TEST(DaneTa, WrongNameExpiredLeafOrAbsentAnchorFail) {
  auto inter = test::test_ca().create_intermediate("mxtls DANE-TA intermediate 2");
  auto const ta = rec(tlsa_usage::dane_ta, tlsa_selector::spki, tlsa_matching::sha256, bytes(inter.certificate().spki_sha256));
  // [DANE-3.2.2-01] names are checked for DANE-TA.
  auto other = inter.issue(cert_options::valid({"other.test"}));
  EXPECT_EQ(dane_verify(chain_of(other), params({ta})).outcome, dane_outcome::failed);
  // [DANE-3.1.2-03] validity periods below the anchor are checked.
  auto expired = inter.issue(cert_options::expired({"mx.example.test"}));
  EXPECT_EQ(dane_verify(chain_of(expired), params({ta})).outcome, dane_outcome::failed);
  // [DANE-3.1.2-01] the anchor must be in the presented chain.
  auto leaf = inter.issue(cert_options::valid({"mx.example.test"}));
  EXPECT_EQ(dane_verify(der_chain{leaf.cert_der}, params({ta})).outcome, dane_outcome::failed);
  // A TA record matching the leaf itself is not an anchor above it.
  auto const self_ta = rec(tlsa_usage::dane_ta, tlsa_selector::cert, tlsa_matching::sha256, bytes(leaf.cert_sha256));
  EXPECT_EQ(dane_verify(chain_of(leaf), params({self_ta})).outcome, dane_outcome::failed);
}

TEST(DaneTa, ALeafNotSignedByTheAnchorFails) {
  auto inter = test::test_ca().create_intermediate("mxtls DANE-TA intermediate 3");
  auto stranger = test::rogue_ca().create_intermediate("mxtls DANE-TA impostor");
  auto leaf = stranger.issue(cert_options::valid({"mx.example.test"}));
  // Chain: the stranger's leaf, then the genuine anchor (which did not sign it).
  der_chain c{leaf.cert_der, inter.certificate().cert_der};
  auto const ta = rec(tlsa_usage::dane_ta, tlsa_selector::cert, tlsa_matching::full, inter.certificate().cert_der);
  auto v = dane_verify(c, params({ta}));
  EXPECT_EQ(v.outcome, dane_outcome::failed);
  EXPECT_NE(v.reason.find("not issued by"), std::string::npos) << v.reason;
}

TEST(DaneTa, CnIsUsedOnlyWithoutDnsNames) {
  // [DANE-3.2.3-01] a certificate without any dNSName is matched on its CN.
  auto inter = test::test_ca().create_intermediate("mxtls DANE-TA intermediate 4");
  auto const ta = rec(tlsa_usage::dane_ta, tlsa_selector::cert, tlsa_matching::sha256, bytes(inter.certificate().cert_sha256));
  auto cn_only = inter.issue(cert_options::cn_only("mx.example.test"));
  EXPECT_EQ(dane_verify(chain_of(cn_only), params({ta})).outcome, dane_outcome::authenticated);
  auto cn_other = inter.issue(cert_options::cn_only("other.test"));
  EXPECT_EQ(dane_verify(chain_of(cn_other), params({ta})).outcome, dane_outcome::failed);
}

}  // namespace
}  // namespace mxtls::client
