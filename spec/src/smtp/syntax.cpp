// RFC 5321 §4.1.2/§4.1.3 lexical helpers: Domain, address literals, Quoted-string,
// Dot-string. Implements SMTP-4.1.2-02/03, SMTP-4.1.3-01/02, SMTP-4.5.3.1.2-01,
// NAME-2.3.4-01/02.
#include "syntax.hpp"

#include <string_view>

namespace mxtls::spec::smtp::detail {
namespace {

constexpr std::string_view domain_rule = "SMTP-4.1.2-03";
constexpr std::string_view literal_rule = "SMTP-4.1.3-01";

/// IPv4-address-literal = Snum 3("." Snum); Snum = 1*3DIGIT, 0..255.
bool is_ipv4(std::string_view s) noexcept {
  int parts = 0;
  std::size_t pos = 0;
  while (true) {
    std::size_t const start = pos;
    unsigned value = 0;
    while (pos < s.size() && is_digit(s[pos]) && pos - start < 3) {
      value = value * 10 + static_cast<unsigned>(s[pos] - '0');
      ++pos;
    }
    if (pos == start || value > 255) return false;
    ++parts;
    if (pos == s.size()) return parts == 4;
    if (s[pos] != '.' || parts == 4) return false;
    ++pos;
  }
}

/// Hex groups of one side of an IPv6 literal ("1:2:3"); the last element may be an IPv4
/// literal when `allow_v4`. Returns the number of hex groups, -1 when invalid.
int count_groups(std::string_view part, bool allow_v4, bool& has_v4) noexcept {
  if (part.empty()) return 0;
  int groups = 0;
  std::size_t pos = 0;
  while (true) {
    std::size_t const colon = part.find(':', pos);
    std::string_view const elem = part.substr(pos, colon == std::string_view::npos ? std::string_view::npos : colon - pos);
    bool const last = colon == std::string_view::npos;
    if (last && allow_v4 && elem.find('.') != std::string_view::npos) {
      if (!is_ipv4(elem)) return -1;
      has_v4 = true;
      return groups;
    }
    if (elem.empty() || elem.size() > 4) return -1;
    for (char c : elem) {
      if (!is_hex(c)) return -1;
    }
    ++groups;
    if (last) return groups;
    pos = colon + 1;
  }
}

/// IPv6-addr = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp (RFC 5321 §4.1.3).
bool is_ipv6(std::string_view s) noexcept {
  std::size_t const dc = s.find("::");
  bool has_v4 = false;
  if (dc == std::string_view::npos) {
    int const n = count_groups(s, true, has_v4);
    return has_v4 ? n == 6 : n == 8;
  }
  if (s.find("::", dc + 1) != std::string_view::npos) return false;
  bool left_v4 = false;
  int const l = count_groups(s.substr(0, dc), false, left_v4);
  int const r = count_groups(s.substr(dc + 2), true, has_v4);
  if (l < 0 || r < 0) return false;
  // "::" stands for at least two groups: at most 6 others, or 4 with an IPv4 tail.
  return has_v4 ? l + r <= 4 : l + r <= 6;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_upper(a[i]) != to_upper(b[i])) return false;
  }
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool is_atext(char c) noexcept {
  if (is_alnum(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '/': case '=': case '?': case '^': case '_': case '`': case '{':
    case '|': case '}': case '~':
      return true;
    default:
      return false;
  }
}

result<std::size_t> scan_domain(std::string_view s, std::size_t pos) {
  std::size_t const start = pos;
  while (true) {
    std::size_t const label = pos;
    // [SMTP-4.1.2-03] sub-domain = Let-dig [Ldh-str]: starts with a letter or digit ...
    if (pos >= s.size() || !is_alnum(s[pos])) {
      return make_parse_error(errc::domain_invalid, domain_rule, pos);
    }
    while (pos < s.size() && (is_alnum(s[pos]) || s[pos] == '-')) ++pos;
    // ... and ends with one (Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig).
    if (s[pos - 1] == '-') return make_parse_error(errc::domain_invalid, domain_rule, pos - 1);
    // [NAME-2.3.4-01] a label is at most 63 octets.
    if (pos - label > 63) return make_parse_error(errc::domain_invalid, "NAME-2.3.4-01", label + 63);
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      continue;
    }
    break;
  }
  // [SMTP-4.5.3.1.2-01] a domain is at most 255 octets, and [NAME-2.3.4-02] a host name
  // in text form at most 253.
  if (pos - start > 253) return make_parse_error(errc::domain_too_long, "NAME-2.3.4-02", start + 253);
  return pos;
}

result<std::size_t> scan_address_literal(std::string_view s, std::size_t pos) {
  std::size_t const open = pos;
  if (pos >= s.size() || s[pos] != '[') return make_parse_error(errc::address_literal_invalid, literal_rule, pos);
  std::size_t const close = s.find(']', pos + 1);
  if (close == std::string_view::npos) {
    return make_parse_error(errc::address_literal_invalid, literal_rule, s.size());
  }
  // [SMTP-4.5.3.1.2-01] "domain name or number": the literal counts too.
  if (close + 1 - open > 255) return make_parse_error(errc::domain_too_long, "SMTP-4.5.3.1.2-01", open + 255);
  std::string_view const content = s.substr(open + 1, close - open - 1);
  // [SMTP-4.1.3-01] the tag "IPv6" (ABNF strings are case-insensitive) selects IPv6-addr,
  // digits and dots an IPv4 literal.
  if (istarts_with(content, "IPv6:")) {
    if (!is_ipv6(content.substr(5))) return make_parse_error(errc::address_literal_invalid, literal_rule, open);
  } else if (content.find(':') != std::string_view::npos) {
    // [SMTP-4.1.3-02] a General-address-literal's Standardized-tag MUST be registered
    // with IANA, and "IPv6" is the only one: any other tag is invalid.
    return make_parse_error(errc::address_literal_invalid, "SMTP-4.1.3-02", open);
  } else if (content.empty() || content.find_first_not_of("0123456789.") != std::string_view::npos ||
             !is_ipv4(content)) {
    return make_parse_error(errc::address_literal_invalid, literal_rule, open);
  }
  return close + 1;
}

result<std::size_t> scan_quoted_string(std::string_view s, std::size_t pos, errc code,
                                       std::string_view requirement) {
  if (pos >= s.size() || s[pos] != '"') return make_parse_error(code, requirement, pos);
  ++pos;
  while (pos < s.size()) {
    auto const c = static_cast<unsigned char>(s[pos]);
    if (c == '"') return pos + 1;
    if (c == '\\') {
      // quoted-pairSMTP = %d92 %d32-126
      if (pos + 1 >= s.size()) break;
      auto const q = static_cast<unsigned char>(s[pos + 1]);
      if (q < 32 || q > 126) return make_parse_error(code, requirement, pos + 1);
      pos += 2;
      continue;
    }
    // qtextSMTP = %d32-33 / %d35-91 / %d93-126
    if (c < 32 || c > 126) return make_parse_error(code, requirement, pos);
    ++pos;
  }
  return make_parse_error(code, requirement, s.size());
}

result<std::size_t> scan_dot_string(std::string_view s, std::size_t pos) {
  while (true) {
    // Atom = 1*atext
    if (pos >= s.size() || !is_atext(s[pos])) {
      return make_parse_error(errc::local_part_invalid, "SMTP-4.1.2-02", pos);
    }
    while (pos < s.size() && is_atext(s[pos])) ++pos;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      continue;
    }
    return pos;
  }
}

}  // namespace mxtls::spec::smtp::detail
