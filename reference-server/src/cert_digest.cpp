// TLSA 3 1 1 digest of a PEM certificate (the first certificate of the file).
#include "cert_digest.hpp"

#include "config.hpp"

#include <botan/data_src.h>
#include <botan/hash.h>
#include <botan/hex.h>
#include <botan/x509cert.h>

namespace mxtls::server {

std::string spki_sha256_hex(std::string const& pem_chain_file) {
  try {
    Botan::DataSource_Stream in(pem_chain_file);
    Botan::X509_Certificate leaf(in);
    auto const spki = leaf.subject_public_key_info();
    auto sha = Botan::HashFunction::create_or_throw("SHA-256");
    return Botan::hex_encode(sha->process(spki), false);
  } catch (std::exception const& e) {
    throw config_error("cert: cannot read a certificate from " + pem_chain_file + ": " + e.what());
  }
}

}  // namespace mxtls::server
