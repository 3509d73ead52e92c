// The mxtls-serve shell: Asio listeners, one C++20 coroutine per connection moving bytes
// between the socket (or net::tls_stream) and the sans-I/O session core, per-state
// deadlines (RFC 5321 §4.5.3.2), slowloris limits, connection limits, durable delivery on
// a disk thread pool, and a graceful SIGTERM/SIGINT drain.
#pragma once

#include "config.hpp"

namespace mxtls::server {

/// Runs the server until SIGTERM/SIGINT and the drain that follows. Returns the process
/// exit status (0 after a drain). Throws config_error for unusable settings (certificate,
/// Maildir, listen address) so main() can print them.
int run_server(config const& cfg);

}  // namespace mxtls::server
