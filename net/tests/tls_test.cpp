// TLS seam over loopback with the run-time test PKI: verification outcomes (STS-4.2-01/02,
// STS-3.3-02, RPT-4.3-02..05), SNI (STS-7.1-02/03/05, DANE-8.1-02), DANE hook (DANE-3.2-01/02,
// STS-2-01), TLS >= 1.2 (STS-7.2-01), STARTTLS upgrade and close semantics.
#include "mxtls/net/line_io.hpp"
#include "mxtls/net/tls.hpp"
#include "net_test_support.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mxtls::net::test {
namespace {

using namespace asio::experimental::awaitable_operators;

struct pair_outcome {
  result<handshake_info> client{handshake_info{}};
  result<handshake_info> server{handshake_info{}};
  std::string server_got;  // line the server read after the handshake
  std::string client_got;  // line the client read after the handshake
};

// Handshakes a client and a server over loopback; when both succeed, exchanges one line
// each way so the session is known to carry data.
pair_outcome handshake_pair(tls_config server, tls_config client) {
  server.handshake_timeout = 5s;
  client.handshake_timeout = 5s;
  auto sctx = make_context(std::move(server));
  auto cctx = make_context(std::move(client));
  pair_outcome out;
  run_async([&]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    tls_stream cs(std::move(c), cctx);
    tls_stream ss(std::move(s), sctx);
    auto [cr, sr] = co_await (cs.async_handshake() && ss.async_handshake());
    out.client = std::move(cr);
    out.server = std::move(sr);
    if (!out.client || !out.server) co_return;
    line_reader<tls_stream> sreader(ss), creader(cs);
    auto ec = co_await write_all(cs, std::string_view("ping\r\n"), 5s);
    EXPECT_FALSE(ec) << ec.message();
    auto sl = co_await sreader.read_line(5s);
    out.server_got = sl.line;
    ec = co_await write_all(ss, std::string_view("pong\r\n"), 5s);
    EXPECT_FALSE(ec) << ec.message();
    auto cl = co_await creader.read_line(5s);
    out.client_got = cl.line;
    co_await cs.async_shutdown();
    auto end = co_await sreader.read_line(5s);
    EXPECT_EQ(end.status, line_status::eof);
  });
  return out;
}

asio::awaitable<boost::system::error_code> write_buf(tls_stream& s, std::string const& data) {
  auto [ec, n] = co_await asio::async_write(s, asio::buffer(data), asio::as_tuple(asio::use_awaitable));
  EXPECT_EQ(n, data.size());
  co_return ec;
}

asio::awaitable<boost::system::error_code> read_buf(tls_stream& s, std::string& data) {
  auto [ec, n] = co_await asio::async_read(s, asio::buffer(data), asio::as_tuple(asio::use_awaitable));
  EXPECT_EQ(n, data.size());
  co_return ec;
}

pki::issued leaf_for(std::vector<std::string> names) { return test_ca().issue(pki::cert_options::valid(std::move(names))); }

TEST(TlsStream, ValidCertificateIsVerifiedAndCarriesData) {
  // [STS-4.2-01][STS-4.2-02] trusted, unexpired, SAN matches the MX host name.
  auto out = handshake_pair(server_config(leaf_for({"mx.example.test"})), client_config("mx.example.test"));
  ASSERT_TRUE(out.client) << out.client.error().message();
  ASSERT_TRUE(out.server) << out.server.error().message();
  auto const& v = out.client->verify;
  EXPECT_TRUE(v.performed);
  EXPECT_TRUE(v.trusted);
  EXPECT_TRUE(v.name_matched);
  EXPECT_FALSE(v.expired);
  EXPECT_TRUE(v.pkix_ok());
  EXPECT_EQ(v.result_type, tlsrpt_result_type::none);
  EXPECT_EQ(v.dns_ids, std::vector<std::string>{"mx.example.test"});
  EXPECT_EQ(out.client->version, "TLS v1.2");
  EXPECT_EQ(out.server->version, "TLS v1.2");
  EXPECT_EQ(out.client->cipher, out.server->cipher);
  EXPECT_NE(out.client->cipher.find("ECDHE"), std::string::npos) << out.client->cipher;
  bool const aead = out.client->cipher.find("GCM") != std::string::npos ||
                    out.client->cipher.find("CHACHA20_POLY1305") != std::string::npos;
  EXPECT_TRUE(aead) << out.client->cipher;
  EXPECT_EQ(out.client->peer_chain_der.size(), 1u);
  EXPECT_EQ(out.server_got, "ping");
  EXPECT_EQ(out.client_got, "pong");
}

