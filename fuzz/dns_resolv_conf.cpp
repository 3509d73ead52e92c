// libFuzzer target: /etc/resolv.conf (dns::parse_resolv_conf, resolv.conf(5)) and the
// ADDR[:PORT] resolver syntax (dns::parse_server_address) on arbitrary bytes.
// Invariants: the parser is total; it yields at most one address per `nameserver` line, each
// with port 53, and every address prints and parses back to itself, alone and with a port.
#include "mxtls/net/dns/resolv_conf.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {
std::string with_port(mxtls::net::dns::server_address const& s) {
  std::string const a = s.address.to_string();
  return (s.address.is_v6() ? "[" + a + "]" : a) + ":" + std::to_string(s.port);
}

bool scoped(mxtls::net::dns::server_address const& s) {
  // Named scope ids ("fe80::1%eth0") print as the interface index (or not at all).
  return s.address.is_v6() && s.address.to_v6().scope_id() != 0;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace dns = mxtls::net::dns;
  std::string_view const in(reinterpret_cast<const char*>(data), size);

  auto const all = dns::parse_resolv_conf(in);
  std::size_t lines = 0;
  for (std::size_t p = in.find("nameserver"); p != std::string_view::npos; p = in.find("nameserver", p + 1)) ++lines;
  if (all.size() > lines) std::abort();
  for (auto const& s : all) {
    if (s.port != 53) std::abort();
    if (scoped(s)) continue;
    auto const again = dns::parse_resolv_conf("nameserver " + s.address.to_string() + "\n");
    if (again.size() != 1 || !(again.front() == s)) std::abort();
    auto const back = dns::parse_server_address(with_port(s));
    if (!back || !(*back == s)) std::abort();
  }

  if (auto const s = dns::parse_server_address(in)) {
    if (s->port == 0) std::abort();
    if (!scoped(*s)) {
      auto const back = dns::parse_server_address(with_port(*s));
      if (!back || !(*back == *s)) std::abort();
    }
  } else if (s.error().detail.empty()) {
    std::abort();
  }
  return 0;
}
