// Scripted SMTP peers of the conformance world: a fake SMTP server on a loopback port,
// driven by a peer_script (data): greeting with or without a strict-tls= directive, EHLO
// capabilities before and after TLS, the STARTTLS answer, the certificate, and the faults
// real receivers have had: STARTTLS stripped or answered 454/501, pipelined commands run
// inside TLS (CVE-2011-0411, TLS-4-10), bytes injected after "220 Ready" (X-08, TLS-4-11),
// STARTTLS re-advertised after TLS (TLS-4.2-06), RST on connect (port 26, proposal §9.3),
// drop after 220, slow drip, SNI required (STS-7.1-05), no state reset after TLS
// (TLS-4.2-01). Every session is recorded for outcome oracles: envelope, TLS or not, SNI.
#pragma once

#include "mxtls/net/tls.hpp"
#include "mxtls/spec/smtp/reply.hpp"
#include "runner/model.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mxtls::conformance {

/// What the peer does with a new TCP connection before any SMTP.
enum class connect_action : std::uint8_t {
  serve,  ///< run the script
  reset,  ///< close at once with SO_LINGER 0: the client sees a TCP RST (port-26 attack)
  close,  ///< orderly close without a byte
};

/// The behaviour of a scripted peer. Defaults: a well-behaved STARTTLS receiver.
struct peer_script {
  std::string host = "mx.example.test";  ///< first word of the EHLO reply

  // --- connection ---
  connect_action on_connect = connect_action::serve;
  bool implicit_tls = false;  ///< handshake right after accept, greeting inside TLS (P26-02)
  bool silent = false;        ///< never greet, never answer; wait for the client to give up
  bool send_greeting = true;  ///< false: no greeting, but commands are answered
  std::chrono::milliseconds greeting_delay{0};
  std::uint16_t greeting_code = 220;
  /// Text lines of the greeting (a directive, when wanted, is part of a line).
  std::vector<std::string> greeting = {"mx.example.test ESMTP mxtls scripted peer"};
  bool drop_after_greeting = false;
  /// > 0: every reply is written one octet at a time with this pause (slow drip).
  std::chrono::milliseconds drip{0};
  std::chrono::milliseconds idle_timeout{10000};  ///< close after no command for this long

  // --- EHLO ---
  std::string ehlo_greet;      ///< text after the domain on the first EHLO line, before TLS
  std::string ehlo_greet_tls;  ///< the same after TLS (where BAN-16 puts the directive)
  std::vector<std::string> ehlo_plain = {"PIPELINING", "SIZE 10240000", "STARTTLS", "ENHANCEDSTATUSCODES", "8BITMIME"};
  std::vector<std::string> ehlo_tls = {"PIPELINING", "SIZE 10240000", "ENHANCEDSTATUSCODES", "8BITMIME"};

  // --- STARTTLS ---
  /// The answer to STARTTLS; anything but 220 leaves the session in plaintext (454, 501, 5xx).
  spec::smtp::reply starttls_reply{220, {"2.0.0 Ready to start TLS"}};
  /// [TLS-4-02] "STARTTLS x" gets 501; false: handled like STARTTLS (broken).
  bool starttls_params_rejected = true;
  /// STARTTLS while TLS is active (second STARTTLS, or on the implicit-TLS port):
  /// [TLS-4.2-08][P26-05] 5xx; a 2xx here is the broken behaviour.
  spec::smtp::reply starttls_when_tls{503, {"5.5.1 Error: TLS already active"}};
  /// CVE-2011-0411: commands pipelined behind STARTTLS are executed inside TLS.
  bool execute_pipelined_after_starttls = false;
  /// Input pipelined behind STARTTLS is refused: "554 5.5.0 ...", then close (mxtls-serve).
  bool refuse_pipelined_starttls = false;
  /// octets appended to the 220 Ready in the same write (e.g. "250 injected\r\n").
  std::string inject_after_ready;
  bool drop_after_ready = false;  ///< X-06: close after "220 Ready", before the handshake
  /// [TLS-4.2-01] forget EHLO and the transaction after TLS; false: MAIL without a new
  /// EHLO is accepted (broken).
  bool reset_after_tls = true;

