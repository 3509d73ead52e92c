// The validating DNS client of mxtls-send: queries over UDP (EDNS0, DO and CD set) with
// retries, TCP after truncation, random IDs and source ports, responses matched by ID and
// question; DNSSEC validated here from a trust anchor, never taken from a resolver's AD bit
// (DANE-2.1.1-01, DANE-2.1.3-02, DNS-06). Every answer is secure, insecure, bogus or indeterminate;
// the typed lookups turn bogus and indeterminate into errors (DANE-2.1.1-02) and keep
// SERVFAIL and timeouts apart from NXDOMAIN (DANE-2.1.2-03, X-30).
#pragma once

#include "mxtls/net/dns/errc.hpp"
#include "mxtls/net/dns/resolv_conf.hpp"
#include "mxtls/net/dns/trust_anchor.hpp"
#include "mxtls/net/dns/types.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace mxtls::net::dns {

struct client_options {
  server_address resolver;  ///< where queries go (see system_resolver(), --resolver)
  /// The anchor every chain of trust starts from. Without one every answer is insecure
  /// ("anchorless", DANE-2.1.1-02) and nothing is validated.
  std::optional<trust_anchor> anchor;
  std::chrono::milliseconds attempt_timeout{1000};  ///< one UDP attempt (or the TCP exchange)
  int udp_attempts = 3;                             ///< UDP tries before giving up
  std::chrono::milliseconds query_budget{5000};     ///< one query with all its attempts and TCP
  std::chrono::milliseconds lookup_budget{15000};   ///< one lookup with CNAMEs and the chain of trust
  std::uint16_t edns_udp_size = 1232;               ///< advertised EDNS0 buffer size
  bool cache = true;  ///< keep validated keys and zone cuts (for their TTL, on the clock below)
  /// The validation clock (RRSIG inception/expiration); the conformance world passes its own.
  std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
};

/// mxtls-send's defaults: the first nameserver of `resolv_conf` and the anchor in
/// `anchor_file` (Debian's dns-root-data). A missing or unreadable anchor is an error,
/// never a silent fall-back to insecure answers.
[[nodiscard]] result<client_options> system_client_options(std::string const& resolv_conf = "/etc/resolv.conf",
                                                          std::string const& anchor_file = default_trust_anchor_file);

class client {
 public:
  client(boost::asio::any_io_executor ex, client_options opt);
  ~client();
  client(client const&) = delete;
  client& operator=(client const&) = delete;

  /// One validated query, CNAMEs followed (up to 8). NOERROR (records or NODATA) and NXDOMAIN
  /// are answers; SERVFAIL, REFUSED, other RCODEs, timeouts and malformed replies are errors.
  /// The answer's status may be bogus or indeterminate: inspect it (the lookups below refuse).
  [[nodiscard]] boost::asio::awaitable<result<answer>> query(std::string name, rr_type type);

  /// MX RRset sorted by preference (stable). NODATA and NXDOMAIN are outcomes, not errors
  /// (the caller decides about the implicit MX); bogus, indeterminate or failed → error, and
  /// the caller defers without an implicit-MX fallback (DANE-2.1.2-01, DNS-05).
  [[nodiscard]] boost::asio::awaitable<result<mx_lookup>> lookup_mx(std::string domain);

  /// A then AAAA of a host; status is the weaker of the two. Either query failing, or either
  /// answer bogus, is an error: the host is unusable and the caller moves on to the next MX
  /// (DANE-2.1.2-02, DNS-07). Addresses come only from these queries' answer sections, never
  /// from another response's additional section (DNS-18).
  [[nodiscard]] boost::asio::awaitable<result<address_lookup>> lookup_addresses(std::string host);

  /// The TXT RRset, each record's character-strings kept apart (what select_sts_record takes).
  [[nodiscard]] boost::asio::awaitable<result<txt_lookup>> lookup_txt(std::string name);

  /// TLSA RDATA at _<port>._tcp.<host> (DANE-2.2.3-01), CNAMEs followed with their status
  /// (DANE-2.2.3-02). Any failure is an error that makes the host unusable (DANE-2.1.2-03, DNS-12). [DANE-2.2.2-01][DANE-2.2.2-02] Call it only after a secure address
  /// lookup of `host`; an insecure TLSA answer means "no DANE" (DANE-2.2-03).
  [[nodiscard]] boost::asio::awaitable<result<tlsa_lookup>> lookup_tlsa(std::uint16_t port, std::string host);

  /// Forgets validated keys and zone cuts (e.g. after the world changed a zone).
  void clear_cache();

  /// Queries sent so far (all transports), for tests and statistics.
  [[nodiscard]] std::uint64_t queries_sent() const noexcept;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace mxtls::net::dns
