// Error conditions of the banner area: the strict-tls= directive in SMTP greetings and
// EHLO replies (BAN-*), and the persisted pin store.
#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace mxtls::spec::banner {

enum class errc {
  // The directive token.
  not_a_directive = 1,       ///< the token does not start with "strict-tls="
  directive_too_long,        ///< longer than an SMTP reply line can carry
  pattern_empty,             ///< nothing between "strict-tls=" and the first ";" or space
  pattern_label_invalid,     ///< a label that is not an LDH label (also U-labels)
  pattern_trailing_dot,      ///< "example.com."
  pattern_wildcard_invalid,  ///< "*" that is not the entire left-most label
  pattern_too_few_labels,    ///< exact name or wildcard base with fewer than two labels
  pattern_too_long,          ///< more than 253 octets
  separator_expected,        ///< something other than OWS ";" after the pattern or an attribute
  attribute_name_invalid,    ///< empty attribute (";;") or a name not ALPHA *(ALPHA/DIGIT/"-"/"_")
  attribute_value_invalid,   ///< "name=" without a value, or a value octet outside %x21-3A/%x3C-7E
  attribute_duplicated,      ///< the same attribute name (case-insensitive) twice
  max_age_missing,           ///< no max-age attribute
  max_age_invalid,           ///< max-age value not 1*10DIGIT
  max_age_too_large,         ///< max-age above 31557600
  include_subdomains_invalid,  ///< "includeSubDomains=..." (the attribute takes no value)
  // Replies carrying directives.
  duplicate_directive,       ///< two or more directives in the searched lines of one reply
  reply_code_mismatch,       ///< greeting not 220, EHLO reply not 250
  greeting_incomplete,       ///< greeting text ends before a last line (code + SP) (lint input)
  greeting_trailing_input,   ///< text after the greeting's last line (lint input)
  // The persisted pin store.
  store_header_invalid,      ///< first line is not the store's format line
  store_entry_invalid,       ///< a pin line that is not "PATTERN EXPIRES FLAG"
  store_duplicate_entry,     ///< two pins for the same pattern
  store_capacity_exceeded,   ///< more pins than the store may hold
};

[[nodiscard]] boost::system::error_category const& banner_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), banner_category()};
}

/// The enumerator name of `e` ("max_age_missing"), as used in spec/vectors/banner.json.
[[nodiscard]] char const* to_string(errc e) noexcept;

}  // namespace mxtls::spec::banner

template <>
struct boost::system::is_error_code_enum<mxtls::spec::banner::errc> : std::true_type {};
