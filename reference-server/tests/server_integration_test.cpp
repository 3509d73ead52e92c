// Integration tests of the real mxtls-serve process on loopback (ephemeral ports): the
// STARTTLS injection attempt, slowloris and silent clients, 10,000 malformed commands,
// 1,000 concurrent idle connections, connection limits, over-long lines, kill -9 after a
// 250, the SIGTERM drain, and plaintext on the implicit-TLS port. Each test starts and
// stops its own server. TLS-level cases are in integration/clients.sh (swaks, openssl).
#include "server_process.hpp"

#include "mxtls/net/pki.hpp"

#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/resource.h>

#include <memory>

namespace mxtls::server::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> list_dir(std::string const& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (auto* e = ::readdir(d))
      if (e->d_name[0] != '.') names.emplace_back(e->d_name);
    ::closedir(d);
  }
  return names;
}

class ServerIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new temp_dir;
    auto root = net::pki::authority::create_root("mxtls-serve test CA");
    auto leaf = root.issue(net::pki::cert_options::valid({"smtps-mx.example.org"}));
    ASSERT_TRUE(leaf.write(dir_->path, "server"));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  /// Starts a server with a fresh Maildir; `extra` are more flags.
  std::unique_ptr<server_process> start(std::vector<std::string> extra = {}) {
    maildir_ = dir_->path + "/Maildir-" + std::to_string(++serial_);
    std::vector<std::string> args = {"--hostname", "smtps-mx.example.org", "--domain", "example.org",
                                     "--cert", dir_->path + "/server.chain.pem", "--key",
                                     dir_->path + "/server.key", "--maildir", maildir_, "--listen",
                                     "127.0.0.1:0", "--listen-implicit", "127.0.0.1:0", "--strict-tls",
                                     "strict-tls=*.example.org; max-age=86400", "--drain-grace", "3s"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<server_process>(MXTLS_SERVE_BINARY, args,
                                            dir_->path + "/log-" + std::to_string(serial_));
  }

  static client greeted(server_process const& s) {
    client c(s.starttls_port);
    auto const g = c.reply();
    EXPECT_EQ(g.rfind("220 smtps-mx.example.org ", 0), 0u) << g;
    return c;
  }

  static inline temp_dir* dir_ = nullptr;
  static inline int serial_ = 0;
  std::string maildir_;
};

// [TLS-4-10] CVE-2011-0411: "STARTTLS\r\nRSET\r\n" in one write. The server discards the
// pipelined RSET, refuses TLS and closes; the RSET is never answered, in or out of TLS.
TEST_F(ServerIntegration, StarttlsInjectionIsNeverExecuted) {
  auto s = start();
  auto c = greeted(*s);
  c.send("EHLO attacker.example\r\n");
  EXPECT_NE(c.reply().find("250-STARTTLS"), std::string::npos);
  c.send("STARTTLS\r\nRSET\r\n");
  auto const r = c.reply();
  EXPECT_EQ(r.rfind("554 5.5.0", 0), 0u) << r;
  EXPECT_TRUE(c.closed_within(5s));
  EXPECT_NE(s->log().find("event=starttls_injection discarded=6"), std::string::npos);
}

// [SMTP-4.5.3.2.7-01] a client trickling one octet every 200 ms never completes a command
// within timeout_command and is dropped with 421 4.4.2; so is a silent one.
TEST_F(ServerIntegration, SlowlorisAndSilentClientsAreDropped) {
  auto s = start({"--timeout-command", "1s"});
  auto const t0 = std::chrono::steady_clock::now();
  auto slow = greeted(*s);
  auto silent = greeted(*s);
  std::string const drip = "EHLO slow.example.with.a.long.name\r\n";
  std::string got;
  for (char ch : drip) {
    if (!slow.send(std::string(1, ch))) break;
    got = slow.read_until("421", 200ms);
    if (!got.empty()) break;
  }
  if (got.empty()) got = slow.read_until("421", 3s);
  auto const elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_NE(got.find("421 4.4.2 smtps-mx.example.org Timeout"), std::string::npos) << got;
  EXPECT_LT(elapsed, 3s);
  EXPECT_TRUE(slow.closed_within(2s));
  EXPECT_NE(silent.read_until("421", 3s).find("421 4.4.2"), std::string::npos);
  EXPECT_TRUE(silent.closed_within(2s));
}