TEST(TlsStream, WrongNameIsRecordedAsHostMismatch) {
  // [STS-4.2-02] the reference identity is the MX host dialled, not any other name.
  auto out = handshake_pair(server_config(leaf_for({"mx2.example.test"})),
                            client_config("mx1.example.test", verify_mode::record));
  ASSERT_TRUE(out.client) << out.client.error().message();
  auto const& v = out.client->verify;
  EXPECT_TRUE(v.trusted);
  EXPECT_FALSE(v.name_matched);
  EXPECT_FALSE(v.pkix_ok());
  EXPECT_EQ(v.result_type, tlsrpt_result_type::certificate_host_mismatch);  // RPT-4.3-02
  EXPECT_EQ(out.server_got, "ping");  // record mode: the session still carries data
}

TEST(TlsStream, WrongNameAbortsHandshakeWithBadCertificateInRequireMode) {
  auto out = handshake_pair(server_config(leaf_for({"mx2.example.test"})), client_config("mx1.example.test"));
  ASSERT_FALSE(out.client);
  EXPECT_EQ(out.client.error().code, make_error_code(errc::certificate_host_mismatch));
  EXPECT_EQ(out.client.error().requirement, "STS-4.2-02");
  EXPECT_EQ(mx_result_type(out.client.error().code), tlsrpt_result_type::certificate_host_mismatch);
  // [stack.md pitfall 5] the server sees the client's fatal alert 42.
  ASSERT_FALSE(out.server);
  EXPECT_EQ(out.server.error().code, make_error_code(errc::alert_received));
  EXPECT_NE(out.server.error().detail.find("bad_certificate"), std::string::npos) << out.server.error().detail;
}

TEST(TlsStream, CnOnlyCertificateNeverMatches) {
  // [STS-4.2-02][STS-3.3-02] no SAN dNSName: the CN is not used.
  auto out = handshake_pair(server_config(test_ca().issue(pki::cert_options::cn_only("mx.example.test"))),
                            client_config("mx.example.test", verify_mode::record));
  ASSERT_TRUE(out.client) << out.client.error().message();
  EXPECT_TRUE(out.client->verify.trusted);
  EXPECT_TRUE(out.client->verify.dns_ids.empty());
  EXPECT_FALSE(out.client->verify.name_matched);
  EXPECT_EQ(out.client->verify.result_type, tlsrpt_result_type::certificate_host_mismatch);
}

TEST(TlsStream, ExpiredCertificateIsRecorded) {
  // [STS-4.2-01] "MUST not be expired" → certificate-expired (RPT-4.3-03, X-12).
  auto out = handshake_pair(server_config(test_ca().issue(pki::cert_options::expired({"mx.example.test"}))),
                            client_config("mx.example.test", verify_mode::record));
  ASSERT_TRUE(out.client) << out.client.error().message();
  EXPECT_TRUE(out.client->verify.trusted);
  EXPECT_TRUE(out.client->verify.expired);
  EXPECT_TRUE(out.client->verify.name_matched);
  EXPECT_EQ(out.client->verify.result_type, tlsrpt_result_type::certificate_expired);
}

