// A loopback world for mxtls-send's tests: the net/dns test authority and server (secure,
// insecure and bogus zones), a test PKI, MTA-STS policy hosts (net::policy_server) and tiny
// scripted SMTP receivers, each on its own 127.1.x.y address with ephemeral ports that the
// client reaches through client_config::port_map (the --port-map mechanism). Everything runs
// on one io_context thread; every wait is bounded, so each test stops by itself.
#pragma once

#include "mxtls/client/config.hpp"
#include "mxtls/client/delivery.hpp"
#include "mxtls/client/state.hpp"
#include "mxtls/net/dns/authority.hpp"
#include "mxtls/net/dns/server.hpp"
#include "mxtls/net/https.hpp"
#include "mxtls/net/pki.hpp"
#include "mxtls/net/tls.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace mxtls::client::test {

namespace asio = boost::asio;

/// The root CA every test trusts, and one nobody trusts.
net::pki::authority const& test_ca();
net::pki::authority const& rogue_ca();

enum class cert_kind : std::uint8_t {
  valid,        ///< issued by test_ca() for the host name
  wrong_name,   ///< issued by test_ca() for another name
  self_signed,  ///< for the host name, trusted by nobody (DANE-EE material)
  expired,      ///< issued by test_ca() for the host name, notAfter in the past
  untrusted,    ///< issued by rogue_ca() for the host name
  none,         ///< no certificate: STARTTLS answered 454, implicit TLS impossible
};

/// A leaf for `host` of the given kind.
net::pki::issued make_leaf(std::string const& host, cert_kind kind);

/// What a scripted receiver does.
struct peer_script {
  std::string host = "mx.example.test";  ///< EHLO domain
  std::optional<net::pki::issued> leaf;  ///< the certificate (none: STARTTLS 454)
  bool implicit_tls = false;             ///< TLS right after accept (the port-26 listener)
  bool reset_on_connect = false;         ///< RST at once (SO_LINGER 0)
  std::string greeting_text = "ESMTP mxtls test peer";  ///< after the host on the 220 line
  std::string ehlo_greet_plain;          ///< after the host on the first EHLO line, before TLS
  std::string ehlo_greet_tls;            ///< the same inside TLS
  bool offer_starttls = true;
  bool offer_starttls_in_tls = false;    ///< STARTTLS still listed in the post-TLS EHLO reply (X-07)
  bool forget_ehlo_on_tls = false;       ///< MAIL inside TLS before a new EHLO gets 503 (X-09)
  std::uint16_t starttls_code = 220;
  std::string inject_after_ready;        ///< octets written with "220 ready" (TLS-4-11 attack)
  std::uint16_t mail_code = 250;
  std::uint16_t rcpt_code = 250;
  std::uint16_t final_code = 250;
  bool eightbitmime = true;
};

/// What one connection saw.
struct peer_session {
  bool tls = false;                 ///< a handshake completed
  bool implicit = false;
  bool handshake_failed = false;
  std::string sni;
  bool mail_from_plaintext = false; ///< MAIL FROM arrived outside TLS
  bool mail_from_tls = false;
  std::vector<std::string> commands;  ///< verbs in order, "TLS" marks the handshake
  std::vector<std::string> rcpts;
  std::vector<std::string> messages;  ///< dot-unstuffed data of accepted messages
};

class smtp_peer {
 public:
  smtp_peer(asio::any_io_executor ex, peer_script script);
  ~smtp_peer();
  smtp_peer(smtp_peer const&) = delete;
  smtp_peer& operator=(smtp_peer const&) = delete;

  /// Listens on address:0; returns the port.
  std::uint16_t start(asio::ip::address address);
  void stop();

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::vector<peer_session> sessions() const;
  [[nodiscard]] std::size_t connections() const { return sessions().size(); }
  [[nodiscard]] bool saw_mail_in_plaintext() const;
  [[nodiscard]] bool saw_any_mail() const;
  [[nodiscard]] std::size_t messages_over_tls() const;
  [[nodiscard]] std::size_t messages_in_plaintext() const;

