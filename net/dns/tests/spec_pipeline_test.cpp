// The lookups feed the pure spec parsers directly: a TXT RRset into select_sts_record
// (STS-3.1-*), TLSA RDATA into parse_tlsa_rdata (DANE-3.1-01), and the system defaults
// (resolv.conf + dns-root-data anchor) build client options or fail loudly.
#include "fixture.hpp"

#include "mxtls/spec/dane/tlsa.hpp"
#include "mxtls/spec/mtasts/record.hpp"

#include <filesystem>
#include <fstream>

namespace mxtls::net::dns::test {
namespace {

TEST_F(dns_world, TxtLookupFeedsSelectStsRecord) {
  ASSERT_TRUE(zones->replace_rrset("secure.test", "_mta-sts.secure.test", rr_type::txt,
                                   {"_mta-sts TXT \"v=STSv1; \" \"id=20240101T01\"", "_mta-sts TXT \"unrelated\""}));
  client c(io.get_executor(), options());
  auto txt = run(c, [](client& cl) { return cl.lookup_txt("_mta-sts.secure.test"); });
  ASSERT_TRUE(txt) << txt.error().message();
  auto rec = mxtls::spec::mtasts::select_sts_record(txt->records);
  ASSERT_TRUE(rec) << rec.error().message();
  EXPECT_EQ(rec->id, "20240101T01");
}

TEST_F(dns_world, TlsaLookupFeedsParseTlsaRdata) {
  client c(io.get_executor(), options());
  auto tlsa = run(c, [](client& cl) { return cl.lookup_tlsa(25, "mx.secure.test"); });
  ASSERT_TRUE(tlsa) << tlsa.error().message();
  ASSERT_EQ(tlsa->records.size(), 1u);
  auto rec = mxtls::spec::dane::parse_tlsa_rdata(tlsa->records[0]);
  ASSERT_TRUE(rec) << rec.error().message();
  EXPECT_EQ(rec->usage, mxtls::spec::dane::tlsa_usage::dane_ee);
  EXPECT_EQ(rec->selector, mxtls::spec::dane::tlsa_selector::spki);
  EXPECT_EQ(rec->matching, mxtls::spec::dane::tlsa_matching::sha256);
  EXPECT_EQ(rec->data.size(), 32u);
}

TEST(SystemClientOptions, ReadsResolvConfAndAnchorOrFails) {
  auto const dir = std::filesystem::temp_directory_path() / ("mxtls-sysopt-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto const resolv = (dir / "resolv.conf").string();
  auto const anchor = (dir / "root.key").string();
  std::ofstream(resolv) << "nameserver 127.0.0.53\n";
  authority a;
  ASSERT_TRUE(a.write_trust_anchor(anchor));
  auto o = system_client_options(resolv, anchor);
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(o->resolver.address.to_string(), "127.0.0.53");
  ASSERT_TRUE(o->anchor.has_value());
  EXPECT_EQ(o->anchor->records().size(), 1u);
  auto missing = system_client_options(resolv, (dir / "absent.key").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, errc::file_unreadable);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mxtls::net::dns::test
