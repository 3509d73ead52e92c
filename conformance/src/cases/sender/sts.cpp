// Sender cases of MTA-STS discovery and policy fetch (RFC 8461 §3; scenarios X-17..X-28).
// The observable shapes are described in sts_support.hpp: a policy that is found moves the
// message away from the preferred, excluded mx0; a policy that must not apply would defer it.
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

/// The found shape's expectation: delivered to mx1 (the only policy mx) over verified TLS.
expect found_expect() { return {.pass = {o::verified_tls}}; }

sender_case txt_split{{
    .id = "sts.txt-split-strings",
    .requirements = {"STS-3.1-10"},
    .profile = profile::core,
    .description = "X-17: the _mta-sts TXT record is two character-strings, split inside a field "
                   "(\"v=STSv1; i\" \"d=split1\"); the enforce policy lists only mx1, while mx0 (preference 5) "
                   "is excluded.",
    .expectation = "the strings are concatenated without spaces, the policy is found, and the message goes to mx1 "
                   "over verified TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      auto d = sts::found_setup(s, std::nullopt);
      // [STS-3.1-10] the strings must be joined without adding spaces.
      d.records.push_back("_mta-sts." + s.domain() + ". IN TXT \"v=STSv1; i\" \"d=split1\"");
      s.build(std::move(d));
      auto const a = co_await s.send();
      co_return judge(a, found_expect());
    },
}};

sender_case excluded_mx_listed_cert{{
    .id = "sts.excluded-mx-with-listed-name-cert",
    .requirements = {"STS-4-01", "STS-4.1-01", "STS-4.2-02", "STS-5-01"},
    .profile = profile::core,
    .description = "X-13 / X-31 variant: the enforce policy lists only mx1; mx0 (preference 5, not listed) "
                   "presents a certificate valid for mx1's name, as a host in the policy's own namespace might. "
                   "A sender that matches the CERTIFICATE's names against the policy instead of the MX host name "
                   "accepts it.",
    .expectation = "mx0 fails MX matching by its own name, whatever its certificate says: the message goes to mx1 "
                   "over verified TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      auto d = sts::found_setup(s);
      // [STS-4.1-01] the MX record name is matched, not the certificate's identities; [STS-4.2-02]
      // the certificate is then checked against that MX host name.
      d.hosts[0].smtp.chains = {s.w().pki().chain(s.name("mx1"), cert_kind::valid)};
      s.build(std::move(d));
      auto const a = co_await s.send();
      co_return judge(a, found_expect());
    },
}};

sender_case txt_other_records{{
    .id = "sts.txt-among-other-records",
    .requirements = {"STS-3.1-08", "STS-3.1-09", "STS-3.2-18"},
    .profile = profile::core,
    .description = "X-18: _mta-sts holds a valid \"v=STSv1; id=1; ext=x\" record (with an unknown field) next to "
                   "a junk TXT record that does not begin with v=STSv1; the enforce policy lists only mx1, mx0 is "
                   "excluded.",
    .expectation = "the junk record is discarded, the unknown field ignored, the policy applied: mx1 over verified "
                   "TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      auto d = sts::found_setup(s, std::nullopt);
      // [STS-3.1-08] records not beginning with v=STSv1 are discarded; [STS-3.2-18] unknown fields ignored.
      d.records.push_back(rr::txt("_mta-sts." + s.domain(), "v=STSv1; id=1; ext=x"));
      d.records.push_back(rr::txt("_mta-sts." + s.domain(), "google-site-verification=abc123"));
      s.build(std::move(d));
      auto const a = co_await s.send();
      co_return judge(a, found_expect());
    },
}};

