// mxtls-send's command line: every option into the configuration (P26-01 implicit-TLS port,
// the loopback transport overrides, timeouts), and usage errors with exit status 64.
#include "mxtls/client/cli.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace mxtls::client {
namespace {

using namespace std::chrono_literals;
namespace ip = boost::asio::ip;

TEST(CommandLine, ParsesEveryOption) {
  auto o = parse_cli({"--from", "a@b.test", "--to", "x@y.test", "--to", "z@y.test", "--resolver", "127.0.0.1:5353",
                      "--trust-anchor", "/tmp/root.key", "--ca", "/tmp/ca.pem", "--state-dir", "/tmp/state",
                      "--smtp-port", "2525", "--implicit-tls-port", "2626", "--port-map", "127.0.0.2=3525,3626",
                      "--port-map", "[::1]=4525", "--https-connect", "127.0.0.9:8443", "--now", "1700000000",
                      "--helo", "client.example", "--connect-timeout", "0.5", "--command-timeout", "2",
                      "--tls-timeout", "3", "--dns-timeout", "1.5", "--https-timeout", "4", "--max-message-size", "1000",
                      "--max-recipients", "5", "--explain", "--json", "msg.eml"});
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(o->from, "a@b.test");
  EXPECT_EQ(o->to.size(), 2u);
  EXPECT_EQ(o->resolver, "127.0.0.1:5353");
  EXPECT_EQ(o->trust_anchor_file, "/tmp/root.key");
  EXPECT_EQ(o->cfg.ca_file, "/tmp/ca.pem");
  EXPECT_FALSE(o->cfg.system_trust);
  EXPECT_EQ(o->state_dir, "/tmp/state");
  EXPECT_EQ(o->cfg.smtp_port, 2525);
  EXPECT_EQ(o->cfg.implicit_tls_port, 2626);
  ASSERT_EQ(o->cfg.port_map.size(), 2u);
  auto const& m = o->cfg.port_map.at(ip::make_address("127.0.0.2"));
  EXPECT_EQ(m.smtp, 3525);
  EXPECT_EQ(m.implicit_tls, 3626);
  EXPECT_FALSE(o->cfg.port_map.at(ip::make_address("::1")).implicit_tls);
  EXPECT_EQ(o->cfg.https_address, ip::make_address("127.0.0.9"));
  EXPECT_EQ(o->cfg.https_port, 8443);
  EXPECT_EQ(o->now, 1700000000);
  EXPECT_EQ(o->cfg.helo, "client.example");
  EXPECT_EQ(o->cfg.timeout.connect, 500ms);
  EXPECT_EQ(o->cfg.timeout.implicit_connect, 500ms);
  EXPECT_EQ(o->cfg.timeout.command, 2s);
  EXPECT_EQ(o->cfg.timeout.data_end, 2s);
  EXPECT_EQ(o->cfg.timeout.tls_handshake, 3s);
  EXPECT_EQ(o->cfg.timeout.dns_query, 1500ms);
  EXPECT_EQ(o->cfg.timeout.https, 4s);
  EXPECT_EQ(o->cfg.limits.max_octets, 1000u);
  EXPECT_EQ(o->cfg.limits.max_recipients, 5u);
  EXPECT_TRUE(o->explain);
  EXPECT_TRUE(o->json);
  EXPECT_EQ(o->message_path, "msg.eml");
}

TEST(CommandLine, DefaultsFollowTheRfcs) {
  auto o = parse_cli({"--from", "", "--to", "x@y.test"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->message_path, "-");
  EXPECT_EQ(o->cfg.smtp_port, 25);
  EXPECT_EQ(o->cfg.implicit_tls_port, 26);                // [P26-01]
  EXPECT_EQ(o->cfg.timeout.greeting, 300s);                // [SMTP-4.5.3.2.1-01]
  EXPECT_EQ(o->cfg.timeout.data_init, 120s);               // [SMTP-4.5.3.2.4-01]
  EXPECT_EQ(o->cfg.timeout.data_end, 600s);                // [SMTP-4.5.3.2.6-01]
  EXPECT_EQ(o->cfg.timeout.implicit_connect, 30s);         // [P26-18]
  EXPECT_EQ(o->cfg.timeout.implicit_setup, 60s);
  EXPECT_EQ(o->cfg.timeout.https, 60s);                    // [STS-3.3-08]
  EXPECT_TRUE(o->cfg.system_trust);
  EXPECT_FALSE(o->trust_anchor_file);
}

TEST(CommandLine, RejectsBadUsage) {
  std::vector<std::vector<std::string>> const bad = {
      {"--to", "x@y.test"},                                  // no --from
      {"--from", "a@b.test"},                                // no --to
      {"--from", "a@b.test", "--to"},                        // missing value
      {"--from", "a@b.test", "--to", "x@y.test", "--bogus"},
      {"--from", "a@b.test", "--to", "x@y.test", "--smtp-port", "0"},
      {"--from", "a@b.test", "--to", "x@y.test", "--smtp-port", "65536"},
      {"--from", "a@b.test", "--to", "x@y.test", "--port-map", "127.0.0.2"},
      {"--from", "a@b.test", "--to", "x@y.test", "--port-map", "nohost=25"},
      {"--from", "a@b.test", "--to", "x@y.test", "--port-map", "127.0.0.2=25,x"},
      {"--from", "a@b.test", "--to", "x@y.test", "--https-connect", "mta-sts.example"},
      {"--from", "a@b.test", "--to", "x@y.test", "--now", "-5"},
      {"--from", "a@b.test", "--to", "x@y.test", "--command-timeout", "0"},
      {"--from", "a@b.test", "--to", "x@y.test", "--command-timeout", "abc"},
      {"--from", "a@b.test", "--to", "x@y.test", "--helo", "not a name"},
      {"--from", "a@b.test", "--to", "x@y.test", "a.eml", "b.eml"},
      {"--from", "a@b.test", "--to", "x@y.test", "--to", "z@y.test", "--max-recipients", "1"},
  };
  for (auto const& args : bad) {
    auto o = parse_cli(args);
    std::string joined;
    for (auto const& a : args) joined += a + " ";
    EXPECT_FALSE(o) << joined;
  }
}

TEST(CommandLine, UsageErrorsExit64AndHelpExits0) {
  std::istringstream in;
  std::ostringstream out, err;
  EXPECT_EQ(run_cli({"--from", "a@b.test"}, in, out, err), exit_usage);
  EXPECT_NE(err.str().find("--to"), std::string::npos);
  EXPECT_EQ(run_cli({"--from", "a@b.test", "--to", "not-an-address"}, in, out, err), exit_usage);
  std::ostringstream help;
  EXPECT_EQ(run_cli({"--help"}, in, help, err), 0);
  EXPECT_NE(help.str().find("--port-map"), std::string::npos);
  EXPECT_NE(help.str().find("Exit status"), std::string::npos);
}

TEST(CommandLine, TestMisbehaveTakesListsAndRepeats) {
  auto o = parse_cli({"--from", "a@b.test", "--to", "x@y.test", "--test-misbehave", "ignore-prefix,no-verify",
                      "--test-misbehave", "bounce-on-failure"});
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_TRUE(o->cfg.misbehave.has(misbehaviour::ignore_prefix));
  EXPECT_TRUE(o->cfg.misbehave.has(misbehaviour::no_verify));
  EXPECT_TRUE(o->cfg.misbehave.has(misbehaviour::bounce_on_failure));
  EXPECT_FALSE(o->cfg.misbehave.has(misbehaviour::ignore_sts));
  EXPECT_EQ(o->cfg.misbehave.to_string(), "ignore-prefix,no-verify,bounce-on-failure");
  // Conforming unless asked.
  auto plain = parse_cli({"--from", "a@b.test", "--to", "x@y.test"});
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->cfg.misbehave.any());
}

TEST(CommandLine, UnknownMisbehaviourIsAUsageErrorListingTheValidNames) {
  for (std::string const bad : {"ignore-everything", "no-verify,", ",no-verify", "", "no-verify,nope"}) {
    std::istringstream in;
    std::ostringstream out, err;
    EXPECT_EQ(run_cli({"--from", "a@b.test", "--to", "x@y.test", "--test-misbehave", bad}, in, out, err), exit_usage)
        << bad;
    for (auto name : misbehaviour_names) EXPECT_NE(err.str().find(name), std::string::npos) << name << " in " << err.str();
  }
  std::istringstream in;
  std::ostringstream out, err;
  EXPECT_EQ(run_cli({"--from", "a@b.test", "--to", "x@y.test", "--test-misbehave"}, in, out, err), exit_usage);
  std::ostringstream help;
  ASSERT_EQ(run_cli({"--help"}, in, help, err), 0);
  EXPECT_NE(help.str().find("Testing only"), std::string::npos);
  EXPECT_NE(help.str().find("never use in production"), std::string::npos);
  for (auto name : misbehaviour_names) EXPECT_NE(help.str().find(name), std::string::npos) << name;
}

TEST(CommandLine, UnusableConfigurationExits78AndUnreadableMessage66) {
  std::istringstream in("Subject: x\n\nbody\n");
  std::ostringstream out, err;
  EXPECT_EQ(run_cli({"--from", "a@b.test", "--to", "x@y.test", "--resolver", "127.0.0.1:1", "--trust-anchor",
                     "/nonexistent/root.key"},
                    in, out, err),
            exit_config);
  EXPECT_EQ(run_cli({"--from", "a@b.test", "--to", "x@y.test", "--resolver", "127.0.0.1:1", "--trust-anchor", "none",
                     "--ca", "/nonexistent/ca.pem"},
                    in, out, err),
            exit_config);
  EXPECT_EQ(run_cli({"--from", "a@b.test", "--to", "x@y.test", "--resolver", "127.0.0.1:1", "--trust-anchor", "none",
                     "/nonexistent/message.eml"},
                    in, out, err),
            exit_no_input);
  std::istringstream bad(std::string(1200, 'x'));
  EXPECT_EQ(run_cli({"--from", "a@b.test", "--to", "x@y.test", "--resolver", "127.0.0.1:1", "--trust-anchor", "none"},
                    bad, out, err),
            exit_data);
}

}  // namespace
}  // namespace mxtls::client
