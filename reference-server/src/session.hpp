// The sans-I/O SMTP server core of mxtls-serve: events in (connected, bytes, TLS up,
// message stored, timeout), replies and one next step out (read, start TLS, deliver,
// close). No sockets, clocks or files: the shell (server.cpp) does those.
// Implements TLS-4-02, TLS-4-10, TLS-4.2-01/02/06/08, RTLS-2-01/03, P26-*, BAN-* (greeting
// and post-TLS EHLO), SMTP-4.5.3.1.* limits and RFC 5321 command sequencing.
#pragma once

#include "envelope.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::server {

/// What a listener does at connect time.
enum class listener_kind {
  starttls,      ///< plaintext greeting, STARTTLS offered (port 25)
  implicit_tls,  ///< TLS handshake first, greeting inside TLS, no STARTTLS (port 26)
};

/// The parts of the configuration the core needs.
struct session_settings {
  std::string hostname;
  std::vector<std::string> domains;  ///< lower case
  std::string greeting_text = "ESMTP mxtls-serve";
  std::string strict_tls;            ///< a validated "strict-tls=..." directive, or empty
  std::uint64_t max_message_size = 25u * 1024u * 1024u;
  std::size_t max_recipients = 100;
  std::size_t max_errors = 10;
  bool tls_available = true;         ///< a certificate is loaded: STARTTLS can be offered
};

/// What the shell does after sending `bytes`.
enum class next_step {
  read,       ///< read more bytes and call on_bytes()
  start_tls,  ///< run the TLS handshake as server, then on_tls_established()/on_tls_failed()
  deliver,    ///< store pending_message(), then call on_delivered()
  close,      ///< close the connection
};

/// One answer of the core.
struct output {
  std::string bytes;               ///< replies to send, in order
  next_step next = next_step::read;
  std::vector<std::string> events;  ///< log fragments "event=... key=value" for the shell
};

/// Largest command line in octets including CRLF [SMTP-4.5.3.1.4-01].
inline constexpr std::size_t command_line_limit = 512;
/// Largest DATA text line in octets including CRLF [SMTP-4.5.3.1.6-01].
inline constexpr std::size_t text_line_limit = 1000;

class session {
 public:
  session(session_settings const& settings, listener_kind kind, std::string session_id,
          std::string peer_address);

  /// TCP accepted. STARTTLS listener: the 220 greeting. Implicit-TLS listener: start_tls.
  [[nodiscard]] output on_connected();

  /// The TLS handshake completed. Implicit TLS: the 220 greeting (inside TLS).
  /// STARTTLS: no reply; the protocol is back to its initial state [TLS-4.2-01].
  [[nodiscard]] output on_tls_established(tls_facts const& facts);

  /// The TLS handshake failed: close (never continue in plaintext) [IMP-3-03].
  [[nodiscard]] output on_tls_failed(std::string_view reason);

  /// Bytes from the client (plaintext or decrypted). Processes every complete line
  /// until one needs the shell (start_tls, deliver, close) or the bytes run out.
  /// Bytes not yet processed stay buffered; call on_bytes("") to resume after a
  /// deliver step (on_delivered does that itself).
  [[nodiscard]] output on_bytes(std::string_view bytes);

  /// The pending message was stored (`ok`, with its Maildir name) or not.
  [[nodiscard]] output on_delivered(bool ok, std::string_view stored_as);

  /// A deadline passed: 421 4.4.2 and close (RFC 5321 §4.5.3.2).
  [[nodiscard]] output on_timeout(std::string_view which);

  /// The server is shutting down: 421 4.3.2 and close.
  [[nodiscard]] output on_shutdown();

  /// The message to store when next == deliver.
  [[nodiscard]] envelope const& pending_message() const noexcept { return env_; }

  /// True while receiving DATA text (the shell applies the DATA timeouts).
  [[nodiscard]] bool in_data() const noexcept { return state_ == state::data; }
  /// True between an accepted MAIL and the end of its transaction.
  [[nodiscard]] bool in_transaction() const noexcept {
    return state_ == state::mail || state_ == state::rcpt || state_ == state::data || state_ == state::delivering;
  }
  /// Complete lines (commands and text lines) handled so far; the shell's command
  /// deadline restarts whenever this grows.
  [[nodiscard]] std::uint64_t lines_handled() const noexcept { return lines_; }
  [[nodiscard]] bool tls_active() const noexcept { return tls_; }
  [[nodiscard]] bool closed() const noexcept { return state_ == state::closed; }
  /// Octets received but not yet processed.
  [[nodiscard]] std::size_t buffered() const noexcept { return in_.size() - in_pos_; }
  [[nodiscard]] std::size_t error_count() const noexcept { return errors_; }
  [[nodiscard]] std::string const& id() const noexcept { return id_; }

  /// The 220 greeting line(s) this session sends.
  [[nodiscard]] std::string greeting() const;
  /// The EHLO reply for `client_name` in the current TLS state.
  [[nodiscard]] std::string ehlo_reply(std::string_view client_name) const;

 private:
  enum class state : std::uint8_t {
    tls_handshake,  ///< waiting for the implicit-TLS or STARTTLS handshake
    initial,        ///< greeted; EHLO/HELO required
    ready,          ///< after EHLO/HELO, no transaction
    mail,           ///< MAIL accepted
    rcpt,           ///< at least one RCPT accepted
    data,           ///< receiving DATA text
    delivering,     ///< waiting for on_delivered
    closed,
  };

  void reply(output& out, std::string_view text);  // one reply, CRLF-terminated lines
  void error_reply(output& out, std::string_view text);
  void handle_line(output& out, std::string_view line);
  void handle_command(output& out, std::string_view line);
  void handle_data_line(output& out, std::string_view line);
  void handle_too_long(output& out);
  void reset_transaction();
  void reset_after_tls();
  bool accepts_domain(std::string_view domain) const;
  output run(output out);  // process buffered lines
  void compact();

  session_settings const& settings_;
  listener_kind kind_;
  std::string id_;
  std::string peer_;
  state state_ = state::tls_handshake;
  bool tls_ = false;
  bool esmtp_ = false;
  tls_facts tls_facts_;
  std::string helo_;
  std::size_t errors_ = 0;
  std::uint64_t lines_ = 0;

  // Input: raw bytes and the position of the first unprocessed one.
  std::string in_;
  std::size_t in_pos_ = 0;
  bool discarding_ = false;  ///< inside an over-long line, dropping until its LF

  // The transaction.
  envelope env_;
  std::uint64_t declared_size_ = 0;
  bool data_too_long_line_ = false;
  bool data_too_large_ = false;
  bool data_bare_lf_ = false;
};

}  // namespace mxtls::server
