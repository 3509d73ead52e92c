// TLSA record data (RFC 6698 §2) and which records an SMTP client may use (RFC 7672 §2.2,
// §3.1). No cryptography here: matching against certificates happens in net/ with Botan.
// Implements DANE-3.1-01..03, DANE-3.1.3-02, DANE-2.2-01..03.
#pragma once

#include "mxtls/spec/dane/errc.hpp"
#include "mxtls/spec/error.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::spec::dane {

/// Certificate usage. The underlying type holds every octet, so unassigned values
/// (4..255) are representable and classified as unusable, not rejected.
enum class tlsa_usage : std::uint8_t { pkix_ta = 0, pkix_ee = 1, dane_ta = 2, dane_ee = 3 };
/// Selector: the whole certificate or its SubjectPublicKeyInfo.
enum class tlsa_selector : std::uint8_t { cert = 0, spki = 1 };
/// Matching type: the DER itself or its SHA2-256 / SHA2-512 digest.
enum class tlsa_matching : std::uint8_t { full = 0, sha256 = 1, sha512 = 2 };

struct tlsa_record {
  tlsa_usage usage = tlsa_usage::dane_ee;
  tlsa_selector selector = tlsa_selector::spki;
  tlsa_matching matching = tlsa_matching::sha256;
  std::vector<std::uint8_t> data;  ///< certificate association data
  friend bool operator==(tlsa_record const&, tlsa_record const&) = default;
};

/// Largest RDATA of any DNS record (RDLENGTH is 16 bits).
inline constexpr std::size_t max_rdata_octets = 65535;
/// Bound on the presentation form: every data octet as two hex digits plus spacing.
inline constexpr std::size_t max_text_octets = 4 * max_rdata_octets;

/// [DANE-3.1-01] RDATA: usage, selector, matching type (one octet each), then the data
/// (possibly empty; such a record is unusable, see usability()).
[[nodiscard]] result<tlsa_record> parse_tlsa_rdata(std::span<const std::uint8_t> rdata);

/// [DANE-3.1-01] presentation form "USAGE SELECTOR MATCHING HEX": three decimal fields
/// 0..255 separated by white space, then at least one pair of hex digits; white space
/// may appear anywhere inside the hex (RFC 6698 §2.2). Leading and trailing white space
/// is ignored. Error offsets count from the start of `text`.
[[nodiscard]] result<tlsa_record> parse_tlsa_text(std::string_view text);

/// The RDATA octets of `r`.
[[nodiscard]] std::vector<std::uint8_t> to_rdata(tlsa_record const& r);

/// "3 1 1 0123ABCD..." (upper-case hex, no spaces inside), as dig prints it.
[[nodiscard]] std::string to_text(tlsa_record const& r);

/// Why a record can or cannot authenticate a server, checked in this order.
enum class tlsa_usability {
  usable,
  unusable_usage,              ///< [DANE-3.1.3-02] PKIX-TA(0) / PKIX-EE(1)
  unusable_unknown_parameter,  ///< [DANE-3.1-02] usage > 3, selector > 1 or matching > 2
  unusable_empty_data,         ///< [DANE-3.1-03] no certificate association data
  unusable_bad_digest_length,  ///< [DANE-3.1-03] SHA2-256 data not 32 octets, SHA2-512 not 64
};

[[nodiscard]] tlsa_usability usability(tlsa_record const& r) noexcept;

/// What a secure TLSA RRset asks of the client.
enum class tlsa_rrset_state {
  no_records,    ///< [DANE-2.2-03] securely empty: pre-DANE opportunistic TLS
  usable,        ///< [DANE-2.2-01] at least one usable record: authenticated TLS
  all_unusable,  ///< [DANE-2.2-02] TLS required, but without authentication
};

/// Classifies a secure RRset (the DNSSEC state is the caller's business).
[[nodiscard]] tlsa_rrset_state classify_rrset(std::span<const tlsa_record> rrset) noexcept;

/// RFC 7218 mnemonics: "PKIX-TA", "DANE-EE", "Cert", "SPKI", "Full", "SHA2-256", ...;
/// unassigned values print as "unassigned".
[[nodiscard]] std::string_view to_string(tlsa_usage u) noexcept;
[[nodiscard]] std::string_view to_string(tlsa_selector s) noexcept;
[[nodiscard]] std::string_view to_string(tlsa_matching m) noexcept;
[[nodiscard]] std::string_view to_string(tlsa_usability u) noexcept;
[[nodiscard]] std::string_view to_string(tlsa_rrset_state s) noexcept;

}  // namespace mxtls::spec::dane
