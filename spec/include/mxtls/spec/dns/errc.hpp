// Error conditions of the dns area: host names, name patterns and TXT presentation format.
// The rules live in spec/requirements/names.md (NAME-*); name.hpp and txt.hpp cite them.
#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace mxtls::spec::dns {

enum class errc {
  // Host names (NAME-2.*, NAME-3.1-*, NAME-4.1.*).
  name_empty = 1,          ///< no label at all
  name_too_long,           ///< more than 253 octets without the trailing dot
  label_empty,             ///< two consecutive dots, a leading dot, or a dot after the trailing dot
  label_too_long,          ///< a label of more than 63 octets
  label_invalid_character, ///< an octet outside letters, digits and hyphen
  label_leading_hyphen,    ///< a label starting with '-'
  label_trailing_hyphen,   ///< a label ending with '-'
  u_label,                 ///< a non-ASCII octet: U-labels are not host names, use the A-label
  numeric_top_label,       ///< the right-most label is all digits (an IPv4 address, not a name)
  trailing_dot,            ///< a trailing root dot where the context forbids it
  too_few_labels,          ///< fewer labels than the context requires
  // Name patterns (NAME-6.4.3-*).
  wildcard_not_whole_label,  ///< '*' that is not the entire left-most label ("mx*.a", "*.*.a", "**.a")
  wildcard_base_too_short,   ///< "*." followed by fewer labels than the context requires
  // TXT presentation format (NAME-3.3.14-*, NAME-5.1-*).
  txt_unterminated_string,  ///< a '"' without its closing '"'
  txt_bad_escape,           ///< '\' at the end, or '\DDD' not three digits or above 255
  txt_string_too_long,      ///< a character-string longer than 255 octets
  txt_missing_separator,    ///< no white space between two character-strings
  txt_junk_after_string,    ///< text after a closing '"' that does not start another string
  txt_input_too_large,      ///< input beyond the bound of the TXT helpers
};

[[nodiscard]] boost::system::error_category const& dns_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), dns_category()};
}

/// The enumerator name of `e` ("label_too_long"), as used in spec/vectors/*.json.
[[nodiscard]] char const* to_string(errc e) noexcept;

}  // namespace mxtls::spec::dns

template <>
struct boost::system::is_error_code_enum<mxtls::spec::dns::errc> : std::true_type {};
