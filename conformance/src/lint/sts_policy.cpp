// `mxtls-conform lint sts-policy [FILE|-]`: checks the exact bytes of an MTA-STS policy
// file (RFC 8461 §3.2) as a sender parses it. Enforces STS-3.2-04..20 and STS-3.3-08
// through mtasts::parse_policy; prints each field's meaning.
#include "lint/lint.hpp"

#include "mxtls/spec/mtasts/policy.hpp"

#include <boost/json/array.hpp>

#include <string>

namespace mxtls::conformance::lint {
namespace {

namespace mtasts = spec::mtasts;

std::string mode_meaning(mtasts::policy_mode m) {
  switch (m) {
    case mtasts::policy_mode::enforce:
      return "senders MUST NOT deliver to an MX that fails mx matching, lacks STARTTLS or presents "
             "a certificate that is not valid for its name (STS-5-01)";
    case mtasts::policy_mode::testing:
      return "senders deliver as without MTA-STS but report failures via TLSRPT (STS-5-02)";
    case mtasts::policy_mode::none:
      return "senders treat the domain as having no active policy (STS-5-03)";
  }
  return {};
}

std::string human(mtasts::policy const& p) {
  std::string out = "valid MTA-STS policy\n";
  out += "  version: " + p.version + "  (the only version, STS-3.2-07)\n";
  out += "  mode:    " + std::string(mtasts::to_string(p.mode)) + "  (" + mode_meaning(p.mode) + ")\n";
  out += "  max_age: " + std::to_string(p.max_age) + " s";
  if (p.max_age == 0) {
    out += "  (valid, but senders never cache it, STS-3.2-11)\n";
  } else {
    out += "  (about " + std::to_string((p.max_age + 43200) / 86400) +
           " day(s); senders cache the policy this long after each fetch, STS-3.2-19)\n";
  }
  if (p.mx.empty()) {
    out += "  mx:      none (allowed only with mode none, STS-3.2-12)\n";
  }
  for (auto const& m : p.mx) {
    out += "  mx:      " + m.to_string();
    out += m.wildcard ? "  (any host exactly one label below " + m.base + ", STS-4.1-03)\n"
                      : "  (exactly this host, case-insensitive)\n";
  }
  return out;
}

int run(options const& opt) {
  std::string input;
  if (!read_single_input(opt, "sts-policy", input)) return exit_usage;
  auto p = mtasts::parse_policy(input);
  if (!p) return report_invalid(opt, p.error(), input);
  boost::json::array mx;
  for (auto const& m : p->mx) mx.emplace_back(m.to_string());
  boost::json::object policy;
  policy["version"] = p->version;
  policy["mode"] = std::string(mtasts::to_string(p->mode));
  policy["mx"] = std::move(mx);
  policy["max_age"] = p->max_age;
  boost::json::object fields;
  fields["policy"] = std::move(policy);
  return report_valid(opt, std::move(fields), human(*p));
}

const registrar reg{{"sts-policy", "[FILE|-]", "check an MTA-STS policy file (RFC 8461 section 3.2)", &run}};

}  // namespace
}  // namespace mxtls::conformance::lint
