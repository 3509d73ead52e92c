// The one seam around Botan 2 TLS: a TLS 1.2 stream over a connected TCP socket, used both
// for STARTTLS upgrades (RFC 3207) and implicit TLS (RFC 8314, port 26, IMP-3-01), with PKIX + SAN
// DNS-ID verification (STS-4.2-01/02, STS-3.3-01/02), SNI (STS-7.1-01..05, DANE-8.1-01/02)
// and a DANE hook (DANE-3.2-01/02). No Botan type appears in this header (pimpl), so the
// move to Botan 3 / TLS 1.3 stays inside net/src/tls.cpp.
#pragma once

#include "mxtls/net/errc.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

enum class tls_role { client, server };

/// What the client does with a certificate that fails verification.
enum class verify_mode {
  require,  ///< abort the handshake (fatal alert bad_certificate, 42)
  record,   ///< finish the handshake and report the outcome in handshake_info::verify
            ///< (opportunistic STARTTLS, testing-mode MTA-STS, TLSRPT)
};

enum class tls_version { tls1_0, tls1_1, tls1_2 };

/// One certificate chain a server can present. A chain with no `names` is a fallback.
struct server_chain {
  /// SNI values this chain answers: exact host names or "*.base" patterns.
  std::vector<std::string> names;
  std::string chain_pem;   ///< leaf first, then intermediates (or use chain_file)
  std::string key_pem;     ///< unencrypted PKCS#8 (or use key_file)
  std::string chain_file;  ///< PEM file, read by tls_context::create
  std::string key_file;    ///< PEM file, read by tls_context::create
};

enum class dane_outcome {
  not_applicable,  ///< no usable TLSA records: PKIX rules (and verify_mode) decide
  authenticated,   ///< a usable TLSA record matched: the peer is authenticated (DANE-3.2-01)
  failed,          ///< usable TLSA records, none matched: never deliver (DANE-3.2-02, STS-2-01)
};

struct dane_verdict {
  dane_outcome outcome = dane_outcome::not_applicable;
  std::string reason;
};

/// Called on the client with the peer chain (DER, leaf first) during the handshake.
using dane_hook = std::function<dane_verdict(std::vector<std::vector<std::uint8_t>> const& chain_der)>;

struct tls_config {
  tls_role role = tls_role::client;

  // --- server ---
  /// Chains selected by the client's SNI (exact or one-label wildcard match of `names`);
  /// when none matches, or there is no SNI, the first chain without names (else the
  /// first chain) is sent: servers never require SNI (STS-7.1-05, DANE-8.1-02).
  std::vector<server_chain> chains;
  /// Fault injection for the conformance world only: abort the handshake when no chain's
  /// names match the SNI (a server that violates STS-7.1-05).
  bool require_sni_match = false;

  // --- client ---
  bool system_trust = true;                 ///< trust /etc/ssl/certs (the system store)
  std::vector<std::string> trusted_ca_pem;  ///< extra trust anchors (PEM, any number)
  std::string ca_file;                      ///< extra trust anchors from a PEM file
  std::string sni;                 ///< server name to send; empty: no SNI extension
  std::string reference_identity;  ///< name the certificate must match; empty: = sni
  verify_mode verify = verify_mode::require;
  dane_hook dane;  ///< optional; consulted before PKIX decides
  /// Validation time (the conformance world's clock); empty: now.
  std::optional<std::chrono::system_clock::time_point> validation_time;

  // --- both ---
  tls_version min_version = tls_version::tls1_2;  ///< STS-7.2-01: never below 1.2 by default
  tls_version max_version = tls_version::tls1_2;
  /// Botan cipher names ("AES-256/GCM", "ChaCha20Poly1305", ...); empty: AEAD only.
  std::vector<std::string> ciphers;
  /// Key exchange groups ("x25519", "secp256r1", "secp384r1"); empty: those three.
  std::vector<std::string> groups;
  std::chrono::steady_clock::duration handshake_timeout = std::chrono::seconds(60);
};

