// The one Beast translation unit (stack.md pitfall 11): the MTA-STS policy fetch
// (STS-3.2-01..03, STS-3.3-01..08, STS-7.1-02) and the scriptable policy host
// (STS-7.1-04; fault injection for X-20..X-25, X-29).
#include "mxtls/net/https.hpp"

#include "mxtls/spec/dns/name.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>
#include <type_traits>

namespace mxtls::net {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::system::error_code;

// tls_stream is what Beast needs: an async stream whose lowest layer is the TCP socket.
static_assert(beast::is_async_stream<tls_stream>::value);
static_assert(std::is_same_v<beast::lowest_layer_type<tls_stream>, tcp::socket>);

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

error fail(errc e, std::string_view requirement, std::string detail = {}) {
  return error{make_error_code(e), requirement, 0, std::move(detail)};
}

// Closes a socket (and runs `on_fire`) when a deadline passes: Beast's composed operations
// then complete with an error whatever their cancellation support. Safe against the timer
// handler running after the owner is gone.
class watchdog {
 public:
  watchdog(asio::any_io_executor ex, std::function<void()> on_fire)
      : timer_(ex), state_(std::make_shared<state>()) {
    state_->on_fire = std::move(on_fire);
  }
  ~watchdog() {
    state_->alive = false;
    timer_.cancel();
  }
  watchdog(watchdog const&) = delete;
  watchdog& operator=(watchdog const&) = delete;

  void arm(std::chrono::steady_clock::duration d) {
    auto const generation = ++state_->generation;
    state_->armed = true;
    timer_.expires_after(d);
    timer_.async_wait([st = state_, generation](error_code ec) {
      // A handler already queued when disarm() ran must not fire either.
      if (ec || !st->alive || !st->armed || st->generation != generation) return;
      st->fired = true;
      st->on_fire();
    });
  }
  void disarm() {
    state_->armed = false;
    timer_.cancel();
  }
  [[nodiscard]] bool fired() const noexcept { return state_->fired; }

