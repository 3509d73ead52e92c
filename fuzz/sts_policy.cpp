// libFuzzer target: MTA-STS policy bodies (mtasts::parse_policy, STS-3.2-*, STS-3.3-08).
// Invariants: errors point inside the input and name a rule; an accepted policy satisfies
// STS-3.2-10/12, prints and parses back to itself, and its LF-only form parses the same.
#include "mxtls/spec/mtasts/policy.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace mtasts = mxtls::spec::mtasts;
  std::string_view const in(reinterpret_cast<const char*>(data), size);
  auto const p = mtasts::parse_policy(in);
  if (!p) {
    if (p.error().offset > size || p.error().requirement.empty()) std::abort();
    return 0;
  }
  if (p->version != "STSv1" || p->max_age > mtasts::max_max_age) std::abort();
  if (p->mode != mtasts::policy_mode::none && p->mx.empty()) std::abort();
  std::string const printed = mtasts::print_policy(*p);
  auto const back = mtasts::parse_policy(printed);
  if (!back || !(*back == *p)) std::abort();
  std::string lf;
  for (char c : printed) {
    if (c != '\r') lf.push_back(c);
  }
  auto const back_lf = mtasts::parse_policy(lf);
  if (!back_lf || !(*back_lf == *p)) std::abort();
  return 0;
}
