// libFuzzer target: `_mta-sts` TXT RRsets in presentation format and raw records
// (dns::parse_txt_rrset, mtasts::select_sts_record, mtasts::parse_sts_record; STS-3.1-*).
// Invariants: errors point inside the input; an accepted record is a candidate with a
// 1..32 character alphanumeric id; selection agrees with parsing the one candidate.
#include "mxtls/spec/dns/txt.hpp"
#include "mxtls/spec/mtasts/record.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {
bool valid_id(std::string const& id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    bool const alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) return false;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace mtasts = mxtls::spec::mtasts;
  namespace dns = mxtls::spec::dns;
  std::string_view const in(reinterpret_cast<const char*>(data), size);

  auto const raw = mtasts::parse_sts_record(in);
  if (raw) {
    if (!mtasts::is_sts_candidate(in) || !valid_id(raw->id)) std::abort();
  } else if (raw.error().offset > size) {
    std::abort();
  }

  auto const rrset = dns::parse_txt_rrset(in);
  if (!rrset) {
    if (rrset.error().offset > size) std::abort();
    return 0;
  }
  auto const sel = mtasts::select_sts_record(*rrset);
  std::size_t candidates = 0;
  std::string candidate;
  for (auto const& rr : *rrset) {
    std::string text = dns::concatenate(rr);
    if (mtasts::is_sts_candidate(text)) {
      ++candidates;
      candidate = std::move(text);
    }
  }
  if (candidates != 1) {
    if (sel) std::abort();
    return 0;
  }
  auto const direct = mtasts::parse_sts_record(candidate);
  if (bool(sel) != bool(direct)) std::abort();
  if (sel && !(*sel == *direct)) std::abort();
  return 0;
}
