// Shared steps of the receiver cases: open the STARTTLS port, greet, EHLO, STARTTLS and
// the handshake (TLS-4-03, TLS-4.2-01), or open the implicit-TLS port (P26-02). A step
// that cannot be reached returns the verdict the case gives instead: `unsupported` with
// the reason, since the case that owns that step judges it (greeting.220,
// starttls.advertised, starttls.handshake, port26.implicit-tls).
#pragma once

#include "probe/smtp_probe.hpp"
#include "runner/model.hpp"

#include "mxtls/spec/banner/directive.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::conformance::receiver {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using step = std::optional<case_result>;  ///< nullopt: reached; else the case's verdict

/// The name the suite announces in EHLO.
inline constexpr std::string_view ehlo_name = "conform.mxtls.test";

/// The deadline of one step (one reply, one handshake): a third of the case budget,
/// clamped to [200 ms, 10 s], so a silent target ends the case before the runner's timeout.
[[nodiscard]] milliseconds step_timeout(case_context const& ctx) noexcept;

[[nodiscard]] case_result make_result(verdict v, std::string summary, std::vector<std::string> details = {},
                                      std::string result_type = {});
[[nodiscard]] case_result unsupported(std::string why);

/// TLS options for the target: SNI and reference identity --mx-name, trust --ca.
[[nodiscard]] probe::tls_options tls_for(case_context const& ctx, bool send_sni = true);

/// The RFC 8460 name of a result type ("" for none).
[[nodiscard]] std::string result_type_name(net::tlsrpt_result_type t);

/// Why a PKIX verification failed, as one line ("certificate-expired: ...").
[[nodiscard]] std::string pkix_failure(probe::tls_outcome const& tls);

/// A session with the target, taken step by step.
class session {
 public:
  explicit session(case_context& ctx);

  [[nodiscard]] probe::smtp_probe& probe() noexcept { return *probe_; }
  [[nodiscard]] case_context& context() noexcept { return *ctx_; }

  /// Connects to the STARTTLS port and reads a 220 greeting.
  [[nodiscard]] asio::awaitable<step> open();
  /// Connects to the implicit-TLS port (port26 or --port26), runs the handshake at once and
  /// reads a 220 greeting inside TLS.
  [[nodiscard]] asio::awaitable<step> open_implicit(std::uint16_t port, probe::tls_options options);
  /// EHLO (before TLS fills plain_caps, after TLS tls_caps).
  [[nodiscard]] asio::awaitable<step> ehlo();
  /// STARTTLS (must be advertised), 220, handshake. The handshake's outcome is in tls even
  /// when the step fails.
  [[nodiscard]] asio::awaitable<step> starttls(probe::tls_options options);
  /// open + ehlo + starttls + ehlo: the usual way into a TLS session on the STARTTLS port.
  [[nodiscard]] asio::awaitable<step> open_tls(probe::tls_options options);
  /// QUIT and close.
  asio::awaitable<void> finish();

  probe::reply_outcome greeting;
  probe::reply_outcome plain_ehlo_reply;
  std::optional<spec::smtp::ehlo_capabilities> plain_caps;
  probe::reply_outcome tls_ehlo_reply;
  std::optional<spec::smtp::ehlo_capabilities> tls_caps;
  probe::reply_outcome starttls_reply;
  probe::tls_outcome tls;

 private:
  case_context* ctx_;
  std::unique_ptr<probe::smtp_probe> probe_;
};

/// The strict-tls= directive of a reply (BAN-02..BAN-11 via spec/banner::find_directive).
struct directive_found {
  bool present = false;                                  ///< a token was found (valid or not)
  std::optional<spec::banner::strict_tls_directive> value;  ///< when valid
  std::string error;                                     ///< when invalid: message [requirement]
  std::string requirement;                               ///< the failing rule's ID
};
[[nodiscard]] directive_found look_for_directive(spec::smtp::reply const& reply, spec::banner::reply_kind kind);

}  // namespace mxtls::conformance::receiver
