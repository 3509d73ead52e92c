// The stub resolver configuration: the `nameserver` lines of /etc/resolv.conf (resolv.conf(5)).
// mxtls-send sends its queries there unless --resolver says otherwise; it never trusts that
// resolver's AD bit (DANE-2.1.3-02) but validates DNSSEC itself.
#pragma once

#include "mxtls/net/dns/errc.hpp"

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::net::dns {

/// A resolver (or authoritative server) to send queries to.
struct server_address {
  boost::asio::ip::address address;
  std::uint16_t port = 53;
  friend bool operator==(server_address const&, server_address const&) = default;
};

/// The addresses of the `nameserver` lines, in file order. Lines are
/// `nameserver ADDRESS` with optional surrounding white space; '#' and ';' start comments;
/// unparsable addresses are skipped (as the C library does). Other keywords are ignored.
[[nodiscard]] std::vector<server_address> parse_resolv_conf(std::string_view text);

/// "ADDR", "ADDR:PORT", "[V6ADDR]" or "[V6ADDR]:PORT" (a bare IPv6 address has no port).
[[nodiscard]] result<server_address> parse_server_address(std::string_view text);

/// The first nameserver of /etc/resolv.conf (errc::file_unreadable, errc::no_resolver).
[[nodiscard]] result<server_address> system_resolver(std::string const& path = "/etc/resolv.conf");

}  // namespace mxtls::net::dns
