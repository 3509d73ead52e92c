// TXT records in DNS presentation format, as `dig +short TXT` prints them: one RR per
// line, each a sequence of quoted character-strings. Implements NAME-5.1-01..04 and
// NAME-3.3.14-01 (RFC 1035 §5.1 and §3.3.14).
#pragma once

#include "mxtls/spec/dns/errc.hpp"
#include "mxtls/spec/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::spec::dns {

/// [NAME-3.3.14-01] a character-string holds at most 255 octets.
inline constexpr std::size_t max_character_string_octets = 255;
/// [NAME-3.3.14-02] RDATA is at most 65535 octets (one length octet per string included).
inline constexpr std::size_t max_txt_rdata_octets = 65535;
/// Bound on one presentation line: every RDATA octet written as "\DDD" plus quotes and
/// separators fits in 5 octets per RDATA octet.
inline constexpr std::size_t max_txt_line_octets = 5 * max_txt_rdata_octets;
/// Bound on a whole RRset input (parse_txt_rrset).
inline constexpr std::size_t max_txt_input_octets = 1024 * 1024;

/// The character-strings of one TXT RR.
using txt_strings = std::vector<std::string>;

/// One TXT RR written in presentation format, e.g. `"v=STSv1; id=" "abc"`.
/// [NAME-5.1-01] after optional leading SP/HTAB, a line starting with '"' holds one or more
/// quoted character-strings separated by white space; inside quotes `\"`, `\\`, `\DDD`
/// (three decimal digits, 000..255) and `\X` (= X) are escapes.
/// [NAME-5.1-02] a line not starting with '"' is one character-string, taken verbatim.
/// One trailing CR is ignored. Error offsets count from the start of `line`.
[[nodiscard]] result<txt_strings> parse_txt_presentation(std::string_view line);

/// One line of a multi-line input and where it starts.
struct rr_line {
  std::string_view text;  ///< without the LF / CRLF terminator
  std::size_t offset = 0; ///< of text[0] in the input
};

/// [NAME-5.1-03] splits an RRset input into RR lines: LF or CRLF terminators (mixed ok),
/// lines that are empty or only white space are skipped.
[[nodiscard]] std::vector<rr_line> split_rr_lines(std::string_view input);

/// split_rr_lines + parse_txt_presentation on each line; error offsets count from the
/// start of `input`. Inputs above max_txt_input_octets → errc::txt_input_too_large.
[[nodiscard]] result<std::vector<txt_strings>> parse_txt_rrset(std::string_view input);

/// [STS-3.1-10][RPT-3-08] the record text: the strings concatenated without adding spaces.
[[nodiscard]] std::string concatenate(txt_strings const& strings);

/// Writes one RR in presentation format: every string quoted, `"` and `\` escaped,
/// octets outside %x20-7E as \DDD; parse_txt_presentation(print_txt(x)) == x.
[[nodiscard]] std::string print_txt(txt_strings const& strings);

}  // namespace mxtls::spec::dns
