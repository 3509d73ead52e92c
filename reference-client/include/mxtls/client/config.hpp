// Everything mxtls-send is told from outside: resolver and trust anchor (DANE-2.1.1-01,
// DNS-06), trust store for PKIX (PFX-12, STS-4.2-01), ports (P26-01), the clock (BAN-25,
// STS-3.3-11), timeouts (SMTP-4.5.3.2-01, P26-18, STS-3.3-08), limits, and the transport
// overrides that let tests and the conformance world run every peer on loopback.
#pragma once

#include "mxtls/client/message.hpp"
#include "mxtls/client/misbehave.hpp"
#include "mxtls/client/sts_cache.hpp"
#include "mxtls/net/dns/resolv_conf.hpp"
#include "mxtls/net/dns/trust_anchor.hpp"

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mxtls::client {

using namespace std::chrono_literals;

struct timeouts {
  std::chrono::milliseconds connect = 30s;           ///< TCP connect to the SMTP port
  std::chrono::milliseconds implicit_connect = 30s;  ///< [P26-18] TCP connect to the implicit-TLS port
  std::chrono::milliseconds implicit_setup = 60s;    ///< [P26-18] connect + handshake + greeting there
  std::chrono::milliseconds greeting = 300s;         ///< [SMTP-4.5.3.2.1-01]
  std::chrono::milliseconds command = 300s;          ///< EHLO, STARTTLS, MAIL, RCPT [SMTP-4.5.3.2.2-01][SMTP-4.5.3.2.3-01]
  std::chrono::milliseconds tls_handshake = 60s;
  std::chrono::milliseconds data_init = 120s;        ///< [SMTP-4.5.3.2.4-01]
  std::chrono::milliseconds data_block = 180s;       ///< [SMTP-4.5.3.2.5-01]
  std::chrono::milliseconds data_end = 600s;         ///< [SMTP-4.5.3.2.6-01]
  std::chrono::milliseconds quit = 10s;              ///< waiting for 221 (best effort)
  std::chrono::milliseconds dns_attempt = 1s;        ///< one UDP attempt
  std::chrono::milliseconds dns_query = 5s;          ///< one query with its retries
  std::chrono::milliseconds dns_lookup = 15s;        ///< one lookup with CNAMEs and the chain of trust
  std::chrono::milliseconds https = 60s;             ///< [STS-3.3-08] the whole policy fetch

  /// Every SMTP timeout set to `t` (the CLI's --command-timeout shorthand).
  void set_smtp(std::chrono::milliseconds t) {
    greeting = command = data_init = data_block = data_end = t;
  }
};

/// Where to connect instead of the service ports, for one address.
struct port_override {
  std::uint16_t smtp = 25;                     ///< instead of port 25
  std::optional<std::uint16_t> implicit_tls;   ///< instead of the implicit-TLS port
};

struct client_config {
  /// The EHLO argument (a Domain or address literal).
  std::string helo = "localhost";

  // --- DNS ---
  net::dns::server_address resolver;  ///< --resolver, else the first nameserver of /etc/resolv.conf
  /// [DNS-06][DANE-2.1.1-01] the anchor of every chain of trust; without one every answer is
  /// insecure (no DANE, prefixes still honoured, DNS-03).
  std::optional<net::dns::trust_anchor> trust_anchor;

  // --- PKIX ---
  bool system_trust = true;          ///< the system store (/etc/ssl/certs); --ca turns it off
  std::string ca_file;               ///< --ca: PEM trust anchors
  std::vector<std::string> ca_pem;   ///< extra trust anchors (tests)

  // --- ports ---
  /// Where port-25 sessions connect. The service is still "port 25": its TLSA records are
  /// looked up at _25._tcp (DANE-2.2.3-01).
  std::uint16_t smtp_port = 25;
  /// [P26-01] the implicit-TLS port of smtps- hosts; TLSA at _<port>._tcp (P26-10).
  std::uint16_t implicit_tls_port = 26;
  /// Per-address transport overrides (--port-map): the addresses still come from DNS.
  std::map<boost::asio::ip::address, port_override> port_map;

  // --- MTA-STS policy fetch ---
  std::optional<std::uint16_t> https_port;                 ///< instead of 443
  std::optional<boost::asio::ip::address> https_address;   ///< instead of resolving mta-sts.<domain>

  /// The sender's clock in Unix seconds (--now makes it the world's clock).
  std::function<unix_seconds()> now = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };

  timeouts timeout;
  message_limits limits;

  /// [SMTP-5.1-01] try MX hosts of equal preference in random order.
  bool shuffle_equal_preference = true;

  /// TEST ONLY (--test-misbehave): deliberate non-conformance, for proving that the
  /// conformance suite's sender cases can fail. Empty in every real use.
  misbehaviours misbehave;
};

}  // namespace mxtls::client
