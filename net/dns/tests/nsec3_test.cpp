// NSEC3 denial (RFC 5155) end to end: the authority serves NSEC3 and NSEC3 opt-out zones,
// the client proves NXDOMAIN, NODATA, empty non-terminals, and insecure delegations by a
// matching NSEC3 or by an opt-out span (RFC 5155 §8.6) (DANE-2.1.1-01, DANE-2.1.1-02).
#include "fixture.hpp"

namespace mxtls::net::dns::test {
namespace {

class nsec3_world : public dns_world {
 protected:
  void SetUp() override {
    dns_world::SetUp();
    add({"n3.test", zone_security::secure, {"@ MX 10 mx", "mx A 127.0.1.1", "a.b.deep TXT \"x\""}, denial_method::nsec3});
    add({"plain.n3.test", zone_security::insecure, {"@ A 127.0.1.2"}});
    add({"signed.n3.test", zone_security::secure, {"@ A 127.0.1.3"}});
    add({"oo.test", zone_security::secure, {"@ MX 10 mx", "mx A 127.0.2.1"}, denial_method::nsec3_opt_out});
    add({"plain.oo.test", zone_security::insecure, {"@ A 127.0.2.2"}});
    add({"signed.oo.test", zone_security::secure, {"@ A 127.0.2.3"}});
  }

  dnssec_status status_of(std::string const& name, rr_type t, lookup_outcome expected) {
    client c(io.get_executor(), options());
    auto a = query(c, name, t);
    EXPECT_TRUE(a) << name << ": " << (a ? "" : a.error().message());
    if (!a) return dnssec_status::indeterminate;
    EXPECT_EQ(a->outcome, expected) << name << " " << to_string(a->outcome);
    if (a->status == dnssec_status::bogus) ADD_FAILURE() << name << ": " << a->why;
    return a->status;
  }
};

TEST_F(nsec3_world, PositiveAnswerInNsec3ZoneIsSecure) {
  EXPECT_EQ(status_of("n3.test", rr_type::mx, lookup_outcome::found), dnssec_status::secure);
}

TEST_F(nsec3_world, NxdomainProvenByClosestEncloser) {
  EXPECT_EQ(status_of("nope.n3.test", rr_type::a, lookup_outcome::nxdomain), dnssec_status::secure);
  EXPECT_EQ(status_of("x.y.mx.n3.test", rr_type::a, lookup_outcome::nxdomain), dnssec_status::secure);
}

TEST_F(nsec3_world, NodataProvenByMatchingNsec3) {
  EXPECT_EQ(status_of("mx.n3.test", rr_type::aaaa, lookup_outcome::nodata), dnssec_status::secure);
  EXPECT_EQ(status_of("b.deep.n3.test", rr_type::txt, lookup_outcome::nodata), dnssec_status::secure);
  EXPECT_EQ(status_of("a.b.deep.n3.test", rr_type::txt, lookup_outcome::found), dnssec_status::secure);
}

TEST_F(nsec3_world, UnsignedDelegationWithMatchingNsec3IsInsecure) {
  EXPECT_EQ(status_of("plain.n3.test", rr_type::a, lookup_outcome::found), dnssec_status::insecure);
  EXPECT_EQ(status_of("signed.n3.test", rr_type::a, lookup_outcome::found), dnssec_status::secure);
}

TEST_F(nsec3_world, OptOutSpanMakesUnsignedDelegationInsecure) {
  EXPECT_EQ(status_of("plain.oo.test", rr_type::a, lookup_outcome::found), dnssec_status::insecure);
  EXPECT_EQ(status_of("signed.oo.test", rr_type::a, lookup_outcome::found), dnssec_status::secure);
  EXPECT_EQ(status_of("oo.test", rr_type::mx, lookup_outcome::found), dnssec_status::secure);
}

TEST_F(nsec3_world, OptOutTldLikeComStillValidatesBelowIt) {
  // The TLD switched to NSEC3 opt-out, as many real TLDs are.
  ASSERT_TRUE(zones->set_denial("test", denial_method::nsec3_opt_out));
  EXPECT_EQ(status_of("secure.test", rr_type::mx, lookup_outcome::found), dnssec_status::secure);
  EXPECT_EQ(status_of("insecure.test", rr_type::mx, lookup_outcome::found), dnssec_status::insecure);
  EXPECT_EQ(status_of("missing.test", rr_type::mx, lookup_outcome::nxdomain), dnssec_status::insecure);
}

TEST_F(nsec3_world, CorruptedNsec3IsBogus) {
  zones->set_fault("nope.n3.test", fault::bogus_signatures);
  client c(io.get_executor(), options());
  auto a = query(c, "nope.n3.test", rr_type::a);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->outcome, lookup_outcome::nxdomain);
  EXPECT_EQ(a->status, dnssec_status::bogus) << a->why;
}

TEST_F(nsec3_world, NsecZoneSwitchedToNsec3StillValidates) {
  ASSERT_TRUE(zones->set_denial("secure.test", denial_method::nsec3));
  EXPECT_EQ(status_of("nope.secure.test", rr_type::a, lookup_outcome::nxdomain), dnssec_status::secure);
  EXPECT_EQ(status_of("mx2.secure.test", rr_type::aaaa, lookup_outcome::nodata), dnssec_status::secure);
  EXPECT_EQ(status_of("child.secure.test", rr_type::mx, lookup_outcome::found), dnssec_status::secure);
}

}  // namespace
}  // namespace mxtls::net::dns::test
