// The delivery decision for one connection attempt (one MX host, one port): a pure function
// of the facts a sender gathered, exactly as spec/proposal.md §7.2 writes it.
// Implements DNS-05, DNS-08..13, DNS-20, PFX-12, PFX-14, BAN-19, STS-4-01, STS-5-01/02,
// STS-4.1-01, DANE-2.1.2-03, DANE-2.2-02, DANE-3.2-01.
#pragma once

#include "mxtls/spec/prefix/mx_prefix.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::spec::policy {

/// Whether a strict-tls pin (BAN-13) covers the host.
enum class pin_state : std::uint8_t { none, covering };

/// DNSSEC status of the MX RRset. Indeterminate answers and failed lookups are passed as bogus.
enum class dnssec_status : std::uint8_t { secure, insecure, bogus };

/// The MTA-STS policy that applies (cached or freshly fetched); `absent` when none.
enum class sts_mode : std::uint8_t { absent, none, testing, enforce };

/// The TLSA state of `_<port>._tcp.<host>` (RFC 7672 §2.2).
enum class dane_state : std::uint8_t { no_tlsa, usable, all_unusable, lookup_failure };

/// What the sender does with this host.
enum class action : std::uint8_t {
  attempt,        ///< connect, with the TLS requirement below
  skip_mx,        ///< transient failure of this host; continue with the next MX (DNS-16)
  defer_message,  ///< the whole message is deferred (no MX may be used)
};

/// The security levels, ordered: a larger value is stricter (DNS-10).
enum class tls_level : std::uint8_t {
  none,           ///< no attempt is made (skip / defer)
  opportunistic,  ///< try STARTTLS; plaintext allowed if it fails (DNS-19)
  encrypted,      ///< TLS required, certificate not authenticated (DANE all-unusable)
  verified,       ///< TLS required and authenticated (PKIX and/or DANE, see the checks)
};

/// [DNS-19] Only at the opportunistic level may a session continue or retry in plaintext.
[[nodiscard]] constexpr bool allows_plaintext(tls_level l) noexcept {
  return l == tls_level::opportunistic;
}
/// TLS is mandatory for the attempt: a failure to establish it is a failure of the host.
[[nodiscard]] constexpr bool requires_tls(tls_level l) noexcept {
  return l == tls_level::encrypted || l == tls_level::verified;
}
/// [DNS-10] `a` is at least as strict as `b`.
[[nodiscard]] constexpr bool at_least(tls_level a, tls_level b) noexcept {
  return static_cast<std::uint8_t>(a) >= static_cast<std::uint8_t>(b);
}

/// The inputs of decide(): everything the sender knows about one host before connecting.
struct inputs {
  prefix::mx_prefix prefix = prefix::mx_prefix::none;  ///< PFX-05
  pin_state pin = pin_state::none;                     ///< BAN-13, BAN-19
  dnssec_status mx_dnssec = dnssec_status::insecure;   ///< DNS-04, DNS-05
  sts_mode sts = sts_mode::absent;                     ///< STS-3.3-10/11
  bool sts_match = false;  ///< the host matches a policy mx pattern (STS-4.1-01)
  dane_state dane = dane_state::no_tlsa;  ///< DNS-20: no_tlsa unless MX and addresses are secure
  friend bool operator==(inputs const&, inputs const&) = default;
};

/// The decision value, logged verbatim with every attempt (DNS-14).
struct decision {
  action act = action::attempt;
  tls_level tls = tls_level::opportunistic;
  bool pkix = false;          ///< PKIX verification of the certificate for the host required
  bool dane = false;          ///< DANE authentication against the usable TLSA records required
  bool report = false;        ///< STS testing: evaluate and report, do not enforce (STS-5-02)
  bool mx_authentic = false;  ///< the MX RRset was DNSSEC-secure (DNS-04)
  std::string reason;         ///< e.g. "dane:usable+prefix:starttls"
  std::vector<std::string_view> ids;  ///< the requirement IDs that produced the decision
  friend bool operator==(decision const&, decision const&) = default;
};

/// spec/proposal.md §7.2, checked in the order written there.
[[nodiscard]] decision decide(inputs const& in);

[[nodiscard]] std::string_view to_string(pin_state) noexcept;
[[nodiscard]] std::string_view to_string(dnssec_status) noexcept;
[[nodiscard]] std::string_view to_string(sts_mode) noexcept;
[[nodiscard]] std::string_view to_string(dane_state) noexcept;
[[nodiscard]] std::string_view to_string(action) noexcept;
[[nodiscard]] std::string_view to_string(tls_level) noexcept;

/// One line, tab-separated: action, tls, checks (pkix, dane, report or "-"), mx_authentic,
/// reason, IDs (comma-separated). This is the form logs and the golden table use.
[[nodiscard]] std::string format(decision const& d);
/// The inputs in the same tab-separated form (prefix, pin, mx_dnssec, sts, sts_match, dane).
[[nodiscard]] std::string format(inputs const& in);

}  // namespace mxtls::spec::policy
