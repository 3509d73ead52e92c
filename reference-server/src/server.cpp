// The mxtls-serve shell (DESIGN §3 "thin shells"): everything here is I/O and time; every
// SMTP decision is made by session.cpp. One coroutine per connection on its own strand.
#include "server.hpp"

#include "log.hpp"
#include "maildir.hpp"
#include "session.hpp"

#include "mxtls/net/https.hpp"
#include "mxtls/net/tls.hpp"
#include "mxtls/spec/mtasts/policy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <sys/resource.h>

#include <array>
#include <cstdio>
#include <atomic>
#include <csignal>
#include <fstream>
#include <sstream>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace mxtls::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using clock = std::chrono::steady_clock;
using boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

/// Why a connection's pending socket operation was cancelled from outside.
enum class interrupt : std::uint8_t { none, deadline, drain, kill };

/// The part of a connection other threads may touch (always through its strand).
struct connection {
  explicit connection(asio::any_io_executor ex) : executor(ex), watchdog(ex) {}
  asio::any_io_executor executor;
  asio::steady_timer watchdog;
  tcp::socket* socket = nullptr;  ///< the lowest layer (moves into tls_stream on STARTTLS)
  std::uint64_t generation = 0;   ///< invalidates a watchdog that fired late
  interrupt fired = interrupt::none;
  bool idle = false;      ///< waiting for a command outside a transaction
  bool draining = false;  ///< the server is draining: 421 as soon as idle
  bool killed = false;    ///< the drain grace period is over

  /// Cancels the socket's pending operations at `deadline` unless disarmed first.
  void arm(clock::time_point deadline) {
    auto const gen = ++generation;
    fired = interrupt::none;
    watchdog.expires_at(deadline);
    watchdog.async_wait([this, gen](error_code ec) {
      if (ec || gen != generation || socket == nullptr) return;
      fired = interrupt::deadline;
      error_code ignored;
      socket->cancel(ignored);
    });
  }
  void disarm() {
    ++generation;
    watchdog.cancel();
  }
  void interrupt_with(interrupt why) {
    fired = why;
    ++generation;
    watchdog.cancel();
    if (socket != nullptr) {
      error_code ignored;
      socket->cancel(ignored);
    }
  }
};

struct server_state {
  server_state(config const& c, logger& l)
      : cfg(c), log(l), box(c.maildir, c.hostname, c.fsync), disk(4) {
    settings.hostname = c.hostname;
    settings.domains = c.domains;
    settings.greeting_text = c.greeting_text;
    settings.strict_tls = c.strict_tls;
    settings.max_message_size = c.max_message_size;
    settings.max_recipients = c.max_recipients;
    settings.max_errors = c.max_errors;
    settings.tls_available = true;
    std::random_device rd;
    std::array<char, 9> buf{};
    std::snprintf(buf.data(), buf.size(), "%08x", static_cast<unsigned>(rd()));
    id_prefix = buf.data();
  }

  config const& cfg;
  logger& log;
  session_settings settings;
  maildir box;
  asio::thread_pool disk;  ///< fsync and rename happen here, never on an I/O thread
  std::shared_ptr<net::tls_context const> tls;
  std::string id_prefix;
  std::atomic<std::uint64_t> next_id{0};
  std::atomic<bool> draining{false};

  std::mutex mu;
  std::size_t total = 0;
  std::unordered_map<std::string, std::size_t> per_ip;
  std::unordered_set<std::shared_ptr<connection>> live;

  std::string new_id() { return id_prefix + "-" + std::to_string(++next_id); }

