// The MTA-STS policy file (RFC 8461 §3.2): the exact ABNF with mxtls's registry decisions,
// a canonical printer, and MX host validation (§4.1).
// Implements STS-3.2-04..10, STS-3.2-12..18, STS-3.2-20, STS-3.3-08 and STS-4.1-01..04.
#pragma once

#include "mxtls/spec/dns/name.hpp"
#include "mxtls/spec/error.hpp"
#include "mxtls/spec/mtasts/errc.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::spec::mtasts {

/// [STS-3.3-08] the largest policy body mxtls accepts (65536 octets; one more fails).
inline constexpr std::size_t max_policy_octets = 65536;
/// [STS-3.2-09][STS-3.2-10] the largest max_age (one year, erratum 7282).
inline constexpr std::uint32_t max_max_age = 31557600;

enum class policy_mode { enforce, testing, none };

/// "enforce" / "testing" / "none".
[[nodiscard]] std::string_view to_string(policy_mode m) noexcept;
/// The exact, case-sensitive mode value (STS-3.2-08); anything else → nullopt.
[[nodiscard]] std::optional<policy_mode> parse_policy_mode(std::string_view text) noexcept;

struct policy {
  std::string version = "STSv1";
  policy_mode mode = policy_mode::none;
  std::uint32_t max_age = 0;
  std::vector<dns::name_pattern> mx;  ///< in policy order, duplicates kept
  friend bool operator==(policy const&, policy const&) = default;
};

/// The options mx values are parsed with: ["*."] Domain (a single label is a Domain,
/// NAME-4.1.2-01), no trailing dot (STS-3.2-15, NAME-3.1-03). match-mx patterns use the same.
[[nodiscard]] constexpr dns::pattern_options mx_pattern_options() noexcept {
  return dns::pattern_options{.min_wildcard_base_labels = 1, .min_exact_labels = 1, .allow_trailing_dot = false};
}

/// One mx value per STS-3.2-12/14/15; errors are errc::mx_pattern_invalid with the dns
/// condition in the detail and offsets within `text`.
[[nodiscard]] result<dns::name_pattern> parse_mx_pattern(std::string_view text);

/// Parses a policy body (the exact bytes of the HTTPS response) per the §3.2 ABNF:
/// [STS-3.3-08] at most 65536 octets; [STS-3.2-04] fields "key:" *WSP value *WSP, no WSP
/// before ":" or at line start, final terminator optional, empty body invalid;
/// [STS-3.2-05] LF, CRLF or a mixture, a bare CR is invalid; [STS-3.2-06] blank lines are
/// invalid; [STS-3.2-07] version STSv1 (keys and values case-sensitive); [STS-3.2-08] mode
/// testing/enforce/none; [STS-3.2-09] max_age 1*10DIGIT, [STS-3.2-10] at most 31557600;
/// [STS-3.2-12] mx required unless mode none; [STS-3.2-13..15] each mx value ["*."] Domain,
/// A-labels only, else the whole policy is invalid; [STS-3.2-16] first duplicate wins for
/// every field but mx, later duplicates must still be valid; [STS-3.2-17] unknown keys
/// (ext-name ABNF, ext-value UTF-8 without CTLs or leading/trailing SP) are ignored;
/// [STS-3.2-20] trailing WSP is not part of a value.
[[nodiscard]] result<policy> parse_policy(std::string_view body);

/// The canonical body: version, mode, one "mx:" line per pattern, max_age, each line ended
/// by CRLF. For every valid policy p, parse_policy(print_policy(p)) == p.
[[nodiscard]] std::string print_policy(policy const& p);

/// [STS-4.1-01..04] true iff `mx_host` (the MX record name; one trailing dot ignored)
/// matches at least one mx pattern: "*." covers exactly one left-most label, comparison
/// is ASCII case-insensitive, otherwise whole-name equality (never a substring).
[[nodiscard]] bool mx_matches(policy const& p, std::string_view mx_host) noexcept;

}  // namespace mxtls::spec::mtasts
