// The SMTP probe: deadlines around every read and write, spec/smtp's reply parser for the
// reply stream, the STARTTLS boundary kept (TLS-4-11: octets behind the 220 never become
// post-TLS replies) and the handshake facts written to the transcript.
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known false positive
// when the frame allocation is inlined); only this diagnostic is silenced, only here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "probe/smtp_probe.hpp"

#include "mxtls/net/line_io.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace mxtls::conformance::probe {

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string_view version_name(net::tls_version v) {
  switch (v) {
    case net::tls_version::tls1_0: return "TLS 1.0";
    case net::tls_version::tls1_1: return "TLS 1.1";
    case net::tls_version::tls1_2: return "TLS 1.2";
  }
  return "?";
}

std::string yes_no(bool b) { return b ? "yes" : "no"; }

// Reads once from `stream` into `inbox` (so octets that arrive while a deadline fires are
// never lost), giving the error code and count.
template <class Stream>
asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read_into(Stream& stream, std::array<char, 4096>& chunk,
                                                                            std::string& inbox) {
  co_await asio::this_coro::throw_if_cancelled(false);
  auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk), use_tuple);
  inbox.append(chunk.data(), n);
  co_return std::pair{ec, n};
}

}  // namespace

std::string_view to_string(reply_status s) noexcept {
  switch (s) {
    case reply_status::reply: return "reply";
    case reply_status::timeout: return "timeout";
    case reply_status::closed: return "connection closed";
    case reply_status::protocol_error: return "not an SMTP reply";
    case reply_status::io_error: return "I/O error";
  }
  return "?";
}

std::string reply_outcome::describe() const {
  if (!ok()) return std::string(to_string(status)) + (error.empty() ? "" : ": " + error);
  std::string out = std::to_string(value.code);
  if (!value.lines.empty()) out += " " + value.lines.front();
  if (value.lines.size() > 1) out += " (+" + std::to_string(value.lines.size() - 1) + " lines)";
  return out;
}

std::vector<std::string> legacy_ciphers() {
  return {"ChaCha20Poly1305", "AES-256/GCM", "AES-128/GCM", "AES-256", "AES-128"};
}

net::tlsrpt_result_type tls_outcome::result_type() const noexcept {
  if (!established) return net::mx_result_type(error);
  return info.verify.result_type;
}

smtp_probe::smtp_probe(asio::any_io_executor ex, transcript& log) : ex_(ex), log_(&log), socket_(ex) {}

smtp_probe::~smtp_probe() { close(); }

asio::awaitable<std::string> smtp_probe::connect(std::string host, std::uint16_t port, milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  log_->note("connecting to " + host + " port " + std::to_string(port));
  std::vector<tcp::endpoint> endpoints;
  boost::system::error_code parse_ec;
  auto const address = asio::ip::make_address(host, parse_ec);
  if (!parse_ec) {
    endpoints.emplace_back(address, port);
  } else {
    tcp::resolver resolver(ex_);
    asio::steady_timer timer(ex_);
    timer.expires_after(timeout);
    auto r = co_await (resolver.async_resolve(host, std::to_string(port), use_tuple) || timer.async_wait(use_tuple));
    if (r.index() == 1) co_return "resolving " + host + " timed out";
    auto [ec, results] = std::get<0>(std::move(r));
    if (ec) co_return "cannot resolve " + host + ": " + ec.message();
    for (auto const& e : results) endpoints.push_back(e.endpoint());
  }
  asio::steady_timer timer(ex_);
  timer.expires_after(timeout);
  auto r = co_await (asio::async_connect(socket_, endpoints, use_tuple) || timer.async_wait(use_tuple));
  if (r.index() == 1) {
    closed_ = true;
    co_return "connect to " + host + " port " + std::to_string(port) + " timed out";
  }
  auto [ec, ep] = std::get<0>(r);
  if (ec) {
    closed_ = true;
    co_return "connect to " + host + " port " + std::to_string(port) + " failed: " + ec.message();
  }
  connected_ = true;
  log_->note("connected to " + ep.address().to_string() + " port " + std::to_string(ep.port()));
  co_return std::string{};
}

asio::awaitable<smtp_probe::read_result> smtp_probe::read_some(milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  std::size_t const before = inbox_.size();
  asio::steady_timer timer(ex_);
  timer.expires_after(timeout);
  read_result out;
  if (tls_) {
    auto r = co_await (read_into(*tls_, chunk_, inbox_) || timer.async_wait(use_tuple));
    if (r.index() == 1) out.timed_out = true;
    else std::tie(out.ec, out.n) = std::get<0>(r);
  } else {
    auto r = co_await (read_into(socket_, chunk_, inbox_) || timer.async_wait(use_tuple));
    if (r.index() == 1) out.timed_out = true;
    else std::tie(out.ec, out.n) = std::get<0>(r);
  }
  // Octets that arrived as the deadline fired still count.
  out.n = inbox_.size() - before;
  if (out.n) log_->add("S", std::string_view(inbox_).substr(before));
  co_return out;
}