TEST(TlsStream, ExpiredCertificateAbortsInRequireMode) {
  auto out = handshake_pair(server_config(test_ca().issue(pki::cert_options::expired({"mx.example.test"}))),
                            client_config("mx.example.test"));
  ASSERT_FALSE(out.client);
  EXPECT_EQ(out.client.error().code, make_error_code(errc::certificate_expired));
  EXPECT_EQ(out.client.error().requirement, "STS-4.2-01");
  EXPECT_EQ(mx_result_type(out.client.error().code), tlsrpt_result_type::certificate_expired);
}

TEST(TlsStream, NotYetValidCertificateIsAValidationFailure) {
  // [RPT-4.3-15] not-yet-valid has no result type of its own.
  auto out = handshake_pair(server_config(test_ca().issue(pki::cert_options::not_yet_valid({"mx.example.test"}))),
                            client_config("mx.example.test", verify_mode::record));
  ASSERT_TRUE(out.client) << out.client.error().message();
  EXPECT_TRUE(out.client->verify.not_yet_valid);
  EXPECT_FALSE(out.client->verify.expired);
  EXPECT_FALSE(out.client->verify.pkix_ok());
  EXPECT_EQ(out.client->verify.result_type, tlsrpt_result_type::validation_failure);
}

TEST(TlsStream, UntrustedCaIsRecorded) {
  // [STS-4.2-01] must chain to a trusted root → certificate-not-trusted (RPT-4.3-04).
  auto out = handshake_pair(server_config(other_ca().issue(pki::cert_options::valid({"mx.example.test"}))),
                            client_config("mx.example.test", verify_mode::record));
  ASSERT_TRUE(out.client) << out.client.error().message();
  EXPECT_FALSE(out.client->verify.trusted);
  EXPECT_TRUE(out.client->verify.name_matched);
  EXPECT_EQ(out.client->verify.result_type, tlsrpt_result_type::certificate_not_trusted);
}

TEST(TlsStream, SelfSignedCertificateIsNotTrustedAndAbortsInRequireMode) {
  // self-signed → certificate-not-trusted (RPT-4.3-04).
  auto out = handshake_pair(server_config(pki::self_signed(pki::cert_options::valid({"mx.example.test"}))),
                            client_config("mx.example.test"));
  ASSERT_FALSE(out.client);
  EXPECT_EQ(out.client.error().code, make_error_code(errc::certificate_not_trusted));
  EXPECT_FALSE(out.client.error().detail.empty());
}

TEST(TlsStream, WildcardCertificateMatchesExactlyOneLabel) {
  // [NAME-6.4.3-02][STS-3.3-02] "*.example.test" covers mx.example.test, not a.mx.example.test
  // and not example.test.
  auto leaf = leaf_for({"*.example.test"});
  struct row {
    char const* host;
    bool matched;
  };
  for (auto const& r : {row{"mx.example.test", true}, row{"a.mx.example.test", false}, row{"example.test", false}}) {
    auto out = handshake_pair(server_config(leaf), client_config(r.host, verify_mode::record));
    ASSERT_TRUE(out.client) << r.host << ": " << out.client.error().message();
    EXPECT_EQ(out.client->verify.name_matched, r.matched) << r.host;
  }
}

TEST(TlsStream, IntermediateChainIsVerified) {
  auto intermediate = test_ca().create_intermediate("mxtls net test intermediate");
  auto leaf = intermediate.issue(pki::cert_options::valid({"mx.example.test"}));
  auto out = handshake_pair(server_config(leaf), client_config("mx.example.test"));
  ASSERT_TRUE(out.client) << out.client.error().message();
  EXPECT_TRUE(out.client->verify.pkix_ok());
  EXPECT_EQ(out.client->peer_chain_der.size(), 2u);
}