// 10,000 malformed commands over 10 connections (unknown verbs, bad syntax, bare LF,
// over-long lines) get 10,000 error replies in bounded time, and the server stays usable.
TEST_F(ServerIntegration, TenThousandMalformedCommandsInBoundedTime) {
  auto s = start({"--max-errors", "100000"});
  std::vector<std::string> const junk = {"FOO\r\n", "MAIL FROM:<>\r\n", "RCPT TO:<a@\r\n", "EHLO\r\n",
                                         "NOOP\nRSET\r\n", std::string(700, 'X') + "\r\n", "\x01\x02\r\n",
                                         "MAIL FROM: <a b>\r\n", "DATA extra\r\n", "STARTTLS x\r\n"};
  auto const t0 = std::chrono::steady_clock::now();
  std::vector<client> clients;
  for (int i = 0; i < 10; ++i) clients.push_back(greeted(*s));
  for (auto& c : clients) {
    std::string batch;
    for (int k = 0; k < 1000; ++k) batch += junk[static_cast<std::size_t>(k) % junk.size()];
    ASSERT_TRUE(c.send(batch));
  }
  int errors = 0;
  for (auto& c : clients) {
    for (int k = 0; k < 1000; ++k) {
      auto const r = c.reply(10s);
      ASSERT_FALSE(r.empty()) << "reply " << k;
      if (r[0] == '5') ++errors;
    }
    c.send("NOOP\r\n");
    EXPECT_EQ(c.reply(), "250 2.0.0 Ok\r\n");
  }
  EXPECT_EQ(errors, 10000);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s);
}

// After max_errors (default 10) error replies: 421 and close.
TEST_F(ServerIntegration, ErrorLimitClosesTheSession) {
  auto s = start();
  auto c = greeted(*s);
  std::string batch;
  for (int i = 0; i < 12; ++i) batch += "BOGUS\r\n";
  c.send(batch);
  auto const all = c.read_until("421", 5s);
  EXPECT_NE(all.find("421 4.7.0 smtps-mx.example.org Too many errors"), std::string::npos) << all;
  EXPECT_TRUE(c.closed_within(5s));
}

// [SMTP-4.5.3.1.4-01] over-long command line → 500 5.5.2; [SMTP-4.5.3.1.6-01] over-long
// text line → 554 5.6.0 at the end of data; the session goes on after both.
TEST_F(ServerIntegration, OverlongLinesGet500SeriesReplies) {
  auto s = start();
  auto c = greeted(*s);
  c.send("EHLO c.example\r\n");
  c.reply();
  c.send(std::string(5000, 'A') + "\r\n");
  EXPECT_EQ(c.reply().rfind("500 5.5.2 Line too long", 0), 0u);
  c.send("MAIL FROM:<a@c.example>\r\nRCPT TO:<u@example.org>\r\nDATA\r\n");
  EXPECT_EQ(c.reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c.reply(), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c.reply().substr(0, 3), "354");
  c.send("Subject: x\r\n\r\n" + std::string(3000, 'b') + "\r\n.\r\n");
  EXPECT_EQ(c.reply().rfind("554 5.6.0", 0), 0u);
  c.send("NOOP\r\n");
  EXPECT_EQ(c.reply(), "250 2.0.0 Ok\r\n");
  EXPECT_TRUE(list_dir(maildir_ + "/new").empty());
}

// 1,000 concurrent idle connections: all greeted, the server still answers a new client
// at once, and its memory per idle connection is recorded.
TEST_F(ServerIntegration, ThousandIdleConnectionsAndStillResponsive) {
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < 4096) {
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 8192);
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  ASSERT_GE(rl.rlim_cur, 1100u) << "the fd limit is too low for this test";
  auto s = start({"--max-connections", "1500", "--max-connections-per-ip", "1200"});
  {
    auto warm = greeted(*s);  // the first session allocates the shared pools
  }
  std::this_thread::sleep_for(100ms);
  auto const rss_before = s->rss_kib();
  std::vector<client> idle;
  idle.reserve(1000);
  for (int i = 0; i < 1000; ++i) idle.emplace_back(s->starttls_port);
  for (auto& c : idle) ASSERT_EQ(c.reply().substr(0, 4), "220 ");
  auto const rss_after = s->rss_kib();
  double const per_conn_kib = static_cast<double>(rss_after - rss_before) / 1000.0;
  RecordProperty("rss_per_idle_connection_kib", std::to_string(per_conn_kib));
  std::printf("[ rss ] %ld KiB before, %ld KiB with 1000 idle connections: %.1f KiB each\n", rss_before, rss_after,
              per_conn_kib);
  EXPECT_LE(per_conn_kib, 64.0);

  auto const t0 = std::chrono::steady_clock::now();
  auto c = greeted(*s);
  c.send("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<u@example.org>\r\nDATA\r\n");
  for (int i = 0; i < 4; ++i) c.reply();
  c.send("Subject: busy\r\n\r\nhello\r\n.\r\n");
  EXPECT_EQ(c.reply().rfind("250 2.0.0 Ok", 0), 0u);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(s->log().find("event=refused"), std::string::npos);
}

