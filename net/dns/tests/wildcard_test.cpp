// Wildcards (RFC 4034 §4.1, RFC 4035 §3.1.3.3/§5.3.4, RFC 5155 §7.2.5/§8.8): the authority
// synthesizes answers from "*" owners with a proof that the name itself is absent, and the
// client accepts an expansion only with that proof (DANE-2.1.1-01). NSEC and NSEC3 alike.
#include "fixture.hpp"

namespace mxtls::net::dns::test {
namespace {

class wildcard_world : public dns_world, public ::testing::WithParamInterface<denial_method> {
 protected:
  void SetUp() override {
    dns_world::SetUp();
    add({"wild.test", zone_security::secure,
         {"@ MX 10 mx", "mx A 127.0.3.1", "*.w TXT \"wild\"", "*.c CNAME mx", "exact.w TXT \"exact\""},
         GetParam()});
  }

  result<answer> ask(std::string const& name, rr_type t) {
    client c(io.get_executor(), options());
    return query(c, name, t);
  }
};

TEST_P(wildcard_world, ExpandedAnswerIsSecureAndNamedAfterTheQuery) {
  for (auto const* name : {"x.w.wild.test", "a.b.w.wild.test"}) {
    auto a = ask(name, rr_type::txt);
    ASSERT_TRUE(a) << a.error().message();
    EXPECT_EQ(a->outcome, lookup_outcome::found) << name;
    EXPECT_EQ(a->status, dnssec_status::secure) << name << ": " << a->why;
    ASSERT_EQ(a->records.size(), 1u);
    EXPECT_EQ(a->records[0].owner, std::string(name) + ".");
    EXPECT_EQ(a->records[0].rdata_text, "\"wild\"");
  }
}

TEST_P(wildcard_world, ExactNameBeatsTheWildcard) {
  auto a = ask("exact.w.wild.test", rr_type::txt);
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_EQ(a->records.size(), 1u);
  EXPECT_EQ(a->records[0].rdata_text, "\"exact\"");
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
}

TEST_P(wildcard_world, WildcardNodataIsSecure) {
  auto a = ask("x.w.wild.test", rr_type::aaaa);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->outcome, lookup_outcome::nodata);
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
}

TEST_P(wildcard_world, WildcardCnameIsFollowed) {
  auto a = ask("host.c.wild.test", rr_type::a);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
  EXPECT_EQ(a->canonical_name, "mx.wild.test");
  ASSERT_EQ(a->records.size(), 1u);
  EXPECT_EQ(a->records[0].rdata_text, "127.0.3.1");
}

TEST_P(wildcard_world, NamesOutsideTheWildcardStayNxdomain) {
  auto a = ask("nope.wild.test", rr_type::txt);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->outcome, lookup_outcome::nxdomain);
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
}

TEST_P(wildcard_world, TamperedExpansionIsBogus) {
  zones->set_fault("x.w.wild.test", fault::bogus_signatures, false, rr_type::txt);
  auto a = ask("x.w.wild.test", rr_type::txt);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->status, dnssec_status::bogus) << a->why;
}

INSTANTIATE_TEST_SUITE_P(DenialMethods, wildcard_world,
                         ::testing::Values(denial_method::nsec, denial_method::nsec3),
                         [](auto const& p) { return std::string(to_string(p.param)); });

}  // namespace
}  // namespace mxtls::net::dns::test
