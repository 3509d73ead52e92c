// Sender cases of the MTA-STS policy cache and MX rewriting (RFC 8461 §3.3, §4, §5;
// scenarios X-30..X-39). Each case sends several messages; the sender's state persists through
// {state_dir} across the sends of one run.
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

expect to_mx1() { return {.pass = {o::verified_tls}}; }

sender_case txt_gone{{
    .id = "sts-cache.txt-gone-keeps-enforcing",
    .requirements = {"STS-3.1-15", "STS-3.3-11", "STS-5-01"},
    .profile = profile::core,
    .description = "X-30: an enforce policy (only mx1; mx0 at preference 5 excluded) is learnt. Then the _mta-sts "
                   "TXT is removed and the MX RRset becomes mx0 alone; then the TXT answers SERVFAIL and the MX is "
                   "mx1b (listed by the policy) which does not offer STARTTLS.",
    .expectation = "the cached enforce policy keeps applying: no delivery to the non-matching mx0 and no plaintext "
                   "to mx1 (both deferred)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      auto d = sts::found_setup(s);
      // mx1b: listed by the policy, not (yet) in the MX RRset, STARTTLS stripped.
      d.hosts.push_back({.label = "mx1b", .in_mx = false, .smtp = stripped_peer()});
      d.policy->body = policy("enforce", {s.name("mx1"), s.name("mx1b")});
      s.build(std::move(d));
      std::vector<case_result> r;
      auto const a1 = co_await s.send("learn the policy");
      r.push_back(judge(a1, to_mx1(), "learn"));
      // [STS-3.1-15] a deleted TXT does not evict the cache; [STS-3.3-11] apply the cached policy.
      s.set_sts_txt(std::nullopt);
      s.set_mx({{5, "mx0"}});
      auto const a2 = co_await s.send("TXT removed, MX rewritten to mx0");
      r.push_back(judge(a2, {.pass = {o::deferred}, .result_type = "validation-failure"}, "TXT removed"));
      s.set_sts_txt("v=STSv1; id=1");
      s.set_dns_fault("_mta-sts", net::dns::fault::servfail, net::dns::rr_type::txt);
      s.set_mx({{10, "mx1b"}});
      // [STS-5-01] enforce: no delivery to a host without STARTTLS.
      auto const a3 = co_await s.send("TXT SERVFAIL, MX now mx1b without STARTTLS");
      r.push_back(judge(a3, {.pass = {o::deferred}, .result_type = "starttls-not-supported"}, "TXT SERVFAIL"));
      co_return combine(r);
    },
}};

sender_case mx_rewrite{{
    .id = "sts-cache.mx-rewritten",
    .requirements = {"STS-4-01", "STS-4.1-01", "STS-5-01", "STS-5-05"},
    .profile = profile::core,
    .description = "X-31: an enforce policy listing only mx1 is learnt (MX: mx1). Then the MX RRset is rewritten to "
                   "evil.<domain> (valid certificate, STARTTLS), with the TXT id unchanged.",
    .expectation = "evil.<domain> matches no cached mx pattern: the message is deferred, never delivered there",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "mx1"}, {.label = "evil", .in_mx = false, .excluded = true}},
               .sts_txt = "v=STSv1; id=1",
               .policy = policy_host_options{.body = policy("enforce", {s.name("mx1")})}});
      std::vector<case_result> r;
      auto const a1 = co_await s.send("learn the policy");
      r.push_back(judge(a1, to_mx1(), "learn"));
      // [STS-4.1-01] the MX name must match an mx pattern; [STS-5-01] enforce: do not deliver.
      s.set_mx({{10, "evil"}});
      auto const a2 = co_await s.send("MX rewritten to evil");
      r.push_back(judge(a2, {.pass = {o::deferred}, .result_type = "validation-failure"}, "MX rewritten"));
      co_return combine(r);
    },
}};

sender_case partial_match{{
    .id = "sts-cache.mx-partial-match",
    .requirements = {"STS-5.1-02", "STS-8.4-01", "DNS-16"},
    .profile = profile::core,
    .description = "X-32: MX mx0 (preference 5, matches no mx pattern, excluded), mx1 (10) and mx2 (20), both listed "
                   "by the enforce policy.",
    .expectation = "mx0 is skipped as unreachable and MX order is kept: delivered to mx1 over verified TLS, not mx2",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "mx0", .preference = 5, .excluded = true},
                         {.label = "mx1", .preference = 10},
                         {.label = "mx2", .preference = 20}},
               .sts_txt = "v=STSv1; id=1",
               .policy = policy_host_options{.body = policy("enforce", {s.name("mx1"), s.name("mx2")})}});
      auto const a = co_await s.send();
      auto r = judge(a, to_mx1());
      // [STS-8.4-01][DNS-16] invalid candidates are unreachable, the rest keep their order.
      if (r.v == verdict::pass && (a.deliveries.size() != 1 || a.deliveries.front().host != s.name("mx1"))) {
        r.v = verdict::fail;
        r.summary = "delivered, but not (only) to mx1, the most preferred matching MX";
      }
      co_return r;
    },
}};

