// The loopback test world of mxtls-send's tests: DNS authority and server, PKI, policy hosts
// and scripted SMTP receivers (see test_world.hpp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // g++ 12 false positive on Asio frames
#endif
#include "test_world.hpp"

#include "mxtls/net/line_io.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <stdexcept>

namespace mxtls::client::test {

using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

net::pki::authority const& test_ca() {
  static net::pki::authority const ca = net::pki::authority::create_root("mxtls-send test root");
  return ca;
}
net::pki::authority const& rogue_ca() {
  static net::pki::authority const ca = net::pki::authority::create_root("mxtls-send rogue root");
  return ca;
}

net::pki::issued make_leaf(std::string const& host, cert_kind kind) {
  using net::pki::cert_options;
  switch (kind) {
    case cert_kind::valid: return test_ca().issue(cert_options::valid({host}));
    case cert_kind::wrong_name: return test_ca().issue(cert_options::valid({"other-name.invalid.test"}));
    case cert_kind::self_signed: return net::pki::self_signed(cert_options::valid({host}));
    case cert_kind::expired: return test_ca().issue(cert_options::expired({host}));
    case cert_kind::untrusted: return rogue_ca().issue(cert_options::valid({host}));
    case cert_kind::none: break;
  }
  throw std::logic_error("make_leaf: no certificate");
}

// ---------------------------------------------------------------------------------------
// smtp_peer
// ---------------------------------------------------------------------------------------

struct smtp_peer::state : std::enable_shared_from_this<smtp_peer::state> {
  state(asio::any_io_executor ex, peer_script s) : acceptor(ex), script(std::move(s)) {}
  tcp::acceptor acceptor;
  peer_script script;
  std::shared_ptr<net::tls_context const> tls_ctx;
  mutable std::mutex mu;
  std::vector<peer_session> sessions;
  bool stopped = false;

  std::size_t open_session(bool implicit) {
    std::lock_guard lk(mu);
    sessions.push_back(peer_session{});
    sessions.back().implicit = implicit;
    return sessions.size() - 1;
  }
  template <class F>
  void update(std::size_t i, F f) {
    std::lock_guard lk(mu);
    f(sessions[i]);
  }

  enum class loop_end { closed, starttls };

  template <class Stream>
  asio::awaitable<bool> send(Stream& s, std::string text) {
    auto ec = co_await net::write_all(s, text, 5s);
    co_return !ec;
  }