  /// Counts a new connection unless a limit is reached; returns the reason otherwise.
  std::string admit(std::string const& ip, std::shared_ptr<connection> const& c) {
    std::lock_guard lock(mu);
    if (draining) return "draining";
    if (total >= cfg.max_connections) return "max_connections";
    auto& n = per_ip[ip];
    if (n >= cfg.max_connections_per_ip) {
      if (n == 0) per_ip.erase(ip);
      return "max_connections_per_ip";
    }
    ++n;
    ++total;
    live.insert(c);
    return {};
  }
  void release(std::string const& ip, std::shared_ptr<connection> const& c) {
    std::lock_guard lock(mu);
    if (auto it = per_ip.find(ip); it != per_ip.end() && --it->second == 0) per_ip.erase(it);
    --total;
    live.erase(c);
  }
  std::size_t live_count() {
    std::lock_guard lock(mu);
    return total;
  }
  /// Runs `fn(connection&)` on every live connection's strand.
  template <class Fn>
  void for_each_live(Fn fn) {
    std::lock_guard lock(mu);
    for (auto const& c : live) asio::post(c->executor, [c, fn] { fn(*c); });
  }
};

void log_events(server_state& st, std::string const& sid, output const& out) {
  for (auto const& e : out.events) st.log.write(sid, e);
}

/// Moves bytes between `stream` and the core until the core asks for TLS or a close.
template <class Stream>
asio::awaitable<next_step> pump(Stream& stream, server_state& st, connection& c, session& core, output out) {
  auto const& cfg = st.cfg;
  auto const session_deadline = clock::now() + cfg.timeout_session;
  auto command_deadline = clock::now() + cfg.timeout_command;
  auto seen_lines = core.lines_handled();
  bool was_in_data = false;
  clock::time_point data_start{};
  std::uint64_t data_bytes = 0;
  std::array<char, 4096> buf;

  for (;;) {
    log_events(st, core.id(), out);
    out.events.clear();
    if (!out.bytes.empty()) {
      c.arm(std::min(clock::now() + cfg.timeout_command, session_deadline));
      auto [ec, n] = co_await asio::async_write(stream, asio::buffer(out.bytes), use_tuple);
      c.disarm();
      if (ec) {
        st.log.write(core.id(), "event=write_failed error=" + log_value(ec.message()));
        co_return next_step::close;
      }
      out.bytes.clear();
    }
    if (out.next == next_step::close || out.next == next_step::start_tls) co_return out.next;
    if (out.next == next_step::deliver) {
      // Durable delivery off the I/O threads; the 250 comes only after fsync [maildir.hpp].
      auto stored = co_await asio::co_spawn(
          st.disk,
          [&st, &core]() -> asio::awaitable<boost::system::result<std::string>> {
            co_return st.box.deliver(core.pending_message());
          },
          asio::use_awaitable);
      out = stored ? core.on_delivered(true, *stored) : core.on_delivered(false, stored.error().message());
      continue;
    }

    // next_step::read: pick the deadline for this state.
    if (c.killed) co_return next_step::close;
    auto const now = clock::now();
    if (core.lines_handled() != seen_lines) {
      // A complete line arrived: the next command gets a fresh deadline. Trickled
      // partial lines never extend it (slowloris).
      seen_lines = core.lines_handled();
      command_deadline = now + cfg.timeout_command;
    }
    if (core.in_data() && !was_in_data) {
      data_start = now;
      data_bytes = 0;
    }
    was_in_data = core.in_data();
    c.idle = !core.in_transaction() && core.buffered() == 0;
    if (c.draining && c.idle) {
      out = core.on_shutdown();
      continue;
    }
    clock::time_point deadline;
    std::string_view which;
    if (core.in_data()) {
      // RFC 5321 §4.5.3.2.5/6: a data block and the whole DATA each get their own bound.
      deadline = std::min(now + cfg.timeout_data_line, data_start + cfg.timeout_data_total);
      which = "data";
    } else {
      // [SMTP-4.5.3.2.7-01] the wait for (all of) the next command.
      deadline = command_deadline;
      which = "command";
    }
    if (session_deadline < deadline) {
      deadline = session_deadline;
      which = "session";
    }
    if (deadline <= now) {
      out = core.on_timeout(which);
      continue;
    }
    c.arm(deadline);
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buf), use_tuple);
    c.disarm();
    if (ec) {
      if (c.fired == interrupt::deadline) {
        out = core.on_timeout(which);
        continue;
      }
      if (c.fired == interrupt::drain) {
        out = core.on_shutdown();
        continue;
      }
      if (c.fired == interrupt::kill) {
        out = core.on_shutdown();
        out.bytes.clear();  // the grace period is over: no more waiting on this client
        log_events(st, core.id(), out);
        co_return next_step::close;
      }
      st.log.write(core.id(), "event=disconnect reason=" + log_value(ec.message()));
      co_return next_step::close;
    }
    if (core.in_data()) {
      data_bytes += n;
      auto const elapsed = std::chrono::duration_cast<std::chrono::seconds>(clock::now() - data_start).count();
      // Minimum progress: a DATA running for 30 s must average min_data_rate octets/s.
      if (elapsed >= 30 && data_bytes < cfg.min_data_rate * static_cast<std::uint64_t>(elapsed)) {
        out = core.on_timeout("data_rate");
        continue;
      }
    }
    out = core.on_bytes(std::string_view(buf.data(), n));
  }
}

