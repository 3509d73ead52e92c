// The sender suite's harness (issue 6, DESIGN §5): a case builds a "scene" — its own domain
// in the world with MX hosts played by scripted SMTP peers (each on its own loopback address,
// on the real ports 25 and 26), an MTA-STS policy host, TLSA and TXT records — then hands
// messages to the sending MTA under test through the trigger contract (sender_target) and
// observes where each one went: the delivery-outcome oracle. judge() turns an observed
// attempt into a verdict; a plaintext delivery where TLS was required is a CRITICAL failure.
//
// Writing a case:
//
//   sender_case reg{{.id = "prefix.starttls-stripped", .requirements = {"PFX-05"}, ...,
//     .run = [](case_context& ctx) -> awaitable<case_result> {
//       scene s(ctx);
//       s.build({.hosts = {{.label = "starttls-mx1", .smtp = stripped()}}});
//       auto const a = co_await s.send();
//       co_return judge(a, {.pass = {delivery_outcome::deferred}});
//     }}};
#pragma once

// Cases describe scenes with designated initializers that name only what differs from the
// defaults; g++ 12's -Wmissing-field-initializers would flag every omitted member although
// each has a default member initializer. Silenced for the translation units of sender cases.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif

#include "runner/model.hpp"
#include "world/policy_host.hpp"
#include "world/smtp_peer.hpp"
#include "world/world.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::conformance::sender {

/// One host of a case's domain.
struct mx_host {
  /// First label(s) of the host, below the case domain ("starttls-mx1"); a name ending in '.'
  /// is absolute (it must lie in a zone of the world).
  std::string label;
  std::uint16_t preference = 10;
  bool in_mx = true;  ///< listed in the domain's MX RRset (false: only its A record exists)
  cert_kind cert = cert_kind::valid;  ///< what it presents on 25 and 26
  bool serve25 = true;                ///< false: nothing listens on 25 (connection refused)
  /// Port-25 behaviour. `host`, `greeting` (when left default) and `chains` (when empty) are
  /// filled from the host name and `cert`.
  peer_script smtp = {};
  bool serve26 = false;  ///< an implicit-TLS listener on 26 (else: refused, i.e. RST)
  peer_script smtp26 = {};  ///< its behaviour; implicit_tls is forced on
  /// A delivery here is "delivered to the wrong host" (the policy excludes it, or an attacker
  /// runs it).
  bool excluded = false;
  /// TLS delivery here counts as verified; default: cert is valid or wildcard (a DANE-EE case
  /// sets it for a self-signed certificate its TLSA record matches).
  std::optional<bool> verifiable;
};

struct domain_setup {
  dnssec_mode dnssec = dnssec_mode::secure;
  std::vector<mx_host> hosts;
  std::optional<std::string> sts_txt;          ///< _mta-sts.<domain> TXT text ("v=STSv1; id=1")
  std::optional<policy_host_options> policy;   ///< served at https://mta-sts.<domain>/...
  std::vector<std::string> records;            ///< more records (owners relative or absolute)
};

/// Where one message went.
struct delivery {
  std::string host;  ///< full host name
  std::uint16_t port = 25;
  bool tls = false;
  std::string tls_version;
  bool verifiable = false;
  bool excluded = false;
};

/// One session a peer of the case had during a step (for checks beyond the outcome: SNI,
/// EHLO after TLS, commands sent).
struct observed_session {
  std::string host;  ///< full host name
  std::uint16_t port = 25;
  peer_session session;
};

/// What one hand-over to the sender produced.
struct attempt {
  delivery_outcome outcome = delivery_outcome::not_attempted;
  int exit_status = -1;     ///< of the inject command; -1: killed (timeout) or not started
  bool trigger_timed_out = false;
  std::vector<delivery> deliveries;
  /// A peer of the case saw MAIL FROM before TLS (even if the message was then refused).
  bool plaintext_mail_from = false;
  std::vector<std::string> contacted;  ///< "host:port tls|plain" for every session, in order
  std::vector<observed_session> sessions;  ///< the same sessions, as the peers recorded them
  bool dsn = false;                    ///< a delivery status notification reached the sink
  std::string trigger_output;          ///< the tail of the trigger's stdout+stderr
  double elapsed_ms = 0;
};

/// The expectation a case judges an attempt against.
struct expect {
  std::vector<delivery_outcome> pass;        ///< outcomes that pass
  std::vector<delivery_outcome> non_strict;  ///< outcomes that pass-non-strict (a SHOULD missed)
  /// Some mechanism requires TLS here: a plaintext delivery (or a MAIL FROM in plaintext) is a
  /// critical failure.
  bool tls_required = true;
  std::string result_type;  ///< RFC 8460 result type to record when the attempt fails over
};

/// The verdict of `a` against `e`; `what` names the step in the summary.
[[nodiscard]] case_result judge(attempt const& a, expect const& e, std::string_view what = {});

/// Readable names ("deferred", "delivered over verified TLS", ...).
[[nodiscard]] std::string describe(delivery_outcome o);