  template <class Stream>
  asio::awaitable<loop_end> serve(Stream& s, net::line_reader<Stream>& lr, std::size_t idx, bool tls) {
    bool ehlo_seen = false;  // in this phase (plaintext, or inside TLS)
    for (;;) {
      auto l = co_await lr.read_line(10s);
      if (l.status != net::line_status::line) co_return loop_end::closed;
      std::string verb = l.line.substr(0, l.line.find(' '));
      for (auto& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      update(idx, [&](peer_session& p) { p.commands.push_back(verb); });
      if (verb == "EHLO") {
        std::string r = "250-" + script.host;
        std::string const& greet = tls ? script.ehlo_greet_tls : script.ehlo_greet_plain;
        if (!greet.empty()) r += " " + greet;
        r += "\r\n250-SIZE 10000000\r\n";
        if (script.eightbitmime) r += "250-8BITMIME\r\n";
        if ((!tls && script.offer_starttls) || (tls && script.offer_starttls_in_tls)) r += "250-STARTTLS\r\n";
        ehlo_seen = true;
        r += "250 ENHANCEDSTATUSCODES\r\n";
        if (!co_await send(s, r)) co_return loop_end::closed;
      } else if (verb == "HELO") {
        if (!co_await send(s, "250 " + script.host + "\r\n")) co_return loop_end::closed;
      } else if (verb == "STARTTLS") {
        if (tls) {
          if (!co_await send(s, "503 5.5.1 TLS already active\r\n")) co_return loop_end::closed;
        } else if (!script.offer_starttls) {
          if (!co_await send(s, "502 5.5.1 not implemented\r\n")) co_return loop_end::closed;
        } else if (script.starttls_code != 220 || !tls_ctx) {
          auto code = tls_ctx ? script.starttls_code : std::uint16_t{454};
          if (!co_await send(s, std::to_string(code) + " 4.7.0 TLS not available\r\n")) co_return loop_end::closed;
        } else {
          if (!co_await send(s, "220 2.0.0 Ready to start TLS\r\n" + script.inject_after_ready)) co_return loop_end::closed;
          co_return loop_end::starttls;
        }
      } else if (verb == "MAIL" && tls && script.forget_ehlo_on_tls && !ehlo_seen) {
        if (!co_await send(s, "503 5.5.1 EHLO first\r\n")) co_return loop_end::closed;
      } else if (verb == "MAIL") {
        update(idx, [&](peer_session& p) { (tls ? p.mail_from_tls : p.mail_from_plaintext) = true; });
        if (!co_await send(s, std::to_string(script.mail_code) + " 2.1.0 ok\r\n")) co_return loop_end::closed;
      } else if (verb == "RCPT") {
        update(idx, [&](peer_session& p) { p.rcpts.push_back(l.line); });
        if (!co_await send(s, std::to_string(script.rcpt_code) + (script.rcpt_code < 300 ? " 2.1.5 ok\r\n" : " 5.1.1 no\r\n")))
          co_return loop_end::closed;
      } else if (verb == "DATA") {
        if (!co_await send(s, "354 go ahead\r\n")) co_return loop_end::closed;
        std::string data;
        for (;;) {
          auto dl = co_await lr.read_line(10s);
          if (dl.status != net::line_status::line) co_return loop_end::closed;
          if (dl.line == ".") break;
          // [SMTP-4.5.2-02] remove the stuffed dot.
          data += (dl.line.starts_with(".") ? dl.line.substr(1) : dl.line) + "\r\n";
        }
        if (script.final_code < 300) update(idx, [&](peer_session& p) { p.messages.push_back(data); });
        if (!co_await send(s, std::to_string(script.final_code) + " 2.0.0 queued\r\n")) co_return loop_end::closed;
      } else if (verb == "QUIT") {
        (void)co_await send(s, "221 2.0.0 bye\r\n");
        co_return loop_end::closed;
      } else if (verb == "RSET" || verb == "NOOP") {
        if (!co_await send(s, "250 2.0.0 ok\r\n")) co_return loop_end::closed;
      } else {
        if (!co_await send(s, "500 5.5.2 unknown\r\n")) co_return loop_end::closed;
      }
    }
  }

  asio::awaitable<void> handle(tcp::socket sock) {
    auto self = shared_from_this();
    if (script.reset_on_connect) {
      open_session(script.implicit_tls);
      boost::system::error_code ignored;
      sock.set_option(asio::socket_base::linger(true, 0), ignored);
      sock.close(ignored);
      co_return;
    }
    auto const idx = open_session(script.implicit_tls);
    std::string const greeting = "220 " + script.host + " " + script.greeting_text + "\r\n";
    if (script.implicit_tls) {
      if (!tls_ctx) co_return;
      net::tls_stream ts(std::move(sock), tls_ctx);
      auto hs = co_await ts.async_handshake();
      if (!hs) {
        update(idx, [](peer_session& p) { p.handshake_failed = true; });
        co_return;
      }
      update(idx, [&](peer_session& p) {
        p.tls = true;
        p.sni = hs->sni;
        p.commands.push_back("TLS");
      });
      if (!co_await send(ts, greeting)) co_return;
      net::line_reader<net::tls_stream> lr(ts, 1000);
      (void)co_await serve(ts, lr, idx, true);
      co_await ts.async_shutdown();
      co_return;
    }
    if (!co_await send(sock, greeting)) co_return;
    loop_end end;
    {
      net::line_reader<tcp::socket> lr(sock, 1000);
      end = co_await serve(sock, lr, idx, false);
    }
    if (end != loop_end::starttls) co_return;
    net::tls_stream ts(std::move(sock), tls_ctx);
    auto hs = co_await ts.async_handshake();
    if (!hs) {
      update(idx, [](peer_session& p) { p.handshake_failed = true; });
      co_return;
    }
    update(idx, [&](peer_session& p) {
      p.tls = true;
      p.sni = hs->sni;
      p.commands.push_back("TLS");
    });
    net::line_reader<net::tls_stream> lr(ts, 1000);
    (void)co_await serve(ts, lr, idx, true);
    co_await ts.async_shutdown();
  }

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      auto [ec, sock] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      asio::co_spawn(acceptor.get_executor(), [self, s = std::move(sock)]() mutable { return self->handle(std::move(s)); },
                     asio::detached);
    }
  }
};