TEST(TlsStream, ServerReceivesTheSniTheClientSends) {
  // [STS-7.1-03] the client sends the MX host name as SNI.
  auto out = handshake_pair(server_config(leaf_for({"mx.example.test"})), client_config("mx.example.test"));
  ASSERT_TRUE(out.server) << out.server.error().message();
  EXPECT_EQ(out.server->sni, "mx.example.test");
  EXPECT_EQ(out.client->sni, "mx.example.test");
}

TEST(TlsStream, ServerSelectsTheChainMatchingSni) {
  auto a = leaf_for({"a.example.test"});
  auto b = leaf_for({"b.example.test"});
  auto fallback = leaf_for({"fallback.example.test"});
  tls_config server;
  server.role = tls_role::server;
  server.chains = {a.as_server_chain({"a.example.test"}), b.as_server_chain({"*.b-domain.test", "b.example.test"}),
                   fallback.as_server_chain()};
  auto out = handshake_pair(server, client_config("b.example.test"));
  ASSERT_TRUE(out.client) << out.client.error().message();
  EXPECT_EQ(out.client->verify.dns_ids, std::vector<std::string>{"b.example.test"});
  // An unknown SNI gets the fallback chain, never an abort [STS-7.1-05][DANE-8.1-02].
  auto unknown = client_config("unknown.example.test", verify_mode::record);
  auto out2 = handshake_pair(server, unknown);
  ASSERT_TRUE(out2.client) << out2.client.error().message();
  EXPECT_EQ(out2.client->verify.dns_ids, std::vector<std::string>{"fallback.example.test"});
  EXPECT_EQ(out2.server->sni, "unknown.example.test");
}

TEST(TlsStream, ClientWithoutSniGetsTheFallbackChain) {
  // [STS-7.1-05] servers MUST NOT require SNI and send a fallback chain.
  auto a = leaf_for({"a.example.test"});
  auto fallback = leaf_for({"fallback.example.test"});
  tls_config server;
  server.role = tls_role::server;
  server.chains = {a.as_server_chain({"a.example.test"}), fallback.as_server_chain()};
  auto client = client_config("");
  client.reference_identity = "fallback.example.test";
  auto out = handshake_pair(server, client);
  ASSERT_TRUE(out.client) << out.client.error().message();
  ASSERT_TRUE(out.server) << out.server.error().message();
  EXPECT_EQ(out.server->sni, "");
  EXPECT_TRUE(out.client->verify.pkix_ok());
  EXPECT_EQ(out.client->verify.dns_ids, std::vector<std::string>{"fallback.example.test"});
}

TEST(TlsStream, SniEnforcingServerFaultAbortsWithoutSni) {
  // The conformance world's faulty server (violates STS-7.1-05): no chain without SNI.
  auto server = server_config(leaf_for({"mx.example.test"}));
  server.chains.front().names = {"mx.example.test"};
  server.require_sni_match = true;
  auto client = client_config("");
  client.reference_identity = "mx.example.test";
  auto out = handshake_pair(server, client);
  EXPECT_FALSE(out.client);
  EXPECT_FALSE(out.server);
  // With the right SNI the same server works.
  auto ok = handshake_pair(server, client_config("mx.example.test"));
  EXPECT_TRUE(ok.client) << ok.client.error().message();
}

TEST(TlsStream, DaneHookAuthenticatesASelfSignedCertificate) {
  // [DANE-3.2-01][DANE-3.1.1-01] a matched DANE-EE record authenticates without PKIX.
  auto leaf = pki::self_signed(pki::cert_options::valid({"other-name.example.test"}));
  auto client = client_config("mx.example.test");
  int calls = 0;
  client.dane = [&](std::vector<std::vector<std::uint8_t>> const& chain) {
    ++calls;
    bool const match = !chain.empty() && chain.front() == leaf.cert_der;
    return dane_verdict{match ? dane_outcome::authenticated : dane_outcome::failed, match ? "" : "no match"};
  };
  auto out = handshake_pair(server_config(leaf), client);
  ASSERT_TRUE(out.client) << out.client.error().message();
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(out.client->verify.pkix_ok());
  ASSERT_TRUE(out.client->verify.dane.has_value());
  EXPECT_TRUE(out.client->verify.authenticated());
  EXPECT_FALSE(out.client->verify.trusted);
  EXPECT_EQ(out.client->verify.result_type, tlsrpt_result_type::none);
}

