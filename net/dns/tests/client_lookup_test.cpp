// Typed lookups and transport behaviour of the client against the test authority: MX order,
// TXT character-strings kept apart, TLSA RDATA at _port._tcp (DANE-2.2.3-01), TC → TCP,
// SERVFAIL and timeouts as errors distinct from NXDOMAIN (DANE-2.1.2-03, X-30).
#include "fixture.hpp"

#include <algorithm>

namespace mxtls::net::dns::test {
namespace {

using namespace std::chrono_literals;

TEST_F(dns_world, MxHostsSortedByPreference) {
  client c(io.get_executor(), options());
  auto mx = run(c, [](client& cl) { return cl.lookup_mx("secure.test"); });
  ASSERT_TRUE(mx) << mx.error().message();
  EXPECT_EQ(mx->status, dnssec_status::secure);
  ASSERT_EQ(mx->records.size(), 2u);
  EXPECT_EQ(mx->records[0], (mx_host{5, "mx2.secure.test"}));
  EXPECT_EQ(mx->records[1], (mx_host{10, "mx.secure.test"}));
}

TEST_F(dns_world, NullMxHasEmptyHost) {
  ASSERT_TRUE(zones->add_records("secure.test", {"nullmx 300 IN MX 0 ."}));
  client c(io.get_executor(), options());
  auto mx = run(c, [](client& cl) { return cl.lookup_mx("nullmx.secure.test"); });
  ASSERT_TRUE(mx) << mx.error().message();
  ASSERT_EQ(mx->records.size(), 1u);
  EXPECT_EQ(mx->records[0], (mx_host{0, ""}));
}

TEST_F(dns_world, MxNodataAndNxdomainAreOutcomesNotErrors) {
  client c(io.get_executor(), options());
  auto nodata = run(c, [](client& cl) { return cl.lookup_mx("mx.secure.test"); });
  ASSERT_TRUE(nodata) << nodata.error().message();
  EXPECT_EQ(nodata->outcome, lookup_outcome::nodata);
  EXPECT_EQ(nodata->status, dnssec_status::secure);
  auto nx = run(c, [](client& cl) { return cl.lookup_mx("missing.secure.test"); });
  ASSERT_TRUE(nx) << nx.error().message();
  EXPECT_EQ(nx->outcome, lookup_outcome::nxdomain);
}

TEST_F(dns_world, TxtCharacterStringsArePreserved) {
  client c(io.get_executor(), options());
  auto txt = run(c, [](client& cl) { return cl.lookup_txt("_mta-sts.secure.test"); });
  ASSERT_TRUE(txt) << txt.error().message();
  EXPECT_EQ(txt->status, dnssec_status::secure);
  ASSERT_EQ(txt->records.size(), 2u);
  auto const multi = txt_strings{"v=STSv1; id=20240101", "; extra"};
  auto const single = txt_strings{"second record"};
  EXPECT_NE(std::find(txt->records.begin(), txt->records.end(), multi), txt->records.end());
  EXPECT_NE(std::find(txt->records.begin(), txt->records.end(), single), txt->records.end());
}

TEST_F(dns_world, TlsaRdataAtPortAndTcpLabel) {
  // [DANE-2.2.3-01] _25._tcp.<host>
  client c(io.get_executor(), options());
  auto tlsa = run(c, [](client& cl) { return cl.lookup_tlsa(25, "MX.secure.test."); });
  ASSERT_TRUE(tlsa) << tlsa.error().message();
  EXPECT_EQ(tlsa->status, dnssec_status::secure);
  ASSERT_EQ(tlsa->records.size(), 1u);
  ASSERT_EQ(tlsa->records[0].size(), 3u + 32u);
  EXPECT_EQ(tlsa->records[0][0], 3);
  EXPECT_EQ(tlsa->records[0][1], 1);
  EXPECT_EQ(tlsa->records[0][2], 1);
  EXPECT_EQ(tlsa->records[0][3], 0x01);
  auto none = run(c, [](client& cl) { return cl.lookup_tlsa(26, "mx.secure.test"); });
  ASSERT_TRUE(none) << none.error().message();
  EXPECT_EQ(none->outcome, lookup_outcome::nxdomain);
  EXPECT_EQ(none->status, dnssec_status::secure);
}

TEST_F(dns_world, TlsaServfailMakesTheServerUnusable) {
  // [DANE-2.1.2-03] a failed TLSA query is an error, never "no TLSA records".
  zones->set_fault("_25._tcp.mx.secure.test", fault::servfail);
  client c(io.get_executor(), options());
  auto tlsa = run(c, [](client& cl) { return cl.lookup_tlsa(25, "mx.secure.test"); });
  ASSERT_FALSE(tlsa);
  EXPECT_EQ(tlsa.error().code, errc::server_failure);
  EXPECT_EQ(tlsa.error().requirement, "DANE-2.1.2-03");
}

TEST_F(dns_world, AddressesOfBothFamilies) {
  client c(io.get_executor(), options());
  auto addrs = run(c, [](client& cl) { return cl.lookup_addresses("mx.secure.test"); });
  ASSERT_TRUE(addrs) << addrs.error().message();
  EXPECT_EQ(addrs->status, dnssec_status::secure);
  ASSERT_EQ(addrs->records.size(), 2u);
  EXPECT_EQ(addrs->records[0], boost::asio::ip::make_address("127.0.0.10"));
  EXPECT_EQ(addrs->records[1], boost::asio::ip::make_address("::1"));
  auto insecure = run(c, [](client& cl) { return cl.lookup_addresses("mx.insecure.test"); });
  ASSERT_TRUE(insecure) << insecure.error().message();
  EXPECT_EQ(insecure->status, dnssec_status::insecure);
}

TEST_F(dns_world, TruncatedAnswerIsRetriedOverTcp) {
  zones->set_fault("_mta-sts.secure.test", fault::truncate);
  client c(io.get_executor(), options());
  auto a = query(c, "_mta-sts.secure.test", rr_type::txt);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_TRUE(a->over_tcp);
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
  EXPECT_EQ(a->records.size(), 2u);
  auto const log = zones->query_log();
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](query_log_entry const& e) {
    return e.name == "_mta-sts.secure.test" && e.via == transport::udp && e.truncated;
  }));
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](query_log_entry const& e) {
    return e.name == "_mta-sts.secure.test" && e.via == transport::tcp && !e.truncated;
  }));
}

