// The run-time test PKI: requested SANs, CN-only leaves without a SAN extension, validity
// windows, TLSA digests of the certificate and of the SubjectPublicKeyInfo (DANE-3.1-03,
// stack.md pitfall 3), PEM files on disk, and speed.
#include "mxtls/net/pki.hpp"
#include "net_test_support.hpp"

#include <botan/hash.h>
#include <botan/pkix_types.h>
#include <botan/x509cert.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace mxtls::net::test {
namespace {

tls_config trusting_client() {
  tls_config c;
  c.system_trust = false;
  c.trusted_ca_pem = {test_ca().root_pem()};
  return c;
}

verify_result check(pki::issued const& leaf, std::string_view host) {
  auto ctx = make_context(trusting_client());
  auto chain = pem_to_der_chain(leaf.chain_pem);
  EXPECT_TRUE(chain);
  return verify_chain(*ctx, *chain, host);
}

TEST(TestPki, LeafCarriesTheRequestedSanNamesInOrder) {
  auto leaf = test_ca().issue(pki::cert_options::valid({"mx1.example.test", "*.mx.example.test"}));
  auto v = check(leaf, "mx1.example.test");
  EXPECT_EQ(v.dns_ids, (std::vector<std::string>{"mx1.example.test", "*.mx.example.test"}));
  EXPECT_TRUE(v.pkix_ok());
  EXPECT_TRUE(check(leaf, "a.mx.example.test").name_matched);
}

TEST(TestPki, CnOnlyLeafHasNoSubjectAltNameExtension) {
  auto leaf = test_ca().issue(pki::cert_options::cn_only("mx.example.test"));
  Botan::X509_Certificate cert(leaf.cert_der);
  EXPECT_FALSE(cert.v3_extensions().extension_set(Botan::OID::from_string("X509v3.SubjectAlternativeName")));
  EXPECT_EQ(cert.subject_info("X520.CommonName"), std::vector<std::string>{"mx.example.test"});
  auto v = check(leaf, "mx.example.test");
  EXPECT_TRUE(v.trusted);
  EXPECT_FALSE(v.name_matched);
}

TEST(TestPki, ValidityWindowsAreAsRequested) {
  auto expired = check(test_ca().issue(pki::cert_options::expired({"mx.example.test"})), "mx.example.test");
  EXPECT_TRUE(expired.expired);
  EXPECT_FALSE(expired.not_yet_valid);
  auto future = check(test_ca().issue(pki::cert_options::not_yet_valid({"mx.example.test"})), "mx.example.test");
  EXPECT_TRUE(future.not_yet_valid);
  EXPECT_FALSE(future.expired);
  auto now = check(test_ca().issue(pki::cert_options::valid({"mx.example.test"})), "mx.example.test");
  EXPECT_FALSE(now.expired);
  EXPECT_FALSE(now.not_yet_valid);
}

TEST(TestPki, ValidationTimeComesFromTheConfiguredClock) {
  // The conformance world's clock: a certificate valid now is expired a year from now.
  auto leaf = test_ca().issue(pki::cert_options::valid({"mx.example.test"}));
  auto c = trusting_client();
  c.validation_time = std::chrono::system_clock::now() + std::chrono::hours(24 * 365);
  auto ctx = make_context(c);
  auto v = verify_chain(*ctx, *pem_to_der_chain(leaf.chain_pem), "mx.example.test");
  EXPECT_TRUE(v.expired);
  EXPECT_EQ(v.result_type, tlsrpt_result_type::certificate_expired);
}

TEST(TestPki, TlsaDigestsCoverTheCertificateAndTheSubjectPublicKeyInfo) {
  // [DANE-3.1-03] matching type 1 = SHA2-256, 2 = SHA2-512; selector 1 = the full SPKI
  // (stack.md pitfall 3: not subject_public_key_bits).
  auto leaf = test_ca().issue(pki::cert_options::valid({"mx.example.test"}));
  Botan::X509_Certificate cert(leaf.cert_der);
  EXPECT_EQ(leaf.spki_der, cert.subject_public_key_info());
  EXPECT_NE(leaf.spki_der, cert.subject_public_key_bits());
  auto sha256 = Botan::HashFunction::create_or_throw("SHA-256");
  auto const spki = sha256->process(cert.subject_public_key_info());
  auto const full = sha256->process(cert.BER_encode());
  EXPECT_TRUE(std::equal(spki.begin(), spki.end(), leaf.spki_sha256.begin()));
  EXPECT_TRUE(std::equal(full.begin(), full.end(), leaf.cert_sha256.begin()));
  auto sha512 = Botan::HashFunction::create_or_throw("SHA-512");
  auto const spki512 = sha512->process(cert.subject_public_key_info());
  EXPECT_TRUE(std::equal(spki512.begin(), spki512.end(), leaf.spki_sha512.begin()));
  EXPECT_EQ(pki::to_hex(leaf.spki_sha256).size(), 64u);
  EXPECT_EQ(pki::to_hex(std::vector<std::uint8_t>{0x00, 0xab, 0xff}), "00abff");
}

TEST(TestPki, IntermediateChainPemListsLeafThenIntermediate) {
  auto intermediate = test_ca().create_intermediate("mxtls test intermediate");
  auto leaf = intermediate.issue(pki::cert_options::valid({"mx.example.test"}));
  auto chain = pem_to_der_chain(leaf.chain_pem);
  ASSERT_TRUE(chain);
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ(chain->front(), leaf.cert_der);
  EXPECT_EQ(chain->back(), intermediate.certificate().cert_der);
  EXPECT_EQ(intermediate.root_pem(), test_ca().root_pem());
  EXPECT_TRUE(check(leaf, "mx.example.test").pkix_ok());
}

TEST(TestPki, WritesPemFilesThatATlsContextLoads) {
  auto const dir = std::filesystem::temp_directory_path() / ("mxtls-pki-test-" + std::to_string(::getpid()));
  auto leaf = test_ca().issue(pki::cert_options::valid({"mx.example.test"}));
  auto w = leaf.write(dir.string(), "mx");
  ASSERT_TRUE(w) << w.error().message();
  EXPECT_TRUE(std::filesystem::exists(dir / "mx.crt"));
  EXPECT_TRUE(std::filesystem::exists(dir / "mx.key"));
  tls_config server;
  server.role = tls_role::server;
  server.chains.push_back(server_chain{{}, {}, {}, (dir / "mx.chain.pem").string(), (dir / "mx.key").string()});
  auto ctx = tls_context::create(server);
  EXPECT_TRUE(ctx) << (ctx ? "" : ctx.error().message());
  std::ofstream(dir / "ca.pem") << test_ca().root_pem();
  tls_config client;
  client.system_trust = false;
  client.ca_file = (dir / "ca.pem").string();
  auto cctx = tls_context::create(client);
  ASSERT_TRUE(cctx) << cctx.error().message();
  EXPECT_TRUE(verify_chain(**cctx, *pem_to_der_chain(leaf.chain_pem), "mx.example.test").pkix_ok());
  std::filesystem::remove_all(dir);
}

TEST(TestPki, IssuingIsFast) {
  (void)test_ca();
  auto const start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) (void)test_ca().issue(pki::cert_options::valid({"mx.example.test"}));
  auto const per_cert = (std::chrono::steady_clock::now() - start) / 20;
  EXPECT_LT(per_cert, std::chrono::milliseconds(50));
}

}  // namespace
}  // namespace mxtls::net::test
