// The scripted SMTP peer: one coroutine per connection on a strand, CRLF lines read with
// net::line_reader (plaintext, then TLS), replies printed with spec/smtp, every fault of
// peer_script applied at the point of the dialogue where real servers got it wrong.
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known false positive
// when the frame allocation is inlined); only this diagnostic is silenced, only here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "world/smtp_peer.hpp"

#include "mxtls/net/line_io.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <deque>
#include <future>
#include <list>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace mxtls::conformance {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

spec::smtp::reply make_reply(std::uint16_t code, std::string text) { return {code, {std::move(text)}}; }

}  // namespace

// ---------------------------------------------------------------------------------------
// One connection: the plaintext socket, then the TLS stream, each with its line reader.

namespace {

class connection {
 public:
  explicit connection(tcp::socket s) : plain_(std::move(s)) { plain_reader_.emplace(plain_, 1000); }

  bool tls() const noexcept { return tls_ != nullptr; }

  asio::awaitable<net::line_result> read_line(std::chrono::milliseconds timeout) {
    // Named results, never `co_return co_await` (g++ 12 miscompiles it after an awaited condition).
    net::line_result r;
    if (tls_) r = co_await tls_reader_->read_line(timeout);
    else r = co_await plain_reader_->read_line(timeout);
    co_return r;
  }

  /// Octets read after the last line (pipelined input).
  std::string take_buffered() { return tls_ ? tls_reader_->take_buffered() : plain_reader_->take_buffered(); }

  asio::awaitable<bool> write(std::string_view bytes, std::chrono::milliseconds drip) {
    if (drip.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor);
      for (char c : bytes) {
        if (!co_await write_now(std::string_view(&c, 1))) co_return false;
        timer.expires_after(drip);
        auto [ec] = co_await timer.async_wait(use_tuple);
        if (ec) co_return false;
      }
      co_return true;
    }
    bool const ok = co_await write_now(bytes);
    co_return ok;
  }

  asio::awaitable<net::result<net::handshake_info>> start_tls(std::shared_ptr<net::tls_context const> ctx) {
    plain_reader_.reset();
    tls_ = std::make_unique<net::tls_stream>(std::move(plain_), std::move(ctx));
    auto hs = co_await tls_->async_handshake();
    if (hs) tls_reader_.emplace(*tls_, 1000);
    co_return hs;
  }

  tcp::socket& socket() noexcept { return tls_ ? tls_->next_layer() : plain_; }

  void close() noexcept {
    boost::system::error_code ec;
    socket().close(ec);
  }

 private:
  asio::awaitable<bool> write_now(std::string_view bytes) {
    boost::system::error_code ec;
    if (tls_) ec = co_await net::write_all(*tls_, bytes, std::chrono::seconds(10));
    else ec = co_await net::write_all(plain_, bytes, std::chrono::seconds(10));
    co_return !ec;
  }

  tcp::socket plain_;
  std::unique_ptr<net::tls_stream> tls_;
  std::optional<net::line_reader<tcp::socket>> plain_reader_;
  std::optional<net::line_reader<net::tls_stream>> tls_reader_;
};

// A session being served: the record plus its live transcript.
struct live_session {
  peer_session record;
  transcript wire;
};

}  // namespace

struct smtp_peer::state : std::enable_shared_from_this<smtp_peer::state> {
  state(asio::any_io_executor ex, peer_script s) : strand(asio::make_strand(ex)), script(std::move(s)), acceptor(strand) {}

  asio::strand<asio::any_io_executor> strand;
  peer_script const script;
  std::shared_ptr<net::tls_context const> tls;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  bool stopped = false;  // strand only
  std::list<std::weak_ptr<connection>> live;  // strand only

  mutable std::mutex mu;
  std::vector<std::shared_ptr<live_session>> sessions;  // guarded by mu

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(std::shared_ptr<connection> conn, std::shared_ptr<live_session> s);
};

asio::awaitable<void> smtp_peer::state::accept_loop() {
  auto self = shared_from_this();
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec || stopped) co_return;
    auto s = std::make_shared<live_session>();
    boost::system::error_code ep_ec;
    auto const ep = socket.remote_endpoint(ep_ec);
    if (!ep_ec) s->record.client = ep.address().to_string() + ":" + std::to_string(ep.port());
    s->record.implicit_tls = script.implicit_tls && script.on_connect == connect_action::serve;
    {
      std::lock_guard lock(mu);
      s->record.index = sessions.size();
      sessions.push_back(s);
    }
    auto conn = std::make_shared<connection>(std::move(socket));
    live.remove_if([](auto const& w) { return w.expired(); });
    live.push_back(conn);
    asio::co_spawn(strand, serve(conn, s), asio::detached);
  }
}

