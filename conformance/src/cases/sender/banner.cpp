// Sender cases of the strict-tls= banner directive (spec/proposal.md §5; scenario X-58, and
// X-57's mitigation by a pin): a directive honoured only when received inside a TLS session
// the sender verified for the host (BAN-14: post-STARTTLS EHLO on 25, greeting on 26), in
// scope for that host (BAN-12), covering names as BAN-13 says, expiring on the sender's clock
// (BAN-18, BAN-25), and then requiring verified TLS for every covered host (BAN-19).
//
// Shape of every case: step 1 sends to mx1, which publishes (or forges) a directive; later
// steps point the MX RRset at another host of the domain (set_mx) that either has STARTTLS
// stripped (a covering pin must defer: no plaintext) or presents a self-signed certificate
// (no pin: an opportunistic sender delivers over the unverified session, which passes; a pin
// wrongly applied defers, which fails). The hosts carry no prefix, so the pin is the only
// mechanism that can require TLS.
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
using namespace std::chrono_literals;

/// A well-behaved port-25 peer whose first post-STARTTLS EHLO line carries `directive`
/// (BAN-16's placement).
peer_script pinning(std::string const& directive) {
  peer_script p;
  p.ehlo_greet_tls = directive;
  return p;
}

/// The outcome of sending to an uncovered host with a self-signed certificate: opportunistic
/// TLS (plaintext would be a missed SHOULD; deferring means a pin was applied).
expect uncovered() {
  return {.pass = {o::unverified_tls}, .non_strict = {o::plaintext}, .tls_required = false};
}

/// A covered host: verified TLS required [BAN-19].
expect covered() { return {.pass = {o::deferred}, .result_type = "starttls-not-supported"}; }

/// Step 1: the pinning host gets the message (over verified TLS if `verified`).
expect learning(bool verified = true) {
  if (verified) return {.pass = {o::verified_tls}, .non_strict = {o::plaintext}, .tls_required = false};
  return uncovered();
}

sender_case post_starttls_ehlo{{
    .id = "banner.pin-post-starttls-ehlo",
    .requirements = {"BAN-01", "BAN-14", "BAN-18", "BAN-19", "BAN-23", "TLS-4.2-03"},
    .profile = profile::proposal,
    .description = "X-58 (honoured): mx1 (no prefix, valid certificate) puts \"strict-tls=*.<domain>; "
                   "max-age=86400\" in the first line of its post-STARTTLS EHLO reply. Then the MX becomes mx2, "
                   "whose EHLO reply lacks STARTTLS.",
    .expectation = "first delivered over verified TLS, then deferred: the pin covers mx2",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "mx1", .smtp = pinning("strict-tls=*." + s.domain() + "; max-age=86400")},
                         {.label = "mx2", .in_mx = false, .smtp = stripped_peer()}}});
      auto const a1 = co_await s.send("learn the pin");
      auto r = judge(a1, learning(), "learn the pin");
      if (r.v != verdict::pass) co_return r;
      s.set_mx({{10, "mx2"}});
      auto const a2 = co_await s.send("covered host, STARTTLS stripped");
      // [BAN-19] a covered host is class starttls: no plaintext.
      co_return judge(a2, covered(), "covered host, STARTTLS stripped");
    },
}};

sender_case port26_greeting{{
    .id = "banner.pin-port26-greeting",
    .requirements = {"BAN-01", "BAN-14", "BAN-18", "BAN-19", "BAN-20", "P26-16"},
    .profile = profile::proposal,
    .description = "X-58 (honoured on port 26): smtps-mx1 carries \"strict-tls=*.<domain>; max-age=86400\" in its "
                   "220 greeting inside implicit TLS on port 26 (verified certificate). Then the MX becomes mx2 "
                   "(no prefix), which has STARTTLS stripped on 25 and serves implicit TLS on 26.",
    .expectation = "first delivered over verified TLS, then deferred, without contacting port 26 of mx2 (a pin "
                   "does not trigger implicit TLS)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      peer_script p26;
      p26.greeting = {s.name("smtps-mx1") + " ESMTP strict-tls=*." + s.domain() + "; max-age=86400"};
      s.build({.hosts = {{.label = "smtps-mx1", .serve26 = true, .smtp26 = p26},
                         {.label = "mx2", .in_mx = false, .smtp = stripped_peer(), .serve26 = true}}});
      auto const a1 = co_await s.send("learn the pin on port 26");
      auto r = judge(a1, {.pass = {o::verified_tls}}, "learn the pin on port 26");
      if (r.v != verdict::pass) co_return r;
      s.set_mx({{10, "mx2"}});
      auto const a2 = co_await s.send("covered host, STARTTLS stripped");
      r = judge(a2, covered(), "covered host, STARTTLS stripped");
      // [BAN-20][P26-16] pins never cause implicit-TLS attempts.
      for (auto const& ss : a2.sessions)
        if (ss.port == 26) {
          r.v = verdict::fail;
          r.summary = "port 26 of mx2 (not an smtps- host) was contacted because of a pin (BAN-20, P26-16)";
        }
      co_return r;
    },
}};

