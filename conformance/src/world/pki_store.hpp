// The world's test PKI: one root CA (written to <dir>/ca.pem for the implementation under test
// to trust) and per-host certificates made on demand and cached, in every shape the cases need
// (X-11..X-15, X-25): valid, expired, not yet valid, wrong name, self-signed, CN-only (no SAN),
// wildcard. Validity windows are taken from the world's clock. Thread-safe.
#pragma once

#include "world/clock.hpp"

#include <mxtls/net/pki.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mxtls::conformance {

enum class cert_kind : std::uint8_t {
  valid,          ///< CA-issued, SAN dNSName = host, valid now
  expired,        ///< CA-issued for host, notAfter one day ago
  not_yet_valid,  ///< CA-issued for host, notBefore one day ahead
  wrong_name,     ///< CA-issued, valid now, for "other-<first label>.<rest>" only
  self_signed,    ///< valid now, for host, signed by its own key
  cn_only,        ///< CA-issued, subject CN = host, no subjectAltName at all
  wildcard,       ///< CA-issued, SAN "*.<parent of host>"
};

[[nodiscard]] std::string_view to_string(cert_kind k) noexcept;
[[nodiscard]] std::optional<cert_kind> parse_cert_kind(std::string_view s) noexcept;

/// The name a wrong_name certificate is issued for instead of `host`.
[[nodiscard]] std::string wrong_name_for(std::string_view host);

struct cert_files {
  std::string cert;   ///< the certificate alone
  std::string key;    ///< its private key
  std::string chain;  ///< the certificate and any intermediates
};

class pki_store {
 public:
  /// Creates the root CA ("mxtls conformance world CA").
  explicit pki_store(world_clock const& clock);

  /// The root certificate (PEM) that clients must trust.
  [[nodiscard]] std::string const& ca_pem() const noexcept;
  /// The root CA's own certificate (DER, digests: DANE-TA associations).
  [[nodiscard]] net::pki::issued const& ca() const noexcept;

  /// The certificate of `host` in shape `kind`, issued on first use. Throws std::runtime_error
  /// if the crypto library fails.
  [[nodiscard]] net::pki::issued const& issue(std::string const& host, cert_kind kind);

  /// The certificate as a server chain (net::tls_config::chains) answering any SNI.
  [[nodiscard]] net::server_chain chain(std::string const& host, cert_kind kind);

  /// Writes issue(host, kind) as <dir>/<host>.<kind>.{crt,key,chain.pem}. Throws on I/O errors.
  cert_files write(std::string const& host, cert_kind kind, std::string const& dir);

 private:
  world_clock const& clock_;
  std::mutex mu_;
  net::pki::authority ca_;
  std::map<std::pair<std::string, cert_kind>, net::pki::issued> issued_;
};

}  // namespace mxtls::conformance
