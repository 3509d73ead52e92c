// DANE authentication of an SMTP server (RFC 7672 §3, RFC 7671): the presented chain against
// the usable TLSA records of `_<port>._tcp.<TLSA base domain>`, with Botan. DANE-EE(3)
// compares the leaf only and ignores names and dates (DANE-3.1.1-01/02, DANE-3.2.1-01);
// DANE-TA(2) matches a certificate of the chain above the leaf, then checks the path from the
// leaf to it (issuer names, signatures, CA flag, validity periods, DANE-3.1.2-03) and the
// leaf's names against the reference identifiers (DANE-3.2.2-01/02, DANE-3.2.3-01/02).
// Selector Cert / SPKI (DANE-3.1-04), matching Full / SHA2-256 / SHA2-512 (DANE-3.1-03).
#pragma once

#include "mxtls/net/tls.hpp"
#include "mxtls/spec/dane/tlsa.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace mxtls::client {

using der_chain = std::vector<std::vector<std::uint8_t>>;

struct dane_params {
  /// Usable records only (spec::dane::usability() == usable); unusable ones never match.
  std::vector<spec::dane::tlsa_record> records;
  /// DANE-TA reference identifiers: the TLSA base domain first, then the MX host name and
  /// the next-hop domain (DANE-3.2.2-01, DANE-3.2.2-02). DANE-EE uses none.
  std::vector<std::string> reference_ids;
  /// Validity periods of DANE-TA paths are checked at this time (the sender's clock).
  std::chrono::system_clock::time_point validation_time = std::chrono::system_clock::now();
};

/// [DANE-3.2-01] authenticated iff one usable record matches; [DANE-3.2-02] failed when
/// records exist and none matches; not_applicable when `p.records` is empty.
[[nodiscard]] net::dane_verdict dane_verify(der_chain const& chain, dane_params const& p);

/// The TLS stream's hook (tls_config::dane) running dane_verify with `p`.
[[nodiscard]] net::dane_hook make_dane_hook(dane_params p);

/// [DANE-3.1-04] the selected content of a certificate (DER): the certificate itself or
/// its SubjectPublicKeyInfo; empty when the DER does not parse.
[[nodiscard]] std::vector<std::uint8_t> select_content(std::vector<std::uint8_t> const& cert_der,
                                                       spec::dane::tlsa_selector selector);

/// [DANE-3.1-03][DANE-3.1-04] true iff `r`'s association data matches the certificate.
[[nodiscard]] bool record_matches(spec::dane::tlsa_record const& r, std::vector<std::uint8_t> const& cert_der);

}  // namespace mxtls::client
