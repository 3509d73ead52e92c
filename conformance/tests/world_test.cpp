// The world: zones published secure / insecure / bogus resolve with that DNSSEC status through
// net/dns's validating client (anchored at the world's trust anchor file); policy hosts serve
// the policy and each fault (STS-3.3-04, STS-3.3-05, STS-3.3-06, STS-3.3-08, STS-3.2-02) and
// log every fetch with the world's time; certificates of every shape; the clock; case cleanup.
#include "world/world.hpp"

#include <mxtls/net/dns/client.hpp>
#include <mxtls/net/dns/trust_anchor.hpp>
#include <mxtls/net/https.hpp>
#include <mxtls/net/tls.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace mxtls::conformance {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace dns = net::dns;

constexpr char const* policy_text = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.mxtls.test\r\nmax_age: 86400\r\n";

policy_host_options host_opts(policy_fault f = policy_fault::none, cert_kind c = cert_kind::valid) {
  policy_host_options o;
  o.body = policy_text;
  o.fault = f;
  o.cert = c;
  return o;
}

/// An io thread for the clients of the tests, and a runner with a deadline.
class WorldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    w = std::make_unique<world>();
    worker = std::thread([this] { io.run(); });
  }
  void TearDown() override {
    guard.reset();
    io.stop();
    worker.join();
    w.reset();
  }

  template <class Make>
  auto run(Make make) {
    auto fut = asio::co_spawn(io, std::move(make), asio::use_future);
    if (fut.wait_for(30s) != std::future_status::ready) throw std::runtime_error("coroutine did not finish in 30 s");
    return fut.get();
  }

  dns::client_options client_options() const {
    dns::client_options o;
    o.resolver = w->dns_address();
    o.anchor = dns::trust_anchor::load(w->trust_anchor_file()).value();
    o.attempt_timeout = 300ms;
    o.query_budget = 2s;
    o.lookup_budget = 5s;
    o.clock = [c = &w->clock()] { return c->now(); };
    return o;
  }

  dns::result<dns::mx_lookup> lookup_mx(std::string domain) {
    return run([this, domain]() -> asio::awaitable<dns::result<dns::mx_lookup>> {
      dns::client c(co_await asio::this_coro::executor, client_options());
      co_return co_await c.lookup_mx(domain);
    });
  }

  net::result<net::fetched_policy> fetch(std::string const& domain, std::chrono::seconds timeout = 5s) {
    auto const host = w->find_policy_host(domain);
    if (!host) throw std::runtime_error("no policy host for " + domain);
    net::policy_fetch_options o;
    o.policy_domain = domain;
    o.addresses = {host->endpoint()};
    o.tls.system_trust = false;
    o.tls.ca_file = w->ca_file();
    o.timeout = timeout;
    return run([o]() -> asio::awaitable<net::result<net::fetched_policy>> { co_return co_await net::fetch_policy(o); });
  }

  std::unique_ptr<world> w;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  std::thread worker;
};

TEST_F(WorldTest, WritesTheCaAndTrustAnchorFiles) {
  EXPECT_EQ(w->tld(), "mxtls.test");
  std::ifstream ca(w->ca_file());
  std::stringstream ss;
  ss << ca.rdbuf();
  EXPECT_EQ(ss.str(), w->pki().ca_pem());
  EXPECT_NE(ss.str().find("BEGIN CERTIFICATE"), std::string::npos);
  auto const anchor = dns::trust_anchor::load(w->trust_anchor_file());
  ASSERT_TRUE(anchor) << anchor.error().message();
  ASSERT_EQ(anchor->records().size(), 1u);
  EXPECT_NE(anchor->records()[0].find("DS"), std::string::npos);
  EXPECT_TRUE(w->dns_address().address.is_loopback());
  EXPECT_NE(w->dns_address().port, 0);
}