sender_case body_changed{{
    .id = "sts-cache.body-changed-same-id",
    .requirements = {"STS-3.1-13", "STS-5.1-01", "STS-3.3-11"},
    .profile = profile::core,
    .description = "X-35: an enforce policy (only mx1; mx0 at preference 5 excluded) is learnt under id 1; then the "
                   "policy host serves mode none (allowing mx0) while the TXT id stays 1.",
    .expectation = "the id is unchanged, so the cached enforce policy stays: mx1 over verified TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build(sts::found_setup(s));
      std::vector<case_result> r;
      auto const a1 = co_await s.send("learn the policy");
      r.push_back(judge(a1, to_mx1(), "learn"));
      s.set_policy(policy_host_options{.body = policy("none", {s.name("mx0"), s.name("mx1")})});
      // [STS-5.1-01] same id: the cached policy is used.
      auto const a2 = co_await s.send("body changed, id unchanged");
      r.push_back(judge(a2, to_mx1(), "same id"));
      co_return combine(r);
    },
}};

sender_case recheck{{
    .id = "sts-cache.enforce-failure-recheck",
    .requirements = {"STS-5-04", "STS-5-05", "STS-5.1-03", "DNS-15"},
    .profile = profile::core,
    .description = "X-37: enforce policy listing only mx1 (MX mx1 at 10, mx2 at 20, mx2 excluded) is learnt; then "
                   "mx1 refuses connections (all permitted MX fail); then a new policy (new id) listing mx2 is "
                   "published.",
    .expectation = "the enforce failure is transient (deferred, never bounced); after the new policy appears, the "
                   "message goes to mx2 over verified TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "mx1", .preference = 10}, {.label = "mx2", .preference = 20, .excluded = true}},
               .sts_txt = "v=STSv1; id=1",
               .policy = policy_host_options{.body = policy("enforce", {s.name("mx1")})}});
      std::vector<case_result> r;
      auto const a1 = co_await s.send("learn the policy");
      r.push_back(judge(a1, to_mx1(), "learn"));
      s.replace_peer("mx1", 25, std::nullopt);  // connection refused
      // [STS-5-05] transient; [STS-5-04] never a permanent failure before a re-check.
      auto const a2 = co_await s.send("every permitted MX fails");
      r.push_back(judge(a2, {.pass = {o::deferred}, }, "all MX fail"));
      s.set_policy(policy_host_options{.body = policy("enforce", {s.name("mx2")})});
      s.set_sts_txt("v=STSv1; id=2");
      s.set_excluded("mx2", false);
      s.set_excluded("mx1", true);
      auto const a3 = co_await s.send("new policy published");
      r.push_back(judge(a3, {.pass = {o::verified_tls}}, "new policy"));
      co_return combine(r);
    },
}};

sender_case expiry{{
    .id = "sts-cache.expiry",
    .requirements = {"STS-3.2-19", "STS-3.3-11"},
    .profile = profile::core,
    .description = "X-38: an enforce policy with max_age 600 (only mx1; mx0 at preference 5 excluded) is learnt; the "
                   "TXT and policy host are removed; 300 s later a message; 400 s after that (past max_age) another, "
                   "now with mx1 as the excluded host.",
    .expectation = "within max_age the cached policy applies (mx1); after it expired the domain has no policy and "
                   "the message goes to mx0",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      if (!s.can_set_time()) co_return scene::no_clock();
      s.build(sts::found_setup(s, "v=STSv1; id=1", policy("enforce", {s.name("mx1")}, "600")));
      std::vector<case_result> r;
      auto const a1 = co_await s.send("learn the policy");
      r.push_back(judge(a1, to_mx1(), "learn"));
      s.set_sts_txt(std::nullopt);
      s.set_policy(std::nullopt);
      s.advance_time(std::chrono::seconds(300));
      // [STS-3.3-11] unexpired cached policy applies.
      auto const a2 = co_await s.send("300 s later, TXT and policy host gone");
      r.push_back(judge(a2, to_mx1(), "within max_age"));
      s.advance_time(std::chrono::seconds(400));
      s.set_excluded("mx0", false);
      s.set_excluded("mx1", true);
      // [STS-3.2-19] cached up to max_age from the fetch, not longer.
      auto const a3 = co_await s.send("700 s after the fetch");
      r.push_back(judge(a3, {.pass = {o::verified_tls}}, "after max_age"));
      co_return combine(r);
    },
}};

sender_case removal{{
    .id = "sts-cache.removal-mode-none",
    .requirements = {"STS-5-03", "STS-8.3-01", "STS-3.2-19"},
    .profile = profile::core,
    .description = "X-39: an enforce policy (only mx1; mx0 at preference 5 excluded) is learnt; the owner then "
                   "publishes mode none with max_age 60 under a new id; 120 s later the TXT and policy host are removed.",
    .expectation = "after mode none the domain is treated as without policy: both later messages go to mx0, the "
                   "preferred MX",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      if (!s.can_set_time()) co_return scene::no_clock();
      s.build(sts::found_setup(s));
      std::vector<case_result> r;
      auto const a1 = co_await s.send("learn the enforce policy");
      r.push_back(judge(a1, to_mx1(), "learn"));
      s.set_policy(policy_host_options{.body = policy("none", {}, "60")});
      s.set_sts_txt("v=STSv1; id=2");
      s.set_excluded("mx0", false);
      s.set_excluded("mx1", true);
      // [STS-5-03] none: as though no active policy.
      auto const a2 = co_await s.send("mode none published");
      r.push_back(judge(a2, {.pass = {o::verified_tls}}, "mode none"));
      s.advance_time(std::chrono::seconds(120));
      s.set_sts_txt(std::nullopt);
      s.set_policy(std::nullopt);
      auto const a3 = co_await s.send("TXT and policy host removed");
      r.push_back(judge(a3, {.pass = {o::verified_tls}}, "removed"));
      co_return combine(r);
    },
}};

}  // namespace
}  // namespace mxtls::conformance::sender
