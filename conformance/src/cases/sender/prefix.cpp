// Sender cases of the MX-prefix profile (spec/proposal.md §5-6; scenarios ):
// a starttls- or smtps- MX host must get the message only over verified TLS; every failure is
// transient (next MX, then defer); port 26 first for smtps-, with a fallback to verified
// STARTTLS on 25 that never becomes plaintext.
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known false positive
// when the frame allocation is inlined); only this diagnostic is silenced, only here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "cases/sender/harness.hpp"

namespace mxtls::conformance::sender {
namespace {

using boost::asio::awaitable;
using o = delivery_outcome;

sender_case baseline{{
    .id = "baseline.opportunistic",
    .requirements = {"TLS-4-06", "STS-5-03"},
    .profile = profile::core,
    .description = "No prefix, no policy, no TLSA: the only MX offers STARTTLS with a certificate no one can "
                   "verify (self-signed). Also proves the trigger works at all.",
    .expectation = "delivered over (unverified) TLS; plaintext is tolerated (pass-non-strict), deferring is not",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.dnssec = dnssec_mode::insecure, .hosts = {{.label = "mx1", .cert = cert_kind::self_signed}}});
      auto const a = co_await s.send();
      co_return judge(a, {.pass = {o::unverified_tls, o::verified_tls}, .non_strict = {o::plaintext}, .tls_required = false});
    },
}};

sender_case starttls_verified{{
    .id = "prefix.starttls-verified",
    .requirements = {"PFX-05", "PFX-10", "PFX-11", "PFX-12", "PFX-17"},
    .profile = profile::proposal,
    .description = "The MX is starttls-mx1 (signed zone), offers STARTTLS and presents a certificate valid for "
                   "its name.",
    .expectation = "delivered over verified TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "starttls-mx1"}}});
      auto const a = co_await s.send();
      co_return judge(a, {.pass = {o::verified_tls}});
    },
}};

sender_case starttls_stripped{{
    .id = "prefix.starttls-stripped",
    .requirements = {"PFX-05", "PFX-14", "PFX-15", "PFX-16"},
    .profile = profile::proposal,
    .description = "X-55: the only MX is starttls-mx1 in a signed zone, and STARTTLS is missing from its EHLO "
                   "reply (an attacker stripped it).",
    .expectation = "no plaintext: the message is deferred (a transient failure of the host, never a bounce)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "starttls-mx1", .smtp = stripped_peer()}}});
      auto const a = co_await s.send();
      co_return judge(a, {.pass = {o::deferred}, .result_type = "starttls-not-supported"});
    },
}};

sender_case smtps_rst26{{
    .id = "prefix.smtps-port26-reset",
    .requirements = {"P26-09", "P26-12", "P26-13", "P26-15"},
    .profile = profile::proposal,
    .description = "X-56: the MX is smtps-mx1; port 26 is reset (RST) and port 25 offers verified STARTTLS.",
    .expectation = "falls back to port 25 and delivers over verified TLS (never plaintext)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "smtps-mx1", .serve26 = false}}});
      auto const a = co_await s.send();
      co_return judge(a, {.pass = {o::verified_tls}});
    },
}};

}  // namespace
}  // namespace mxtls::conformance::sender