TEST_F(WorldTest, SecureInsecureAndBogusDomainsResolveWithThatStatus) {
  w->add_domain("sec.mxtls.test", dnssec_mode::secure, {"@ MX 10 mx", "mx A 127.0.0.1"});
  w->add_domain("insec.mxtls.test", dnssec_mode::insecure, {"@ MX 10 mx", "mx A 127.0.0.1"});
  w->add_domain("bog.mxtls.test", dnssec_mode::bogus, {"@ MX 10 mx", "mx A 127.0.0.1"});

  auto const sec = lookup_mx("sec.mxtls.test");
  ASSERT_TRUE(sec) << sec.error().message();
  EXPECT_EQ(sec->status, dns::dnssec_status::secure) << sec->why;
  ASSERT_EQ(sec->records.size(), 1u);
  EXPECT_EQ(sec->records[0].host, "mx.sec.mxtls.test");

  auto const insec = lookup_mx("insec.mxtls.test");
  ASSERT_TRUE(insec) << insec.error().message();
  EXPECT_EQ(insec->status, dns::dnssec_status::insecure) << insec->why;
  ASSERT_EQ(insec->records.size(), 1u);

  // [DANE-2.1.2-01] a bogus MX RRset is an error of the lookup, never an answer.
  auto const bog = lookup_mx("bog.mxtls.test");
  EXPECT_FALSE(bog) << "bogus zone gave status " << dns::to_string(bog->status);
}

TEST_F(WorldTest, ZonesChangeWhileServing) {
  w->add_domain("change.mxtls.test", dnssec_mode::secure, {"@ MX 10 mx1"});
  ASSERT_EQ(lookup_mx("change.mxtls.test")->records.at(0).host, "mx1.change.mxtls.test");
  w->replace_rrset("change.mxtls.test", "change.mxtls.test.", dns::rr_type::mx, {rr::mx("change.mxtls.test", 20, "evil.example")});
  auto const after = lookup_mx("change.mxtls.test");
  ASSERT_TRUE(after) << after.error().message();
  EXPECT_EQ(after->records.at(0).host, "evil.example");
  EXPECT_EQ(after->records.at(0).preference, 20);
  w->set_dnssec("change.mxtls.test", dnssec_mode::bogus);
  EXPECT_FALSE(lookup_mx("change.mxtls.test"));
  w->set_dns_fault("change.mxtls.test", dns::fault::servfail);
  EXPECT_FALSE(lookup_mx("change.mxtls.test"));
}

TEST(WorldRecords, PresentationFormat) {
  EXPECT_EQ(rr::mx("d.test", 10, "mx.d.test"), "d.test. IN MX 10 mx.d.test.");
  EXPECT_EQ(rr::a("mx.d.test.", "127.0.0.1"), "mx.d.test. IN A 127.0.0.1");
  EXPECT_EQ(rr::cname("_mta-sts.d.test", "x.provider.test"), "_mta-sts.d.test. IN CNAME x.provider.test.");
  EXPECT_EQ(rr::txt("_mta-sts.d.test", "v=STSv1; id=\"1\\"), "_mta-sts.d.test. IN TXT \"v=STSv1; id=\\\"1\\\\\"");
  EXPECT_EQ(rr::txt("t.test", std::string("a\x01", 2)), "t.test. IN TXT \"a\\001\"");
  auto const long_txt = rr::txt("t.test", std::string(300, 'x'));
  EXPECT_EQ(long_txt, "t.test. IN TXT \"" + std::string(255, 'x') + "\" \"" + std::string(45, 'x') + "\"");
  EXPECT_EQ(rr::tlsa(25, "mx.d.test", 3, 1, 1, "ab01"), "_25._tcp.mx.d.test. IN TLSA 3 1 1 ab01");
}

TEST_F(WorldTest, TxtRecordsRoundTripThroughTheServer) {
  w->add_domain("txt.mxtls.test", dnssec_mode::secure,
                {rr::txt("_mta-sts.txt.mxtls.test", "v=STSv1; id=20250101" + std::string(260, '0'))});
  auto const r = run([this]() -> asio::awaitable<dns::result<dns::txt_lookup>> {
    dns::client c(co_await asio::this_coro::executor, client_options());
    co_return co_await c.lookup_txt("_mta-sts.txt.mxtls.test");
  });
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->records.size(), 1u);
  ASSERT_EQ(r->records[0].size(), 2u);
  EXPECT_EQ(r->records[0][0] + r->records[0][1], "v=STSv1; id=20250101" + std::string(260, '0'));
}