sender_case txt_invalid{{
    .id = "sts.txt-invalid-keeps-cache",
    .requirements = {"STS-3.1-03", "STS-3.1-04", "STS-3.1-07", "STS-3.1-09", "STS-3.1-15", "STS-3.3-11"},
    .profile = profile::core,
    .description = "X-18: a valid TXT and enforce policy (only mx1; mx0 at preference 5 excluded) are learnt; then "
                   "the TXT becomes, step by step, two v=STSv1 records, \"id=3; v=STSv1\", \"V=STSv1; id=4\" and "
                   "\"v=STSv1; id=a-b\", while the policy host now serves mode none (which would allow mx0).",
    .expectation = "each invalid TXT is no STS record, so the cached enforce policy keeps applying: every message "
                   "goes to mx1 over verified TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build(sts::found_setup(s));
      std::vector<case_result> r;
      auto const a1 = co_await s.send("learn the policy");
      r.push_back(judge(a1, found_expect(), "learn"));
      // A sender that took an invalid record for a new id would fetch this and deliver to mx0.
      s.set_policy(policy_host_options{.body = policy("none", {s.name("mx0"), s.name("mx1")})});
      // [STS-3.1-09] two STS records: none; [STS-3.1-07] must begin with v=STSv1;
      // [STS-3.1-03] case-sensitive version; [STS-3.1-04] id is 1*32 ALPHA/DIGIT.
      auto const owner = "_mta-sts." + s.domain();
      s.replace_records("_mta-sts", net::dns::rr_type::txt,
                        {rr::txt(owner, "v=STSv1; id=2"), rr::txt(owner, "v=STSv1; id=22")});
      auto const a2 = co_await s.send("two v=STSv1 records");
      r.push_back(judge(a2, found_expect(), "two records"));
      for (auto const* txt : {"id=3; v=STSv1", "V=STSv1; id=4", "v=STSv1; id=a-b"}) {
        s.set_sts_txt(std::string(txt));
        auto const a = co_await s.send(txt);
        r.push_back(judge(a, found_expect(), txt));
      }
      co_return combine(r);
    },
}};

sender_case max_age_edges{{
    .id = "sts.max-age-valid-edges",
    .requirements = {"STS-3.2-09", "STS-3.2-11"},
    .profile = profile::core,
    .description = "X-19: enforce policy (only mx1; mx0 at preference 5 excluded) with max_age 31557600 (the maximum), "
                   "then a new id with max_age 0 (valid, applied, never cached), then the TXT and policy host are "
                   "removed and mx1 becomes the excluded host.",
    .expectation = "both policies apply (mx1 over verified TLS); after the removal the max_age 0 policy is not "
                   "remembered and the message goes to mx0",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build(sts::found_setup(s, "v=STSv1; id=1", policy("enforce", {s.name("mx1")}, "31557600")));
      std::vector<case_result> r;
      auto const a1 = co_await s.send("max_age 31557600");
      r.push_back(judge(a1, found_expect(), "max_age 31557600"));
      s.set_policy(policy_host_options{.body = policy("enforce", {s.name("mx1")}, "0")});
      s.set_sts_txt("v=STSv1; id=2");
      auto const a2 = co_await s.send("max_age 0");
      r.push_back(judge(a2, found_expect(), "max_age 0"));
      // [STS-3.2-11] max_age 0 is never cached (and removes the cached entry).
      s.set_sts_txt(std::nullopt);
      s.set_policy(std::nullopt);
      s.set_excluded("mx0", false);
      s.set_excluded("mx1", true);
      auto const a3 = co_await s.send("policy removed");
      r.push_back(judge(a3, {.pass = {o::verified_tls}}, "after max_age 0"));
      co_return combine(r);
    },
}};

sender_case max_age_invalid{{
    .id = "sts.max-age-invalid",
    .requirements = {"STS-3.2-09", "STS-3.2-10", "STS-5.1-05", "STS-3.3-11"},
    .profile = profile::core,
    .description = "X-19: enforce policy (only mx1; mx0 at preference 5 excluded) learnt; then new ids whose "
                   "policies say mode testing with mx0 and mx1 and max_age 31557601, 9999999999, -1, +86400 and 1e6.",
    .expectation = "each new policy is invalid and the cached enforce policy stays: every message to mx1 over "
                   "verified TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build(sts::found_setup(s));
      std::vector<case_result> r;
      auto const a1 = co_await s.send("learn the policy");
      r.push_back(judge(a1, found_expect(), "learn"));
      int id = 2;
      for (auto const* age : {"31557601", "9999999999", "-1", "+86400", "1e6"}) {
        // [STS-3.2-10] above 31557600 invalid; [STS-3.2-09] 1*10DIGIT; [STS-5.1-05] cache stays.
        s.set_policy(policy_host_options{.body = policy("testing", {s.name("mx0"), s.name("mx1")}, age)});
        s.set_sts_txt("v=STSv1; id=" + std::to_string(id++));
        auto const a = co_await s.send(std::string("max_age ") + age);
        r.push_back(judge(a, found_expect(), std::string("max_age ") + age));
      }
      co_return combine(r);
    },
}};

