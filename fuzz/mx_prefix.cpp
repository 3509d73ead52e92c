// Fuzz target for MX prefix classification (PFX-*): total on any bytes, independent of
// ASCII case, and every plan ends on port 25 with the prefix's TLS requirement.
#include "mxtls/spec/prefix/mx_prefix.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace prefix = mxtls::spec::prefix;
  std::string_view const host(reinterpret_cast<const char*>(data), size);
  auto const got = prefix::classify(host);

  std::string upper(host);
  for (char& c : upper)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  auto const got_upper = prefix::classify(upper);
  if (got.has_value() != got_upper.has_value()) std::abort();
  if (!got) return 0;
  if (*got != *got_upper) std::abort();

  // [PFX-01] a signal needs its prefix at the very start of the name.
  if (*got != prefix::mx_prefix::none && host.size() < 7) std::abort();
  auto const plan = prefix::port_order(*got);
  if (plan.empty() || plan.back().port != prefix::smtp_port) std::abort();
  for (auto const& a : plan)
    if (a.verified_tls_required != prefix::requires_verified_tls(*got)) std::abort();
  if ((plan.size() == 2) != prefix::offers_implicit_tls(*got)) std::abort();
  return 0;
}