asio::awaitable<void> serve_connection(server_state& st, std::shared_ptr<connection> c, tcp::socket socket,
                                       listener_kind kind, std::string peer) {
  c->socket = &socket;
  session core(st.settings, kind, st.new_id(), peer);
  auto out = core.on_connected();
  auto next = next_step::start_tls;
  if (kind == listener_kind::starttls) {
    next = co_await pump(socket, st, *c, core, std::move(out));
  } else {
    log_events(st, core.id(), out);
  }
  if (next == next_step::start_tls && !c->killed) {
    // The stream reads only fresh bytes from the socket: the core has verified that
    // nothing was buffered behind STARTTLS [TLS-4-10].
    net::tls_stream tls(std::move(socket), st.tls);
    c->socket = &tls.next_layer();
    auto hs = co_await tls.async_handshake();
    if (!hs) {
      log_events(st, core.id(), core.on_tls_failed(hs.error().code.message() +
                                                   (hs.error().detail.empty() ? "" : ": " + hs.error().detail)));
    } else {
      out = core.on_tls_established({hs->version, hs->cipher, hs->sni});
      next = co_await pump(tls, st, *c, core, std::move(out));
      co_await tls.async_shutdown();
    }
    error_code ignored;
    tls.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
    tls.next_layer().close(ignored);
  } else {
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }
  c->socket = nullptr;
  c->disarm();
  st.log.write(core.id(), "event=close errors=" + std::to_string(core.error_count()));
}