/// A no-policy case over several fetch faults, each under a new TXT id (a failed fetch backs
/// off per id, STS-3.3-07).
awaitable<case_result> no_policy_steps(case_context& ctx, std::vector<std::pair<std::string, policy_host_options>> steps,
                                       std::string result_type) {
  scene s(ctx);
  s.build(sts::no_policy_setup(s, steps.front().second));
  std::vector<case_result> r;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (i > 0) {
      auto opt = steps[i].second;
      if (opt.body.empty()) opt.body = policy("enforce", {s.name("elsewhere")});
      s.set_policy(std::move(opt));
      s.set_sts_txt("v=STSv1; id=" + std::to_string(i + 1));
    }
    auto const a = co_await s.send(steps[i].first);
    r.push_back(judge(a, sts::no_policy_expect(result_type), steps[i].first));
  }
  co_return combine(r);
}

sender_case redirects{{
    .id = "sts.fetch-redirect",
    .requirements = {"STS-3.3-05", "STS-3.3-10"},
    .profile = profile::core,
    .description = "X-20: the policy host answers 301, 302, 307 and 308 (one per step, new TXT id each) with a "
                   "Location elsewhere and a valid enforce policy as the body that matches no MX.",
    .expectation = "redirects are not followed and the 3xx body is not a policy: delivered as without MTA-STS (TLS "
                   "to mx1)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      std::vector<std::pair<std::string, policy_host_options>> steps;
      for (unsigned st : {301U, 302U, 307U, 308U})
        steps.push_back({"HTTP " + std::to_string(st),
                         policy_host_options{.fault = policy_fault::redirect, .redirect_status = st}});
      // [STS-3.3-05] never followed; [STS-3.3-10] no policy.
      return no_policy_steps(ctx, std::move(steps), "sts-policy-fetch-error");
    },
}};

sender_case content_type_html{{
    .id = "sts.fetch-content-type-html",
    .requirements = {"STS-3.2-02", "STS-3.3-10"},
    .profile = profile::strict,
    .description = "X-21: the policy (enforce, matching no MX) is served as Content-Type: text/html.",
    .expectation = "not text/plain, so no policy: delivered as without MTA-STS (TLS to mx1)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      // [STS-3.2-02] media type must be text/plain (mxtls: otherwise invalid).
      return no_policy_steps(ctx, {{"text/html", policy_host_options{.fault = policy_fault::content_type_html}}},
                             "sts-policy-invalid");
    },
}};

sender_case content_type_params{{
    .id = "sts.fetch-content-type-params",
    .requirements = {"STS-3.2-02", "STS-3.2-03"},
    .profile = profile::core,
    .description = "X-21: the enforce policy (only mx1; mx0 at preference 5 excluded) is served as "
                   "\"text/plain; charset=utf-8\", then (new id) as \"TEXT/PLAIN\".",
    .expectation = "both are text/plain: the policy applies and the message goes to mx1 over verified TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      auto d = sts::found_setup(s);
      auto const body = d.policy->body;
      auto serve_as = [body](std::string ct) {
        return policy_host_options{.body = body, .script = [body, ct](net::policy_request const& req) {
                                     if (req.target != net::policy_path) return net::policy_server::default_response(req, body);
                                     net::http_response r;
                                     r.body = body;
                                     r.content_type = ct;
                                     return r;
                                   }};
      };
      d.policy = serve_as("text/plain; charset=utf-8");
      s.build(std::move(d));
      std::vector<case_result> r;
      // [STS-3.2-03] the charset parameter is fine.
      auto const a1 = co_await s.send("text/plain; charset=utf-8");
      r.push_back(judge(a1, found_expect(), "charset=utf-8"));
      s.set_policy(serve_as("TEXT/PLAIN"));
      s.set_sts_txt("v=STSv1; id=2");
      auto const a2 = co_await s.send("TEXT/PLAIN");
      r.push_back(judge(a2, found_expect(), "TEXT/PLAIN"));
      co_return combine(r);
    },
}};

