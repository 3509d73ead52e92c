// Unit tests of the sans-I/O session core of mxtls-serve: greeting and banner directive,
// EHLO lists, the STARTTLS boundary, sequencing, DATA transparency and every limit.
// Each test names the requirement IDs it checks.
#include "session.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mxtls::server {
namespace {

constexpr char const* directive = "strict-tls=*.example.org; max-age=86400";

session_settings make_settings() {
  session_settings s;
  s.hostname = "mx1.example.org";
  s.domains = {"example.org", "example.net"};
  s.strict_tls = directive;
  s.max_message_size = 10000;
  s.max_recipients = 100;
  s.max_errors = 10;
  return s;
}

/// Drives one session and keeps every byte sent, like the shell would.
struct driver {
  session_settings settings = make_settings();
  session core;
  std::string sent;
  next_step last = next_step::read;
  std::vector<std::string> delivered;

  explicit driver(listener_kind kind = listener_kind::starttls, session_settings s = make_settings())
      : settings(std::move(s)), core(settings, kind, "test-1", "192.0.2.7") {
    take(core.on_connected());
  }

  void take(output o) {
    sent += o.bytes;
    last = o.next;
    // Store every message as the shell would, and go on with pipelined input.
    while (last == next_step::deliver) {
      delivered.push_back(core.pending_message().content);
      auto more = core.on_delivered(true, "msg-" + std::to_string(delivered.size()));
      sent += more.bytes;
      last = more.next;
    }
  }
  /// Sends `bytes` and returns only the replies they produced.
  std::string send(std::string_view bytes) {
    auto const before = sent.size();
    take(core.on_bytes(bytes));
    return sent.substr(before);
  }
  std::string tls() {
    auto const before = sent.size();
    take(core.on_tls_established({"TLSv1.2", "ECDHE_RSA_WITH_AES_256_GCM_SHA384", "mx1.example.org"}));
    return sent.substr(before);
  }
  void ehlo_and_tls() {
    send("EHLO client.example.com\r\n");
    ASSERT_EQ(send("STARTTLS\r\n"), "220 2.0.0 Ready to start TLS\r\n");
    ASSERT_EQ(last, next_step::start_tls);
    tls();
  }
};

bool starts_with(std::string const& s, std::string_view p) { return s.rfind(p, 0) == 0; }
bool has_line(std::string const& s, std::string_view line) {
  return s.find(std::string(line) + "\r\n") != std::string::npos;
}

std::string first_line(std::string const& s) { return s.substr(0, s.find("\r\n")); }

// [BAN-16][BAN-02] the directive ends the plaintext greeting on the STARTTLS listener.
TEST(ServerSession, PlaintextGreetingCarriesTheDirectiveAtTheEnd) {
  driver d;
  EXPECT_EQ(d.sent, "220 mx1.example.org ESMTP mxtls-serve strict-tls=*.example.org; max-age=86400\r\n");
  EXPECT_EQ(d.last, next_step::read);
}

// [P26-02][P26-03][IMP-3-01] on the implicit-TLS listener nothing is sent before the
// handshake, and the greeting with the directive comes inside TLS [BAN-16].
TEST(ServerSession, ImplicitTlsGreetsOnlyInsideTls) {
  driver d(listener_kind::implicit_tls);
  EXPECT_EQ(d.sent, "");
  EXPECT_EQ(d.last, next_step::start_tls);
  EXPECT_EQ(d.tls(), "220 mx1.example.org ESMTP mxtls-serve strict-tls=*.example.org; max-age=86400\r\n");
  EXPECT_TRUE(d.core.tls_active());
}

// [IMP-3-03][P26-03] a failed implicit-TLS handshake closes without a reply.
TEST(ServerSession, FailedHandshakeCloses) {
  driver d(listener_kind::implicit_tls);
  auto out = d.core.on_tls_failed("alert");
  EXPECT_EQ(out.bytes, "");
  EXPECT_EQ(out.next, next_step::close);
}

// [TLS-3-01] STARTTLS offered in plaintext; [RTLS-2-01] REQUIRETLS not; [BAN-16] the
// directive is not in the plaintext EHLO reply (senders would ignore it, BAN-14).
TEST(ServerSession, PlaintextEhloOffersStarttlsButNotRequiretls) {
  driver d;
  auto r = d.send("EHLO client.example.com\r\n");
  EXPECT_EQ(first_line(r), "250-mx1.example.org Hello client.example.com");
  EXPECT_TRUE(has_line(r, "250-STARTTLS"));
  EXPECT_TRUE(has_line(r, "250-PIPELINING"));
  EXPECT_TRUE(has_line(r, "250-SIZE 10000"));
  EXPECT_TRUE(has_line(r, "250-8BITMIME"));
  EXPECT_TRUE(has_line(r, "250-ENHANCEDSTATUSCODES"));
  EXPECT_TRUE(has_line(r, "250 HELP"));
  EXPECT_EQ(r.find("REQUIRETLS"), std::string::npos);
}

// [BAN-16] the directive is on the first line of the post-TLS EHLO reply;
// [TLS-4.2-06] no STARTTLS after TLS; [RTLS-2-01] REQUIRETLS only after TLS.
TEST(ServerSession, PostTlsEhloCarriesDirectiveAndRequiretlsButNoStarttls) {
  driver d;
  d.ehlo_and_tls();
  auto r = d.send("EHLO client.example.com\r\n");
  EXPECT_EQ(first_line(r), std::string("250-mx1.example.org Hello client.example.com ") + directive);
  EXPECT_EQ(r.find("STARTTLS"), std::string::npos);
  EXPECT_TRUE(has_line(r, "250-REQUIRETLS"));
}

// [P26-04][IMP-3-02] the implicit-TLS port never advertises STARTTLS.
TEST(ServerSession, ImplicitTlsEhloNeverOffersStarttls) {
  driver d(listener_kind::implicit_tls);
  d.tls();
  auto r = d.send("EHLO client.example.com\r\n");
  EXPECT_EQ(r.find("STARTTLS"), std::string::npos);
  EXPECT_TRUE(has_line(r, "250-REQUIRETLS"));
  EXPECT_EQ(first_line(r), std::string("250-mx1.example.org Hello client.example.com ") + directive);
}

// No directive configured: no token anywhere.
TEST(ServerSession, NoDirectiveWhenNoneConfigured) {
  auto s = make_settings();
  s.strict_tls.clear();
  driver d(listener_kind::starttls, s);
  EXPECT_EQ(d.sent, "220 mx1.example.org ESMTP mxtls-serve\r\n");
  d.ehlo_and_tls();
  EXPECT_EQ(d.send("EHLO a.example\r\n").find("strict-tls"), std::string::npos);
}

// [TLS-4-02] STARTTLS with a parameter is 501 and TLS does not start.
TEST(ServerSession, StarttlsWithParameterIs501) {
  driver d;
  d.send("EHLO client.example.com\r\n");
  auto r = d.send("STARTTLS now\r\n");
  EXPECT_TRUE(starts_with(r, "501 ")) << r;
  EXPECT_EQ(d.last, next_step::read);
}

// [TLS-4-10] CVE-2011-0411: a command pipelined behind STARTTLS is discarded, never run
// inside TLS; the server refuses TLS and closes.
TEST(ServerSession, CommandPipelinedBehindStarttlsIsDiscardedAndTlsRefused) {
  driver d;
  d.send("EHLO client.example.com\r\n");
  auto r = d.send("STARTTLS\r\nRSET\r\n");
  EXPECT_EQ(r, "554 5.5.0 Commands pipelined after STARTTLS discarded, closing connection [TLS-4-10]\r\n");
  EXPECT_EQ(d.last, next_step::close);
  EXPECT_EQ(d.core.buffered(), 0u);
  EXPECT_FALSE(d.core.tls_active());
}

// [TLS-4-10] even a partial line behind STARTTLS counts.
TEST(ServerSession, PartialBytesBehindStarttlsAlsoRefuseTls) {
  driver d;
  d.send("EHLO client.example.com\r\n");
  auto r = d.send("STARTTLS\r\nMAIL");
  EXPECT_TRUE(starts_with(r, "554 5.5.0")) << r;
  EXPECT_EQ(d.last, next_step::close);
}

// [TLS-4.2-08] a second STARTTLS (inside TLS) is 503 and the session goes on.
TEST(ServerSession, SecondStarttlsIs503) {
  driver d;
  d.ehlo_and_tls();
  d.send("EHLO client.example.com\r\n");
  auto r = d.send("STARTTLS\r\n");
  EXPECT_EQ(r, "503 5.5.1 TLS already active [TLS-4.2-08]\r\n");
  EXPECT_EQ(d.last, next_step::read);
  EXPECT_EQ(d.send("NOOP\r\n"), "250 2.0.0 Ok\r\n");
}

// [P26-05][TLS-4.2-08] STARTTLS on the implicit-TLS port is 503 too.
TEST(ServerSession, StarttlsOnImplicitPortIs503) {
  driver d(listener_kind::implicit_tls);
  d.tls();
  d.send("EHLO client.example.com\r\n");
  EXPECT_EQ(d.send("STARTTLS\r\n"), "503 5.5.1 TLS already active [TLS-4.2-08]\r\n");
}

// [TLS-4-03] without a certificate STARTTLS is neither offered nor started.
TEST(ServerSession, StarttlsWithoutCertificateIs454) {
  auto s = make_settings();
  s.tls_available = false;
  driver d(listener_kind::starttls, s);
  EXPECT_EQ(d.send("EHLO a.example\r\n").find("STARTTLS"), std::string::npos);
  EXPECT_TRUE(starts_with(d.send("STARTTLS\r\n"), "454 4.7.0"));
}

// [TLS-4.2-01][TLS-4.2-02] after the handshake the session is back to its initial
// state: EHLO is required again and the plaintext EHLO name is forgotten.
TEST(ServerSession, TlsResetsStateAndRequiresEhloAgain) {
  driver d;
  d.ehlo_and_tls();
  EXPECT_EQ(d.send("MAIL FROM:<a@client.example.com>\r\n"), "503 5.5.1 Send EHLO or HELO first [SMTP-4.1.4-01]\r\n");
  d.send("EHLO other.example.com\r\n");
  d.send("MAIL FROM:<a@client.example.com>\r\nRCPT TO:<u@example.org>\r\nDATA\r\nhi\r\n.\r\n");
  ASSERT_EQ(d.delivered.size(), 1u);
}

// [TLS-4.2-02] the envelope records the post-TLS EHLO name and the TLS facts.
TEST(ServerSession, EnvelopeCarriesPostTlsHeloAndTlsFacts) {
  driver d;
  d.ehlo_and_tls();
  d.send("EHLO after.example.com\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<u@example.org>\r\nDATA\r\n");
  auto out = d.core.on_bytes("x\r\n.\r\n");
  ASSERT_EQ(out.next, next_step::deliver);
  auto const& e = d.core.pending_message();
  EXPECT_EQ(e.helo, "after.example.com");
  EXPECT_TRUE(e.tls);
  EXPECT_EQ(e.with, transport::esmtps);
  EXPECT_EQ(e.tls_info.version, "TLSv1.2");
  EXPECT_EQ(e.peer_address, "192.0.2.7");
  EXPECT_EQ(e.session_id, "test-1");
}

// [SMTP-4.5.2-02] dot-unstuffing and the end-of-data line; [SMTP-2920.3.2-01] pipelined
// commands are answered in order in one write.
TEST(ServerSession, PipelinedTransactionIsDeliveredDotUnstuffed) {
  driver d;
  d.send("EHLO client.example.com\r\n");
  auto r = d.send(
      "MAIL FROM:<sender@client.example.com> SIZE=100 BODY=8BITMIME\r\n"
      "RCPT TO:<user@example.org>\r\nRCPT TO:<User@EXAMPLE.NET>\r\nDATA\r\n"
      "Subject: t\r\n\r\n..leading dot\r\n..\r\nlast\r\n.\r\nNOOP\r\n");
  EXPECT_EQ(r,
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
            "250 2.0.0 Ok: queued as msg-1\r\n250 2.0.0 Ok\r\n");
  ASSERT_EQ(d.delivered.size(), 1u);
  EXPECT_EQ(d.delivered[0], "Subject: t\r\n\r\n.leading dot\r\n.\r\nlast\r\n");
}

// The envelope: null reverse-path, recipients as sent (local-part case preserved).
TEST(ServerSession, EnvelopeKeepsNullSenderAndRecipients) {
  driver d;
  d.send("EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<Bob@Example.org>\r\nDATA\r\n");
  auto out = d.core.on_bytes(".\r\n");
  ASSERT_EQ(out.next, next_step::deliver);
  EXPECT_EQ(d.core.pending_message().mail_from, "");
  ASSERT_EQ(d.core.pending_message().recipients.size(), 1u);
  EXPECT_EQ(d.core.pending_message().recipients[0], "Bob@Example.org");
  EXPECT_EQ(d.core.pending_message().content, "");
  EXPECT_FALSE(d.core.pending_message().tls);
  EXPECT_EQ(d.core.pending_message().with, transport::esmtp);
}

// The same transaction split at every byte gives the same replies and message
// (Beast's parsegrind).
TEST(ServerSession, AnyChunkingGivesTheSameResult) {
  std::string const input =
      "EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<u@example.org>\r\nDATA\r\n"
      "line 1\r\n..two\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n";
  driver whole;
  whole.send(input);
  ASSERT_EQ(whole.delivered.size(), 1u);
  for (std::size_t chunk = 1; chunk <= 7; ++chunk) {
    driver d;
    for (std::size_t i = 0; i < input.size(); i += chunk) d.send(std::string_view(input).substr(i, chunk));
    EXPECT_EQ(d.sent, whole.sent) << "chunk " << chunk;
    EXPECT_EQ(d.delivered, whole.delivered) << "chunk " << chunk;
  }
}

// Only configured domains: others are relaying [550 5.7.1].
TEST(ServerSession, RelayIsDenied) {
  driver d;
  d.send("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\n");
  EXPECT_EQ(d.send("RCPT TO:<u@elsewhere.example>\r\n"), "550 5.7.1 Relay access denied\r\n");
  EXPECT_EQ(d.send("RCPT TO:<u@[192.0.2.1]>\r\n"), "550 5.7.1 Relay access denied\r\n");
  EXPECT_EQ(d.send("RCPT TO:<postmaster@elsewhere.example>\r\n"), "550 5.7.1 Relay access denied\r\n");
  // A subdomain of a configured domain is another domain.
  EXPECT_EQ(d.send("RCPT TO:<u@sub.example.org>\r\n"), "550 5.7.1 Relay access denied\r\n");
}

// [SMTP-4.1.1.3-01] "<Postmaster>" without a domain is always accepted.
TEST(ServerSession, BarePostmasterIsAlwaysAccepted) {
  driver d;
  d.send("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\n");
  EXPECT_EQ(d.send("RCPT TO:<Postmaster>\r\n"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(d.send("RCPT TO:<postmaster@example.org>\r\n"), "250 2.1.5 Ok\r\n");
}

// [SMTP-4.5.3.1.8-01] 100 recipients accepted, the 101st gets 452 (not an error).
TEST(ServerSession, RecipientLimitIs452) {
  driver d;
  d.send("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\n");
  for (int i = 0; i < 100; ++i)
    ASSERT_EQ(d.send("RCPT TO:<u" + std::to_string(i) + "@example.org>\r\n"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(d.send("RCPT TO:<u100@example.org>\r\n"), "452 4.5.3 Too many recipients [SMTP-4.5.3.1.8-01]\r\n");
  EXPECT_EQ(d.core.error_count(), 0u);
}

// [SMTP-4.1.4-01] sequencing errors are 503 (DATA after MAIL without any accepted RCPT: 554).
TEST(ServerSession, OutOfSequenceCommandsAre503) {
  driver d;
  EXPECT_TRUE(starts_with(d.send("MAIL FROM:<a@c.example>\r\n"), "503 5.5.1"));
  d.send("EHLO c.example\r\n");
  EXPECT_TRUE(starts_with(d.send("RCPT TO:<u@example.org>\r\n"), "503 5.5.1"));
  EXPECT_TRUE(starts_with(d.send("DATA\r\n"), "503 5.5.1"));
  d.send("MAIL FROM:<a@c.example>\r\n");
  EXPECT_TRUE(starts_with(d.send("MAIL FROM:<a@c.example>\r\n"), "503 5.5.1"));
  EXPECT_TRUE(starts_with(d.send("DATA\r\n"), "554 5.5.1"));
  EXPECT_TRUE(starts_with(d.send("STARTTLS\r\n"), "503 5.5.1"));
}

// [SMTP-4.1.4-02] EHLO in the middle of a transaction resets it.
TEST(ServerSession, EhloResetsTheTransaction) {
  driver d;
  d.send("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<u@example.org>\r\nEHLO c.example\r\n");
  EXPECT_TRUE(starts_with(d.send("DATA\r\n"), "503 5.5.1"));
}

// [SMTP-4.1.1.5-01] RSET clears the transaction.
TEST(ServerSession, RsetClearsTheTransaction) {
  driver d;
  d.send("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<u@example.org>\r\n");
  EXPECT_EQ(d.send("RSET\r\n"), "250 2.0.0 Ok\r\n");
  EXPECT_TRUE(starts_with(d.send("DATA\r\n"), "503 5.5.1"));
  EXPECT_EQ(d.send("MAIL FROM:<a@c.example>\r\n"), "250 2.1.0 Ok\r\n");
}

// [SMTP-4.1.1.6-01][SMTP-4.1.1.8-01][SMTP-4.1.1.9-01][SMTP-4.1.1.10-01] the small commands.
TEST(ServerSession, VrfyExpnHelpNoopQuit) {
  driver d;
  EXPECT_TRUE(starts_with(d.send("VRFY someone\r\n"), "252 2.5.0"));
  EXPECT_TRUE(starts_with(d.send("EXPN list\r\n"), "502 5.5.1"));
  EXPECT_TRUE(starts_with(d.send("HELP\r\n"), "214 2.0.0"));
  EXPECT_EQ(d.send("NOOP\r\n"), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(d.send("QUIT\r\n"), "221 2.0.0 Bye\r\n");
  EXPECT_EQ(d.last, next_step::close);
  EXPECT_TRUE(d.core.closed());
}

// [SMTP-4.5.3.1.4-01] a command line above the limit gets one 500 5.5.2; the rest of the
// line is discarded and the next line is a command again.
TEST(ServerSession, OverlongCommandLineIs500AndResyncs) {
  driver d;
  auto r = d.send(std::string(600, 'A') + "\r\nNOOP\r\n");
  EXPECT_EQ(r, "500 5.5.2 Line too long (more than 512 octets) [SMTP-4.5.3.1.4-01]\r\n250 2.0.0 Ok\r\n");
}

// The same when the over-long line arrives without its CRLF for a long time: reported
// as soon as it cannot fit, and memory stays bounded.
TEST(ServerSession, OverlongPartialLineIsReportedOnceAndDropped) {
  driver d;
  std::string r;
  for (int i = 0; i < 100; ++i) r += d.send(std::string(100, 'B'));
  EXPECT_EQ(r, "500 5.5.2 Line too long (more than 512 octets) [SMTP-4.5.3.1.4-01]\r\n");
  EXPECT_LT(d.core.buffered(), 600u);
  EXPECT_EQ(d.send("\r\nNOOP\r\n"), "250 2.0.0 Ok\r\n");
}

// A command line of exactly 512 octets with CRLF is not too long.
TEST(ServerSession, CommandLineAtTheLimitIsAccepted) {
  driver d;
  std::string line = "NOOP " + std::string(505, 'x');
  ASSERT_EQ(line.size() + 2, 512u);
  EXPECT_EQ(d.send(line + "\r\n"), "250 2.0.0 Ok\r\n");
}

// [SMTP-4.5.3.1.6-01] a text line above 1000 octets: reading goes on to the end of the
// data, then 554 5.6.0 and nothing is delivered.
TEST(ServerSession, OverlongTextLineRejectsTheMessageAtEndOfData) {
  driver d;
  d.send("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<u@example.org>\r\nDATA\r\n");
  auto r = d.send(std::string(999, 'x') + "\r\n" + std::string(1200, 'y') + "\r\nmore\r\n.\r\nNOOP\r\n");
  EXPECT_EQ(r, "554 5.6.0 Message rejected: a text line is longer than 1000 octets [SMTP-4.5.3.1.6-01]\r\n"
               "250 2.0.0 Ok\r\n");
  EXPECT_TRUE(d.delivered.empty());
}

// A text line of exactly 1000 octets with CRLF is accepted.
TEST(ServerSession, TextLineAtTheLimitIsAccepted) {
  driver d;
  d.send("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<u@example.org>\r\nDATA\r\n");
  d.send(std::string(998, 'x') + "\r\n.\r\n");
  ASSERT_EQ(d.delivered.size(), 1u);
  EXPECT_EQ(d.delivered[0].size(), 1000u);
}

// [SMTP-1870.6-01] SIZE above the limit is 552 at MAIL; content above it 552 after DATA.
TEST(ServerSession, MessageSizeLimit) {
  driver d;
  d.send("EHLO c.example\r\n");
  EXPECT_TRUE(starts_with(d.send("MAIL FROM:<a@c.example> SIZE=10001\r\n"), "552 5.3.4"));
  d.send("MAIL FROM:<a@c.example> SIZE=100\r\nRCPT TO:<u@example.org>\r\nDATA\r\n");
  std::string body;
  for (int i = 0; i < 20; ++i) body += std::string(600, 'z') + "\r\n";
  EXPECT_TRUE(starts_with(d.send(body + ".\r\n"), "552 5.3.4"));
  EXPECT_TRUE(d.delivered.empty());
}

// [SMTP-2.3.8-02] a command line with a bare LF is refused, not executed.
TEST(ServerSession, BareLfInCommandIs500) {
  driver d;
  d.send("EHLO c.example\r\n");
  EXPECT_EQ(d.send("NOOP\nMAIL FROM:<a@c.example>\r\n"), "500 5.5.2 Bare CR or LF not allowed [SMTP-2.3.8-02]\r\n");
  EXPECT_TRUE(starts_with(d.send("RCPT TO:<u@example.org>\r\n"), "503"));
}

// [SMTP-4.1.1.4-02] SMTP smuggling: "\n.\n" and "\r.\r" do not end the data, and a
// message containing bare LF or CR is rejected after the real end of data.
TEST(ServerSession, BareLfDoesNotEndDataAndRejectsTheMessage) {
  driver d;
  d.send("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<u@example.org>\r\nDATA\r\n");
  auto r = d.send("hello\n.\nMAIL FROM:<evil@c.example>\r\n");
  EXPECT_EQ(r, "");
  r = d.send("x\r.\r\n.\r\n");
  EXPECT_EQ(r, "554 5.6.0 Message rejected: bare CR or LF in the content [SMTP-4.1.1.4-02]\r\n");
  EXPECT_TRUE(d.delivered.empty());
}

// [RTLS-2-03] REQUIRETLS on a plaintext session is 530 5.7.10; inside TLS it is recorded.
TEST(ServerSession, RequiretlsNeedsTls) {
  driver d;
  d.send("EHLO c.example\r\n");
  EXPECT_EQ(d.send("MAIL FROM:<a@c.example> REQUIRETLS\r\n"), "530 5.7.10 REQUIRETLS needs TLS [RTLS-2-03]\r\n");
  d.send("STARTTLS\r\n");
  d.tls();
  d.send("EHLO c.example\r\n");
  EXPECT_EQ(d.send("MAIL FROM:<a@c.example> REQUIRETLS\r\nRCPT TO:<u@example.org>\r\nDATA\r\n"),
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
  auto out = d.core.on_bytes(".\r\n");
  ASSERT_EQ(out.next, next_step::deliver);
  EXPECT_TRUE(d.core.pending_message().requiretls);
}

// [SMTP-4.1.2-05] unknown MAIL and any RCPT parameters are 555 5.5.4; with HELO none.
TEST(ServerSession, UnknownParametersAre555) {
  driver d;
  d.send("EHLO c.example\r\n");
  EXPECT_TRUE(starts_with(d.send("MAIL FROM:<a@c.example> XFOO=1\r\n"), "555 5.5.4"));
  EXPECT_TRUE(starts_with(d.send("MAIL FROM:<a@c.example> SMTPUTF8\r\n"), "555 5.5.4"));
  d.send("MAIL FROM:<a@c.example>\r\n");
  EXPECT_TRUE(starts_with(d.send("RCPT TO:<u@example.org> NOTIFY=NEVER\r\n"), "555 5.5.4"));
  driver h;
  h.send("HELO c.example\r\n");
  EXPECT_TRUE(starts_with(h.send("MAIL FROM:<a@c.example> SIZE=10\r\n"), "555 5.5.4"));
}

// Syntax errors come from the spec parser with its reply code and rule.
TEST(ServerSession, SyntaxErrorsUseTheParsersReplyCode) {
  driver d;
  EXPECT_TRUE(starts_with(d.send("FOO\r\n"), "500 5.5.2"));
  EXPECT_TRUE(starts_with(d.send("EHLO\r\n"), "501 "));
  d.send("EHLO c.example\r\n");
  EXPECT_TRUE(starts_with(d.send("MAIL FROM:a@c.example\r\n"), "501 "));
}

// After max_errors error replies the session gets 421 and is closed.
TEST(ServerSession, TooManyErrorsCloseWith421) {
  driver d;
  std::string r;
  for (int i = 0; i < 9; ++i) r += d.send("BOGUS\r\n");
  EXPECT_EQ(d.last, next_step::read);
  r = d.send("BOGUS\r\nNOOP\r\n");
  EXPECT_TRUE(r.find("421 4.7.0 mx1.example.org Too many errors") != std::string::npos) << r;
  EXPECT_EQ(r.find("250 2.0.0 Ok"), std::string::npos);
  EXPECT_EQ(d.last, next_step::close);
}

// A failed store is a transient 451 and the session continues.
TEST(ServerSession, FailedDeliveryIs451) {
  driver d;
  d.send("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<u@example.org>\r\nDATA\r\n");
  auto out = d.core.on_bytes("x\r\n.\r\nNOOP\r\n");
  ASSERT_EQ(out.next, next_step::deliver);
  auto after = d.core.on_delivered(false, "disk full");
  EXPECT_EQ(after.bytes, "451 4.3.0 Local error in processing, try again later\r\n250 2.0.0 Ok\r\n");
}

// [SMTP-4.5.3.2.7-01] a timeout is 421 4.4.2 and close; shutdown is 421 4.3.2.
TEST(ServerSession, TimeoutAndShutdownAre421) {
  driver d;
  auto t = d.core.on_timeout("command");
  EXPECT_TRUE(starts_with(t.bytes, "421 4.4.2 mx1.example.org"));
  EXPECT_EQ(t.next, next_step::close);
  driver s;
  auto x = s.core.on_shutdown();
  EXPECT_TRUE(starts_with(x.bytes, "421 4.3.2 mx1.example.org"));
  EXPECT_EQ(x.next, next_step::close);
}

// Every event line the core asks the shell to log is key=value, starting with event=.
TEST(ServerSession, EventsAreKeyValue) {
  driver d;
  auto out = d.core.on_bytes("EHLO c.example\r\nMAIL FROM:<a b@c.example>\r\n");
  ASSERT_FALSE(out.events.empty());
  for (auto const& e : out.events) EXPECT_TRUE(starts_with(e, "event=")) << e;
}

}  // namespace
}  // namespace mxtls::server