TEST(TlsStream, DaneFailureIsNeverOverriddenByValidPkix) {
  // [DANE-3.2-02][STS-2-01] usable TLSA records that do not match: no session.
  auto client = client_config("mx.example.test");
  client.dane = [](std::vector<std::vector<std::uint8_t>> const&) {
    return dane_verdict{dane_outcome::failed, "no TLSA record matches"};
  };
  auto out = handshake_pair(server_config(leaf_for({"mx.example.test"})), client);
  ASSERT_FALSE(out.client);
  EXPECT_EQ(out.client.error().code, make_error_code(errc::dane_mismatch));
  EXPECT_EQ(out.client.error().requirement, "DANE-3.2-02");
  EXPECT_EQ(mx_result_type(out.client.error().code), tlsrpt_result_type::tlsa_invalid);
  // In record mode the session is established but not authenticated.
  client.verify = verify_mode::record;
  auto recorded = handshake_pair(server_config(leaf_for({"mx.example.test"})), client);
  ASSERT_TRUE(recorded.client) << recorded.client.error().message();
  EXPECT_TRUE(recorded.client->verify.pkix_ok());
  EXPECT_FALSE(recorded.client->verify.authenticated());
  EXPECT_EQ(recorded.client->verify.result_type, tlsrpt_result_type::tlsa_invalid);
}

TEST(TlsStream, Tls11OnlyServerFailsTheHandshake) {
  // [STS-7.2-01] never below TLS 1.2.
  auto server = server_config(leaf_for({"mx.example.test"}));
  server.min_version = tls_version::tls1_0;
  server.max_version = tls_version::tls1_1;
  server.ciphers = {"AES-128"};
  auto out = handshake_pair(server, client_config("mx.example.test"));
  EXPECT_FALSE(out.client);
  EXPECT_FALSE(out.server);
  EXPECT_EQ(mx_result_type(out.client.error().code), tlsrpt_result_type::validation_failure);
}

TEST(TlsStream, HandshakeTimesOutAgainstASilentPeer) {
  auto client = client_config("mx.example.test");
  client.handshake_timeout = 200ms;
  auto ctx = make_context(client);
  run_async([&]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    tls_stream cs(std::move(c), ctx);
    auto const start = std::chrono::steady_clock::now();
    auto r = co_await cs.async_handshake();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    CO_ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, make_error_code(errc::handshake_timeout));
    EXPECT_FALSE(cs.is_established());
  });
}

TEST(TlsStream, PlaintextPeerFailsTheHandshake) {
  // An SMTP server answering the ClientHello with a plaintext reply.
  auto ctx = make_context(client_config("mx.example.test"));
  run_async([&]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    tls_stream cs(std::move(c), ctx);
    co_await asio::async_write(s, asio::buffer(std::string_view("500 what?\r\n")), asio::use_awaitable);
    auto r = co_await cs.async_handshake();
    CO_ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, make_error_code(errc::handshake_failed)) << r.error().message();
  });
}