sender_case statuses{{
    .id = "sts.fetch-non-200",
    .requirements = {"STS-3.3-04", "STS-3.3-06", "STS-3.3-10"},
    .profile = profile::core,
    .description = "X-22: the policy host answers 404, 500, 204 and 304 (one per step, new TXT id each) with a valid "
                   "enforce policy as the body that matches no MX.",
    .expectation = "only a 200 carries a policy: each message is delivered as without MTA-STS (TLS to mx1)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      std::vector<std::pair<std::string, policy_host_options>> steps;
      for (unsigned st : {404U, 500U, 204U})
        steps.push_back({"HTTP " + std::to_string(st), policy_host_options{.fault = policy_fault::status, .status = st}});
      // [STS-3.3-06] a 304 is a failure (no HTTP caching).
      steps.push_back({"HTTP 304", policy_host_options{.fault = policy_fault::not_modified}});
      return no_policy_steps(ctx, std::move(steps), "sts-policy-fetch-error");
    },
}};

sender_case oversize{{
    .id = "sts.fetch-oversize",
    .requirements = {"STS-3.3-08", "STS-3.3-10"},
    .profile = profile::core,
    .description = "X-23: the policy body (enforce, matching no MX, then padding lines) is 64 KiB + 1 octets, with "
                   "Content-Length, then (new id) chunked. (The slow-drip variant is not run: a drip longer than the "
                   "sender's fetch timeout takes more than the suite's time budget.)",
    .expectation = "the body exceeds the 64 KiB limit: no policy, delivered as without MTA-STS (TLS to mx1)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      // [STS-3.3-08] the mxtls limit is 65536 octets after de-chunking.
      return no_policy_steps(ctx,
                             {{"64 KiB + 1 static", policy_host_options{.fault = policy_fault::oversize_static}},
                              {"64 KiB + 1 chunked", policy_host_options{.fault = policy_fault::oversize_chunked}}},
                             "sts-policy-fetch-error");
    },
}};

sender_case host_unreachable{{
    .id = "sts.policy-host-unreachable",
    .requirements = {"STS-3.3-10"},
    .profile = profile::core,
    .description = "X-24: a valid _mta-sts TXT record, but the policy host refuses connections; then (new id) "
                   "mta-sts.<domain> has no A record at all. The only MX, mx1, offers STARTTLS with a valid "
                   "certificate.",
    .expectation = "no policy can be fetched and none is cached: delivered as without MTA-STS, over TLS to mx1 "
                   "(plaintext tolerated, deferring is not)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build(sts::no_policy_setup(s, {}));
      s.set_policy(std::nullopt);  // the A record stays, connections are refused
      std::vector<case_result> r;
      // [STS-3.3-10] no policy and nothing cached: deliver as though no MTA-STS.
      auto const a1 = co_await s.send("policy host refuses connections");
      r.push_back(judge(a1, sts::no_policy_expect("sts-policy-fetch-error"), "refused"));
      s.w().remove_rrset("mta-sts." + s.domain() + ".", net::dns::rr_type::a);
      s.set_sts_txt("v=STSv1; id=2");
      auto const a2 = co_await s.send("no A record for the policy host");
      r.push_back(judge(a2, sts::no_policy_expect("sts-policy-fetch-error"), "no A record"));
      co_return combine(r);
    },
}};

sender_case host_cert{{
    .id = "sts.policy-host-certificate",
    .requirements = {"STS-3.3-01", "STS-3.3-02", "STS-3.3-10"},
    .profile = profile::core,
    .description = "X-25: the policy host presents a self-signed, then an expired, then a wrong-name, then a "
                   "CN-only certificate (new TXT id each); its policy is enforce and matches no MX.",
    .expectation = "no policy from an unauthenticated host: each message delivered as without MTA-STS (TLS to mx1)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      std::vector<std::pair<std::string, policy_host_options>> steps;
      for (auto k : {cert_kind::self_signed, cert_kind::expired, cert_kind::wrong_name, cert_kind::cn_only})
        steps.push_back({"policy host certificate " + std::string(to_string(k)), policy_host_options{.cert = k}});
      // [STS-3.3-01] PKIX-valid for mta-sts.<domain>; [STS-3.3-02] DNS-ID only.
      return no_policy_steps(ctx, std::move(steps), "sts-webpki-invalid");
    },
}};

