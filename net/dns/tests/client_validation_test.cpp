// The validating client against the test authority on loopback: every DNSSEC state of
// RFC 4035 §4.3 told apart (DANE-2.1.1-01, DANE-2.1.1-02), the AD bit ignored
// (DANE-2.1.3-02), and validity times checked against the client's clock.
#include "fixture.hpp"

namespace mxtls::net::dns::test {
namespace {

using namespace std::chrono_literals;

TEST_F(dns_world, SecureMxAnswerIsSecure) {
  // [DANE-2.1.1-01] the chain root → test → secure.test validates the MX RRset.
  client c(io.get_executor(), options());
  auto a = query(c, "secure.test", rr_type::mx);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
  EXPECT_EQ(a->outcome, lookup_outcome::found);
  EXPECT_EQ(a->records.size(), 2u);
}

TEST_F(dns_world, InsecureDelegationIsInsecure) {
  // [DANE-2.1.1-02] the parent's signed NSEC proves no DS: insecure, not bogus.
  client c(io.get_executor(), options());
  auto a = query(c, "insecure.test", rr_type::mx);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->status, dnssec_status::insecure) << a->why;
  EXPECT_NE(a->why.find("insecure delegation"), std::string::npos) << a->why;
}

TEST_F(dns_world, CorruptedSignaturesAreBogus) {
  client c(io.get_executor(), options());
  auto a = query(c, "badsig.test", rr_type::mx);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->status, dnssec_status::bogus) << a->why;
  // [DANE-2.1.1-02] the typed lookup turns bogus into an error.
  auto mx = run(c, [](client& cl) { return cl.lookup_mx("badsig.test"); });
  ASSERT_FALSE(mx);
  EXPECT_EQ(mx.error().code, errc::dnssec_bogus);
  EXPECT_EQ(mx.error().requirement, "DANE-2.1.1-02");
}

TEST_F(dns_world, DsMatchingNoKeyIsBogus) {
  client c(io.get_executor(), options());
  auto a = query(c, "mx.badds.test", rr_type::a);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->status, dnssec_status::bogus) << a->why;
  EXPECT_NE(a->why.find("matches its DS"), std::string::npos) << a->why;
}

TEST_F(dns_world, ExpiredSignaturesAreBogus) {
  client c(io.get_executor(), options());
  auto a = query(c, "expired.test", rr_type::mx);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->status, dnssec_status::bogus) << a->why;
}

TEST_F(dns_world, ClockPastSignatureExpiryMakesSecureZoneBogus) {
  // RFC 4035 §5.3.1: the validity period is checked against the validator's clock.
  auto o = options();
  o.clock = [] { return std::chrono::system_clock::now() + std::chrono::hours(24 * 30); };
  client c(io.get_executor(), o);
  auto a = query(c, "secure.test", rr_type::mx);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->status, dnssec_status::bogus) << a->why;
  EXPECT_NE(a->why.find("expired"), std::string::npos) << a->why;
}

TEST_F(dns_world, ClockBeforeSignatureInceptionIsBogus) {
  auto o = options();
  o.clock = [] { return std::chrono::system_clock::now() - std::chrono::hours(24); };
  client c(io.get_executor(), o);
  auto a = query(c, "secure.test", rr_type::mx);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->status, dnssec_status::bogus) << a->why;
}

TEST_F(dns_world, ResigningAtWorldTimeRepairsTheChain) {
  // The world's clock moves 30 days on; re-signed zones validate on the moved clock.
  auto const later = std::chrono::system_clock::now() + std::chrono::hours(24 * 30);
  zones->set_time(later);
  auto o = options();
  o.clock = [later] { return later; };
  client c(io.get_executor(), o);
  auto a = query(c, "secure.test", rr_type::mx);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
}

TEST_F(dns_world, NxdomainWithValidNsecIsSecure) {
  client c(io.get_executor(), options());
  auto a = query(c, "nope.secure.test", rr_type::a);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->code, rcode::nxdomain);
  EXPECT_EQ(a->outcome, lookup_outcome::nxdomain);
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
}

TEST_F(dns_world, NxdomainBelowAnExistingNameIsSecure) {
  client c(io.get_executor(), options());
  auto a = query(c, "x.y.mx.secure.test", rr_type::txt);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->outcome, lookup_outcome::nxdomain);
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
}

TEST_F(dns_world, NxdomainInTheTldIsSecure) {
  client c(io.get_executor(), options());
  auto a = query(c, "absent.test", rr_type::mx);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->outcome, lookup_outcome::nxdomain);
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
}

TEST_F(dns_world, NodataWithValidNsecIsSecure) {
  client c(io.get_executor(), options());
  auto a = query(c, "mx2.secure.test", rr_type::aaaa);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->code, rcode::noerror);
  EXPECT_EQ(a->outcome, lookup_outcome::nodata);
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
}

