// `mxtls-conform lint mx-prefix HOST`: which proposal prefix an MX host name carries
// (PFX-01..05), what it requires and which ports a sender tries in order (P26-09).
#include "lint/lint.hpp"

#include "mxtls/spec/prefix/mx_prefix.hpp"

#include <boost/json/array.hpp>

#include <sstream>
#include <string>

namespace mxtls::conformance::lint {
namespace {

namespace prefix = spec::prefix;

int run(options const& opt) {
  if (opt.positional.size() != 1) return usage_error("mx-prefix", "expects exactly one HOST");
  std::string const& host = opt.positional[0];
  auto const p = prefix::classify(host);
  if (!p) return report_invalid(opt, p.error(), host);

  auto const plan = prefix::port_order(*p);
  boost::json::array ports;
  for (auto const& a : plan) ports.push_back(a.port);
  boost::json::object fields{{"prefix", prefix::to_string(*p)},
                             {"requires_verified_tls", prefix::requires_verified_tls(*p)},
                             {"offers_implicit_tls", prefix::offers_implicit_tls(*p)},
                             {"ports", std::move(ports)}};

  std::ostringstream human;
  human << host << ": prefix " << prefix::to_string(*p) << '\n';
  if (prefix::requires_verified_tls(*p))
    human << "  senders require TLS with a certificate verified for this name; never plaintext (PFX-10..16)\n";
  else
    human << "  no signal: opportunistic STARTTLS unless MTA-STS, DANE or a pin says more\n";
  for (auto const& a : plan) {
    human << "  try port " << a.port << ": " << (a.start == prefix::tls_start::implicit ? "implicit TLS" : "STARTTLS")
          << (a.verified_tls_required ? ", verified" : "") << '\n';
  }
  return report_valid(opt, std::move(fields), human.str());
}

const registrar reg{{"mx-prefix", "HOST", "which starttls-/smtps- prefix an MX host name carries (proposal section 3)",
                     &run}};

}  // namespace
}  // namespace mxtls::conformance::lint
