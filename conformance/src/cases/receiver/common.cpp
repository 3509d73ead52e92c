// Shared steps of the receiver cases (see common.hpp).
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known false positive
// when the frame allocation is inlined); only this diagnostic is silenced, only here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "cases/receiver/common.hpp"

#include <algorithm>

namespace mxtls::conformance::receiver {

milliseconds step_timeout(case_context const& ctx) noexcept {
  auto const third = ctx.timeout / 3;
  return std::clamp<milliseconds>(std::chrono::duration_cast<milliseconds>(third), milliseconds(200),
                                  milliseconds(10000));
}

case_result make_result(verdict v, std::string summary, std::vector<std::string> details, std::string result_type) {
  case_result r;
  r.v = v;
  r.summary = std::move(summary);
  r.details = std::move(details);
  r.result_type = std::move(result_type);
  return r;
}

case_result unsupported(std::string why) { return make_result(verdict::unsupported, std::move(why)); }

probe::tls_options tls_for(case_context const& ctx, bool send_sni) {
  probe::tls_options o;
  o.sni = send_sni ? ctx.target->mx_name : std::string{};
  o.reference_identity = ctx.target->mx_name;
  o.ca_file = ctx.target->ca_file;
  o.timeout = step_timeout(ctx);
  return o;
}

std::string result_type_name(net::tlsrpt_result_type t) { return std::string(net::to_string(t)); }

std::string pkix_failure(probe::tls_outcome const& tls) {
  if (!tls.established) return "no TLS session: " + tls.error_text;
  auto const& v = tls.info.verify;
  std::string out = result_type_name(v.result_type);
  if (out.empty()) out = "validation-failure";
  if (!v.trusted) out += ": the chain does not lead to a trusted CA";
  else if (v.expired) out += ": a certificate of the chain has expired";
  else if (v.not_yet_valid) out += ": a certificate of the chain is not yet valid";
  else if (!v.name_matched) {
    out += ": no SAN dNSName matches " + tls.info.sni;
    if (v.dns_ids.empty()) out += " (the certificate has no SAN dNSName; the CN is never used, NAME-6.4.4-01)";
  }
  if (!v.reason.empty()) out += " (" + v.reason + ")";
  return out;
}

session::session(case_context& ctx)
    : ctx_(&ctx), probe_(std::make_unique<probe::smtp_probe>(ctx.executor, *ctx.log)) {}

asio::awaitable<step> session::open() {
  auto const& t = *ctx_->target;
  auto err = co_await probe_->connect(t.host, t.port, step_timeout(*ctx_));
  if (!err.empty()) co_return unsupported("cannot connect to the STARTTLS port: " + err);
  greeting = co_await probe_->read_reply(step_timeout(*ctx_));
  if (!greeting.ok()) co_return unsupported("no greeting: " + greeting.describe());
  if (greeting.value.code != 220) co_return unsupported("greeting is not 220: " + greeting.describe());
  co_return std::nullopt;
}

asio::awaitable<step> session::open_implicit(std::uint16_t port, probe::tls_options options) {
  auto const& t = *ctx_->target;
  auto err = co_await probe_->connect(t.host, port, step_timeout(*ctx_));
  if (!err.empty()) co_return unsupported("cannot connect to the implicit-TLS port: " + err);
  tls = co_await probe_->start_tls(options);
  if (!tls.established) co_return unsupported("no TLS handshake on the implicit-TLS port: " + tls.error_text);
  greeting = co_await probe_->read_reply(step_timeout(*ctx_));
  if (!greeting.ok()) co_return unsupported("no greeting inside TLS: " + greeting.describe());
  if (greeting.value.code != 220) co_return unsupported("greeting inside TLS is not 220: " + greeting.describe());
  co_return std::nullopt;
}

asio::awaitable<step> session::ehlo() {
  auto e = co_await probe_->ehlo(ehlo_name, step_timeout(*ctx_));
  bool const in_tls = probe_->tls_active();
  (in_tls ? tls_ehlo_reply : plain_ehlo_reply) = e.reply;
  (in_tls ? tls_caps : plain_caps) = e.caps;
  if (!e.caps) co_return unsupported(std::string(in_tls ? "EHLO inside TLS" : "EHLO") + " not answered 250: " +
                                     e.reply.describe());
  co_return std::nullopt;
}

asio::awaitable<step> session::starttls(probe::tls_options options) {
  if (!plain_caps || !plain_caps->starttls()) co_return unsupported("STARTTLS is not advertised");
  starttls_reply = co_await probe_->command("STARTTLS", step_timeout(*ctx_));
  if (starttls_reply.code() != 220) co_return unsupported("STARTTLS not answered 220: " + starttls_reply.describe());
  tls = co_await probe_->start_tls(options);
  if (!tls.established) co_return unsupported("TLS handshake after STARTTLS failed: " + tls.error_text);
  co_return std::nullopt;
}

asio::awaitable<step> session::open_tls(probe::tls_options options) {
  if (auto s = co_await open()) co_return s;
  if (auto s = co_await ehlo()) co_return s;
  if (auto s = co_await starttls(std::move(options))) co_return s;
  // Named result, never `co_return co_await` (g++ 12 miscompiles it after an awaited condition).
  auto last = co_await ehlo();
  co_return last;
}

asio::awaitable<void> session::finish() { co_await probe_->quit(step_timeout(*ctx_)); }

directive_found look_for_directive(spec::smtp::reply const& reply, spec::banner::reply_kind kind) {
  directive_found out;
  auto r = spec::banner::find_directive(reply, kind);
  if (!r) {
    out.present = true;
    out.requirement = std::string(r.error().requirement);
    out.error = r.error().message() + " [" + out.requirement + "] at offset " + std::to_string(r.error().offset);
    return out;
  }
  if (*r) {
    out.present = true;
    out.value = std::move(**r);
  }
  return out;
}

}  // namespace mxtls::conformance::receiver
