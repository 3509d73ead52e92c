// Sender cases of DANE for SMTP (RFC 7672; scenarios X-40..X-49) and its interaction with
// MTA-STS (RFC 8461 §2, proposal §7). Zones are signed unless a case says otherwise; in the
// suite's default resolver mode the world never sets AD, so the sender must validate itself.
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known false positive
// when the frame allocation is inlined); only this diagnostic is silenced, only here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "cases/sender/sts_support.hpp"

namespace mxtls::conformance::sender {
namespace {

using boost::asio::awaitable;
using o = delivery_outcome;
using sts::combine;
using sts::policy;

/// A usable DANE-EE record whose digest matches no certificate.
std::string tlsa_mismatch(scene& s, std::string_view label) {
  return rr::tlsa(25, s.name(label), 3, 1, 1, std::string(64, '0'));
}

sender_case mismatch_sts{{
    .id = "dane.tlsa-mismatch-beats-sts",
    .requirements = {"STS-2-01", "DANE-3.2-02", "DNS-08", "DNS-16"},
    .profile = profile::core,
    .description = "X-40: signed zone; MX mx1 (10) has a usable secure TLSA \"3 1 1\" record that matches nothing, "
                   "and a WebPKI-valid certificate that the enforce policy (listing mx1 and mx2) accepts; mx2 (20) "
                   "has no TLSA.",
    .expectation = "the failing DANE check is not overridden by MTA-STS: mx1 is skipped, the message goes to mx2 "
                   "over verified TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      // [STS-2-01][DANE-3.2-02][DNS-08] a DANE failure is never overridden.
      s.build({.hosts = {{.label = "mx1", .preference = 10, .excluded = true}, {.label = "mx2", .preference = 20}},
               .sts_txt = "v=STSv1; id=1",
               .policy = policy_host_options{.body = policy("enforce", {s.name("mx1"), s.name("mx2")})},
               .records = {tlsa_mismatch(s, "mx1")}});
      auto const a = co_await s.send();
      co_return judge(a, {.pass = {o::verified_tls}, .result_type = "tlsa-invalid"});
    },
}};

sender_case lookup_failure{{
    .id = "dane.tlsa-lookup-failure",
    .requirements = {"DANE-2.1.2-03", "DANE-2.1.2-04", "DANE-2.1.2-05", "DANE-2.2-04", "DNS-12"},
    .profile = profile::core,
    .description = "X-42: signed zone; the TLSA query for mx1 (10) answers SERVFAIL, mx2 (20) has a matching "
                   "\"3 1 1\" record; then mx2's TLSA answer also turns bogus (corrupt RRSIGs).",
    .expectation = "mx1 is unreachable and the message goes to mx2 over verified TLS; with both failing it is "
                   "deferred (never delivered, never bounced)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "mx1", .preference = 10, .excluded = true}, {.label = "mx2", .preference = 20}}});
      s.replace_records("_25._tcp.mx1", net::dns::rr_type::tlsa, {s.tlsa_for("mx1")});
      s.replace_records("_25._tcp.mx2", net::dns::rr_type::tlsa, {s.tlsa_for("mx2")});
      // [DANE-2.1.2-03] a failed TLSA lookup makes the host unreachable.
      s.set_dns_fault("_25._tcp.mx1", net::dns::fault::servfail, net::dns::rr_type::tlsa);
      std::vector<case_result> r;
      auto const a1 = co_await s.send("TLSA SERVFAIL at mx1");
      r.push_back(judge(a1, {.pass = {o::verified_tls}, .result_type = "dnssec-invalid"}, "one MX"));
      s.set_dns_fault("_25._tcp.mx2", net::dns::fault::bogus_signatures, net::dns::rr_type::tlsa);
      // [DANE-2.1.2-05] no server reachable: delay.
      auto const a2 = co_await s.send("TLSA bogus at mx2 as well");
      r.push_back(judge(a2, {.pass = {o::deferred}, .result_type = "dnssec-invalid"}, "both MX"));
      co_return combine(r);
    },
}};

