// The "mxtls.banner" error category: texts and enumerator names of banner::errc.
#include "mxtls/spec/banner/errc.hpp"

#include "mxtls/spec/error.hpp"

namespace mxtls::spec::banner {

namespace {
char const* describe(int ev) noexcept {
  switch (static_cast<errc>(ev)) {
    case errc::not_a_directive: return "token does not start with \"strict-tls=\"";
    case errc::directive_too_long: return "strict-tls directive longer than an SMTP reply line";
    case errc::pattern_empty: return "strict-tls directive has no host pattern";
    case errc::pattern_label_invalid: return "strict-tls pattern has a label that is not an LDH A-label";
    case errc::pattern_trailing_dot: return "strict-tls pattern ends with a dot";
    case errc::pattern_wildcard_invalid: return "'*' may only be the entire left-most label of a strict-tls pattern";
    case errc::pattern_too_few_labels: return "strict-tls pattern needs at least two labels (after \"*.\")";
    case errc::pattern_too_long: return "strict-tls pattern longer than 253 octets";
    case errc::separator_expected: return "expected ';' between strict-tls attributes";
    case errc::attribute_name_invalid: return "strict-tls attribute name missing or invalid";
    case errc::attribute_value_invalid: return "strict-tls attribute value missing or has an invalid octet";
    case errc::attribute_duplicated: return "strict-tls attribute given twice";
    case errc::max_age_missing: return "strict-tls directive has no max-age";
    case errc::max_age_invalid: return "max-age is not 1 to 10 digits";
    case errc::max_age_too_large: return "max-age above 31557600 seconds";
    case errc::include_subdomains_invalid: return "includeSubDomains takes no value";
    case errc::duplicate_directive: return "more than one strict-tls directive in one reply";
    case errc::reply_code_mismatch: return "strict-tls directives are carried only by a 220 greeting or a 250 EHLO reply";
    case errc::greeting_incomplete: return "greeting ends before its last line (a line with SP after the code)";
    case errc::greeting_trailing_input: return "text after the last line of the greeting";
    case errc::store_header_invalid: return "pin store does not start with its format line";
    case errc::store_entry_invalid: return "pin store line is not \"PATTERN EXPIRES FLAG\"";
    case errc::store_duplicate_entry: return "pin store has two pins for one pattern";
    case errc::store_capacity_exceeded: return "pin store holds more pins than its capacity";
  }
  return "unknown banner error";
}
}  // namespace

boost::system::error_category const& banner_category() noexcept {
  static const described_category cat{"mxtls.banner", &describe};
  return cat;
}

char const* to_string(errc e) noexcept {
  switch (e) {
    case errc::not_a_directive: return "not_a_directive";
    case errc::directive_too_long: return "directive_too_long";
    case errc::pattern_empty: return "pattern_empty";
    case errc::pattern_label_invalid: return "pattern_label_invalid";
    case errc::pattern_trailing_dot: return "pattern_trailing_dot";
    case errc::pattern_wildcard_invalid: return "pattern_wildcard_invalid";
    case errc::pattern_too_few_labels: return "pattern_too_few_labels";
    case errc::pattern_too_long: return "pattern_too_long";
    case errc::separator_expected: return "separator_expected";
    case errc::attribute_name_invalid: return "attribute_name_invalid";
    case errc::attribute_value_invalid: return "attribute_value_invalid";
    case errc::attribute_duplicated: return "attribute_duplicated";
    case errc::max_age_missing: return "max_age_missing";
    case errc::max_age_invalid: return "max_age_invalid";
    case errc::max_age_too_large: return "max_age_too_large";
    case errc::include_subdomains_invalid: return "include_subdomains_invalid";
    case errc::duplicate_directive: return "duplicate_directive";
    case errc::reply_code_mismatch: return "reply_code_mismatch";
    case errc::greeting_incomplete: return "greeting_incomplete";
    case errc::greeting_trailing_input: return "greeting_trailing_input";
    case errc::store_header_invalid: return "store_header_invalid";
    case errc::store_entry_invalid: return "store_entry_invalid";
    case errc::store_duplicate_entry: return "store_duplicate_entry";
    case errc::store_capacity_exceeded: return "store_capacity_exceeded";
  }
  return "unknown";
}

}  // namespace mxtls::spec::banner
