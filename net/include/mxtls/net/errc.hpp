// Error conditions of the I/O layer (TLS seam, line reading, HTTPS policy fetch), and the
// RFC 8460 result types they map to (RPT-4.3-*). Peer and network faults are values:
// every fallible call returns mxtls::net::result<T>, never throws across the API.
#pragma once

#include "mxtls/spec/error.hpp"

#include <boost/system/error_code.hpp>

#include <string_view>
#include <type_traits>

namespace mxtls::net {

/// The error model of spec/ reused: {code, requirement ID, offset, detail}. For I/O
/// errors `offset` is 0 unless a byte count is meaningful (e.g. bytes of body received).
using error = mxtls::spec::parse_error;
template <class T>
using result = mxtls::spec::result<T>;

enum class errc {
  // Configuration (startup): thrown nowhere, returned by tls_context::create.
  config_invalid = 1,       ///< a role without what it needs (server without a chain ...)
  pem_invalid,              ///< a certificate or private key PEM could not be decoded
  trust_store_unavailable,  ///< the system store or a CA file could not be loaded
  // TLS.
  not_connected,              ///< read or write before the handshake or after a fatal error
  handshake_failed,           ///< TLS protocol failure during the handshake (we sent the alert)
  alert_received,             ///< the peer sent a fatal alert
  handshake_timeout,          ///< the handshake did not finish within its deadline
  connection_closed,          ///< the transport closed during the handshake
  certificate_not_trusted,    ///< verify=require: no path to a trusted CA (incl. self-signed)
  certificate_expired,        ///< verify=require: a certificate of the path has expired
  certificate_not_yet_valid,  ///< verify=require: a certificate of the path is not yet valid
  certificate_host_mismatch,  ///< verify=require: no SAN dNSName matches the reference identity
  dane_mismatch,              ///< the DANE hook rejected the chain
  stream_truncated,           ///< the transport closed without close_notify after the handshake
  tls_error,                  ///< a TLS protocol error after the handshake
  // HTTPS policy fetch (STS-3.3-*).
  resolve_failed,        ///< the policy host name did not resolve
  connect_failed,        ///< no address of the policy host accepted a TCP connection
  http_protocol_error,   ///< the response is not valid HTTP/1.1 (or headers too large)
  http_redirect,         ///< a 3xx status: redirects are never followed
  http_not_modified,     ///< a 304: HTTP caching is never used, so 304 is a failure
  http_status,           ///< any other status than 200
  body_too_large,        ///< the body exceeds the limit (Content-Length or streamed)
  content_encoding,      ///< a Content-Encoding other than identity
  fetch_timeout,         ///< the whole fetch did not finish within its deadline
};

[[nodiscard]] boost::system::error_category const& net_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), net_category()};
}

/// The enumerator name of `e` ("http_redirect"), for logs and test tables.
[[nodiscard]] char const* to_string(errc e) noexcept;

/// RFC 8460 §4.3 result types (RPT-4.3-01..11); `none` for a success.
enum class tlsrpt_result_type {
  none,
  starttls_not_supported,     ///< RPT-4.3-01
  certificate_host_mismatch,  ///< RPT-4.3-02
  certificate_expired,        ///< RPT-4.3-03
  certificate_not_trusted,    ///< RPT-4.3-04
  validation_failure,         ///< RPT-4.3-05
  tlsa_invalid,               ///< RPT-4.3-06
  dnssec_invalid,             ///< RPT-4.3-07
  dane_required,              ///< RPT-4.3-08
  sts_policy_fetch_error,     ///< RPT-4.3-09
  sts_policy_invalid,         ///< RPT-4.3-10
  sts_webpki_invalid,         ///< RPT-4.3-11
};

/// The RFC 8460 spelling: "certificate-host-mismatch", "sts-webpki-invalid"; "" for none.
[[nodiscard]] std::string_view to_string(tlsrpt_result_type t) noexcept;

/// The result type of a failed TLS session to an MX (an error of tls_stream::async_handshake):
/// certificate errors map to their own type, DANE rejection to tlsa-invalid, everything
/// else (alerts, timeouts, protocol errors) to validation-failure (RPT-4.3-05).
[[nodiscard]] tlsrpt_result_type mx_result_type(boost::system::error_code ec) noexcept;

/// The result type of a failed policy fetch (an error of fetch_policy): any certificate
/// failure → sts-webpki-invalid (STS-3.3-01, RPT-4.3-11), anything else →
/// sts-policy-fetch-error (RPT-4.3-09).
[[nodiscard]] tlsrpt_result_type policy_fetch_result_type(boost::system::error_code ec) noexcept;

}  // namespace mxtls::net

template <>
struct boost::system::is_error_code_enum<mxtls::net::errc> : std::true_type {};