TEST_F(WorldTest, PolicyHostServesThePolicyAndLogsWithWorldTime) {
  w->add_domain("pol.mxtls.test", dnssec_mode::secure, {"@ MX 10 mx"});
  auto const t0 = w->clock().now();
  auto host = w->start_policy_host("pol.mxtls.test", host_opts());
  EXPECT_EQ(host->host_name(), "mta-sts.pol.mxtls.test");
  EXPECT_TRUE(host->endpoint().address().is_loopback());
  auto const r = fetch("pol.mxtls.test");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, policy_text);
  EXPECT_TRUE(r->content_type_ok);
  auto const log = host->fetches();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].target, net::policy_path);
  EXPECT_EQ(log[0].host, "mta-sts.pol.mxtls.test");
  EXPECT_EQ(log[0].sni, "mta-sts.pol.mxtls.test");
  EXPECT_EQ(log[0].status, 200u);
  EXPECT_EQ(log[0].world_time, t0);  // the world's clock does not tick by itself

  // The host's name is in the domain's zone, pointing at the world's address.
  auto const a = run([this]() -> asio::awaitable<dns::result<dns::address_lookup>> {
    dns::client c(co_await asio::this_coro::executor, client_options());
    co_return co_await c.lookup_addresses("mta-sts.pol.mxtls.test");
  });
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_FALSE(a->records.empty());
  EXPECT_EQ(a->records[0], w->address());
  EXPECT_EQ(a->status, dns::dnssec_status::secure);
}

struct fault_row {
  policy_fault fault;
  net::errc want;  ///< errc{} (0): the fetch succeeds
  cert_kind cert = cert_kind::valid;
};

TEST_F(WorldTest, PolicyHostInjectsEachFault) {
  for (auto const& r : {fault_row{policy_fault::redirect, net::errc::http_redirect},
                        fault_row{policy_fault::status, net::errc::http_status},
                        fault_row{policy_fault::not_modified, net::errc::http_not_modified},
                        fault_row{policy_fault::oversize_static, net::errc::body_too_large},
                        fault_row{policy_fault::oversize_chunked, net::errc::body_too_large},
                        fault_row{policy_fault::none, net::errc::certificate_expired, cert_kind::expired},
                        fault_row{policy_fault::none, net::errc::certificate_host_mismatch, cert_kind::wrong_name},
                        fault_row{policy_fault::none, net::errc::certificate_not_trusted, cert_kind::self_signed},
                        fault_row{policy_fault::none, net::errc::certificate_host_mismatch, cert_kind::cn_only},
                        fault_row{policy_fault::none, net::errc{}, cert_kind::wildcard}}) {
    auto const domain = std::string(to_string(r.fault)) + "-" + std::string(to_string(r.cert)) + ".mxtls.test";
    w->add_domain(domain, dnssec_mode::secure);
    auto host = w->start_policy_host(domain, host_opts(r.fault, r.cert));
    auto const got = fetch(domain);
    if (r.want == net::errc{}) {
      EXPECT_TRUE(got) << domain << ": " << got.error().message();
    } else {
      ASSERT_FALSE(got) << domain << " fetched fine";
      EXPECT_EQ(got.error().code, net::make_error_code(r.want)) << domain << ": " << got.error().message();
    }
  }
}

TEST_F(WorldTest, PolicyHostContentTypeFaultsAreVisibleToTheFetcher) {
  w->add_domain("ct.mxtls.test", dnssec_mode::secure);
  w->start_policy_host("ct.mxtls.test", host_opts(policy_fault::content_type_html));
  auto const html = fetch("ct.mxtls.test");
  ASSERT_TRUE(html) << html.error().message();
  EXPECT_EQ(html->content_type, "text/html");
  EXPECT_FALSE(html->content_type_ok);
  w->start_policy_host("ct.mxtls.test", host_opts(policy_fault::content_type_missing));
  auto const missing = fetch("ct.mxtls.test");
  ASSERT_TRUE(missing) << missing.error().message();
  EXPECT_EQ(missing->content_type, "");
  EXPECT_FALSE(missing->content_type_ok);
}

