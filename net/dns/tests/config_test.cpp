// Trust-anchor files (round trip, the Debian root.key format, errors with offsets) and
// resolv.conf / ADDR[:PORT] parsing, as tables of one-line cases.
#include "mxtls/net/dns/authority.hpp"
#include "mxtls/net/dns/resolv_conf.hpp"
#include "mxtls/net/dns/trust_anchor.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

namespace mxtls::net::dns {
namespace {

TEST(TrustAnchor, WrittenAnchorReadsBackIdentically) {
  authority a;
  auto const path = (std::filesystem::temp_directory_path() / ("mxtls-anchor-" + std::to_string(::getpid()))).string();
  for (auto f : {anchor_format::ds, anchor_format::dnskey}) {
    ASSERT_TRUE(a.write_trust_anchor(path, f));
    auto loaded = trust_anchor::load(path);
    ASSERT_TRUE(loaded) << loaded.error().message();
    auto parsed = trust_anchor::parse(a.trust_anchor_text(f));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*loaded, *parsed);
    ASSERT_EQ(loaded->records().size(), 1u);
    EXPECT_NE(loaded->records()[0].find(f == anchor_format::ds ? "\tDS\t" : "\tDNSKEY\t"), std::string::npos);
    ASSERT_TRUE(loaded->save(path));
    EXPECT_EQ(*trust_anchor::load(path), *loaded);
  }
  std::filesystem::remove(path);
}

TEST(TrustAnchor, ReadsDebianRootKeyFormat) {
  auto const text =
      "; // root zone trust anchor, as shipped by dns-root-data\n"
      ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
      "\n"
      ".\t172800\tIN\tDNSKEY\t257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3 ; KSK\n";
  auto a = trust_anchor::parse(text);
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_EQ(a->records().size(), 2u);
  EXPECT_EQ(a->records()[0].rfind(".\t", 0), 0u);
  EXPECT_NE(a->records()[0].find("e06d44b8"), std::string::npos);
}

TEST(TrustAnchor, RejectsWhatIsNotAnAnchor) {
  struct bad {
    char const* text;
    errc code;
    std::size_t offset;
  };
  for (auto const& c : {
           bad{"", errc::trust_anchor_empty, 0},
           bad{"; only a comment\n", errc::trust_anchor_empty, 0},
           bad{". IN A 192.0.2.1\n", errc::trust_anchor_invalid, 0},
           bad{". IN DS 20326 8 2 E06D\nnonsense here\n", errc::trust_anchor_invalid, 23},
           bad{"\n\n. IN NS a.root-servers.net.\n", errc::trust_anchor_invalid, 2},
           // Found by fuzz/dns_trust_anchor: a form feed in place of the digest made ldns accept
           // a DS without one, whose printed form did not parse back.
           bad{". IN DS 20326 8 2 \f\n", errc::trust_anchor_invalid, 0},
           bad{". IN DNSKEY 257 3 13 \f\n", errc::trust_anchor_invalid, 0},
       }) {
    auto r = trust_anchor::parse(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().code, c.code) << c.text;
    EXPECT_EQ(r.error().offset, c.offset) << c.text;
  }
  EXPECT_EQ(trust_anchor::load("/nonexistent/mxtls/anchor").error().code, errc::file_unreadable);
}

TEST(ResolvConf, NameserverLinesInOrder) {
  auto const text =
      "# generated\n"
      "search example.org\n"
      "nameserver 10.255.255.53\n"
      "nameserver\t::1   # local\n"
      "nameserver not-an-address\n"
      "  nameserver 127.0.0.53\r\n"
      "; nameserver 192.0.2.99\n"
      "options edns0 trust-ad\n";
  auto const all = parse_resolv_conf(text);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].address.to_string(), "10.255.255.53");
  EXPECT_EQ(all[1].address.to_string(), "::1");
  EXPECT_EQ(all[2].address.to_string(), "127.0.0.53");
  for (auto const& s : all) EXPECT_EQ(s.port, 53);
  EXPECT_TRUE(parse_resolv_conf("").empty());
  EXPECT_TRUE(parse_resolv_conf("nameserverx 1.2.3.4\n").empty());
}

TEST(ResolvConf, ServerAddressWithOptionalPort) {
  struct good {
    char const* text;
    char const* address;
    std::uint16_t port;
  };
  for (auto const& c : {good{"127.0.0.1", "127.0.0.1", 53}, good{"127.0.0.1:5353", "127.0.0.1", 5353},
                        good{"::1", "::1", 53}, good{"[::1]", "::1", 53}, good{"[2001:db8::1]:54", "2001:db8::1", 54}}) {
    auto r = parse_server_address(c.text);
    ASSERT_TRUE(r) << c.text;
    EXPECT_EQ(r->address.to_string(), c.address) << c.text;
    EXPECT_EQ(r->port, c.port) << c.text;
  }
  for (auto const* bad : {"", "localhost", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:x",
                          "[::1", "[::1]x", "[::1]:", "1.2.3"}) {
    auto r = parse_server_address(bad);
    EXPECT_FALSE(r) << bad;
  }
}

TEST(ResolvConf, SystemResolverReadsTheFile) {
  auto const path = (std::filesystem::temp_directory_path() / ("mxtls-resolv-" + std::to_string(::getpid()))).string();
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("search x\nnameserver 192.0.2.53\n", f);
    std::fclose(f);
  }
  auto r = system_resolver(path);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->address.to_string(), "192.0.2.53");
  std::filesystem::remove(path);
  EXPECT_EQ(system_resolver(path).error().code, errc::file_unreadable);
}

}  // namespace
}  // namespace mxtls::net::dns
