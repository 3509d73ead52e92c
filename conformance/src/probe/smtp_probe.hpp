// The SMTP probe toolkit of the receiver suite: one client connection to the target that
// connects (plain TCP, or implicit TLS for port 26, P26-02, IMP-3-01), reads complete
// replies with spec/smtp's incremental reply parser under deadlines, sends lines or raw
// bytes (pipelining, CVE-2011-0411 injection: TLS-4-10), upgrades with STARTTLS (with or
// without SNI, STS-7.1-05; chosen TLS versions, STS-7.2-01) and records everything in the
// case transcript: "C" bytes sent, "S" bytes received, "tls" handshake facts.
#pragma once

#include "mxtls/net/errc.hpp"
#include "mxtls/net/tls.hpp"
#include "mxtls/spec/smtp/ehlo.hpp"
#include "mxtls/spec/smtp/reply.hpp"
#include "probe/cert_facts.hpp"
#include "runner/model.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::conformance::probe {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

/// How waiting for a reply ended.
enum class reply_status : std::uint8_t {
  reply,           ///< a complete reply arrived
  timeout,         ///< the deadline passed first
  closed,          ///< the peer closed the connection (or it was never open)
  protocol_error,  ///< the bytes are not an SMTP reply (spec/smtp reply_parser error)
  io_error,        ///< a transport or TLS error
};

[[nodiscard]] std::string_view to_string(reply_status s) noexcept;

struct reply_outcome {
  reply_status status = reply_status::io_error;
  spec::smtp::reply value;  ///< when status == reply
  std::string error;        ///< why not, for people

  [[nodiscard]] bool ok() const noexcept { return status == reply_status::reply; }
  /// The reply code, 0 when there is no reply.
  [[nodiscard]] std::uint16_t code() const noexcept { return ok() ? value.code : 0; }
  /// "250 first line" or "timeout: ...".
  [[nodiscard]] std::string describe() const;
};

struct ehlo_outcome {
  reply_outcome reply;
  std::optional<spec::smtp::ehlo_capabilities> caps;  ///< when the reply is a 250
};

/// One TLS handshake as the client.
struct tls_options {
  std::string sni;                 ///< empty: no SNI extension (STS-7.1-05 probe)
  std::string reference_identity;  ///< the name the certificate is checked against (--mx-name)
  std::string ca_file;             ///< PEM trust anchors; empty: the system store
  net::tls_version min_version = net::tls_version::tls1_2;
  net::tls_version max_version = net::tls_version::tls1_2;
  /// Botan cipher names; empty: AEAD only, or AEAD plus CBC when min_version is below
  /// TLS 1.2 (TLS 1.0/1.1 have no AEAD suites).
  std::vector<std::string> ciphers;
  milliseconds timeout{5000};
};

/// The suites offered when probing for TLS below 1.2: AEAD first, then CBC.
[[nodiscard]] std::vector<std::string> legacy_ciphers();

struct tls_outcome {
  bool established = false;
  net::handshake_info info;          ///< when established (verify holds the PKIX outcome)
  boost::system::error_code error;   ///< when not
  std::string error_text;
  std::vector<cert_facts> chain;     ///< the presented chain, parsed (leaf first)

  /// RFC 8460 result type: of the handshake failure (net::mx_result_type), else of the
  /// certificate verification; none when everything passed.
  [[nodiscard]] net::tlsrpt_result_type result_type() const noexcept;
  /// PKIX valid for the reference identity: trusted, current, SAN dNSName match.
  [[nodiscard]] bool pkix_ok() const noexcept { return established && info.verify.pkix_ok(); }
};

/// One connection to the target. Not copyable; every operation records into `log`.
/// Operations never throw on peer behaviour: failures are values.
class smtp_probe {
 public:
  smtp_probe(asio::any_io_executor ex, transcript& log);
  ~smtp_probe();
  smtp_probe(smtp_probe const&) = delete;
  smtp_probe& operator=(smtp_probe const&) = delete;

  /// Connects to host:port (an address, or a name resolved by the system resolver).
  /// Returns an empty string on success, else why not.
  [[nodiscard]] asio::awaitable<std::string> connect(std::string host, std::uint16_t port, milliseconds timeout);

  /// The next complete reply within `timeout`.
  [[nodiscard]] asio::awaitable<reply_outcome> read_reply(milliseconds timeout);

  /// Sends bytes as they are (one write: pipelining and injection tests).
  [[nodiscard]] asio::awaitable<bool> send_raw(std::string_view bytes, milliseconds timeout = milliseconds(5000));
  /// Sends `line` + CRLF.
  [[nodiscard]] asio::awaitable<bool> send_line(std::string_view line, milliseconds timeout = milliseconds(5000));
  /// send_line, then read_reply.
  [[nodiscard]] asio::awaitable<reply_outcome> command(std::string_view line, milliseconds timeout);
  /// EHLO <name> and its capabilities (spec/smtp parse_ehlo).
  [[nodiscard]] asio::awaitable<ehlo_outcome> ehlo(std::string_view name, milliseconds timeout);

  /// Starts TLS on the connection: right after connect (implicit TLS) or after the 220
  /// reply to STARTTLS. Bytes the server sent after its last reply and before the handshake
  /// are kept out of TLS and recorded (plaintext_before_tls(), TLS-4-11).
  [[nodiscard]] asio::awaitable<tls_outcome> start_tls(tls_options const& options);

  /// What arrives within `window` (at most `max` octets), without parsing: for checks that
  /// no byte comes at all (P26-03) or that an answer is not an SMTP reply. Sets closed().
  [[nodiscard]] asio::awaitable<std::string> read_raw(milliseconds window, std::size_t max = 4096);

  /// QUIT and its reply (best effort), then close.
  asio::awaitable<void> quit(milliseconds timeout);
  /// Closes the connection (TLS close_notify is not sent).
  void close() noexcept;

  [[nodiscard]] bool connected() const noexcept { return connected_; }
  [[nodiscard]] bool tls_active() const noexcept { return tls_ != nullptr; }
  /// True once the peer closed or an I/O error ended the connection.
  [[nodiscard]] bool closed() const noexcept { return closed_; }
  /// Plaintext octets received after the reply that preceded start_tls() (the 220 to
  /// STARTTLS), i.e. octets an attacker could inject as post-TLS replies (TLS-4-11, X-08).
  [[nodiscard]] std::string const& plaintext_before_tls() const noexcept { return before_tls_; }
  /// Replies returned so far on the current layer (resets when TLS starts).
  [[nodiscard]] std::size_t replies_read() const noexcept { return replies_; }
  [[nodiscard]] transcript& log() noexcept { return *log_; }

 private:
  struct read_result {
    boost::system::error_code ec;
    std::size_t n = 0;
    bool timed_out = false;
  };
  asio::awaitable<read_result> read_some(milliseconds timeout);
  void take(std::size_t n);

  asio::any_io_executor ex_;
  transcript* log_;
  tcp::socket socket_;
  std::unique_ptr<net::tls_stream> tls_;
  spec::smtp::reply_parser parser_;
  std::string inbox_;  ///< octets received, not yet fed to the parser or returned raw
  std::string fed_;    ///< octets fed to the parser after the last reply returned
  std::string before_tls_;
  std::size_t replies_ = 0;
  bool connected_ = false;
  bool closed_ = false;
  std::array<char, 4096> chunk_{};
};

/// Records the facts of a finished handshake in the transcript ("tls" channel).
void record_tls(transcript& log, tls_outcome const& outcome, tls_options const& options);

}  // namespace mxtls::conformance::probe