TEST(TlsStream, StartTlsUpgradeAfterPlaintextLines) {
  // RFC 3207: plaintext dialogue, then both sides wrap the same sockets.
  auto sctx = make_context(server_config(leaf_for({"mx.example.test"})));
  auto cctx = make_context(client_config("mx.example.test"));
  run_async([&]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    line_reader<tcp::socket> sr(s, 512), cr(c, 512);
    co_await write_all(s, std::string_view("220 mx.example.test ESMTP\r\n"), 5s);
    EXPECT_EQ((co_await cr.read_line(5s)).line, "220 mx.example.test ESMTP");
    co_await write_all(c, std::string_view("STARTTLS\r\n"), 5s);
    EXPECT_EQ((co_await sr.read_line(5s)).line, "STARTTLS");
    co_await write_all(s, std::string_view("220 2.0.0 go ahead\r\n"), 5s);
    EXPECT_EQ((co_await cr.read_line(5s)).line, "220 2.0.0 go ahead");
    // [TLS-4-10][TLS-4-11] nothing pipelined on either side: the cores may upgrade.
    EXPECT_TRUE(sr.buffered().empty());
    EXPECT_TRUE(cr.buffered().empty());
    tls_stream cs(std::move(c), cctx);
    tls_stream ss(std::move(s), sctx);
    auto [chs, shs] = co_await (cs.async_handshake() && ss.async_handshake());
    CO_ASSERT_TRUE(chs);
    CO_ASSERT_TRUE(shs);
    line_reader<tls_stream> str(ss, 512), ctr(cs, 512);
    co_await write_all(cs, std::string_view("EHLO client.example.test\r\n"), 5s);
    EXPECT_EQ((co_await str.read_line(5s)).line, "EHLO client.example.test");
    co_await write_all(ss, std::string_view("250-mx.example.test\r\n250 8BITMIME\r\n"), 5s);
    EXPECT_EQ((co_await ctr.read_line(5s)).line, "250-mx.example.test");
    EXPECT_EQ((co_await ctr.read_line(5s)).line, "250 8BITMIME");
  });
}

TEST(TlsStream, LargeTransfersInBothDirectionsAtOnce) {
  // One read and one write outstanding on each side at the same time.
  auto sctx = make_context(server_config(leaf_for({"mx.example.test"})));
  auto cctx = make_context(client_config("mx.example.test"));
  run_async([&]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    tls_stream cs(std::move(c), cctx);
    tls_stream ss(std::move(s), sctx);
    auto [chs, shs] = co_await (cs.async_handshake() && ss.async_handshake());
    CO_ASSERT_TRUE(chs && shs);
    std::string up(1 << 20, '\0'), down(1 << 20, '\0');
    for (std::size_t i = 0; i < up.size(); ++i) {
      up[i] = static_cast<char>('a' + i % 26);
      down[i] = static_cast<char>('A' + i % 23);
    }
    std::string got_up(up.size(), '\0'), got_down(down.size(), '\0');
    auto [e1, e2, e3, e4] = co_await (write_buf(cs, up) && write_buf(ss, down) && read_buf(ss, got_up) &&
                                      read_buf(cs, got_down));
    EXPECT_FALSE(e1);
    EXPECT_FALSE(e2);
    EXPECT_FALSE(e3);
    EXPECT_FALSE(e4);
    EXPECT_TRUE(got_up == up);
    EXPECT_TRUE(got_down == down);
  });
}

TEST(TlsStream, CloseNotifyGivesEofAndTruncationIsAnError) {
  auto sctx = make_context(server_config(leaf_for({"mx.example.test"})));
  auto cctx = make_context(client_config("mx.example.test"));
  run_async([&]() -> asio::awaitable<void> {
    auto t = asio::as_tuple(asio::use_awaitable);
    {
      auto [c, s] = co_await socket_pair();
      tls_stream cs(std::move(c), cctx);
      tls_stream ss(std::move(s), sctx);
      auto [chs, shs] = co_await (cs.async_handshake() && ss.async_handshake());
      CO_ASSERT_TRUE(chs && shs);
      co_await ss.async_shutdown();
      char b[16];
      auto [ec, n] = co_await cs.async_read_some(asio::buffer(b), t);
      EXPECT_EQ(ec, asio::error::eof);
      EXPECT_EQ(n, 0u);
    }
    {
      auto [c, s] = co_await socket_pair();
      tls_stream cs(std::move(c), cctx);
      tls_stream ss(std::move(s), sctx);
      auto [chs, shs] = co_await (cs.async_handshake() && ss.async_handshake());
      CO_ASSERT_TRUE(chs && shs);
      ss.next_layer().close();  // no close_notify
      char b[16];
      auto [ec, n] = co_await cs.async_read_some(asio::buffer(b), t);
      EXPECT_EQ(ec, make_error_code(errc::stream_truncated));
      (void)n;
      // The stream is unusable afterwards.
      auto [ec2, n2] = co_await cs.async_write_some(asio::buffer("x", 1), t);
      EXPECT_TRUE(ec2);
      EXPECT_EQ(n2, 0u);
    }
  });
}

