// Fuzz target for TLSA record data (DANE-3.1-01): wire and presentation parsers are
// total, wire form round-trips octet for octet, text form round-trips through to_text.
#include "mxtls/spec/dane/tlsa.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace dane = mxtls::spec::dane;
  std::span<const std::uint8_t> const bytes(data, size);
  std::vector<dane::tlsa_record> rrset;

  if (auto r = dane::parse_tlsa_rdata(bytes)) {
    auto const wire = dane::to_rdata(*r);
    if (!std::equal(wire.begin(), wire.end(), bytes.begin(), bytes.end())) std::abort();
    rrset.push_back(*r);
  }
  std::string_view const text(reinterpret_cast<const char*>(data), size);
  if (auto r = dane::parse_tlsa_text(text)) {
    auto const again = dane::parse_tlsa_text(dane::to_text(*r));
    if (!again || *again != *r) std::abort();
    if (r->data.empty()) std::abort();  // the text form needs data
    rrset.push_back(*r);
  }
  // [DANE-2.2-01..03] the RRset state agrees with the records' usability.
  bool any_usable = false;
  for (auto const& r : rrset) any_usable = any_usable || dane::usability(r) == dane::tlsa_usability::usable;
  auto const state = dane::classify_rrset(rrset);
  auto const expected = rrset.empty() ? dane::tlsa_rrset_state::no_records
                        : any_usable  ? dane::tlsa_rrset_state::usable
                                      : dane::tlsa_rrset_state::all_unusable;
  if (state != expected) std::abort();
  return 0;
}
