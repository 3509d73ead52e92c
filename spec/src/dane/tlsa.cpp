// TLSA record data in wire and presentation form, and the RFC 7672 usability rules.
// Implements DANE-3.1-01..03, DANE-3.1.3-02, DANE-2.2-01..03.
#include "mxtls/spec/dane/tlsa.hpp"

namespace mxtls::spec::dane {

namespace {

constexpr std::size_t fixed_octets = 3;  // usage, selector, matching type

constexpr bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One of the three leading fields: 1..3 decimal digits, value 0..255. `i` is advanced
// past the field.
result<std::uint8_t> parse_field(std::string_view text, std::size_t& i, char const* what) {
  while (i < text.size() && is_space(text[i])) ++i;
  if (i == text.size())
    return make_parse_error(errc::field_missing, "DANE-3.1-01", i, std::string(what) + " missing");
  std::size_t const start = i;
  unsigned value = 0;
  for (; i < text.size() && !is_space(text[i]); ++i) {
    char const c = text[i];
    if (c < '0' || c > '9')
      return make_parse_error(errc::field_invalid, "DANE-3.1-01", i, std::string(what) + " is a decimal number");
    if (i - start == 3)
      return make_parse_error(errc::field_invalid, "DANE-3.1-01", start, std::string(what) + " above 255");
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 255) return make_parse_error(errc::field_invalid, "DANE-3.1-01", start, std::string(what) + " above 255");
  return static_cast<std::uint8_t>(value);
}

}  // namespace

result<tlsa_record> parse_tlsa_rdata(std::span<const std::uint8_t> rdata) {
  // [DANE-3.1-01] three one-octet fields, then the certificate association data.
  if (rdata.size() < fixed_octets)
    return make_parse_error(errc::rdata_too_short, "DANE-3.1-01", rdata.size(), "need 3 octets");
  if (rdata.size() > max_rdata_octets)
    return make_parse_error(errc::rdata_too_long, "DANE-3.1-01", max_rdata_octets);
  tlsa_record r;
  r.usage = static_cast<tlsa_usage>(rdata[0]);
  r.selector = static_cast<tlsa_selector>(rdata[1]);
  r.matching = static_cast<tlsa_matching>(rdata[2]);
  r.data.assign(rdata.begin() + fixed_octets, rdata.end());
  return r;
}

result<tlsa_record> parse_tlsa_text(std::string_view text) {
  if (text.size() > max_text_octets) return make_parse_error(errc::text_too_long, "DANE-3.1-01", max_text_octets);
  std::size_t i = 0;
  tlsa_record r;
  auto usage = parse_field(text, i, "certificate usage");
  if (!usage) return usage.error();
  auto selector = parse_field(text, i, "selector");
  if (!selector) return selector.error();
  auto matching = parse_field(text, i, "matching type");
  if (!matching) return matching.error();
  r.usage = static_cast<tlsa_usage>(*usage);
  r.selector = static_cast<tlsa_selector>(*selector);
  r.matching = static_cast<tlsa_matching>(*matching);

  // [DANE-3.1-01] (RFC 6698 §2.2) hex digits, white space allowed anywhere among them.
  int high = -1;  // pending high nibble
  std::size_t last_digit = 0;
  for (; i < text.size(); ++i) {
    char const c = text[i];
    if (is_space(c)) continue;
    int const v = hex_value(c);
    if (v < 0) return make_parse_error(errc::data_not_hex, "DANE-3.1-01", i, "not a hex digit");
    last_digit = i;
    if (high < 0) {
      high = v;
    } else {
      if (r.data.size() == max_rdata_octets - fixed_octets)
        return make_parse_error(errc::rdata_too_long, "DANE-3.1-01", i, "more data than RDATA can hold");
      r.data.push_back(static_cast<std::uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  if (high >= 0) return make_parse_error(errc::data_odd_length, "DANE-3.1-01", last_digit, "odd number of hex digits");
  if (r.data.empty())
    return make_parse_error(errc::data_missing, "DANE-3.1-01", text.size(), "certificate association data required");
  return r;
}

std::vector<std::uint8_t> to_rdata(tlsa_record const& r) {
  std::vector<std::uint8_t> out;
  out.reserve(fixed_octets + r.data.size());
  out.push_back(static_cast<std::uint8_t>(r.usage));
  out.push_back(static_cast<std::uint8_t>(r.selector));
  out.push_back(static_cast<std::uint8_t>(r.matching));
  out.insert(out.end(), r.data.begin(), r.data.end());
  return out;
}

std::string to_text(tlsa_record const& r) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out = std::to_string(static_cast<unsigned>(r.usage)) + ' ' +
                    std::to_string(static_cast<unsigned>(r.selector)) + ' ' +
                    std::to_string(static_cast<unsigned>(r.matching)) + ' ';
  out.reserve(out.size() + 2 * r.data.size());
  for (std::uint8_t b : r.data) {
    out += digits[b >> 4];
    out += digits[b & 0x0f];
  }
  return out;
}

tlsa_usability usability(tlsa_record const& r) noexcept {
  // [DANE-3.1.3-02] PKIX-TA(0) and PKIX-EE(1) are unusable for SMTP clients.
  if (r.usage == tlsa_usage::pkix_ta || r.usage == tlsa_usage::pkix_ee) return tlsa_usability::unusable_usage;
  // [DANE-3.1-02] unassigned usage, selector or matching type.
  if (static_cast<std::uint8_t>(r.usage) > 3 || static_cast<std::uint8_t>(r.selector) > 1 ||
      static_cast<std::uint8_t>(r.matching) > 2)
    return tlsa_usability::unusable_unknown_parameter;
  // [DANE-3.1-03] empty data never matches.
  if (r.data.empty()) return tlsa_usability::unusable_empty_data;
  // [DANE-3.1-03] a digest of the wrong length can never match.
  if (r.matching == tlsa_matching::sha256 && r.data.size() != 32) return tlsa_usability::unusable_bad_digest_length;
  if (r.matching == tlsa_matching::sha512 && r.data.size() != 64) return tlsa_usability::unusable_bad_digest_length;
  return tlsa_usability::usable;
}

tlsa_rrset_state classify_rrset(std::span<const tlsa_record> rrset) noexcept {
  // [DANE-2.2-03] no records: DANE does not apply.
  if (rrset.empty()) return tlsa_rrset_state::no_records;
  // [DANE-2.2-01] one usable record is enough for authenticated TLS.
  for (auto const& r : rrset)
    if (usability(r) == tlsa_usability::usable) return tlsa_rrset_state::usable;
  // [DANE-2.2-02] all unusable: TLS without authentication, never plaintext.
  return tlsa_rrset_state::all_unusable;
}

std::string_view to_string(tlsa_usage u) noexcept {
  switch (u) {
    case tlsa_usage::pkix_ta: return "PKIX-TA";
    case tlsa_usage::pkix_ee: return "PKIX-EE";
    case tlsa_usage::dane_ta: return "DANE-TA";
    case tlsa_usage::dane_ee: return "DANE-EE";
  }
  return "unassigned";
}

std::string_view to_string(tlsa_selector s) noexcept {
  switch (s) {
    case tlsa_selector::cert: return "Cert";
    case tlsa_selector::spki: return "SPKI";
  }
  return "unassigned";
}

std::string_view to_string(tlsa_matching m) noexcept {
  switch (m) {
    case tlsa_matching::full: return "Full";
    case tlsa_matching::sha256: return "SHA2-256";
    case tlsa_matching::sha512: return "SHA2-512";
  }
  return "unassigned";
}

std::string_view to_string(tlsa_usability u) noexcept {
  switch (u) {
    case tlsa_usability::usable: return "usable";
    case tlsa_usability::unusable_usage: return "unusable_usage";
    case tlsa_usability::unusable_unknown_parameter: return "unusable_unknown_parameter";
    case tlsa_usability::unusable_empty_data: return "unusable_empty_data";
    case tlsa_usability::unusable_bad_digest_length: return "unusable_bad_digest_length";
  }
  return "unknown";
}

std::string_view to_string(tlsa_rrset_state s) noexcept {
  switch (s) {
    case tlsa_rrset_state::no_records: return "no_records";
    case tlsa_rrset_state::usable: return "usable";
    case tlsa_rrset_state::all_unusable: return "all_unusable";
  }
  return "unknown";
}

}  // namespace mxtls::spec::dane
