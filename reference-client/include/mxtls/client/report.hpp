// What one run of mxtls-send did, as values: per domain the outcome, the decision trail with
// requirement IDs (--explain), and every connection attempt with its decision recorded
// verbatim (DNS-14), its TLS facts and result (PFX-18); rendered as text or JSON (--json).
// Deliveries through an insecure MX RRset are never described as protected (DNS-04).
#pragma once

#include "mxtls/spec/policy/decision.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::client {

/// The outcome of a message, a domain or a recipient.
enum class outcome : std::uint8_t { delivered, deferred, bounced };
[[nodiscard]] std::string_view to_string(outcome o) noexcept;

/// 0 delivered, 75 deferred (EX_TEMPFAIL), 69 bounced (EX_UNAVAILABLE).
[[nodiscard]] int exit_code(outcome o) noexcept;

/// The worse of two outcomes: deferred > bounced > delivered (a deferred recipient still
/// needs a retry, which is what the caller must learn first).
[[nodiscard]] outcome worst(outcome a, outcome b) noexcept;

/// One line of the decision trail.
struct trail_step {
  std::string step;               ///< "mx", "addresses", "prefix", "pin", "sts", "dane", "decision", ...
  std::string text;
  std::vector<std::string> ids;   ///< requirement IDs that drove this step
};

/// What the TLS layer of one session established.
struct tls_facts {
  bool implicit = false;         ///< implicit TLS (port 26 style) rather than STARTTLS
  bool established = false;      ///< the handshake completed
  std::string version, cipher;
  std::string sni;
  bool pkix_ok = false;          ///< PKIX-verified for the host (PFX-12), always computed (BAN-15)
  std::string pkix_reason;       ///< why not, "" when it passed
  std::string dane;              ///< "not-applicable", "authenticated" or "failed"
  std::string dane_reason;
  bool verified = false;         ///< pkix_ok or DANE-authenticated: verified TLS for the host
  std::string failure;           ///< RFC 8460 result type of a failure, "" when none
};

/// How one attempt (one host, address and port) ended.
enum class attempt_status : std::uint8_t {
  delivered,           ///< the message was accepted (2xx after the data)
  permanent_failure,   ///< 5xx in a session whose TLS requirement was met (DNS-15)
  transient_failure,   ///< 4xx or a lost connection after the requirement was met
  unreachable,         ///< no SMTP session (connect, greeting, DNS)
  requirement_failed,  ///< the TLS requirement was not met (PFX-14)
  fell_back,           ///< implicit-TLS port failed before a verified greeting: port 25 next (P26-12)
  skipped,             ///< decision skip-mx (DNS-11, DNS-12)
  message_deferred,    ///< decision defer-message (DNS-05)
};
[[nodiscard]] std::string_view to_string(attempt_status s) noexcept;

struct attempt_record {
  std::string host;
  std::string address;           ///< "" when no address was involved (skipped before lookup)
  std::uint16_t service_port = 25;  ///< 25 or the implicit-TLS port (what TLSA names)
  std::uint16_t port = 25;          ///< the port connected to (after overrides)
  std::string mode;              ///< "starttls", "implicit-tls", "plaintext-retry" or "none"
  spec::policy::inputs inputs;
  spec::policy::decision decision;  ///< verbatim (DNS-14)
  bool exempt = false;           ///< TLS-Required: No relaxed the decision (DNS-17)
  attempt_status status = attempt_status::unreachable;
  std::string reason;            ///< for people
  std::vector<std::string> ids;  ///< requirement IDs of the result
  std::optional<tls_facts> tls;
  bool mail_from_sent = false;     ///< MAIL FROM went out in this session
  bool plaintext_mail = false;     ///< ... outside TLS (only ever at opportunistic, DNS-19)
  std::string last_reply;          ///< the last SMTP reply, one line
};

struct recipient_result {
  std::string address;
  outcome result = outcome::deferred;
  std::string reply;  ///< the server's reply to RCPT or to the data, or why none
};

struct domain_report {
  std::string domain;
  outcome result = outcome::deferred;
  std::string reason;
  std::vector<std::string> ids;
  std::string host;               ///< the host that took the message (or was tried last)
  std::optional<tls_facts> tls;   ///< the TLS of the delivering session
  bool mx_authentic = false;      ///< the MX RRset was DNSSEC-secure (DNS-04)
  std::vector<recipient_result> recipients;
  std::vector<attempt_record> attempts;
  std::vector<trail_step> trail;
};

struct delivery_report {
  outcome result = outcome::delivered;
  std::vector<domain_report> domains;
  std::vector<std::string> warnings;  ///< e.g. a state file that could not be written
};

/// The --explain text: per domain the trail, each step with its IDs, each attempt with its
/// decision (spec::policy::format) and result, then the outcome.
[[nodiscard]] std::string render_explain(delivery_report const& r);

/// The --json document: {"outcome", "domains": [{"domain", "outcome", "reason", "host",
/// "tls", "recipients", "attempts", "trail"}], "warnings"}.
[[nodiscard]] std::string render_json(delivery_report const& r);

/// One line per domain for people ("example.com: delivered to mx.example.com over verified TLS").
[[nodiscard]] std::string render_summary(delivery_report const& r);

}  // namespace mxtls::client
