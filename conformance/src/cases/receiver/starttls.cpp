// Receiver cases on STARTTLS (RFC 3207, RFC 8461 §4.2 and §7): advertised (TLS-3-01),
// handshake (TLS-4-03, TLS-4-04), certificate (STS-4.2-01/02, NAME-6.4.4-01), no SNI
// (STS-7.1-05, DANE-8.1-02), TLS versions (STS-7.2-01, IMP-4.1-02), no parameters (TLS-4-02),
// not re-advertised (TLS-4.2-06), second STARTTLS (TLS-4.2-08), state reset (TLS-4.2-01,
// SMTP-4.1.4-01), REQUIRETLS only after TLS (RTLS-2-01), command injection (TLS-4-10).
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known false positive
// when the frame allocation is inlined); only this diagnostic is silenced, only here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "cases/receiver/common.hpp"

namespace mxtls::conformance::receiver {
namespace {

std::string keywords(spec::smtp::ehlo_capabilities const& caps) {
  std::string out;
  for (auto const& e : caps.extensions()) out += (out.empty() ? "" : " ") + e.keyword;
  return out.empty() ? "(none)" : out;
}

// open + EHLO + STARTTLS advertised: the start of every case that then sends STARTTLS itself.
asio::awaitable<step> up_to_starttls(session& s) {
  if (auto st = co_await s.open()) co_return st;
  if (auto st = co_await s.ehlo()) co_return st;
  if (!s.plain_caps->starttls()) co_return unsupported("STARTTLS is not advertised (see starttls.advertised)");
  co_return std::nullopt;
}

asio::awaitable<case_result> advertised(case_context& ctx) {
  session s(ctx);
  if (auto st = co_await s.open()) co_return *st;
  if (auto st = co_await s.ehlo()) co_return *st;
  co_await s.finish();
  if (!s.plain_caps->starttls())
    co_return make_result(verdict::fail, "the EHLO reply does not list STARTTLS",
                          {"keywords: " + keywords(*s.plain_caps)}, "starttls-not-supported");
  co_return make_result(verdict::pass, "STARTTLS is advertised", {"keywords: " + keywords(*s.plain_caps)});
}

asio::awaitable<case_result> handshake(case_context& ctx) {
  session s(ctx);
  if (auto st = co_await up_to_starttls(s)) co_return *st;
  s.starttls_reply = co_await s.probe().command("STARTTLS", step_timeout(ctx));
  if (s.starttls_reply.code() != 220)
    co_return make_result(verdict::fail, "STARTTLS answered " + s.starttls_reply.describe() + ", not 220", {},
                          "starttls-not-supported");
  s.tls = co_await s.probe().start_tls(tls_for(ctx));
  std::vector<std::string> details;
  if (!s.probe().plaintext_before_tls().empty())
    details.push_back("the server sent " + std::to_string(s.probe().plaintext_before_tls().size()) +
                      " plaintext octets after 220 Ready; they were not read as TLS data (TLS-4-11)");
  if (!s.tls.established)
    co_return make_result(verdict::fail, "TLS handshake after 220 failed: " + s.tls.error_text, std::move(details),
                          result_type_name(s.tls.result_type()));
  if (!s.probe().plaintext_before_tls().empty())
    co_return make_result(verdict::fail, "plaintext octets follow 220 Ready: a conforming client aborts (TLS-4-11)",
                          std::move(details), "validation-failure");
  // [TLS-4.2-01] the session continues in the initial state: EHLO inside TLS works.
  auto e = co_await s.probe().ehlo(ehlo_name, step_timeout(ctx));
  co_await s.finish();
  if (!e.caps)
    co_return make_result(verdict::fail, "no 250 reply to EHLO inside TLS: " + e.reply.describe(), std::move(details),
                          "validation-failure");
  details.push_back(s.tls.info.version + " " + s.tls.info.cipher);
  co_return make_result(verdict::pass, "STARTTLS answered 220, " + s.tls.info.version + " established, EHLO answered",
                        std::move(details));
}

asio::awaitable<case_result> certificate_valid(case_context& ctx) {
  session s(ctx);
  if (auto st = co_await up_to_starttls(s)) co_return *st;
  if (auto st = co_await s.starttls(tls_for(ctx))) co_return *st;
  co_await s.finish();
  std::vector<std::string> details;
  for (std::size_t i = 0; i < s.tls.chain.size(); ++i)
    details.push_back("chain[" + std::to_string(i) + "] " + probe::describe(s.tls.chain[i]));
  if (!s.tls.pkix_ok())
    co_return make_result(verdict::fail, "certificate not valid for " + ctx.target->mx_name + ": " + pkix_failure(s.tls),
                          std::move(details), result_type_name(s.tls.result_type()));
  co_return make_result(verdict::pass, "certificate chains to the trust anchors, is current and has a SAN dNSName "
                                       "matching " + ctx.target->mx_name, std::move(details));
}

asio::awaitable<case_result> no_sni(case_context& ctx) {
  session s(ctx);
  if (auto st = co_await up_to_starttls(s)) co_return *st;
  s.starttls_reply = co_await s.probe().command("STARTTLS", step_timeout(ctx));
  if (s.starttls_reply.code() != 220) co_return unsupported("STARTTLS answered " + s.starttls_reply.describe());
  s.tls = co_await s.probe().start_tls(tls_for(ctx, false));
  if (!s.tls.established)
    co_return make_result(verdict::fail, "a ClientHello without SNI gets no TLS session: " + s.tls.error_text, {},
                          result_type_name(s.tls.result_type()));
  co_await s.finish();
  if (s.tls.info.peer_chain_der.empty())
    co_return make_result(verdict::fail, "the handshake without SNI completed without a certificate chain");
  std::vector<std::string> details{"fallback chain: " + probe::describe(s.tls.chain.front())};
  // Which chain the fallback is is the server's choice; whether it fits --mx-name is recorded.
  details.push_back(std::string("the fallback certificate is ") + (s.tls.pkix_ok() ? "" : "not ") +
                    "PKIX-valid for " + ctx.target->mx_name);
  co_return make_result(verdict::pass, "without SNI the server still sends a certificate chain", std::move(details));
}

asio::awaitable<case_result> tls12(case_context& ctx) {
  {
    session s(ctx);
    if (auto st = co_await up_to_starttls(s)) co_return *st;
    s.starttls_reply = co_await s.probe().command("STARTTLS", step_timeout(ctx));
    if (s.starttls_reply.code() != 220) co_return unsupported("STARTTLS answered " + s.starttls_reply.describe());
    auto opt = tls_for(ctx);
    opt.min_version = opt.max_version = net::tls_version::tls1_2;
    s.tls = co_await s.probe().start_tls(opt);
    if (s.tls.established) {
      co_await s.finish();
      co_return make_result(verdict::pass, "TLS 1.2 handshake completed: " + s.tls.info.cipher);
    }
  }
  // Was it an older-only server, or one this suite cannot speak to (TLS 1.3 only)?
  session s(ctx);
  if (auto st = co_await up_to_starttls(s)) co_return *st;
  s.starttls_reply = co_await s.probe().command("STARTTLS", step_timeout(ctx));
  if (s.starttls_reply.code() != 220) co_return unsupported("STARTTLS answered " + s.starttls_reply.describe());
  auto opt = tls_for(ctx);
  opt.min_version = net::tls_version::tls1_0;
  opt.max_version = net::tls_version::tls1_2;
  s.tls = co_await s.probe().start_tls(opt);
  if (s.tls.established) {
    co_await s.finish();
    co_return make_result(verdict::fail, "no TLS 1.2: the server negotiated " + s.tls.info.version + " (STS-7.2-01)", {},
                          "validation-failure");
  }
  co_return make_result(verdict::unsupported,
                        "no handshake at TLS 1.0 to 1.2 at all; a TLS-1.3-only server conforms to STS-7.2-01 but this "
                        "suite (Botan 2) cannot negotiate TLS 1.3. See starttls.handshake.",
                        {"last error: " + s.tls.error_text});
}

asio::awaitable<case_result> no_legacy_tls(case_context& ctx) {
  session s(ctx);
  if (auto st = co_await up_to_starttls(s)) co_return *st;
  s.starttls_reply = co_await s.probe().command("STARTTLS", step_timeout(ctx));
  if (s.starttls_reply.code() != 220) co_return unsupported("STARTTLS answered " + s.starttls_reply.describe());
  auto opt = tls_for(ctx);
  opt.min_version = net::tls_version::tls1_0;
  opt.max_version = net::tls_version::tls1_1;
  s.tls = co_await s.probe().start_tls(opt);
  if (s.tls.established) {
    co_await s.finish();
    co_return make_result(verdict::pass_non_strict, "the server accepts " + s.tls.info.version +
                                                        " (IMP-4.1-02: TLS below 1.2 should be phased out)");
  }
  co_return make_result(verdict::pass, "a TLS 1.0/1.1-only ClientHello is refused",
                        {"handshake error: " + s.tls.error_text});
}

asio::awaitable<case_result> no_parameters(case_context& ctx) {
  session s(ctx);
  if (auto st = co_await up_to_starttls(s)) co_return *st;
  auto r = co_await s.probe().command("STARTTLS now", step_timeout(ctx));
  if (r.code() == 220) {
    s.probe().close();
    co_return make_result(verdict::fail, "\"STARTTLS now\" answered 220: parameters must be refused with 501 (TLS-4-02)");
  }
  co_await s.finish();
  if (!r.ok()) co_return make_result(verdict::fail, "no reply to STARTTLS with a parameter: " + r.describe());
  if (r.value.code != 501)
    co_return make_result(verdict::fail, "STARTTLS with a parameter answered " + r.describe() + ", not 501 (TLS-4-02)");
  co_return make_result(verdict::pass, "STARTTLS with a parameter answered " + r.describe());
}

asio::awaitable<case_result> not_readvertised(case_context& ctx) {
  session s(ctx);
  if (auto st = co_await s.open_tls(tls_for(ctx))) co_return *st;
  co_await s.finish();
  if (s.tls_caps->starttls())
    co_return make_result(verdict::fail, "the EHLO reply inside TLS lists STARTTLS (TLS-4.2-06)",
                          {"keywords after TLS: " + keywords(*s.tls_caps)});
  co_return make_result(verdict::pass, "the EHLO reply inside TLS does not list STARTTLS",
                        {"keywords after TLS: " + keywords(*s.tls_caps)});
}

asio::awaitable<case_result> second_rejected(case_context& ctx) {
  session s(ctx);
  if (auto st = co_await s.open_tls(tls_for(ctx))) co_return *st;
  auto r = co_await s.probe().command("STARTTLS", step_timeout(ctx));
  if (r.code() == 220) {
    s.probe().close();
    co_return make_result(verdict::fail, "a second STARTTLS inside TLS answered 220 (TLS-4.2-08)");
  }
  co_await s.finish();
  if (!r.ok()) co_return make_result(verdict::fail, "no reply to a second STARTTLS: " + r.describe() + " (TLS-4.2-08)");
  if (r.value.code / 100 != 5)
    co_return make_result(verdict::fail, "a second STARTTLS answered " + r.describe() + ", not 5xx (TLS-4.2-08)");
  // Respected servers differ (554, 503): any 5xx passes, the code is recorded.
  co_return make_result(verdict::pass, "a second STARTTLS answered " + r.describe(),
                        {"reply code " + std::to_string(r.value.code) + " (503 and 554 are equally conforming)"});
}

asio::awaitable<case_result> state_reset(case_context& ctx) {
  // The reset is observable only on a server that refuses MAIL before EHLO: learn that first,
  // on a fresh connection [SMTP-4.1.4-01].
  std::uint16_t baseline = 0;
  {
    session fresh(ctx);
    if (auto st = co_await fresh.open()) co_return *st;
    auto r = co_await fresh.probe().command("MAIL FROM:<conform@mxtls.test>", step_timeout(ctx));
    co_await fresh.finish();
    if (!r.ok()) co_return unsupported("no reply to MAIL FROM before EHLO: " + r.describe());
    if (r.value.code / 100 == 2)
      co_return make_result(verdict::informational,
                            "the server accepts MAIL FROM without any EHLO (" + r.describe() +
                                "), so whether TLS reset the session is not observable from outside",
                            {"Postfix: smtpd_helo_required = yes makes it observable"});
    baseline = r.value.code;
  }
  session s(ctx);
  if (auto st = co_await up_to_starttls(s)) co_return *st;
  if (auto st = co_await s.starttls(tls_for(ctx))) co_return *st;
  // [TLS-4.2-01] the session is back in the state after the greeting: no EHLO yet, so MAIL
  // is out of sequence, as it was on the fresh connection.
  auto r = co_await s.probe().command("MAIL FROM:<conform@mxtls.test>", step_timeout(ctx));
  co_await s.finish();
  std::vector<std::string> details{"MAIL before any EHLO on a fresh connection: " + std::to_string(baseline)};
  if (!r.ok())
    co_return make_result(verdict::fail, "no reply to MAIL FROM before the post-TLS EHLO: " + r.describe(),
                          std::move(details));
  if (r.value.code / 100 == 2)
    co_return make_result(verdict::fail, "MAIL FROM without a new EHLO after TLS accepted: " + r.describe() +
                                             "; the pre-TLS EHLO survived the handshake (TLS-4.2-01, TLS-4.2-02)",
                          std::move(details));
  if (r.value.code != 503)
    details.push_back("503 (bad sequence) is the code SMTP-4.1.4-01 names; " + std::to_string(r.value.code) +
                      " also refuses");
  co_return make_result(verdict::pass, "MAIL FROM without a new EHLO after TLS refused: " + r.describe(),
                        std::move(details));
}

asio::awaitable<case_result> requiretls_after_tls(case_context& ctx) {
  session s(ctx);
  if (auto st = co_await s.open()) co_return *st;
  if (auto st = co_await s.ehlo()) co_return *st;
  if (s.plain_caps->requiretls()) {
    co_await s.finish();
    co_return make_result(verdict::fail, "REQUIRETLS is advertised in plaintext (RTLS-2-01)",
                          {"keywords before TLS: " + keywords(*s.plain_caps)});
  }
  if (auto st = co_await s.starttls(tls_for(ctx))) co_return *st;
  if (auto st = co_await s.ehlo()) co_return *st;
  co_await s.finish();
  if (!s.tls_caps->requiretls())
    co_return unsupported("REQUIRETLS is not advertised (neither before nor after TLS)");
  co_return make_result(verdict::pass, "REQUIRETLS is advertised only inside TLS");
}

asio::awaitable<case_result> injection(case_context& ctx) {
  session s(ctx);
  if (auto st = co_await up_to_starttls(s)) co_return *st;
  auto const t = step_timeout(ctx);
  // CVE-2011-0411: one write, NOOP pipelined behind STARTTLS (what an attacker on the path adds).
  if (!co_await s.probe().send_raw("STARTTLS\r\nNOOP\r\n", t)) co_return unsupported("cannot send");
  auto r = co_await s.probe().read_reply(t);
  if (r.code() != 220) {
    // Refusing STARTTLS because input was pipelined behind it, and closing, also keeps the
    // injected command out of TLS (TLS-4-10). A refusal that lets the session go on says
    // nothing about injection.
    auto next = co_await s.probe().read_reply(std::min(t, milliseconds(500)));
    if (r.ok() && (next.status == probe::reply_status::closed || next.status == probe::reply_status::io_error))
      co_return make_result(verdict::pass, "STARTTLS with pipelined input refused (" + r.describe() +
                                               ") and the connection closed: nothing ran inside TLS");
    co_return unsupported("STARTTLS with pipelined input answered " + r.describe() + ", then " + next.describe());
  }
  std::vector<std::string> details;
  s.tls = co_await s.probe().start_tls(tls_for(ctx));
  if (!s.probe().plaintext_before_tls().empty())
    details.push_back("the server answered in plaintext before the handshake (" +
                      std::to_string(s.probe().plaintext_before_tls().size()) + " octets): not inside TLS");
  if (!s.tls.established) {
    if (s.tls.error == net::errc::connection_closed)
      co_return make_result(verdict::pass, "the server closed the connection instead of starting TLS with pipelined "
                                           "input pending", std::move(details));
    co_return unsupported("TLS handshake failed: " + s.tls.error_text);
  }
  // [TLS-4-10] nothing may answer the NOOP inside TLS: first, no reply before we say anything.
  auto const window = std::min(t, milliseconds(500));
  auto early_reply = co_await s.probe().read_reply(window);
  if (early_reply.ok())
    co_return make_result(verdict::fail, "a reply arrived inside TLS before any command was sent: the NOOP pipelined "
                                         "behind STARTTLS was executed after the handshake (CVE-2011-0411)",
                          {"reply: " + early_reply.describe()});
  if (early_reply.status == probe::reply_status::closed || early_reply.status == probe::reply_status::io_error)
    co_return make_result(verdict::pass, "the server closed the TLS session (it refuses pipelined STARTTLS)",
                          std::move(details));
  // Then exactly one reply per command: EHLO -> 250, QUIT -> 221, nothing else.
  auto e = co_await s.probe().command("EHLO " + std::string(ehlo_name), t);
  auto q = co_await s.probe().command("QUIT", t);
  auto extra = co_await s.probe().read_reply(std::min(t, milliseconds(300)));
  s.probe().close();
  details.push_back("EHLO -> " + e.describe());
  details.push_back("QUIT -> " + q.describe());
  if (extra.ok() || (q.ok() && q.value.code != 221))
    co_return make_result(verdict::fail, "one reply too many inside TLS: the pipelined NOOP was executed after the "
                                         "handshake (CVE-2011-0411)", std::move(details));
  co_return make_result(verdict::pass, "the NOOP pipelined behind STARTTLS was not answered inside TLS",
                        std::move(details));
}

case_registrar const advertised_case{{
    .id = "starttls.advertised",
    .requirements = {"TLS-3-01", "STS-4-01"},
    .role = role::receiver,
    .profile = profile::core,
    .description = "Greets and sends EHLO in plaintext.",
    .expectation = "The EHLO reply lists STARTTLS (MTA-STS senders deliver only over STARTTLS).",
    .timeout = std::chrono::milliseconds(10000),
    .run = advertised,
}};

case_registrar const handshake_case{{
    .id = "starttls.handshake",
    .requirements = {"TLS-4-03", "TLS-4-04", "TLS-4-11", "TLS-4.2-01", "STS-4-01"},
    .role = role::receiver,
    .profile = profile::core,
    .description = "Sends STARTTLS, runs a TLS 1.2 handshake with SNI = --mx-name, then EHLO inside TLS.",
    .expectation = "STARTTLS is answered 220 with nothing after it, the handshake completes and EHLO inside TLS "
                   "gets 250.",
    .timeout = std::chrono::milliseconds(10000),
    .run = handshake,
}};

case_registrar const certificate_case{{
    .id = "starttls.certificate-valid",
    .requirements = {"STS-4.2-01", "STS-4.2-02", "NAME-6.4.4-01"},
    .role = role::receiver,
    .profile = profile::core,
    .description = "Verifies the certificate presented after STARTTLS against --ca for --mx-name.",
    .expectation = "The chain leads to a trusted CA, every certificate is current and a SAN dNSName matches the MX "
                   "name (a CN-only certificate fails).",
    .timeout = std::chrono::milliseconds(10000),
    .run = certificate_valid,
}};

case_registrar const no_sni_case{{
    .id = "starttls.no-sni",
    .requirements = {"STS-7.1-05", "DANE-8.1-02"},
    .role = role::receiver,
    .profile = profile::core,
    .description = "Runs the STARTTLS handshake with a ClientHello that has no SNI extension.",
    .expectation = "The handshake completes with a (fallback) certificate chain: servers must not require SNI.",
    .timeout = std::chrono::milliseconds(10000),
    .run = no_sni,
}};

case_registrar const tls12_case{{
    .id = "starttls.tls12",
    .requirements = {"STS-7.2-01"},
    .role = role::receiver,
    .profile = profile::core,
    .description = "Runs the STARTTLS handshake offering exactly TLS 1.2; if that fails, offers TLS 1.0 to 1.2.",
    .expectation = "TLS 1.2 is negotiated. A server that negotiates only TLS 1.0/1.1 fails; one that completes no "
                   "handshake at all is unsupported (it may be TLS-1.3-only).",
    .timeout = std::chrono::milliseconds(15000),
    .run = tls12,
}};

case_registrar const no_legacy_case{{
    .id = "starttls.no-legacy-tls",
    .requirements = {"IMP-4.1-02", "STS-7.2-02"},
    .role = role::receiver,
    .profile = profile::strict,
    .description = "Runs the STARTTLS handshake offering only TLS 1.0 and 1.1.",
    .expectation = "The handshake is refused; accepting TLS below 1.2 is pass-non-strict.",
    .timeout = std::chrono::milliseconds(10000),
    .run = no_legacy_tls,
}};

case_registrar const no_parameters_case{{
    .id = "starttls.no-parameters",
    .requirements = {"TLS-4-01", "TLS-4-02"},
    .role = role::receiver,
    .profile = profile::core,
    .description = "Sends \"STARTTLS now\" (a parameter the command does not take).",
    .expectation = "501 (syntax error, no parameters allowed); TLS is not started.",
    .timeout = std::chrono::milliseconds(10000),
    .run = no_parameters,
}};

case_registrar const not_readvertised_case{{
    .id = "starttls.not-readvertised",
    .requirements = {"TLS-4.2-06"},
    .role = role::receiver,
    .profile = profile::core,
    .description = "Runs STARTTLS and sends EHLO inside TLS.",
    .expectation = "The post-TLS EHLO reply does not list STARTTLS.",
    .timeout = std::chrono::milliseconds(10000),
    .run = not_readvertised,
}};

case_registrar const second_case{{
    .id = "starttls.second-rejected",
    .requirements = {"TLS-4.2-08", "TLS-4.2-07"},
    .role = role::receiver,
    .profile = profile::core,
    .description = "Sends STARTTLS again inside the TLS session.",
    .expectation = "A 5xx reply; the exact code is recorded (503 and 554 are both conforming).",
    .timeout = std::chrono::milliseconds(10000),
    .run = second_rejected,
}};

case_registrar const state_reset_case{{
    .id = "starttls.state-reset",
    .requirements = {"TLS-4.2-01", "TLS-4.2-02", "SMTP-4.1.4-01"},
    .role = role::receiver,
    .profile = profile::core,
    .description = "Sends MAIL FROM before EHLO on a fresh connection; then, after EHLO, STARTTLS and the "
                   "handshake, sends MAIL FROM without a new EHLO.",
    .expectation = "MAIL is refused (503): the handshake reset the session to its initial state. On a server that "
                   "accepts MAIL without any EHLO the reset is not observable: informational.",
    .timeout = std::chrono::milliseconds(10000),
    .run = state_reset,
}};

case_registrar const requiretls_case{{
    .id = "requiretls.only-after-tls",
    .requirements = {"RTLS-2-01"},
    .role = role::receiver,
    .profile = profile::strict,
    .description = "Compares the EHLO keywords before and after STARTTLS.",
    .expectation = "REQUIRETLS, if supported, is listed only inside TLS. Not listed at all: unsupported.",
    .timeout = std::chrono::milliseconds(10000),
    .run = requiretls_after_tls,
}};

case_registrar const injection_case{{
    .id = "starttls.injection",
    .requirements = {"TLS-4-10"},
    .role = role::receiver,
    .profile = profile::core,
    .description = "Sends \"STARTTLS\\r\\nNOOP\\r\\n\" in one write, runs the handshake, waits, then sends EHLO and "
                   "QUIT inside TLS (CVE-2011-0411).",
    .expectation = "No reply to the pipelined NOOP arrives inside TLS: exactly one reply each to EHLO and QUIT. "
                   "Refusing STARTTLS and closing, or closing instead of starting TLS, also passes.",
    .timeout = std::chrono::milliseconds(10000),
    .run = injection,
}};

}  // namespace
}  // namespace mxtls::conformance::receiver
