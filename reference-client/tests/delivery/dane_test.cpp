// DANE in mxtls-send end to end: usable secure TLSA records authenticate the server
// (DANE-3.2-01) and a mismatch is never overridden, not even by a passing MTA-STS policy
// (DNS-08, STS-2-01); with a prefix both checks are required (DNS-09); all-unusable records
// require TLS (DNS-13); a failed TLSA lookup skips the host (DNS-12); insecure MX or address
// answers disable DANE (DNS-20); the implicit-TLS port has its own TLSA RRset (P26-10).
#include "delivery_fixture.hpp"

#include <gtest/gtest.h>

namespace mxtls::client::test {
namespace {

using net::dns::zone_security;

class Dane : public delivery_fixture {
 protected:
  static std::string tlsa(std::string const& owner, int usage, int selector, int matching, std::string const& hex) {
    return owner + " TLSA " + std::to_string(usage) + " " + std::to_string(selector) + " " + std::to_string(matching) +
           " " + hex;
  }
  static std::string spki_sha256(net::pki::issued const& leaf) { return net::pki::to_hex(leaf.spki_sha256); }
  static std::string wrong_digest() { return std::string(64, 'a'); }
};

TEST_F(Dane, MismatchIsNotDeliveredEvenThoughMtaStsPasses) {
  auto mx = host("mx", script(name("mx")));  // PKIX-valid for the name
  auto ph = world.start_policy_host(zone, "version: STSv1\nmode: enforce\nmx: " + name("mx") + "\nmax_age: 600\n");
  publish(zone_security::secure, {"@ MX 10 mx", a_record(mx), "_mta-sts TXT \"v=STSv1; id=1\"",
                                  "mta-sts A " + ph.address.to_string(), tlsa("_25._tcp.mx", 3, 1, 1, wrong_digest())});
  auto cfg = config();
  cfg.https_port = ph.port;
  auto r = deliver_to(cfg, state, {"user@" + zone});
  EXPECT_EQ(r.result, outcome::deferred) << attempts_text(r);  // [DNS-08][STS-2-01]
  auto const sessions = mx.smtp->sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_TRUE(sessions[0].tls);
  EXPECT_FALSE(mx.smtp->saw_any_mail());
  auto const& a = r.domains[0].attempts.at(0);
  EXPECT_EQ(a.decision.reason, "dane:usable+sts:enforce");
  EXPECT_TRUE(a.decision.dane);
  EXPECT_TRUE(a.decision.pkix);
  ASSERT_TRUE(a.tls);
  EXPECT_TRUE(a.tls->pkix_ok);
  EXPECT_EQ(a.tls->dane, "failed");
  EXPECT_EQ(a.tls->failure, "tlsa-invalid");
}

TEST_F(Dane, DaneEeMatchDeliversToASelfSignedServer) {
  auto leaf = make_leaf(name("mx"), cert_kind::self_signed);
  auto s = script(name("mx"), cert_kind::none);
  s.leaf = leaf;
  auto mx = host("mx", s);
  publish(zone_security::secure, {"@ MX 10 mx", a_record(mx), tlsa("_25._tcp.mx", 3, 1, 1, spki_sha256(leaf))});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);  // [DANE-3.2-01]
  EXPECT_EQ(r.domains[0].tls->dane, "authenticated");
  EXPECT_FALSE(r.domains[0].tls->pkix_ok);
  EXPECT_EQ(r.domains[0].attempts.at(0).decision.reason, "dane:usable");
  EXPECT_EQ(mx.smtp->sessions().at(0).sni, name("mx"));  // [DANE-8.1-01]
}

TEST_F(Dane, DaneTaAuthenticatesAChainPkixDoesNotTrust) {
  // An intermediate under a root the sender does not trust, published as DANE-TA(2) Cert SHA2-256.
  auto inter = rogue_ca().create_intermediate("mxtls-send DANE-TA anchor");
  auto leaf = inter.issue(net::pki::cert_options::valid({name("mx")}));
  auto s = script(name("mx"), cert_kind::none);
  s.leaf = leaf;
  auto mx = host("mx", s);
  publish(zone_security::secure,
          {"@ MX 10 mx", a_record(mx), tlsa("_25._tcp.mx", 2, 0, 1, net::pki::to_hex(inter.certificate().cert_sha256))});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);  // [DANE-3.2-01][DANE-3.1.2-03]
  EXPECT_EQ(r.domains[0].tls->dane, "authenticated");
  EXPECT_FALSE(r.domains[0].tls->pkix_ok);
}

TEST_F(Dane, DaneTaChecksTheLeafName) {
  auto inter = rogue_ca().create_intermediate("mxtls-send DANE-TA anchor 2");
  auto leaf = inter.issue(net::pki::cert_options::valid({"somewhere-else.test"}));
  auto s = script(name("mx"), cert_kind::none);
  s.leaf = leaf;
  auto mx = host("mx", s);
  publish(zone_security::secure,
          {"@ MX 10 mx", a_record(mx), tlsa("_25._tcp.mx", 2, 0, 1, net::pki::to_hex(inter.certificate().cert_sha256))});
  auto r = send();
  EXPECT_EQ(r.result, outcome::deferred) << attempts_text(r);  // [DANE-3.2.2-01]
  EXPECT_FALSE(mx.smtp->saw_any_mail());
}

