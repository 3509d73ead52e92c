// The world (DESIGN §5, issue 5): everything around the implementation under test, on loopback.
// It owns a signing DNS server (root, test., the world TLD mxtls.test. and one zone per case,
// each secure, insecure or bogus), its trust anchor file, the test PKI with ca.pem, MTA-STS
// policy hosts with injectable faults, the clock, and the io_context (one thread) on which
// all of them, and the scripted SMTP peers of the cases, run. Failures throw
// std::runtime_error: inside a case that is a harness error, at startup exit status 3.
#pragma once

#include "world/clock.hpp"
#include "world/pki_store.hpp"
#include "world/policy_host.hpp"

#include <mxtls/net/dns/authority.hpp>
#include <mxtls/net/dns/resolv_conf.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

namespace mxtls::net::dns {
class server;
}

namespace mxtls::conformance {

/// The parent of every case domain ("<case label>.mxtls.test"). RFC 2606 reserves .test.
inline constexpr std::string_view default_world_tld = "mxtls.test";

/// Creates a fresh directory "$TMPDIR/<prefix>-XXXXXX" (or under /tmp) and returns its path.
/// Throws std::runtime_error when it cannot.
[[nodiscard]] std::string make_scratch_dir(std::string_view prefix);

/// How a domain's zone is published (DANE-2.1.1-02: secure, insecure, bogus).
enum class dnssec_mode : std::uint8_t { secure, insecure, bogus };

[[nodiscard]] std::string_view to_string(dnssec_mode m) noexcept;
[[nodiscard]] std::optional<dnssec_mode> parse_dnssec_mode(std::string_view s) noexcept;

/// Presentation-format records with absolute owners, for world::add_domain.
namespace rr {
[[nodiscard]] std::string mx(std::string_view owner, std::uint16_t preference, std::string_view host);
[[nodiscard]] std::string a(std::string_view owner, std::string_view address);
[[nodiscard]] std::string cname(std::string_view owner, std::string_view target);
/// One TXT record; `text` is split into 255-octet character-strings and escaped.
[[nodiscard]] std::string txt(std::string_view owner, std::string_view text);
/// _<port>._tcp.<host> TLSA usage selector matching-type hex-data.
[[nodiscard]] std::string tlsa(std::uint16_t port, std::string_view host, int usage, int selector, int matching_type,
                               std::string_view hex_data);
/// The TLSA record that matches `cert` (selector 0 full certificate, 1 SubjectPublicKeyInfo;
/// matching type 0 full, 1 SHA-256, 2 SHA-512), DANE-2.2-01 style "3 1 1" by default.
[[nodiscard]] std::string tlsa_for(std::uint16_t port, std::string_view host, net::pki::issued const& cert,
                                   int usage = 3, int selector = 1, int matching_type = 1);
}  // namespace rr

struct world_options {
  std::string tld = std::string(default_world_tld);
  /// Where ca.pem, the trust anchor and certificates are written; empty: a new directory
  /// under $TMPDIR (or /tmp), removed when the world stops.
  std::string dir;
  std::string address = "127.0.0.1";  ///< every listener binds here (127.0.0.0/8)
  std::uint16_t dns_port = 0;         ///< 0: ephemeral
  /// The clock's start; empty: the wall clock now (whole seconds).
  std::optional<std::chrono::system_clock::time_point> start_time;
  /// validating: AD on answers from secure zones, SERVFAIL for bogus ones (what an MTA that
  /// trusts its resolver needs); authoritative: never AD.
  net::dns::resolver_mode dns_mode = net::dns::resolver_mode::validating;
  /// The port policy hosts listen on; 0: ephemeral (loopback tests reach them through
  /// --https-address). The sender suite, in its own network namespace, uses 443.
  std::uint16_t policy_port = 0;
  /// Each policy host gets its own address from allocate_address() instead of `address`
  /// (needed when they share policy_port 443).
  bool distinct_policy_addresses = false;
};

class world {
 public:
  /// Starts the DNS server and the io thread and writes ca.pem and the trust anchor.
  explicit world(world_options opt = {});
  ~world();
  world(world const&) = delete;
  world& operator=(world const&) = delete;

