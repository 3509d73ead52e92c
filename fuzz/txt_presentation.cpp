// libFuzzer target: TXT presentation format (dns::parse_txt_presentation, NAME-5.1-*,
// NAME-3.3.14-*). Invariants: errors point inside the input; accepted strings are at most
// 255 octets; print_txt of an accepted RR parses back to the same strings; the RRset
// parser agrees with the line parser on single-line inputs.
#include "mxtls/spec/dns/txt.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace dns = mxtls::spec::dns;
  std::string_view const in(reinterpret_cast<const char*>(data), size);
  auto const rr = dns::parse_txt_presentation(in);
  if (!rr) {
    if (rr.error().offset > size || rr.error().requirement.empty()) std::abort();
  } else {
    if (rr->empty()) std::abort();
    for (auto const& s : *rr) {
      if (s.size() > dns::max_character_string_octets) std::abort();
    }
    auto const back = dns::parse_txt_presentation(dns::print_txt(*rr));
    if (!back || *back != *rr) std::abort();
  }
  auto const set = dns::parse_txt_rrset(in);
  if (!set) {
    if (set.error().offset > size) std::abort();
  } else if (set->size() == 1 && in.find('\n') == std::string_view::npos) {
    if (!rr || (*set)[0] != *rr) std::abort();
  }
  return 0;
}
