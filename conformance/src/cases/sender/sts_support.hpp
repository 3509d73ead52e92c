// Helpers shared by the MTA-STS, DANE and DNS sender cases (sts.cpp, sts_cache.cpp, dane.cpp,
// dns.cpp): policy bodies, the two observable scene shapes, and folding multi-step verdicts.
//
// Observability (DESIGN §5): "a policy was found and applied" is only visible if applying it
// changes where mail goes, and "no policy" only if wrongly applying one would too. So:
//   - found shape: MX mx0 (preference 5, EXCLUDED: the policy does not list it) and mx1
//     (preference 10, the only policy mx). Applying the policy delivers to mx1; missing it
//     delivers to mx0 (wrong host).
//   - no-policy shape: the only MX is mx1, and the (wrongly applicable) policy is enforce with
//     an mx pattern that does not match it. Ignoring the policy delivers; applying it defers.
#pragma once

#include "cases/sender/harness.hpp"

#include <string>
#include <vector>

namespace mxtls::conformance::sender::sts {

/// A policy body, CRLF-terminated lines.
inline std::string policy(std::string const& mode, std::vector<std::string> const& mx, std::string const& max_age = "86400",
                          std::string const& eol = "\r\n") {
  std::string b = "version: STSv1" + eol + "mode: " + mode + eol;
  for (auto const& m : mx) b += "mx: " + m + eol;
  b += "max_age: " + max_age + eol;
  return b;
}

/// The found shape: mx0 (pref 5, excluded), mx1 (pref 10), enforce policy listing only mx1.
inline domain_setup found_setup(scene& s, std::optional<std::string> txt = "v=STSv1; id=1",
                                std::optional<std::string> body = std::nullopt) {
  domain_setup d;
  d.hosts = {{.label = "mx0", .preference = 5, .excluded = true}, {.label = "mx1", .preference = 10}};
  d.sts_txt = std::move(txt);
  d.policy = policy_host_options{.body = body ? *body : policy("enforce", {s.name("mx1")})};
  return d;
}

/// The no-policy shape: the only MX is mx1; the policy (which must not apply) is enforce for
/// elsewhere.<domain> only.
inline domain_setup no_policy_setup(scene& s, policy_host_options opt, std::string txt = "v=STSv1; id=1") {
  domain_setup d;
  d.hosts = {{.label = "mx1"}};
  d.sts_txt = std::move(txt);
  if (opt.body.empty()) opt.body = policy("enforce", {s.name("elsewhere")});
  d.policy = std::move(opt);
  return d;
}

/// What a delivery for a domain without (applicable) MTA-STS is judged against: TLS to mx1,
/// plaintext tolerated; a deferral means the policy was wrongly applied.
inline expect no_policy_expect(std::string result_type = {}) {
  return {.pass = {delivery_outcome::verified_tls, delivery_outcome::unverified_tls},
          .non_strict = {delivery_outcome::plaintext},
          .tls_required = false,
          .result_type = std::move(result_type)};
}

/// Folds the verdicts of several steps: the worst one decides (fail > pass-non-strict > pass;
/// unsupported/informational/harness-error rank as fail does not apply to them: they are kept
/// as they are when nothing failed); every step's details are kept, prefixed.
inline case_result combine(std::vector<case_result> const& steps) {
  auto rank = [](verdict v) {
    switch (v) {
      case verdict::pass: return 0;
      case verdict::pass_non_strict: return 1;
      case verdict::informational: return 2;
      case verdict::unsupported: return 3;
      case verdict::fail: return 4;
      case verdict::harness_error: return 5;
    }
    return 5;
  };
  case_result out;
  std::size_t worst = 0;
  for (std::size_t i = 0; i < steps.size(); ++i)
    if (rank(steps[i].v) > rank(steps[worst].v)) worst = i;
  if (steps.empty()) return out;
  out = steps[worst];
  out.details.clear();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    out.details.push_back("step " + std::to_string(i + 1) + ": " + steps[i].summary);
    for (auto const& d : steps[i].details) out.details.push_back("  " + d);
  }
  if (steps[worst].v == verdict::pass && steps.size() > 1) {
    out.summary.clear();
    for (auto const& s : steps) out.summary += (out.summary.empty() ? "" : "; ") + s.summary;
  }
  return out;
}

}  // namespace mxtls::conformance::sender::sts
