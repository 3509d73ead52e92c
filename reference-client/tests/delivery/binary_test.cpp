// The mxtls-send program end to end against the loopback world: exit statuses (0, 75, 69,
// 64, 65, 66), the shapes of --json and --explain (IDs, the decision verbatim, DNS-14),
// --state-dir persistence across runs (BAN-18, BAN-24, STS-3.3-11), --now, --port-map.
#include "delivery_fixture.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

namespace mxtls::client::test {
namespace {

using net::dns::zone_security;

struct run_result {
  int status = -1;
  std::string out, err;
};

std::string quote(std::string const& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(std::string const& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Binary : public delivery_fixture {
 protected:
  /// Runs mxtls-send with the world's resolver, anchor and CA, the port map of every host
  /// started so far, and `args`; the message comes from `input` on standard input.
  run_result run(std::vector<std::string> args, std::string const& input = default_message) {
    auto const cfg = world.config();
    std::vector<std::string> all = {MXTLS_SEND_BINARY,
                                    "--resolver", "127.0.0.1:" + std::to_string(world.dns_port()),
                                    "--trust-anchor", world.trust_anchor_file(),
                                    "--ca", world.ca_file(),
                                    "--helo", "client.sender.test",
                                    "--connect-timeout", "2", "--command-timeout", "3", "--dns-timeout", "1.5",
                                    "--tls-timeout", "3", "--https-timeout", "3"};
    for (auto const& [addr, p] : cfg.port_map) {
      all.push_back("--port-map");
      all.push_back(addr.to_string() + "=" + std::to_string(p.smtp) +
                    (p.implicit_tls ? "," + std::to_string(*p.implicit_tls) : ""));
    }
    all.insert(all.end(), args.begin(), args.end());
    std::string const base = world.dir() + "/run" + std::to_string(++runs_);
    std::ofstream(base + ".in", std::ios::binary) << input;
    std::string cmd = "timeout 60";
    for (auto const& a : all) cmd += " " + quote(a);
    cmd += " < " + quote(base + ".in") + " > " + quote(base + ".out") + " 2> " + quote(base + ".err");
    int const st = std::system(cmd.c_str());
    run_result r;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = slurp(base + ".out");
    r.err = slurp(base + ".err");
    return r;
  }
  std::vector<std::string> to() const { return {"--from", "a@sender.test", "--to", "user@" + zone}; }
  std::vector<std::string> with(std::vector<std::string> extra) const {
    auto v = to();
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
  }
  int runs_ = 0;
};

TEST_F(Binary, DeliveredJsonShapeAndExit0) {
  auto mx = host("starttls-mx", script(name("starttls-mx")));
  publish(zone_security::secure, {"@ MX 10 starttls-mx", a_record(mx)});
  auto r = run(with({"--json"}));
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  auto v = boost::json::parse(r.out);
  auto const& o = v.as_object();
  EXPECT_EQ(o.at("outcome").as_string(), "delivered");
  auto const& d = o.at("domains").as_array().at(0).as_object();
  EXPECT_EQ(d.at("domain").as_string(), zone);
  EXPECT_EQ(d.at("outcome").as_string(), "delivered");
  EXPECT_EQ(d.at("host").as_string(), name("starttls-mx"));
  EXPECT_TRUE(d.at("mx_authentic").as_bool());
  auto const& tls = d.at("tls").as_object();
  EXPECT_TRUE(tls.at("pkix").as_bool());
  EXPECT_TRUE(tls.at("verified").as_bool());
  EXPECT_EQ(tls.at("sni").as_string(), name("starttls-mx"));
  auto const& a = d.at("attempts").as_array().at(0).as_object();
  EXPECT_EQ(a.at("status").as_string(), "delivered");
  EXPECT_EQ(a.at("mode").as_string(), "starttls");
  EXPECT_EQ(a.at("service_port").as_int64(), 25);
  EXPECT_EQ(a.at("port").as_int64(), mx.smtp->port());  // --port-map
  EXPECT_EQ(a.at("decision").as_object().at("reason").as_string(), "prefix:starttls");
  EXPECT_EQ(a.at("decision").as_object().at("tls").as_string(), "verified");
  EXPECT_FALSE(a.at("plaintext_mail").as_bool());
  EXPECT_EQ(d.at("recipients").as_array().at(0).as_object().at("outcome").as_string(), "delivered");
  EXPECT_FALSE(d.at("trail").as_array().empty());
  EXPECT_EQ(mx.smtp->messages_over_tls(), 1u);
}

TEST_F(Binary, ExplainPrintsTheTrailWithRequirementIds) {
  auto mx = host("mx", script(name("mx")));
  publish(zone_security::secure, {"@ MX 10 mx", a_record(mx)});
  auto r = run(with({"--explain"}));
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  for (std::string const& needle : std::vector<std::string>{"domain " + zone, "mx: [SMTP-5.1-01,DNS-16,DNS-03] MX " + zone + " (secure)",
                                   "addresses: [DNS-18", "prefix: [PFX-01,PFX-05]", "decision: [DNS-14,DNS-10]",
                                   "attempt\topportunistic\t-\tmx-authentic\topportunistic", "tls: [PFX-11,BAN-15]",
                                   "sts: [STS-3.3-10]", "outcome: delivered"}) {
    EXPECT_NE(r.out.find(needle), std::string::npos) << "missing \"" << needle << "\" in:\n" << r.out;
  }
}

TEST_F(Binary, DeferredExits75) {
  auto s = script(name("starttls-mx"));
  s.offer_starttls = false;
  auto mx = host("starttls-mx", s);
  publish(zone_security::secure, {"@ MX 10 starttls-mx", a_record(mx)});
  auto r = run(to());
  EXPECT_EQ(r.status, 75) << r.out << r.err;
  EXPECT_NE(r.out.find("deferred"), std::string::npos) << r.out;
  EXPECT_FALSE(mx.smtp->saw_any_mail());
}

TEST_F(Binary, TestMisbehaveMakesTheProgramNonConforming) {
  auto s = script(name("starttls-mx"));
  s.offer_starttls = false;
  auto mx = host("starttls-mx", s);
  publish(zone_security::secure, {"@ MX 10 starttls-mx", a_record(mx)});
  // Conforming: deferred (PFX-14); bounce-on-failure: 69; ignore-prefix: plaintext, 0.
  auto bounced = run(with({"--test-misbehave", "bounce-on-failure"}));
  EXPECT_EQ(bounced.status, 69) << bounced.out << bounced.err;
  EXPECT_NE(bounced.err.find("TEST ONLY"), std::string::npos) << bounced.err;
  EXPECT_FALSE(mx.smtp->saw_any_mail());
  auto r = run(with({"--test-misbehave", "ignore-prefix", "--json"}));
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_TRUE(mx.smtp->saw_mail_in_plaintext());
  EXPECT_NE(r.out.find("--test-misbehave ignore-prefix"), std::string::npos) << r.out;  // in the warnings
  auto bad = run(with({"--test-misbehave", "ignore-prefix,frobnicate"}));
  EXPECT_EQ(bad.status, 64) << bad.err;
  EXPECT_NE(bad.err.find("frobnicate"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("port26-fallback-plaintext"), std::string::npos) << bad.err;
}

TEST_F(Binary, NullMxExits69) {
  publish(zone_security::secure, {"@ MX 0 ."});
  auto r = run(with({"--json"}));
  EXPECT_EQ(r.status, 69) << r.out << r.err;
  EXPECT_EQ(boost::json::parse(r.out).as_object().at("outcome").as_string(), "bounced");
}

TEST_F(Binary, UsageAndInputErrors) {
  publish(zone_security::secure, {"@ MX 0 ."});
  EXPECT_EQ(run({"--to", "user@" + zone}).status, 64);
  EXPECT_EQ(run(with({"--smtp-port", "x"})).status, 64);
  EXPECT_EQ(run(with({world.dir() + "/does-not-exist.eml"})).status, 66);
  EXPECT_EQ(run(to(), std::string(2000, 'x') + "\n").status, 65);
  EXPECT_EQ(run(with({"--max-message-size", "10"})).status, 65);
}

TEST_F(Binary, StateDirKeepsPinsBetweenRuns) {
  auto s = script(name("mx"));
  s.ehlo_greet_tls = "strict-tls=*." + zone + "; max-age=3600";
  auto good = host("mx", s);
  publish(zone_security::insecure, {"@ MX 10 mx", a_record(good)});
  std::string const dir = world.dir() + "/state";
  ASSERT_EQ(run(with({"--state-dir", dir})).status, 0);
  EXPECT_NE(slurp(dir + "/strict-tls-pins").find("*." + zone), std::string::npos);
  auto bad = script(name("mx"));
  bad.offer_starttls = false;
  auto stripped = host("mx", bad);
  ASSERT_TRUE(world.zones().replace_rrset(zone, name("mx"), net::dns::rr_type::a, {a_record(stripped)}));
  auto r = run(with({"--state-dir", dir, "--json"}));
  EXPECT_EQ(r.status, 75) << r.out << r.err;  // [BAN-19] across processes
  EXPECT_FALSE(stripped.smtp->saw_any_mail());
  // Without the state the pin is unknown: opportunistic plaintext.
  EXPECT_EQ(run(to()).status, 0);
  EXPECT_TRUE(stripped.smtp->saw_mail_in_plaintext());
}

TEST_F(Binary, NowDrivesPolicyExpiryAcrossRuns) {
  auto mx1 = host("mx1", script(name("mx1")));
  auto mx2 = host("mx2", script(name("mx2")));
  auto ph = world.start_policy_host(zone, "version: STSv1\nmode: enforce\nmx: " + name("mx2") + "\nmax_age: 600\n");
  publish(zone_security::insecure, {"@ MX 10 mx1", "@ MX 20 mx2", a_record(mx1), a_record(mx2),
                                    "_mta-sts TXT \"v=STSv1; id=7\"", "mta-sts A " + ph.address.to_string()});
  std::string const dir = world.dir() + "/state";
  auto const t0 = wall_now();
  auto args = [&](unix_seconds t) {
    return with({"--state-dir", dir, "--now", std::to_string(t), "--https-port", std::to_string(ph.port), "--json"});
  };
  auto r1 = run(args(t0));
  ASSERT_EQ(r1.status, 0) << r1.out << r1.err;
  EXPECT_EQ(mx1.smtp->connections(), 0u);
  ASSERT_TRUE(world.zones().remove_rrset("_mta-sts." + zone, net::dns::rr_type::txt));
  ASSERT_EQ(run(args(t0 + 300)).status, 0);
  EXPECT_EQ(mx1.smtp->connections(), 0u);  // [STS-3.3-11] cached policy still applies
  ASSERT_EQ(run(args(t0 + 700)).status, 0);
  EXPECT_EQ(mx1.smtp->messages_over_tls(), 1u);  // expired: mx1 is used again
  EXPECT_EQ(world.policy_requests(ph), 1u);
}

}  // namespace
}  // namespace mxtls::client::test
