// Host names and RFC 6125 name patterns: LDH syntax, case-insensitive comparison and the
// one-label "*." wildcard shared by MTA-STS mx patterns and the banner directive.
// Implements NAME-2.3.1-01, NAME-2.3.2-01/03, NAME-2.3.4-01/02, NAME-2-01, NAME-3.1-01..04,
// NAME-4.1.2-01, NAME-4.1.3-01 (host names) and NAME-6.4.3-01..03 (wildcards).
#pragma once

#include "mxtls/spec/dns/errc.hpp"
#include "mxtls/spec/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace mxtls::spec::dns {

/// Longest host name in octets, without the trailing root dot (NAME-2.3.4-02).
inline constexpr std::size_t max_name_octets = 253;
/// Longest label in octets (NAME-2.3.4-01).
inline constexpr std::size_t max_label_octets = 63;

struct name_options {
  bool allow_trailing_dot = false;  ///< accept (and strip) one trailing root dot (NAME-3.1-02/03)
  std::size_t min_labels = 1;       ///< fewer labels → errc::too_few_labels (NAME-4.1.2-01)
};

/// [NAME-2.3.1-01] LDH host name: [NAME-2.3.4-01] 1..63-octet labels of letters, digits and
/// hyphens, no leading or trailing hyphen, at least one label, [NAME-2.3.4-02] at most 253
/// octets without the trailing dot. [NAME-2.3.2-03] U-labels (non-ASCII) are rejected;
/// [NAME-2.3.2-01] an "xn--" label is checked for LDH shape only (never decoded).
/// [NAME-2-01] the right-most label is not all digits ("192.0.2.1" is an address);
/// [NAME-4.1.3-01] "[...]" address literals are rejected.
/// Returns the name in lower case (NAME-3.1-01), without the trailing dot.
[[nodiscard]] result<std::string> parse_hostname(std::string_view name, name_options opt = {});

/// [NAME-2.3.1-01] true iff `label` is 1..63 octets of LDH with no leading or trailing hyphen.
[[nodiscard]] bool is_ldh_label(std::string_view label) noexcept;

/// [NAME-3.1-01][NAME-3.1-02] ASCII lower case, one trailing dot stripped. No validation.
[[nodiscard]] std::string normalize(std::string_view name);

/// [NAME-3.1-04] ASCII case-insensitive equality (non-ASCII octets compare exactly).
[[nodiscard]] bool equal_ci(std::string_view a, std::string_view b) noexcept;

/// "a.b.c" → "a"; "c" → "c"; "" → "".
[[nodiscard]] std::string_view leftmost_label(std::string_view name) noexcept;

/// "a.b.c" → "b.c"; "c" → "".
[[nodiscard]] std::string_view parent(std::string_view name) noexcept;

/// Number of labels of a name (one trailing dot ignored): "a.b" → 2, "" → 0.
[[nodiscard]] std::size_t label_count(std::string_view name) noexcept;

/// RFC 6125 §6.4.3 / RFC 8461 §4.1 pattern: "*." + base, or an exact name.
struct name_pattern {
  bool wildcard = false;
  std::string base;  ///< lower case, no trailing dot

  /// "*.base" or "base".
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(name_pattern const&, name_pattern const&) = default;
};

struct pattern_options {
  std::size_t min_wildcard_base_labels = 1;  ///< the banner directive uses 2
  std::size_t min_exact_labels = 1;          ///< NAME-4.1.2-01: one label is a valid Domain
  bool allow_trailing_dot = false;           ///< mx values and banner patterns: no (NAME-3.1-03)
};

/// [NAME-6.4.3-01] "*" only as the entire left-most label, [NAME-6.4.3-03] never in another
/// label, followed by a host name (parse_hostname rules); otherwise an exact host name. `offset` in errors counts from
/// the start of `text`.
[[nodiscard]] result<name_pattern> parse_name_pattern(std::string_view text, pattern_options opt = {});

/// [NAME-6.4.3-02] "*" matches exactly one whole left-most label (never zero, never two);
/// [NAME-3.1-01] case-insensitive; [NAME-3.1-02] one trailing dot on `host` is ignored.
/// Otherwise literal (whole-name) equality; never a substring or suffix match.
[[nodiscard]] bool matches(name_pattern const& p, std::string_view host) noexcept;

}  // namespace mxtls::spec::dns
