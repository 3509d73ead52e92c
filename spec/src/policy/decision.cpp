// decide(): spec/proposal.md §7.2 line by line. Each branch cites the rule it applies.
#include "mxtls/spec/policy/decision.hpp"

#include <algorithm>

namespace mxtls::spec::policy {

namespace {
void add(decision& d, std::string_view id) {
  if (std::find(d.ids.begin(), d.ids.end(), id) == d.ids.end()) d.ids.push_back(id);
}
void because(decision& d, std::string_view why) {
  if (!d.reason.empty()) d.reason += '+';
  d.reason += why;
}
void raise(decision& d, tls_level l) {
  if (!at_least(d.tls, l)) d.tls = l;  // [DNS-10] no mechanism lowers another's requirement
}
}  // namespace

decision decide(inputs const& in) {
  decision d;
  d.mx_authentic = in.mx_dnssec == dnssec_status::secure;  // [DNS-04]

  // [DNS-05] A bogus, indeterminate or failed MX lookup: no MX may be used; defer.
  if (in.mx_dnssec == dnssec_status::bogus) {
    d.act = action::defer_message;
    d.tls = tls_level::none;
    d.reason = "mx-rrset-bogus";
    add(d, "DNS-05");
    add(d, "DANE-2.1.2-01");
    return d;
  }

  // [DNS-20] DANE does not apply through an insecure MX RRset.
  dane_state const dane = in.mx_dnssec == dnssec_status::insecure ? dane_state::no_tlsa : in.dane;

  // [STS-4.1-01][STS-5-01][DNS-11] enforce: a host matching no mx pattern is skipped (transient).
  if (in.sts == sts_mode::enforce && !in.sts_match) {
    d.act = action::skip_mx;
    d.tls = tls_level::none;
    d.reason = "mx-not-in-sts-policy";
    add(d, "STS-4.1-01");
    add(d, "STS-5-01");
    add(d, "DNS-11");
    return d;
  }

  // [DANE-2.1.2-03][DNS-12] A failed TLSA lookup makes the host unreachable, whatever else applies.
  if (dane == dane_state::lookup_failure) {
    d.act = action::skip_mx;
    d.tls = tls_level::none;
    d.reason = "tlsa-lookup-failure";
    add(d, "DANE-2.1.2-03");
    add(d, "DNS-12");
    return d;
  }

  d.act = action::attempt;
  d.tls = tls_level::opportunistic;
  if (dane == dane_state::all_unusable) {
    // [DANE-2.2-02][DNS-13] secure TLSA, all unusable: TLS without authentication.
    raise(d, tls_level::encrypted);
    add(d, "DANE-2.2-02");
    add(d, "DNS-13");
    because(d, "dane:all-unusable");
  }
  if (dane == dane_state::usable) {
    // [DANE-3.2-01][DNS-09] usable TLSA: DANE authentication required (and never overridden, DNS-08).
    raise(d, tls_level::verified);
    d.dane = true;
    add(d, "DANE-3.2-01");
    add(d, "DNS-09");
    because(d, "dane:usable");
  }
  if (prefix::requires_verified_tls(in.prefix)) {
    // [PFX-12][PFX-14] a prefixed host: verified TLS, PKIX for the host, never plaintext.
    raise(d, tls_level::verified);
    d.pkix = true;
    add(d, "PFX-12");
    add(d, "PFX-14");
    because(d, in.prefix == prefix::mx_prefix::smtps ? "prefix:smtps" : "prefix:starttls");
  }
  if (in.pin == pin_state::covering) {
    // [BAN-19] a covering pin treats the host as class starttls.
    raise(d, tls_level::verified);
    d.pkix = true;
    add(d, "BAN-19");
    because(d, "pin");
  }
  if (in.sts == sts_mode::enforce) {
    // [STS-4-01][STS-5-01] enforce: STARTTLS with a PKIX certificate valid for the host.
    raise(d, tls_level::verified);
    d.pkix = true;
    add(d, "STS-4-01");
    add(d, "STS-5-01");
    because(d, "sts:enforce");
  }
  if (in.sts == sts_mode::testing) {
    d.report = true;  // [STS-5-02] evaluate and report, deliver regardless
    add(d, "STS-5-02");
  }
  if (d.reason.empty()) d.reason = "opportunistic";
  add(d, "DNS-10");
  return d;
}

std::string_view to_string(pin_state v) noexcept {
  return v == pin_state::covering ? "covering" : "none";
}
std::string_view to_string(dnssec_status v) noexcept {
  switch (v) {
    case dnssec_status::secure: return "secure";
    case dnssec_status::insecure: return "insecure";
    case dnssec_status::bogus: return "bogus";
  }
  return "?";
}
std::string_view to_string(sts_mode v) noexcept {
  switch (v) {
    case sts_mode::absent: return "absent";
    case sts_mode::none: return "none";
    case sts_mode::testing: return "testing";
    case sts_mode::enforce: return "enforce";
  }
  return "?";
}
std::string_view to_string(dane_state v) noexcept {
  switch (v) {
    case dane_state::no_tlsa: return "no-tlsa";
    case dane_state::usable: return "usable";
    case dane_state::all_unusable: return "all-unusable";
    case dane_state::lookup_failure: return "lookup-failure";
  }
  return "?";
}
std::string_view to_string(action v) noexcept {
  switch (v) {
    case action::attempt: return "attempt";
    case action::skip_mx: return "skip-mx";
    case action::defer_message: return "defer-message";
  }
  return "?";
}
std::string_view to_string(tls_level v) noexcept {
  switch (v) {
    case tls_level::none: return "none";
    case tls_level::opportunistic: return "opportunistic";
    case tls_level::encrypted: return "encrypted";
    case tls_level::verified: return "verified";
  }
  return "?";
}

std::string format(decision const& d) {
  std::string checks;
  auto add_check = [&](bool on, std::string_view name) {
    if (!on) return;
    if (!checks.empty()) checks += '+';
    checks += name;
  };
  add_check(d.pkix, "pkix");
  add_check(d.dane, "dane");
  add_check(d.report, "report");
  if (checks.empty()) checks = "-";
  std::string out;
  out += to_string(d.act);
  out += '\t';
  out += to_string(d.tls);
  out += '\t';
  out += checks;
  out += '\t';
  out += d.mx_authentic ? "mx-authentic" : "mx-unauthenticated";
  out += '\t';
  out += d.reason;
  out += '\t';
  for (std::size_t i = 0; i < d.ids.size(); ++i) {
    if (i) out += ',';
    out += d.ids[i];
  }
  return out;
}

std::string format(inputs const& in) {
  std::string out;
  out += prefix::to_string(in.prefix);
  out += '\t';
  out += to_string(in.pin);
  out += '\t';
  out += to_string(in.mx_dnssec);
  out += '\t';
  out += to_string(in.sts);
  out += '\t';
  out += in.sts_match ? "match" : "no-match";
  out += '\t';
  out += to_string(in.dane);
  return out;
}

}  // namespace mxtls::spec::policy
