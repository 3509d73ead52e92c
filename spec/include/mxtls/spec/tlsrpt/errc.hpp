// Error conditions of the tlsrpt area: the `_smtp._tls` TXT record (RFC 8460 §3).
#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace mxtls::spec::tlsrpt {

enum class errc {
  record_too_large = 1,      ///< concatenated record above max_tlsrpt_record_octets
  not_tlsrpt_record,         ///< does not begin with the case-sensitive "v=TLSRPTv1" (RPT-3-03/06)
  field_delimiter_expected,  ///< something other than *WSP ";" after a field (RPT-3-02)
  field_empty,               ///< ";;" (RPT-3-02)
  field_missing,             ///< "v=TLSRPTv1" with no field after it (RPT-3-02)
  field_name_invalid,        ///< a field name outside the ext-name ABNF, or no "=" (RPT-3-05)
  extension_value_invalid,   ///< empty, or an octet outside %x21-3A / %x3C / %x3E-7E (RPT-3-05)
  rua_uri_invalid,           ///< a rua entry that is not an RFC 3986 URI with "," and "!" encoded (RPT-3-04)
  rua_missing,               ///< no rua field (RPT-3-10)
  no_tlsrpt_record,          ///< no TXT record of the RRset is a TLSRPT candidate (RPT-3-07)
  multiple_tlsrpt_records,   ///< more than one candidate (RPT-3-07)
};

[[nodiscard]] boost::system::error_category const& tlsrpt_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), tlsrpt_category()};
}

/// The enumerator name of `e` ("rua_missing"), as used in spec/vectors/*.json.
[[nodiscard]] char const* to_string(errc e) noexcept;

}  // namespace mxtls::spec::tlsrpt

template <>
struct boost::system::is_error_code_enum<mxtls::spec::tlsrpt::errc> : std::true_type {};