asio::awaitable<void> smtp_peer::state::serve(std::shared_ptr<connection> conn, std::shared_ptr<live_session> s) {
  auto self = shared_from_this();
  auto& rec = s->record;
  auto& wire = s->wire;
  auto const& sc = script;
  auto ex = co_await asio::this_coro::executor;
  auto finish = [&] {
    conn->close();
    std::lock_guard lock(mu);
    rec.ended = true;
  };
  auto send = [&](spec::smtp::reply const& r, std::string_view extra = {}) -> asio::awaitable<bool> {
    std::string bytes = spec::smtp::print_reply(r);
    bytes += extra;
    wire.add("S", bytes);
    bool const ok = co_await conn->write(bytes, sc.drip);
    co_return ok;
  };
  auto handshake = [&]() -> asio::awaitable<bool> {
    auto hs = co_await conn->start_tls(tls);
    std::lock_guard lock(mu);
    if (!hs) {
      rec.tls_error = hs.error().message();
      wire.add("tls", "handshake failed: " + rec.tls_error);
      co_return false;
    }
    rec.tls = true;
    rec.tls_version = hs->version;
    rec.tls_cipher = hs->cipher;
    rec.sni = hs->sni;
    wire.add("tls", "established: " + hs->version + " " + hs->cipher + (hs->sni.empty() ? ", no SNI" : ", SNI " + hs->sni));
    co_return true;
  };

  if (sc.on_connect == connect_action::reset) {
    boost::system::error_code ec;
    conn->socket().set_option(tcp::socket::linger(true, 0), ec);
    wire.note("reset the connection (SO_LINGER 0)");
    finish();
    co_return;
  }
  if (sc.on_connect == connect_action::close) {
    wire.note("closed the connection without a byte");
    finish();
    co_return;
  }
  if (sc.implicit_tls) {
    if (!tls || !co_await handshake()) {
      if (!tls) wire.note("no certificate configured: cannot serve implicit TLS");
      finish();
      co_return;
    }
  }
  if (sc.silent) {
    // Say nothing; wait until the client gives up (or the idle timeout).
    for (;;) {
      auto l = co_await conn->read_line(sc.idle_timeout);
      if (l.status != net::line_status::line && l.status != net::line_status::too_long) break;
      wire.add("C", l.line + "\r\n");
    }
    finish();
    co_return;
  }
  if (sc.greeting_delay.count() > 0) {
    asio::steady_timer t(ex);
    t.expires_after(sc.greeting_delay);
    co_await t.async_wait(use_tuple);
  }
  // A named reply: g++ 12 frees an aggregate temporary passed inside co_await too early.
  spec::smtp::reply const greeting{sc.greeting_code, sc.greeting};
  if (sc.send_greeting && !co_await send(greeting)) {
    finish();
    co_return;
  }
  if (sc.drop_after_greeting) {
    wire.note("dropped the connection after the greeting");
    finish();
    co_return;
  }

  bool helo = false;
  std::optional<peer_message> txn;
  std::deque<std::string> pending;  // pipelined lines executed as if received now (CVE-2011-0411)
  for (;;) {
    std::string line;
    if (!pending.empty()) {
      line = std::move(pending.front());
      pending.pop_front();
      wire.note("executing a command pipelined behind STARTTLS as if it came inside TLS");
    } else {
      auto l = co_await conn->read_line(sc.idle_timeout);
      if (l.status == net::line_status::too_long) {
        wire.add("C", "(line too long)");
        if (!co_await send(make_reply(500, "5.5.2 Error: line too long"))) break;
        continue;
      }
      if (l.status != net::line_status::line) {
        wire.note(l.status == net::line_status::timeout ? "idle timeout" : "client closed the connection");
        break;
      }
      line = std::move(l.line);
    }
    wire.add("C", line + "\r\n");
    auto const sp = line.find(' ');
    std::string const verb = upper(line.substr(0, sp));
    std::string const arg = sp == std::string::npos ? std::string{} : line.substr(sp + 1);

    if (verb == "EHLO" || verb == "HELO") {
      if (arg.empty()) {
        if (!co_await send(make_reply(501, "5.5.4 Syntax: " + verb + " hostname"))) break;
        continue;
      }
      helo = true;
      txn.reset();
      {
        std::lock_guard lock(mu);
        rec.helo.push_back(arg);
      }
      spec::smtp::reply r{250, {}};
      std::string const& greet = conn->tls() ? sc.ehlo_greet_tls : sc.ehlo_greet;
      r.lines.push_back(greet.empty() ? sc.host : sc.host + " " + greet);
      if (verb == "EHLO")
        for (auto const& cap : conn->tls() ? sc.ehlo_tls : sc.ehlo_plain) r.lines.push_back(cap);
      if (!co_await send(r)) break;
    } else if (verb == "STARTTLS") {
      if (conn->tls()) {
        if (!co_await send(sc.starttls_when_tls)) break;
        continue;
      }
      if (!arg.empty() && sc.starttls_params_rejected) {
        if (!co_await send(make_reply(501, "5.5.4 Syntax: STARTTLS"))) break;
        continue;
      }
      if (!tls) {
        if (!co_await send(make_reply(454, "4.7.0 TLS not available due to local problem"))) break;
        continue;
      }
      if (sc.starttls_reply.code != 220) {
        if (!co_await send(sc.starttls_reply)) break;
        continue;
      }
      std::string const pipelined = conn->take_buffered();
      if (!pipelined.empty()) {
        std::lock_guard lock(mu);
        rec.pipelined_after_starttls = pipelined;
        wire.note("octets pipelined behind STARTTLS: " + std::to_string(pipelined.size()) +
                  (sc.execute_pipelined_after_starttls ? " (will execute them inside TLS)" : " (discarded)"));
      }
      if (!pipelined.empty() && sc.refuse_pipelined_starttls) {
        (void)co_await send(make_reply(554, "5.5.0 Commands pipelined after STARTTLS discarded, closing connection"));
        break;
      }
      if (!co_await send(sc.starttls_reply, sc.inject_after_ready)) break;
      if (sc.drop_after_ready) {
        wire.note("dropped the connection after 220 Ready");
        break;
      }
      if (!co_await handshake()) break;
      if (sc.reset_after_tls) {
        helo = false;
        txn.reset();
      }
      if (sc.execute_pipelined_after_starttls) {
        std::string_view rest = pipelined;
        for (auto end = rest.find("\r\n"); end != std::string_view::npos; end = rest.find("\r\n")) {
          pending.emplace_back(rest.substr(0, end));
          rest.remove_prefix(end + 2);
        }
      }
    } else if (verb == "MAIL") {
      if (sc.require_tls_for_mail && !conn->tls()) {
        if (!co_await send(make_reply(530, "5.7.0 Must issue a STARTTLS command first"))) break;
        continue;
      }
      if (!helo && sc.require_helo) {
        if (!co_await send(make_reply(503, "5.5.1 Error: send HELO/EHLO first"))) break;
        continue;
      }
      if (txn) {
        if (!co_await send(make_reply(503, "5.5.1 Error: nested MAIL command"))) break;
        continue;
      }
      txn.emplace();
      txn->mail_from = upper(arg.substr(0, 5)) == "FROM:" ? arg.substr(5) : arg;
      txn->over_tls = conn->tls();
      {
        std::lock_guard lock(mu);
        (conn->tls() ? rec.mail_from_over_tls : rec.mail_from_in_plaintext) = true;
        txn->tls_version = rec.tls_version;
      }
      if (!co_await send(make_reply(250, "2.1.0 Ok"))) break;
    } else if (verb == "RCPT") {
      if (!txn) {
        if (!co_await send(make_reply(503, "5.5.1 Error: need MAIL command"))) break;
        continue;
      }
      if (!sc.accept_rcpt) {
        if (!co_await send(make_reply(550, "5.1.1 Recipient address rejected"))) break;
        continue;
      }
      txn->rcpt_to.push_back(upper(arg.substr(0, 3)) == "TO:" ? arg.substr(3) : arg);
      if (!co_await send(make_reply(250, "2.1.5 Ok"))) break;
    } else if (verb == "DATA") {
      if (!txn || txn->rcpt_to.empty()) {
        if (!co_await send(make_reply(503, "5.5.1 Error: need RCPT command"))) break;
        continue;
      }
      if (!co_await send(make_reply(354, "End data with <CR><LF>.<CR><LF>"))) break;
      bool complete = false;
      bool too_big = false;
      for (;;) {
        auto l = co_await conn->read_line(sc.idle_timeout);
        if (l.status == net::line_status::too_long) continue;
        if (l.status != net::line_status::line) break;
        if (l.line == ".") {
          complete = true;
          break;
        }
        std::string_view text = l.line;
        if (!text.empty() && text.front() == '.') text.remove_prefix(1);
        if (txn->data.size() + text.size() + 2 > sc.max_message_octets) too_big = true;
        else txn->data.append(text).append("\r\n");
      }
      wire.add("C", "(message content: " + std::to_string(txn->data.size()) + " octets)");
      if (!complete) break;
      if (too_big) {
        txn.reset();
        if (!co_await send(make_reply(552, "5.3.4 Error: message too big"))) break;
        continue;
      }
      {
        std::lock_guard lock(mu);
        rec.messages.push_back(std::move(*txn));
      }
      txn.reset();
      if (!co_await send(make_reply(250, "2.0.0 Ok: queued"))) break;
    } else if (verb == "RSET") {
      txn.reset();
      if (!co_await send(make_reply(250, "2.0.0 Ok"))) break;
    } else if (verb == "NOOP") {
      if (!co_await send(make_reply(250, "2.0.0 Ok"))) break;
    } else if (verb == "QUIT") {
      (void)co_await send(make_reply(221, "2.0.0 Bye"));
      break;
    } else {
      if (!co_await send(make_reply(502, "5.5.2 Error: command not recognized"))) break;
    }
  }
  finish();
}

