// A test PKI made at run time with Botan (ECDSA P-256, SHA-256): roots, intermediates and
// leaves with chosen SAN dNSNames, CN-only (no SAN), chosen validity windows, wildcards,
// self-signed leaves; PEM output and the TLSA digests (DANE-3.1-03: 3 1 1, 3 0 1, ...).
// For tests and the conformance world only: failures throw std::runtime_error, except
// writing files, which returns an error value.
#pragma once

#include "mxtls/net/errc.hpp"
#include "mxtls/net/tls.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mxtls::net::pki {

using time_point = std::chrono::system_clock::time_point;

struct cert_options {
  /// SAN dNSName values in order ("mx.example.com", "*.example.com"). Empty: the
  /// certificate has no subjectAltName extension at all (a CN-only certificate).
  std::vector<std::string> dns_names;
  /// Subject CN; empty: the first dns name, else "mxtls test".
  std::string common_name;
  /// Validity window; empty: now - 1 hour .. now + 30 days.
  std::optional<time_point> not_before;
  std::optional<time_point> not_after;

  /// A leaf valid now for `names` (SAN).
  [[nodiscard]] static cert_options valid(std::vector<std::string> names);
  /// A leaf for `names` whose notAfter is one day in the past.
  [[nodiscard]] static cert_options expired(std::vector<std::string> names);
  /// A leaf for `names` whose notBefore is one day in the future.
  [[nodiscard]] static cert_options not_yet_valid(std::vector<std::string> names);
  /// A leaf with subject CN = `cn` and no subjectAltName.
  [[nodiscard]] static cert_options cn_only(std::string cn);
};

using sha256_digest = std::array<std::uint8_t, 32>;
using sha512_digest = std::array<std::uint8_t, 64>;

/// A certificate with its key, ready for a server_chain or a TLSA record.
struct issued {
  std::string cert_pem;   ///< the certificate alone
  std::string key_pem;    ///< its private key (unencrypted PKCS#8)
  std::string chain_pem;  ///< the certificate, then the intermediates up to (not incl.) the root
  std::vector<std::uint8_t> cert_der;
  std::vector<std::uint8_t> spki_der;  ///< SubjectPublicKeyInfo (stack.md pitfall 3)
  sha256_digest cert_sha256{};         ///< TLSA x 0 1
  sha256_digest spki_sha256{};         ///< TLSA x 1 1
  sha512_digest cert_sha512{};         ///< TLSA x 0 2
  sha512_digest spki_sha512{};         ///< TLSA x 1 2

  /// A server chain answering `sni_names` (empty: the fallback chain).
  [[nodiscard]] server_chain as_server_chain(std::vector<std::string> sni_names = {}) const;

  /// Writes <dir>/<basename>.crt (certificate), .key (private key) and .chain.pem; creates
  /// `dir` if needed.
  [[nodiscard]] result<void> write(std::string const& dir, std::string const& basename) const;
};

/// A certificate authority (root or intermediate) that issues leaves.
class authority {
 public:
  /// A self-signed root CA. Takes ~5 ms.
  [[nodiscard]] static authority create_root(std::string name = "mxtls test root CA");

  /// An intermediate CA signed by this one.
  [[nodiscard]] authority create_intermediate(std::string name) const;

  /// A server leaf (serverAuth + clientAuth, digitalSignature) signed by this CA.
  [[nodiscard]] issued issue(cert_options const& options) const;

  /// The CA's own certificate (chain_pem: up to, not incl., the root) and key.
  [[nodiscard]] issued const& certificate() const noexcept;
  /// The root of this CA's hierarchy, PEM: what a client trusts.
  [[nodiscard]] std::string const& root_pem() const noexcept;

  authority(authority&&) noexcept;
  authority& operator=(authority&&) noexcept;
  ~authority();

  struct impl;

 private:
  explicit authority(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

/// A self-signed leaf (no CA): trusted by nobody unless pinned (DANE-EE).
[[nodiscard]] issued self_signed(cert_options const& options);

/// Lower-case hex, as in TLSA presentation format.
[[nodiscard]] std::string to_hex(std::vector<std::uint8_t> const& bytes);
template <std::size_t N>
[[nodiscard]] std::string to_hex(std::array<std::uint8_t, N> const& bytes) {
  return to_hex(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

}  // namespace mxtls::net::pki
