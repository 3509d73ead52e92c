// The MTA-STS policy file parser and printer (RFC 8461 §3.2) and MX matching (§4.1).
// Implements STS-3.2-04..10, STS-3.2-12..18, STS-3.2-20, STS-3.3-08, STS-4.1-01..04.
#include "mxtls/spec/mtasts/policy.hpp"

#include <algorithm>

namespace mxtls::spec::mtasts {

namespace {

constexpr std::size_t max_key_octets = 32;

constexpr bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alnum(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c);
}
constexpr bool is_key_char(char c) noexcept { return is_alnum(c) || c == '_' || c == '-' || c == '.'; }
constexpr unsigned char octet(char c) noexcept { return static_cast<unsigned char>(c); }
constexpr bool is_tail(char c) noexcept { return (octet(c) & 0xC0) == 0x80; }

parse_error err(errc e, std::string_view requirement, std::size_t offset, std::string detail = {}) {
  return make_parse_error(e, requirement, offset, std::move(detail));
}

// Length of the well-formed UTF-8 sequence (RFC 3629 UTF8-2/3/4) starting at v[i], or 0.
std::size_t utf8_sequence(std::string_view v, std::size_t i) noexcept {
  unsigned char const b = octet(v[i]);
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second octet
  if (b >= 0xC2 && b <= 0xDF) {
    len = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    len = 3;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > v.size()) return 0;
  if (octet(v[i + 1]) < lo || octet(v[i + 1]) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    if (!is_tail(v[i + k])) return 0;
  }
  return len;
}

// [STS-3.2-17] sts-policy-ext-value: vchars (ASCII %x21-7E or UTF-8) and inner SP; the
// trailing WSP is already cut off and the leading WSP belongs to the field delimiter.
// Returns the offset (within v) of the first bad octet, or npos.
std::size_t check_ext_value(std::string_view v) noexcept {
  std::size_t i = 0;
  while (i < v.size()) {
    unsigned char const c = octet(v[i]);
    if (c >= 0x20 && c <= 0x7E) {
      ++i;
    } else if (c >= 0x80) {
      std::size_t const n = utf8_sequence(v, i);
      if (n == 0) return i;
      i += n;
    } else {
      return i;  // CTL (including HTAB inside the value) or DEL
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::string_view to_string(policy_mode m) noexcept {
  switch (m) {
    case policy_mode::enforce: return "enforce";
    case policy_mode::testing: return "testing";
    case policy_mode::none: return "none";
  }
  return "none";
}

std::optional<policy_mode> parse_policy_mode(std::string_view text) noexcept {
  // [STS-3.2-08] %s"testing" / %s"enforce" / %s"none": case-sensitive.
  if (text == "enforce") return policy_mode::enforce;
  if (text == "testing") return policy_mode::testing;
  if (text == "none") return policy_mode::none;
  return std::nullopt;
}

result<dns::name_pattern> parse_mx_pattern(std::string_view text) {
  auto p = dns::parse_name_pattern(text, mx_pattern_options());
  if (p) return std::move(*p);
  parse_error const& e = p.error();
  std::string detail = e.code.message() + ", " + std::string(e.requirement);
  // [STS-3.2-14] U-labels are not allowed, publish the A-label.
  std::string_view requirement = "STS-3.2-15";
  if (e.code == dns::errc::u_label) requirement = "STS-3.2-14";
  // [STS-3.2-13] each MX on its own "mx:" line: "a.example, b.example" is one bad value.
  if (e.code == dns::errc::label_invalid_character && e.offset < text.size() &&
      (text[e.offset] == ',' || text[e.offset] == ' ')) {
    requirement = "STS-3.2-13";
    detail += "; each mx value goes on its own \"mx:\" line";
  }
  return err(errc::mx_pattern_invalid, requirement, e.offset, std::move(detail));
}

result<policy> parse_policy(std::string_view s) {
  // [STS-3.3-08] 64 KiB body limit.
  if (s.size() > max_policy_octets) return err(errc::policy_too_large, "STS-3.3-08", max_policy_octets);
  // [STS-3.2-04] sts-policy-record needs at least one field.
  if (s.empty()) return err(errc::policy_empty, "STS-3.2-04", 0);

  policy out;
  bool have_version = false, have_mode = false, have_max_age = false;
  std::size_t const n = s.size();
  std::size_t pos = 0;
  while (pos < n) {
    // A field starts here: sts-policy-field = name ":" *WSP value.
    char const first = s[pos];
    if (first == '\n' || (first == '\r' && pos + 1 < n && s[pos + 1] == '\n')) {
      // [STS-3.2-06] blank lines are not in the grammar.
      return err(errc::blank_line, "STS-3.2-06", pos);
    }
    if (first == '\r') return err(errc::bare_cr, "STS-3.2-05", pos);
    // [STS-3.2-04][STS-3.2-17] the key is an ext-name: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
    if (!is_alnum(first)) return err(errc::key_invalid, "STS-3.2-04", pos, "a line must start with a key");
    std::size_t const key_start = pos;
    while (pos < n && is_key_char(s[pos])) {
      if (pos - key_start == max_key_octets) {
        return err(errc::key_invalid, "STS-3.2-17", pos, "key longer than 32 characters");
      }
      ++pos;
    }
    // [STS-3.2-04] sts-policy-field-delim = ":" *WSP (no WSP before the colon).
    if (pos == n || s[pos] != ':') return err(errc::key_invalid, "STS-3.2-04", pos, "expected ':' after the key");
    std::string_view const key = s.substr(key_start, pos - key_start);
    ++pos;
    while (pos < n && is_wsp(s[pos])) ++pos;
    std::size_t const value_start = pos;
    std::size_t line_end = pos;
    while (line_end < n && s[line_end] != '\n' && s[line_end] != '\r') ++line_end;
    // [STS-3.2-20] trailing WSP after the value is allowed and not part of it.
    std::size_t value_end = line_end;
    while (value_end > value_start && is_wsp(s[value_end - 1])) --value_end;
    std::string_view const value = s.substr(value_start, value_end - value_start);

    if (key == "version") {
      // [STS-3.2-07] version: STSv1, the only version; later duplicates must be valid too.
      if (value != "STSv1") return err(errc::version_invalid, "STS-3.2-07", value_start);
      have_version = true;
    } else if (key == "mode") {
      auto const m = parse_policy_mode(value);
      if (!m) return err(errc::mode_invalid, "STS-3.2-08", value_start);
      // [STS-3.2-16] the first of duplicated fields wins.
      if (!have_mode) out.mode = *m;
      have_mode = true;
    } else if (key == "max_age") {
      // [STS-3.2-09] 1*10(DIGIT), parsed into 64 bits (ten digits overflow 32).
      std::uint64_t v = 0;
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (!is_digit(value[i])) return err(errc::max_age_invalid, "STS-3.2-09", value_start + i);
        if (i == 10) return err(errc::max_age_invalid, "STS-3.2-09", value_start + i, "more than 10 digits");
        v = v * 10 + static_cast<std::uint64_t>(value[i] - '0');
      }
      if (value.empty()) return err(errc::max_age_invalid, "STS-3.2-09", value_start, "empty max_age");
      if (!have_max_age) {
        // [STS-3.2-10] above 31557600 the policy is invalid (erratum 7282), not clamped.
        if (v > max_max_age) return err(errc::max_age_too_large, "STS-3.2-10", value_start);
        out.max_age = static_cast<std::uint32_t>(v);
      }
      have_max_age = true;
    } else if (key == "mx") {
      // [STS-3.2-12][STS-3.2-15] ["*."] Domain, else the whole policy is invalid.
      auto p = parse_mx_pattern(value);
      if (!p) {
        parse_error e = p.error();
        e.offset += value_start;
        return e;
      }
      out.mx.push_back(std::move(*p));
    } else {
      // [STS-3.2-17] unknown keys are ignored, but the line must follow the ABNF.
      if (value.empty()) return err(errc::value_invalid, "STS-3.2-17", value_start, "empty value");
      std::size_t const bad = check_ext_value(value);
      if (bad != std::string_view::npos) return err(errc::value_invalid, "STS-3.2-17", value_start + bad);
    }

    // [STS-3.2-04] sts-policy-term = LF / CRLF; [STS-3.2-05] a bare CR is invalid.
    pos = line_end;
    if (pos == n) break;  // the final terminator is optional
    if (s[pos] == '\r') {
      if (pos + 1 == n || s[pos + 1] != '\n') return err(errc::bare_cr, "STS-3.2-05", pos);
      ++pos;
    }
    ++pos;
  }

  if (!have_version) return err(errc::version_missing, "STS-3.2-07", n);
  if (!have_mode) return err(errc::mode_missing, "STS-3.2-08", n);
  if (!have_max_age) return err(errc::max_age_missing, "STS-3.2-09", n);
  // [STS-3.2-12] mx is required at least once, except when mode is none.
  if (out.mx.empty() && out.mode != policy_mode::none) return err(errc::mx_missing, "STS-3.2-12", n);
  return out;
}

std::string print_policy(policy const& p) {
  std::string out;
  out.reserve(64 + 32 * p.mx.size());
  out += "version: ";
  out += p.version;
  out += "\r\nmode: ";
  out += to_string(p.mode);
  out += "\r\n";
  for (auto const& m : p.mx) {
    out += "mx: ";
    out += m.to_string();
    out += "\r\n";
  }
  out += "max_age: ";
  out += std::to_string(p.max_age);
  out += "\r\n";
  return out;
}

bool mx_matches(policy const& p, std::string_view mx_host) noexcept {
  // [STS-4.1-01] the MX host is valid if it matches one or more mx fields;
  // [STS-4.1-02..04] one-label wildcard, case-insensitive (dns::matches).
  return std::any_of(p.mx.begin(), p.mx.end(), [&](dns::name_pattern const& m) { return dns::matches(m, mx_host); });
}

}  // namespace mxtls::spec::mtasts