 private:
  struct state {
    bool alive = true;
    bool armed = false;
    bool fired = false;
    std::uint64_t generation = 0;
    std::function<void()> on_fire;
  };
  asio::steady_timer timer_;
  std::shared_ptr<state> state_;
};

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_text_plain(std::string_view content_type) noexcept {
  // [STS-3.2-02] type/subtype compared case-insensitively; [STS-3.2-03] parameters ignored.
  auto const semi = content_type.find(';');
  return iequals(trim(content_type.substr(0, semi)), "text/plain");
}

// ------------------------------------------------------------------------------------
// Policy fetch
// ------------------------------------------------------------------------------------

asio::awaitable<result<fetched_policy>> fetch_policy(policy_fetch_options options) {
  auto ex = co_await asio::this_coro::executor;

  // [STS-3.2-01][STS-7.1-02] host "mta-sts.<Policy Domain>", lower case, no trailing dot.
  auto domain = spec::dns::parse_hostname(options.policy_domain, {.allow_trailing_dot = true, .min_labels = 1});
  if (!domain) co_return fail(errc::config_invalid, "STS-3.2-01", "policy domain: " + domain.error().message());
  std::string const host = "mta-sts." + *domain;

  fetched_policy out;
  out.url = "https://" + host + std::string(policy_path);

  tcp::socket socket(ex);
  tcp::resolver resolver(ex);
  tcp::socket* live_socket = &socket;  // the socket the watchdog closes (moved into TLS later)
  // [STS-3.3-08] one deadline for the whole fetch.
  watchdog wd(ex, [&] {
    resolver.cancel();
    error_code ignored;
    live_socket->close(ignored);
  });
  wd.arm(options.timeout);
  auto timed_out = [&](std::string what) {
    return fail(errc::fetch_timeout, "STS-3.3-08", std::move(what) + " not finished within the fetch timeout");
  };

  std::vector<tcp::endpoint> endpoints = options.addresses;
  if (endpoints.empty() && options.resolve) {
    auto resolved = co_await options.resolve(host);
    if (wd.fired()) co_return timed_out("resolution");
    if (!resolved) {
      error e = resolved.error();
      if (e.code.category() != net_category()) e.detail = host + ": " + e.message();
      e.code = make_error_code(errc::resolve_failed);
      co_return e;
    }
    endpoints = std::move(*resolved);
    if (endpoints.empty()) co_return fail(errc::resolve_failed, {}, host + ": no address");
  } else if (endpoints.empty()) {
    auto [ec, results] = co_await resolver.async_resolve(host, std::to_string(options.port), use_tuple);
    if (wd.fired()) co_return timed_out("resolution");
    if (ec) co_return fail(errc::resolve_failed, {}, host + ": " + ec.message());
    for (auto const& r : results) endpoints.push_back(r.endpoint());
    if (endpoints.empty()) co_return fail(errc::resolve_failed, {}, host + ": no address");
  }

  auto [cec, peer] = co_await asio::async_connect(socket, endpoints, use_tuple);
  if (wd.fired()) co_return timed_out("connect");
  if (cec) co_return fail(errc::connect_failed, {}, host + ": " + cec.message());
  out.peer = peer;

  // [STS-3.3-01] PKIX validation against the policy host, required; [STS-7.1-02] SNI is
  // the policy host name.
  tls_config tc = std::move(options.tls);
  tc.role = tls_role::client;
  tc.sni = host;
  tc.reference_identity = host;
  tc.verify = options.lenient ? verify_mode::record : verify_mode::require;  // TEST ONLY lenient
  tc.dane = nullptr;
  tc.handshake_timeout = options.timeout;
  auto ctx = tls_context::create(std::move(tc));
  if (!ctx) co_return ctx.error();
  tls_stream stream(std::move(socket), *ctx);
  live_socket = &stream.next_layer();

  auto hs = co_await stream.async_handshake();
  if (wd.fired()) co_return timed_out("TLS handshake");
  if (!hs) {
    error e = hs.error();
    if (e.code == make_error_code(errc::certificate_host_mismatch)) e.requirement = "STS-3.3-02";
    else if (policy_fetch_result_type(e.code) == tlsrpt_result_type::sts_webpki_invalid) e.requirement = "STS-3.3-01";
    else e.requirement = {};
    co_return e;
  }
  out.tls = std::move(*hs);

  // [STS-3.2-01] GET of the well-known path with Host = policy host; [STS-3.3-06] no
  // conditional or cache headers; [STS-3.3-08] no Accept-Encoding.
  http::request<http::empty_body> req{http::verb::get, std::string(policy_path), 11};
  req.set(http::field::host, host);
  req.set(http::field::user_agent, options.user_agent);
  req.set(http::field::connection, "close");
  auto [wec, wn] = co_await http::async_write(stream, req, use_tuple);
  (void)wn;
  if (wd.fired()) co_return timed_out("request");
  if (wec) co_return fail(errc::http_protocol_error, {}, "sending the request: " + wec.message());

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(options.header_limit, UINT32_MAX)));
  parser.body_limit(boost::none);  // the status decides first; the body limit is set below
  auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
  (void)hn;
  if (wd.fired()) co_return timed_out("response header");
  if (hec) co_return fail(errc::http_protocol_error, {}, "response header: " + hec.message());

  auto const& head = parser.get();
  unsigned const status = head.result_int();
  if (options.lenient) {
    // TEST ONLY: every status, every size, no certificate check (policy_fetch_options::lenient).
    parser.body_limit(boost::none);
    auto [lec, ln] = co_await http::async_read(stream, buffer, parser, use_tuple);
    (void)ln;
    if (wd.fired()) co_return timed_out("response body");
    if (lec) co_return fail(errc::http_protocol_error, {}, "response body: " + lec.message());
    out.content_type = std::string(parser.get()[http::field::content_type]);
    out.content_type_ok = is_text_plain(out.content_type);
    out.body = std::move(parser.get().body());
    if (out.body.size() > options.body_limit) out.body.resize(options.body_limit);
    wd.disarm();
    co_await stream.async_shutdown();
    co_return out;
  }
  if (status == 304)  // [STS-3.3-06] caching is never used, so "not modified" is a failure
    co_return fail(errc::http_not_modified, "STS-3.3-06", "HTTP 304");
  if (status >= 300 && status < 400) {
    // [STS-3.3-05] redirects MUST NOT be followed; the Location is only reported.
    std::string where(head[http::field::location]);
    co_return fail(errc::http_redirect, "STS-3.3-05",
                   "HTTP " + std::to_string(status) + (where.empty() ? std::string{} : " to " + where));
  }
  if (status != 200)  // [STS-3.3-04] only 200 (OK)
    co_return fail(errc::http_status, "STS-3.3-04", "HTTP " + std::to_string(status));

  // [STS-3.3-08] mxtls-DECISION: no Accept-Encoding was sent; only identity is accepted.
  auto const encoding = trim(std::string_view(head[http::field::content_encoding]));
  if (!encoding.empty() && !iequals(encoding, "identity"))
    co_return fail(errc::content_encoding, "STS-3.3-08", "Content-Encoding: " + std::string(encoding));

  // [STS-3.3-08] 64 KiB: a declared length is refused before reading; a chunked or
  // close-delimited body is stopped as soon as it passes the limit.
  if (auto const declared = parser.content_length(); declared && *declared > options.body_limit)
    co_return fail(errc::body_too_large, "STS-3.3-08",
                   "Content-Length " + std::to_string(*declared) + " above " + std::to_string(options.body_limit));
  parser.body_limit(options.body_limit);

  auto [bec, bn] = co_await http::async_read(stream, buffer, parser, use_tuple);
  (void)bn;
  if (wd.fired()) co_return timed_out("response body");
  if (bec == http::error::body_limit)
    co_return fail(errc::body_too_large, "STS-3.3-08", "body above " + std::to_string(options.body_limit) + " octets");
  if (bec) co_return fail(errc::http_protocol_error, {}, "response body: " + bec.message());

  out.content_type = std::string(parser.get()[http::field::content_type]);
  out.content_type_ok = is_text_plain(out.content_type);
  out.body = std::move(parser.get().body());
  wd.disarm();
  co_await stream.async_shutdown();
  co_return out;
}