TEST_F(Dane, PrefixWithDaneRequiresPkixToo) {
  auto leaf = make_leaf(name("starttls-mx"), cert_kind::self_signed);
  auto s = script(name("starttls-mx"), cert_kind::none);
  s.leaf = leaf;
  auto mx = host("starttls-mx", s);
  publish(zone_security::secure,
          {"@ MX 10 starttls-mx", a_record(mx), tlsa("_25._tcp.starttls-mx", 3, 1, 1, spki_sha256(leaf))});
  auto r = send();
  EXPECT_EQ(r.result, outcome::deferred) << attempts_text(r);  // [DNS-09]
  EXPECT_FALSE(mx.smtp->saw_any_mail());
  EXPECT_EQ(r.domains[0].attempts.at(0).tls->dane, "authenticated");
  EXPECT_FALSE(r.domains[0].attempts.at(0).tls->pkix_ok);
}

TEST_F(Dane, PrefixWithDaneDeliversWhenBothPass) {
  auto leaf = make_leaf(name("starttls-mx"), cert_kind::valid);
  auto s = script(name("starttls-mx"), cert_kind::none);
  s.leaf = leaf;
  auto mx = host("starttls-mx", s);
  publish(zone_security::secure,
          {"@ MX 10 starttls-mx", a_record(mx), tlsa("_25._tcp.starttls-mx", 3, 1, 1, spki_sha256(leaf))});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);
  EXPECT_EQ(r.domains[0].attempts.at(0).decision.reason, "dane:usable+prefix:starttls");
}

TEST_F(Dane, AllUnusableRecordsRequireEncryptionButNotAuthentication) {
  auto leaf = make_leaf(name("mx"), cert_kind::self_signed);
  auto s = script(name("mx"), cert_kind::none);
  s.leaf = leaf;
  auto mx = host("mx", s);
  // [DANE-3.1.3-02] PKIX-EE (usage 1) is unusable for SMTP.
  publish(zone_security::secure, {"@ MX 10 mx", a_record(mx), tlsa("_25._tcp.mx", 1, 1, 1, spki_sha256(leaf))});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);  // [DNS-13][DANE-2.2-02]
  EXPECT_EQ(r.domains[0].attempts.at(0).decision.tls, spec::policy::tls_level::encrypted);
  EXPECT_EQ(mx.smtp->messages_over_tls(), 1u);
}

TEST_F(Dane, AllUnusableRecordsForbidPlaintext) {
  auto s = script("", cert_kind::none);
  s.offer_starttls = false;
  auto mx = host("mx", s);
  publish(zone_security::secure, {"@ MX 10 mx", a_record(mx), tlsa("_25._tcp.mx", 0, 0, 1, wrong_digest())});
  auto r = send();
  EXPECT_EQ(r.result, outcome::deferred) << attempts_text(r);  // [DANE-2.2.3-03]
  EXPECT_FALSE(mx.smtp->saw_any_mail());
}

TEST_F(Dane, FailedTlsaLookupSkipsTheHost) {
  auto mx1 = host("mx1", script(name("mx1")));
  auto mx2 = host("mx2", script(name("mx2")));
  publish(zone_security::secure, {"@ MX 10 mx1", "@ MX 20 mx2", a_record(mx1), a_record(mx2)});
  world.zones().set_fault("_25._tcp." + name("mx1"), net::dns::fault::servfail);
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);  // [DNS-12][DANE-2.1.2-03]
  EXPECT_EQ(mx1.smtp->connections(), 0u);
  EXPECT_EQ(r.domains[0].attempts.at(0).decision.reason, "tlsa-lookup-failure");
  EXPECT_EQ(r.domains[0].host, name("mx2"));
}

TEST_F(Dane, InsecureAddressRecordsDisableDane) {
  // The MX RRset is secure, the host lives in an insecure zone with a wrong TLSA record.
  std::string const other = world.new_zone_name();
  auto s = script("mx." + other);
  s.host = "mx." + other;
  auto mx = world.start_host("mx." + other, s);
  world.add_zone(other, zone_security::insecure,
                 {"mx A " + mx.address.to_string(), "_25._tcp.mx TLSA 3 1 1 " + wrong_digest()});
  publish(zone_security::secure, {"@ MX 10 mx." + other + "."});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);  // [DNS-20][DANE-2.2.2-02]
  EXPECT_EQ(r.domains[0].attempts.at(0).inputs.dane, spec::policy::dane_state::no_tlsa);
}

TEST_F(Dane, InsecureMxRrsetDisablesDane) {
  auto mx = host("mx", script(name("mx")));
  publish(zone_security::insecure, {"@ MX 10 mx", a_record(mx), tlsa("_25._tcp.mx", 3, 1, 1, wrong_digest())});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);  // [DNS-20][DANE-2.2.1-02]
}

TEST_F(Dane, ImplicitTlsPortHasItsOwnTlsaRecords) {
  auto leaf = make_leaf(name("smtps-mx"), cert_kind::valid);
  auto s = script(name("smtps-mx"), cert_kind::none);
  s.leaf = leaf;
  auto mx = host("smtps-mx", s, s);
  // _26._tcp does not match, _25._tcp does: port 26 fails DANE, port 25 delivers.
  publish(zone_security::secure, {"@ MX 10 smtps-mx", a_record(mx), tlsa("_26._tcp.smtps-mx", 3, 1, 1, wrong_digest()),
                                  tlsa("_25._tcp.smtps-mx", 3, 1, 1, spki_sha256(leaf))});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);  // [P26-10]
  ASSERT_EQ(r.domains[0].attempts.size(), 2u);
  EXPECT_EQ(r.domains[0].attempts[0].status, attempt_status::fell_back);
  EXPECT_EQ(r.domains[0].attempts[0].tls->failure, "tlsa-invalid");
  EXPECT_FALSE(mx.implicit->saw_any_mail());
  EXPECT_EQ(mx.smtp->messages_over_tls(), 1u);
  EXPECT_EQ(r.domains[0].tls->dane, "authenticated");
}

}  // namespace
}  // namespace mxtls::client::test
