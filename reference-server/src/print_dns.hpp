// mxtls-serve print-dns: the DNS records an operator publishes for the configured names
// (MX with the proposal's prefix, _mta-sts TXT, TLSA 3 1 1 for ports 25/26, _smtp._tls TXT),
// in zone-file syntax, with warnings as ';' comments.
#pragma once

#include "config.hpp"

#include <string>
#include <string_view>

namespace mxtls::server {

/// What print-dns needs besides the config, gathered by the caller (file reads).
struct dns_inputs {
  std::string spki_sha256_hex;  ///< TLSA 3 1 1 digest of the certificate, or empty
  std::string policy_text;      ///< contents of mta_sts_policy, or empty when none
};

/// The `_mta-sts` id for a policy body: 64-bit FNV-1a as 16 lower-case hex digits, so
/// it is 1*32(ALPHA / DIGIT) [STS-3.1-04] and changes whenever the policy file does.
[[nodiscard]] std::string policy_id(std::string_view policy_text);

/// The records text. Throws config_error when the policy file is not a valid policy.
[[nodiscard]] std::string render_dns_records(config const& cfg, dns_inputs const& in);

/// Reads the certificate and policy named by `cfg` and renders the records.
[[nodiscard]] std::string print_dns(config const& cfg);

}  // namespace mxtls::server
