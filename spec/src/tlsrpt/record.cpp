// The `_smtp._tls` TXT record parser and RRset selection (RFC 8460 §3).
// Implements RPT-3-02..10 (spec/requirements/rfc8460.md).
#include "mxtls/spec/tlsrpt/record.hpp"

#include "mxtls/spec/dns/name.hpp"

namespace mxtls::spec::tlsrpt {

namespace {

constexpr std::string_view tlsrpt_version = "v=TLSRPTv1";
constexpr std::size_t max_ext_name_octets = 32;

constexpr bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }
constexpr bool is_alpha(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alnum(char c) noexcept { return is_alpha(c) || is_digit(c); }
constexpr bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}
constexpr bool is_ext_name_char(char c) noexcept { return is_alnum(c) || c == '_' || c == '-' || c == '.'; }
constexpr bool is_ext_value_char(char c) noexcept { return c >= 0x21 && c <= 0x7e && c != ';' && c != '='; }
constexpr bool is_scheme_char(char c) noexcept { return is_alnum(c) || c == '+' || c == '-' || c == '.'; }
// RFC 3986 URI octets: unreserved, sub-delims, ":" "@" "/" "?" "#" "[" "]" and "%" (checked
// separately), minus what RFC 8460 §3 requires encoded ("," and "!") and the field
// delimiter ";" which ends the URI.
constexpr bool is_uri_char(char c) noexcept {
  if (is_alnum(c)) return true;
  switch (c) {
    case '-': case '.': case '_': case '~':                        // unreserved
    case '$': case '&': case '\'': case '(': case ')': case '*':    // sub-delims without ! , ;
    case '+': case '=':
    case ':': case '@': case '/': case '?': case '#': case '[': case ']':
      return true;
    default:
      return false;
  }
}

parse_error err(errc e, std::string_view requirement, std::size_t offset, std::string detail = {}) {
  return make_parse_error(e, requirement, offset, std::move(detail));
}

// [RPT-3-04] one tlsrpt-uri starting at `pos`; on success `pos` is just past it.
result<std::string_view> parse_uri(std::string_view s, std::size_t& pos) {
  std::size_t const start = pos;
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
  if (pos == s.size() || !is_alpha(s[pos])) {
    return err(errc::rua_uri_invalid, "RPT-3-04", pos, "expected a URI (scheme:...)");
  }
  while (pos < s.size() && is_scheme_char(s[pos])) ++pos;
  if (pos == s.size() || s[pos] != ':') {
    return err(errc::rua_uri_invalid, "RPT-3-04", pos, "URI without a scheme (e.g. mailto:)");
  }
  ++pos;
  while (pos < s.size()) {
    char const c = s[pos];
    if (c == '%') {
      if (pos + 2 >= s.size() || !is_hex(s[pos + 1]) || !is_hex(s[pos + 2])) {
        return err(errc::rua_uri_invalid, "RPT-3-04", pos, "'%' not followed by two hex digits");
      }
      pos += 3;
    } else if (is_uri_char(c)) {
      ++pos;
    } else if (is_wsp(c) || c == ',' || c == ';') {
      break;
    } else {
      return err(errc::rua_uri_invalid, "RPT-3-04", pos,
                 c == '!' ? "'!' must be percent-encoded (%21)" : "octet not allowed in a URI");
    }
  }
  return s.substr(start, pos - start);
}

bool has_supported_scheme(std::string_view uri) noexcept {
  // [RPT-3-10] mailto and https; URI schemes are case-insensitive (RFC 3986 §3.1).
  std::string_view const scheme = uri.substr(0, uri.find(':'));
  return dns::equal_ci(scheme, "mailto") || dns::equal_ci(scheme, "https");
}

}  // namespace

bool is_tlsrpt_candidate(std::string_view record) noexcept {
  // [RPT-3-06] "v=TLSRPTv1" then end, ";" or WSP.
  if (record.substr(0, tlsrpt_version.size()) != tlsrpt_version) return false;
  return record.size() == tlsrpt_version.size() || record[tlsrpt_version.size()] == ';' ||
         is_wsp(record[tlsrpt_version.size()]);
}