sender_case plaintext_ignored{{
    .id = "banner.plaintext-ignored",
    .requirements = {"BAN-14", "TLS-6-01", "TLS-4.2-03"},
    .profile = profile::proposal,
    .description = "X-58 (plaintext only): mx1 (valid certificate) shows \"strict-tls=*.<domain>; "
                   "max-age=86400\" in its plaintext 220 greeting and plaintext EHLO reply, but not after "
                   "STARTTLS. Then the MX becomes mx2, which presents a self-signed certificate.",
    .expectation = "the directive is ignored: mx2 gets the message over (unverified) opportunistic TLS; deferring "
                   "means a plaintext directive was honoured",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      auto const directive = "strict-tls=*." + s.domain() + "; max-age=86400";
      peer_script p;
      p.greeting = {s.name("mx1") + " ESMTP " + directive};
      p.ehlo_greet = directive;
      s.build({.hosts = {{.label = "mx1", .smtp = p},
                         {.label = "mx2", .in_mx = false, .cert = cert_kind::self_signed}}});
      auto const a1 = co_await s.send("plaintext directive");
      auto r = judge(a1, learning(), "plaintext directive");
      if (r.v != verdict::pass) co_return r;
      s.set_mx({{10, "mx2"}});
      auto const a2 = co_await s.send("host the forged directive would cover");
      // [BAN-14] a directive seen in plaintext is ignored, whatever it says.
      co_return judge(a2, uncovered(), "host the forged directive would cover");
    },
}};

sender_case unverified_ignored{{
    .id = "banner.unverified-session-ignored",
    .requirements = {"BAN-14", "BAN-15"},
    .profile = profile::proposal,
    .description = "mx1 presents a self-signed certificate and puts \"strict-tls=*.<domain>; max-age=86400\" in "
                   "its post-STARTTLS EHLO reply (TLS, but not verified). Then the MX becomes mx2, which also "
                   "presents a self-signed certificate.",
    .expectation = "both delivered over opportunistic (unverified) TLS: a directive from an unverified session is "
                   "ignored",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "mx1", .cert = cert_kind::self_signed,
                          .smtp = pinning("strict-tls=*." + s.domain() + "; max-age=86400")},
                         {.label = "mx2", .in_mx = false, .cert = cert_kind::self_signed}}});
      auto const a1 = co_await s.send("directive in an unverified session");
      auto r = judge(a1, learning(false), "directive in an unverified session");
      if (r.v != verdict::pass) co_return r;
      s.set_mx({{10, "mx2"}});
      auto const a2 = co_await s.send("host the directive would cover");
      // [BAN-14] only a session verified for H (PKIX or DANE) can carry a directive.
      co_return judge(a2, uncovered(), "host the directive would cover");
    },
}};

sender_case out_of_scope{{
    .id = "banner.out-of-scope",
    .requirements = {"BAN-12"},
    .profile = profile::proposal,
    .description = "X-58 (forged for an unrelated name): mx1 (valid certificate) sends, after STARTTLS, "
                   "\"strict-tls=*.victim.<domain>; max-age=86400; includeSubDomains\" — a pattern neither its "
                   "own name nor *.parent. Then the MX becomes mx.victim.<domain>, which presents a self-signed "
                   "certificate.",
    .expectation = "the directive is ignored: mx.victim gets the message over (unverified) opportunistic TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "mx1",
                          .smtp = pinning("strict-tls=*.victim." + s.domain() + "; max-age=86400; includeSubDomains")},
                         {.label = "mx.victim", .in_mx = false, .cert = cert_kind::self_signed}}});
      auto const a1 = co_await s.send("out-of-scope directive");
      auto r = judge(a1, learning(), "out-of-scope directive");
      if (r.v != verdict::pass) co_return r;
      s.set_mx({{10, "mx.victim"}});
      auto const a2 = co_await s.send("unrelated host");
      // [BAN-12] a host can pin itself and its siblings, never an unrelated name.
      co_return judge(a2, uncovered(), "unrelated host");
    },
}};

