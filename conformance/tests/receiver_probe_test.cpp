// The probe toolkit's pieces that need no peer: SHA-256/SHA-512 against FIPS 180-4 vectors,
// the DER walk against certificates of the run-time PKI (subject, SAN, SPKI digests equal to
// what Botan computed in net::pki), TLSA matching (DANE-3.1-03, DANE-3.1-04,
// DANE-3.1.1-01, DANE-3.1.2-01), and the transcript evidence of a probe session.
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known false positive
// when the frame allocation is inlined); only this diagnostic is silenced, only here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "probe/cert_facts.hpp"
#include "probe/smtp_probe.hpp"
#include "receiver_support.hpp"

#include <span>
#include <string_view>

namespace mxtls::conformance::test {
namespace {

using probe::der_bytes;

std::span<std::uint8_t const> bytes_of(std::string_view s) {
  return {reinterpret_cast<std::uint8_t const*>(s.data()), s.size()};
}

TEST(CertFacts, Sha256MatchesFipsVectors) {
  EXPECT_EQ(probe::hex(probe::sha256(bytes_of(""))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(probe::hex(probe::sha256(bytes_of("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(probe::hex(probe::sha256(bytes_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // Lengths around the padding boundary (55, 56, 64 octets) must not crash and must differ.
  EXPECT_NE(probe::sha256(bytes_of(std::string(55, 'a'))), probe::sha256(bytes_of(std::string(56, 'a'))));
  EXPECT_EQ(probe::hex(probe::sha256(bytes_of(std::string(1000000, 'a')))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(CertFacts, Sha512MatchesFipsVectors) {
  EXPECT_EQ(probe::hex(probe::sha512(bytes_of("abc"))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643c"
            "e80e2a9ac94fa54ca49f");
  EXPECT_EQ(probe::hex(probe::sha512(bytes_of(""))),
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd4741"
            "7a81a538327af927da3e");
  EXPECT_EQ(probe::hex(probe::sha512(bytes_of("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklm"
                                              "nopqklmnopqrlmnopqrsmnopqrstnopqrstu"))),
            "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd"
            "26545e96e55b874be909");
}

TEST(CertFacts, ReadsSubjectSanAndSpkiOfARunTimeCertificate) {
  auto const leaf = test_ca().issue(net::pki::cert_options::valid({"mx.facts.test", "*.facts.test"}));
  auto f = probe::read_cert_facts(leaf.cert_der);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->subject.rfind("CN=mx.facts.test", 0), 0u) << f->subject;
  EXPECT_NE(f->issuer.find("mxtls receiver-suite test CA"), std::string::npos) << f->issuer;
  EXPECT_EQ(f->dns_names, (std::vector<std::string>{"mx.facts.test", "*.facts.test"}));
  EXPECT_EQ(f->spki_der, leaf.spki_der);
  // The digests the DANE check computes equal Botan's (net::pki) for the same bytes.
  EXPECT_EQ(probe::sha256(f->spki_der), leaf.spki_sha256);
  EXPECT_EQ(probe::sha256(leaf.cert_der), leaf.cert_sha256);
  EXPECT_EQ(probe::sha512(f->spki_der), leaf.spki_sha512);
  EXPECT_FALSE(f->not_before.empty());
  EXPECT_FALSE(f->not_after.empty());
}

TEST(CertFacts, CnOnlyCertificateHasNoDnsNames) {
  auto const leaf = test_ca().issue(net::pki::cert_options::cn_only("cn.facts.test"));
  auto f = probe::read_cert_facts(leaf.cert_der);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->subject.rfind("CN=cn.facts.test", 0), 0u) << f->subject;
  EXPECT_TRUE(f->dns_names.empty());
  EXPECT_NE(probe::describe(*f).find("SAN=(none)"), std::string::npos);
}

TEST(CertFacts, RejectsEveryTruncationWithoutReadingPastTheEnd) {
  auto const leaf = test_ca().issue(net::pki::cert_options::valid({"mx.facts.test"}));
  for (std::size_t n = 0; n < leaf.cert_der.size(); ++n)
    EXPECT_FALSE(probe::read_cert_facts(std::span(leaf.cert_der.data(), n))) << "prefix of " << n << " octets";
  der_bytes garbage(64, 0x30);
  EXPECT_FALSE(probe::read_cert_facts(garbage));
}

spec::dane::tlsa_record tlsa(spec::dane::tlsa_usage u, spec::dane::tlsa_selector s, spec::dane::tlsa_matching m,
                             std::vector<std::uint8_t> data) {
  return {u, s, m, std::move(data)};
}

TEST(TlsaMatch, DaneEeComparesTheLeafOnly) {
  using namespace spec::dane;
  auto const leaf = test_ca().issue(net::pki::cert_options::valid({"mx.dane.test"}));
  auto const ca_der = test_ca().certificate().cert_der;
  std::vector<der_bytes> chain{leaf.cert_der, ca_der};
  auto d = [](auto const& a) { return std::vector<std::uint8_t>(a.begin(), a.end()); };
  EXPECT_EQ(probe::tlsa_match(tlsa(tlsa_usage::dane_ee, tlsa_selector::spki, tlsa_matching::sha256, d(leaf.spki_sha256)), chain),
            std::optional<std::size_t>(0));
  EXPECT_EQ(probe::tlsa_match(tlsa(tlsa_usage::dane_ee, tlsa_selector::cert, tlsa_matching::sha256, d(leaf.cert_sha256)), chain),
            std::optional<std::size_t>(0));
  EXPECT_EQ(probe::tlsa_match(tlsa(tlsa_usage::dane_ee, tlsa_selector::spki, tlsa_matching::sha512, d(leaf.spki_sha512)), chain),
            std::optional<std::size_t>(0));
  EXPECT_EQ(probe::tlsa_match(tlsa(tlsa_usage::dane_ee, tlsa_selector::cert, tlsa_matching::full, leaf.cert_der), chain),
            std::optional<std::size_t>(0));
  EXPECT_EQ(probe::tlsa_match(tlsa(tlsa_usage::dane_ee, tlsa_selector::spki, tlsa_matching::full, leaf.spki_der), chain),
            std::optional<std::size_t>(0));
  // A digest of the CA never matches DANE-EE.
  auto const ca_digest = probe::sha256(ca_der);
  EXPECT_FALSE(probe::tlsa_match(tlsa(tlsa_usage::dane_ee, tlsa_selector::cert, tlsa_matching::sha256, d(ca_digest)), chain));
  // One flipped octet: no match.
  auto wrong = d(leaf.spki_sha256);
  wrong[0] ^= 1;
  EXPECT_FALSE(probe::tlsa_match(tlsa(tlsa_usage::dane_ee, tlsa_selector::spki, tlsa_matching::sha256, wrong), chain));
}

TEST(TlsaMatch, DaneTaComparesPresentedCaCertificates) {
  using namespace spec::dane;
  auto const leaf = test_ca().issue(net::pki::cert_options::valid({"mx.dane.test"}));
  auto const ca_der = test_ca().certificate().cert_der;
  auto const ca_digest = probe::sha256(ca_der);
  std::vector<std::uint8_t> data(ca_digest.begin(), ca_digest.end());
  // [DANE-3.1.2-01] the TA must be in the presented chain.
  EXPECT_EQ(probe::tlsa_match(tlsa(tlsa_usage::dane_ta, tlsa_selector::cert, tlsa_matching::sha256, data),
                              {leaf.cert_der, ca_der}),
            std::optional<std::size_t>(1));
  EXPECT_FALSE(probe::tlsa_match(tlsa(tlsa_usage::dane_ta, tlsa_selector::cert, tlsa_matching::sha256, data), {leaf.cert_der}));
  // DANE-TA never matches the leaf itself.
  auto const leaf_digest = probe::sha256(leaf.cert_der);
  EXPECT_FALSE(probe::tlsa_match(
      tlsa(tlsa_usage::dane_ta, tlsa_selector::cert, tlsa_matching::sha256, {leaf_digest.begin(), leaf_digest.end()}),
      {leaf.cert_der, ca_der}));
}

TEST(TlsaMatch, UnusableRecordsNeverMatch) {
  using namespace spec::dane;
  auto const leaf = test_ca().issue(net::pki::cert_options::valid({"mx.dane.test"}));
  std::vector<std::uint8_t> const d(leaf.spki_sha256.begin(), leaf.spki_sha256.end());
  // [DANE-3.1.3-02] PKIX-EE is unusable for SMTP even when the digest is right.
  EXPECT_FALSE(probe::tlsa_match(tlsa(tlsa_usage::pkix_ee, tlsa_selector::spki, tlsa_matching::sha256, d), {leaf.cert_der}));
  // [DANE-3.1-03] a SHA2-256 record with a truncated digest is unusable.
  EXPECT_FALSE(probe::tlsa_match(
      tlsa(tlsa_usage::dane_ee, tlsa_selector::spki, tlsa_matching::sha256, {d.begin(), d.begin() + 31}), {leaf.cert_der}));
  EXPECT_FALSE(probe::tlsa_match(tlsa(tlsa_usage::dane_ee, tlsa_selector::spki, tlsa_matching::sha256, d), {}));
}

TEST(SmtpProbe, RecordsBothDirectionsAndTheHandshakeFacts) {
  peer_script s;
  s.host = "mx.probe.test";
  s.greeting = {"mx.probe.test ESMTP"};
  s.chains = {chain_for("mx.probe.test", cert_shape::wrong_name)};
  auto peer = start_peer(s);
  asio::io_context io;
  transcript log;
  bool done = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        probe::smtp_probe p(io.get_executor(), log);
        {
      auto const v_ = co_await p.connect("127.0.0.1", peer.port, 2s);
      EXPECT_EQ(v_, "");
    }
        {
      auto const v_ = co_await p.read_reply(2s);
      EXPECT_EQ(v_.code(), 220);
    }
        (void)co_await p.ehlo("probe.test", 2s);
        {
      auto const v_ = co_await p.command("STARTTLS", 2s);
      EXPECT_EQ(v_.code(), 220);
    }
        probe::tls_options o;
        o.sni = "mx.probe.test";
        o.ca_file = ca_file();
        auto tls = co_await p.start_tls(o);
        EXPECT_TRUE(tls.established);
        EXPECT_FALSE(tls.pkix_ok());
        EXPECT_EQ(tls.result_type(), net::tlsrpt_result_type::certificate_host_mismatch);
        EXPECT_EQ(tls.chain.size(), 1u);
        if (!tls.chain.empty()) {
          EXPECT_EQ(tls.chain[0].dns_names, std::vector<std::string>{"not-mx.probe.test"});
        }
        co_await p.quit(2s);
      },
      [&](std::exception_ptr e) {
        done = true;
        if (e) std::rethrow_exception(e);
      });
  auto const limit = std::chrono::steady_clock::now() + 10s;
  while (!done && std::chrono::steady_clock::now() < limit) io.run_one_for(100ms);
  ASSERT_TRUE(done);
  bool c = false, srv = false, sni = false, chain = false, verify = false;
  for (auto const& e : log.entries()) {
    c = c || (e.channel == "C" && e.text == "STARTTLS\\r\\n");
    srv = srv || (e.channel == "S" && e.text.rfind("220 ", 0) == 0);
    sni = sni || (e.channel == "tls" && e.text.find("SNI sent mx.probe.test") != std::string::npos);
    chain = chain || (e.channel == "tls" && e.text.find("SAN=not-mx.probe.test") != std::string::npos);
    verify = verify || (e.channel == "tls" && e.text.find("certificate-host-mismatch") != std::string::npos);
  }
  EXPECT_TRUE(c && srv && sni && chain && verify) << dump(log.entries());
}

TEST(SmtpProbe, ReportsAProtocolErrorForNonSmtpBytes) {
  peer_script s;
  s.greeting_code = 220;
  s.greeting = {"ok"};
  s.inject_after_ready.clear();
  // A listener that sends TLS-looking garbage: emulate with an implicit-TLS peer read in plaintext.
  s.implicit_tls = true;
  s.chains = {chain_for("mx.example.test")};
  auto peer = start_peer(s);
  asio::io_context io;
  transcript log;
  bool done = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        probe::smtp_probe p(io.get_executor(), log);
        {
      auto const v_ = co_await p.connect("127.0.0.1", peer.port, 2s);
      EXPECT_EQ(v_, "");
    }
        // Plaintext EHLO to a TLS server: the answer (an alert, or a close) is not an SMTP reply.
        {
      auto const v_ = co_await p.send_line("EHLO probe.test");
      EXPECT_TRUE(v_);
    }
        auto r = co_await p.read_reply(2s);
        EXPECT_FALSE(r.ok()) << r.describe();
        EXPECT_NE(r.status, probe::reply_status::timeout);
      },
      [&](std::exception_ptr e) {
        done = true;
        if (e) std::rethrow_exception(e);
      });
  auto const limit = std::chrono::steady_clock::now() + 10s;
  while (!done && std::chrono::steady_clock::now() < limit) io.run_one_for(100ms);
  ASSERT_TRUE(done);
}

}  // namespace
}  // namespace mxtls::conformance::test
