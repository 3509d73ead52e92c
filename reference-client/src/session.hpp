// One SMTP session of mxtls-send (spec/proposal.md §7.3 session_starttls / session_implicit
// and the DNS-19 plaintext retry): connect, greeting, EHLO, STARTTLS or implicit TLS, the
// verification the decision requires (PFX-12, DNS-08, DNS-09), EHLO again (PFX-17), the
// strict-tls directive over verified TLS only (BAN-14), then MAIL/RCPT/DATA. Internal to
// mxtls_client.
#pragma once

#include "mxtls/client/config.hpp"
#include "mxtls/client/dane_match.hpp"
#include "mxtls/client/message.hpp"
#include "mxtls/client/report.hpp"
#include "mxtls/client/state.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mxtls::client::detail {

/// What a session may use and change.
struct session_env {
  client_config const& cfg;
  state_store& state;
  std::vector<trail_step>& trail;
};

enum class session_mode : std::uint8_t {
  starttls,      ///< port 25: plaintext greeting and EHLO, then STARTTLS (RFC 3207)
  implicit_tls,  ///< the implicit-TLS port: TLS first (P26-11)
  plaintext,     ///< a new plaintext connection after a TLS failure at opportunistic (DNS-19)
};

[[nodiscard]] std::string_view to_string(session_mode m) noexcept;

struct session_request {
  std::string host;    ///< H, the MX host name (PKIX reference identity, PFX-12)
  std::string domain;  ///< the next-hop (recipient) domain
  boost::asio::ip::address address;
  std::uint16_t port = 25;          ///< where to connect
  std::uint16_t service_port = 25;  ///< 25 or the implicit-TLS port (for logs)
  session_mode mode = session_mode::starttls;
  spec::policy::decision decision;  ///< the effective decision (after DNS-17 relaxation)
  std::string sni;                  ///< H, or the TLSA base domain when DANE applies (PFX-11)
  std::optional<dane_params> dane;  ///< usable TLSA records, when there are any
  std::string from;                 ///< reverse-path ("" = null)
  std::vector<mailbox_address> recipients;
  message const* content = nullptr;
  /// TEST ONLY (plaintext-fallback, port26-fallback-plaintext): continue or retry in
  /// plaintext even where the decision requires TLS.
  bool misbehave_plaintext = false;
};

enum class session_kind : std::uint8_t {
  delivered,               ///< the data was accepted for at least one recipient
  permanent,               ///< 5xx with the TLS requirement met: bounce (DNS-15)
  transient,               ///< 4xx or a lost connection after the requirement was met
  unreachable,             ///< no usable SMTP session: connect, greeting
  requirement_failed,      ///< the TLS requirement was not met (PFX-14)
  failed_before_greeting,  ///< implicit-TLS port: no verified 220 greeting (P26-12)
};

struct session_result {
  session_kind kind = session_kind::unreachable;
  std::string reason;
  std::vector<std::string> ids;
  std::optional<tls_facts> tls;
  bool tls_failure = false;              ///< the failure was a TLS or certificate failure
  bool plaintext_retry_allowed = false;  ///< handshake failed at opportunistic (DNS-19)
  bool mail_from_sent = false;
  bool plaintext_mail = false;
  std::vector<recipient_result> recipients;
  std::string last_reply;
};

[[nodiscard]] boost::asio::awaitable<session_result> run_session(session_env& env, session_request const& req);

}  // namespace mxtls::client::detail