// ------------------------------------------------------------------------------------
// Policy host
// ------------------------------------------------------------------------------------

http_response http_response::redirect(unsigned status, std::string location, std::string body) {
  http_response r;
  r.status = status;
  r.headers.emplace_back("Location", std::move(location));
  r.body = std::move(body);
  return r;
}

struct policy_server::impl : std::enable_shared_from_this<impl> {
  impl(asio::any_io_executor e, policy_server_config c, std::shared_ptr<tls_context const> t)
      : ex(std::move(e)), cfg(std::move(c)), tls(std::move(t)), acceptor(ex) {}

  asio::any_io_executor ex;
  policy_server_config cfg;
  std::shared_ptr<tls_context const> tls;
  tcp::acceptor acceptor;
  mutable std::mutex mu;
  std::vector<http_request_record> log;
  std::size_t connections = 0;
  std::set<tcp::socket*> open;
  bool stopped = false;

  void record(http_request_record rec) {
    {
      std::lock_guard lock(mu);
      log.push_back(rec);
    }
    if (cfg.on_request) cfg.on_request(rec);
  }
};

namespace {

std::string header_block(http_response const& r) {
  std::string reason = r.reason;
  if (reason.empty()) reason = std::string(http::obsolete_reason(static_cast<http::status>(r.status)));
  std::string h = "HTTP/1.1 " + std::to_string(r.status) + " " + reason + "\r\n";
  if (r.content_type) h += "Content-Type: " + *r.content_type + "\r\n";
  switch (r.body_framing) {
    case http_response::framing::content_length:
      h += "Content-Length: " + std::to_string(r.declared_length.value_or(r.body.size())) + "\r\n";
      break;
    case http_response::framing::chunked:
      h += "Transfer-Encoding: chunked\r\n";
      break;
    case http_response::framing::close_delimited:
      break;
  }
  for (auto const& [k, v] : r.headers) h += k + ": " + v + "\r\n";
  h += "Connection: close\r\n\r\n";
  return h;
}

std::string hex(std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), digits[n & 0xf]);
    n >>= 4;
  } while (n != 0);
  return s;
}

// Sends a (possibly faulty) response. Returns false when the connection was cut on purpose.
asio::awaitable<bool> send_response(tls_stream& stream, http_response const& r) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer pause(ex);
  if (r.delay.count() > 0) {
    pause.expires_after(r.delay);
    co_await pause.async_wait(use_tuple);
  }
  auto send = [&](std::string const& bytes) -> asio::awaitable<bool> {
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(bytes), use_tuple);
    (void)n;
    co_return !ec;
  };
  if (!co_await send(header_block(r))) co_return false;

  std::size_t const limit = std::min(r.body.size(), r.close_after_body_bytes);
  std::size_t const piece = r.drip_interval.count() > 0 ? std::max<std::size_t>(r.drip_bytes, 1)
                            : r.body_framing == http_response::framing::chunked ? std::max<std::size_t>(r.chunk_size, 1)
                                                                                : std::max<std::size_t>(limit, 1);
  std::size_t sent = 0;
  while (sent < limit) {
    std::size_t const n = std::min(piece, limit - sent);
    std::string bytes = r.body.substr(sent, n);
    if (r.body_framing == http_response::framing::chunked) bytes = hex(n) + "\r\n" + bytes + "\r\n";
    if (!co_await send(bytes)) co_return false;
    sent += n;
    if (r.drip_interval.count() > 0 && sent < limit) {
      pause.expires_after(r.drip_interval);
      co_await pause.async_wait(use_tuple);
    }
  }
  if (r.close_after_body_bytes < r.body.size()) {
    // Close mid-body: no close_notify, no final chunk.
    error_code ignored;
    stream.next_layer().close(ignored);
    co_return false;
  }
  if (r.body_framing == http_response::framing::chunked && !co_await send("0\r\n\r\n")) co_return false;
  co_return true;
}