smtp_peer::smtp_peer(asio::any_io_executor ex, peer_script script)
    : state_(std::make_shared<state>(std::move(ex), std::move(script))) {
  if (state_->script.leaf) {
    net::tls_config c;
    c.role = net::tls_role::server;
    c.chains.push_back(state_->script.leaf->as_server_chain());
    c.handshake_timeout = 5s;
    auto ctx = net::tls_context::create(std::move(c));
    if (!ctx) throw std::runtime_error("peer TLS context: " + ctx.error().message());
    state_->tls_ctx = *ctx;
  }
}

smtp_peer::~smtp_peer() = default;

std::uint16_t smtp_peer::start(asio::ip::address address) {
  auto& a = state_->acceptor;
  a.open(address.is_v6() ? tcp::v6() : tcp::v4());
  a.set_option(tcp::acceptor::reuse_address(true));
  a.bind(tcp::endpoint(address, 0));
  a.listen();
  port_ = a.local_endpoint().port();
  auto st = state_;
  asio::co_spawn(a.get_executor(), [st]() { return st->accept_loop(); }, asio::detached);
  return port_;
}

void smtp_peer::stop() {
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
}

std::vector<peer_session> smtp_peer::sessions() const {
  std::lock_guard lk(state_->mu);
  return state_->sessions;
}

bool smtp_peer::saw_mail_in_plaintext() const {
  for (auto const& s : sessions())
    if (s.mail_from_plaintext) return true;
  return false;
}

bool smtp_peer::saw_any_mail() const {
  for (auto const& s : sessions())
    if (s.mail_from_plaintext || s.mail_from_tls) return true;
  return false;
}

std::size_t smtp_peer::messages_over_tls() const {
  std::size_t n = 0;
  for (auto const& s : sessions())
    if (s.tls) n += s.messages.size();
  return n;
}

std::size_t smtp_peer::messages_in_plaintext() const {
  std::size_t n = 0;
  for (auto const& s : sessions())
    if (!s.tls) n += s.messages.size();
  return n;
}

// ---------------------------------------------------------------------------------------
// test_world
// ---------------------------------------------------------------------------------------

namespace {
std::atomic<unsigned> address_counter{0};
std::atomic<unsigned> zone_counter{0};
}  // namespace

test_world::test_world() {
  guard_.emplace(io_.get_executor());
  thread_ = std::thread([this] { io_.run(); });
  net::dns::authority_options ao;
  zones_ = std::make_shared<net::dns::authority>(ao);
  dns_ = std::make_unique<net::dns::server>(io_.get_executor(), zones_);
  auto port = dns_->start(asio::ip::make_address("127.0.0.1"), 0);
  if (!port) throw std::runtime_error("DNS server: " + port.error().message());
  dns_port_ = *port;
  anchor_text_ = zones_->trust_anchor_text();
  char tmpl[] = "/tmp/mxtls-send-test-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  anchor_file_ = dir_ + "/root.key";
  ca_file_ = dir_ + "/ca.pem";
  std::ofstream(anchor_file_) << anchor_text_ << "\n";
  std::ofstream(ca_file_) << test_ca().root_pem();
}

