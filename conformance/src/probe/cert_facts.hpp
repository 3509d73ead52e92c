// What the receiver suite reads out of a presented certificate chain: subject, issuer,
// validity text, SAN dNSNames and the SubjectPublicKeyInfo (a bounded DER walk, no crypto
// library), plus SHA-256/SHA-512 and TLSA matching for the dane.tlsa-matches case
// (DANE-3.1-01, DANE-3.1-03, DANE-3.1-04, DANE-3.1.1-01, DANE-3.1.2-01).
#pragma once

#include "mxtls/spec/dane/tlsa.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mxtls::conformance::probe {

using der_bytes = std::vector<std::uint8_t>;

/// The fields of one X.509 certificate the suite reports.
struct cert_facts {
  std::string subject;                 ///< "CN=mx.example.test, O=..." (RFC 4514 order reversed: as encoded)
  std::string issuer;
  std::string not_before;              ///< UTCTime / GeneralizedTime text as encoded
  std::string not_after;
  std::vector<std::string> dns_names;  ///< SAN dNSName values, as encoded
  der_bytes spki_der;                  ///< SubjectPublicKeyInfo, the TLSA selector 1 input
};

/// Parses the DER of a certificate far enough to fill cert_facts. Total: nullopt when the
/// bytes are not a certificate this walker understands (never reads out of bounds).
[[nodiscard]] std::optional<cert_facts> read_cert_facts(std::span<std::uint8_t const> der);

/// One line for a transcript: "subject=... issuer=... SAN=a,b notAfter=...".
[[nodiscard]] std::string describe(cert_facts const& f);

[[nodiscard]] std::array<std::uint8_t, 32> sha256(std::span<std::uint8_t const> data);
[[nodiscard]] std::array<std::uint8_t, 64> sha512(std::span<std::uint8_t const> data);

/// Lower-case hex.
[[nodiscard]] std::string hex(std::span<std::uint8_t const> data);

/// Whether a usable TLSA record matches the presented chain (DER, leaf first):
/// [DANE-3.1.1-01] DANE-EE(3) is compared with the leaf only; [DANE-3.1.2-01] DANE-TA(2)
/// with a certificate of the chain other than the leaf (the TA must be presented).
/// [DANE-3.1-04] selector 0 takes the whole certificate DER, 1 the SubjectPublicKeyInfo;
/// [DANE-3.1-03] matching 0 compares octets, 1 SHA-256, 2 SHA-512. Returns the index of the
/// matching certificate in the chain, or nullopt. Unusable records never match.
[[nodiscard]] std::optional<std::size_t> tlsa_match(spec::dane::tlsa_record const& record,
                                                    std::vector<der_bytes> const& chain);

}  // namespace mxtls::conformance::probe