TEST_F(WorldTest, PolicyHostSlowDripOutlastsTheFetchDeadline) {
  w->add_domain("drip.mxtls.test", dnssec_mode::secure);
  auto drip = host_opts(policy_fault::slow_drip);
  drip.drip_interval = 100ms;
  w->start_policy_host("drip.mxtls.test", drip);
  auto const t0 = std::chrono::steady_clock::now();
  auto const r = fetch("drip.mxtls.test", 1s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, net::make_error_code(net::errc::fetch_timeout)) << r.error().message();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

TEST_F(WorldTest, PolicyHostRedirectNamesAnotherHost) {
  w->add_domain("redir.mxtls.test", dnssec_mode::secure);
  auto redirect = host_opts(policy_fault::redirect);
  redirect.redirect_status = 308;
  auto host = w->start_policy_host("redir.mxtls.test", redirect);
  net::policy_request req;
  req.method = "GET";
  req.target = net::policy_path;
  req.host = "mta-sts.redir.mxtls.test";
  req.sni = req.host;
  auto const resp = policy_response(redirect, "redir.mxtls.test", req);
  EXPECT_EQ(resp.status, 308u);
  bool location = false;
  for (auto const& [k, v] : resp.headers)
    if (k == "Location") location = v == "https://mta-sts.other-redir.mxtls.test/.well-known/mta-sts.txt";
  EXPECT_TRUE(location);
  (void)fetch("redir.mxtls.test");
  ASSERT_EQ(host->fetches().size(), 1u);
  EXPECT_EQ(host->fetches()[0].status, 308u);
}

TEST_F(WorldTest, CertificatesOfEveryShapeVerifyAsTheirKindSays) {
  net::tls_config cfg;
  cfg.system_trust = false;
  cfg.trusted_ca_pem = {w->pki().ca_pem()};
  auto const ctx = net::tls_context::create(cfg).value();
  std::string const host = "mx.certs.mxtls.test";
  auto verify = [&](cert_kind k) {
    auto const der = net::pem_to_der_chain(w->pki().issue(host, k).chain_pem).value();
    return net::verify_chain(*ctx, der, host);
  };
  EXPECT_TRUE(verify(cert_kind::valid).pkix_ok());
  EXPECT_TRUE(verify(cert_kind::wildcard).pkix_ok());
  auto const expired = verify(cert_kind::expired);
  EXPECT_TRUE(expired.trusted && expired.name_matched && expired.expired);
  EXPECT_TRUE(verify(cert_kind::not_yet_valid).not_yet_valid);
  auto const wrong = verify(cert_kind::wrong_name);
  EXPECT_TRUE(wrong.trusted && !wrong.name_matched);
  EXPECT_EQ(wrong.dns_ids, (std::vector<std::string>{"other-mx.certs.mxtls.test"}));
  EXPECT_FALSE(verify(cert_kind::self_signed).trusted);
  auto const cn = verify(cert_kind::cn_only);
  EXPECT_TRUE(cn.trusted && !cn.name_matched && cn.dns_ids.empty());
  // Issued once, then cached.
  EXPECT_EQ(&w->pki().issue(host, cert_kind::valid), &w->pki().issue(host, cert_kind::valid));
  auto const files = w->pki().write(host, cert_kind::valid, w->dir() + "/certs");
  EXPECT_TRUE(std::filesystem::exists(files.chain));
  EXPECT_TRUE(std::filesystem::exists(files.key));
}

TEST(WorldClock, StartsWhereToldAndMovesOnlyWhenTold) {
  auto const start = std::chrono::sys_days{std::chrono::year{2025} / 1 / 1} + 0s;
  world_clock c(start);
  EXPECT_EQ(c.now(), start);
  EXPECT_EQ(c.advance(std::chrono::hours(24)), start + std::chrono::hours(24));
  EXPECT_EQ(c.now(), start + std::chrono::hours(24));
  c.advance(-std::chrono::hours(48));
  EXPECT_EQ(c.now(), start - std::chrono::hours(24));
  c.set(start + 5min);
  EXPECT_EQ(c.now(), start + 5min);
}

TEST(WorldClockInWorld, CertificatesAndSignaturesFollowTheWorldClock) {
  // Ahead of the wall (the test CA's own window spans a year back and five ahead).
  auto const start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + std::chrono::hours(24 * 40);
  world_options opt;
  opt.start_time = start;
  world w(opt);
  EXPECT_EQ(w.clock().now(), start);
  // A "valid" certificate is valid at the world's time, not at the wall's.
  net::tls_config cfg;
  cfg.system_trust = false;
  cfg.trusted_ca_pem = {w.pki().ca_pem()};
  cfg.validation_time = start;
  auto const at_world = net::tls_context::create(cfg).value();
  auto const der = net::pem_to_der_chain(w.pki().issue("mx.clock.mxtls.test", cert_kind::valid).chain_pem).value();
  EXPECT_TRUE(net::verify_chain(*at_world, der, "mx.clock.mxtls.test").pkix_ok());
  cfg.validation_time = std::nullopt;
  auto const at_wall = net::tls_context::create(cfg).value();
  EXPECT_TRUE(net::verify_chain(*at_wall, der, "mx.clock.mxtls.test").not_yet_valid);
  w.set_time(start + std::chrono::hours(1));
  EXPECT_EQ(w.clock().now(), start + std::chrono::hours(1));
}

TEST_F(WorldTest, EndCaseStopsThePolicyHostsOfThatCaseOnly) {
  w->add_domain("one.mxtls.test", dnssec_mode::secure);
  w->add_domain("two.mxtls.test", dnssec_mode::secure);
  w->start_policy_host("one.mxtls.test", host_opts());
  w->start_policy_host("sub.one.mxtls.test", host_opts());
  w->start_policy_host("two.mxtls.test", host_opts());
  auto kept = std::make_shared<int>(7);
  w->keep("one.mxtls.test", kept);
  EXPECT_EQ(kept.use_count(), 2);
  auto const facts = w->describe();
  EXPECT_EQ(std::count_if(facts.begin(), facts.end(), [](auto const& f) { return f.first == "policy-host"; }), 3);
  w->end_case("one.mxtls.test");
  EXPECT_EQ(kept.use_count(), 1);
  EXPECT_EQ(w->find_policy_host("one.mxtls.test"), nullptr);
  EXPECT_EQ(w->find_policy_host("sub.one.mxtls.test"), nullptr);
  ASSERT_NE(w->find_policy_host("two.mxtls.test"), nullptr);
  EXPECT_TRUE(fetch("two.mxtls.test"));
}

TEST(WorldStartup, RefusesNonLoopbackAddressesAndBadTlds) {
  world_options o;
  o.address = "192.0.2.1";
  EXPECT_THROW(world{o}, std::runtime_error);
  world_options t;
  t.tld = "a.b.c";
  EXPECT_THROW(world{t}, std::runtime_error);
}

TEST(WorldStartup, OwnDirectoryIsRemovedAndGivenDirectoryKept) {
  std::string own;
  {
    world w;
    own = w.dir();
    EXPECT_TRUE(std::filesystem::is_directory(own));
  }
  EXPECT_FALSE(std::filesystem::exists(own));
  auto const given = ::testing::TempDir() + "mxtls-world-given-" + std::to_string(::getpid());
  {
    world_options o;
    o.dir = given;
    world w(o);
    EXPECT_EQ(w.ca_file(), given + "/ca.pem");
  }
  EXPECT_TRUE(std::filesystem::exists(given + "/ca.pem"));
}

}  // namespace
}  // namespace mxtls::conformance