smtp_peer::smtp_peer(asio::any_io_executor ex, peer_script script)
    : state_(std::make_shared<state>(ex, std::move(script))) {}

smtp_peer::~smtp_peer() { stop(); }

std::uint16_t smtp_peer::start(asio::ip::address address, std::uint16_t port) {
  auto& st = *state_;
  if (!st.script.chains.empty()) {
    net::tls_config cfg;
    cfg.role = net::tls_role::server;
    cfg.chains = st.script.chains;
    cfg.require_sni_match = st.script.require_sni;
    cfg.min_version = st.script.tls_min;
    cfg.max_version = st.script.tls_max;
    cfg.ciphers = st.script.tls_ciphers;
    if (cfg.ciphers.empty() && cfg.min_version < net::tls_version::tls1_2)
      cfg.ciphers = {"ChaCha20Poly1305", "AES-256/GCM", "AES-128/GCM", "AES-256", "AES-128"};
    cfg.handshake_timeout = std::chrono::seconds(10);
    auto ctx = net::tls_context::create(std::move(cfg));
    if (!ctx) throw std::runtime_error("scripted SMTP peer: " + ctx.error().message());
    st.tls = *ctx;
  }
  tcp::endpoint const ep(address, port);
  st.acceptor.open(ep.protocol());
  st.acceptor.set_option(tcp::acceptor::reuse_address(true));
  st.acceptor.bind(ep);
  st.acceptor.listen();
  st.port = st.acceptor.local_endpoint().port();
  asio::co_spawn(st.strand, st.accept_loop(), asio::detached);
  return st.port;
}