TEST(TlsStream, LineDeadlineCancelsAPendingTlsReadAndTheSessionSurvives) {
  // An SMTP timeout on a TLS session: the pending read is cancelled, nothing is lost, and
  // the next command is read normally.
  auto sctx = make_context(server_config(leaf_for({"mx.example.test"})));
  auto cctx = make_context(client_config("mx.example.test"));
  run_async([&]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    tls_stream cs(std::move(c), cctx);
    tls_stream ss(std::move(s), sctx);
    auto [chs, shs] = co_await (cs.async_handshake() && ss.async_handshake());
    CO_ASSERT_TRUE(chs && shs);
    line_reader<tls_stream> reader(ss, 512);
    co_await write_all(cs, std::string_view("NOOP"), 5s);
    auto const start = std::chrono::steady_clock::now();
    auto l1 = co_await reader.read_line(100ms);
    EXPECT_EQ(l1.status, line_status::timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_TRUE(ss.is_established());
    co_await write_all(cs, std::string_view("\r\nQUIT\r\n"), 5s);
    EXPECT_EQ((co_await reader.read_line(5s)).line, "NOOP");
    EXPECT_EQ((co_await reader.read_line(5s)).line, "QUIT");
  });
}

TEST(TlsStream, ReadBeforeHandshakeIsNotConnected) {
  auto cctx = make_context(client_config("mx.example.test"));
  run_async([&]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    tls_stream cs(std::move(c), cctx);
    char b[4];
    auto [ec, n] = co_await cs.async_read_some(asio::buffer(b), asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, make_error_code(errc::not_connected));
    EXPECT_EQ(n, 0u);
  });
}

TEST(TlsContext, RejectsIncompleteOrBrokenConfiguration) {
  tls_config server;
  server.role = tls_role::server;
  auto r = tls_context::create(server);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, make_error_code(errc::config_invalid));

  server.chains.push_back(server_chain{{}, "not a PEM", "not a key", {}, {}});
  r = tls_context::create(server);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, make_error_code(errc::pem_invalid));

  auto a = leaf_for({"a.example.test"});
  auto b = leaf_for({"b.example.test"});
  server.chains = {server_chain{{}, a.chain_pem, b.key_pem, {}, {}}};
  r = tls_context::create(server);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, make_error_code(errc::config_invalid));

  tls_config client;
  client.system_trust = false;
  client.ca_file = "/nonexistent/mxtls-ca.pem";
  r = tls_context::create(client);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, make_error_code(errc::trust_store_unavailable));

  client.ca_file.clear();
  client.groups = {"no-such-group"};
  r = tls_context::create(client);
  EXPECT_FALSE(r);
}

TEST(TlsContext, SystemTrustStoreLoads) {
  tls_config client;
  client.sni = "mx.example.test";
  auto r = tls_context::create(client);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ((*r)->config().reference_identity, "mx.example.test");
  // A private CA's leaf is not trusted by the system store.
  auto leaf = leaf_for({"mx.example.test"});
  auto v = verify_chain(**r, *pem_to_der_chain(leaf.chain_pem), "mx.example.test");
  EXPECT_FALSE(v.trusted);
  EXPECT_TRUE(v.name_matched);
}

}  // namespace
}  // namespace mxtls::net::test