/// A connection over a limit: 421 on the plaintext listener, a plain close on the
/// implicit-TLS one (a 421 in clear text would only confuse a TLS client).
asio::awaitable<void> refuse(server_state& st, tcp::socket socket, listener_kind kind) {
  if (kind == listener_kind::starttls) {
    std::string const msg = "421 4.7.0 " + st.cfg.hostname + " Too many connections, try again later\r\n";
    asio::steady_timer timer(socket.get_executor());
    timer.expires_after(std::chrono::seconds(2));
    timer.async_wait([&socket](error_code ec) {
      if (!ec) socket.cancel();
    });
    co_await asio::async_write(socket, asio::buffer(msg), use_tuple);
    timer.cancel();
  }
  error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

asio::awaitable<void> accept_loop(server_state& st, asio::io_context& io, tcp::acceptor& acceptor,
                                  listener_kind kind) {
  for (;;) {
    auto strand = asio::make_strand(io);
    auto [ec, socket] = co_await acceptor.async_accept(strand, use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || st.draining) co_return;
      st.log.write({}, "event=accept_failed error=" + log_value(ec.message()));
      // Out of file descriptors and the like: back off instead of spinning.
      asio::steady_timer t(io, std::chrono::milliseconds(100));
      co_await t.async_wait(use_tuple);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    error_code pec;
    auto const remote = socket.remote_endpoint(pec);
    std::string const peer = pec ? std::string("unknown") : remote.address().to_string();
    auto c = std::make_shared<connection>(asio::any_io_executor(strand));
    if (auto why = st.admit(peer, c); !why.empty()) {
      st.log.write({}, "event=refused peer=" + peer + " reason=" + why);
      asio::co_spawn(strand, refuse(st, std::move(socket), kind), asio::detached);
      continue;
    }
    asio::co_spawn(
        strand,
        [&st, c, s = std::move(socket), kind, peer]() mutable -> asio::awaitable<void> {
          co_await serve_connection(st, c, std::move(s), kind, peer);
        },
        [&st, c, peer](std::exception_ptr e) {
          if (e) {
            try {
              std::rethrow_exception(e);
            } catch (std::exception const& x) {
              st.log.write({}, "event=session_exception error=" + log_value(x.what()));
            }
          }
          st.release(peer, c);
        });
  }
}

tcp::acceptor open_acceptor(asio::io_context& io, endpoint const& ep, std::string_view key) {
  error_code ec;
  auto const addr = asio::ip::make_address(ep.address, ec);
  if (ec) throw config_error(std::string(key) + ": \"" + ep.address + "\" is not an IP address");
  tcp::acceptor a(io);
  tcp::endpoint const where(addr, ep.port);
  a.open(where.protocol(), ec);
  if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) a.bind(where, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw config_error(std::string(key) + ": cannot listen on " + ep.to_string() + ": " + ec.message());
  return a;
}

/// The MTA-STS policy host (RFC 8461 §3.3): the policy file, validated with the spec
/// parser at startup, served at /.well-known/mta-sts.txt as text/plain by net/https.
std::unique_ptr<net::policy_server> start_policy_host(asio::io_context& io, config const& cfg, logger& log) {
  std::ifstream in(cfg.mta_sts_policy, std::ios::binary);
  if (!in) throw config_error("mta_sts_policy: cannot open " + cfg.mta_sts_policy);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string body = ss.str();
  auto p = spec::mtasts::parse_policy(body);
  if (!p)
    throw config_error("mta_sts_policy: " + cfg.mta_sts_policy + " is not a valid MTA-STS policy (" +
                       std::string(p.error().requirement) + ": " + p.error().message() + " at offset " +
                       std::to_string(p.error().offset) + ")");
  net::policy_server_config pc;
  pc.tls.role = net::tls_role::server;
  pc.tls.chains.push_back(net::server_chain{{}, {}, {}, cfg.mta_sts_cert.empty() ? cfg.cert_file : cfg.mta_sts_cert,
                                            cfg.mta_sts_key.empty() ? cfg.key_file : cfg.mta_sts_key});
  pc.tls.handshake_timeout = cfg.timeout_tls_handshake;
  pc.policy_body = std::move(body);
  pc.on_request = [&log](net::http_request_record const& r) {
    log.write({}, "event=mta_sts_request peer=" + r.remote.address().to_string() +
                      " status=" + std::to_string(r.status));
  };
  error_code ec;
  auto const addr = asio::ip::make_address(cfg.mta_sts_listen->address, ec);
  if (ec) throw config_error("mta_sts_listen: \"" + cfg.mta_sts_listen->address + "\" is not an IP address");
  auto host = net::policy_server::start(io.get_executor(), std::move(pc), tcp::endpoint(addr, cfg.mta_sts_listen->port));
  if (!host)
    throw config_error("mta_sts_listen: cannot serve on " + cfg.mta_sts_listen->to_string() + ": " +
                       host.error().code.message() + (host.error().detail.empty() ? "" : " (" + host.error().detail + ")"));
  log.write({}, "event=listening listener=mta-sts address=" + log_value(addr.to_string()) +
                    " port=" + std::to_string((*host)->local_endpoint().port()));
  return std::move(*host);
}

void raise_fd_limit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace

int run_server(config const& cfg) {
  validate_for_serving(cfg);
  std::signal(SIGPIPE, SIG_IGN);
  raise_fd_limit();
  logger log(cfg.log_file);

  // Credentials first: a bad certificate or key is a startup error.
  net::tls_config tc;
  tc.role = net::tls_role::server;
  tc.chains.push_back(net::server_chain{{}, {}, {}, cfg.cert_file, cfg.key_file});
  tc.handshake_timeout = cfg.timeout_tls_handshake;
  auto ctx = net::tls_context::create(tc);
  if (!ctx)
    throw config_error("cert/key: cannot load " + cfg.cert_file + " and " + cfg.key_file + ": " +
                       ctx.error().code.message() + (ctx.error().detail.empty() ? "" : " (" + ctx.error().detail + ")"));

  std::unique_ptr<server_state> st;
  try {
    st = std::make_unique<server_state>(cfg, log);
  } catch (std::system_error const& e) {
    throw config_error(std::string("maildir: ") + e.what());
  }
  st->tls = *ctx;

  unsigned const threads = cfg.threads != 0 ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());
  asio::io_context io(static_cast<int>(threads));

  std::vector<std::pair<tcp::acceptor, listener_kind>> acceptors;
  if (cfg.listen) acceptors.emplace_back(open_acceptor(io, *cfg.listen, "listen"), listener_kind::starttls);
  if (cfg.listen_implicit)
    acceptors.emplace_back(open_acceptor(io, *cfg.listen_implicit, "listen_implicit"), listener_kind::implicit_tls);


  std::unique_ptr<net::policy_server> policy_host;
  if (cfg.mta_sts_listen) policy_host = start_policy_host(io, cfg, log);

  for (auto& [a, kind] : acceptors) {
    st->log.write({}, std::string("event=listening listener=") +
                          (kind == listener_kind::starttls ? "starttls" : "implicit") +
                          " address=" + log_value(a.local_endpoint().address().to_string()) +
                          " port=" + std::to_string(a.local_endpoint().port()));
    asio::co_spawn(io, accept_loop(*st, io, a, kind), asio::detached);
  }

  // [SMTP-4.1.4-03] shutting down is one of the moments a server may close after 421.
  asio::signal_set signals(io, SIGTERM, SIGINT);
  asio::steady_timer drain_timer(io);
  signals.async_wait([&](error_code ec, int signo) {
    if (ec) return;
    st->log.write({}, "event=drain signal=" + std::to_string(signo) + " sessions=" +
                          std::to_string(st->live_count()));
    {
      std::lock_guard lock(st->mu);
      st->draining = true;
    }
    for (auto& [a, kind] : acceptors) {
      error_code ignored;
      a.close(ignored);
    }
    if (policy_host) policy_host->stop();
    // Idle sessions get 421 now; busy ones when their transaction ends.
    st->for_each_live([](connection& c) {
      c.draining = true;
      if (c.idle) c.interrupt_with(interrupt::drain);
    });
    auto const grace_end = clock::now() + cfg.drain_grace;
    asio::co_spawn(
        io,
        [&, grace_end]() -> asio::awaitable<void> {
          bool killed = false;
          while (st->live_count() > 0) {
            if (!killed && clock::now() >= grace_end) {
              killed = true;
              st->log.write({}, "event=drain_grace_over sessions=" + std::to_string(st->live_count()));
              st->for_each_live([](connection& c) {
                c.killed = true;
                c.interrupt_with(interrupt::kill);
              });
            }
            drain_timer.expires_after(std::chrono::milliseconds(20));
            co_await drain_timer.async_wait(use_tuple);
          }
          st->log.write({}, "event=drained");
          io.stop();
        },
        asio::detached);
  });

  st->log.write({}, "event=start hostname=" + log_value(cfg.hostname) + " threads=" + std::to_string(threads) +
                        (cfg.strict_tls.empty() ? "" : " strict_tls=" + log_value(cfg.strict_tls)));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  st->disk.join();
  st->log.write({}, "event=stop");
  return 0;
}

}  // namespace mxtls::server