class scene {
 public:
  /// Needs ctx.sender and ctx.w; throws std::runtime_error (harness error) otherwise.
  explicit scene(case_context& ctx);
  ~scene();
  scene(scene const&) = delete;
  scene& operator=(scene const&) = delete;

  [[nodiscard]] std::string const& domain() const noexcept { return domain_; }
  /// label.<domain>, or the label itself when it ends in '.' (without the dot).
  [[nodiscard]] std::string name(std::string_view label) const;
  [[nodiscard]] world& w() noexcept { return *ctx_.w; }
  [[nodiscard]] transcript& log() noexcept { return *ctx_.log; }
  [[nodiscard]] sender_target const& target() const noexcept { return *ctx_.sender; }

  /// Publishes the zone, issues certificates, starts the peers and the policy host.
  void build(domain_setup setup);

  /// Adds a host after build (e.g. the target of an MX rewrite); returns its address.
  std::string add_host(mx_host h);
  /// Replaces a host's listener on `port` (25 or 26) with a new script; `script` nullopt:
  /// nothing listens there any more.
  void replace_peer(std::string_view label, std::uint16_t port, std::optional<peer_script> script);
  void set_excluded(std::string_view label, bool excluded);
  /// The certificate a host presents.
  [[nodiscard]] net::pki::issued const& cert(std::string_view label);
  [[nodiscard]] std::string address(std::string_view label) const;
  /// A TLSA record at _<port>._tcp.<host> matching the host's certificate.
  [[nodiscard]] std::string tlsa_for(std::string_view label, std::uint16_t port = 25, int usage = 3,
                                     int selector = 1, int matching_type = 1);
  /// The world CA's TLSA association (DANE-TA, "2 0 1" by default).
  [[nodiscard]] std::string tlsa_ca(std::string_view label, std::uint16_t port = 25, int selector = 0,
                                    int matching_type = 1);

  // --- changing the world between steps ---
  /// Replaces the MX RRset: {preference, label} pairs.
  void set_mx(std::vector<std::pair<std::uint16_t, std::string>> const& mx);
  /// Replaces (text) or removes (nullopt) the _mta-sts TXT record.
  void set_sts_txt(std::optional<std::string> text);
  /// Starts (or replaces) the policy host; nullopt stops it (connections refused).
  void set_policy(std::optional<policy_host_options> opt);
  void replace_records(std::string const& owner_label, net::dns::rr_type type, std::vector<std::string> const& records);
  void set_dns_fault(std::string const& owner_label, net::dns::fault f, std::optional<net::dns::rr_type> only = {});
  void set_dnssec(dnssec_mode m);
  /// The fetches the policy host has answered so far.
  [[nodiscard]] std::vector<policy_fetch> fetches() const;

  /// Whether the trigger takes the world's clock ({now}); time cases are unsupported otherwise.
  [[nodiscard]] bool can_set_time() const noexcept { return ctx_.sender->can_set_time; }
  /// Moves the world's clock (and DNSSEC signatures) forward by `d`.
  void advance_time(std::chrono::seconds d);
  /// Moves only the clock this scene hands the sender ({now}, the message's Date) forward by
  /// `d`; the shared world (DNSSEC signatures, certificates, other cases' {now}) stays. For
  /// rules timed on the sender's clock alone (max-age of a pin or a cached policy) this is
  /// safe while other cases run: advance_time re-signs every zone with inception = new now -
  /// 1 h, so a case that read {now} just before someone's jump of an hour or more sees
  /// "signature not incepted yet", and a case timing a max-age sees foreign jumps.
  void advance_sender_clock(std::chrono::seconds d);
  /// The result for a case that needs a clock the trigger cannot take.
  [[nodiscard]] static case_result no_clock();

  /// Hands one message to the MTA under test and observes the outcome. `step` names it in the
  /// transcript ("learn the pin", ...).
  boost::asio::awaitable<attempt> send(std::string step = {});

  struct host_state;

 private:
  host_state& host(std::string_view label);
  host_state const& host(std::string_view label) const;
  void start_listener(host_state& h, std::uint16_t port, peer_script script);
  void stop_now(std::shared_ptr<smtp_peer> const& peer);

  case_context& ctx_;
  std::string domain_;
  std::string label_;  ///< the case label (first label of domain_)
  std::map<std::string, std::unique_ptr<host_state>, std::less<>> hosts_;
  std::optional<policy_host_options> policy_;
  unsigned sends_ = 0;
  std::chrono::seconds sender_offset_{0};  ///< advance_sender_clock
};

/// A peer script for a well-behaved STARTTLS receiver named `host` (chains filled in by scene).
[[nodiscard]] peer_script good_peer();
/// STARTTLS removed from the EHLO reply.
[[nodiscard]] peer_script stripped_peer();

/// Registers a sender case (role::sender; default timeout 30 s).
struct sender_case {
  explicit sender_case(case_def def);
};

}  // namespace mxtls::conformance::sender
