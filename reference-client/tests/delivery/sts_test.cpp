// MTA-STS in mxtls-send end to end: enforce skips MX hosts outside the policy (STS-4.1-01,
// DNS-11) and never falls back to plaintext (STS-5-01); testing delivers (STS-5-02); the
// cache (STS-3.3-11, STS-5.1-01), the backoff (STS-3.3-07), max_age 0 (STS-3.2-11), fetch
// failures (STS-3.3-10, STS-3.2-02) and the re-check of the TXT id before deferring
// (DNS-15, STS-5.1-03).
#include "delivery_fixture.hpp"

#include <gtest/gtest.h>

namespace mxtls::client::test {
namespace {

using net::dns::zone_security;

class Sts : public delivery_fixture {
 protected:
  /// Publishes `_mta-sts` with `id` and starts the policy host serving `body`.
  test_world::policy_host policy(std::string const& id, std::string const& body, cert_kind cert = cert_kind::valid,
                                 std::function<net::http_response(net::policy_request const&)> script = {}) {
    auto h = world.start_policy_host(zone, body, cert, std::move(script));
    records.push_back("_mta-sts TXT \"v=STSv1; id=" + id + "\"");
    records.push_back("mta-sts A " + h.address.to_string());
    https_port = h.port;
    return h;
  }
  client_config config() const {
    auto c = delivery_fixture::config();
    c.https_port = https_port;
    return c;
  }
  delivery_report send(std::string const& message = default_message) {
    return deliver_to(config(), state, {"user@" + zone}, message);
  }
  std::string enforce(std::string const& mx, unsigned max_age = 86400) const {
    return "version: STSv1\nmode: enforce\nmx: " + mx + "\nmax_age: " + std::to_string(max_age) + "\n";
  }
  std::vector<std::string> records;
  std::uint16_t https_port = 443;
};

TEST_F(Sts, EnforceSkipsAnMxNotInThePolicy) {
  auto mx1 = host("mx1", script(name("mx1")));
  auto mx2 = host("mx2", script(name("mx2")));
  auto ph = policy("1", enforce(name("mx2")));
  records.insert(records.end(), {"@ MX 10 mx1", "@ MX 20 mx2", a_record(mx1), a_record(mx2)});
  publish(zone_security::insecure, records);
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);
  EXPECT_EQ(mx1.smtp->connections(), 0u);  // [DNS-11] not even connected to
  EXPECT_EQ(mx2.smtp->messages_over_tls(), 1u);
  auto const& a0 = r.domains[0].attempts.at(0);
  EXPECT_EQ(a0.status, attempt_status::skipped);
  EXPECT_EQ(a0.decision.reason, "mx-not-in-sts-policy");
  EXPECT_EQ(r.domains[0].attempts.at(1).decision.reason, "sts:enforce");
  EXPECT_EQ(world.policy_requests(ph), 1u);
}

TEST_F(Sts, EnforceWithStarttlsStrippedIsDeferred) {
  auto s = script(name("mx"));
  s.offer_starttls = false;
  auto mx = host("mx", s);
  policy("1", enforce("*." + zone));
  records.insert(records.end(), {"@ MX 10 mx", a_record(mx)});
  publish(zone_security::insecure, records);
  auto r = send();
  EXPECT_EQ(r.result, outcome::deferred) << attempts_text(r);  // [STS-5-01][STS-5-05]
  EXPECT_FALSE(mx.smtp->saw_any_mail());
}

TEST_F(Sts, TestingModeDeliversDespiteAMismatch) {
  auto s = script("", cert_kind::none);
  s.offer_starttls = false;
  auto mx = host("mx", s);
  policy("1", "version: STSv1\nmode: testing\nmx: elsewhere.test\nmax_age: 600\n");
  records.insert(records.end(), {"@ MX 10 mx", a_record(mx)});
  publish(zone_security::insecure, records);
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);  // [STS-5-02]
  EXPECT_TRUE(r.domains[0].attempts.at(0).decision.report);
}

TEST_F(Sts, CachedPolicyAppliesWhenTheTxtRecordDisappears) {
  auto mx1 = host("mx1", script(name("mx1")));
  auto mx2 = host("mx2", script(name("mx2")));
  auto ph = policy("1", enforce(name("mx2")));
  records.insert(records.end(), {"@ MX 10 mx1", "@ MX 20 mx2", a_record(mx1), a_record(mx2)});
  publish(zone_security::insecure, records);
  ASSERT_EQ(send().result, outcome::delivered);
  ASSERT_TRUE(world.zones().remove_rrset("_mta-sts." + zone, net::dns::rr_type::txt));
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);  // [STS-3.3-11][STS-3.1-15]
  EXPECT_EQ(mx1.smtp->connections(), 0u);
  EXPECT_EQ(r.domains[0].attempts.at(0).decision.reason, "mx-not-in-sts-policy");
  EXPECT_EQ(world.policy_requests(ph), 1u);
  // After max_age the policy is gone and mx1 is used again.
  clock->store(clock->load() + 86400);
  auto r3 = send();
  ASSERT_EQ(r3.result, outcome::delivered) << attempts_text(r3);
  EXPECT_EQ(r3.domains[0].host, name("mx1"));
}

TEST_F(Sts, SameIdUsesTheCacheWithoutFetching) {
  auto mx = host("mx", script(name("mx")));
  auto ph = policy("abc123", enforce(name("mx")));
  records.insert(records.end(), {"@ MX 10 mx", a_record(mx)});
  publish(zone_security::secure, records);
  ASSERT_EQ(send().result, outcome::delivered);
  ASSERT_EQ(send().result, outcome::delivered);
  EXPECT_EQ(world.policy_requests(ph), 1u);  // [STS-5.1-01]
  // A new id is fetched at once.
  ASSERT_TRUE(world.zones().replace_rrset(zone, "_mta-sts." + zone, net::dns::rr_type::txt,
                                          {"_mta-sts TXT \"v=STSv1; id=abc124\""}));
  ASSERT_EQ(send().result, outcome::delivered);
  EXPECT_EQ(world.policy_requests(ph), 2u);
}

