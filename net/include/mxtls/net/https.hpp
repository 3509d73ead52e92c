// HTTPS for MTA-STS (RFC 8461 §3.3): the policy fetch of a sending MTA (STS-3.2-01..03,
// STS-3.3-01..08, STS-7.1-02) and a policy host whose every response can be scripted, so
// the conformance world can inject faults (redirects, status codes, Content-Type, oversized
// static or chunked bodies, slow drip, close mid-body). All Beast code lives in https.cpp;
// no Beast type appears here.
#pragma once

#include "mxtls/net/errc.hpp"
#include "mxtls/net/tls.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mxtls::net {

/// The path of the policy (STS-3.2-01).
inline constexpr std::string_view policy_path = "/.well-known/mta-sts.txt";

// ------------------------------------------------------------------------------------
// Policy fetch (sender side)
// ------------------------------------------------------------------------------------

struct policy_fetch_options {
  /// The Policy Domain ("example.com"); the policy host is "mta-sts." + this, lower case,
  /// without a trailing dot (STS-3.2-01, STS-7.1-02).
  std::string policy_domain;
  /// Where to connect, tried in order. Empty: ask `resolve`, else the system resolver
  /// (port `port`). Tests and the conformance world set one of the two: no real network.
  std::vector<tcp::endpoint> addresses;
  /// Resolver override (e.g. mxtls_dns): the policy host name → addresses (port included).
  std::function<asio::awaitable<result<std::vector<tcp::endpoint>>>(std::string const& host)> resolve;
  std::uint16_t port = 443;
  /// Trust settings (system_trust, trusted_ca_pem, ca_file, validation_time, versions,
  /// ciphers). role, sni, reference_identity and verify are set by fetch_policy:
  /// client, the policy host, the policy host, require (STS-3.3-01).
  tls_config tls;
  /// [STS-3.3-08] one minute for the whole fetch: connect, TLS, request, full body.
  std::chrono::steady_clock::duration timeout = std::chrono::seconds(60);
  /// [STS-3.3-08] 64 KiB after de-chunking: 65536 is accepted, 65537 is a failure.
  std::size_t body_limit = 65536;
  std::size_t header_limit = 16 * 1024;
  std::string user_agent = "mxtls/0.1";
  /// TEST ONLY (mxtls-send --test-misbehave sts-lenient-fetch): break STS-3.3-01/02/04/05/06/08
  /// on purpose: no certificate check (verify_mode::record), any HTTP status (a 3xx's own
  /// body is returned, never followed), any Content-Length, the body cut at `body_limit`.
  bool lenient = false;
};

struct fetched_policy {
  std::string url;           ///< "https://mta-sts.example.com/.well-known/mta-sts.txt"
  std::string body;          ///< the policy text, exactly as received (after de-chunking)
  std::string content_type;  ///< the Content-Type header as received, "" if absent
  /// [STS-3.2-02][STS-3.2-03] media type text/plain (case-insensitive; parameters
  /// ignored). Reported, not enforced: the policy code decides (sts-policy-invalid).
  bool content_type_ok = false;
  tcp::endpoint peer;   ///< the address the policy came from
  handshake_info tls;   ///< the verified session (always pkix_ok)
};

/// GET https://mta-sts.<domain>/.well-known/mta-sts.txt with the RFC 8461 §3.3 rules:
/// SNI and Host are the policy host; the certificate must be PKIX-valid for it
/// (STS-3.3-01/02, errors certificate_*); only 200 is accepted (http_status, STS-3.3-04);
/// 3xx is never followed (http_redirect, STS-3.3-05); no conditional requests, so 304 is a
/// failure (http_not_modified, STS-3.3-06); body above `body_limit` (Content-Length or
/// streamed) → body_too_large, a Content-Encoding other than identity → content_encoding,
/// past `timeout` → fetch_timeout (STS-3.3-08). policy_fetch_result_type() maps each
/// error to sts-webpki-invalid or sts-policy-fetch-error.
[[nodiscard]] asio::awaitable<result<fetched_policy>> fetch_policy(policy_fetch_options options);