/// Outcome of verifying the peer's chain (client side).
struct verify_result {
  bool performed = false;      ///< false on the server side (no client certificates)
  bool trusted = false;        ///< the chain leads to a trust anchor (time checks aside)
  bool name_matched = false;   ///< a SAN dNSName matches the reference identity
  bool expired = false;        ///< a certificate of the chain is past notAfter
  bool not_yet_valid = false;  ///< a certificate of the chain is before notBefore
  std::optional<dane_verdict> dane;  ///< set when a DANE hook ran
  std::vector<std::string> dns_ids;  ///< the leaf's SAN dNSNames (for logs and reports)
  std::string reason;                ///< for people; empty when everything passed
  /// RFC 8460 type of the session's authentication outcome (authenticated()): none when
  /// authenticated; tlsa-invalid when the DANE hook failed the chain (RPT-4.3-06);
  /// otherwise the first failing PKIX check, in the order trust, time, name.
  tlsrpt_result_type result_type = tlsrpt_result_type::none;

  /// WebPKI (STS-4.2-01, STS-4.2-02): trusted, in its validity window and name-matched.
  [[nodiscard]] bool pkix_ok() const noexcept {
    return performed && trusted && name_matched && !expired && !not_yet_valid;
  }
  /// DANE decides when it applies (DANE-3.2-01/02), otherwise PKIX.
  [[nodiscard]] bool authenticated() const noexcept {
    if (dane && dane->outcome == dane_outcome::authenticated) return true;
    if (dane && dane->outcome == dane_outcome::failed) return false;
    return pkix_ok();
  }
};

struct handshake_info {
  std::string version;  ///< "TLS v1.2"
  std::string cipher;   ///< "ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
  std::string sni;      ///< server side: the SNI received ("" if none); client: the SNI sent
  std::vector<std::vector<std::uint8_t>> peer_chain_der;  ///< client side: leaf first
  verify_result verify;
};

/// Credentials and trust loaded once from a tls_config (PEM parsing, the system store);
/// shared by every stream of a listener. Immutable after create().
class tls_context {
 public:
  /// Loads chains, keys and trust anchors. Errors: config_invalid, pem_invalid,
  /// trust_store_unavailable.
  [[nodiscard]] static result<std::shared_ptr<tls_context const>> create(tls_config config);

  [[nodiscard]] tls_config const& config() const noexcept;

  struct impl;
  [[nodiscard]] impl const& get() const noexcept { return *impl_; }

  explicit tls_context(std::unique_ptr<impl> i);
  ~tls_context();
  tls_context(tls_context const&) = delete;
  tls_context& operator=(tls_context const&) = delete;

 private:
  std::unique_ptr<impl> impl_;
};

/// Verifies a chain (DER, leaf first) as the client does in a handshake: PKIX path to the
/// context's trust anchors (no revocation, STS-3.3-03/STS-4.2-03), validity window at
/// `ctx.config().validation_time`, and SAN dNSName matching of `reference_identity`
/// (CN never used). Does not run the DANE hook.
[[nodiscard]] verify_result verify_chain(tls_context const& ctx,
                                         std::vector<std::vector<std::uint8_t>> const& chain_der,
                                         std::string_view reference_identity);

/// [STS-4.2-02][STS-3.3-02] true iff one of `dns_ids` (SAN dNSName values) matches
/// `reference_identity`: case-insensitive, "*" only as the whole left-most label
/// matching exactly one label (NAME-6.4.3-01, NAME-6.4.3-02), at least two labels after
/// "*." (NAME-6.4.3-04).
[[nodiscard]] bool dns_ids_match(std::vector<std::string> const& dns_ids,
                                 std::string_view reference_identity);

/// A TLS 1.2 session over an already connected TCP socket, for STARTTLS (construct it
/// after the 220 reply to STARTTLS) and for implicit TLS (construct it right after
/// connect/accept). An Asio AsyncStream: composes with asio::async_read/async_write and
/// with Beast (next_layer() / lowest_layer()).
///
/// The stream reads only fresh bytes from the socket: it never takes plaintext that a line
/// reader buffered before the upgrade. Whether such bytes exist (pipelined behind STARTTLS
/// or behind the 220 reply) is the protocol core's decision, and an error there
/// (TLS-4-10, TLS-4-11, CVE-2011-0411): see line_reader::buffered().
///
/// One read and one write may be outstanding at the same time; the handshake and
/// shutdown must not overlap with reads or writes.
class tls_stream {
 public:
  using executor_type = tcp::socket::executor_type;
  using next_layer_type = tcp::socket;
  using lowest_layer_type = tcp::socket;
  using completion_signature = void(boost::system::error_code, std::size_t);

