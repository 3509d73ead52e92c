// Sender cases of the MX-prefix profile (spec/proposal.md §3, §4, §6; scenarios X-01 for
// smtps-, X-55, X-56, X-57; mixed MX sets; DNSSEC secure / insecure / bogus):
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


/// A peer script that serves implicit TLS on 26 with a certificate of shape `kind` for `host`.
peer_script port26_with(scene& s, std::string const& label, cert_kind kind) {
  peer_script p;
  p.chains = {s.w().pki().chain(s.name(label), kind)};
  return p;
}

case_result fail(case_result r, std::string summary) {
  r.v = verdict::fail;
  r.summary = std::move(summary);
  return r;
}

/// Whether any session of the step went to `port`.
bool used_port(attempt const& a, std::uint16_t port) {
  for (auto const& ss : a.sessions)
    if (ss.port == port) return true;
  return false;
}

sender_case smtps_stripped{{
    .id = "prefix.smtps-stripped",
    .requirements = {"PFX-05", "PFX-14", "P26-12", "P26-13", "P26-15"},
    .profile = profile::proposal,
    .description = "X-01 for smtps-: the only MX is smtps-mx1 (signed zone); port 26 refuses connections and "
                   "STARTTLS is missing from the EHLO reply on port 25.",
    .expectation = "deferred: the port-25 fallback requires verified STARTTLS, never plaintext",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "smtps-mx1", .smtp = stripped_peer(), .serve26 = false}}});
      auto const a = co_await s.send();
      // [P26-13][P26-15] after the fallback port 25 is class starttls: no plaintext.
      co_return judge(a, {.pass = {o::deferred}, .result_type = "starttls-not-supported"});
    },
}};

sender_case smtps_port26{{
    .id = "prefix.smtps-port26",
    .requirements = {"P26-09", "P26-11", "PFX-12"},
    .profile = profile::proposal,
    .description = "The only MX is smtps-mx1 (signed zone); port 26 serves implicit TLS with a valid "
                   "certificate, and port 25 has STARTTLS stripped (so only port 26 can carry the message).",
    .expectation = "delivered over verified implicit TLS on port 26, with no STARTTLS sent there",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "smtps-mx1", .smtp = stripped_peer(), .serve26 = true}}});
      auto const a = co_await s.send();
      auto r = judge(a, {.pass = {o::verified_tls}, .result_type = "starttls-not-supported"});
      if (r.v != verdict::pass) co_return r;
      // [P26-09] port 26 first; [P26-11] no STARTTLS on the implicit-TLS port.
      for (auto const& d : a.deliveries)
        if (d.port != 26) co_return fail(r, "delivered on port " + std::to_string(d.port) + ", not 26 (P26-09)");
      for (auto const& ss : a.sessions)
        if (ss.port == 26)
          for (auto const& e : ss.session.wire)
            if (e.channel == "C" && e.text.starts_with("STARTTLS"))
              co_return fail(r, "STARTTLS sent on the implicit-TLS port (P26-11)");
      co_return r;
    },
}};

sender_case smtps_port26_bad_cert{{
    .id = "prefix.smtps-port26-bad-cert",
    .requirements = {"P26-09", "P26-12", "P26-13", "PFX-12"},
    .profile = profile::proposal,
    .description = "P26-12: the only MX is smtps-mx1 (signed zone); port 26 presents a self-signed certificate, "
                   "port 25 offers STARTTLS with a valid one.",
    .expectation = "falls back to port 25 of the same host and delivers over verified TLS; nothing is sent over "
                   "the unverified port-26 session",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "smtps-mx1", .serve26 = true, .smtp26 = port26_with(s, "smtps-mx1", cert_kind::self_signed)}}});
      auto a = co_await s.send();
      // The host counts as verifiable (its port-25 certificate is); a delivery on 26 went
      // over an unverified session [PFX-12][P26-11].
      for (auto& d : a.deliveries)
        if (d.port == 26) {
          d.verifiable = false;
          if (a.outcome == o::verified_tls) a.outcome = o::unverified_tls;
        }
      co_return judge(a, {.pass = {o::verified_tls}, .result_type = "certificate-not-trusted"});
    },
}};

sender_case starttls_no_port26{{
    .id = "prefix.starttls-never-port26",
    .requirements = {"P26-16", "PFX-14", "PFX-15"},
    .profile = profile::proposal,
    .description = "P26-16: the only MX is starttls-mx1 (signed zone); it serves implicit TLS with a valid "
                   "certificate on port 26, but STARTTLS is stripped on port 25.",
    .expectation = "deferred, and port 26 never contacted (only smtps- hosts use it)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "starttls-mx1", .smtp = stripped_peer(), .serve26 = true}}});
      auto const a = co_await s.send();
      auto r = judge(a, {.pass = {o::deferred}, .result_type = "starttls-not-supported"});
      // [P26-16] the implicit-TLS port is for class smtps only.
      if (used_port(a, 26)) co_return fail(r, "port 26 of a starttls- host was contacted (P26-16)");
      co_return r;
    },
}};