  [[nodiscard]] std::string const& tld() const noexcept { return opt_.tld; }
  [[nodiscard]] std::string const& dir() const noexcept { return dir_; }
  [[nodiscard]] world_clock& clock() noexcept { return clock_; }
  [[nodiscard]] pki_store& pki() noexcept { return *pki_; }
  [[nodiscard]] net::dns::authority& zones() noexcept { return *zones_; }
  [[nodiscard]] boost::asio::ip::address address() const { return address_; }
  /// The DNS server (UDP and TCP on one port).
  [[nodiscard]] net::dns::server_address dns_address() const;
  /// "127.0.0.1:PORT", what --resolver takes.
  [[nodiscard]] std::string dns_address_text() const;
  [[nodiscard]] std::string const& ca_file() const noexcept { return ca_file_; }
  /// The root's DS record, one line (ldns / unbound format).
  [[nodiscard]] std::string const& trust_anchor_file() const noexcept { return anchor_file_; }
  /// The io_context the world's servers (and the cases' scripted peers) run on.
  [[nodiscard]] boost::asio::any_io_executor executor() noexcept { return io_.get_executor(); }

  /// Runs `f` on the world's thread and returns its result (exceptions propagate).
  template <class F>
  auto run_on_world(F&& f) -> std::invoke_result_t<F&> {
    if (io_.get_executor().running_in_this_thread()) return f();
    using R = std::invoke_result_t<F&>;
    std::packaged_task<R()> task(std::forward<F>(f));
    auto fut = task.get_future();
    boost::asio::dispatch(io_, [&task] { task(); });
    return fut.get();
  }

  // --- DNS ---
  /// Creates the zone `domain` (below the TLD or another zone) with `records` (presentation
  /// format, owners relative to the zone or absolute). Throws if it exists or is invalid.
  void add_domain(std::string const& domain, dnssec_mode mode, std::vector<std::string> const& records = {});
  void add_records(std::string const& zone, std::vector<std::string> const& records);
  void replace_rrset(std::string const& zone, std::string const& owner, net::dns::rr_type type,
                     std::vector<std::string> const& records);
  void remove_rrset(std::string const& owner, net::dns::rr_type type);
  void set_dnssec(std::string const& domain, dnssec_mode mode);
  /// Misbehaviour for queries at (or, with subtree, below) `name`: SERVFAIL, drop, truncate...
  void set_dns_fault(std::string const& name, net::dns::fault f, bool subtree = false,
                     std::optional<net::dns::rr_type> only = std::nullopt);
  /// Moves the clock and re-signs the zones at the new time.
  void set_time(world_clock::time_point t);

  /// A fresh loopback address from 127.64.0.0/10 (127.64.0.1, 127.64.0.2, ...), never the
  /// world's own; hosts of a case (MX peers, policy hosts) each take one so that they can all
  /// listen on the service ports (25, 26, 443) inside the suite's network namespace.
  [[nodiscard]] boost::asio::ip::address allocate_address();

  // --- MTA-STS policy hosts ---
  /// Serves https://mta-sts.<domain>/.well-known/mta-sts.txt; adds the host's A record to the
  /// zone of `domain` when the world holds it. One host per domain: a second call replaces it.
  std::shared_ptr<policy_host> start_policy_host(std::string const& domain, policy_host_options opt);
  [[nodiscard]] std::shared_ptr<policy_host> find_policy_host(std::string const& domain) const;
  /// Stops the policy host of `domain` (its address then refuses connections); its A record stays.
  void stop_policy_host(std::string const& domain);

  // --- per-case resources ---
  /// Keeps `resource` (e.g. a scripted SMTP peer) alive until end_case(case_domain).
  void keep(std::string const& case_domain, std::shared_ptr<void> resource);
  /// Stops the policy hosts at or below `case_domain` and releases what keep() holds for it.
  /// The runner calls it when a case finishes or is abandoned.
  void end_case(std::string const& case_domain);

  /// How to reach the world, one fact per line ("dns 127.0.0.1:40053", ...).
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> describe() const;

 private:
  world_options opt_;
  std::string dir_;
  bool own_dir_ = false;
  world_clock clock_;
  boost::asio::ip::address address_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::thread thread_;
  std::unique_ptr<pki_store> pki_;
  std::shared_ptr<net::dns::authority> zones_;
  std::unique_ptr<net::dns::server> dns_;
  std::string ca_file_, anchor_file_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<policy_host>> policy_hosts_;
  std::multimap<std::string, std::shared_ptr<void>> kept_;
  std::uint32_t next_address_ = 0;
};

}  // namespace mxtls::conformance
