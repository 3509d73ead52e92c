// A thin adapter for print-dns: the SHA-256 of a certificate's SubjectPublicKeyInfo
// (TLSA 3 1 1, DANE-3.1-03), read from the leaf of a PEM chain file with Botan.
#pragma once

#include <string>

namespace mxtls::server {

/// Lower-case hex SHA-256 of the leaf certificate's SubjectPublicKeyInfo (stack.md
/// pitfall 3: not subject_public_key_bits). Throws config_error naming the file.
[[nodiscard]] std::string spki_sha256_hex(std::string const& pem_chain_file);

}  // namespace mxtls::server