void smtp_probe::take(std::size_t n) {
  // Feed the parser; keep the octets fed since the last reply so the STARTTLS boundary
  // can report exactly what followed the 220.
  std::string_view const bytes = std::string_view(inbox_).substr(0, n);
  fed_.append(bytes);
  parser_.feed(bytes);
  inbox_.erase(0, n);
}

asio::awaitable<reply_outcome> smtp_probe::read_reply(milliseconds timeout) {
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (!inbox_.empty()) take(inbox_.size());
    auto r = parser_.next();
    if (!r) {
      closed_ = true;
      auto const& e = r.error();
      co_return reply_outcome{reply_status::protocol_error, {},
                              e.message() + " [" + std::string(e.requirement) + "] at stream offset " +
                                  std::to_string(e.offset)};
    }
    if (*r) {
      ++replies_;
      fed_.erase(0, fed_.size() - std::min(fed_.size(), parser_.buffered()));
      co_return reply_outcome{reply_status::reply, std::move(**r), {}};
    }
    if (!connected_ || closed_) co_return reply_outcome{reply_status::closed, {}, "no connection"};
    auto const now = std::chrono::steady_clock::now();
    if (now >= deadline)
      co_return reply_outcome{reply_status::timeout, {}, "no complete reply within " + std::to_string(timeout.count()) + " ms"};
    auto rr = co_await read_some(std::chrono::duration_cast<milliseconds>(deadline - now));
    if (rr.n) continue;
    if (rr.timed_out)
      co_return reply_outcome{reply_status::timeout, {}, "no complete reply within " + std::to_string(timeout.count()) + " ms"};
    if (rr.ec) {
      closed_ = true;
      bool const eof = rr.ec == asio::error::eof || rr.ec == asio::error::connection_reset ||
                       rr.ec == net::errc::stream_truncated;
      log_->note("connection ended: " + rr.ec.message());
      if (!parser_.buffered() && eof) co_return reply_outcome{reply_status::closed, {}, rr.ec.message()};
      co_return reply_outcome{eof ? reply_status::closed : reply_status::io_error, {},
                              rr.ec.message() + (parser_.buffered() ? " inside an incomplete reply" : "")};
    }
  }
}

