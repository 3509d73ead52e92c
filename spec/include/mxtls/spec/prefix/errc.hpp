// Error conditions of the prefix area: classifying an MX target host name by its
// "starttls-" / "smtps-" left-most label prefix (PFX-*).
#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace mxtls::spec::prefix {

enum class errc {
  mx_host_invalid = 1,  ///< the MX target is not a host name (the detail names the dns rule)
};

[[nodiscard]] boost::system::error_category const& prefix_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), prefix_category()};
}

/// The enumerator name of `e` ("mx_host_invalid"), as used in spec/vectors/mx_prefix.json.
[[nodiscard]] char const* to_string(errc e) noexcept;

}  // namespace mxtls::spec::prefix

template <>
struct boost::system::is_error_code_enum<mxtls::spec::prefix::errc> : std::true_type {};
