// The test authority without the network: signed zone contents (key tags, NSEC chain, DS in
// the parent only for signed children), query answering from wire bytes, faults, resolver
// modes, the query log, and zone mutation errors.
#include "mxtls/net/dns/authority.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>

#include <sstream>

namespace mxtls::net::dns {
namespace {

std::unique_ptr<authority> make_world() {
  auto a = std::make_unique<authority>();
  EXPECT_TRUE(a->add_zone({"signed.test", zone_security::secure, {"@ MX 10 mx", "mx A 192.0.2.1"}}));
  EXPECT_TRUE(a->add_zone({"plain.test", zone_security::insecure, {"@ MX 10 mx", "mx A 192.0.2.2"}}));
  return a;
}

std::vector<std::string> lines_with(std::string const& text, std::string const& needle) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos) out.push_back(line);
  return out;
}

/// A hand-made query: ID 0x1234, RD, one question, optional EDNS OPT with DO.
std::vector<std::uint8_t> make_query(std::string const& name, std::uint16_t type, bool edns, bool dnssec_ok,
                                     std::uint16_t udp_size = 1232) {
  std::vector<std::uint8_t> q{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(edns ? 1 : 0)};
  std::size_t start = 0;
  while (start < name.size()) {
    auto dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    q.push_back(static_cast<std::uint8_t>(dot - start));
    q.insert(q.end(), name.begin() + static_cast<std::ptrdiff_t>(start), name.begin() + static_cast<std::ptrdiff_t>(dot));
    start = dot + 1;
  }
  q.push_back(0);
  q.insert(q.end(), {static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type & 0xff), 0, 1});
  if (edns)
    q.insert(q.end(), {0, 0, 41, static_cast<std::uint8_t>(udp_size >> 8), static_cast<std::uint8_t>(udp_size & 0xff), 0,
                       0, static_cast<std::uint8_t>(dnssec_ok ? 0x80 : 0), 0, 0, 0});
  return q;
}

int rcode_of(std::vector<std::uint8_t> const& r) { return r[3] & 0x0f; }
bool tc_of(std::vector<std::uint8_t> const& r) { return (r[2] & 0x02) != 0; }
bool aa_of(std::vector<std::uint8_t> const& r) { return (r[2] & 0x04) != 0; }
bool ad_of(std::vector<std::uint8_t> const& r) { return (r[3] & 0x20) != 0; }
int ancount(std::vector<std::uint8_t> const& r) { return r[6] << 8 | r[7]; }
int nscount(std::vector<std::uint8_t> const& r) { return r[8] << 8 | r[9]; }

TEST(DnsAuthority, SignaturesCarryTheKeyTagOfTheZoneKey) {
  // stack.md pitfall 7: without ldns_key_set_keytag every RRSIG says key tag 0.
  auto world = make_world();
  auto& a = *world;
  auto text = a.zone_text("signed.test");
  ASSERT_TRUE(text) << text.error().message();
  auto const sigs = lines_with(*text, "\tRRSIG\t");
  ASSERT_FALSE(sigs.empty());
  for (auto const& s : sigs) {
    std::istringstream in(s);
    std::string owner, ttl, cls, type, covered, alg, labels, orig, exp, inc, tag;
    in >> owner >> ttl >> cls >> type >> covered >> alg >> labels >> orig >> exp >> inc >> tag;
    EXPECT_EQ(alg, "13") << s;
    EXPECT_NE(tag, "0") << s;
  }
}

TEST(DnsAuthority, SignedZoneHasAClosedNsecChain) {
  auto world = make_world();
  auto& a = *world;
  auto text = a.zone_text("signed.test");
  ASSERT_TRUE(text);
  auto const nsecs = lines_with(*text, "\tNSEC\t");
  ASSERT_EQ(nsecs.size(), 3u);  // apex, mx, ns
  EXPECT_NE(nsecs.back().find("\tsigned.test."), std::string::npos) << nsecs.back();  // wraps to the apex
}

TEST(DnsAuthority, InsecureZoneIsUnsignedAndParentHasNoDs) {
  auto world = make_world();
  auto& a = *world;
  auto plain = a.zone_text("plain.test");
  ASSERT_TRUE(plain);
  EXPECT_TRUE(lines_with(*plain, "RRSIG").empty());
  EXPECT_TRUE(lines_with(*plain, "DNSKEY").empty());
  auto tld = a.zone_text("test");
  ASSERT_TRUE(tld);
  EXPECT_EQ(lines_with(*tld, "signed.test.\t3600\tIN\tDS").size(), 1u);
  EXPECT_TRUE(lines_with(*tld, "plain.test.\t3600\tIN\tDS").empty());
  // The parent proves the missing DS: an NSEC at the cut with NS and without DS.
  auto const cut = lines_with(*tld, "plain.test.\t300\tIN\tNSEC");
  ASSERT_EQ(cut.size(), 1u);
  EXPECT_NE(cut[0].find(" NS "), std::string::npos) << cut[0];
  EXPECT_EQ(cut[0].find(" DS "), std::string::npos) << cut[0];
}