result<tlsrpt_record> parse_tlsrpt_record(std::string_view s) {
  if (s.size() > max_tlsrpt_record_octets) {
    return err(errc::record_too_large, "NAME-3.3.14-02", max_tlsrpt_record_octets);
  }
  // [RPT-3-03] %s"v=TLSRPTv1" first.
  for (std::size_t i = 0; i < tlsrpt_version.size(); ++i) {
    if (i == s.size() || s[i] != tlsrpt_version[i]) return err(errc::not_tlsrpt_record, "RPT-3-03", i);
  }
  tlsrpt_record rec;
  bool have_rua = false;
  std::size_t fields = 0;
  std::size_t pos = tlsrpt_version.size();
  while (pos < s.size()) {
    // [RPT-3-02] field-delim = *WSP ";" *WSP
    while (pos < s.size() && is_wsp(s[pos])) ++pos;
    if (pos == s.size() || s[pos] != ';') {
      return err(errc::field_delimiter_expected, "RPT-3-02", pos,
                 pos == s.size() ? "white space at the end of the record" : "");
    }
    ++pos;
    while (pos < s.size() && is_wsp(s[pos])) ++pos;
    if (pos == s.size()) break;  // [RPT-3-02] one trailing delimiter is allowed
    if (s[pos] == ';') return err(errc::field_empty, "RPT-3-02", pos);

    // [RPT-3-05] tlsrpt-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
    std::size_t const name_start = pos;
    if (!is_alnum(s[pos])) return err(errc::field_name_invalid, "RPT-3-05", pos);
    while (pos < s.size() && is_ext_name_char(s[pos])) {
      if (pos - name_start == max_ext_name_octets) {
        return err(errc::field_name_invalid, "RPT-3-05", pos, "field name longer than 32 characters");
      }
      ++pos;
    }
    if (pos == s.size() || s[pos] != '=') {
      return err(errc::field_name_invalid, "RPT-3-05", pos, "field name without '='");
    }
    std::string_view const name = s.substr(name_start, pos - name_start);
    ++pos;
    std::size_t const value_start = pos;
    if (name == "rua") {
      // [RPT-3-04] tlsrpt-rua = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
      std::vector<std::string_view> uris;
      for (;;) {
        auto uri = parse_uri(s, pos);
        if (!uri) return uri.error();
        uris.push_back(*uri);
        std::size_t q = pos;
        while (q < s.size() && is_wsp(s[q])) ++q;
        if (q == s.size() || s[q] != ',') break;
        pos = q + 1;
        while (pos < s.size() && is_wsp(s[pos])) ++pos;
      }
      // [RPT-3-10] the first rua field wins; other schemes are ignored.
      if (!have_rua) {
        for (auto const u : uris) (has_supported_scheme(u) ? rec.rua : rec.ignored_rua).emplace_back(u);
        have_rua = true;
      }
    } else {
      // [RPT-3-05] tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
      while (pos < s.size() && is_ext_value_char(s[pos])) ++pos;
      if (pos < s.size() && s[pos] != ';' && !is_wsp(s[pos])) {
        return err(errc::extension_value_invalid, "RPT-3-05", pos);
      }
      if (pos == value_start) return err(errc::extension_value_invalid, "RPT-3-05", pos, "empty extension value");
      // [RPT-3-09] unknown fields are ignored (kept only for display).
      rec.extensions.push_back({std::string(name), std::string(s.substr(value_start, pos - value_start))});
    }
    ++fields;
  }
  // [RPT-3-02] at least one field follows the version.
  if (fields == 0) return err(errc::field_missing, "RPT-3-02", s.size());
  // [RPT-3-10] rua is required.
  if (!have_rua) return err(errc::rua_missing, "RPT-3-10", s.size());
  return rec;
}

result<tlsrpt_record> select_tlsrpt_record(std::vector<dns::txt_strings> const& rrset) {
  std::string chosen;
  std::size_t count = 0;
  std::string which;
  for (std::size_t i = 0; i < rrset.size(); ++i) {
    // [RPT-3-08] strings concatenated without adding spaces.
    std::string text = dns::concatenate(rrset[i]);
    // [RPT-3-06] discard records that are not TLSRPT candidates.
    if (!is_tlsrpt_candidate(text)) continue;
    ++count;
    which += (which.empty() ? "RR " : ", RR ") + std::to_string(i + 1);
    if (count == 1) chosen = std::move(text);
  }
  // [RPT-3-07] the number of resulting records must be one.
  if (count == 0) {
    return err(errc::no_tlsrpt_record, "RPT-3-07", 0,
               std::to_string(rrset.size()) + " TXT record(s), none begins with v=TLSRPTv1");
  }
  if (count > 1) {
    return err(errc::multiple_tlsrpt_records, "RPT-3-07", 0,
               std::to_string(count) + " records begin with v=TLSRPTv1: " + which);
  }
  return parse_tlsrpt_record(chosen);
}

}  // namespace mxtls::spec::tlsrpt