sender_case unusable{{
    .id = "dane.tlsa-unusable-only",
    .requirements = {"DANE-2.2-02", "DANE-2.2.3-03", "DANE-3.1.3-02", "DNS-13"},
    .profile = profile::core,
    .description = "X-43: signed zone; the only MX mx1 has a self-signed certificate and a secure TLSA RRset with "
                   "only PKIX-TA(0)/PKIX-EE(1) records (matching its certificate); then the MX is mx1b, alike but "
                   "without STARTTLS.",
    .expectation = "the records are unusable but TLS is required without authentication: delivered over "
                   "(unverified) TLS, then deferred, never plaintext",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "mx1", .cert = cert_kind::self_signed},
                         {.label = "mx1b", .in_mx = false, .cert = cert_kind::self_signed, .smtp = stripped_peer()}}});
      // [DANE-3.1.3-02] usages 0 and 1 are unusable for SMTP; [DANE-2.2-02] TLS still required.
      for (auto const* h : {"mx1", "mx1b"})
        s.replace_records(std::string("_25._tcp.") + h, net::dns::rr_type::tlsa,
                          {s.tlsa_for(h, 25, 1, 1, 1), s.tlsa_for(h, 25, 0, 0, 1)});
      std::vector<case_result> r;
      auto const a1 = co_await s.send("STARTTLS offered");
      r.push_back(judge(a1, {.pass = {o::unverified_tls, o::verified_tls}, .result_type = "tlsa-invalid"}, "STARTTLS"));
      s.set_mx({{10, "mx1b"}});
      // [DANE-2.2.3-03] no delivery unless TLS is negotiated.
      auto const a2 = co_await s.send("STARTTLS stripped");
      r.push_back(judge(a2, {.pass = {o::deferred}, .result_type = "starttls-not-supported"}, "stripped"));
      co_return combine(r);
    },
}};

sender_case insecure_tlsa{{
    .id = "dane.insecure-tlsa-not-applied",
    .requirements = {"DANE-2.2-03", "DANE-2.2.1-02", "DNS-20"},
    .profile = profile::core,
    .description = "X-44 (variant): unsigned zone; the only MX mx1 (valid certificate) has a TLSA \"3 1 1\" record "
                   "that matches nothing, but the answer is insecure.",
    .expectation = "insecure TLSA records do not apply: delivered over TLS (plaintext tolerated, deferring is not)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      // [DNS-20][DANE-2.2-03] DANE only from secure answers.
      s.build({.dnssec = dnssec_mode::insecure, .hosts = {{.label = "mx1"}}, .records = {tlsa_mismatch(s, "mx1")}});
      auto const a = co_await s.send();
      co_return judge(a, {.pass = {o::verified_tls, o::unverified_tls}, .non_strict = {o::plaintext}, .tls_required = false});
    },
}};

sender_case own_validation{{
    .id = "dane.secure-without-ad-bit",
    .requirements = {"DANE-2.1.1-01", "DANE-2.1.3-01", "DANE-2.1.3-02", "DANE-3.2-02", "DNS-06"},
    .profile = profile::core,
    .description = "X-45: signed zone served by a DNS server that never sets AD (validating-sender mode: the "
                   "sender must validate from {trust_anchor}); the only MX mx1 (valid certificate) has a secure "
                   "TLSA \"3 1 1\" record that matches nothing.",
    .expectation = "the sender establishes the TLSA RRset as secure itself and DANE fails: deferred",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      // [DANE-2.1.1-01] the sender distinguishes secure answers itself; [DANE-3.2-02] no delivery.
      s.build({.hosts = {{.label = "mx1", .excluded = true}}, .records = {tlsa_mismatch(s, "mx1")}});
      auto const a = co_await s.send();
      co_return judge(a, {.pass = {o::deferred}, .result_type = "tlsa-invalid"});
    },
}};

sender_case dropped{{
    .id = "dane.tlsa-dropped-insecure-host",
    .requirements = {"DANE-2.2.2-01", "DANE-2.2.2-02", "DNS-20"},
    .profile = profile::core,
    .description = "X-46: unsigned zone; the DNS server drops every TLSA query for the only MX mx1 (valid "
                   "certificate).",
    .expectation = "the address records are insecure, so no TLSA lookup is needed: delivered over TLS (plaintext "
                   "tolerated, deferring is not)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.dnssec = dnssec_mode::insecure, .hosts = {{.label = "mx1"}}});
      // [DANE-2.2.2-02] insecure address: do not search for TLSA records.
      s.set_dns_fault("_25._tcp.mx1", net::dns::fault::drop, net::dns::rr_type::tlsa);
      auto const a = co_await s.send();
      co_return judge(a, {.pass = {o::verified_tls, o::unverified_tls}, .non_strict = {o::plaintext}, .tls_required = false});
    },
}};

