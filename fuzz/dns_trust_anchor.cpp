// libFuzzer target: DNSSEC trust-anchor files (dns::trust_anchor::parse, DANE-2.1.1-01),
// DS and DNSKEY lines read by ldns, on arbitrary bytes.
// Invariants: errors name the requirement and point at a line start inside the input; an
// accepted anchor has records, and its to_text() parses back to the same records.
#include "mxtls/net/dns/trust_anchor.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace dns = mxtls::net::dns;
  std::string_view const in(reinterpret_cast<const char*>(data), size);
  auto const a = dns::trust_anchor::parse(in);
  if (!a) {
    auto const& e = a.error();
    if (e.requirement.empty() || e.offset > size) std::abort();
    if (e.offset != 0 && in[e.offset - 1] != '\n') std::abort();
    return 0;
  }
  if (a->records().empty()) std::abort();
  auto const back = dns::trust_anchor::parse(a->to_text());
  if (!back || !(*back == *a)) std::abort();
  return 0;
}
