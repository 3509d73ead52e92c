// The proposal's MX prefixes: an MX target whose left-most label starts with "starttls-"
// requires verified TLS; "smtps-" also offers implicit TLS on port 26 first.
// Implements PFX-01..05 (classification) and P26-01, P26-09, P26-13, P26-16 (port order).
#pragma once

#include "mxtls/spec/error.hpp"
#include "mxtls/spec/prefix/errc.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace mxtls::spec::prefix {

/// The signal carried by an MX target host name.
enum class mx_prefix {
  none,      ///< no prefix: RFC 3207 opportunistic STARTTLS on port 25
  starttls,  ///< "starttls-": STARTTLS on port 25 with a verified certificate, never plaintext
  smtps,     ///< "smtps-": implicit TLS on port 26, then verified STARTTLS on port 25
};

/// Classifies the MX target `mx_host` (one trailing root dot allowed).
/// [PFX-01] only the left-most label counts; [PFX-02][PFX-03] the tag is compared ASCII
/// case-insensitively and must be followed by at least one more octet of the label;
/// [PFX-03] the host must be a valid host name (dns::parse_hostname), else it carries no
/// signal: errc::mx_host_invalid with the dns rule's requirement ID and offset.
/// [PFX-04] lists the examples; [PFX-05] the class is smtps, starttls or none.
[[nodiscard]] result<mx_prefix> classify(std::string_view mx_host);

/// [PFX-10..16] "starttls-" and "smtps-" require TLS with a verified certificate on every
/// attempt to that host; [PFX-05] smtps implies everything starttls implies.
[[nodiscard]] constexpr bool requires_verified_tls(mx_prefix p) noexcept {
  return p == mx_prefix::starttls || p == mx_prefix::smtps;
}

/// [P26-16] only "smtps-" announces an implicit-TLS listener (port 26 by default).
[[nodiscard]] constexpr bool offers_implicit_tls(mx_prefix p) noexcept {
  return p == mx_prefix::smtps;
}

/// "none", "starttls" or "smtps" (the lint JSON names).
[[nodiscard]] std::string_view to_string(mx_prefix p) noexcept;

/// How one connection attempt starts TLS.
enum class tls_start {
  implicit,  ///< TLS handshake right after connect (RFC 8314 style)
  starttls,  ///< SMTP greeting and EHLO in plaintext, then STARTTLS (RFC 3207)
};

/// One entry of the per-host connection plan.
struct port_attempt {
  std::uint16_t port = 25;
  tls_start start = tls_start::starttls;
  bool verified_tls_required = false;  ///< no plaintext, no unverified certificate
  friend bool operator==(port_attempt const&, port_attempt const&) = default;
};

/// [P26-01] the port used for implicit TLS by "smtps-" hosts unless configured otherwise.
inline constexpr std::uint16_t default_implicit_tls_port = 26;
/// The SMTP relay port (RFC 5321).
inline constexpr std::uint16_t smtp_port = 25;

/// The ports to try, in order, for a host with prefix `p`:
/// smtps → {implicit_tls_port implicit TLS, 25 STARTTLS} both verified [P26-09][P26-13];
/// starttls → {25 STARTTLS verified}; none → {25 STARTTLS, TLS not required}.
[[nodiscard]] std::vector<port_attempt> port_order(
    mx_prefix p, std::uint16_t implicit_tls_port = default_implicit_tls_port);

}  // namespace mxtls::spec::prefix
