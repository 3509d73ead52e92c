// libFuzzer target: the test authority's query handling (dns::authority::respond) with
// arbitrary bytes as the query, over UDP and TCP, against a small signed world built once:
// the root, "test", a secure zone (NSEC), a secure NSEC3 zone and an insecure zone.
// Invariants: never crashes or hangs; no answer to a message shorter than a header; an
// answer echoes the ID, sets QR, is at least a header and fits a TCP message; over UDP it is
// the TCP answer or a smaller TC reply within 512 octets; the query log stays bounded.
#include "mxtls/net/dns/authority.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace {
mxtls::net::dns::authority& world() {
  namespace dns = mxtls::net::dns;
  static std::unique_ptr<dns::authority> const a = [] {
    auto w = std::make_unique<dns::authority>();
    bool ok = static_cast<bool>(w->add_zone({"signed.test", dns::zone_security::secure,
                                             {"@ MX 10 mx", "mx A 192.0.2.1", "mx AAAA 2001:db8::1",
                                              "_25._tcp.mx TLSA 3 1 1 "
                                              "74fc7a6f725394e8fb69beeca35e41c8cd930e351749f062c7c8f95e16a20838",
                                              "_mta-sts TXT \"v=STSv1; id=1\"", "*.wild CNAME mx"}}));
    ok = ok && w->add_zone({"nsec3.test", dns::zone_security::secure,
                            {"@ MX 10 mx", "mx A 192.0.2.3"}, dns::denial_method::nsec3});
    ok = ok && w->add_zone({"plain.test", dns::zone_security::insecure, {"@ MX 10 mx", "mx A 192.0.2.2"}});
    if (!ok) std::abort();
    return w;
  }();
  return *a;
}

bool tc(std::vector<std::uint8_t> const& r) { return (r[2] & 0x02) != 0; }
unsigned arcount(std::vector<std::uint8_t> const& r) { return static_cast<unsigned>(r[10] << 8 | r[11]); }

void check(std::span<std::uint8_t const> q, std::optional<std::vector<std::uint8_t>> const& udp,
           std::optional<std::vector<std::uint8_t>> const& tcp) {
  if (q.size() < 12) {
    if (udp || tcp) std::abort();
    return;
  }
  if (udp.has_value() != tcp.has_value()) std::abort();
  if (!udp) return;
  for (auto const* r : {&*udp, &*tcp}) {
    if (r->size() < 12 || r->size() > 65535) std::abort();
    if ((*r)[0] != q[0] || (*r)[1] != q[1] || ((*r)[2] & 0x80) == 0) std::abort();
  }
  // No faults are set: TCP never truncates, and UDP answers the same bytes unless the
  // answer exceeds the client's buffer, when it sends a smaller TC reply within 512 octets
  // (header, question, OPT). A UDP answer over 512 octets needs the query's EDNS (OPT echoed).
  if (tc(*tcp)) std::abort();
  if (*udp != *tcp) {
    if (!tc(*udp) || udp->size() > 512 || udp->size() >= tcp->size()) std::abort();
  } else if (udp->size() > 512 && arcount(*udp) == 0) {
    std::abort();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace dns = mxtls::net::dns;
  auto& a = world();
  std::span<std::uint8_t const> const q(data, size);
  auto const udp = a.respond(q, dns::transport::udp);
  auto const tcp = a.respond(q, dns::transport::tcp);
  check(q, udp, tcp);
  if (a.query_log().size() > 2) std::abort();
  a.clear_query_log();
  return 0;
}