sender_case max_age_expiry{{
    .id = "banner.max-age-expiry",
    .requirements = {"BAN-18", "BAN-19", "BAN-25"},
    .profile = profile::proposal,
    .description = "X-58 (expiry): mx1 (valid certificate) sends \"strict-tls=*.<domain>; max-age=3600\" after "
                   "STARTTLS. The MX becomes mx2 (self-signed certificate); later the sender's clock ({now}) "
                   "moves two hours forward and the message is sent to mx2 again.",
    .expectation = "first delivered over verified TLS; then deferred (pinned); after max-age delivered over "
                   "opportunistic TLS (the pin expired)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      if (!s.can_set_time()) co_return scene::no_clock();
      s.build({.hosts = {{.label = "mx1", .smtp = pinning("strict-tls=*." + s.domain() + "; max-age=3600")},
                         {.label = "mx2", .in_mx = false, .cert = cert_kind::self_signed}}});
      auto const a1 = co_await s.send("learn the pin");
      auto r = judge(a1, learning(), "learn the pin");
      if (r.v != verdict::pass) co_return r;
      s.set_mx({{10, "mx2"}});
      auto const a2 = co_await s.send("pinned host, self-signed");
      r = judge(a2, {.pass = {o::deferred}, .result_type = "certificate-not-trusted"}, "pinned host, self-signed");
      if (r.v != verdict::pass) co_return r;
      // Only the sender's clock matters here [BAN-25]; the world's stays (other cases run).
      s.advance_sender_clock(7200s);
      auto const a3 = co_await s.send("after max-age");
      // [BAN-18][BAN-25] expiry = t + max-age on the sender's clock.
      co_return judge(a3, uncovered(), "after max-age");
    },
}};

sender_case wildcard_one_label{{
    .id = "banner.wildcard-one-label",
    .requirements = {"BAN-13", "BAN-19"},
    .profile = profile::proposal,
    .description = "mx1 (valid certificate) sends \"strict-tls=*.<domain>; max-age=86400\" (no includeSubDomains) "
                   "after STARTTLS. The MX becomes deep.sub.<domain> (two labels below: not covered, self-signed "
                   "certificate), then mx2.<domain> (one label below: covered, self-signed certificate).",
    .expectation = "deep.sub gets the message over opportunistic TLS; mx2's is deferred",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "mx1", .smtp = pinning("strict-tls=*." + s.domain() + "; max-age=86400")},
                         {.label = "deep.sub", .in_mx = false, .cert = cert_kind::self_signed},
                         {.label = "mx2", .in_mx = false, .cert = cert_kind::self_signed}}});
      auto const a1 = co_await s.send("learn the pin");
      auto r = judge(a1, learning(), "learn the pin");
      if (r.v != verdict::pass) co_return r;
      s.set_mx({{10, "deep.sub"}});
      auto const a2 = co_await s.send("two labels below");
      // [BAN-13] *.B without includeSubDomains covers exactly one label below B.
      r = judge(a2, uncovered(), "two labels below");
      if (r.v != verdict::pass) co_return r;
      s.set_mx({{10, "mx2"}});
      auto const a3 = co_await s.send("one label below");
      co_return judge(a3, {.pass = {o::deferred}, .result_type = "certificate-not-trusted"}, "one label below");
    },
}};

sender_case include_subdomains{{
    .id = "banner.include-subdomains",
    .requirements = {"BAN-12", "BAN-13", "BAN-19"},
    .profile = profile::proposal,
    .description = "mx1 (valid certificate) sends \"strict-tls=mx1.<domain>; max-age=86400; includeSubDomains\" "
                   "after STARTTLS (its own name). The MX becomes mx2.<domain> (a sibling: not covered, "
                   "self-signed certificate), then a.b.mx1.<domain> (below mx1: covered) with STARTTLS stripped.",
    .expectation = "mx2 gets the message over opportunistic TLS; a.b.mx1's is deferred, never plaintext",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "mx1", .smtp = pinning("strict-tls=" + s.name("mx1") + "; max-age=86400; includeSubDomains")},
                         {.label = "mx2", .in_mx = false, .cert = cert_kind::self_signed},
                         {.label = "a.b.mx1", .in_mx = false, .smtp = stripped_peer()}}});
      auto const a1 = co_await s.send("learn the pin");
      auto r = judge(a1, learning(), "learn the pin");
      if (r.v != verdict::pass) co_return r;
      s.set_mx({{10, "mx2"}});
      auto const a2 = co_await s.send("sibling");
      // [BAN-13] an exact pattern covers P and, with includeSubDomains, names below P only.
      r = judge(a2, uncovered(), "sibling");
      if (r.v != verdict::pass) co_return r;
      s.set_mx({{10, "a.b.mx1"}});
      auto const a3 = co_await s.send("below the pinned name, STARTTLS stripped");
      co_return judge(a3, covered(), "below the pinned name, STARTTLS stripped");
    },
}};

