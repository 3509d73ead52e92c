// DNSSEC verification primitives over received packets, no I/O (RFC 4035 §5): RRsets with
// their RRSIGs, signatures checked against validated keys at a given time, DNSKEY RRsets
// checked against DS or anchor records, and NSEC / NSEC3 denial proofs. The chain walk in
// client.cpp strings these together (DANE-2.1.1-01).
#pragma once

#include "ldns_wrap.hpp"

#include "mxtls/net/dns/types.hpp"

#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace mxtls::net::dns::detail {

/// One RRset of a packet section and the RRSIGs covering it (borrowed from the packet).
struct rrset_view {
  ldns_rdf const* owner = nullptr;
  std::uint16_t type = 0;
  std::vector<ldns_rr*> rrs;
  std::vector<ldns_rr*> sigs;
};

/// Groups a section into RRsets (owner compared case-insensitively) and attaches each
/// RRSIG to the RRset it covers.
[[nodiscard]] std::vector<rrset_view> group_rrsets(ldns_rr_list const* section);

/// The RRset (owner, type) of `sets`, or null.
[[nodiscard]] rrset_view const* find_rrset(std::vector<rrset_view> const& sets, ldns_rdf const* owner,
                                           std::uint16_t type);

/// An RRSIG's signer is `zone`, its labels field fits the owner, and one of `keys` verifies
/// it at `now` (inception <= now <= expiration, RFC 4035 §5.3.1). `wildcard` is set when
/// the RRSIG shows wildcard expansion (labels < owner labels, RFC 4035 §5.3.4).
struct sig_check {
  bool ok = false;
  bool wildcard = false;
  std::size_t labels = 0;  // the verified RRSIG's labels field
  std::string why;
};
[[nodiscard]] sig_check verify_rrset(rrset_view const& set, ldns_rr_list const* keys, ldns_rdf const* zone,
                                     std::time_t now);

/// The DNSKEY RRset of `zone` checked against trusted material: DS records of the parent
/// (validated) or anchor DS/DNSKEY records (RFC 4035 §5.2). Secure: some DNSKEY matches a
/// supported DS (or anchor DNSKEY) and signs the RRset; then every zone key is trusted.
/// Insecure: no DS uses a supported algorithm and digest. Otherwise bogus.
struct key_check {
  dnssec_status status = dnssec_status::bogus;
  rr_list_ptr keys;  // the zone's DNSKEYs when secure (owned clones)
  std::string why;
};
[[nodiscard]] key_check validate_dnskeys(rrset_view const* dnskeys, std::vector<ldns_rr const*> const& trusted,
                                         ldns_rdf const* zone, std::time_t now);

/// Algorithms ldns verifies here (RSA/SHA-1, RSA/SHA-2, ECDSA, EdDSA) and DS digests
/// (SHA-1, SHA-256, SHA-384).
[[nodiscard]] bool algorithm_supported(std::uint8_t alg) noexcept;
[[nodiscard]] bool digest_supported(std::uint8_t digest) noexcept;

/// The NSEC and NSEC3 records of a section whose RRsets `zone`'s keys verify at `now`.
/// Records that fail verification are left out and counted in `rejected`.
struct denial_records {
  std::vector<ldns_rr*> nsec;
  std::vector<ldns_rr*> nsec3;
  std::size_t rejected = 0;
  std::string why;  // the first rejection
};
[[nodiscard]] denial_records verified_denials(std::vector<rrset_view> const& authority, ldns_rr_list const* keys,
                                              ldns_rdf const* zone, std::time_t now);

/// What the verified denial records say about (name, type) in `zone`.
enum class denial_kind {
  none,                 ///< no proof
  nodata,               ///< the name exists without the type (and without a CNAME)
  nxdomain,             ///< the name does not exist (and no wildcard could have matched)
  insecure_delegation,  ///< name is a zone cut without DS (NS bit, no DS, no SOA; or NSEC3 opt-out)
};

/// [RFC 4035 §5.4, RFC 5155 §8] Evaluates a DS query's denial at `name`: nodata for a name
/// that is not a zone cut, insecure_delegation for an unsigned cut, nxdomain for a missing name.
[[nodiscard]] denial_kind ds_denial(denial_records const& d, ldns_rdf const* name, ldns_rdf const* zone);

/// [RFC 4035 §5.4, RFC 5155 §8.5-8.7] True when the records prove NODATA for (name, type).
[[nodiscard]] bool proves_nodata(denial_records const& d, ldns_rdf const* name, std::uint16_t type,
                                 ldns_rdf const* zone);

/// [RFC 4035 §5.4, RFC 5155 §8.4] True when the records prove that `name` does not exist,
/// including the wildcard at its closest encloser.
[[nodiscard]] bool proves_nxdomain(denial_records const& d, ldns_rdf const* name, ldns_rdf const* zone);

/// [RFC 4035 §5.3.4, RFC 5155 §8.8] For a wildcard-expanded answer whose RRSIG has
/// `sig_labels` labels: the records prove that no closer name than the wildcard matched.
[[nodiscard]] bool proves_wildcard_expansion(denial_records const& d, ldns_rdf const* name, std::size_t sig_labels,
                                             ldns_rdf const* zone);

}  // namespace mxtls::net::dns::detail
