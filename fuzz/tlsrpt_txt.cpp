// libFuzzer target: `_smtp._tls` TXT RRsets in presentation format and raw records
// (dns::parse_txt_rrset, tlsrpt::select_tlsrpt_record, tlsrpt::parse_tlsrpt_record; RPT-3-*).
// Invariants: errors point inside the input; accepted URIs have a scheme and contain no
// WSP, ',' or ';'; supported and ignored URIs are split by scheme as documented.
#include "mxtls/spec/dns/name.hpp"
#include "mxtls/spec/dns/txt.hpp"
#include "mxtls/spec/tlsrpt/record.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {
void check_record(mxtls::spec::tlsrpt::tlsrpt_record const& r) {
  namespace dns = mxtls::spec::dns;
  auto uri_ok = [](std::string const& u) {
    return u.find(':') != std::string::npos && u.find_first_of(" \t,;!") == std::string::npos;
  };
  for (auto const& u : r.rua) {
    std::string_view const scheme = std::string_view(u).substr(0, u.find(':'));
    if (!uri_ok(u) || !(dns::equal_ci(scheme, "mailto") || dns::equal_ci(scheme, "https"))) std::abort();
  }
  for (auto const& u : r.ignored_rua) {
    std::string_view const scheme = std::string_view(u).substr(0, u.find(':'));
    if (!uri_ok(u) || dns::equal_ci(scheme, "mailto") || dns::equal_ci(scheme, "https")) std::abort();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace tlsrpt = mxtls::spec::tlsrpt;
  namespace dns = mxtls::spec::dns;
  std::string_view const in(reinterpret_cast<const char*>(data), size);

  auto const raw = tlsrpt::parse_tlsrpt_record(in);
  if (raw) {
    if (!tlsrpt::is_tlsrpt_candidate(in)) std::abort();
    check_record(*raw);
  } else if (raw.error().offset > size) {
    std::abort();
  }

  auto const rrset = dns::parse_txt_rrset(in);
  if (!rrset) {
    if (rrset.error().offset > size) std::abort();
    return 0;
  }
  auto const sel = tlsrpt::select_tlsrpt_record(*rrset);
  if (sel) check_record(*sel);
  return 0;
}
