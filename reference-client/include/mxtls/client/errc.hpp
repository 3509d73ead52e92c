// Error conditions of mxtls-send outside the wire protocols: the command line, the message
// to send (RFC 5321 limits, SMTP-4.5.3.1.6-01), and the state directory (MTA-STS cache,
// strict-tls pins). Peer and network faults are not errors here: they are attempt results.
#pragma once

#include "mxtls/spec/error.hpp"

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace mxtls::client {

/// The spec/ error model: {code, requirement ID, offset, detail}.
using error = mxtls::spec::parse_error;
template <class T>
using result = mxtls::spec::result<T>;

enum class errc {
  // Command line and configuration.
  usage_invalid = 1,      ///< an unknown option, a missing value, a value out of range
  address_invalid,        ///< --from / --to is not a Mailbox (SMTP-4.1.2-01)
  too_many_recipients,    ///< more --to than the configured limit
  config_unreadable,      ///< --ca, --trust-anchor or the resolver configuration cannot be used
  // The message.
  message_unreadable,     ///< MESSAGE_FILE (or stdin) cannot be read
  message_too_large,      ///< above the configured size limit
  message_line_too_long,  ///< a line above 998 octets plus CRLF (SMTP-4.5.3.1.6-01)
  message_nul_octet,      ///< a NUL octet (RFC 5322 text never holds one)
  // The state directory.
  state_unreadable,       ///< a cache file exists but cannot be read, or the lock fails
  state_invalid,          ///< a cache file does not parse
  state_write_failed,     ///< writing, fsync or rename failed
};

[[nodiscard]] boost::system::error_category const& client_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), client_category()};
}

/// The enumerator name of `e` ("message_too_large").
[[nodiscard]] char const* to_string(errc e) noexcept;

}  // namespace mxtls::client

template <>
struct boost::system::is_error_code_enum<mxtls::client::errc> : std::true_type {};