test_world::~test_world() {
  run_on_world([this] {
    for (auto& p : peers_) p->stop();
    for (auto& p : policy_hosts_) p->stop();
    policy_hosts_.clear();
    if (dns_) dns_->stop();
  });
  guard_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
  peers_.clear();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void test_world::run_on_world(std::function<void()> f) {
  std::promise<void> done;
  auto fut = done.get_future();
  asio::post(io_, [&] {
    try {
      f();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  if (fut.wait_for(20s) != std::future_status::ready) throw std::runtime_error("world task did not finish");
  fut.get();
}

std::string test_world::new_zone_name() { return "t" + std::to_string(++zone_counter) + ".test"; }

asio::ip::address test_world::new_address() {
  unsigned const n = ++address_counter;
  return asio::ip::make_address_v4(asio::ip::address_v4::bytes_type{
      127, 1, static_cast<unsigned char>((n >> 8) & 0xFF), static_cast<unsigned char>(n & 0xFF)});
}

void test_world::add_zone(std::string const& name, net::dns::zone_security security, std::vector<std::string> records) {
  auto r = zones_->add_zone(net::dns::zone_spec{name, security, std::move(records)});
  if (!r) throw std::runtime_error("add_zone " + name + ": " + r.error().message());
}

mx_host test_world::start_host(std::string const& name, peer_script smtp, std::optional<peer_script> implicit) {
  mx_host h;
  h.name = name;
  h.address = new_address();
  run_on_world([&] {
    h.smtp = std::make_shared<smtp_peer>(io_.get_executor(), std::move(smtp));
    h.smtp->start(h.address);
    if (implicit) {
      implicit->implicit_tls = true;
      h.implicit = std::make_shared<smtp_peer>(io_.get_executor(), std::move(*implicit));
      h.implicit_port = h.implicit->start(h.address);
    } else {
      // A port nobody listens on: connections are refused.
      tcp::acceptor probe(io_, tcp::endpoint(h.address, 0));
      h.implicit_port = probe.local_endpoint().port();
    }
  });
  std::lock_guard lk(mu_);
  peers_.push_back(h.smtp);
  if (h.implicit) peers_.push_back(h.implicit);
  port_map_[h.address] = port_override{h.smtp->port(), h.implicit_port};
  return h;
}

test_world::policy_host test_world::start_policy_host(std::string const& domain, std::string body, cert_kind cert,
                                                      std::function<net::http_response(net::policy_request const&)> script) {
  policy_host out;
  out.address = new_address();
  std::string const host = "mta-sts." + domain;
  net::policy_server_config c;
  c.tls.role = net::tls_role::server;
  c.tls.chains.push_back(make_leaf(host, cert).as_server_chain());
  c.policy_body = std::move(body);
  c.script = std::move(script);
  run_on_world([&] {
    auto s = net::policy_server::start(io_.get_executor(), std::move(c), tcp::endpoint(out.address, 0));
    if (!s) throw std::runtime_error("policy server: " + s.error().message());
    out.server = s->get();
    out.port = out.server->local_endpoint().port();
    policy_hosts_.push_back(std::move(*s));
  });
  return out;
}

std::size_t test_world::policy_requests(policy_host const& h) {
  std::size_t n = 0;
  run_on_world([&] { n = h.server->requests().size(); });
  return n;
}

client_config test_world::config() const {
  client_config c;
  c.helo = "client.sender.test";
  c.resolver = net::dns::server_address{asio::ip::make_address("127.0.0.1"), dns_port_};
  c.trust_anchor = net::dns::trust_anchor::parse(anchor_text_).value();
  c.system_trust = false;
  c.ca_pem = {test_ca().root_pem()};
  c.shuffle_equal_preference = false;
  c.timeout.connect = 2s;
  c.timeout.implicit_connect = 2s;
  c.timeout.implicit_setup = 4s;
  c.timeout.set_smtp(3s);
  c.timeout.quit = 1s;
  c.timeout.tls_handshake = 3s;
  c.timeout.dns_attempt = 300ms;
  c.timeout.dns_query = 1500ms;
  c.timeout.dns_lookup = 5s;
  c.timeout.https = 3s;
  {
    std::lock_guard lk(mu_);
    c.port_map = port_map_;
  }
  return c;
}

delivery_report deliver_to(client_config const& cfg, state_store& state, std::vector<std::string> const& to,
                           std::string const& message) {
  delivery_request req;
  req.from = "a@sender.test";
  for (auto const& t : to) req.recipients.push_back(parse_mailbox(t).value());
  req.content = prepare_message(message).value();
  return deliver_sync(cfg, state, req);
}

unix_seconds wall_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace mxtls::client::test