  // --- transactions ---
  bool require_helo = true;  ///< 503 to MAIL before EHLO/HELO; false: accepted (Postfix default)
  bool require_tls_for_mail = false;  ///< 530 to MAIL before TLS (TLS-4-08, private servers only)
  bool accept_rcpt = true;            ///< false: 550 to every RCPT
  std::size_t max_message_octets = 10 * 1024 * 1024;

  // --- TLS ---
  /// Chains selected by SNI as net::tls_config::chains (e.g. world::pki().chain(host,
  /// cert_kind::expired), or PEM files via chain_file/key_file); empty: STARTTLS gets 454
  /// and implicit TLS fails (no certificate).
  std::vector<net::server_chain> chains;
  bool require_sni = false;  ///< abort handshakes whose SNI matches no chain (STS-7.1-05 broken)
  net::tls_version tls_min = net::tls_version::tls1_2;
  net::tls_version tls_max = net::tls_version::tls1_2;
  /// Botan cipher names (net::tls_config::ciphers); empty: AEAD only, or AEAD plus CBC when
  /// tls_min is below TLS 1.2 (a legacy server must offer suites TLS 1.0/1.1 can use).
  std::vector<std::string> tls_ciphers;
};

/// One message the peer accepted.
struct peer_message {
  std::string mail_from;  ///< the MAIL FROM argument after "FROM:"
  std::vector<std::string> rcpt_to;
  std::string data;  ///< dot-unstuffed, CRLF line ends
  bool over_tls = false;
  std::string tls_version;
};

/// What one connection did, for oracles ("was MAIL FROM ever sent in plaintext?").
struct peer_session {
  std::size_t index = 0;
  std::string client;            ///< address:port of the client
  bool implicit_tls = false;
  bool tls = false;              ///< a TLS handshake completed
  std::string tls_version;
  std::string tls_cipher;
  std::string sni;               ///< SNI received ("" if none)
  std::string tls_error;         ///< why a handshake failed
  std::vector<std::string> helo;  ///< EHLO/HELO arguments in order
  bool mail_from_in_plaintext = false;
  bool mail_from_over_tls = false;
  std::string pipelined_after_starttls;  ///< octets that followed STARTTLS in the same read
  std::vector<peer_message> messages;
  std::vector<transcript_entry> wire;  ///< "C" client -> peer, "S" peer -> client, "tls", "note"
  bool ended = false;
};

/// A running scripted peer. Runs on the given executor (internally serialised by a strand);
/// stop() and sessions() may be called from any thread.
class smtp_peer {
 public:
  smtp_peer(boost::asio::any_io_executor ex, peer_script script);
  ~smtp_peer();
  smtp_peer(smtp_peer const&) = delete;
  smtp_peer& operator=(smtp_peer const&) = delete;

  /// Creates the TLS context from the script and listens (port 0: ephemeral); returns the
  /// bound port. Throws std::runtime_error when it cannot serve (bad certificate, address
  /// in use): that is a startup configuration error of the world, not peer behaviour.
  std::uint16_t start(
      boost::asio::ip::address address = boost::asio::ip::make_address("127.0.0.1"), std::uint16_t port = 0);

  [[nodiscard]] std::uint16_t port() const noexcept;
  [[nodiscard]] peer_script const& script() const noexcept;

  /// Stops accepting and closes every connection (asynchronously, on the peer's strand).
  void stop();
  /// The same, and returns only when the listening socket is closed, so another peer can bind
  /// its address and port at once. Never call it on the executor's thread from outside the
  /// peer's strand (it would wait for itself).
  void stop_and_wait();

  /// Snapshot of every session so far, in accept order.
  [[nodiscard]] std::vector<peer_session> sessions() const;

  struct state;

 private:
  std::shared_ptr<state> state_;
};

}  // namespace mxtls::conformance
