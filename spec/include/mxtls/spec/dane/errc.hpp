// Error conditions of the dane area: TLSA record data in wire and presentation form
// (RFC 6698 §2, DANE-3.1-01).
#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace mxtls::spec::dane {

enum class errc {
  rdata_too_short = 1,    ///< fewer than the 3 octets of usage, selector and matching type
  rdata_too_long,         ///< more than 65535 octets of RDATA
  field_missing,          ///< presentation form ends before usage, selector or matching type
  field_invalid,          ///< usage, selector or matching type not a decimal 0..255
  data_missing,           ///< presentation form without certificate association data
  data_not_hex,           ///< an octet other than a hex digit or white space in the data
  data_odd_length,        ///< an odd number of hex digits
  text_too_long,          ///< presentation form beyond the parser's bound
};

[[nodiscard]] boost::system::error_category const& dane_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), dane_category()};
}

/// The enumerator name of `e` ("data_not_hex"), as used in spec/vectors/tlsa.json.
[[nodiscard]] char const* to_string(errc e) noexcept;

}  // namespace mxtls::spec::dane

template <>
struct boost::system::is_error_code_enum<mxtls::spec::dane::errc> : std::true_type {};
