// The conformance suite's data model (DESIGN §5): a case, its verdict, the delivery outcome
// a sender case observes, the wire transcript, and the catalogue cases register into.
// Cases live in conformance/src/cases/<role>/*.cpp and register with a static case_registrar.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::conformance {

enum class role : std::uint8_t { receiver, sender };

/// core: RFC 8461/3207 behaviour every MTA should have; strict: SHOULDs and hardening;
/// proposal: the 2019 prefix / port 26 / strict-tls= rules of spec/proposal.md.
enum class profile : std::uint8_t { core, strict, proposal };

enum class verdict : std::uint8_t {
  pass,
  pass_non_strict,  ///< a MUST is met but a SHOULD is not
  fail,
  unsupported,      ///< the target does not implement the feature the case needs
  informational,    ///< recorded, never judged (e.g. behaviour the text does not fix)
  harness_error,    ///< the suite itself could not run the case (timeout, world failure)
};

/// What a sender case observes about where the message went (DESIGN §5).
enum class delivery_outcome : std::uint8_t {
  not_attempted,
  verified_tls,    ///< delivered over TLS with a certificate the sender could verify
  unverified_tls,  ///< delivered over TLS, certificate not verifiable
  plaintext,       ///< delivered IN PLAINTEXT
  wrong_host,      ///< delivered to a host the policy excluded
  deferred,
  bounced,
};

std::string_view to_string(role) noexcept;
std::string_view to_string(profile) noexcept;
std::string_view to_string(verdict) noexcept;
std::string_view to_string(delivery_outcome) noexcept;
std::optional<profile> parse_profile(std::string_view) noexcept;

/// One line of evidence. `channel` says where it was seen.
struct transcript_entry {
  double at_ms = 0;         ///< since the case started
  std::string channel;      ///< "C" (suite -> target), "S" (target -> suite), "tls", "dns", "https", "note"
  std::string text;         ///< printable; non-printable bytes are escaped as \xNN
};

/// Thread-safe transcript a case and the world write into.
class transcript {
 public:
  transcript();
  void add(std::string channel, std::string_view text);
  void note(std::string_view text) { add("note", text); }
  std::vector<transcript_entry> entries() const;

 private:
  mutable std::mutex mu_;
  std::chrono::steady_clock::time_point start_;
  std::vector<transcript_entry> entries_;
};

/// What a case returns.
struct case_result {
  verdict v = verdict::harness_error;
  std::string summary;                       ///< one line: why this verdict
  std::vector<std::string> details;          ///< further evidence lines
  std::optional<delivery_outcome> outcome;   ///< sender cases
  std::string result_type;                   ///< RFC 8460 result type where one fits
  /// A sender delivered (or sent MAIL FROM) IN PLAINTEXT where TLS was required: the failure
  /// the proposal exists to prevent; every report shows it apart.
  bool critical = false;
};

/// How the receiver suite reaches the implementation under test.
struct receiver_target {
  std::string host = "127.0.0.1";  ///< address to connect to
  std::uint16_t port = 25;         ///< STARTTLS port
  std::optional<std::uint16_t> port26;  ///< implicit-TLS port, when tested
  std::string mx_name;             ///< the MX host name the target answers for
  std::optional<std::string> domain;    ///< mail domain for MTA-STS / TLSRPT / DANE checks
  std::string ca_file;             ///< trust anchors for PKIX checks (PEM); empty: system store
  std::optional<std::string> resolver;      ///< ADDR[:PORT] of a DNS resolver
  std::optional<std::string> trust_anchor;  ///< DNSSEC trust anchor file
  std::optional<std::string> https_address; ///< connect policy fetches here (tests: a loopback world)
};

/// The placeholders of the trigger contract (sender_target::inject and ::flush).
inline constexpr std::string_view trigger_placeholders[] = {
    "from", "to", "message_file", "resolver", "trust_anchor", "ca_file", "state_dir", "now", "case"};

/// How the sender suite reaches the sending MTA under test (the trigger contract, issue 6).
class smtp_peer;
struct sender_target {
  /// Shell command that hands one message to the MTA. Placeholders (each replaced by a
  /// shell-quoted value): {from} {to} {message_file} {resolver} (ADDR:PORT of the world's
  /// DNS) {trust_anchor} (its DS file) {ca_file} (the world CA, PEM) {state_dir} (a
  /// directory kept for the whole run) {now} (the world's clock, Unix seconds) {case}.
  std::string inject;
  /// Optional command run after every inject ("postqueue -f"); same placeholders.
  std::string flush;
  /// How long to wait for a delivery after the trigger (and flush) exit 0 before the outcome
  /// is "deferred". A trigger that exits 75 (EX_TEMPFAIL) or 69 (EX_UNAVAILABLE) reports
  /// deferral or bounce itself and is not waited for.
  std::chrono::milliseconds observe{5000};
  /// Upper bound on one trigger run; it is killed (its whole process group) after this.
  std::chrono::milliseconds trigger_timeout{20000};
  /// ad-bit: the world's DNS sets AD on secure answers and SERVFAILs bogus ones (for MTAs that
  /// trust their resolver); validating: it never sets AD and serves bogus data as it is, so
  /// the MTA must validate from {trust_anchor} itself.
  bool resolver_sets_ad = false;
  /// The template contains {now}: time-dependent cases may move the world's clock.
  bool can_set_time = false;
  std::string work_dir;   ///< message files and trigger output, one sub-directory per case
  std::string state_dir;  ///< {state_dir}
  /// The sink for DSNs: {from} is <case-label>@<dsn_domain>, whose MX is this peer.
  std::string dsn_domain;
  std::shared_ptr<smtp_peer> dsn_sink;
};

/// Everything a running case may use. The world pointer is set for cases that need one.
class world;
struct case_context {
  boost::asio::any_io_executor executor;
  receiver_target const* target = nullptr;  ///< receiver cases
  sender_target const* sender = nullptr;    ///< sender cases
  world* w = nullptr;                       ///< sender cases, and receiver domain checks
  transcript* log = nullptr;
  std::string case_domain;                  ///< the case's own domain in the world
  std::chrono::milliseconds timeout{10000};
};

/// A case of the catalogue (DESIGN §5; h2spec Requirement + Autobahn DESCRIPTION/EXPECTATION).
struct case_def {
  std::string id;                         ///< stable slug, e.g. "starttls.second-starttls-rejected"
  std::vector<std::string> requirements;  ///< registry IDs, e.g. {"TLS-4.2-07"}
  conformance::role role = role::receiver;
  conformance::profile profile = profile::core;
  std::string description;  ///< what the case does
  std::string expectation;  ///< what a conforming implementation does
  std::chrono::milliseconds timeout{10000};
  std::function<boost::asio::awaitable<case_result>(case_context&)> run;
};

struct case_registrar {
  explicit case_registrar(case_def def);
};

/// Every registered case, sorted by id.
std::vector<case_def> const& catalogue();

}  // namespace mxtls::conformance