TEST(DnsAuthority, RootZoneDelegatesTheTldWithDs) {
  auto world = make_world();
  auto& a = *world;
  auto root = a.zone_text(".");
  ASSERT_TRUE(root);
  EXPECT_EQ(lines_with(*root, "test.\t3600\tIN\tDS").size(), 1u);
  EXPECT_EQ(a.zones(), (std::vector<std::string>{".", "test", "plain.test", "signed.test"}));
}

TEST(DnsAuthority, AnswersWithSignaturesOnlyWhenDoIsSet) {
  auto world = make_world();
  auto& a = *world;
  auto with = a.respond(make_query("signed.test", 15, true, true), transport::udp);
  auto without = a.respond(make_query("signed.test", 15, true, false), transport::udp);
  ASSERT_TRUE(with && without);
  EXPECT_EQ(rcode_of(*with), 0);
  EXPECT_TRUE(aa_of(*with));
  EXPECT_EQ(ancount(*with), 2);     // MX + RRSIG
  EXPECT_EQ(ancount(*without), 1);  // MX
}

TEST(DnsAuthority, NxdomainCarriesSoaAndNsecProof) {
  auto world = make_world();
  auto& a = *world;
  auto r = a.respond(make_query("nope.signed.test", 1, true, true), transport::udp);
  ASSERT_TRUE(r);
  EXPECT_EQ(rcode_of(*r), 3);
  EXPECT_EQ(ancount(*r), 0);
  EXPECT_GE(nscount(*r), 4);  // SOA + RRSIG, NSEC + RRSIG (one NSEC may cover both names)
}

TEST(DnsAuthority, DsQueryIsAnsweredByTheParent) {
  auto world = make_world();
  auto& a = *world;
  auto r = a.respond(make_query("signed.test", 43, true, true), transport::udp);
  ASSERT_TRUE(r);
  EXPECT_EQ(rcode_of(*r), 0);
  EXPECT_EQ(ancount(*r), 2);  // DS + RRSIG by test.
}

TEST(DnsAuthority, UdpAnswerOverTheBufferSizeIsTruncated) {
  auto world = make_world();
  auto& a = *world;
  std::vector<std::string> many;
  for (int i = 0; i < 30; ++i) many.push_back("big TXT \"" + std::string(100, 'x') + std::to_string(i) + "\"");
  ASSERT_TRUE(a.add_records("signed.test", many));
  auto no_edns = a.respond(make_query("big.signed.test", 16, false, false), transport::udp);
  ASSERT_TRUE(no_edns);
  EXPECT_TRUE(tc_of(*no_edns));  // RFC 1035: 512 octets without EDNS
  EXPECT_EQ(ancount(*no_edns), 0);
  auto large = a.respond(make_query("big.signed.test", 16, true, false, 65000), transport::udp);
  ASSERT_TRUE(large);
  EXPECT_FALSE(tc_of(*large));
  EXPECT_EQ(ancount(*large), 30);
  auto tcp = a.respond(make_query("big.signed.test", 16, false, false), transport::tcp);
  ASSERT_TRUE(tcp);
  EXPECT_FALSE(tc_of(*tcp));
}

TEST(DnsAuthority, FaultsApplyToNamesAndSubtrees) {
  auto world = make_world();
  auto& a = *world;
  a.set_fault("signed.test", fault::servfail, true);
  auto sub = a.respond(make_query("mx.signed.test", 1, false, false), transport::udp);
  ASSERT_TRUE(sub);
  EXPECT_EQ(rcode_of(*sub), 2);
  a.set_fault("signed.test", fault::none, true);
  a.set_fault("mx.signed.test", fault::drop, false, rr_type::aaaa);
  EXPECT_FALSE(a.respond(make_query("mx.signed.test", 28, false, false), transport::udp));
  auto other_type = a.respond(make_query("mx.signed.test", 1, false, false), transport::udp);
  ASSERT_TRUE(other_type);
  EXPECT_EQ(rcode_of(*other_type), 0);
  a.clear_faults();
  a.set_fault("mx.signed.test", fault::refused);
  auto refused = a.respond(make_query("mx.signed.test", 1, false, false), transport::udp);
  ASSERT_TRUE(refused);
  EXPECT_EQ(rcode_of(*refused), 5);
}

