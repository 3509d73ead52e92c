// RFC 5321 §4.1.2/§4.1.3 lexical helpers shared by the command and EHLO parsers
// (private to spec/src/smtp). Each scan_* starts at s[pos] and returns the position after
// what it consumed, or the parse_error naming the rule and the offset in `s`.
#pragma once

#include "mxtls/spec/error.hpp"
#include "mxtls/spec/smtp/errc.hpp"

#include <cstddef>
#include <string_view>

namespace mxtls::spec::smtp::detail {

constexpr bool is_alpha(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alnum(char c) noexcept { return is_alpha(c) || is_digit(c); }
constexpr bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}
constexpr char to_upper(char c) noexcept { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

/// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b) noexcept;
/// ASCII case-insensitive prefix test.
bool istarts_with(std::string_view s, std::string_view prefix) noexcept;

/// atext (RFC 5322 §3.2.3, used by RFC 5321's Atom).
bool is_atext(char c) noexcept;

/// [SMTP-4.1.2-03] Domain; labels ≤ 63 octets [NAME-2.3.4-01]; ≤ 253 octets
/// [NAME-2.3.4-02]. Stops at the first octet that cannot continue the Domain.
result<std::size_t> scan_domain(std::string_view s, std::size_t pos);

/// [SMTP-4.1.3-01] address-literal, from "[" to "]" inclusive, ≤ 255 octets
/// [SMTP-4.5.3.1.2-01]: IPv4 or "IPv6:" IPv6; General-address-literals are refused as
/// no tag other than IPv6 is registered [SMTP-4.1.3-02]. Errors are reported at "[".
result<std::size_t> scan_address_literal(std::string_view s, std::size_t pos);

/// [SMTP-4.1.2-02] Quoted-string = DQUOTE *QcontentSMTP DQUOTE; `code` is the errc
/// reported (local_part_invalid or string_invalid) and `requirement` its ID.
result<std::size_t> scan_quoted_string(std::string_view s, std::size_t pos, errc code,
                                       std::string_view requirement);

/// [SMTP-4.1.2-02] Dot-string = Atom *("." Atom).
result<std::size_t> scan_dot_string(std::string_view s, std::size_t pos);

}  // namespace mxtls::spec::smtp::detail
