// The "mxtls.net" error category, the RFC 8460 result-type names (RPT-4.3-01..11) and the
// mapping of net errors to result types for MX sessions and policy fetches.
#include "mxtls/net/errc.hpp"

namespace mxtls::net {

namespace {
char const* describe(int ev) noexcept {
  switch (static_cast<errc>(ev)) {
    case errc::config_invalid: return "invalid TLS configuration";
    case errc::pem_invalid: return "certificate or private key PEM could not be decoded";
    case errc::trust_store_unavailable: return "trust store could not be loaded";
    case errc::not_connected: return "TLS session not established";
    case errc::handshake_failed: return "TLS handshake failed";
    case errc::alert_received: return "peer sent a fatal TLS alert";
    case errc::handshake_timeout: return "TLS handshake timed out";
    case errc::connection_closed: return "connection closed during the TLS handshake";
    case errc::certificate_not_trusted: return "certificate not issued by a trusted CA";
    case errc::certificate_expired: return "certificate expired";
    case errc::certificate_not_yet_valid: return "certificate not yet valid";
    case errc::certificate_host_mismatch: return "certificate does not match the host name";
    case errc::dane_mismatch: return "certificate chain does not match the TLSA records";
    case errc::stream_truncated: return "connection closed without TLS close_notify";
    case errc::tls_error: return "TLS protocol error";
    case errc::resolve_failed: return "host name did not resolve";
    case errc::connect_failed: return "could not connect";
    case errc::http_protocol_error: return "malformed HTTP response";
    case errc::http_redirect: return "HTTP redirect (never followed)";
    case errc::http_not_modified: return "HTTP 304 Not Modified (caching is not used)";
    case errc::http_status: return "HTTP status other than 200";
    case errc::body_too_large: return "HTTP body larger than the limit";
    case errc::content_encoding: return "unsupported HTTP Content-Encoding";
    case errc::fetch_timeout: return "policy fetch timed out";
  }
  return "unknown net error";
}
}  // namespace

boost::system::error_category const& net_category() noexcept {
  static const spec::described_category cat{"mxtls.net", &describe};
  return cat;
}

char const* to_string(errc e) noexcept {
  switch (e) {
    case errc::config_invalid: return "config_invalid";
    case errc::pem_invalid: return "pem_invalid";
    case errc::trust_store_unavailable: return "trust_store_unavailable";
    case errc::not_connected: return "not_connected";
    case errc::handshake_failed: return "handshake_failed";
    case errc::alert_received: return "alert_received";
    case errc::handshake_timeout: return "handshake_timeout";
    case errc::connection_closed: return "connection_closed";
    case errc::certificate_not_trusted: return "certificate_not_trusted";
    case errc::certificate_expired: return "certificate_expired";
    case errc::certificate_not_yet_valid: return "certificate_not_yet_valid";
    case errc::certificate_host_mismatch: return "certificate_host_mismatch";
    case errc::dane_mismatch: return "dane_mismatch";
    case errc::stream_truncated: return "stream_truncated";
    case errc::tls_error: return "tls_error";
    case errc::resolve_failed: return "resolve_failed";
    case errc::connect_failed: return "connect_failed";
    case errc::http_protocol_error: return "http_protocol_error";
    case errc::http_redirect: return "http_redirect";
    case errc::http_not_modified: return "http_not_modified";
    case errc::http_status: return "http_status";
    case errc::body_too_large: return "body_too_large";
    case errc::content_encoding: return "content_encoding";
    case errc::fetch_timeout: return "fetch_timeout";
  }
  return "unknown";
}

std::string_view to_string(tlsrpt_result_type t) noexcept {
  switch (t) {
    case tlsrpt_result_type::none: return "";
    case tlsrpt_result_type::starttls_not_supported: return "starttls-not-supported";
    case tlsrpt_result_type::certificate_host_mismatch: return "certificate-host-mismatch";
    case tlsrpt_result_type::certificate_expired: return "certificate-expired";
    case tlsrpt_result_type::certificate_not_trusted: return "certificate-not-trusted";
    case tlsrpt_result_type::validation_failure: return "validation-failure";
    case tlsrpt_result_type::tlsa_invalid: return "tlsa-invalid";
    case tlsrpt_result_type::dnssec_invalid: return "dnssec-invalid";
    case tlsrpt_result_type::dane_required: return "dane-required";
    case tlsrpt_result_type::sts_policy_fetch_error: return "sts-policy-fetch-error";
    case tlsrpt_result_type::sts_policy_invalid: return "sts-policy-invalid";
    case tlsrpt_result_type::sts_webpki_invalid: return "sts-webpki-invalid";
  }
  return "";
}

namespace {
bool is_certificate_error(boost::system::error_code ec) noexcept {
  if (ec.category() != net_category()) return false;
  switch (static_cast<errc>(ec.value())) {
    case errc::certificate_not_trusted:
    case errc::certificate_expired:
    case errc::certificate_not_yet_valid:
    case errc::certificate_host_mismatch:
      return true;
    default:
      return false;
  }
}
}  // namespace

tlsrpt_result_type mx_result_type(boost::system::error_code ec) noexcept {
  if (!ec) return tlsrpt_result_type::none;
  if (ec.category() == net_category()) {
    switch (static_cast<errc>(ec.value())) {
      case errc::certificate_not_trusted: return tlsrpt_result_type::certificate_not_trusted;  // RPT-4.3-04
      case errc::certificate_expired: return tlsrpt_result_type::certificate_expired;  // RPT-4.3-03
      case errc::certificate_host_mismatch:
        return tlsrpt_result_type::certificate_host_mismatch;  // RPT-4.3-02
      case errc::dane_mismatch: return tlsrpt_result_type::tlsa_invalid;  // RPT-4.3-06
      default: break;
    }
  }
  // [RPT-4.3-05] alerts, protocol errors, timeouts, and [RPT-4.3-15] not-yet-valid.
  return tlsrpt_result_type::validation_failure;
}

tlsrpt_result_type policy_fetch_result_type(boost::system::error_code ec) noexcept {
  if (!ec) return tlsrpt_result_type::none;
  // [STS-3.3-01][RPT-4.3-11] the policy host failed PKIX validation.
  if (is_certificate_error(ec)) return tlsrpt_result_type::sts_webpki_invalid;
  // [RPT-4.3-09] status, redirect, timeout, size, transport.
  return tlsrpt_result_type::sts_policy_fetch_error;
}

}  // namespace mxtls::net