asio::awaitable<void> serve(std::shared_ptr<policy_server::impl> self, tcp::socket socket) {
  error_code ec;
  auto const remote = socket.remote_endpoint(ec);
  tls_stream stream(std::move(socket), self->tls);
  tcp::socket* raw = &stream.next_layer();
  self->open.insert(raw);
  struct unregister {
    policy_server::impl* s;
    tcp::socket* p;
    ~unregister() { s->open.erase(p); }
  } guard{self.get(), raw};

  watchdog wd(self->ex, [raw] {
    error_code ignored;
    raw->close(ignored);
  });

  // [STS-7.1-04] the chain matching the policy host name (or the fallback) is sent.
  auto hs = co_await stream.async_handshake();
  if (!hs) co_return;

  beast::flat_buffer buffer;
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(self->cfg.header_limit, UINT32_MAX)));
  parser.body_limit(self->cfg.body_limit);
  wd.arm(self->cfg.request_timeout);
  auto [rec_ec, rn] = co_await http::async_read(stream, buffer, parser, use_tuple);
  (void)rn;
  wd.disarm();
  if (wd.fired()) co_return;

  http_request_record rec;
  rec.time = std::chrono::system_clock::now();
  rec.remote = remote;
  rec.request.sni = hs->sni;
  http_response response;
  if (rec_ec) {
    if (rec_ec == http::error::header_limit) response.status = 431;
    else if (rec_ec == http::error::body_limit) response.status = 413;
    else if (parser.got_some() && rec_ec != http::error::end_of_stream && rec_ec != asio::error::eof &&
             rec_ec != make_error_code(errc::stream_truncated))
      response.status = 400;
    else
      co_return;  // the client went away
    response.body = std::string(http::obsolete_reason(static_cast<http::status>(response.status))) + "\n";
    if (parser.is_header_done()) {
      rec.request.method = std::string(parser.get().method_string());
      rec.request.target = std::string(parser.get().target());
      rec.request.host = std::string(parser.get()[http::field::host]);
    }
  } else {
    auto const& req = parser.get();
    rec.request.method = std::string(req.method_string());
    rec.request.target = std::string(req.target());
    rec.request.host = std::string(req[http::field::host]);
    for (auto const& f : req) rec.request.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    response = self->cfg.script ? self->cfg.script(rec.request)
                                : policy_server::default_response(rec.request, self->cfg.policy_body);
  }
  rec.status = response.status;
  self->record(rec);

  wd.arm(self->cfg.write_timeout);
  bool const complete = co_await send_response(stream, response);
  wd.disarm();
  if (!complete || wd.fired()) co_return;
  co_await stream.async_shutdown();
  stream.next_layer().shutdown(tcp::socket::shutdown_send, ec);
  stream.next_layer().close(ec);
}

asio::awaitable<void> accept_loop(std::shared_ptr<policy_server::impl> self) {
  for (;;) {
    auto [ec, socket] = co_await self->acceptor.async_accept(use_tuple);
    if (self->stopped || ec == asio::error::operation_aborted || !self->acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors or similar: pause instead of spinning.
      asio::steady_timer pause(self->ex, std::chrono::milliseconds(50));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    ++self->connections;
    asio::co_spawn(self->ex, serve(self, std::move(socket)), asio::detached);
  }
}

}  // namespace

policy_server::policy_server(std::shared_ptr<impl> i) : impl_(std::move(i)) {}

policy_server::~policy_server() { stop(); }

result<std::unique_ptr<policy_server>> policy_server::start(asio::any_io_executor ex, policy_server_config config,
                                                            tcp::endpoint where) {
  config.tls.role = tls_role::server;
  auto ctx = tls_context::create(config.tls);
  if (!ctx) return ctx.error();
  auto i = std::make_shared<impl>(ex, std::move(config), *ctx);
  error_code ec;
  i->acceptor.open(where.protocol(), ec);
  if (!ec) i->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) i->acceptor.bind(where, ec);
  if (!ec) i->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return error{ec, {}, 0, "listen on " + where.address().to_string() + ":" + std::to_string(where.port())};
  asio::co_spawn(ex, accept_loop(i), asio::detached);
  return std::unique_ptr<policy_server>(new policy_server(std::move(i)));
}

http_response policy_server::default_response(policy_request const& request, std::string const& body) {
  http_response r;
  if (request.method != "GET") {
    r.status = 405;
    r.headers.emplace_back("Allow", "GET");
    r.body = "method not allowed\n";
    return r;
  }
  // The query string is not part of the path.
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  if (path != policy_path) {
    r.status = 404;
    r.body = "not found\n";
    return r;
  }
  r.body = body;
  return r;
}

tcp::endpoint policy_server::local_endpoint() const {
  error_code ec;
  return impl_->acceptor.local_endpoint(ec);
}

std::vector<http_request_record> policy_server::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->log;
}

std::size_t policy_server::connections() const noexcept { return impl_->connections; }

void policy_server::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  error_code ec;
  impl_->acceptor.close(ec);
  for (auto* s : impl_->open) s->close(ec);
}

}  // namespace mxtls::net
