// Receiver cases on the proposal's strict-tls= directive (spec/proposal.md §5, §8): the
// directive a receiver emits is valid (BAN-02, BAN-03, BAN-05..BAN-11) and in scope for its
// own name (BAN-12); it is repeated where senders may honour it, in the first line of the
// post-STARTTLS EHLO reply and in the port-26 greeting (BAN-16); and a host that publishes
// one meets PFX-07 itself (BAN-17).
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known false positive
// when the frame allocation is inlined); only this diagnostic is silenced, only here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "cases/receiver/common.hpp"

namespace mxtls::conformance::receiver {
namespace {

using spec::banner::reply_kind;

std::string text_of(spec::banner::strict_tls_directive const& d) { return spec::banner::print_directive(d); }

asio::awaitable<case_result> directive_syntax(case_context& ctx) {
  session s(ctx);
  if (auto st = co_await s.open()) co_return *st;
  co_await s.finish();
  auto d = look_for_directive(s.greeting.value, reply_kind::greeting);
  if (!d.present) co_return make_result(verdict::informational, "the greeting carries no strict-tls= directive");
  if (!d.value) co_return make_result(verdict::fail, "invalid strict-tls= directive in the greeting: " + d.error);
  co_return make_result(verdict::pass, "valid directive in the greeting: " + text_of(*d.value));
}

asio::awaitable<case_result> directive_scope(case_context& ctx) {
  session s(ctx);
  if (auto st = co_await s.open()) co_return *st;
  co_await s.finish();
  auto d = look_for_directive(s.greeting.value, reply_kind::greeting);
  if (!d.present) co_return make_result(verdict::informational, "the greeting carries no strict-tls= directive");
  if (!d.value)
    co_return make_result(verdict::informational, "the greeting's directive is invalid, so it has no scope to judge "
                                                  "(see greeting.directive-syntax): " + d.error);
  std::string const& host = ctx.target->mx_name;
  // [BAN-12] the pattern must be the host itself or "*." + parent(host).
  if (!spec::banner::in_scope(*d.value, host))
    co_return make_result(verdict::fail, "directive pattern " + d.value->pattern.to_string() + " is out of scope for " +
                                             host + ": senders ignore it (BAN-12)",
                          {"directive: " + text_of(*d.value)});
  co_return make_result(verdict::pass, "directive pattern " + d.value->pattern.to_string() + " is in scope for " + host);
}

asio::awaitable<case_result> directive_after_tls(case_context& ctx) {
  session s(ctx);
  if (auto st = co_await s.open()) co_return *st;
  auto greeting_d = look_for_directive(s.greeting.value, reply_kind::greeting);
  if (auto st = co_await s.ehlo()) co_return *st;
  auto plain_ehlo_d = look_for_directive(s.plain_ehlo_reply.value, reply_kind::ehlo);
  bool const published_plain = greeting_d.present || plain_ehlo_d.present;
  if (auto st = co_await s.starttls(tls_for(ctx))) {
    if (!published_plain) co_return *st;
    co_return make_result(verdict::unsupported, "the target publishes a directive in plaintext but TLS could not be "
                                                "started; see greeting.directive-backed: " + st->summary);
  }
  if (auto st = co_await s.ehlo()) co_return *st;
  co_await s.finish();
  auto tls_d = look_for_directive(s.tls_ehlo_reply.value, reply_kind::ehlo);
  std::vector<std::string> details;
  if (greeting_d.value) details.push_back("greeting: " + text_of(*greeting_d.value));
  if (plain_ehlo_d.value) details.push_back("EHLO before TLS: " + text_of(*plain_ehlo_d.value));
  if (!published_plain && !tls_d.present)
    co_return make_result(verdict::informational, "the target publishes no strict-tls= directive");
  if (!tls_d.present)
    // [BAN-16] senders honour a directive only inside verified TLS (BAN-14): the one in the
    // plaintext greeting is useless unless repeated in the first post-STARTTLS EHLO line.
    co_return make_result(verdict::fail, "a directive is published in plaintext but the first line of the "
                                         "post-STARTTLS EHLO reply carries none (BAN-16)",
                          std::move(details));
  if (!tls_d.value)
    co_return make_result(verdict::fail, "invalid directive in the post-STARTTLS EHLO reply: " + tls_d.error,
                          std::move(details));
  details.push_back("EHLO after TLS: " + text_of(*tls_d.value));
  if (!spec::banner::in_scope(*tls_d.value, ctx.target->mx_name))
    co_return make_result(verdict::fail, "the post-STARTTLS directive is out of scope for " + ctx.target->mx_name +
                                             " (BAN-12)", std::move(details));
  if (greeting_d.value && !(*greeting_d.value == *tls_d.value))
    details.push_back("the plaintext and post-TLS directives differ; senders use only the post-TLS one (BAN-14)");
  co_return make_result(verdict::pass, "the first post-STARTTLS EHLO line carries the directive", std::move(details));
}

asio::awaitable<case_result> directive_backed(case_context& ctx) {
  session s(ctx);
  if (auto st = co_await s.open()) co_return *st;
  auto greeting_d = look_for_directive(s.greeting.value, reply_kind::greeting);
  if (auto st = co_await s.ehlo()) co_return *st;
  auto plain_ehlo_d = look_for_directive(s.plain_ehlo_reply.value, reply_kind::ehlo);
  auto const* published = greeting_d.value ? &*greeting_d.value : plain_ehlo_d.value ? &*plain_ehlo_d.value : nullptr;
  if (!published) {
    co_await s.finish();
    co_return make_result(verdict::informational, "the target publishes no valid strict-tls= directive in plaintext");
  }
  std::string const& host = ctx.target->mx_name;
  std::vector<std::string> details{"directive: " + text_of(*published)};
  // [BAN-17] every host the directive covers must meet PFX-07; the suite can check the one
  // it talks to (when the directive is in scope for it and so covers it).
  if (!spec::banner::in_scope(*published, host)) {
    co_await s.finish();
    co_return make_result(verdict::informational, "the directive is out of scope for " + host +
                                                      "; see greeting.directive-scope", std::move(details));
  }
  if (!s.plain_caps->starttls()) {
    co_await s.finish();
    co_return make_result(verdict::fail, "publishes a directive but does not advertise STARTTLS (BAN-17, PFX-07)",
                          std::move(details), "starttls-not-supported");
  }
  if (auto st = co_await s.starttls(tls_for(ctx))) {
    co_await s.finish();
    bool const handshake = s.starttls_reply.code() == 220;
    co_return make_result(verdict::fail, "publishes a directive but STARTTLS fails (BAN-17, PFX-07): " + st->summary,
                          std::move(details), handshake ? "validation-failure" : "starttls-not-supported");
  }
  co_await s.finish();
  if (!s.tls.pkix_ok())
    co_return make_result(verdict::fail, "publishes a directive but its certificate is not PKIX-valid for " + host +
                                             " (BAN-17, PFX-07): " + pkix_failure(s.tls),
                          std::move(details), result_type_name(s.tls.result_type()));
  co_return make_result(verdict::pass, "the host publishing the directive meets PFX-07 itself", std::move(details));
}

asio::awaitable<case_result> port26_directive(case_context& ctx) {
  auto const port26 = ctx.target->port26;
  if (!port26) co_return unsupported("no implicit-TLS port configured (--port26)");
  // What port 25 publishes.
  // One co_await per statement here: g++ 12 mishandles temporaries of awaits chained with &&.
  session s25(ctx);
  bool published25 = false;
  auto const opened = co_await s25.open();
  if (!opened) {
    published25 = look_for_directive(s25.greeting.value, reply_kind::greeting).present;
    auto reached = co_await s25.ehlo();
    if (!reached) reached = co_await s25.starttls(tls_for(ctx));
    if (!reached) reached = co_await s25.ehlo();
    if (!reached && look_for_directive(s25.tls_ehlo_reply.value, reply_kind::ehlo).present) published25 = true;
    co_await s25.finish();
  }
  session s(ctx);
  if (auto st = co_await s.open_implicit(*port26, tls_for(ctx))) co_return *st;
  co_await s.finish();
  auto d = look_for_directive(s.greeting.value, reply_kind::greeting);
  if (!d.present && !published25) co_return make_result(verdict::informational, "the target publishes no strict-tls= directive");
  if (!d.present)
    co_return make_result(verdict::fail, "port 25 publishes a directive but the implicit-TLS greeting carries none "
                                         "(BAN-16)");
  if (!d.value) co_return make_result(verdict::fail, "invalid directive in the implicit-TLS greeting: " + d.error);
  if (!spec::banner::in_scope(*d.value, ctx.target->mx_name))
    co_return make_result(verdict::fail, "the implicit-TLS greeting's directive is out of scope for " +
                                             ctx.target->mx_name + " (BAN-12)");
  co_return make_result(verdict::pass, "the implicit-TLS greeting carries the directive: " + text_of(*d.value));
}

case_registrar const syntax_case{{
    .id = "greeting.directive-syntax",
    .requirements = {"BAN-02", "BAN-03", "BAN-05", "BAN-06", "BAN-07", "BAN-08", "BAN-09", "BAN-11"},
    .role = role::receiver,
    .profile = profile::proposal,
    .description = "Reads the 220 greeting and parses a strict-tls= directive if one is present.",
    .expectation = "A directive, when present, matches the proposal's grammar: one directive, a valid pattern, "
                   "max-age exactly once and at most 31557600, no duplicated attribute. No directive: informational.",
    .timeout = std::chrono::milliseconds(10000),
    .run = directive_syntax,
}};

case_registrar const scope_case{{
    .id = "greeting.directive-scope",
    .requirements = {"BAN-12"},
    .role = role::receiver,
    .profile = profile::proposal,
    .description = "Checks that the greeting's strict-tls= pattern covers the host's own name (--mx-name).",
    .expectation = "The pattern is the MX name itself or \"*.\" + its parent domain; senders ignore any other "
                   "pattern. No (valid) directive: informational.",
    .timeout = std::chrono::milliseconds(10000),
    .run = directive_scope,
}};

case_registrar const after_tls_case{{
    .id = "ehlo.directive-after-tls",
    .requirements = {"BAN-16", "BAN-12", "BAN-14"},
    .role = role::receiver,
    .profile = profile::proposal,
    .description = "Runs STARTTLS and reads the first EHLO reply inside TLS.",
    .expectation = "A receiver that publishes a directive (greeting or plaintext EHLO) repeats a valid, in-scope "
                   "directive in the first line of its post-STARTTLS EHLO reply, the only place senders honour it "
                   "on port 25. No directive anywhere: informational.",
    .timeout = std::chrono::milliseconds(10000),
    .run = directive_after_tls,
}};

case_registrar const backed_case{{
    .id = "greeting.directive-backed",
    .requirements = {"BAN-17", "PFX-07"},
    .role = role::receiver,
    .profile = profile::proposal,
    .description = "When the target publishes an in-scope directive, runs STARTTLS and verifies its certificate.",
    .expectation = "A host that pins itself offers STARTTLS and a certificate PKIX-valid for its name; otherwise "
                   "every sender honouring the pin defers its mail. No directive: informational.",
    .timeout = std::chrono::milliseconds(10000),
    .run = directive_backed,
}};

case_registrar const port26_case{{
    .id = "port26.directive-in-greeting",
    .requirements = {"BAN-16", "BAN-12"},
    .role = role::receiver,
    .profile = profile::proposal,
    .description = "Compares what port 25 publishes with the greeting inside implicit TLS on --port26.",
    .expectation = "A receiver that publishes a directive and offers the implicit-TLS port carries a valid, "
                   "in-scope directive in the greeting there. Without --port26: unsupported.",
    .timeout = std::chrono::milliseconds(15000),
    .run = port26_directive,
}};

}  // namespace
}  // namespace mxtls::conformance::receiver
