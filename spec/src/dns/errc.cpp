// The "mxtls.dns" error category: texts and enumerator names of dns::errc.
#include "mxtls/spec/dns/errc.hpp"

#include "mxtls/spec/error.hpp"

namespace mxtls::spec::dns {

namespace {
char const* describe(int ev) noexcept {
  switch (static_cast<errc>(ev)) {
    case errc::name_empty: return "empty domain name";
    case errc::name_too_long: return "domain name longer than 253 octets";
    case errc::label_empty: return "empty label in domain name";
    case errc::label_too_long: return "label longer than 63 octets";
    case errc::label_invalid_character: return "label has a character other than a letter, digit or hyphen";
    case errc::label_leading_hyphen: return "label starts with a hyphen";
    case errc::label_trailing_hyphen: return "label ends with a hyphen";
    case errc::u_label: return "non-ASCII octet in domain name (use the A-label, xn--...)";
    case errc::numeric_top_label: return "right-most label is all digits (an IP address is not a host name)";
    case errc::trailing_dot: return "trailing dot not allowed here";
    case errc::too_few_labels: return "domain name has too few labels";
    case errc::wildcard_not_whole_label: return "'*' may only be the entire left-most label";
    case errc::wildcard_base_too_short: return "too few labels after '*.'";
    case errc::txt_unterminated_string: return "TXT character-string without closing quote";
    case errc::txt_bad_escape: return "bad escape in TXT character-string";
    case errc::txt_string_too_long: return "TXT character-string longer than 255 octets";
    case errc::txt_missing_separator: return "no white space between TXT character-strings";
    case errc::txt_junk_after_string: return "unexpected text between TXT character-strings";
    case errc::txt_input_too_large: return "TXT input too large";
  }
  return "unknown dns error";
}
}  // namespace

boost::system::error_category const& dns_category() noexcept {
  static const described_category cat{"mxtls.dns", &describe};
  return cat;
}

char const* to_string(errc e) noexcept {
  switch (e) {
    case errc::name_empty: return "name_empty";
    case errc::name_too_long: return "name_too_long";
    case errc::label_empty: return "label_empty";
    case errc::label_too_long: return "label_too_long";
    case errc::label_invalid_character: return "label_invalid_character";
    case errc::label_leading_hyphen: return "label_leading_hyphen";
    case errc::label_trailing_hyphen: return "label_trailing_hyphen";
    case errc::u_label: return "u_label";
    case errc::numeric_top_label: return "numeric_top_label";
    case errc::trailing_dot: return "trailing_dot";
    case errc::too_few_labels: return "too_few_labels";
    case errc::wildcard_not_whole_label: return "wildcard_not_whole_label";
    case errc::wildcard_base_too_short: return "wildcard_base_too_short";
    case errc::txt_unterminated_string: return "txt_unterminated_string";
    case errc::txt_bad_escape: return "txt_bad_escape";
    case errc::txt_string_too_long: return "txt_string_too_long";
    case errc::txt_missing_separator: return "txt_missing_separator";
    case errc::txt_junk_after_string: return "txt_junk_after_string";
    case errc::txt_input_too_large: return "txt_input_too_large";
  }
  return "unknown";
}

}  // namespace mxtls::spec::dns
