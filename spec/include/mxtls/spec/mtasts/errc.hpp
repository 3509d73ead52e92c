// Error conditions of the mtasts area: the `_mta-sts` TXT record (RFC 8461 §3.1) and the
// policy file (§3.2). Each enumerator names the rule that failed; see record.hpp/policy.hpp.
#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace mxtls::spec::mtasts {

enum class errc {
  // TXT record (STS-3.1-*).
  record_too_large = 1,       ///< concatenated record above max_sts_record_octets
  record_not_ascii,           ///< an octet above %x7F (STS-3.1-01)
  not_sts_record,             ///< does not begin with the case-sensitive "v=STSv1" (STS-3.1-03/07)
  field_delimiter_expected,   ///< something other than *WSP ";" after a field (STS-3.1-02)
  field_empty,                ///< ";;" or ";" followed by nothing but another ";" (STS-3.1-02)
  field_missing,              ///< "v=STSv1" with no field after it (STS-3.1-02)
  field_name_invalid,         ///< a field name outside the ext-name ABNF, or no "=" (STS-3.1-05)
  id_invalid,                 ///< id not 1*32(ALPHA / DIGIT) (STS-3.1-04)
  id_missing,                 ///< no id field (STS-3.1-06)
  extension_value_invalid,    ///< empty, or an octet outside %x21-3A / %x3C / %x3E-7E (STS-3.1-05)
  no_sts_record,              ///< no TXT record of the RRset is an STS candidate (STS-3.1-09)
  multiple_sts_records,       ///< more than one candidate (STS-3.1-09)
  // Policy file (STS-3.2-*).
  policy_too_large,           ///< body above 65536 octets (STS-3.3-08)
  policy_empty,               ///< empty body (STS-3.2-04)
  blank_line,                 ///< an empty line (STS-3.2-06)
  bare_cr,                    ///< a CR not followed by LF (STS-3.2-05)
  key_invalid,                ///< a line not starting with an ext-name followed by ":" (STS-3.2-04/17)
  value_invalid,              ///< an extension value outside the ABNF: empty, CTL, bad UTF-8 (STS-3.2-17)
  version_invalid,            ///< version other than "STSv1" (STS-3.2-07)
  version_missing,            ///< no version field (STS-3.2-07)
  mode_invalid,               ///< mode other than testing / enforce / none (STS-3.2-08)
  mode_missing,               ///< no mode field (STS-3.2-08)
  max_age_invalid,            ///< max_age not 1*10DIGIT (STS-3.2-09)
  max_age_too_large,          ///< max_age above 31557600 (STS-3.2-10, erratum 7282)
  max_age_missing,            ///< no max_age field (STS-3.2-09)
  mx_pattern_invalid,         ///< an mx value that is not ["*."] Domain (STS-3.2-12/14/15)
  mx_missing,                 ///< no mx field while mode is not none (STS-3.2-12)
};

[[nodiscard]] boost::system::error_category const& mtasts_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), mtasts_category()};
}

/// The enumerator name of `e` ("max_age_too_large"), as used in spec/vectors/*.json.
[[nodiscard]] char const* to_string(errc e) noexcept;

}  // namespace mxtls::spec::mtasts

template <>
struct boost::system::is_error_code_enum<mxtls::spec::mtasts::errc> : std::true_type {};
