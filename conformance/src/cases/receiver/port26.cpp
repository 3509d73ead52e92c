// Receiver cases on the proposal's implicit-TLS relay port (spec/proposal.md §4, §8): TLS at
// connect with the greeting inside (P26-02, IMP-3-01), no plaintext byte (P26-03), no
// STARTTLS there (P26-04, P26-05, IMP-3-02), the certificate (P26-07); and the prefix
// consistency cases: a starttls-/smtps- MX offers verified STARTTLS (PFX-07, P26-06) and an
// smtps- MX answers implicit TLS (P26-02).
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known false positive
// when the frame allocation is inlined); only this diagnostic is silenced, only here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "cases/receiver/common.hpp"

#include "mxtls/spec/prefix/mx_prefix.hpp"

namespace mxtls::conformance::receiver {
namespace {

using spec::prefix::mx_prefix;

std::optional<std::uint16_t> port26_of(case_context const& ctx) { return ctx.target->port26; }

// The implicit-TLS handshake and greeting, every miss a failure (the cases that own P26-02).
asio::awaitable<step> implicit_tls_or_fail(session& s, std::uint16_t port) {
  auto& ctx = s.context();
  auto err = co_await s.probe().connect(ctx.target->host, port, step_timeout(ctx));
  if (!err.empty()) co_return make_result(verdict::fail, "nothing answers on the implicit-TLS port: " + err);
  s.tls = co_await s.probe().start_tls(tls_for(ctx));
  if (!s.tls.established)
    co_return make_result(verdict::fail, "no TLS handshake right after connect on port " + std::to_string(port) + ": " +
                                             s.tls.error_text,
                          {}, result_type_name(s.tls.result_type()));
  s.greeting = co_await s.probe().read_reply(step_timeout(ctx));
  if (!s.greeting.ok() || s.greeting.value.code != 220)
    co_return make_result(verdict::fail, "no 220 greeting inside TLS: " + s.greeting.describe(), {},
                          "validation-failure");
  co_return std::nullopt;
}

bool looks_like_smtp_reply(std::string_view bytes) {
  if (bytes.size() < 4) return false;
  for (std::size_t i = 0; i < 3; ++i)
    if (bytes[i] < '0' || bytes[i] > '9') return false;
  return bytes[3] == ' ' || bytes[3] == '-' || bytes[3] == '\r';
}

asio::awaitable<case_result> implicit_tls(case_context& ctx) {
  auto port = port26_of(ctx);
  if (!port) co_return unsupported("no implicit-TLS port configured (--port26)");
  session s(ctx);
  if (auto st = co_await implicit_tls_or_fail(s, *port)) co_return *st;
  co_await s.finish();
  co_return make_result(verdict::pass, s.tls.info.version + " at connect, greeting inside TLS: " + s.greeting.describe());
}

asio::awaitable<case_result> no_plaintext(case_context& ctx) {
  auto port = port26_of(ctx);
  if (!port) co_return unsupported("no implicit-TLS port configured (--port26)");
  probe::smtp_probe p(ctx.executor, *ctx.log);
  auto err = co_await p.connect(ctx.target->host, *port, step_timeout(ctx));
  if (!err.empty()) co_return unsupported("cannot connect to the implicit-TLS port: " + err);
  // [P26-03] the server speaks only after a ClientHello: nothing may arrive first.
  auto const first = co_await p.read_raw(std::min(step_timeout(ctx), milliseconds(400)));
  if (!first.empty())
    co_return make_result(verdict::fail, "the server sent " + std::to_string(first.size()) +
                                             " octets before any ClientHello (plaintext on the implicit-TLS port)");
  // Non-TLS input must be answered by closing (or a TLS alert), never by an SMTP reply.
  if (!co_await p.send_raw("EHLO " + std::string(ehlo_name) + "\r\n"))
    co_return make_result(verdict::pass, "the server closed the connection before any plaintext could be sent");
  // Four octets tell an SMTP reply ("220 ", "554-") from a TLS alert record (0x15 0x03 ...).
  auto const answer = co_await p.read_raw(step_timeout(ctx), 4);
  p.close();
  if (looks_like_smtp_reply(answer))
    co_return make_result(verdict::fail, "plaintext EHLO on the implicit-TLS port got an SMTP reply (P26-03)");
  if (answer.empty()) co_return make_result(verdict::pass, "no octet before the ClientHello; plaintext EHLO got no reply");
  co_return make_result(verdict::pass, "no octet before the ClientHello; plaintext EHLO got " +
                                           std::to_string(answer.size()) + " non-SMTP octets (a TLS alert)");
}

asio::awaitable<case_result> no_starttls(case_context& ctx) {
  auto port = port26_of(ctx);
  if (!port) co_return unsupported("no implicit-TLS port configured (--port26)");
  session s(ctx);
  if (auto st = co_await s.open_implicit(*port, tls_for(ctx))) co_return *st;
  if (auto st = co_await s.ehlo()) co_return *st;
  bool const advertised = s.tls_caps->starttls();
  auto r = co_await s.probe().command("STARTTLS", step_timeout(ctx));
  if (r.code() == 220) {
    s.probe().close();
    co_return make_result(verdict::fail, "STARTTLS on the implicit-TLS port answered 220 (P26-05)");
  }
  co_await s.finish();
  if (advertised) co_return make_result(verdict::fail, "the EHLO reply on the implicit-TLS port lists STARTTLS (P26-04)");
  if (!r.ok() || r.value.code / 100 != 5)
    co_return make_result(verdict::fail, "STARTTLS on the implicit-TLS port answered " + r.describe() + ", not 5xx (P26-05)");
  std::vector<std::string> details{"reply code " + std::to_string(r.value.code)};
  if (r.value.code != 503) details.push_back("503 is recommended (P26-05); any 5xx conforms");
  co_return make_result(verdict::pass, "STARTTLS not advertised; STARTTLS answered " + r.describe(), std::move(details));
}

asio::awaitable<case_result> port26_certificate(case_context& ctx) {
  auto port = port26_of(ctx);
  if (!port) co_return unsupported("no implicit-TLS port configured (--port26)");
  session s(ctx);
  if (auto st = co_await s.open_implicit(*port, tls_for(ctx))) co_return *st;
  co_await s.finish();
  if (!s.tls.pkix_ok())
    co_return make_result(verdict::fail, "implicit-TLS certificate not valid for " + ctx.target->mx_name + ": " +
                                             pkix_failure(s.tls),
                          {}, result_type_name(s.tls.result_type()));
  co_return make_result(verdict::pass, "implicit-TLS certificate is PKIX-valid for " + ctx.target->mx_name);
}

asio::awaitable<case_result> starttls_prefix(case_context& ctx) {
  auto const cls = spec::prefix::classify(ctx.target->mx_name);
  if (!cls) co_return unsupported("--mx-name is not a host name: " + cls.error().message());
  if (!spec::prefix::requires_verified_tls(*cls))
    co_return unsupported("the MX name " + ctx.target->mx_name + " carries no starttls-/smtps- prefix");
  std::vector<std::string> details{"prefix class: " + std::string(spec::prefix::to_string(*cls))};
  // [PFX-07] every miss is a failure of the publisher's assertion, with its RFC 8460 type.
  session s(ctx);
  if (auto st = co_await s.open())
    co_return make_result(verdict::fail, "prefixed MX: " + st->summary, std::move(details));
  if (auto st = co_await s.ehlo()) co_return make_result(verdict::fail, "prefixed MX: " + st->summary, std::move(details));
  if (!s.plain_caps->starttls())
    co_return make_result(verdict::fail, "prefixed MX does not advertise STARTTLS", std::move(details),
                          "starttls-not-supported");
  s.starttls_reply = co_await s.probe().command("STARTTLS", step_timeout(ctx));
  if (s.starttls_reply.code() != 220)
    co_return make_result(verdict::fail, "prefixed MX answers STARTTLS with " + s.starttls_reply.describe(),
                          std::move(details), "starttls-not-supported");
  s.tls = co_await s.probe().start_tls(tls_for(ctx));
  if (!s.tls.established)
    co_return make_result(verdict::fail, "prefixed MX: TLS handshake failed: " + s.tls.error_text, std::move(details),
                          result_type_name(s.tls.result_type()));
  co_await s.finish();
  if (!s.tls.pkix_ok())
    co_return make_result(verdict::fail, "prefixed MX: certificate not valid for " + ctx.target->mx_name + ": " +
                                             pkix_failure(s.tls),
                          std::move(details), result_type_name(s.tls.result_type()));
  co_return make_result(verdict::pass, "prefixed MX offers STARTTLS, " + s.tls.info.version +
                                           " and a certificate valid for its name",
                        std::move(details));
}

asio::awaitable<case_result> smtps_prefix(case_context& ctx) {
  auto const cls = spec::prefix::classify(ctx.target->mx_name);
  if (!cls) co_return unsupported("--mx-name is not a host name: " + cls.error().message());
  if (!spec::prefix::offers_implicit_tls(*cls))
    co_return unsupported("the MX name " + ctx.target->mx_name + " carries no smtps- prefix");
  // [P26-01] the implicit-TLS port is configuration, 26 by default.
  std::uint16_t const port = ctx.target->port26.value_or(spec::prefix::default_implicit_tls_port);
  session s(ctx);
  if (auto st = co_await implicit_tls_or_fail(s, port)) co_return *st;
  co_await s.finish();
  if (!s.tls.pkix_ok())
    co_return make_result(verdict::fail, "smtps- MX: implicit-TLS certificate not valid for " + ctx.target->mx_name +
                                             ": " + pkix_failure(s.tls),
                          {}, result_type_name(s.tls.result_type()));
  co_return make_result(verdict::pass, "smtps- MX answers implicit TLS on port " + std::to_string(port) +
                                           " with a valid certificate and a greeting inside TLS");
}

case_registrar const implicit_case{{
    .id = "port26.implicit-tls",
    .requirements = {"P26-02", "IMP-3-01"},
    .role = role::receiver,
    .profile = profile::proposal,
    .description = "Connects to --port26 and sends a ClientHello at once, then reads the greeting inside TLS.",
    .expectation = "The handshake completes right after connect and a 220 greeting arrives inside TLS. "
                   "Without --port26: unsupported.",
    .timeout = std::chrono::milliseconds(10000),
    .run = implicit_tls,
}};

case_registrar const no_plaintext_case{{
    .id = "port26.no-plaintext",
    .requirements = {"P26-03"},
    .role = role::receiver,
    .profile = profile::proposal,
    .description = "Connects to --port26, waits 400 ms without sending, then sends a plaintext EHLO.",
    .expectation = "Not one octet arrives before a ClientHello, and the plaintext EHLO is answered by closing or a "
                   "TLS alert, never an SMTP reply.",
    .timeout = std::chrono::milliseconds(10000),
    .run = no_plaintext,
}};

case_registrar const no_starttls_case{{
    .id = "port26.no-starttls",
    .requirements = {"P26-04", "P26-05", "IMP-3-02"},
    .role = role::receiver,
    .profile = profile::proposal,
    .description = "Inside implicit TLS on --port26, sends EHLO and then STARTTLS.",
    .expectation = "The EHLO reply does not list STARTTLS and STARTTLS gets a 5xx (503 recommended, the code is "
                   "recorded).",
    .timeout = std::chrono::milliseconds(10000),
    .run = no_starttls,
}};

case_registrar const port26_certificate_case{{
    .id = "port26.certificate-valid",
    .requirements = {"P26-07", "PFX-07"},
    .role = role::receiver,
    .profile = profile::proposal,
    .description = "Verifies the certificate presented on --port26 against --ca for --mx-name.",
    .expectation = "Trusted, current, SAN dNSName matching the MX name.",
    .timeout = std::chrono::milliseconds(10000),
    .run = port26_certificate,
}};

case_registrar const starttls_prefix_case{{
    .id = "prefix.starttls-offers-tls",
    .requirements = {"PFX-07", "P26-06"},
    .role = role::receiver,
    .profile = profile::proposal,
    .description = "For an MX name with a starttls- or smtps- prefix: EHLO, STARTTLS, TLS 1.2 handshake with SNI, "
                   "PKIX check for the prefixed name.",
    .expectation = "Every step succeeds: a prefixed name is the publisher's promise of verified STARTTLS on port 25. "
                   "Any miss fails with its RFC 8460 result type. No prefix: unsupported.",
    .timeout = std::chrono::milliseconds(10000),
    .run = starttls_prefix,
}};

case_registrar const smtps_prefix_case{{
    .id = "prefix.smtps-answers-26",
    .requirements = {"P26-02", "P26-07", "P26-01"},
    .role = role::receiver,
    .profile = profile::proposal,
    .description = "For an MX name with the smtps- prefix: implicit TLS on --port26 (default 26), greeting inside "
                   "TLS, PKIX check.",
    .expectation = "The handshake completes at connect with a certificate valid for the name and a 220 greeting "
                   "inside TLS. No smtps- prefix: unsupported.",
    .timeout = std::chrono::milliseconds(10000),
    .run = smtps_prefix,
}};

}  // namespace
}  // namespace mxtls::conformance::receiver
