// mxtls-loadgen: the SMTP load generator of scripts/bench-server.sh. N concurrent sessions,
// each: greeting, EHLO, STARTTLS (net::tls_stream, certificate verified against --ca),
// EHLO, then M messages (MAIL/RCPT/DATA pipelined, then the content), QUIT. Reports
// messages/s, latency percentiles per message and the server's RSS (/proc/PID/status).
// --idle N instead opens N plaintext connections, waits for their greetings and reports
// the server's RSS growth per idle connection.
#include "mxtls/net/tls.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct options {
  std::string host = "127.0.0.1";
  unsigned short port = 25;
  unsigned sessions = 10;
  unsigned messages = 100;
  std::size_t size = 2048;
  std::string ca_file;
  std::string sni;
  std::string from = "loadgen@client.example.com";
  std::string rcpt = "user@example.org";
  bool tls = true;
  int pid = 0;
  unsigned idle = 0;
};

long read_status_kib(int pid, char const* field) {
  if (pid <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::string(field).size());
  return -1;
}

/// Sum of VmRSS over `pid` and its children (Postfix runs one smtpd per connection
/// under its master; mxtls-serve is one process).
long tree_rss_kib(int pid) {
  if (pid <= 0) return -1;
  long total = read_status_kib(pid, "VmRSS:");
  std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  int child = 0;
  while (children >> child) total += tree_rss_kib(child);
  return total;
}

template <class Stream>
struct smtp_conn {
  Stream& s;
  std::string buf;

  /// One complete reply; its code, 0 on error.
  asio::awaitable<int> reply() {
    for (;;) {
      std::size_t start = 0;
      for (;;) {
        auto const eol = buf.find("\r\n", start);
        if (eol == std::string::npos) break;
        if (eol - start >= 4 && buf[start + 3] == ' ') {
          int const code = std::atoi(buf.substr(start, 3).c_str());
          buf.erase(0, eol + 2);
          co_return code;
        }
        start = eol + 2;
      }
      char tmp[4096];
      auto [ec, n] = co_await s.async_read_some(asio::buffer(tmp), use_tuple);
      if (ec) co_return 0;
      buf.append(tmp, n);
    }
  }
  asio::awaitable<bool> send(std::string const& text) {
    auto [ec, n] = co_await asio::async_write(s, asio::buffer(text), use_tuple);
    (void)n;
    co_return !ec;
  }
};

struct stats {
  std::vector<double> latencies_ms;
  unsigned delivered = 0;
  unsigned failed_sessions = 0;
  std::string first_error;
  void fail(std::string why) {
    ++failed_sessions;
    if (first_error.empty()) first_error = std::move(why);
  }
};

template <class Stream>
asio::awaitable<bool> run_messages(Stream& s, smtp_conn<Stream>& c, options const& o, std::string const& body,
                                   stats& st) {
  if (!co_await c.send("EHLO loadgen.example\r\n") || co_await c.reply() != 250) co_return false;
  std::string const envelope = "MAIL FROM:<" + o.from + ">\r\nRCPT TO:<" + o.rcpt + ">\r\nDATA\r\n";
  for (unsigned m = 0; m < o.messages; ++m) {
    auto const t0 = clock_type::now();
    if (!co_await c.send(envelope)) co_return false;
    if (co_await c.reply() != 250 || co_await c.reply() != 250 || co_await c.reply() != 354) co_return false;
    if (!co_await c.send(body) || co_await c.reply() != 250) co_return false;
    st.latencies_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    ++st.delivered;
  }
  (void)co_await c.send("QUIT\r\n");
  (void)co_await c.reply();
  (void)s;
  co_return true;
}

asio::awaitable<void> session(options const& o, std::shared_ptr<mxtls::net::tls_context const> ctx,
                              std::string const& body, stats& st) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket sock(ex);
  auto [ec] = co_await sock.async_connect(tcp::endpoint(asio::ip::make_address(o.host), o.port), use_tuple);
  if (ec) {
    st.fail("connect: " + ec.message());
    co_return;
  }
  sock.set_option(tcp::no_delay(true));
  smtp_conn<tcp::socket> plain{sock, {}};
  if (co_await plain.reply() != 220) {
    st.fail("no 220 greeting");
    co_return;
  }
  if (!o.tls) {
    if (!co_await run_messages(sock, plain, o, body, st)) st.fail("plaintext transaction failed");
    co_return;
  }
  if (!co_await plain.send("EHLO loadgen.example\r\n") || co_await plain.reply() != 250 ||
      !co_await plain.send("STARTTLS\r\n") || co_await plain.reply() != 220) {
    st.fail("STARTTLS refused");
    co_return;
  }
  mxtls::net::tls_stream tls(std::move(sock), ctx);
  auto hs = co_await tls.async_handshake();
  if (!hs) {
    st.fail("TLS handshake: " + hs.error().code.message() + " " + hs.error().detail);
    co_return;
  }
  smtp_conn<mxtls::net::tls_stream> secure{tls, {}};
  if (!co_await run_messages(tls, secure, o, body, st)) st.fail("transaction inside TLS failed");
  co_await tls.async_shutdown();
}