TEST(DnsAuthority, ValidatingModeSetsAdOnlyForSecureZonesAndFailsBogusOnes) {
  authority a;
  ASSERT_TRUE(a.add_zone({"good.test", zone_security::secure, {"@ A 192.0.2.1"}}));
  ASSERT_TRUE(a.add_zone({"plain.test", zone_security::insecure, {"@ A 192.0.2.2"}}));
  ASSERT_TRUE(a.add_zone({"broken.test", zone_security::bogus_signatures, {"@ A 192.0.2.3"}}));
  a.set_resolver_mode(resolver_mode::validating);
  auto good = a.respond(make_query("good.test", 1, true, true), transport::udp);
  auto plain = a.respond(make_query("plain.test", 1, true, true), transport::udp);
  auto broken = a.respond(make_query("broken.test", 1, true, true), transport::udp);
  ASSERT_TRUE(good && plain && broken);
  EXPECT_TRUE(ad_of(*good));
  EXPECT_FALSE(ad_of(*plain));
  EXPECT_EQ(rcode_of(*broken), 2);
  // Only one RRset's signatures broken (a fault in a signed zone): bogus too, not insecure.
  a.set_fault("good.test", fault::bogus_signatures);
  auto faulted = a.respond(make_query("good.test", 1, true, true), transport::udp);
  ASSERT_TRUE(faulted);
  EXPECT_EQ(rcode_of(*faulted), 2);
  a.set_fault("good.test", fault::none);
  a.set_resolver_mode(resolver_mode::ad_always);
  auto lying = a.respond(make_query("broken.test", 1, true, true), transport::udp);
  ASSERT_TRUE(lying);
  EXPECT_TRUE(ad_of(*lying));
  EXPECT_EQ(rcode_of(*lying), 0);
}

TEST(DnsAuthority, QueryLogRecordsNameTypeAndTransport) {
  auto world = make_world();
  auto& a = *world;
  std::vector<query_log_entry> seen;
  a.on_query([&](query_log_entry const& e) { seen.push_back(e); });
  (void)a.respond(make_query("MX.Signed.Test", 1, true, true), transport::tcp);
  auto const log = a.query_log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].name, "mx.signed.test");
  EXPECT_EQ(log[0].type, rr_type::a);
  EXPECT_EQ(log[0].via, transport::tcp);
  EXPECT_TRUE(log[0].dnssec_ok);
  ASSERT_TRUE(log[0].answered.has_value());
  EXPECT_EQ(*log[0].answered, rcode::noerror);
  EXPECT_EQ(seen.size(), 1u);
  a.clear_query_log();
  EXPECT_TRUE(a.query_log().empty());
}

TEST(DnsAuthority, GarbageGetsFormerrOrSilence) {
  auto world = make_world();
  auto& a = *world;
  std::vector<std::uint8_t> junk{0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  auto r = a.respond(junk, transport::udp);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0], 0xab);
  EXPECT_EQ(rcode_of(*r), 1);
  EXPECT_FALSE(a.respond(std::vector<std::uint8_t>{1, 2, 3}, transport::udp));
}

TEST(DnsAuthority, MutationErrorsNameTheCondition) {
  auto world = make_world();
  auto& a = *world;
  EXPECT_EQ(a.add_zone({"signed.test", zone_security::secure, {}}).error().code, errc::zone_exists);
  EXPECT_EQ(a.add_zone({"x..y", zone_security::secure, {}}).error().code, errc::invalid_name);
  EXPECT_EQ(a.add_records("nowhere.test", {"@ A 192.0.2.1"}).error().code, errc::unknown_zone);
  EXPECT_EQ(a.add_records("signed.test", {"@ A not-an-address"}).error().code, errc::invalid_record);
  EXPECT_EQ(a.add_records("signed.test", {"mx.plain.test. A 192.0.2.9"}).error().code, errc::record_outside_zone);
  EXPECT_EQ(a.add_records("signed.test", {"@ DNSKEY 257 3 13 AAAA"}).error().code, errc::invalid_record);
  EXPECT_EQ(a.set_security("nowhere.test", zone_security::insecure).error().code, errc::unknown_zone);
}

TEST(DnsAuthority, NewZoneTakesOverItsNamesFromTheParent) {
  authority a;
  ASSERT_TRUE(a.add_zone({"case.test", zone_security::secure, {"mx.sub A 192.0.2.7"}}));
  ASSERT_TRUE(a.add_zone({"sub.case.test", zone_security::secure, {}}));
  auto sub = a.zone_text("sub.case.test");
  ASSERT_TRUE(sub);
  EXPECT_EQ(lines_with(*sub, "mx.sub.case.test.\t300\tIN\tA").size(), 1u);
  auto parent = a.zone_text("case.test");
  ASSERT_TRUE(parent);
  EXPECT_TRUE(lines_with(*parent, "mx.sub.case.test.\t300\tIN\tA").empty());
}

TEST(DnsAuthority, NsAddressesAreConfigurable) {
  authority_options o;
  o.ns_addresses = {boost::asio::ip::make_address("127.0.0.53"), boost::asio::ip::make_address("::1")};
  authority a(o);
  auto tld = a.zone_text("test");
  ASSERT_TRUE(tld);
  EXPECT_EQ(lines_with(*tld, "ns.test.\t3600\tIN\tA\t127.0.0.53").size(), 1u);
  EXPECT_EQ(lines_with(*tld, "ns.test.\t3600\tIN\tAAAA\t::1").size(), 1u);
}

}  // namespace
}  // namespace mxtls::net::dns
