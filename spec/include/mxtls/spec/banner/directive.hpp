// The proposal's strict-tls= directive: a token in the 220 greeting or the first line of
// the 250 EHLO reply that pins "verified TLS required" for a host pattern, like HSTS.
// Implements BAN-01..09 (location, syntax), BAN-12 (scope), BAN-14 (transport).
#pragma once

#include "mxtls/spec/banner/errc.hpp"
#include "mxtls/spec/dns/name.hpp"
#include "mxtls/spec/error.hpp"
#include "mxtls/spec/smtp/reply.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mxtls::spec::banner {

/// [BAN-09] the largest max-age (one year of 365.25 days, as RFC 8461's max_age).
inline constexpr std::uint32_t max_max_age = 31557600;

/// [SMTP-4.5.3.1.5-01] a directive never exceeds one SMTP reply line (512 octets with code
/// and CRLF), so longer input is rejected before parsing.
inline constexpr std::size_t max_directive_octets = 512;

/// The directive's keyword, compared ASCII case-insensitively.
inline constexpr std::string_view directive_keyword = "strict-tls=";

/// A parsed directive:
///   strict-tls-directive = "strict-tls=" st-pattern *( OWS ";" OWS st-attr ) [ OWS ";" ] OWS
struct strict_tls_directive {
  dns::name_pattern pattern;        ///< lower case; wildcard base and exact names have >= 2 labels
  std::uint32_t max_age = 0;        ///< seconds; 0 removes the pin (BAN-10)
  bool include_subdomains = false;  ///< lifts the one-label depth limit (BAN-13)
  /// Unknown attributes in the order received, names and values as received
  /// (value empty when the attribute had no "="). Ignored by every rule (BAN-08).
  std::vector<std::pair<std::string, std::string>> extensions;

  friend bool operator==(strict_tls_directive const&, strict_tls_directive const&) = default;
};

/// Parses one directive token, which starts at "strict-tls=" and runs to the end of
/// its reply line. Offsets in errors count from the start of `token`.
[[nodiscard]] result<strict_tls_directive> parse_directive(std::string_view token);

/// The canonical text "strict-tls=PATTERN; max-age=N[; includeSubDomains][; EXT[=VAL]]...".
/// For every `d` returned by parse_directive, parse_directive(print_directive(d)) == d.
[[nodiscard]] std::string print_directive(strict_tls_directive const& d);

/// Which reply the directive is looked for in.
enum class reply_kind {
  greeting,  ///< the 220 greeting: every line is searched
  ehlo,      ///< the 250 reply to EHLO: only the first line is searched
};

/// [BAN-01][BAN-02] finds the directive of a reply. A token starts at "strict-tls="
/// (ASCII case-insensitive) at the start of a line's text or after SP/HTAB, and runs to
/// the end of that line. No token → std::nullopt. [BAN-05] two or more tokens →
/// errc::duplicate_directive. A malformed token → its parse error.
/// Error offsets count in the reply's wire form, i.e. every line as "ddd" SP-or-"-" text
/// CRLF; the detail names the line (1-based).
[[nodiscard]] result<std::optional<strict_tls_directive>> find_directive(smtp::reply const& reply,
                                                                         reply_kind kind);

/// [BAN-12] a directive is in scope for the host H the sender connected to iff its
/// pattern is H (case-insensitive) or is "*." + parent(H). Out-of-scope directives are
/// ignored: a host cannot pin names outside its own parent domain.
[[nodiscard]] bool in_scope(strict_tls_directive const& d, std::string_view host) noexcept;

/// Where a directive was received.
enum class directive_source {
  plaintext_greeting,  ///< 220 greeting on port 25 before STARTTLS
  plaintext_ehlo,      ///< EHLO reply before STARTTLS
  tls_greeting,        ///< 220 greeting inside implicit TLS (port 26)
  tls_ehlo,            ///< first EHLO reply after STARTTLS
};

/// What the sender knows about the channel the directive arrived on.
enum class channel_auth {
  none,        ///< no TLS
  unverified,  ///< TLS, but the certificate was not verified for the host
  verified,    ///< TLS with a certificate verified for the host (PKIX or DANE)
};

enum class honour_action { accept, ignore };

/// Why a directive is accepted or ignored.
enum class honour_reason {
  accepted,               ///< received over TLS verified for the host, pattern in scope
  plaintext,              ///< received before TLS: an attacker could forge or strip it
  channel_unauthenticated,  ///< a TLS source without TLS (inconsistent input): not trusted
  certificate_unverified,   ///< TLS whose certificate was not verified for the host
  out_of_scope,             ///< the pattern does not cover the host that sent it
};

/// The decision on one received directive; logged verbatim and asserted in tests.
struct honour_decision {
  honour_action action = honour_action::ignore;
  honour_reason reason = honour_reason::plaintext;
  std::string_view requirement;  ///< the registry ID that decided
  friend bool operator==(honour_decision const&, honour_decision const&) = default;
};

/// [BAN-14] a directive is honoured only when received inside TLS whose certificate the
/// sender verified for `host` (implicit-TLS greeting or post-STARTTLS EHLO), and
/// [BAN-12] only when in scope for `host`.
[[nodiscard]] honour_decision decide_directive(strict_tls_directive const& d, std::string_view host,
                                               directive_source source, channel_auth auth) noexcept;

[[nodiscard]] std::string_view to_string(honour_reason r) noexcept;
[[nodiscard]] std::string_view to_string(directive_source s) noexcept;
[[nodiscard]] std::string_view to_string(channel_auth a) noexcept;

}  // namespace mxtls::spec::banner