sender_case ee_name_date{{
    .id = "dane.ee-ignores-name-and-dates",
    .requirements = {"DANE-3.1.1-01", "DANE-3.1.1-02", "DANE-3.2.1-01", "DANE-2.2-01"},
    .profile = profile::core,
    .description = "X-47: signed zone; the MX presents an expired certificate (step 1: mx1), then (MX changed) a "
                   "certificate for another name (step 2: mx2); each host's secure DANE-EE \"3 1 1\" record matches "
                   "its certificate.",
    .expectation = "DANE-EE authenticates the key alone: both messages delivered over (DANE-)verified TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "mx1", .cert = cert_kind::expired, .verifiable = true},
                         {.label = "mx2", .in_mx = false, .cert = cert_kind::wrong_name, .verifiable = true}}});
      // [DANE-3.1.1-02] dates ignored; [DANE-3.2.1-01] no name checks.
      s.replace_records("_25._tcp.mx1", net::dns::rr_type::tlsa, {s.tlsa_for("mx1")});
      s.replace_records("_25._tcp.mx2", net::dns::rr_type::tlsa, {s.tlsa_for("mx2")});
      std::vector<case_result> r;
      auto const a1 = co_await s.send("expired certificate");
      r.push_back(judge(a1, {.pass = {o::verified_tls}}, "expired"));
      s.set_mx({{10, "mx2"}});
      auto const a2 = co_await s.send("wrong-name certificate");
      r.push_back(judge(a2, {.pass = {o::verified_tls}}, "wrong name"));
      co_return combine(r);
    },
}};

sender_case ta_chain{{
    .id = "dane.ta-chain-must-include-ta",
    .requirements = {"DANE-3.1.2-01", "DANE-3.1.2-03", "DANE-3.2-02", "DANE-2.2-01"},
    .profile = profile::core,
    .description = "X-48: signed zone; step 1: the only MX mx1 has a secure DANE-TA \"2 0 1\" record for the world's root "
                   "CA and its chain includes the root; step 2: the MX is mx2, alike but its chain omits the root "
                   "(leaf only).",
    .expectation = "with the TA in the chain: verified TLS; without it the DANE-TA record matches nothing presented: "
                   "deferred",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      auto with_root = s.w().pki().chain(s.name("mx1"), cert_kind::valid);
      with_root.chain_pem += s.w().pki().ca().cert_pem;
      peer_script full;
      full.chains = {with_root};
      s.build({.hosts = {{.label = "mx1", .smtp = full}, {.label = "mx2", .in_mx = false, .excluded = true}}});
      s.replace_records("_25._tcp.mx1", net::dns::rr_type::tlsa, {s.tlsa_ca("mx1")});
      s.replace_records("_25._tcp.mx2", net::dns::rr_type::tlsa, {s.tlsa_ca("mx2")});
      std::vector<case_result> r;
      auto const a1 = co_await s.send("chain includes the TA");
      r.push_back(judge(a1, {.pass = {o::verified_tls}}, "TA in chain"));
      // [DANE-3.1.2-01] the server must send the TA; without it DANE-TA fails [DANE-3.2-02].
      s.set_mx({{10, "mx2"}});
      auto const a2 = co_await s.send("chain omits the TA");
      r.push_back(judge(a2, {.pass = {o::deferred}, .result_type = "tlsa-invalid"}, "TA omitted"));
      co_return combine(r);
    },
}};

sender_case preference{{
    .id = "dane.tlsa-no-preemption",
    .requirements = {"DANE-2.2.1-01", "DNS-16"},
    .profile = profile::core,
    .description = "X-49: signed zone; mx1 (preference 10) has no TLSA records, mx2 (20) has a matching DANE-EE "
                   "record and is marked as the wrong host.",
    .expectation = "MX preference is kept: delivered to mx1 over TLS, not to the DANE-protected mx2",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "mx1", .preference = 10}, {.label = "mx2", .preference = 20, .excluded = true}}});
      // [DANE-2.2.1-01] a worse MX with TLSA must not preempt a better one.
      s.replace_records("_25._tcp.mx2", net::dns::rr_type::tlsa, {s.tlsa_for("mx2")});
      auto const a = co_await s.send();
      co_return judge(a, {.pass = {o::verified_tls, o::unverified_tls}, .non_strict = {o::plaintext}, .tls_required = false});
    },
}};

}  // namespace
}  // namespace mxtls::conformance::sender
