// The conformance world's DNS: an in-memory authority holding a signed test root, a TLD
// and any number of per-case zones, each secure (signed, DS in the parent), insecure
// (unsigned, the parent's NSEC proves no DS) or bogus (bad signatures, DS mismatch, expired
// signatures). It answers queries as wire bytes, with per-name faults (SERVFAIL, drop,
// truncation, corrupted signatures) and optional resolver behaviour (AD bit), so clients
// see every DNSSEC state of RFC 4035 §4.3 (DANE-2.1.1-01, DANE-2.1.1-02, DANE-2.1.3-02).
// Thread-safe: zones may change while a server answers from them.
#pragma once

#include "mxtls/net/dns/errc.hpp"
#include "mxtls/net/dns/types.hpp"

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::net::dns {

/// How a zone is published.
enum class zone_security : std::uint8_t {
  secure,              ///< signed with its own key, DS in the parent
  insecure,            ///< unsigned, NS but no DS in the parent (signed NSEC proves it)
  bogus_signatures,    ///< signed, DS in the parent, but every RRSIG except the DNSKEY one corrupted
  bogus_ds,            ///< signed, but the parent's DS matches no key of the zone
  expired_signatures,  ///< signed, but every signature expired before the authority's clock
};

[[nodiscard]] char const* to_string(zone_security s) noexcept;

/// How a signed zone proves that names and types do not exist.
enum class denial_method : std::uint8_t {
  nsec,           ///< RFC 4034 NSEC chain (the default)
  nsec3,          ///< RFC 5155 NSEC3: SHA-1, no extra iterations, empty salt (RFC 9276)
  nsec3_opt_out,  ///< NSEC3 with opt-out: unsigned delegations get no NSEC3 of their own
};

[[nodiscard]] char const* to_string(denial_method d) noexcept;

/// A zone to create. Records are in presentation format; owners may be relative to the
/// zone ("mx", "@", "_mta-sts") or absolute ("mx.case1.test."); TTL and class are optional.
/// The authority adds SOA, NS (ns.<zone>) with its address records, DNSKEY and signatures.
struct zone_spec {
  std::string name;  ///< e.g. "case1.test"; must sit below a zone the authority holds
  zone_security security = zone_security::secure;
  std::vector<std::string> records;
  denial_method denial = denial_method::nsec;  ///< how the zone (when signed) denies existence
};

struct authority_options {
  std::string tld = "test";  ///< RFC 2606 reserved: never collides with real names
  /// Addresses of every zone's name server host ns.<zone> (A/AAAA records and glue).
  std::vector<boost::asio::ip::address> ns_addresses{boost::asio::ip::make_address("127.0.0.1")};
  /// The signing clock: inception = now - 1 h, expiration = now + signature_validity.
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  std::chrono::seconds signature_validity = std::chrono::hours(24 * 14);
  std::uint32_t default_ttl = 300;
};

/// Misbehaviour injected for a name (or a whole subtree) at answer time.
enum class fault : std::uint8_t {
  none,
  servfail,          ///< answer SERVFAIL
  refused,           ///< answer REFUSED
  drop,              ///< never answer (the client times out)
  truncate,          ///< over UDP always answer TC with no records (TCP answers normally)
  bogus_signatures,  ///< corrupt every RRSIG in the answer
};

[[nodiscard]] char const* to_string(fault f) noexcept;

/// How the authority presents itself to clients.
enum class resolver_mode : std::uint8_t {
  authoritative,  ///< AA set, AD never set
  validating,     ///< like a validating resolver: AD on answers from secure zones, SERVFAIL
                  ///< for bogus zones unless the query sets CD
  ad_always,      ///< AD on every answer, bogus or not: the "untrusted AD" fault (X-45)
};

enum class transport : std::uint8_t { udp, tcp };

/// One query as the authority saw it.
struct query_log_entry {
  std::string name;  ///< lower case, no trailing dot
  rr_type type = rr_type::a;
  transport via = transport::udp;
  bool dnssec_ok = false;           ///< the DO bit
  std::optional<rcode> answered;    ///< empty when dropped (fault::drop or unparsable)
  bool truncated = false;           ///< TC was set
};

/// Trust-anchor formats (both are read by ldns, unbound and client::trust_anchor).
enum class anchor_format : std::uint8_t { ds, dnskey };

class authority {
 public:
  /// Creates and signs the root and the TLD (both secure), one ECDSA P-256 CSK each
  /// (algorithm 13). Throws std::runtime_error only if the crypto library fails.
  explicit authority(authority_options opt = {});
  ~authority();
  authority(authority const&) = delete;
  authority& operator=(authority const&) = delete;

  /// Adds a zone below a held zone; its parent gets the delegation (NS, glue, DS when
  /// signed) and is re-signed.
  [[nodiscard]] result<void> add_zone(zone_spec const& spec);
  /// Changes how a zone is published (re-signs it and its parent).
  [[nodiscard]] result<void> set_security(std::string_view zone, zone_security s);
  /// Changes how a zone denies existence (NSEC, NSEC3, NSEC3 opt-out) and re-signs it.
  [[nodiscard]] result<void> set_denial(std::string_view zone, denial_method d);
  /// Adds records to a zone (same syntax as zone_spec::records) and re-signs it.
  [[nodiscard]] result<void> add_records(std::string_view zone, std::vector<std::string> const& rrs);
  /// Removes the RRset (owner, type) from whichever zone holds the owner; no-op if absent.
  [[nodiscard]] result<void> remove_rrset(std::string_view owner, rr_type type);
  /// remove_rrset + add_records, signed once.
  [[nodiscard]] result<void> replace_rrset(std::string_view zone, std::string_view owner, rr_type type,
                                           std::vector<std::string> const& rrs);
  /// Moves the signing clock and re-signs every zone (the world's clock, e.g. for expiry).
  void set_time(std::chrono::system_clock::time_point now);

  /// The root trust anchor, one record line (DS with SHA-256 digest, or the DNSKEY).
  [[nodiscard]] std::string trust_anchor_text(anchor_format f = anchor_format::ds) const;
  /// Writes trust_anchor_text(f) to a file.
  [[nodiscard]] result<void> write_trust_anchor(std::string const& path,
                                                anchor_format f = anchor_format::ds) const;
  /// The zone as served (with DNSSEC records), in presentation format, one RR per line.
  [[nodiscard]] result<std::string> zone_text(std::string_view zone) const;
  /// The zones held, root first ("." , "test", "case1.test", ...).
  [[nodiscard]] std::vector<std::string> zones() const;

  /// Injects `f` for queries whose name is `name` (or, with subtree, at or below it);
  /// `only` limits it to one query type. fault::none removes the rule.
  void set_fault(std::string_view name, fault f, bool subtree = false,
                 std::optional<rr_type> only = std::nullopt);
  void clear_faults();
  void set_resolver_mode(resolver_mode m);

  /// Answers one query message. Returns no bytes when the query is dropped (fault::drop,
  /// or too short to hold a header). Over UDP answers larger than the client's EDNS
  /// buffer size (512 without EDNS) are truncated (TC set, sections emptied).
  [[nodiscard]] std::optional<std::vector<std::uint8_t>> respond(std::span<std::uint8_t const> query,
                                                                 transport via);

  /// A copy of the query log (every query since construction or the last clear).
  [[nodiscard]] std::vector<query_log_entry> query_log() const;
  void clear_query_log();
  /// Called (under no lock) for every query answered or dropped, e.g. to print it.
  void on_query(std::function<void(query_log_entry const&)> cb);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace mxtls::net::dns