asio::awaitable<bool> smtp_probe::send_raw(std::string_view bytes, milliseconds timeout) {
  if (!connected_ || closed_) co_return false;
  log_->add("C", bytes);
  boost::system::error_code ec;
  if (tls_) ec = co_await net::write_all(*tls_, bytes, timeout);
  else ec = co_await net::write_all(socket_, bytes, timeout);
  if (ec) {
    log_->note("write failed: " + ec.message());
    closed_ = true;
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> smtp_probe::send_line(std::string_view line, milliseconds timeout) {
  std::string text(line);
  text += "\r\n";
  // Named results, never `co_return co_await`: g++ 12 miscompiles it after an awaited condition.
  bool const sent = co_await send_raw(text, timeout);
  co_return sent;
}

asio::awaitable<reply_outcome> smtp_probe::command(std::string_view line, milliseconds timeout) {
  if (!co_await send_line(line, timeout)) co_return reply_outcome{reply_status::closed, {}, "cannot send " + std::string(line)};
  auto r = co_await read_reply(timeout);
  co_return r;
}

asio::awaitable<ehlo_outcome> smtp_probe::ehlo(std::string_view name, milliseconds timeout) {
  ehlo_outcome out;
  out.reply = co_await command("EHLO " + std::string(name), timeout);
  if (out.reply.ok() && out.reply.value.code == 250) {
    auto caps = spec::smtp::parse_ehlo(out.reply.value);
    if (caps) out.caps = std::move(*caps);
  }
  co_return out;
}

asio::awaitable<tls_outcome> smtp_probe::start_tls(tls_options const& options) {
  tls_outcome out;
  if (!connected_ || closed_ || tls_) {
    out.error = make_error_code(net::errc::not_connected);
    out.error_text = "no plaintext connection to start TLS on";
    co_return out;
  }
  // [TLS-4-11] whatever followed the last reply stays outside TLS.
  before_tls_ = fed_.substr(fed_.size() - std::min(fed_.size(), parser_.buffered())) + inbox_;
  if (!before_tls_.empty())
    log_->note("plaintext received after the last reply, kept out of TLS: " + std::to_string(before_tls_.size()) +
               " octets");
  fed_.clear();
  inbox_.clear();
  parser_ = spec::smtp::reply_parser{};
  replies_ = 0;

  net::tls_config config;
  config.role = net::tls_role::client;
  config.system_trust = options.ca_file.empty();
  config.ca_file = options.ca_file;
  config.sni = options.sni;
  config.reference_identity = options.reference_identity.empty() ? options.sni : options.reference_identity;
  config.verify = net::verify_mode::record;
  config.min_version = options.min_version;
  config.max_version = options.max_version;
  config.ciphers = options.ciphers;
  if (config.ciphers.empty() && options.min_version < net::tls_version::tls1_2) config.ciphers = legacy_ciphers();
  config.handshake_timeout = options.timeout;
  auto ctx = net::tls_context::create(std::move(config));
  if (!ctx) {
    out.error = ctx.error().code;
    out.error_text = "cannot set up TLS: " + ctx.error().message();
    log_->add("tls", out.error_text);
    co_return out;
  }
  log_->add("tls", "ClientHello: " + std::string(version_name(options.min_version)) + ".." +
                       std::string(version_name(options.max_version)) +
                       (options.sni.empty() ? ", no SNI" : ", SNI " + options.sni));
  tls_ = std::make_unique<net::tls_stream>(std::move(socket_), *ctx);
  auto hs = co_await tls_->async_handshake();
  if (!hs) {
    out.error = hs.error().code;
    out.error_text = hs.error().message();
    closed_ = true;
  } else {
    out.established = true;
    out.info = std::move(*hs);
    for (auto const& der : out.info.peer_chain_der) {
      auto facts = read_cert_facts(der);
      out.chain.push_back(facts ? std::move(*facts) : cert_facts{"(unparsable certificate)", {}, {}, {}, {}, {}});
    }
  }
  record_tls(*log_, out, options);
  co_return out;
}

asio::awaitable<std::string> smtp_probe::read_raw(milliseconds window, std::size_t max) {
  auto const deadline = std::chrono::steady_clock::now() + window;
  while (inbox_.size() < max && connected_ && !closed_) {
    auto const now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    auto rr = co_await read_some(std::chrono::duration_cast<milliseconds>(deadline - now));
    if (rr.n) continue;
    if (rr.timed_out) break;
    if (rr.ec) {
      log_->note("connection ended: " + rr.ec.message());
      closed_ = true;
    }
  }
  std::string out = inbox_.substr(0, std::min(inbox_.size(), max));
  inbox_.erase(0, out.size());
  co_return out;
}

asio::awaitable<void> smtp_probe::quit(milliseconds timeout) {
  if (connected_ && !closed_) {
    auto r = co_await command("QUIT", timeout);
    (void)r;
    if (tls_ && tls_->is_established()) co_await tls_->async_shutdown();
  }
  close();
}

void smtp_probe::close() noexcept {
  boost::system::error_code ec;
  if (tls_) tls_->next_layer().close(ec);
  else socket_.close(ec);
  if (connected_ && !closed_) log_->note("closed the connection");
  closed_ = true;
}

void record_tls(transcript& log, tls_outcome const& out, tls_options const& options) {
  if (!out.established) {
    auto const type = net::to_string(out.result_type());
    log.add("tls", "handshake failed: " + out.error_text + (type.empty() ? "" : " (" + std::string(type) + ")"));
    return;
  }
  auto const& info = out.info;
  log.add("tls", "established: " + info.version + " " + info.cipher +
                     (info.sni.empty() ? ", no SNI sent" : ", SNI sent " + info.sni));
  for (std::size_t i = 0; i < out.chain.size(); ++i) log.add("tls", "chain[" + std::to_string(i) + "] " + describe(out.chain[i]));
  auto const& v = info.verify;
  auto const type = net::to_string(v.result_type);
  std::string const reference = options.reference_identity.empty() ? options.sni : options.reference_identity;
  log.add("tls", "verify against " + (options.ca_file.empty() ? std::string("the system store") : options.ca_file) +
                     " for " + reference + ": trusted=" + yes_no(v.trusted) + " name_matched=" + yes_no(v.name_matched) +
                     " expired=" + yes_no(v.expired) + " not_yet_valid=" + yes_no(v.not_yet_valid) +
                     (type.empty() ? " -> ok" : " -> " + std::string(type)) + (v.reason.empty() ? "" : " (" + v.reason + ")"));
}

}  // namespace mxtls::conformance::probe