// Connections beyond max_connections_per_ip get 421 4.7.0 and are closed.
TEST_F(ServerIntegration, PerAddressLimitRefusesWith421) {
  auto s = start({"--max-connections-per-ip", "3"});
  std::vector<client> ok;
  for (int i = 0; i < 3; ++i) ok.push_back(greeted(*s));
  client extra(s->starttls_port);
  auto const r = extra.reply();
  EXPECT_EQ(r.rfind("421 4.7.0 smtps-mx.example.org Too many connections", 0), 0u) << r;
  EXPECT_TRUE(extra.closed_within(5s));
  ok.clear();
  std::this_thread::sleep_for(200ms);
  auto again = greeted(*s);  // the slots are free again
}

// A message acknowledged with 250 is in new/ even when the server is killed with
// SIGKILL right after the reply: the 250 follows fsync of the file and of new/.
TEST_F(ServerIntegration, MessageAcknowledgedSurvivesKill9) {
  auto s = start();
  auto c = greeted(*s);
  c.send("EHLO c.example\r\n");
  c.reply();
  std::vector<std::string> stored;
  for (int i = 0; i < 10; ++i) {
    c.send("MAIL FROM:<a@c.example>\r\nRCPT TO:<u@example.org>\r\nDATA\r\n");
    c.reply();
    c.reply();
    c.reply();
    c.send("Subject: durable " + std::to_string(i) + "\r\n\r\nbody " + std::to_string(i) + "\r\n.\r\n");
    auto const r = c.reply();
    ASSERT_EQ(r.rfind("250 2.0.0 Ok: queued as ", 0), 0u) << r;
    stored.push_back(r.substr(24, r.size() - 26));
  }
  EXPECT_EQ(s->stop(SIGKILL), 128 + SIGKILL);
  for (std::size_t i = 0; i < stored.size(); ++i) {
    auto const text = read_file(maildir_ + "/new/" + stored[i]);
    EXPECT_NE(text.find("Received: from c.example ([127.0.0.1])"), std::string::npos) << stored[i];
    EXPECT_NE(text.find("body " + std::to_string(i) + "\n"), std::string::npos) << stored[i];
  }
}

// [SMTP-4.1.4-03] SIGTERM: no new connections; an idle session gets 421 4.3.2 at once; a
// transaction in progress completes (250), then 421; the server exits 0.
TEST_F(ServerIntegration, SigtermDrainsGracefully) {
  auto s = start();
  auto idle = greeted(*s);
  auto busy = greeted(*s);
  busy.send("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<u@example.org>\r\nDATA\r\n");
  for (int i = 0; i < 4; ++i) busy.reply();
  busy.send("Subject: in flight\r\n\r\n");
  std::this_thread::sleep_for(100ms);
  ::kill(s->pid(), SIGTERM);
  EXPECT_EQ(idle.reply(3s).rfind("421 4.3.2", 0), 0u);
  EXPECT_TRUE(idle.closed_within(2s));
  busy.send("last line\r\n.\r\n");
  EXPECT_EQ(busy.reply(3s).rfind("250 2.0.0 Ok", 0), 0u);
  EXPECT_EQ(busy.reply(3s).rfind("421 4.3.2", 0), 0u);
  EXPECT_EQ(s->stop(0, 10s), 0);  // signal 0: only wait for the exit
  EXPECT_EQ(list_dir(maildir_ + "/new").size(), 1u);
  EXPECT_NE(s->log().find("event=drained"), std::string::npos);
}

// [P26-03] plaintext on the implicit-TLS port: the handshake fails and the connection is
// closed without any SMTP byte.
TEST_F(ServerIntegration, PlaintextOnImplicitPortIsClosedWithoutReply) {
  auto s = start();
  client c(s->implicit_port);
  c.send("EHLO plain.example\r\n");
  auto const got = c.read_until("\n", 5s);
  EXPECT_EQ(got.find("220"), std::string::npos) << got;
  EXPECT_EQ(got.find("250"), std::string::npos) << got;
  EXPECT_TRUE(c.closed_within(5s));
}

}  // namespace
}  // namespace mxtls::server::test
