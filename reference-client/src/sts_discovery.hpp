// MTA-STS policy discovery for one Policy Domain (RFC 8461 §3, §5.1, proposal §7.3
// sts_policy and sts_id_changed): the `_mta-sts` TXT id compared with the cache, the HTTPS
// fetch through net/https with every §3.3 rule, the five-minute backoff, and the cached
// policy as fallback. Internal to mxtls_client.
#pragma once

#include "mxtls/client/config.hpp"
#include "mxtls/client/report.hpp"
#include "mxtls/client/state.hpp"
#include "mxtls/net/dns/client.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mxtls::client::detail {

/// The policy that applies to one delivery attempt.
struct sts_view {
  std::optional<sts_entry> policy;  ///< absent: deliver as if the domain had no MTA-STS (STS-3.3-10)
  std::string source;               ///< "fetched", "cache" (id unchanged), "cache-fallback", "none"
  std::string txt_id;               ///< the id seen in DNS this time, "" when none
  /// The decision input (spec::policy::sts_mode) of `policy`.
  [[nodiscard]] spec::policy::sts_mode mode() const noexcept;
};

class sts_discovery {
 public:
  sts_discovery(client_config const& cfg, state_store& state, net::dns::client& dns) : cfg_(cfg), state_(state), dns_(dns) {}

  /// [STS-5.1-01] the policy for `domain` now: cached when the TXT id is unchanged, else
  /// fetched; on any failure the unexpired cached policy (STS-3.3-11), else none (STS-3.3-10).
  boost::asio::awaitable<sts_view> discover(std::string const& domain, std::vector<trail_step>& trail);

  /// [DNS-15][STS-5.1-03] after every MX failed under enforce: re-read the TXT id and, when
  /// it differs from the applied policy's, fetch the new policy. Returns it, or nullopt when
  /// nothing new could be had (same id, no record, backoff, failed fetch).
  boost::asio::awaitable<std::optional<sts_view>> recheck(std::string const& domain, sts_view const& current,
                                                         std::vector<trail_step>& trail);

 private:
  struct txt_result {
    std::optional<std::string> id;  ///< the id of the one valid STS record
    std::string why;                ///< why there is none
    std::string requirement;
  };
  boost::asio::awaitable<txt_result> read_txt(std::string const& domain, std::vector<trail_step>& trail);
  /// One fetch (STS-3.3-*), parsed; the failure text and its RFC 8460 type otherwise.
  boost::asio::awaitable<std::optional<sts_entry>> fetch(std::string const& domain, std::string const& id,
                                                         std::vector<trail_step>& trail);
  /// The unexpired cached policy (none with the sts-no-cache misbehaviour).
  std::optional<sts_entry> cached(std::string const& domain, unix_seconds now, std::vector<trail_step>& trail) const;
  sts_view fallback(std::string const& domain, std::string txt_id, std::vector<trail_step>& trail, std::string why);

  client_config const& cfg_;
  state_store& state_;
  net::dns::client& dns_;
};

}  // namespace mxtls::client::detail
