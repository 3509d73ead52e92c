// The `_mta-sts` TXT record parser and RRset selection (RFC 8461 §3.1).
// Implements STS-3.1-01..10, STS-3.1-14 and STS-3.2-18 (spec/requirements/rfc8461.md).
#include "mxtls/spec/mtasts/record.hpp"

namespace mxtls::spec::mtasts {

namespace {

constexpr std::string_view sts_version = "v=STSv1";
constexpr std::size_t max_id_octets = 32;
constexpr std::size_t max_ext_name_octets = 32;

constexpr bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }
constexpr bool is_alnum(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
constexpr bool is_ext_name_char(char c) noexcept { return is_alnum(c) || c == '_' || c == '-' || c == '.'; }
// sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E): VCHAR except ";" and "=".
constexpr bool is_ext_value_char(char c) noexcept { return c >= 0x21 && c <= 0x7e && c != ';' && c != '='; }
constexpr bool is_non_ascii(char c) noexcept { return static_cast<unsigned char>(c) >= 0x80; }

parse_error err(errc e, std::string_view requirement, std::size_t offset, std::string detail = {}) {
  return make_parse_error(e, requirement, offset, std::move(detail));
}

// A character that ends a field value: WSP, ";" or the end of the record.
bool at_value_end(std::string_view s, std::size_t pos) noexcept {
  return pos == s.size() || s[pos] == ';' || is_wsp(s[pos]);
}

// The error for an unexpected octet inside a field: non-ASCII gets its own rule.
parse_error bad_octet(std::string_view s, std::size_t pos, errc e, std::string_view requirement) {
  // [STS-3.1-01] MTA-STS TXT records MUST be US-ASCII.
  if (is_non_ascii(s[pos])) return err(errc::record_not_ascii, "STS-3.1-01", pos);
  return err(e, requirement, pos);
}

}  // namespace

bool is_sts_candidate(std::string_view record) noexcept {
  // [STS-3.1-08] "v=STSv1" then end, ";" or WSP (mxtls decision on erratum 6285).
  if (record.substr(0, sts_version.size()) != sts_version) return false;
  return record.size() == sts_version.size() || record[sts_version.size()] == ';' ||
         is_wsp(record[sts_version.size()]);
}

result<sts_record> parse_sts_record(std::string_view s) {
  if (s.size() > max_sts_record_octets) {
    return err(errc::record_too_large, "NAME-3.3.14-02", max_sts_record_octets);
  }
  // [STS-3.1-03][STS-3.1-07] the record begins with the case-sensitive sts-version.
  for (std::size_t i = 0; i < sts_version.size(); ++i) {
    if (i == s.size() || s[i] != sts_version[i]) {
      if (i < s.size() && is_non_ascii(s[i])) return err(errc::record_not_ascii, "STS-3.1-01", i);
      return err(errc::not_sts_record, "STS-3.1-03", i);
    }
  }
  sts_record rec;
  bool have_id = false;
  std::size_t fields = 0;
  std::size_t pos = sts_version.size();
  while (pos < s.size()) {
    // [STS-3.1-02] sts-field-delim = *WSP ";" *WSP
    while (pos < s.size() && is_wsp(s[pos])) ++pos;
    if (pos == s.size() || s[pos] != ';') {
      if (pos < s.size()) return bad_octet(s, pos, errc::field_delimiter_expected, "STS-3.1-02");
      return err(errc::field_delimiter_expected, "STS-3.1-02", pos, "white space at the end of the record");
    }
    ++pos;
    while (pos < s.size() && is_wsp(s[pos])) ++pos;
    if (pos == s.size()) break;  // [STS-3.1-02] one trailing delimiter is allowed
    if (s[pos] == ';') return err(errc::field_empty, "STS-3.1-02", pos);

    // [STS-3.1-05] sts-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
    std::size_t const name_start = pos;
    if (!is_alnum(s[pos])) return bad_octet(s, pos, errc::field_name_invalid, "STS-3.1-05");
    while (pos < s.size() && is_ext_name_char(s[pos])) {
      if (pos - name_start == max_ext_name_octets) {
        return err(errc::field_name_invalid, "STS-3.1-05", pos, "field name longer than 32 characters");
      }
      ++pos;
    }
    if (pos == s.size() || s[pos] != '=') {
      if (pos < s.size()) return bad_octet(s, pos, errc::field_name_invalid, "STS-3.1-05");
      return err(errc::field_name_invalid, "STS-3.1-05", pos, "field name without '='");
    }
    std::string_view const name = s.substr(name_start, pos - name_start);
    ++pos;
    std::size_t const value_start = pos;
    if (name == "id") {
      // [STS-3.1-04] sts-id = %s"id=" 1*32(ALPHA / DIGIT)
      while (pos < s.size() && is_alnum(s[pos])) {
        if (pos - value_start == max_id_octets) {
          return err(errc::id_invalid, "STS-3.1-04", pos, "id longer than 32 characters");
        }
        ++pos;
      }
      if (!at_value_end(s, pos)) return bad_octet(s, pos, errc::id_invalid, "STS-3.1-04");
      if (pos == value_start) return err(errc::id_invalid, "STS-3.1-04", pos, "empty id");
      // [STS-3.1-14] a duplicated id: the first one is used.
      if (!have_id) {
        rec.id.assign(s.substr(value_start, pos - value_start));
        have_id = true;
      }
    } else {
      // [STS-3.1-05] sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
      while (pos < s.size() && is_ext_value_char(s[pos])) ++pos;
      if (!at_value_end(s, pos)) return bad_octet(s, pos, errc::extension_value_invalid, "STS-3.1-05");
      if (pos == value_start) {
        return err(errc::extension_value_invalid, "STS-3.1-05", pos, "empty extension value");
      }
      // [STS-3.2-18] unknown fields are ignored (kept only for display).
      rec.extensions.push_back({std::string(name), std::string(s.substr(value_start, pos - value_start))});
    }
    ++fields;
  }
  // [STS-3.1-02] at least one field follows the version: "v=STSv1" alone is invalid.
  if (fields == 0) return err(errc::field_missing, "STS-3.1-02", s.size());
  // [STS-3.1-06] the id is required.
  if (!have_id) return err(errc::id_missing, "STS-3.1-06", s.size());
  return rec;
}

result<sts_record> select_sts_record(std::vector<dns::txt_strings> const& rrset) {
  std::string chosen;
  std::size_t count = 0;
  std::string which;
  for (std::size_t i = 0; i < rrset.size(); ++i) {
    // [STS-3.1-10] strings concatenated without adding spaces, before any other check.
    std::string text = dns::concatenate(rrset[i]);
    // [STS-3.1-08] discard records that are not STS candidates.
    if (!is_sts_candidate(text)) continue;
    ++count;
    which += (which.empty() ? "RR " : ", RR ") + std::to_string(i + 1);
    if (count == 1) chosen = std::move(text);
  }
  // [STS-3.1-09] the number of resulting records must be one.
  if (count == 0) {
    return err(errc::no_sts_record, "STS-3.1-09", 0,
               std::to_string(rrset.size()) + " TXT record(s), none begins with v=STSv1");
  }
  if (count > 1) {
    return err(errc::multiple_sts_records, "STS-3.1-09", 0,
               std::to_string(count) + " records begin with v=STSv1: " + which);
  }
  // [STS-3.1-09] a syntactically invalid single record means no policy.
  return parse_sts_record(chosen);
}

}  // namespace mxtls::spec::mtasts
