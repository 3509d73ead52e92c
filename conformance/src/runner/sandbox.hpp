// The sender suite's sandbox (issue 6): a network namespace in which every host of the world
// has its own loopback address and listens on the real service ports (25, 26, 443, 53), and
// a mount namespace in which /etc/resolv.conf points at the world's DNS and the system CA
// bundle also trusts the world's CA. The MTA under test, started by the trigger, inherits
// both, so an MTA that reads /etc/resolv.conf and the system trust store needs no change.
// Nothing outside the namespaces is touched: the bind mounts are private to them and vanish
// with the process.
#pragma once

#include <optional>
#include <string>

namespace mxtls::conformance::sandbox {

/// Unshares the network and mount namespaces (and, when not root, a user namespace that maps
/// the caller to root in it), makes every mount private and brings the loopback interface up.
/// Must run while the process has a single thread. Returns why it failed, or nothing.
[[nodiscard]] std::optional<std::string> enter();

/// Bind-mounts the file `source` over the existing file `target` (following symlinks), inside
/// the mount namespace made by enter(). Returns why it failed, or nothing.
[[nodiscard]] std::optional<std::string> bind_file(std::string const& source, std::string const& target);

/// The system CA bundle (Debian: /etc/ssl/certs/ca-certificates.crt), or "" when absent.
[[nodiscard]] std::string system_ca_bundle();

}  // namespace mxtls::conformance::sandbox