TEST_F(dns_world, EmptyNonTerminalIsSecureNodata) {
  client c(io.get_executor(), options());
  auto a = query(c, "b.deep.secure.test", rr_type::a);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->outcome, lookup_outcome::nodata);
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
  auto deep = query(c, "a.b.deep.secure.test", rr_type::a);
  ASSERT_TRUE(deep) << deep.error().message();
  EXPECT_EQ(deep->status, dnssec_status::secure) << deep->why;
}

TEST_F(dns_world, NxdomainWithCorruptedNsecIsBogus) {
  zones->set_fault("nope.secure.test", fault::bogus_signatures);
  client c(io.get_executor(), options());
  auto a = query(c, "nope.secure.test", rr_type::a);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->outcome, lookup_outcome::nxdomain);
  EXPECT_EQ(a->status, dnssec_status::bogus) << a->why;
}

TEST_F(dns_world, NxdomainInInsecureZoneIsInsecure) {
  client c(io.get_executor(), options());
  auto a = query(c, "nope.insecure.test", rr_type::a);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->outcome, lookup_outcome::nxdomain);
  EXPECT_EQ(a->status, dnssec_status::insecure) << a->why;
}

TEST_F(dns_world, NestedSecureZoneIsSecure) {
  client c(io.get_executor(), options());
  auto a = query(c, "mx.child.secure.test", rr_type::a);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
  EXPECT_NE(a->why.find("child.secure.test"), std::string::npos) << a->why;
}

TEST_F(dns_world, CnameChainIsValidatedLinkByLink) {
  client c(io.get_executor(), options());
  auto a = query(c, "www.secure.test", rr_type::a);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
  ASSERT_EQ(a->cnames.size(), 1u);
  EXPECT_EQ(a->canonical_name, "mx.secure.test");
  ASSERT_EQ(a->records.size(), 1u);
  EXPECT_EQ(a->records[0].rdata_text, "127.0.0.10");
  // A secure CNAME into an insecure zone: the answer is only as strong as its weakest link.
  auto out = query(c, "out.secure.test", rr_type::a);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->status, dnssec_status::insecure) << out->why;
  EXPECT_EQ(out->canonical_name, "mx.insecure.test");
}

TEST_F(dns_world, ServerAdBitIsNeverTrusted) {
  // [DANE-2.1.3-02] X-45: a resolver that sets AD on everything does not make bogus secure.
  zones->set_resolver_mode(resolver_mode::ad_always);
  client c(io.get_executor(), options());
  auto a = query(c, "badsig.test", rr_type::mx);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_TRUE(a->authentic_data_bit);
  EXPECT_EQ(a->status, dnssec_status::bogus) << a->why;
  // Without a trust anchor the AD bit still does not make an answer secure.
  auto o = options();
  o.anchor.reset();
  client plain(io.get_executor(), o);
  auto b = query(plain, "secure.test", rr_type::mx);
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_TRUE(b->authentic_data_bit);
  EXPECT_EQ(b->status, dnssec_status::insecure) << b->why;
}

TEST_F(dns_world, WrongTrustAnchorMakesEverythingBogus) {
  authority other;
  auto o = options();
  o.anchor = trust_anchor::parse(other.trust_anchor_text()).value();
  client c(io.get_executor(), o);
  auto a = query(c, "secure.test", rr_type::mx);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->status, dnssec_status::bogus) << a->why;
}

TEST_F(dns_world, DnskeyTrustAnchorValidatesLikeDs) {
  auto o = options();
  o.anchor = trust_anchor::parse(zones->trust_anchor_text(anchor_format::dnskey)).value();
  client c(io.get_executor(), o);
  auto a = query(c, "secure.test", rr_type::mx);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
}

TEST_F(dns_world, SecurityChangeIsSeenAfterCacheClear) {
  client c(io.get_executor(), options());
  auto before = query(c, "secure.test", rr_type::mx);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->status, dnssec_status::secure);
  ASSERT_TRUE(zones->set_security("secure.test", zone_security::bogus_ds));
  c.clear_cache();
  auto after = query(c, "secure.test", rr_type::mx);
  ASSERT_TRUE(after) << after.error().message();
  EXPECT_EQ(after->status, dnssec_status::bogus) << after->why;
}

TEST_F(dns_world, CacheSavesChainQueries) {
  client c(io.get_executor(), options());
  ASSERT_TRUE(query(c, "secure.test", rr_type::mx));
  auto const first = c.queries_sent();
  ASSERT_TRUE(query(c, "secure.test", rr_type::mx));
  auto const second = c.queries_sent() - first;
  EXPECT_GT(first, 3u);     // the answer plus DS and DNSKEY queries along the chain
  EXPECT_EQ(second, 1u);    // only the answer: keys and cuts come from the cache
}

}  // namespace
}  // namespace mxtls::net::dns::test