  struct state;

 private:
  std::shared_ptr<state> state_;
  std::uint16_t port_ = 0;
};

/// An MX host of a test: its address, its port-25 peer and (for smtps-) its port-26 peer.
struct mx_host {
  std::string name;
  asio::ip::address address;
  std::shared_ptr<smtp_peer> smtp;
  std::shared_ptr<smtp_peer> implicit;  ///< may be null
  std::uint16_t implicit_port = 0;      ///< where the implicit-TLS port maps (a closed port if no peer)
};

class test_world {
 public:
  test_world();
  ~test_world();
  test_world(test_world const&) = delete;
  test_world& operator=(test_world const&) = delete;

  [[nodiscard]] asio::any_io_executor executor() { return io_.get_executor(); }
  [[nodiscard]] net::dns::authority& zones() { return *zones_; }
  [[nodiscard]] std::uint16_t dns_port() const noexcept { return dns_port_; }

  /// A fresh zone name below "test" ("t17.test").
  std::string new_zone_name();
  /// A fresh loopback address 127.1.x.y (unique in this process).
  asio::ip::address new_address();

  void add_zone(std::string const& name, net::dns::zone_security security, std::vector<std::string> records);

  /// Starts a port-25 peer for `name` on a fresh address (and a port-26 peer if given); the
  /// caller publishes the A record (mx_host::address).
  mx_host start_host(std::string const& name, peer_script smtp, std::optional<peer_script> implicit = std::nullopt);

  /// An MTA-STS policy host for `domain` on a fresh address (certificate for
  /// mta-sts.<domain> unless `cert` says otherwise); returns the server and its address.
  struct policy_host {
    net::policy_server* server = nullptr;  ///< owned by the world
    asio::ip::address address;
    std::uint16_t port = 0;
  };
  policy_host start_policy_host(std::string const& domain, std::string body, cert_kind cert = cert_kind::valid,
                                std::function<net::http_response(net::policy_request const&)> script = {});

  /// Requests the policy host answered so far.
  [[nodiscard]] std::size_t policy_requests(policy_host const& h);

  /// A configuration reaching this world: resolver, trust anchor, the test CA only, short
  /// timeouts, stable MX order, the port map of every host started so far.
  [[nodiscard]] client_config config() const;

  /// Files for running the binary: the trust anchor and the CA certificate.
  [[nodiscard]] std::string const& trust_anchor_file() const noexcept { return anchor_file_; }
  [[nodiscard]] std::string const& ca_file() const noexcept { return ca_file_; }
  [[nodiscard]] std::string const& dir() const noexcept { return dir_; }

  /// Runs `f` on the world's thread and waits for it.
  void run_on_world(std::function<void()> f);

 private:
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::thread thread_;
  std::shared_ptr<net::dns::authority> zones_;
  std::unique_ptr<net::dns::server> dns_;
  std::uint16_t dns_port_ = 0;
  std::string anchor_text_;
  std::string dir_, anchor_file_, ca_file_;
  mutable std::mutex mu_;
  std::map<asio::ip::address, port_override> port_map_;
  std::vector<std::shared_ptr<smtp_peer>> peers_;
  std::vector<std::unique_ptr<net::policy_server>> policy_hosts_;
};

/// The default test message.
inline constexpr char const* default_message = "Subject: mxtls test\r\nFrom: a@sender.test\r\n\r\nHello.\r\n.dot line\r\n";

/// Delivers one message from a@sender.test to `to` with `cfg` and `state`.
delivery_report deliver_to(client_config const& cfg, state_store& state, std::vector<std::string> const& to,
                           std::string const& message = default_message);

/// A time well inside every certificate's validity window (the wall clock).
unix_seconds wall_now();

}  // namespace mxtls::client::test