std::uint16_t smtp_peer::port() const noexcept { return state_->port; }

peer_script const& smtp_peer::script() const noexcept { return state_->script; }

namespace {
void close_everything(smtp_peer::state& st);
}  // namespace

void smtp_peer::stop() {
  asio::dispatch(state_->strand, [st = state_] { close_everything(*st); });
}

void smtp_peer::stop_and_wait() {
  if (state_->strand.running_in_this_thread()) {
    close_everything(*state_);
    return;
  }
  std::promise<void> done;
  auto closed = done.get_future();
  asio::dispatch(state_->strand, [st = state_, &done] {
    close_everything(*st);
    done.set_value();
  });
  closed.wait();
}

namespace {
void close_everything(smtp_peer::state& st) {
  if (st.stopped) return;
  st.stopped = true;
  boost::system::error_code ec;
  st.acceptor.close(ec);
  for (auto const& w : st.live)
    if (auto c = w.lock()) c->close();
  st.live.clear();
}
}  // namespace

std::vector<peer_session> smtp_peer::sessions() const {
  std::lock_guard lock(state_->mu);
  std::vector<peer_session> out;
  out.reserve(state_->sessions.size());
  for (auto const& s : state_->sessions) {
    out.push_back(s->record);
    out.back().wire = s->wire.entries();
  }
  return out;
}

}  // namespace mxtls::conformance