asio::awaitable<void> idle_session(options const& o, std::vector<tcp::socket>& keep, unsigned& greeted) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket sock(ex);
  auto [ec] = co_await sock.async_connect(tcp::endpoint(asio::ip::make_address(o.host), o.port), use_tuple);
  if (ec) co_return;
  smtp_conn<tcp::socket> plain{sock, {}};
  if (co_await plain.reply() == 220) ++greeted;
  keep.push_back(std::move(sock));
}

void usage() {
  std::cerr << "usage: mxtls-loadgen --port P [--host 127.0.0.1] [--sessions N] [--messages M] [--size BYTES]\n"
               "                     [--ca FILE --sni NAME | --no-tls] [--rcpt ADDR] [--pid SERVER_PID]\n"
               "       mxtls-loadgen --port P --idle N --pid SERVER_PID\n";
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string const a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--host") o.host = next();
    else if (a == "--port") o.port = static_cast<unsigned short>(std::stoul(next()));
    else if (a == "--sessions") o.sessions = static_cast<unsigned>(std::stoul(next()));
    else if (a == "--messages") o.messages = static_cast<unsigned>(std::stoul(next()));
    else if (a == "--size") o.size = std::stoul(next());
    else if (a == "--ca") o.ca_file = next();
    else if (a == "--sni") o.sni = next();
    else if (a == "--from") o.from = next();
    else if (a == "--rcpt") o.rcpt = next();
    else if (a == "--pid") o.pid = std::stoi(next());
    else if (a == "--idle") o.idle = static_cast<unsigned>(std::stoul(next()));
    else if (a == "--no-tls") o.tls = false;
    else {
      usage();
      return 2;
    }
  }
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  asio::io_context io;

  if (o.idle > 0) {
    long const before = read_status_kib(o.pid, "VmRSS:");
    std::vector<tcp::socket> keep;
    unsigned greeted = 0;
    for (unsigned i = 0; i < o.idle; ++i) asio::co_spawn(io, idle_session(o, keep, greeted), asio::detached);
    io.run();
    io.restart();
    asio::steady_timer settle(io, std::chrono::milliseconds(300));
    settle.wait();
    long const after = read_status_kib(o.pid, "VmRSS:");
    double const per = greeted ? static_cast<double>(after - before) / greeted : 0.0;
    std::printf("idle_connections=%u rss_before_kib=%ld rss_after_kib=%ld rss_per_idle_connection_kib=%.1f\n",
                greeted, before, after, per);
    return greeted == o.idle ? 0 : 1;
  }

  std::shared_ptr<mxtls::net::tls_context const> ctx;
  if (o.tls) {
    mxtls::net::tls_config tc;
    tc.role = mxtls::net::tls_role::client;
    tc.system_trust = false;
    tc.ca_file = o.ca_file;
    tc.sni = o.sni;
    auto c = mxtls::net::tls_context::create(tc);
    if (!c) {
      std::cerr << "mxtls-loadgen: TLS setup: " << c.error().code.message() << " " << c.error().detail << "\n";
      return 2;
    }
    ctx = *c;
  }
  std::string body = "Subject: mxtls-loadgen\r\nFrom: <" + o.from + ">\r\nTo: <" + o.rcpt + ">\r\n\r\n";
  while (body.size() < o.size) body += "The quick brown fox jumps over the lazy dog. 0123456789 abcdefghij\r\n";
  body += ".\r\n";

  stats st;
  auto const t0 = clock_type::now();
  for (unsigned i = 0; i < o.sessions; ++i) asio::co_spawn(io, session(o, ctx, body, st), asio::detached);
  long peak_rss = -1;
  asio::steady_timer sampler(io);
  std::function<void()> sample = [&] {
    peak_rss = std::max(peak_rss, tree_rss_kib(o.pid));
    sampler.expires_after(std::chrono::milliseconds(100));
    sampler.async_wait([&](boost::system::error_code ec) {
      if (!ec && st.delivered + st.failed_sessions * o.messages < o.sessions * o.messages) sample();
    });
  };
  if (o.pid > 0) sample();
  io.run();
  double const secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  auto lat = st.latencies_ms;
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    if (lat.empty()) return 0.0;
    auto idx = static_cast<std::size_t>(p * static_cast<double>(lat.size() - 1));
    return lat[idx];
  };
  std::printf(
      "sessions=%u messages=%u delivered=%u failed_sessions=%u seconds=%.2f msgs_per_s=%.1f "
      "p50_ms=%.2f p99_ms=%.2f server_peak_rss_kib=%ld\n",
      o.sessions, o.sessions * o.messages, st.delivered, st.failed_sessions, secs, st.delivered / secs, pct(0.50),
      pct(0.99), peak_rss);
  if (!st.first_error.empty()) std::fprintf(stderr, "mxtls-loadgen: first error: %s\n", st.first_error.c_str());
  return st.failed_sessions == 0 ? 0 : 1;
}
