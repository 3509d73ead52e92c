// One delivery attempt of one message, as spec/proposal.md §7.3 `deliver` writes it, per
// recipient domain: MX lookup (DNS-05, SMTP-5.1-01/02, SMTP-7505.3-01), per host its own
// address queries (DNS-07, DNS-18), the prefix (PFX-05), pins (BAN-19), MTA-STS (STS-5.1-*),
// TLSA (DNS-20, DANE-2.2.*), spec::policy::decide per host and port (DNS-14), the sessions,
// next MX / defer (DNS-15, DNS-16, PFX-15), and the MTA-STS re-check before deferring.
#pragma once

#include "mxtls/client/config.hpp"
#include "mxtls/client/message.hpp"
#include "mxtls/client/report.hpp"
#include "mxtls/client/state.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

namespace mxtls::client {

struct delivery_request {
  std::string from;                          ///< reverse-path, "" = null ("<>")
  std::vector<mailbox_address> recipients;   ///< grouped by domain inside
  message content;
};

/// Delivers to every recipient domain in turn on the caller's executor. The state's
/// changes (pins, policies) are committed after each domain; a failed commit becomes a
/// warning of the report, never a different outcome.
[[nodiscard]] boost::asio::awaitable<delivery_report> deliver(client_config const& cfg, state_store& state,
                                                              delivery_request const& req);

/// deliver() on a private io_context (the CLI and tests that do not run their own).
[[nodiscard]] delivery_report deliver_sync(client_config const& cfg, state_store& state, delivery_request const& req);

}  // namespace mxtls::client
