// The conformance world's DNS server: UDP and TCP on one loopback address and port,
// answering from an authority (zones, faults, resolver modes). Truncated UDP answers make
// clients retry over TCP (RFC 7766). All socket work runs on one strand of the executor.
#pragma once

#include "mxtls/net/dns/authority.hpp"
#include "mxtls/net/dns/errc.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <memory>

namespace mxtls::net::dns {

class server {
 public:
  server(boost::asio::any_io_executor ex, std::shared_ptr<authority> zones);
  /// Stops serving (as stop()).
  ~server();
  server(server const&) = delete;
  server& operator=(server const&) = delete;

  /// Binds UDP and TCP to address:port (port 0: one ephemeral port free for both) and
  /// starts answering. Returns the bound port (errc::network_error if binding fails).
  [[nodiscard]] result<std::uint16_t> start(boost::asio::ip::address address, std::uint16_t port = 0);

  /// Closes the sockets and every TCP connection; pending work ends on the executor.
  /// Safe from any thread; the server cannot be started again.
  void stop();

  [[nodiscard]] std::uint16_t port() const noexcept;
  [[nodiscard]] boost::asio::ip::address address() const;
  /// The zones served, for mutation while running.
  [[nodiscard]] authority& zones() const noexcept;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace mxtls::net::dns