sender_case txt_cname{{
    .id = "sts.txt-cname",
    .requirements = {"STS-3.1-11", "STS-3.1-12", "STS-8.2-02"},
    .profile = profile::core,
    .description = "X-26: _mta-sts.<domain> is a CNAME to a provider name holding \"v=STSv1; id=prov1\"; the policy "
                   "is served at mta-sts.<domain> (enforce, only mx1; mx0 at preference 5 excluded).",
    .expectation = "the CNAME is followed and the policy fetched from mta-sts.<original domain>: mx1 over "
                   "verified TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      auto d = sts::found_setup(s, std::nullopt);
      // [STS-3.1-12] follow the CNAME; [STS-8.2-02] the policy host stays mta-sts.<domain>.
      d.records.push_back(rr::cname("_mta-sts." + s.domain(), "_mta-sts.provider." + s.domain()));
      d.records.push_back(rr::txt("_mta-sts.provider." + s.domain(), "v=STSv1; id=prov1"));
      s.build(std::move(d));
      auto const a = co_await s.send();
      auto r = judge(a, found_expect());
      for (auto const& f : s.fetches()) r.details.push_back("policy fetch: Host " + f.host + ", SNI " + f.sni);
      co_return r;
    },
}};

sender_case syntax{{
    .id = "sts.policy-syntax-variants",
    .requirements = {"STS-3.2-04", "STS-3.2-05", "STS-3.2-16", "STS-3.2-17", "STS-3.2-20"},
    .profile = profile::core,
    .description = "X-27: the enforce policy (only mx1; mx0 at preference 5 excluded) is served, one per new id, with "
                   "LF-only lines, no final newline, trailing spaces, an unknown key, and a duplicate mode (enforce, "
                   "then none).",
    .expectation = "every variant is a valid enforce policy: each message goes to mx1 over verified TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      auto const mx1 = s.name("mx1");
      std::vector<std::pair<std::string, std::string>> const variants = {
          // [STS-3.2-05] LF accepted
          {"LF-only", policy("enforce", {mx1}, "86400", "\n")},
          // [STS-3.2-20] no final terminator, trailing WSP
          {"no final newline", "version: STSv1\r\nmode: enforce\r\nmx: " + mx1 + "\r\nmax_age: 86400"},
          {"trailing spaces", "version: STSv1  \r\nmode: enforce \r\nmx: " + mx1 + "\t\r\nmax_age: 86400 \r\n"},
          // [STS-3.2-17] unknown keys ignored
          {"unknown key", "version: STSv1\r\nmode: enforce\r\nx-vendor: something\r\nmx: " + mx1 + "\r\nmax_age: 86400\r\n"},
          // [STS-3.2-16] first of duplicated non-mx fields wins
          {"duplicate mode", "version: STSv1\r\nmode: enforce\r\nmode: none\r\nmx: " + mx1 + "\r\nmax_age: 86400\r\n"},
      };
      s.build(sts::found_setup(s, "v=STSv1; id=1", variants.front().second));
      std::vector<case_result> r;
      for (std::size_t i = 0; i < variants.size(); ++i) {
        if (i > 0) {
          s.set_policy(policy_host_options{.body = variants[i].second});
          s.set_sts_txt("v=STSv1; id=" + std::to_string(i + 1));
        }
        auto const a = co_await s.send(variants[i].first);
        r.push_back(judge(a, found_expect(), variants[i].first));
      }
      co_return combine(r);
    },
}};

sender_case enforce_without_mx{{
    .id = "sts.enforce-without-mx",
    .requirements = {"STS-3.2-12", "STS-5.1-05", "STS-3.3-11"},
    .profile = profile::core,
    .description = "X-28: an enforce policy (only mx1; mx0 at preference 5 excluded) is learnt; then a new id whose "
                   "policy is \"mode: enforce\" without any mx line.",
    .expectation = "the new policy is invalid (enforce needs an mx), so the cached one still applies: mx1 over "
                   "verified TLS, no deferral",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build(sts::found_setup(s));
      std::vector<case_result> r;
      auto const a1 = co_await s.send("learn the policy");
      r.push_back(judge(a1, found_expect(), "learn"));
      // [STS-3.2-12] mx is required unless mode is none; [STS-5.1-05] the cached policy stays.
      s.set_policy(policy_host_options{.body = policy("enforce", {})});
      s.set_sts_txt("v=STSv1; id=2");
      auto const a2 = co_await s.send("enforce without mx");
      r.push_back(judge(a2, found_expect(), "enforce without mx"));
      co_return combine(r);
    },
}};

}  // namespace
}  // namespace mxtls::conformance::sender