TEST_F(dns_world, AnswerLargerThanEdnsBufferIsTruncated) {
  std::vector<std::string> many;
  for (int i = 0; i < 40; ++i) many.push_back("big TXT \"" + std::string(60, static_cast<char>('a' + i % 26)) + std::to_string(i) + "\"");
  ASSERT_TRUE(zones->add_records("secure.test", many));
  client c(io.get_executor(), options());
  auto a = query(c, "big.secure.test", rr_type::txt);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_TRUE(a->over_tcp);
  EXPECT_EQ(a->records.size(), 40u);
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
}

TEST_F(dns_world, ServfailIsAnErrorNotNxdomain) {
  zones->set_fault("secure.test", fault::servfail, false, rr_type::mx);
  client c(io.get_executor(), options());
  auto mx = run(c, [](client& cl) { return cl.lookup_mx("secure.test"); });
  ASSERT_FALSE(mx);
  EXPECT_EQ(mx.error().code, errc::server_failure);
  auto a = query(c, "secure.test", rr_type::mx);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, errc::server_failure);
}

TEST_F(dns_world, DroppedQueryTimesOutAsAnError) {
  zones->set_fault("secure.test", fault::drop, false, rr_type::mx);
  auto o = options();
  o.attempt_timeout = 100ms;
  o.udp_attempts = 2;
  client c(io.get_executor(), o);
  auto const start = std::chrono::steady_clock::now();
  auto mx = run(c, [](client& cl) { return cl.lookup_mx("secure.test"); });
  auto const took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(mx);
  EXPECT_EQ(mx.error().code, errc::timeout);
  EXPECT_LT(took, 2s);
  auto const log = zones->query_log();
  auto const tries = std::count_if(log.begin(), log.end(), [](query_log_entry const& e) {
    return e.name == "secure.test" && e.type == rr_type::mx;
  });
  EXPECT_EQ(tries, 2);
}

TEST_F(dns_world, ChainQueryFailureIsIndeterminate) {
  // [DANE-2.1.1-02] a failed DS query on the way down: indeterminate, treated as an error.
  zones->set_fault("secure.test", fault::servfail, false, rr_type::ds);
  client c(io.get_executor(), options());
  auto a = query(c, "secure.test", rr_type::mx);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->status, dnssec_status::indeterminate) << a->why;
  auto mx = run(c, [](client& cl) { return cl.lookup_mx("secure.test"); });
  ASSERT_FALSE(mx);
  EXPECT_EQ(mx.error().code, errc::dnssec_indeterminate);
}

TEST_F(dns_world, NoServerListeningIsANetworkErrorOrTimeout) {
  auto o = options();
  o.resolver.port = 1;  // nothing listens on 127.0.0.1:1
  o.attempt_timeout = 100ms;
  client c(io.get_executor(), o);
  auto a = query(c, "secure.test", rr_type::mx);
  ASSERT_FALSE(a);
  EXPECT_TRUE(a.error().code == errc::network_error || a.error().code == errc::timeout) << a.error().message();
}

TEST_F(dns_world, RemovedRecordIsGoneOnTheNextQuery) {
  client c(io.get_executor(), options());
  auto before = run(c, [](client& cl) { return cl.lookup_txt("_mta-sts.secure.test"); });
  ASSERT_TRUE(before);
  EXPECT_EQ(before->outcome, lookup_outcome::found);
  ASSERT_TRUE(zones->remove_rrset("_mta-sts.secure.test", rr_type::txt));
  auto after = run(c, [](client& cl) { return cl.lookup_txt("_mta-sts.secure.test"); });
  ASSERT_TRUE(after) << after.error().message();
  EXPECT_EQ(after->outcome, lookup_outcome::nxdomain);
  EXPECT_EQ(after->status, dnssec_status::secure) << after->why;
}

TEST_F(dns_world, ReplacedRrsetIsServedSigned) {
  ASSERT_TRUE(zones->replace_rrset("secure.test", "mx.secure.test", rr_type::a, {"mx A 127.0.0.99"}));
  client c(io.get_executor(), options());
  auto a = query(c, "mx.secure.test", rr_type::a);
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_EQ(a->records.size(), 1u);
  EXPECT_EQ(a->records[0].rdata_text, "127.0.0.99");
  EXPECT_EQ(a->status, dnssec_status::secure) << a->why;
}

TEST_F(dns_world, InvalidNameIsRejectedBeforeSending) {
  client c(io.get_executor(), options());
  auto a = query(c, "bad..name", rr_type::a);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, errc::invalid_name);
  EXPECT_EQ(c.queries_sent(), 0u);
}

}  // namespace
}  // namespace mxtls::net::dns::test