sender_case covers_rewrite{{
    .id = "banner.pin-covers-rewritten-mx",
    .requirements = {"BAN-13", "BAN-19", "DNS-03", "DNS-20"},
    .profile = profile::proposal,
    .description = "X-57 in an unsigned zone: the MX is starttls-mx1, which sends \"strict-tls=*.<domain>; "
                   "max-age=86400; includeSubDomains\" after STARTTLS. Then an attacker rewrites the (insecure) "
                   "MX RRset to the unprefixed relay.<domain>, which has STARTTLS stripped. Without DNSSEC the "
                   "prefix alone cannot stop this (the residual risk of proposal §9.2); a covering pin does.",
    .expectation = "first delivered over verified TLS; after the rewrite deferred, never plaintext to the relay",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.dnssec = dnssec_mode::insecure,
               .hosts = {{.label = "starttls-mx1",
                          .smtp = pinning("strict-tls=*." + s.domain() + "; max-age=86400; includeSubDomains")},
                         {.label = "relay", .in_mx = false, .smtp = stripped_peer(), .excluded = true}}});
      auto const a1 = co_await s.send("learn the pin");
      auto r = judge(a1, {.pass = {o::verified_tls}}, "learn the pin");
      if (r.v != verdict::pass) co_return r;
      s.set_mx({{10, "relay"}});
      auto const a2 = co_await s.send("after the rewrite");
      // [BAN-19][DNS-20] pins apply whatever the DNSSEC status of the MX RRset.
      co_return judge(a2, covered(), "after the rewrite");
    },
}};


sender_case max_age_zero{{
    .id = "banner.max-age-0-removes",
    .requirements = {"BAN-10", "BAN-18", "BAN-14"},
    .profile = profile::proposal,
    .description = "mx1 (valid certificate) sends \"strict-tls=*.<domain>; max-age=86400\" after STARTTLS; on the "
                   "next send it sends \"strict-tls=*.<domain>; max-age=0\" after STARTTLS. Then the MX becomes "
                   "mx2, which presents a self-signed certificate.",
    .expectation = "the pin is removed: mx2 gets the message over opportunistic (unverified) TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "mx1", .smtp = pinning("strict-tls=*." + s.domain() + "; max-age=86400")},
                         {.label = "mx2", .in_mx = false, .cert = cert_kind::self_signed}}});
      auto const a1 = co_await s.send("learn the pin");
      auto r = judge(a1, learning(), "learn the pin");
      if (r.v != verdict::pass) co_return r;
      s.replace_peer("mx1", 25, pinning("strict-tls=*." + s.domain() + "; max-age=0"));
      auto const a2 = co_await s.send("max-age=0 over verified TLS");
      r = judge(a2, learning(), "max-age=0 over verified TLS");
      if (r.v != verdict::pass) co_return r;
      s.set_mx({{10, "mx2"}});
      auto const a3 = co_await s.send("formerly covered host");
      // [BAN-10][BAN-18] max-age=0 deletes the entry for the pattern.
      co_return judge(a3, uncovered(), "formerly covered host");
    },
}};

sender_case plaintext_max_age_zero{{
    .id = "banner.plaintext-max-age-0-ignored",
    .requirements = {"BAN-14", "BAN-10", "BAN-19", "TLS-6-01"},
    .profile = profile::proposal,
    .description = "mx1 (valid certificate) sends \"strict-tls=*.<domain>; max-age=86400\" after STARTTLS; on the "
                   "next send an attacker puts \"strict-tls=*.<domain>; max-age=0\" into the plaintext greeting "
                   "and plaintext EHLO reply (nothing after STARTTLS). Then the MX becomes mx2, whose EHLO reply "
                   "lacks STARTTLS.",
    .expectation = "the plaintext removal is ignored and the pin holds: mx2's message is deferred, never "
                   "plaintext",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "mx1", .smtp = pinning("strict-tls=*." + s.domain() + "; max-age=86400")},
                         {.label = "mx2", .in_mx = false, .smtp = stripped_peer()}}});
      auto const a1 = co_await s.send("learn the pin");
      auto r = judge(a1, learning(), "learn the pin");
      if (r.v != verdict::pass) co_return r;
      auto const removal = "strict-tls=*." + s.domain() + "; max-age=0";
      peer_script forged;
      forged.greeting = {s.name("mx1") + " ESMTP " + removal};
      forged.ehlo_greet = removal;
      s.replace_peer("mx1", 25, forged);
      auto const a2 = co_await s.send("forged removal in plaintext");
      r = judge(a2, {.pass = {o::verified_tls}}, "forged removal in plaintext");
      if (r.v != verdict::pass) co_return r;
      s.set_mx({{10, "mx2"}});
      auto const a3 = co_await s.send("covered host, STARTTLS stripped");
      // [BAN-14] ignored "whatever it says (including max-age=0)"; [BAN-19] the pin holds.
      co_return judge(a3, covered(), "covered host, STARTTLS stripped");
    },
}};

}  // namespace
}  // namespace mxtls::conformance::sender
