// `mxtls-conform lint match-mx --pattern P [--pattern P ...] HOST`: does an MX host name
// match an MTA-STS policy's mx patterns (RFC 8461 §4.1)? Patterns are validated with the
// policy's mx rules (STS-3.2-12..15); the host may carry one root dot (NAME-3.1-02).
// Matching per STS-4.1-01..04: "*." covers exactly one label, case-insensitive, no substrings.
#include "lint/lint.hpp"

#include "mxtls/spec/dns/name.hpp"
#include "mxtls/spec/mtasts/policy.hpp"

#include <boost/json/serialize.hpp>

#include <iostream>
#include <string>

namespace mxtls::conformance::lint {
namespace {

namespace mtasts = spec::mtasts;
namespace dns = spec::dns;

int run(options const& opt) {
  if (opt.patterns.empty()) return usage_error("match-mx", "needs at least one --pattern P");
  if (opt.positional.size() != 1) return usage_error("match-mx", "expects exactly one HOST");
  std::string const& host = opt.positional[0];

  mtasts::policy policy;
  for (auto const& text : opt.patterns) {
    auto p = mtasts::parse_mx_pattern(text);
    if (!p) return report_invalid(opt, p.error(), text);
    policy.mx.push_back(std::move(*p));
  }
  if (auto h = dns::parse_hostname(host, {.allow_trailing_dot = true}); !h) {
    return report_invalid(opt, h.error(), host);
  }
  bool const match = mtasts::mx_matches(policy, host);
  if (opt.json) {
    boost::json::object o;
    o["match"] = match;
    std::cout << boost::json::serialize(o) << '\n';
  } else {
    std::string matched;
    for (auto const& m : policy.mx) {
      if (dns::matches(m, host)) matched = m.to_string();
    }
    if (match) {
      std::cout << "match: " << host << " is covered by mx pattern " << matched << '\n';
    } else {
      std::cout << "no match: " << host << " is not covered by any mx pattern (\"*.\" covers exactly one "
                   "label; names compare case-insensitively and as whole names, STS-4.1-03)\n";
    }
  }
  return match ? exit_valid : exit_invalid;
}

const registrar reg{{"match-mx", "--pattern P [--pattern P ...] HOST",
                     "does an MX host match MTA-STS mx patterns (RFC 8461 section 4.1)?", &run, true}};

}  // namespace
}  // namespace mxtls::conformance::lint