sender_case next_mx{{
    .id = "prefix.next-mx",
    .requirements = {"PFX-15", "DNS-16", "SMTP-5.1-01", "PFX-16"},
    .profile = profile::proposal,
    .description = "Mixed faults: starttls-mx1 (preference 10) has STARTTLS stripped; starttls-mx2 (preference "
                   "20) is well-behaved (signed zone).",
    .expectation = "delivered over verified TLS via starttls-mx2; nothing in plaintext to starttls-mx1",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "starttls-mx1", .preference = 10, .smtp = stripped_peer()},
                         {.label = "starttls-mx2", .preference = 20}}});
      auto const a = co_await s.send();
      // [PFX-15][DNS-16] a requirement failure makes the host unreachable: next MX.
      co_return judge(a, {.pass = {o::verified_tls}, .result_type = "starttls-not-supported"});
    },
}};

sender_case all_mx_failed{{
    .id = "prefix.all-mx-failed",
    .requirements = {"PFX-15", "DNS-15", "DNS-16"},
    .profile = profile::proposal,
    .description = "Mixed faults: starttls-mx1 (preference 10) has STARTTLS stripped; starttls-mx2 (preference "
                   "20) presents an expired certificate (signed zone).",
    .expectation = "deferred: every host failed a requirement; no bounce, no plaintext, no delivery over the "
                   "unverified session",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "starttls-mx1", .preference = 10, .smtp = stripped_peer()},
                         {.label = "starttls-mx2", .preference = 20, .cert = cert_kind::expired}}});
      auto const a = co_await s.send();
      // [DNS-15] all MX failed: defer; requirement failures never bounce.
      co_return judge(a, {.pass = {o::deferred}, .result_type = "certificate-expired"});
    },
}};

sender_case insecure_zone{{
    .id = "prefix.insecure-zone",
    .requirements = {"DNS-03", "DNS-20", "PFX-14", "PFX-15"},
    .profile = profile::proposal,
    .description = "The MX RRset is insecure (unsigned zone) and names starttls-mx1, whose EHLO reply lacks "
                   "STARTTLS.",
    .expectation = "deferred: an insecure prefix is still honoured (it only makes delivery stricter)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.dnssec = dnssec_mode::insecure, .hosts = {{.label = "starttls-mx1", .smtp = stripped_peer()}}});
      auto const a = co_await s.send();
      // [DNS-03] honour the prefix from an insecure MX RRset.
      co_return judge(a, {.pass = {o::deferred}, .result_type = "starttls-not-supported"});
    },
}};

sender_case bogus_mx{{
    .id = "prefix.bogus-mx",
    .requirements = {"DNS-05", "DNS-06", "DNS-14"},
    .profile = profile::proposal,
    .description = "The zone is signed but its signatures do not validate (bogus); the MX RRset names "
                   "starttls-mx1, which is well-behaved.",
    .expectation = "deferred: a bogus MX answer is unusable (no MX record from it, no implicit MX)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.dnssec = dnssec_mode::bogus, .hosts = {{.label = "starttls-mx1"}}});
      auto const a = co_await s.send();
      // [DNS-05] bogus MX lookup: defer the message.
      co_return judge(a, {.pass = {o::deferred}, .result_type = "dnssec-invalid"});
    },
}};

sender_case mx_rewrite_signed{{
    .id = "prefix.mx-rewrite-signed",
    .requirements = {"DNS-05", "DNS-01", "PFX-16", "DNS-18"},
    .profile = profile::proposal,
    .description = "X-57 in a signed zone: first the MX is starttls-mx1 (secure); then an attacker rewrites the "
                   "MX RRset to the unprefixed relay.<domain> (which has STARTTLS stripped) and cannot sign it, "
                   "so the answer is bogus.",
    .expectation = "first delivered over verified TLS, then deferred: the rewritten (bogus) MX is never used",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "starttls-mx1"},
                         {.label = "relay", .in_mx = false, .smtp = stripped_peer(), .excluded = true}}});
      auto const a1 = co_await s.send("before the rewrite");
      auto r = judge(a1, {.pass = {o::verified_tls}}, "before the rewrite");
      if (r.v != verdict::pass) co_return r;
      s.set_mx({{10, "relay"}});
      s.set_dnssec(dnssec_mode::bogus);
      auto const a2 = co_await s.send("after the rewrite");
      // [DNS-05] the forged RRset does not validate: defer; the prefix's protection holds.
      co_return judge(a2, {.pass = {o::deferred}, .result_type = "dnssec-invalid"}, "after the rewrite");
    },
}};

}  // namespace
}  // namespace mxtls::conformance::sender
