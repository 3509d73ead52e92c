// The mxtls-conform program: --help on every command, list --json, usage errors (exit 2), an
// unreachable target (exit 3), and `world` printing how to reach it and stopping by itself.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <unistd.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct run_result {
  int status = -1;
  std::string out;
};

// Runs mxtls-conform with `args` (shell words), stdout captured, stderr to stdout when asked.
run_result conform(std::string const& args, bool merge_stderr = false) {
  std::string const cmd = std::string("timeout 60 ") + MXTLS_CONFORM_BINARY + " " + args +
                          (merge_stderr ? " 2>&1" : " 2>/dev/null");
  run_result r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int const st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// The receiver command stops with "no receiver case matches" (exit 2) before it reads
// --expect or connects, so these tests need at least one receiver case in the catalogue.
bool catalogue_has_receiver_cases() {
  auto const doc = boost::json::parse(conform("list --json --role receiver").out);
  return doc.is_array() && !doc.as_array().empty();
}

TEST(ConformCli, EveryCommandHasHelp) {
  for (char const* cmd : {"--help", "receiver --help", "list --help", "world --help", "lint --help"}) {
    auto const r = conform(cmd);
    EXPECT_EQ(r.status, 0) << cmd;
    EXPECT_NE(r.out.find("usage"), std::string::npos) << cmd << ": " << r.out;
  }
  auto const help = conform("receiver --help").out;
  for (char const* needle : {"--target", "--mx-name", "--domain", "--port26", "--ca", "--resolver", "--trust-anchor",
                             "--case", "--profile", "--jobs", "--json", "--junit", "--html", "--expect",
                             "--report-dir", "exit status", "  3  "})
    EXPECT_NE(help.find(needle), std::string::npos) << needle;
}

TEST(ConformCli, ListJsonIsTheCatalogue) {
  auto const r = conform("list --json");
  ASSERT_EQ(r.status, 0);
  auto const doc = boost::json::parse(r.out);
  ASSERT_TRUE(doc.is_array());
  for (auto const& c : doc.as_array()) {
    for (char const* key : {"id", "requirements", "role", "profile", "description", "expectation"})
      EXPECT_TRUE(c.as_object().contains(key)) << key;
  }
  auto const receivers = boost::json::parse(conform("list --json --role receiver").out).as_array();
  for (auto const& c : receivers) EXPECT_EQ(c.at("role").as_string(), "receiver");
  auto const none = boost::json::parse(conform("list --json --case 'no-such-case.*'").out).as_array();
  EXPECT_TRUE(none.empty());
}

TEST(ConformCli, UsageErrorsExitTwo) {
  for (char const* args : {"receiver", "receiver --target 127.0.0.1", "receiver --mx-name mx.example",
                           "receiver --target 127.0.0.1:99999 --mx-name x", "receiver --target x --mx-name y --jobs 0",
                           "receiver --target x --mx-name y --profile best", "receiver --target x --mx-name y --bogus",
                           "receiver --target x --mx-name y --case 'no-such-case.*'", "list --role both",
                           "world --domain x:sideways", "nonsense"})
    EXPECT_EQ(conform(args).status, 2) << args;
}

TEST(ConformCli, BadExpectationsFileIsAUsageError) {
  if (!catalogue_has_receiver_cases()) GTEST_SKIP() << "the catalogue has no receiver case yet";
  auto const path = ::testing::TempDir() + "bad-expect-" + std::to_string(::getpid()) + ".txt";
  std::ofstream(path) << "some.case maybe because\n";
  auto const r = conform("receiver --target 127.0.0.1:1 --mx-name mx --expect " + path, true);
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("1: unknown verdict 'maybe'"), std::string::npos) << r.out;
}

TEST(ConformCli, UnreachableTargetExitsThree) {
  if (!catalogue_has_receiver_cases()) GTEST_SKIP() << "the catalogue has no receiver case yet";
  // A port that was just free: nothing listens there.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  auto const port = a.local_endpoint().port();
  a.close();
  auto const r = conform("receiver --target 127.0.0.1:" + std::to_string(port) + " --mx-name mx.example", true);
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("cannot connect"), std::string::npos) << r.out;
}

TEST(ConformCli, WorldPrintsHowToReachItAndWritesTheReadyFile) {
  namespace fs = std::filesystem;
  auto const dir = fs::path(::testing::TempDir()) / ("mxtls-world-cli-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto const config = dir.string() + ".json";
  std::ofstream(config) << R"({"domains": [{"name": "example.mxtls.test", "dnssec": "secure",
      "records": ["@ MX 10 mx", "mx A 127.0.0.1"],
      "policy": {"body": "version: STSv1\r\nmode: testing\r\nmx: mx.example.mxtls.test\r\nmax_age: 600\r\n"},
      "certs": [{"host": "mx.example.mxtls.test", "kind": "valid"}]}]})";
  auto const ready = dir.string() + ".env";
  auto const r = conform("world --config " + config + " --dir " + dir.string() + " --ready-file " + ready +
                         " --domain other.mxtls.test:insecure --cert mx.other.mxtls.test:expired --for 0.2");
  ASSERT_EQ(r.status, 0) << r.out;
  for (char const* needle : {"ready", "dns", "trust-anchor", "ca", "policy-host", "mta-sts.example.mxtls.test",
                             "cert", "drill -p"})
    EXPECT_NE(r.out.find(needle), std::string::npos) << needle << " in " << r.out;
  std::ifstream in(ready);
  std::stringstream ss;
  ss << in.rdbuf();
  auto const env = ss.str();
  for (char const* var : {"MXTLS_WORLD_DNS='127.0.0.1:", "MXTLS_WORLD_DNS_PORT=", "MXTLS_WORLD_CA=",
                          "MXTLS_WORLD_TRUST_ANCHOR=", "MXTLS_WORLD_POLICY_0='127.0.0.1:", "MXTLS_WORLD_CERT_0=",
                          "MXTLS_WORLD_KEY_1="})
    EXPECT_NE(env.find(var), std::string::npos) << var << " in " << env;
  EXPECT_TRUE(fs::exists(dir / "ca.pem"));
  EXPECT_TRUE(fs::exists(dir / "mx.example.mxtls.test.valid.chain.pem"));
  EXPECT_TRUE(fs::exists(dir / "mx.other.mxtls.test.expired.key"));
}

}  // namespace