/// [STS-3.2-02][STS-3.2-03] true iff `content_type`'s type/subtype is text/plain,
/// compared case-insensitively, parameters ignored; false when empty.
[[nodiscard]] bool is_text_plain(std::string_view content_type) noexcept;

// ------------------------------------------------------------------------------------
// Policy host (server side)
// ------------------------------------------------------------------------------------

/// A request as the policy host saw it.
struct policy_request {
  std::string method;
  std::string target;
  std::string host;  ///< the Host header
  std::string sni;   ///< the SNI of the TLS session ("" if none)
  std::vector<std::pair<std::string, std::string>> headers;  ///< every header field, in order
};

/// One response, possibly faulty. The defaults are a well-formed 200 text/plain response
/// with Content-Length, sent at once, followed by close_notify.
struct http_response {
  enum class framing {
    content_length,  ///< Content-Length: declared_length or body.size()
    chunked,         ///< Transfer-Encoding: chunked, pieces of chunk_size
    close_delimited, ///< neither header; the body ends with the connection
  };
  unsigned status = 200;
  std::string reason;  ///< empty: the standard reason phrase
  std::optional<std::string> content_type = std::string("text/plain");  ///< nullopt: no header
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra, e.g. {"Location", url}
  framing body_framing = framing::content_length;
  std::optional<std::size_t> declared_length;  ///< a Content-Length that lies
  std::size_t chunk_size = 4096;
  /// Close the TCP connection (no close_notify) after this many body bytes.
  std::size_t close_after_body_bytes = std::numeric_limits<std::size_t>::max();
  /// Slow drip: send the body `drip_bytes` at a time with this pause in between.
  std::chrono::milliseconds drip_interval{0};
  std::size_t drip_bytes = 1;
  /// Wait this long before sending anything (slow server).
  std::chrono::milliseconds delay{0};

  /// Redirect with a Location header and a valid-looking body.
  [[nodiscard]] static http_response redirect(unsigned status, std::string location, std::string body = {});
};

/// What the policy host logs per request.
struct http_request_record {
  std::chrono::system_clock::time_point time;
  policy_request request;
  tcp::endpoint remote;
  unsigned status = 0;  ///< status sent (400/413/431 for unparseable requests)
};

struct policy_server_config {
  tls_config tls;           ///< role server: the policy host's chain(s)
  std::string policy_body;  ///< served by default_response at policy_path
  /// Consulted for every request when set (fault injection); otherwise default_response.
  std::function<http_response(policy_request const&)> script;
  std::function<void(http_request_record const&)> on_request;  ///< optional log hook
  std::size_t header_limit = 8 * 1024;  ///< larger request headers → 431
  std::size_t body_limit = 1024;        ///< request bodies above this → 413
  std::chrono::steady_clock::duration request_timeout = std::chrono::seconds(10);  ///< after the handshake
  std::chrono::steady_clock::duration write_timeout = std::chrono::seconds(120);   ///< whole response
};

/// The MTA-STS policy host: HTTPS on a listening socket of the caller's io_context. One
/// request per connection (Connection: close). Call its members on the io_context's thread.
class policy_server {
 public:
  /// Binds and listens on `where` (port 0: an ephemeral port) and starts accepting.
  [[nodiscard]] static result<std::unique_ptr<policy_server>> start(asio::any_io_executor ex,
                                                                    policy_server_config config,
                                                                    tcp::endpoint where);

  /// GET at policy_path → 200 text/plain `body`; another path → 404; another method
  /// → 405 with Allow: GET.
  [[nodiscard]] static http_response default_response(policy_request const& request, std::string const& body);

  [[nodiscard]] tcp::endpoint local_endpoint() const;
  /// Requests answered so far, in order.
  [[nodiscard]] std::vector<http_request_record> requests() const;
  /// TCP connections accepted so far (a redirect target that was never contacted has 0).
  [[nodiscard]] std::size_t connections() const noexcept;
  /// Stops accepting and closes open connections.
  void stop();

  ~policy_server();
  policy_server(policy_server const&) = delete;
  policy_server& operator=(policy_server const&) = delete;

  struct impl;

 private:
  explicit policy_server(std::shared_ptr<impl> i);
  std::shared_ptr<impl> impl_;
};

}  // namespace mxtls::net
