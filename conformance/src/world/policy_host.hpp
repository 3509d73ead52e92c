// An MTA-STS policy host of the world: https://mta-sts.<domain>/.well-known/mta-sts.txt served
// on a loopback address with an ephemeral port, with one injectable fault per host (RFC 8461
// §3.3, scenarios X-20..X-25: redirects, non-200 statuses, wrong or missing Content-Type,
// bodies over 64 KiB static and chunked, slow drip, bad certificates), logging every fetch with
// the world's time. The HTTP work is net::policy_server's (net/https.cpp).
#pragma once

#include "world/clock.hpp"
#include "world/pki_store.hpp"

#include <mxtls/net/https.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::conformance {

enum class policy_fault : std::uint8_t {
  none,
  redirect,              ///< `redirect_status` with Location: `redirect_location` (STS-3.3-05)
  status,                ///< `status` instead of 200, with the policy as the body (STS-3.3-04)
  not_modified,          ///< 304 with the policy as the body (STS-3.3-06)
  content_type_html,     ///< Content-Type: text/html (STS-3.2-02)
  content_type_missing,  ///< no Content-Type header
  oversize_static,       ///< 64 KiB + 1 body with Content-Length (STS-3.3-08)
  oversize_chunked,      ///< 64 KiB + 1 body, chunked
  slow_drip,             ///< the body one byte per `drip_interval`
  close_mid_body,        ///< the connection closes after half the body
};

[[nodiscard]] std::string_view to_string(policy_fault f) noexcept;
[[nodiscard]] std::optional<policy_fault> parse_policy_fault(std::string_view s) noexcept;

struct policy_host_options {
  std::string body;                   ///< the policy text served
  cert_kind cert = cert_kind::valid;  ///< the certificate of mta-sts.<domain>
  policy_fault fault = policy_fault::none;
  unsigned status = 404;              ///< for policy_fault::status
  unsigned redirect_status = 301;     ///< for policy_fault::redirect
  std::string redirect_location;      ///< default: the same path on mta-sts.other-<domain>
  std::chrono::milliseconds drip_interval{200};  ///< for policy_fault::slow_drip
  /// When set, answers every request instead of the fault logic above.
  std::function<net::http_response(net::policy_request const&)> script;
};

/// One fetch as the host saw it.
struct policy_fetch {
  world_clock::time_point world_time;  ///< the world's clock when the request was answered
  std::chrono::system_clock::time_point wall_time;
  std::string method, target, host, sni;
  std::string remote;  ///< "127.0.0.1:53122"
  unsigned status = 0;
};

/// The response `opt` gives to `req` (exposed for tests).
[[nodiscard]] net::http_response policy_response(policy_host_options const& opt, std::string const& domain,
                                                 net::policy_request const& req);

class policy_host {
 public:
  /// Starts serving on `address`:`port` (0: ephemeral) with the certificate from `pki`. Must be called on the
  /// executor's thread (world::start_policy_host does). Throws std::runtime_error on failure.
  policy_host(boost::asio::any_io_executor ex, std::string domain, policy_host_options opt, pki_store& pki,
              world_clock const& clock, boost::asio::ip::address address, std::uint16_t port = 0);
  ~policy_host();
  policy_host(policy_host const&) = delete;
  policy_host& operator=(policy_host const&) = delete;

  [[nodiscard]] std::string const& domain() const noexcept { return domain_; }
  /// "mta-sts.<domain>".
  [[nodiscard]] std::string host_name() const { return "mta-sts." + domain_; }
  [[nodiscard]] net::tcp::endpoint endpoint() const noexcept { return endpoint_; }
  /// "127.0.0.1:PORT", what receiver_target::https_address takes.
  [[nodiscard]] std::string address() const;
  /// Every request answered so far, in order. Thread-safe.
  [[nodiscard]] std::vector<policy_fetch> fetches() const;
  /// Stops accepting and closes connections; must run on the executor's thread.
  void stop();

 private:
  struct shared;
  std::string domain_;
  std::shared_ptr<shared> shared_;
  std::unique_ptr<net::policy_server> server_;
  net::tcp::endpoint endpoint_;
};

}  // namespace mxtls::conformance
