// Classification of MX target host names by the proposal's "starttls-" / "smtps-"
// prefixes and the connection plan each prefix implies (PFX-01..05, P26-01, P26-09, P26-13, P26-16).
#include "mxtls/spec/prefix/mx_prefix.hpp"

#include "mxtls/spec/dns/name.hpp"

#include <string>

namespace mxtls::spec::prefix {

namespace {
constexpr std::string_view starttls_prefix = "starttls-";
constexpr std::string_view smtps_prefix = "smtps-";

// [PFX-02][PFX-03] the label starts with the tag and has at least one octet after it.
// `label` is already lower case (parse_hostname), so the comparison is case-insensitive.
bool has_prefix(std::string_view label, std::string_view prefix) noexcept {
  return label.size() > prefix.size() && label.substr(0, prefix.size()) == prefix;
}
}  // namespace

result<mx_prefix> classify(std::string_view mx_host) {
  // [PFX-03] only a valid host name carries a signal; one trailing root dot is allowed
  // because MX RDATA is a fully qualified name.
  auto host = dns::parse_hostname(mx_host, dns::name_options{.allow_trailing_dot = true});
  if (!host) {
    auto const& e = host.error();
    return make_parse_error(errc::mx_host_invalid, e.requirement, e.offset, e.message());
  }
  // [PFX-01] only the left-most label counts: "mx.starttls-a.example" carries no signal.
  std::string_view const label = dns::leftmost_label(*host);
  if (has_prefix(label, smtps_prefix)) return mx_prefix::smtps;
  if (has_prefix(label, starttls_prefix)) return mx_prefix::starttls;
  return mx_prefix::none;
}

std::string_view to_string(mx_prefix p) noexcept {
  switch (p) {
    case mx_prefix::none: return "none";
    case mx_prefix::starttls: return "starttls";
    case mx_prefix::smtps: return "smtps";
  }
  return "none";
}

std::vector<port_attempt> port_order(mx_prefix p, std::uint16_t implicit_tls_port) {
  bool const verified = requires_verified_tls(p);
  std::vector<port_attempt> plan;
  if (offers_implicit_tls(p)) {
    // [P26-09] implicit TLS first; port 25 stays a fallback, and [P26-13] it still
    // requires verified TLS: a failed port 26 never opens a path to plaintext.
    plan.push_back({implicit_tls_port, tls_start::implicit, true});
  }
  // [PFX-05][PFX-10] starttls/smtps: STARTTLS on 25 with a verified certificate.
  plan.push_back({smtp_port, tls_start::starttls, verified});
  return plan;
}

}  // namespace mxtls::spec::prefix