  tls_stream(tcp::socket socket, std::shared_ptr<tls_context const> context);
  ~tls_stream();
  tls_stream(tls_stream&&) noexcept;
  tls_stream& operator=(tls_stream&&) noexcept;

  [[nodiscard]] executor_type get_executor() noexcept;
  [[nodiscard]] tcp::socket& next_layer() noexcept;
  [[nodiscard]] tcp::socket& lowest_layer() noexcept { return next_layer(); }
  [[nodiscard]] tls_context const& context() const noexcept;

  /// Runs the handshake within config().handshake_timeout. Client: verifies the server
  /// chain; with verify_mode::require a failed verification aborts the handshake with
  /// alert 42 and returns certificate_* / dane_mismatch; with verify_mode::record the
  /// session is established and the outcome is in handshake_info::verify.
  [[nodiscard]] asio::awaitable<result<handshake_info>> async_handshake();

  /// Sends close_notify (best effort, does not wait for the peer's).
  [[nodiscard]] asio::awaitable<void> async_shutdown();

  /// The verification outcome of the last handshake (also after a require-mode abort).
  [[nodiscard]] verify_result const& verification() const noexcept;
  /// True between a successful handshake and close/fatal error.
  [[nodiscard]] bool is_established() const noexcept;

  /// AsyncReadStream: fills the first non-empty buffer with decrypted bytes. A peer
  /// close_notify gives asio::error::eof; a transport close without it gives
  /// errc::stream_truncated.
  template <class MutableBufferSequence, class ReadToken = asio::default_completion_token_t<executor_type>>
  auto async_read_some(MutableBufferSequence const& buffers,
                       ReadToken&& token = asio::default_completion_token_t<executor_type>{}) {
    return asio::async_initiate<ReadToken, completion_signature>(
        [](auto handler, tls_stream* self, asio::mutable_buffer buf) {
          self->start_read(buf, asio::any_completion_handler<completion_signature>(std::move(handler)));
        },
        token, this, first_buffer(buffers));
  }

  /// AsyncWriteStream: encrypts and sends (part of) the first non-empty buffer.
  template <class ConstBufferSequence, class WriteToken = asio::default_completion_token_t<executor_type>>
  auto async_write_some(ConstBufferSequence const& buffers,
                        WriteToken&& token = asio::default_completion_token_t<executor_type>{}) {
    return asio::async_initiate<WriteToken, completion_signature>(
        [](auto handler, tls_stream* self, asio::const_buffer buf) {
          self->start_write(buf, asio::any_completion_handler<completion_signature>(std::move(handler)));
        },
        token, this, first_cbuffer(buffers));
  }

  struct impl;

 private:
  template <class Seq>
  static asio::mutable_buffer first_buffer(Seq const& seq) {
    for (auto it = asio::buffer_sequence_begin(seq); it != asio::buffer_sequence_end(seq); ++it) {
      asio::mutable_buffer b(*it);
      if (b.size() != 0) return b;
    }
    return {};
  }
  template <class Seq>
  static asio::const_buffer first_cbuffer(Seq const& seq) {
    for (auto it = asio::buffer_sequence_begin(seq); it != asio::buffer_sequence_end(seq); ++it) {
      asio::const_buffer b(*it);
      if (b.size() != 0) return b;
    }
    return {};
  }

  void start_read(asio::mutable_buffer buf, asio::any_completion_handler<completion_signature> handler);
  void start_write(asio::const_buffer buf, asio::any_completion_handler<completion_signature> handler);

  std::unique_ptr<impl> impl_;
};

/// Parses the PEM certificates of `pem` into DER (leaf first, as written).
[[nodiscard]] result<std::vector<std::vector<std::uint8_t>>> pem_to_der_chain(std::string_view pem);

}  // namespace mxtls::net
