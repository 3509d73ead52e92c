// libFuzzer target: host names and name patterns (dns::parse_hostname, parse_name_pattern,
// matches; NAME-2.*, NAME-3.1-*, NAME-6.4.3-*). Input: "PATTERN\nHOST".
// Invariants: accepted names are canonical and re-parse to themselves; patterns round-trip
// through to_string; "*.b" matches one label below b and never b itself or two labels;
// matching ignores ASCII case and one trailing dot.
#include "mxtls/spec/dns/name.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {
std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace dns = mxtls::spec::dns;
  std::string_view const in(reinterpret_cast<const char*>(data), size);
  std::size_t const nl = in.find('\n');
  std::string_view const pattern_text = in.substr(0, nl);
  std::string_view const host = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);

  for (bool dot : {false, true}) {
    auto const h = dns::parse_hostname(in, {.allow_trailing_dot = dot});
    if (!h) {
      if (h.error().offset > size) std::abort();
      continue;
    }
    if (h->size() > dns::max_name_octets || *h != dns::normalize(*h)) std::abort();
    auto const again = dns::parse_hostname(*h);
    if (!again || *again != *h) std::abort();
  }

  auto const p = dns::parse_name_pattern(pattern_text);
  if (!p) {
    if (p.error().offset > pattern_text.size()) std::abort();
    return 0;
  }
  auto const back = dns::parse_name_pattern(p->to_string());
  if (!back || !(*back == *p)) std::abort();
  if (p->wildcard) {
    if (!dns::matches(*p, "x." + p->base) || dns::matches(*p, p->base) || dns::matches(*p, "x.y." + p->base)) std::abort();
  } else if (!dns::matches(*p, p->base) || dns::matches(*p, "x." + p->base)) {
    std::abort();
  }
  bool const m = dns::matches(*p, host);
  if (dns::matches(*p, upper(host)) != m) std::abort();
  if ((host.empty() || host.back() != '.') && dns::matches(*p, std::string(host) + ".") != m) std::abort();
  return 0;
}
