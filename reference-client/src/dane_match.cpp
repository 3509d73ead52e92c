// TLSA matching with Botan for mxtls-send. Implements DANE-3.1-03/04, DANE-3.1.1-01/02,
// DANE-3.1.2-01/03, DANE-3.2-01/02, DANE-3.2.1-01, DANE-3.2.2-01/02, DANE-3.2.3-01/02.
#include "mxtls/client/dane_match.hpp"

#include <botan/hash.h>
#include <botan/pk_keys.h>
#include <botan/pkix_types.h>
#include <botan/x509cert.h>

#include <algorithm>
#include <memory>
#include <optional>

namespace mxtls::client {

namespace {

using spec::dane::tlsa_matching;
using spec::dane::tlsa_record;
using spec::dane::tlsa_selector;
using spec::dane::tlsa_usage;

std::optional<Botan::X509_Certificate> load(std::vector<std::uint8_t> const& der) {
  try {
    return Botan::X509_Certificate(der);
  } catch (std::exception const&) {
    return std::nullopt;
  }
}

std::vector<std::uint8_t> digest(char const* algo, std::vector<std::uint8_t> const& data) {
  auto h = Botan::HashFunction::create_or_throw(algo);
  auto out = h->process(data);
  return {out.begin(), out.end()};
}

std::string describe(tlsa_record const& r) {
  return std::to_string(static_cast<int>(r.usage)) + " " + std::to_string(static_cast<int>(r.selector)) + " " +
         std::to_string(static_cast<int>(r.matching));
}

// [DANE-3.2.3-01] SAN dNSNames; the CN only when the certificate has no dNSName at all.
// [DANE-3.2.3-02] a wildcard matches exactly one left-most label (net::dns_ids_match).
bool names_match(Botan::X509_Certificate const& leaf, std::vector<std::string> const& reference_ids) {
  std::vector<std::string> ids = leaf.subject_alt_name().get_attribute("DNS");
  if (ids.empty()) ids = leaf.subject_dn().get_attribute("X520.CommonName");
  return std::any_of(reference_ids.begin(), reference_ids.end(),
                     [&](std::string const& ref) { return net::dns_ids_match(ids, ref); });
}

bool within_validity(Botan::X509_Certificate const& c, std::chrono::system_clock::time_point t) {
  return t >= c.not_before().to_std_timepoint() && t <= c.not_after().to_std_timepoint();
}

// [DANE-3.1.2-03] the path from the leaf (index 0) to the trust anchor at index `ta`: each
// certificate is issued and signed by the next one, which is a CA; the validity periods of
// the certificates below the anchor are checked (the anchor is trusted as published, as an
// RFC 5280 trust anchor is). Returns why the path fails, or "" when it holds.
std::string check_path(std::vector<Botan::X509_Certificate> const& chain, std::size_t ta,
                       std::chrono::system_clock::time_point t) {
  for (std::size_t i = 0; i < ta; ++i) {
    auto const& subject = chain[i];
    auto const& issuer = chain[i + 1];
    if (!(subject.issuer_dn() == issuer.subject_dn()))
      return "certificate " + std::to_string(i) + " is not issued by certificate " + std::to_string(i + 1);
    if (!issuer.is_CA_cert()) return "certificate " + std::to_string(i + 1) + " is not a CA certificate";
    auto key = issuer.load_subject_public_key();
    if (!key || !subject.check_signature(*key))
      return "signature of certificate " + std::to_string(i) + " does not verify";
    if (!within_validity(subject, t)) return "certificate " + std::to_string(i) + " is outside its validity period";
  }
  return {};
}

}  // namespace

std::vector<std::uint8_t> select_content(std::vector<std::uint8_t> const& cert_der, tlsa_selector selector) {
  if (selector == tlsa_selector::cert) return cert_der;
  auto c = load(cert_der);
  if (!c) return {};
  // [DANE-3.1-04] the SubjectPublicKeyInfo, not the bare key bits (stack.md pitfall 3).
  return c->subject_public_key_info();
}

bool record_matches(tlsa_record const& r, std::vector<std::uint8_t> const& cert_der) {
  if (spec::dane::usability(r) != spec::dane::tlsa_usability::usable) return false;  // [DANE-3.1-02]
  auto const content = select_content(cert_der, r.selector);
  if (content.empty()) return false;
  try {
    switch (r.matching) {
      case tlsa_matching::full: return content == r.data;                      // [DANE-3.1-04]
      case tlsa_matching::sha256: return digest("SHA-256", content) == r.data;  // [DANE-3.1-03]
      case tlsa_matching::sha512: return digest("SHA-512", content) == r.data;
    }
  } catch (std::exception const&) {
    return false;
  }
  return false;
}

net::dane_verdict dane_verify(der_chain const& chain, dane_params const& p) {
  if (p.records.empty()) return {net::dane_outcome::not_applicable, "no usable TLSA records"};
  if (chain.empty()) return {net::dane_outcome::failed, "no certificate presented"};
  std::string why;
  // DANE-EE first: it needs nothing but the leaf.
  for (auto const& r : p.records) {
    if (r.usage != tlsa_usage::dane_ee) continue;
    // [DANE-3.1.1-01][DANE-3.1.1-02][DANE-3.2.1-01] no name and no date checks.
    if (record_matches(r, chain.front())) return {net::dane_outcome::authenticated, "DANE-EE " + describe(r) + " matched the leaf"};
  }
  std::vector<Botan::X509_Certificate> certs;
  for (auto const& der : chain) {
    auto c = load(der);
    if (!c) break;
    certs.push_back(std::move(*c));
  }
  for (auto const& r : p.records) {
    if (r.usage != tlsa_usage::dane_ta) continue;
    // [DANE-3.1.2-01] the trust anchor is part of the presented chain, above the leaf.
    for (std::size_t k = 1; k < certs.size(); ++k) {
      if (!record_matches(r, chain[k])) continue;
      if (auto bad = check_path(certs, k, p.validation_time); !bad.empty()) {
        why = "DANE-TA " + describe(r) + " matched certificate " + std::to_string(k) + " but " + bad;
        continue;
      }
      // [DANE-3.2.2-01][DANE-3.2.2-02] the leaf must name a reference identifier.
      if (!names_match(certs.front(), p.reference_ids)) {
        why = "DANE-TA " + describe(r) + " matched certificate " + std::to_string(k) +
              " but the leaf names none of the reference identifiers";
        continue;
      }
      return {net::dane_outcome::authenticated,
              "DANE-TA " + describe(r) + " matched certificate " + std::to_string(k) + " of the chain"};
    }
  }
  // [DANE-3.2-02] usable records, none matched.
  if (why.empty()) why = "none of " + std::to_string(p.records.size()) + " usable TLSA records matched the chain";
  return {net::dane_outcome::failed, why};
}

net::dane_hook make_dane_hook(dane_params p) {
  return [p = std::move(p)](der_chain const& chain) { return dane_verify(chain, p); };
}

}  // namespace mxtls::client
