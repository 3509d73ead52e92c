// Independent checks with ldns's own tools (ldnsutils): ldns-verify-zone accepts every
// zone the authority signs (NSEC and NSEC3), and rejects the bogus ones; drill's chase
// (-S) validates the authority's answers from the written trust anchor. These guard the
// authority against agreeing only with our own validator (DANE-2.1.1-01).
#include "fixture.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace mxtls::net::dns::test {
namespace {

bool have(char const* tool) {
  return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

/// Runs a shell command, returns (exit status, stdout+stderr).
std::pair<int, std::string> sh(std::string const& cmd) {
  std::string out;
  std::FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, {}};
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int const status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string temp_file(std::string const& name, std::string const& text) {
  auto const path = (std::filesystem::temp_directory_path() /
                     ("mxtls-dns-" + std::to_string(::getpid()) + "-" + name)).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

/// ldns-verify-zone's exit status and report for one zone as the authority serves it.
std::pair<int, std::string> verify_zone(authority& a, std::string const& zone) {
  auto text = a.zone_text(zone);
  EXPECT_TRUE(text) << zone;
  if (!text) return {-1, {}};
  auto const path = temp_file(zone + ".zone", *text);
  auto result = sh("ldns-verify-zone -V 1 " + path);
  std::filesystem::remove(path);
  return result;
}

TEST_F(dns_world, LdnsVerifyZoneAcceptsEverySignedZone) {
  if (!have("ldns-verify-zone")) GTEST_SKIP() << "ldnsutils not installed";
  add({"n3.test", zone_security::secure, {"@ MX 10 mx", "mx A 127.0.1.1", "a.b.deep TXT \"x\""}, denial_method::nsec3});
  add({"oo.test", zone_security::secure, {"@ MX 10 mx", "sub NS ns.elsewhere.example."}, denial_method::nsec3_opt_out});
  add({"wild.test", zone_security::secure, {"*.w TXT \"wild\"", "*.c CNAME mx", "mx A 127.0.3.1"}, denial_method::nsec});
  for (auto const* z : {".", "test", "secure.test", "child.secure.test", "n3.test", "oo.test", "wild.test"}) {
    auto [rc, report] = verify_zone(*zones, z);
    EXPECT_EQ(rc, 0) << z << ": " << report;
  }
}

TEST_F(dns_world, LdnsVerifyZoneRejectsCorruptedAndExpiredZones) {
  if (!have("ldns-verify-zone")) GTEST_SKIP() << "ldnsutils not installed";
  auto [bad_rc, bad] = verify_zone(*zones, "badsig.test");
  EXPECT_NE(bad_rc, 0);
  EXPECT_NE(bad.find("Bogus DNSSEC signature"), std::string::npos) << bad;
  auto [old_rc, old] = verify_zone(*zones, "expired.test");
  EXPECT_NE(old_rc, 0);
  EXPECT_NE(old.find("expired"), std::string::npos) << old;
}

TEST_F(dns_world, DrillChaseValidatesFromTheWrittenAnchor) {
  if (!have("drill")) GTEST_SKIP() << "ldnsutils not installed";
  auto const anchor_path = temp_file("anchor.key", "");
  ASSERT_TRUE(zones->write_trust_anchor(anchor_path, anchor_format::dnskey));
  auto const base = "drill -S -k " + anchor_path + " -p " + std::to_string(srv->port()) + " @127.0.0.1 ";
  auto [ok_rc, ok] = sh(base + "mx.secure.test A");
  EXPECT_NE(ok.find("Chase successful"), std::string::npos) << ok;
  auto [bad_rc, bad] = sh(base + "mx.badsig.test A");
  EXPECT_EQ(bad.find("Chase successful"), std::string::npos) << bad;
  std::filesystem::remove(anchor_path);
}

}  // namespace
}  // namespace mxtls::net::dns::test
