// Host name syntax, case-insensitive comparison and one-label wildcard matching.
// Implements NAME-2.3.1-01, NAME-2.3.2-03, NAME-2.3.4-01/02, NAME-2-01, NAME-3.1-01..04,
// NAME-4.1.2-01, NAME-4.1.3-01 and NAME-6.4.3-01..03 (spec/requirements/names.md).
#include "mxtls/spec/dns/name.hpp"

namespace mxtls::spec::dns {

namespace {

constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr bool is_alpha(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

parse_error name_error(errc e, std::string_view requirement, std::size_t offset) {
  return make_parse_error(e, requirement, offset);
}

}  // namespace

bool is_ldh_label(std::string_view label) noexcept {
  // [NAME-2.3.4-01][NAME-2.3.1-01] 1..63 octets of letters, digits, hyphen; no hyphen at either end.
  if (label.empty() || label.size() > max_label_octets) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!is_alpha(c) && !is_digit(c) && c != '-') return false;
  }
  return true;
}

result<std::string> parse_hostname(std::string_view name, name_options opt) {
  if (name.empty()) return name_error(errc::name_empty, "NAME-2.3.4-01", 0);
  bool const trailing = name.back() == '.';
  // [NAME-3.1-02] the root dot is not part of the name; "." alone is the root, not a host.
  std::size_t const end = trailing ? name.size() - 1 : name.size();
  if (end == 0) return name_error(errc::name_empty, "NAME-2.3.4-01", 0);

  std::string out;
  out.reserve(end);
  std::size_t labels = 0;
  std::size_t label_start = 0;
  bool label_all_digits = true;
  for (std::size_t i = 0; i <= end; ++i) {
    if (i == end || name[i] == '.') {
      std::size_t const len = i - label_start;
      // [NAME-2.3.4-01] every label has at least one octet ("a..b", ".a", "a..").
      if (len == 0) return name_error(errc::label_empty, "NAME-2.3.4-01", i);
      // [NAME-2.3.1-01] an LDH label does not end with a hyphen.
      if (name[i - 1] == '-') return name_error(errc::label_trailing_hyphen, "NAME-2.3.1-01", i - 1);
      ++labels;
      if (i == end) break;
      out.push_back('.');
      label_start = i + 1;
      label_all_digits = true;
      continue;
    }
    // [NAME-2.3.4-02] at most 253 octets without the root dot.
    if (i >= max_name_octets) return name_error(errc::name_too_long, "NAME-2.3.4-02", i);
    char const c = name[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      // [NAME-2.3.2-03] U-labels are not used in protocol fields; publish the A-label.
      return name_error(errc::u_label, "NAME-2.3.2-03", i);
    }
    if (!is_alpha(c) && !is_digit(c) && c != '-') {
      // [NAME-4.1.3-01] an address literal is not a domain; [NAME-2.3.1-01] LDH only.
      if (c == '[' && i == 0) return name_error(errc::label_invalid_character, "NAME-4.1.3-01", i);
      return name_error(errc::label_invalid_character, "NAME-2.3.1-01", i);
    }
    if (c == '-' && i == label_start) return name_error(errc::label_leading_hyphen, "NAME-2.3.1-01", i);
    // [NAME-2.3.4-01] labels are at most 63 octets.
    if (i - label_start >= max_label_octets) return name_error(errc::label_too_long, "NAME-2.3.4-01", i);
    if (!is_digit(c)) label_all_digits = false;
    out.push_back(ascii_lower(c));
  }
  // [NAME-2-01] an all-digit top label makes "192.0.2.1" an IP address, not a host name.
  if (label_all_digits) return name_error(errc::numeric_top_label, "NAME-2-01", label_start);
  // [NAME-4.1.2-01] a context may need more than one label (e.g. the banner directive).
  if (labels < opt.min_labels) return name_error(errc::too_few_labels, "NAME-4.1.2-01", end);
  // [NAME-3.1-03] no trailing root dot inside protocol text fields, unless the context
  // takes names from DNS data or configuration ([NAME-3.1-02]).
  if (trailing && !opt.allow_trailing_dot) return name_error(errc::trailing_dot, "NAME-3.1-03", end);
  return out;
}

std::string normalize(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

bool equal_ci(std::string_view a, std::string_view b) noexcept {
  // [NAME-3.1-04] only A-Z / a-z are folded; other octets compare exactly.
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string_view leftmost_label(std::string_view name) noexcept {
  return name.substr(0, name.find('.'));
}

std::string_view parent(std::string_view name) noexcept {
  std::size_t const dot = name.find('.');
  return dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
}

std::size_t label_count(std::string_view name) noexcept {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return 0;
  std::size_t n = 1;
  for (char c : name) n += c == '.' ? 1 : 0;
  return n;
}

std::string name_pattern::to_string() const { return wildcard ? "*." + base : base; }

result<name_pattern> parse_name_pattern(std::string_view text, pattern_options opt) {
  // [NAME-6.4.3-01] a lone "*" has no base name.
  if (text == "*") return name_error(errc::wildcard_base_too_short, "NAME-6.4.3-01", 1);
  bool const wildcard = text.size() >= 2 && text[0] == '*' && text[1] == '.';
  std::size_t const skip = wildcard ? 2 : 0;
  name_options const nopt{opt.allow_trailing_dot,
                          wildcard ? opt.min_wildcard_base_labels : opt.min_exact_labels};
  auto base = parse_hostname(text.substr(skip), nopt);
  if (!base) {
    parse_error e = base.error();
    e.offset += skip;
    if (e.code == errc::label_invalid_character && e.offset < text.size() && text[e.offset] == '*') {
      // [NAME-6.4.3-01] "*" only as the entire left-most label ("mx*.a", "**.a");
      // [NAME-6.4.3-03] never in another label ("*.*.a", "a.*.b").
      e.code = errc::wildcard_not_whole_label;
      bool const in_leftmost = text.substr(0, e.offset).find('.') == std::string_view::npos;
      e.requirement = in_leftmost ? "NAME-6.4.3-01" : "NAME-6.4.3-03";
    } else if (wildcard && (e.code == errc::name_empty || e.code == errc::too_few_labels)) {
      e.code = errc::wildcard_base_too_short;
      e.requirement = "NAME-6.4.3-01";
    }
    return e;
  }
  return name_pattern{wildcard, std::move(*base)};
}

bool matches(name_pattern const& p, std::string_view host) noexcept {
  if (p.base.empty()) return false;
  // [NAME-3.1-02] one trailing root dot on the host is ignored.
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (!p.wildcard) return equal_ci(host, p.base);  // [NAME-3.1-01] whole-name, case-insensitive
  // [NAME-6.4.3-02] "*" stands for exactly one non-empty left-most label.
  std::size_t const dot = host.find('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  return equal_ci(host.substr(dot + 1), p.base);
}

}  // namespace mxtls::spec::dns