TEST_F(Sts, FailedFetchBacksOffFiveMinutesPerId) {
  auto mx = host("mx", script(name("mx")));
  auto ph = policy("1", enforce(name("mx")), cert_kind::valid, [](net::policy_request const&) {
    net::http_response r;
    r.status = 404;
    r.body = "not here";
    return r;
  });
  records.insert(records.end(), {"@ MX 10 mx", a_record(mx)});
  publish(zone_security::insecure, records);
  auto r1 = send();
  ASSERT_EQ(r1.result, outcome::delivered) << attempts_text(r1);  // [STS-3.3-10] fail open
  EXPECT_EQ(r1.domains[0].attempts.at(0).inputs.sts, spec::policy::sts_mode::absent);
  EXPECT_EQ(world.policy_requests(ph), 1u);
  clock->store(clock->load() + 299);
  ASSERT_EQ(send().result, outcome::delivered);
  EXPECT_EQ(world.policy_requests(ph), 1u);  // [STS-3.3-07]
  clock->store(clock->load() + 2);
  ASSERT_EQ(send().result, outcome::delivered);
  EXPECT_EQ(world.policy_requests(ph), 2u);
}

TEST_F(Sts, WrongContentTypeOrBadCertificateMeansNoPolicy) {
  auto mx1 = host("mx1", script(name("mx1")));
  auto mx2 = host("mx2", script(name("mx2")));
  policy("1", enforce(name("mx2")), cert_kind::valid, [this](net::policy_request const&) {
    net::http_response r;
    r.content_type = "text/html";  // [STS-3.2-02]
    r.body = enforce(name("mx2"));
    return r;
  });
  records.insert(records.end(), {"@ MX 10 mx1", "@ MX 20 mx2", a_record(mx1), a_record(mx2)});
  publish(zone_security::insecure, records);
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);
  EXPECT_EQ(r.domains[0].host, name("mx1"));  // no policy: mx1 is used
}

TEST_F(Sts, PolicyHostWithAnUntrustedCertificateIsNotBelieved) {
  auto mx1 = host("mx1", script(name("mx1")));
  auto mx2 = host("mx2", script(name("mx2")));
  policy("1", enforce(name("mx2")), cert_kind::untrusted);
  records.insert(records.end(), {"@ MX 10 mx1", "@ MX 20 mx2", a_record(mx1), a_record(mx2)});
  publish(zone_security::insecure, records);
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);  // [STS-3.3-01]
  EXPECT_EQ(r.domains[0].host, name("mx1"));
}

TEST_F(Sts, MaxAgeZeroIsAppliedButNeverCached) {
  auto mx = host("mx", script(name("mx")));
  auto ph = policy("1", enforce(name("mx"), 0));
  records.insert(records.end(), {"@ MX 10 mx", a_record(mx)});
  publish(zone_security::insecure, records);
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered);
  EXPECT_EQ(r.domains[0].attempts.at(0).decision.reason, "sts:enforce");
  ASSERT_EQ(send().result, outcome::delivered);
  EXPECT_EQ(world.policy_requests(ph), 2u);  // [STS-3.2-11]
  EXPECT_EQ(state.sts().size(), 0u);
}

TEST_F(Sts, ChangedIdIsCheckedOnceMoreBeforeDeferring) {
  auto mx = host("mx", script(name("mx")));
  auto ph = policy("2", enforce(name("mx")));
  records.insert(records.end(), {"@ MX 10 mx", a_record(mx)});
  publish(zone_security::insecure, records);
  // A cached enforce policy (id 1) that no MX matches.
  std::string const old_body = enforce("old-mx." + zone);
  state.sts_store(sts_entry{zone, "1", old_body, spec::mtasts::parse_policy(old_body).value(), clock->load()},
                  clock->load());
  // The first TXT query fails (the cached policy applies), the re-check then sees id 2.
  std::string const txt_name = "_mta-sts." + zone;
  auto* zones = &world.zones();
  world.zones().set_fault(txt_name, net::dns::fault::servfail, false, net::dns::rr_type::txt);
  world.zones().on_query([zones, txt_name](net::dns::query_log_entry const& q) {
    if (q.name == txt_name && q.type == net::dns::rr_type::txt) zones->set_fault(txt_name, net::dns::fault::none, false, net::dns::rr_type::txt);
  });
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);  // [DNS-15][STS-5.1-03]
  ASSERT_GE(r.domains[0].attempts.size(), 2u);
  EXPECT_EQ(r.domains[0].attempts.front().decision.reason, "mx-not-in-sts-policy");
  EXPECT_EQ(r.domains[0].attempts.back().decision.reason, "sts:enforce");
  EXPECT_EQ(world.policy_requests(ph), 1u);
  world.zones().on_query({});
}

TEST_F(Sts, UnchangedIdDefersAfterOneRound) {
  auto mx = host("mx", script(name("mx")));
  auto ph = policy("1", enforce("other." + zone));
  records.insert(records.end(), {"@ MX 10 mx", a_record(mx)});
  publish(zone_security::insecure, records);
  auto r = send();
  EXPECT_EQ(r.result, outcome::deferred) << attempts_text(r);  // [STS-5-05] never a bounce
  EXPECT_EQ(r.domains[0].attempts.size(), 1u);
  EXPECT_EQ(mx.smtp->connections(), 0u);
  EXPECT_EQ(world.policy_requests(ph), 1u);
}

}  // namespace
}  // namespace mxtls::client::test
