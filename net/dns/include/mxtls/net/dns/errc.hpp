// Error conditions of the DNS layer: configuration, transport, answer codes and DNSSEC
// validation failures. Peer and network faults are values (DESIGN §3): SERVFAIL and
// timeouts are errors distinct from NXDOMAIN, bogus and indeterminate answers are errors
// (DANE-2.1.1-02, DANE-2.1.2-03).
#pragma once

#include "mxtls/spec/error.hpp"

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace mxtls::net::dns {

/// The error model of spec/ reused: {code, requirement ID, offset, detail}; `offset` is 0
/// unless a byte position is meaningful (a bad line of a trust-anchor file: its offset).
using error = mxtls::spec::parse_error;
template <class T>
using result = mxtls::spec::result<T>;

enum class errc {
  // Configuration (zones, trust anchors, resolver addresses).
  invalid_name = 1,        ///< a name that is not a domain name (empty label, over 255 octets ...)
  invalid_record,          ///< a record in presentation format that ldns cannot parse
  unknown_zone,            ///< a zone the authority does not hold
  zone_exists,             ///< add_zone for a zone that is already held
  no_parent_zone,          ///< a new zone must sit below a zone the authority holds
  record_outside_zone,     ///< a record whose owner is not at or below its zone's apex
  trust_anchor_invalid,    ///< a trust-anchor line that is not a DS or DNSKEY record
  trust_anchor_empty,      ///< a trust-anchor file without any DS or DNSKEY record
  file_unreadable,         ///< a file (trust anchor, resolv.conf) could not be read or written
  no_resolver,             ///< no nameserver configured (resolv.conf without nameserver lines)
  signing_failed,          ///< ldns could not create a key or sign a zone
  // Transport.
  timeout,                 ///< no valid answer within the query budget (all attempts used)
  network_error,           ///< a socket error: bind, unreachable, refused, reset
  malformed_response,      ///< a reply that does not parse as DNS, or whose question differs
  truncated,               ///< TC set on a TCP answer
  // Answer codes.
  server_failure,          ///< RCODE SERVFAIL: never the same as NXDOMAIN (X-30)
  refused,                 ///< RCODE REFUSED
  bad_rcode,               ///< another error RCODE (FORMERR, NOTIMP, ...)
  cname_loop,              ///< a CNAME chain longer than the limit or looping
  // DNSSEC (RFC 4035 §4.3 states).
  dnssec_bogus,            ///< the answer failed validation (DANE-2.1.1-02)
  dnssec_indeterminate,    ///< validation could not complete (a chain query failed); treated as bogus
};

[[nodiscard]] boost::system::error_category const& dns_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), dns_category()};
}

/// The enumerator name of `e` ("server_failure"), for logs and test tables.
[[nodiscard]] char const* to_string(errc e) noexcept;

}  // namespace mxtls::net::dns

template <>
struct boost::system::is_error_code_enum<mxtls::net::dns::errc> : std::true_type {};
