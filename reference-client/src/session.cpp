// One SMTP session of mxtls-send, as spec/proposal.md §7.3 writes session_starttls and
// session_implicit. Implements PFX-10..17, P26-11..14, TLS-4-04, TLS-4-06, TLS-4-11,
// TLS-4.1-01/02, TLS-4.2-03/04/07, DNS-08, DNS-09, DNS-19, BAN-01, BAN-14, BAN-15, BAN-23,
// SMTP-4.5.2-01, SMTP-1870.6-01, SMTP-6152.3-01, SMTP-4.5.3.2-01 and its per-command timeouts.
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (operator new/delete
// are the frame's own, class-specific pair; a known false positive when the frame
// allocation is inlined). Only this diagnostic is silenced, only in coroutine files.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "session.hpp"

#include "mxtls/net/errc.hpp"
#include "mxtls/net/line_io.hpp"
#include "mxtls/net/tls.hpp"
#include "mxtls/spec/banner/directive.hpp"
#include "mxtls/spec/smtp/ehlo.hpp"
#include "mxtls/spec/smtp/reply.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <chrono>

namespace mxtls::client::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using spec::policy::requires_tls;
using steady = std::chrono::steady_clock;

std::string_view to_string(session_mode m) noexcept {
  switch (m) {
    case session_mode::starttls: return "starttls";
    case session_mode::implicit_tls: return "implicit-tls";
    case session_mode::plaintext: return "plaintext-retry";
  }
  return "?";
}

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string one_line(spec::smtp::reply const& r) {
  std::string s = std::to_string(r.code);
  if (!r.lines.empty()) s += " " + r.lines.front();
  if (r.lines.size() > 1) s += " (+" + std::to_string(r.lines.size() - 1) + " lines)";
  return s;
}

std::string endpoint_text(asio::ip::address const& a, std::uint16_t port) {
  return a.is_v6() ? "[" + a.to_string() + "]:" + std::to_string(port) : a.to_string() + ":" + std::to_string(port);
}

/// Replies from a server over any AsyncStream, through the incremental reply parser, with a
/// deadline per reply. The parser's buffered() count is the STARTTLS boundary (TLS-4-11).
template <class Stream>
class smtp_io {
 public:
  enum class status { ok, timeout, closed, protocol_error };
  struct reply_result {
    status st = status::closed;
    spec::smtp::reply reply;
    std::string detail;
    [[nodiscard]] bool ok() const noexcept { return st == status::ok; }
  };

  explicit smtp_io(Stream& s) : s_(&s) {}

  asio::awaitable<reply_result> read_reply(std::chrono::milliseconds timeout) {
    using namespace asio::experimental::awaitable_operators;
    auto const deadline = steady::now() + timeout;
    for (;;) {
      auto next = parser_.next();
      if (!next) co_return reply_result{status::protocol_error, {}, next.error().message()};
      if (*next) co_return reply_result{status::ok, std::move(**next), {}};
      if (steady::now() >= deadline) co_return reply_result{status::timeout, {}, "no reply within the timeout"};
      asio::steady_timer timer(s_->get_executor());
      timer.expires_at(deadline);
      auto r = co_await (s_->async_read_some(asio::buffer(buf_), use_tuple) || timer.async_wait(use_tuple));
      if (r.index() == 1) co_return reply_result{status::timeout, {}, "no reply within the timeout"};
      auto [ec, n] = std::get<0>(r);
      if (n > 0) parser_.feed(std::string_view(buf_.data(), n));
      if (ec && n == 0) {
        // Replies completed before the close are still returned first.
        auto again = parser_.next();
        if (again && *again) co_return reply_result{status::ok, std::move(**again), {}};
        co_return reply_result{status::closed, {}, ec == asio::error::eof ? "connection closed" : ec.message()};
      }
    }
  }

  asio::awaitable<bool> send(std::string_view text, std::chrono::milliseconds timeout) {
    auto ec = co_await net::write_all(*s_, text, timeout);
    co_return !ec;
  }

  /// [TLS-4-11] octets received after the last reply returned.
  [[nodiscard]] std::size_t buffered() const noexcept { return parser_.buffered(); }

 private:
  Stream* s_;
  spec::smtp::reply_parser parser_;
  std::array<char, 4096> buf_{};
};

asio::awaitable<error_code> connect_with_timeout(tcp::socket& sock, tcp::endpoint const& ep,
                                                 std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(sock.get_executor());
  timer.expires_after(timeout);
  auto r = co_await (sock.async_connect(ep, use_tuple) || timer.async_wait(use_tuple));
  if (r.index() == 1) {
    error_code ignored;
    sock.close(ignored);
    co_return asio::error::timed_out;
  }
  co_return std::get<0>(std::get<0>(r));
}

std::chrono::milliseconds remaining(steady::time_point deadline) {
  auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
  return left.count() > 0 ? left : std::chrono::milliseconds(1);
}

class session {
 public:
  session(session_env& env, session_request const& req) : env_(env), req_(req), d_(req.decision) {}

  asio::awaitable<session_result> run() {
    switch (req_.mode) {
      case session_mode::starttls: co_await starttls(); break;
      case session_mode::implicit_tls: co_await implicit(); break;
      case session_mode::plaintext: co_await plaintext(); break;
    }
    co_return std::move(res_);
  }

 private:
  void note(std::string step, std::string text, std::vector<std::string> ids = {}) {
    env_.trail.push_back(trail_step{std::move(step), std::move(text), std::move(ids)});
  }

  void finish(session_kind k, std::string reason, std::vector<std::string> ids, std::string failure = {}) {
    res_.kind = k;
    res_.reason = std::move(reason);
    res_.ids = std::move(ids);
    if (!failure.empty() && res_.tls) res_.tls->failure = failure;
    if (!failure.empty() && !res_.tls) {
      tls_facts t;
      t.implicit = req_.mode == session_mode::implicit_tls;
      t.failure = std::move(failure);
      res_.tls = std::move(t);
    }
  }

  /// A failure of the TLS requirement before any transaction. At opportunistic the caller
  /// may continue in plaintext (DNS-19); otherwise it is a requirement failure (PFX-14).
  void requirement_failure(std::string reason, std::vector<std::string> ids, std::string failure) {
    finish(session_kind::requirement_failed, std::move(reason), std::move(ids), std::move(failure));
  }

  [[nodiscard]] bool tls_required() const noexcept { return requires_tls(d_.tls); }

  /// Whether a failed STARTTLS may end in plaintext: only at opportunistic (DNS-19).
  [[nodiscard]] bool plaintext_allowed() const noexcept {
    // TEST ONLY plaintext-fallback / port26-fallback-plaintext break [PFX-14][DNS-19][P26-15].
    return !tls_required() || req_.misbehave_plaintext;
  }

  [[nodiscard]] bool misbehaving(misbehaviour m) const noexcept { return env_.cfg.misbehave.has(m); }

  // --- TLS ---------------------------------------------------------------------------

  net::result<std::shared_ptr<net::tls_context const>> make_context(std::chrono::milliseconds handshake_timeout) const {
    net::tls_config tc;
    tc.role = net::tls_role::client;
    tc.system_trust = env_.cfg.system_trust;
    tc.ca_file = env_.cfg.ca_file;
    tc.trusted_ca_pem = env_.cfg.ca_pem;
    // [PFX-11][STS-7.1-03][DANE-8.1-01] SNI: H, or the TLSA base domain when DANE applies.
    tc.sni = req_.sni;
    // [PFX-12][STS-4.2-02] the certificate must name H, the MX host name as in the MX RDATA.
    tc.reference_identity = req_.host;
    // [BAN-15] always finish the handshake and record both checks; the decision decides
    // below (TLS-4.1-01), so an unverified session at opportunistic still carries mail and
    // a session failing a required check gets QUIT inside TLS (TLS-4.1-02).
    tc.verify = net::verify_mode::record;
    if (req_.dane) tc.dane = make_dane_hook(*req_.dane);
    tc.validation_time = std::chrono::system_clock::time_point(std::chrono::seconds(env_.cfg.now()));
    tc.handshake_timeout = handshake_timeout;
    return net::tls_context::create(std::move(tc));
  }

  /// Fills res_.tls from a completed handshake and checks what the decision requires.
  /// Returns "" when the session may continue, else the RFC 8460 failure type.
  std::string verify(net::handshake_info const& hs, bool implicit) {
    tls_facts t;
    t.implicit = implicit;
    t.established = true;
    t.version = hs.version;
    t.cipher = hs.cipher;
    t.sni = hs.sni;
    auto const& v = hs.verify;
    t.pkix_ok = v.pkix_ok();
    t.pkix_reason = v.pkix_ok() ? "" : v.reason;
    bool dane_ok = false;
    if (!v.dane || v.dane->outcome == net::dane_outcome::not_applicable) {
      t.dane = "not-applicable";
    } else if (v.dane->outcome == net::dane_outcome::authenticated) {
      t.dane = "authenticated";
      dane_ok = true;
    } else {
      t.dane = "failed";
    }
    if (v.dane) t.dane_reason = v.dane->reason;
    t.verified = t.pkix_ok || dane_ok;
    res_.tls = t;
    if (misbehaving(misbehaviour::no_verify)) {
      // TEST ONLY no-verify breaks [PFX-12][DNS-08][STS-4.2-01][DANE-3.2-02]: whatever the
      // decision requires, any certificate is accepted (the checks are still recorded).
      note("misbehave", "no-verify: certificate checks not enforced", {"PFX-12", "DNS-08", "STS-4.2-01"});
      return {};
    }
    note("tls",
         std::string(implicit ? "implicit TLS" : "STARTTLS") + " " + hs.version + " " + hs.cipher + ", SNI " + hs.sni +
             "; PKIX " + (t.pkix_ok ? "verified" : "failed (" + t.pkix_reason + ")") + "; DANE " + t.dane +
             (t.dane_reason.empty() ? "" : " (" + t.dane_reason + ")"),
         {"PFX-11", "BAN-15"});
    // [DNS-08][DANE-3.2-02][STS-2-01] a failing DANE check is never overridden.
    if (d_.dane && !dane_ok) return "tlsa-invalid";
    // [PFX-12][STS-4.2-01][STS-4.2-02] PKIX for H where a prefix, a pin or STS enforce applies.
    if (d_.pkix && !t.pkix_ok) {
      auto type = net::to_string(v.result_type);
      return type.empty() ? "validation-failure" : std::string(type);
    }
    return {};
  }

  // --- strict-tls directives ------------------------------------------------------------

  /// [BAN-01][BAN-14] directives count only inside TLS verified for H; elsewhere they are
  /// noted and ignored.
  void consider_directive(spec::smtp::reply const& r, spec::banner::reply_kind kind,
                          spec::banner::directive_source source, spec::banner::channel_auth auth) {
    if (misbehaving(misbehaviour::pin_from_plaintext) && auth == spec::banner::channel_auth::none) {
      // TEST ONLY pin-from-plaintext breaks [BAN-14]: a plaintext directive counts as one
      // received inside TLS verified for H.
      source = source == spec::banner::directive_source::plaintext_greeting ? spec::banner::directive_source::tls_greeting
                                                                            : spec::banner::directive_source::tls_ehlo;
      auth = spec::banner::channel_auth::verified;
    }
    if (misbehaving(misbehaviour::pin_from_unverified) && auth == spec::banner::channel_auth::unverified) {
      // TEST ONLY pin-from-unverified breaks [BAN-14]: a directive inside TLS whose
      // certificate was not verified for H counts as one over verified TLS.
      note("misbehave", "pin-from-unverified: directive over unverified TLS treated as verified", {"BAN-14"});
      auth = spec::banner::channel_auth::verified;
    }
    auto found = spec::banner::find_directive(r, kind);
    std::string const where(spec::banner::to_string(source));
    if (!found) {
      // [BAN-05] two directives cancel each other; a malformed one is ignored (BAN-03..11).
      if (auth == spec::banner::channel_auth::verified)
        note("directive", "directive in " + where + " ignored: " + found.error().message(),
             {std::string(found.error().requirement)});
      return;
    }
    if (!*found) return;
    auto const& dir = **found;
    auto const decision = spec::banner::decide_directive(dir, req_.host, source, auth);
    // The host the pin is stored for; the pin store checks scope again (BAN-12).
    std::string pin_host = req_.host;
    if (misbehaving(misbehaviour::pin_ignore_scope) && decision.reason == spec::banner::honour_reason::out_of_scope) {
      // TEST ONLY pin-ignore-scope breaks [BAN-12]: an out-of-scope directive is stored as if
      // a host the pattern is in scope for had sent it ("*.B" from x.B, "P" from P).
      auto const pattern = dir.pattern.to_string();
      pin_host = pattern.starts_with("*.") ? "x" + pattern.substr(1) : pattern;
      note("misbehave", "pin-ignore-scope: out-of-scope directive " + spec::banner::print_directive(dir) + " honoured",
           {"BAN-12"});
    } else if (decision.action != spec::banner::honour_action::accept) {
      note("directive",
           "directive " + spec::banner::print_directive(dir) + " in " + where + " ignored: " +
               std::string(spec::banner::to_string(decision.reason)),
           {std::string(decision.requirement)});
      return;
    }
    // [BAN-18][BAN-24][BAN-25] stored at the time of receipt, whatever happens next;
    // [BAN-23] it applies from the next connection on.
    if (misbehaving(misbehaviour::pin_keep_on_max_age_0) && dir.max_age == 0) {
      // TEST ONLY pin-keep-on-max-age-0 breaks [BAN-10]: max-age=0 leaves the pin in place.
      note("misbehave", "pin-keep-on-max-age-0: " + spec::banner::print_directive(dir) + " does not remove the pin",
           {"BAN-10"});
      return;
    }
    auto const now = env_.cfg.now();
    auto const outcome = env_.state.pin_apply(dir, pin_host, now);
    note("directive",
         "directive " + spec::banner::print_directive(dir) + " from " + req_.host + " over verified TLS: pin " +
             std::string(spec::banner::to_string(outcome)),
         {"BAN-14", "BAN-18", "BAN-23"});
  }

  // --- the transaction ----------------------------------------------------------------

  template <class Stream>
  asio::awaitable<void> quit(smtp_io<Stream>& io) {
    bool const sent = co_await io.send("QUIT\r\n", env_.cfg.timeout.quit);
    if (sent) {
      auto const reply = co_await io.read_reply(env_.cfg.timeout.quit);
      static_cast<void>(reply);
    }
  }

  /// MAIL, RCPT, DATA and QUIT; classifies replies per RFC 5321 (proposal §7.3
  /// smtp_transaction): 5xx to MAIL or DATA, or to every RCPT, is permanent; 4xx or a lost
  /// connection is transient.
  template <class Stream>
  asio::awaitable<void> transaction(smtp_io<Stream>& io, spec::smtp::ehlo_capabilities const& caps, bool over_tls) {
    auto const& t = env_.cfg.timeout;
    message const& msg = *req_.content;
    auto lost = [&](std::string_view what, std::string const& detail) {
      finish(session_kind::transient, "connection lost after " + std::string(what) + ": " + detail, {});
    };
    // [SMTP-6152.3-01] no 8-bit content without 8BITMIME; mxtls-send does not downgrade.
    if (msg.eight_bit && !caps.eightbitmime()) {
      co_await quit(io);
      finish(session_kind::permanent, "8-bit message and the server does not announce 8BITMIME", {"SMTP-6152.3-01"});
      co_return;
    }
    std::string mail = "MAIL FROM:<" + req_.from + ">";
    // [SMTP-1870.6-01] declare the size where SIZE is announced (post-TLS capabilities only).
    if (caps.has("SIZE")) mail += " SIZE=" + std::to_string(msg.data.size());
    if (msg.eight_bit) mail += " BODY=8BITMIME";  // [SMTP-6152.2-01]
    res_.mail_from_sent = true;
    res_.plaintext_mail = !over_tls;
    note("smtp", std::string("MAIL FROM ") + (over_tls ? "inside TLS" : "in plaintext (opportunistic, DNS-19)"),
         over_tls ? std::vector<std::string>{} : std::vector<std::string>{"DNS-19"});
    if (!co_await io.send(mail + "\r\n", t.command)) co_return lost("MAIL", "write failed");
    auto r = co_await io.read_reply(t.command);
    if (!r.ok()) co_return lost("MAIL", r.detail);
    res_.last_reply = one_line(r.reply);
    if (r.reply.code >= 500) {
      co_await quit(io);
      finish(session_kind::permanent, "MAIL FROM rejected: " + res_.last_reply, {"DNS-15"});
      co_return;
    }
    if (r.reply.code >= 300) {
      co_await quit(io);
      finish(session_kind::transient, "MAIL FROM deferred: " + res_.last_reply, {});
      co_return;
    }
    std::vector<recipient_result> rcpts;
    std::size_t accepted = 0, temp = 0;
    for (auto const& to : req_.recipients) {
      if (!co_await io.send("RCPT TO:<" + to.text() + ">\r\n", t.command)) co_return lost("RCPT", "write failed");
      auto rr = co_await io.read_reply(t.command);
      if (!rr.ok()) co_return lost("RCPT", rr.detail);
      recipient_result rec{to.text(), outcome::deferred, one_line(rr.reply)};
      if (rr.reply.code < 300) {
        ++accepted;
        rec.result = outcome::delivered;  // provisional: the data must be accepted too
      } else if (rr.reply.code >= 500) {
        rec.result = outcome::bounced;
      } else {
        ++temp;
      }
      rcpts.push_back(std::move(rec));
    }
    if (accepted == 0) {
      co_await quit(io);
      res_.recipients = rcpts;
      if (temp == 0) finish(session_kind::permanent, "every recipient rejected: " + rcpts.front().reply, {"DNS-15"});
      else finish(session_kind::transient, "no recipient accepted: " + rcpts.front().reply, {});
      co_return;
    }
    if (!co_await io.send("DATA\r\n", t.data_init)) co_return lost("DATA", "write failed");
    r = co_await io.read_reply(t.data_init);
    if (!r.ok()) co_return lost("DATA", r.detail);
    res_.last_reply = one_line(r.reply);
    if (r.reply.code != 354) {
      co_await quit(io);
      finish(r.reply.code >= 500 ? session_kind::permanent : session_kind::transient, "DATA refused: " + res_.last_reply,
             {});
      if (r.reply.code >= 500) mark_accepted(rcpts, outcome::bounced, res_.last_reply);
      res_.recipients = rcpts;
      co_return;
    }
    // [SMTP-4.5.2-01] dot-stuffed, sent in blocks each within the data-block timeout.
    std::string const payload = dot_stuff(msg.data);
    constexpr std::size_t block = 64 * 1024;
    for (std::size_t off = 0; off < payload.size(); off += block) {
      if (!co_await io.send(std::string_view(payload).substr(off, block), t.data_block))
        co_return lost("message data", "write failed");
    }
    r = co_await io.read_reply(t.data_end);
    if (!r.ok()) co_return lost("end of data", r.detail);
    res_.last_reply = one_line(r.reply);
    co_await quit(io);
    if (r.reply.code < 300) {
      mark_accepted(rcpts, outcome::delivered, res_.last_reply);
      res_.recipients = rcpts;
      finish(session_kind::delivered, "message accepted: " + res_.last_reply, {});
    } else if (r.reply.code >= 500) {
      mark_accepted(rcpts, outcome::bounced, res_.last_reply);
      res_.recipients = rcpts;
      finish(session_kind::permanent, "message rejected: " + res_.last_reply, {"DNS-15"});
    } else {
      finish(session_kind::transient, "message deferred: " + res_.last_reply, {});
    }
  }

  static void mark_accepted(std::vector<recipient_result>& rcpts, outcome o, std::string const& reply) {
    for (auto& r : rcpts) {
      if (r.result == outcome::delivered) {
        r.result = o;
        r.reply = reply;
      }
    }
  }

  // --- port 25 -----------------------------------------------------------------------

  /// Connect, greeting, EHLO (with HELO fallback only where plaintext is allowed).
  /// Returns the EHLO capabilities, or nullopt after finishing the result.
  asio::awaitable<std::optional<spec::smtp::ehlo_capabilities>> open_plaintext(tcp::socket& sock,
                                                                               smtp_io<tcp::socket>& io) {
    auto const& t = env_.cfg.timeout;
    auto const where = endpoint_text(req_.address, req_.port);
    if (auto ec = co_await connect_with_timeout(sock, tcp::endpoint(req_.address, req_.port), t.connect)) {
      // A connect failure is not a requirement failure (STS-5.1-06).
      finish(session_kind::unreachable, "connect to " + where + ": " + ec.message(), {"STS-5.1-06"});
      co_return std::nullopt;
    }
    note("connect", "connected to " + req_.host + " at " + where + " (" + std::string(to_string(req_.mode)) + ")");
    auto g = co_await io.read_reply(t.greeting);
    if (!g.ok()) {
      finish(session_kind::unreachable, "no greeting from " + where + ": " + g.detail, {"SMTP-4.5.3.2.1-01"});
      co_return std::nullopt;
    }
    res_.last_reply = one_line(g.reply);
    if (g.reply.code != 220) {
      co_await quit(io);
      finish(session_kind::unreachable, "greeting " + res_.last_reply, {"SMTP-4.2-05"});
      co_return std::nullopt;
    }
    // [BAN-14] a directive in a plaintext greeting is ignored, whatever it says.
    consider_directive(g.reply, spec::banner::reply_kind::greeting, spec::banner::directive_source::plaintext_greeting,
                       spec::banner::channel_auth::none);
    if (!co_await io.send("EHLO " + env_.cfg.helo + "\r\n", t.command)) {
      fail_before_tls("EHLO could not be sent");
      co_return std::nullopt;
    }
    auto e = co_await io.read_reply(t.command);
    if (!e.ok()) {
      fail_before_tls("no reply to EHLO: " + e.detail);
      co_return std::nullopt;
    }
    res_.last_reply = one_line(e.reply);
    if (e.reply.code != 250) {
      if (!tls_required()) {
        // [SMTP-4.1.1.1-03] HELO fallback, only where plaintext is allowed (DNS-19): HELO
        // cannot negotiate STARTTLS (PFX-10).
        if (!co_await io.send("HELO " + env_.cfg.helo + "\r\n", t.command)) {
          fail_before_tls("HELO could not be sent");
          co_return std::nullopt;
        }
        auto h = co_await io.read_reply(t.command);
        if (h.ok() && h.reply.code == 250) {
          note("smtp", "EHLO rejected (" + res_.last_reply + "), HELO accepted: plaintext session",
               {"SMTP-4.1.1.1-03", "DNS-19"});
          co_return spec::smtp::ehlo_capabilities{};
        }
        co_await quit(io);
        finish(session_kind::transient, "EHLO and HELO rejected: " + res_.last_reply, {"SMTP-4.1.1.1-03"});
        co_return std::nullopt;
      }
      co_await quit(io);
      // [PFX-10][PFX-14] a rejected EHLO is a requirement failure; no HELO fallback.
      requirement_failure("EHLO rejected (" + res_.last_reply + ") where TLS is required", {"PFX-10", "PFX-14"},
                          "starttls-not-supported");
      co_return std::nullopt;
    }
    // [BAN-14] plaintext EHLO: any directive is ignored.
    consider_directive(e.reply, spec::banner::reply_kind::ehlo, spec::banner::directive_source::plaintext_ehlo,
                       spec::banner::channel_auth::none);
    auto caps = spec::smtp::parse_ehlo(e.reply);
    if (!caps) {
      fail_before_tls("EHLO reply unusable: " + caps.error().message());
      co_return std::nullopt;
    }
    co_return std::move(*caps);
  }

  /// A connection that dies or misbehaves before TLS: a requirement failure where TLS is
  /// required (PFX-14: "the connection closing or timing out before the handshake"),
  /// otherwise the host is simply unreachable.
  void fail_before_tls(std::string reason) {
    if (tls_required()) requirement_failure(std::move(reason), {"PFX-14"}, "validation-failure");
    else finish(session_kind::unreachable, std::move(reason), {});
  }

  asio::awaitable<void> plaintext() {
    // [DNS-19] a new plaintext connection after a TLS failure, only at opportunistic.
    auto ex = co_await asio::this_coro::executor;
    tcp::socket sock(ex);
    smtp_io<tcp::socket> io(sock);
    auto caps = co_await open_plaintext(sock, io);
    if (!caps) co_return;
    note("smtp", "plaintext retry without STARTTLS (TLS failed, level opportunistic)", {"DNS-19", "TLS-4-06"});
    co_await transaction(io, *caps, false);
  }

  asio::awaitable<void> starttls() {
    auto const& t = env_.cfg.timeout;
    auto ex = co_await asio::this_coro::executor;
    tcp::socket sock(ex);
    smtp_io<tcp::socket> io(sock);
    auto caps = co_await open_plaintext(sock, io);
    if (!caps) co_return;
    if (!caps->starttls()) {
      if (plaintext_allowed()) {
        // [DNS-19][DANE-2.2-03] opportunistic: deliver in plaintext.
        note("smtp", "STARTTLS not offered; level opportunistic: plaintext", {"DNS-19"});
        co_await transaction(io, *caps, false);
        co_return;
      }
      co_await quit(io);
      // [PFX-14][TLS-6-02][STS-5-01] no STARTTLS where TLS is required.
      requirement_failure("STARTTLS not offered where " + d_.reason + " requires TLS", {"PFX-14", "TLS-6-02", "STS-5-01"},
                          "starttls-not-supported");
      co_return;
    }
    // [PFX-10][TLS-4-09] STARTTLS is the next command, alone.
    if (!co_await io.send("STARTTLS\r\n", t.command)) co_return fail_before_tls("STARTTLS could not be sent");
    auto r = co_await io.read_reply(t.command);
    if (!r.ok()) co_return fail_before_tls("no reply to STARTTLS: " + r.detail);
    res_.last_reply = one_line(r.reply);
    if (r.reply.code != 220) {
      if (plaintext_allowed()) {
        // [TLS-4-06][DNS-19] opportunistic: continue in plaintext on this connection.
        note("smtp", "STARTTLS refused (" + res_.last_reply + "); level opportunistic: plaintext", {"TLS-4-06", "DNS-19"});
        co_await transaction(io, *caps, false);
        co_return;
      }
      co_await quit(io);
      requirement_failure("STARTTLS refused: " + res_.last_reply, {"PFX-14", "RPT-4.3-01"}, "starttls-not-supported");
      co_return;
    }
    // [TLS-4-11] bytes after the 220 and before the handshake are an injection attempt:
    // never read as post-TLS replies; the connection is abandoned without another byte.
    if (io.buffered() != 0) {
      error_code ignored;
      sock.close(ignored);
      requirement_failure(std::to_string(io.buffered()) + " octets received after the 220 reply to STARTTLS",
                          {"TLS-4-11", "PFX-14"}, "validation-failure");
      co_return;
    }
    auto ctx = make_context(t.tls_handshake);
    if (!ctx) {
      finish(session_kind::unreachable, "local TLS configuration: " + ctx.error().message(), {});
      co_return;
    }
    // [TLS-4-04] the handshake starts right after the 220.
    net::tls_stream ts(std::move(sock), *ctx);
    auto hs = co_await ts.async_handshake();
    if (!hs) {
      auto const type = std::string(net::to_string(net::mx_result_type(hs.error().code)));
      res_.tls_failure = true;
      if (plaintext_allowed()) {
        // [DNS-19] at opportunistic a new plaintext connection is allowed.
        res_.plaintext_retry_allowed = true;
        requirement_failure("TLS handshake failed: " + hs.error().message(), {"DNS-19"}, type);
        co_return;
      }
      requirement_failure("TLS handshake failed: " + hs.error().message(), {"PFX-14", "PFX-16"}, type);
      co_return;
    }
    smtp_io<net::tls_stream> tio(ts);
    if (auto failure = verify(*hs, false); !failure.empty()) {
      res_.tls_failure = true;
      // TEST ONLY plaintext-fallback: a failed check also ends in a plaintext retry (DNS-19).
      res_.plaintext_retry_allowed = req_.misbehave_plaintext;
      // [TLS-4.1-01][TLS-4.1-02] decided right after the handshake; QUIT inside TLS.
      co_await quit(tio);
      co_await ts.async_shutdown();
      requirement_failure("certificate check failed (" + failure + ") where " + d_.reason + " requires it",
                          failure == "tlsa-invalid" ? std::vector<std::string>{"DNS-08", "DANE-3.2-02"}
                                                    : std::vector<std::string>{"PFX-12", "PFX-14", "STS-4.2-01"},
                          failure);
      co_return;
    }
    bool const verified = res_.tls->verified;
    if (misbehaving(misbehaviour::skip_post_tls_ehlo)) {
      // TEST ONLY skip-post-tls-ehlo breaks [TLS-4.2-04][PFX-17][TLS-4.2-03]: no EHLO after
      // the handshake; MAIL FROM follows at once, with the plaintext capabilities.
      note("misbehave", "skip-post-tls-ehlo: no EHLO after TLS, pre-TLS capabilities kept",
           {"TLS-4.2-04", "PFX-17", "TLS-4.2-03"});
      co_await transaction(tio, *caps, true);
      co_await ts.async_shutdown();
      co_return;
    }
    // [PFX-17][TLS-4.2-03][TLS-4.2-04] forget the plaintext capabilities; EHLO again.
    if (!co_await tio.send("EHLO " + env_.cfg.helo + "\r\n", t.command)) {
      requirement_failure("post-TLS EHLO could not be sent", {"PFX-14"}, "validation-failure");
      co_return;
    }
    auto e2 = co_await tio.read_reply(t.command);
    if (!e2.ok() || e2.reply.code != 250) {
      if (e2.ok()) co_await quit(tio);
      requirement_failure("post-TLS EHLO failed: " + (e2.ok() ? one_line(e2.reply) : e2.detail), {"PFX-14", "PFX-17"},
                          "validation-failure");
      co_return;
    }
    // [BAN-01][BAN-14] the first EHLO line after STARTTLS, honoured only if verified.
    consider_directive(e2.reply, spec::banner::reply_kind::ehlo, spec::banner::directive_source::tls_ehlo,
                       verified ? spec::banner::channel_auth::verified : spec::banner::channel_auth::unverified);
    auto caps2 = spec::smtp::parse_ehlo(e2.reply);
    if (!caps2) {
      co_await quit(tio);
      requirement_failure("post-TLS EHLO reply unusable: " + caps2.error().message(), {"PFX-14"}, "validation-failure");
      co_return;
    }
    // [TLS-4.2-07] never a second STARTTLS, even when a broken server still offers it.
    if (caps2->starttls() && misbehaving(misbehaviour::starttls_again)) {
      // TEST ONLY starttls-again breaks [TLS-4.2-07]: STARTTLS is sent again inside TLS
      // because the post-TLS EHLO lists it; whatever the reply, the transaction follows.
      bool const sent = co_await tio.send("STARTTLS\r\n", t.command);
      std::string answer = "not sent";
      if (sent) {
        auto const again = co_await tio.read_reply(t.command);
        answer = again.ok() ? one_line(again.reply) : again.detail;
      }
      note("misbehave", "starttls-again: STARTTLS sent inside TLS: " + answer, {"TLS-4.2-07"});
    } else if (caps2->starttls()) {
      note("smtp", "server offers STARTTLS again after TLS: ignored", {"TLS-4.2-07", "TLS-4.2-06"});
    }
    co_await transaction(tio, *caps2, true);
    co_await ts.async_shutdown();
  }

  // --- the implicit-TLS port --------------------------------------------------------------

  void before_greeting(std::string reason, std::vector<std::string> ids, std::string failure = {}) {
    // [P26-12] every failure before a verified 220 greeting falls back to port 25.
    ids.push_back("P26-12");
    finish(session_kind::failed_before_greeting, std::move(reason), std::move(ids), std::move(failure));
  }

  asio::awaitable<void> implicit() {
    auto const& t = env_.cfg.timeout;
    auto ex = co_await asio::this_coro::executor;
    // [P26-18] connect bounded on its own, and connect + handshake + greeting together.
    auto const setup_deadline = steady::now() + t.implicit_setup;
    auto const where = endpoint_text(req_.address, req_.port);
    tcp::socket sock(ex);
    if (auto ec = co_await connect_with_timeout(sock, tcp::endpoint(req_.address, req_.port),
                                                std::min(t.implicit_connect, remaining(setup_deadline)))) {
      before_greeting("connect to " + where + ": " + ec.message(), {"P26-18"});
      co_return;
    }
    note("connect", "connected to " + req_.host + " at " + where + " (implicit TLS)", {"P26-09"});
    auto ctx = make_context(std::min(t.tls_handshake, remaining(setup_deadline)));
    if (!ctx) {
      before_greeting("local TLS configuration: " + ctx.error().message(), {});
      co_return;
    }
    // [P26-11] the handshake starts as soon as the connection is up; no plaintext byte.
    net::tls_stream ts(std::move(sock), *ctx);
    auto hs = co_await ts.async_handshake();
    if (!hs) {
      res_.tls_failure = true;
      before_greeting("TLS handshake failed: " + hs.error().message(), {"P26-11"},
                      std::string(net::to_string(net::mx_result_type(hs.error().code))));
      co_return;
    }
    smtp_io<net::tls_stream> tio(ts);
    if (auto failure = verify(*hs, true); !failure.empty()) {
      res_.tls_failure = true;
      co_await ts.async_shutdown();
      before_greeting("certificate check failed (" + failure + ")",
                      failure == "tlsa-invalid" ? std::vector<std::string>{"DNS-08", "P26-10"}
                                                : std::vector<std::string>{"PFX-12"},
                      failure);
      co_return;
    }
    bool const verified = res_.tls->verified;
    auto g = co_await tio.read_reply(std::min(t.greeting, remaining(setup_deadline)));
    if (!g.ok() || g.reply.code != 220) {
      if (g.ok()) res_.last_reply = one_line(g.reply);
      before_greeting("no complete 220 greeting inside TLS: " + (g.ok() ? res_.last_reply : g.detail), {});
      co_await ts.async_shutdown();
      co_return;
    }
    res_.last_reply = one_line(g.reply);
    // [BAN-01][BAN-14] the greeting inside verified implicit TLS carries a directive.
    consider_directive(g.reply, spec::banner::reply_kind::greeting, spec::banner::directive_source::tls_greeting,
                       verified ? spec::banner::channel_auth::verified : spec::banner::channel_auth::unverified);
    // [P26-14] from here on this session is the attempt for this address: no port-25 fallback.
    if (!co_await tio.send("EHLO " + env_.cfg.helo + "\r\n", t.command)) {
      requirement_failure("EHLO could not be sent", {"PFX-14", "P26-14"}, "validation-failure");
      co_return;
    }
    auto e = co_await tio.read_reply(t.command);
    if (!e.ok() || e.reply.code != 250) {
      if (e.ok()) co_await quit(tio);
      requirement_failure("EHLO failed: " + (e.ok() ? one_line(e.reply) : e.detail), {"PFX-14", "P26-14"},
                          "validation-failure");
      co_return;
    }
    consider_directive(e.reply, spec::banner::reply_kind::ehlo, spec::banner::directive_source::tls_ehlo,
                       verified ? spec::banner::channel_auth::verified : spec::banner::channel_auth::unverified);
    auto caps = spec::smtp::parse_ehlo(e.reply);
    if (!caps) {
      co_await quit(tio);
      requirement_failure("EHLO reply unusable: " + caps.error().message(), {"PFX-14", "P26-14"}, "validation-failure");
      co_return;
    }
    // [P26-11][TLS-4.2-07] no STARTTLS on the implicit-TLS port, whatever EHLO says.
    if (caps->starttls()) note("smtp", "server offers STARTTLS on the implicit-TLS port: ignored", {"P26-11", "P26-04"});
    co_await transaction(tio, *caps, true);
    co_await ts.async_shutdown();
  }

  session_env& env_;
  session_request const& req_;
  spec::policy::decision const& d_;
  session_result res_;
};

}  // namespace

asio::awaitable<session_result> run_session(session_env& env, session_request const& req) {
  session s(env, req);
  co_return co_await s.run();
}

}  // namespace mxtls::client::detail
