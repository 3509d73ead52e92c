// Names of the DNS layer's values (types.hpp) and the API's name form.
#include "mxtls/net/dns/types.hpp"

#include "ldns_wrap.hpp"

#include <algorithm>
#include <cctype>

namespace mxtls::net::dns {

std::string to_string(rr_type t) {
  ldns_rr_descriptor const* d = ldns_rr_descript(static_cast<std::uint16_t>(t));
  if (d != nullptr && d->_name != nullptr) return d->_name;
  return "TYPE" + std::to_string(static_cast<unsigned>(t));
}

std::string to_string(rcode c) {
  switch (c) {
    case rcode::noerror: return "NOERROR";
    case rcode::formerr: return "FORMERR";
    case rcode::servfail: return "SERVFAIL";
    case rcode::nxdomain: return "NXDOMAIN";
    case rcode::notimp: return "NOTIMP";
    case rcode::refused: return "REFUSED";
  }
  return "RCODE" + std::to_string(static_cast<unsigned>(c));
}

char const* to_string(dnssec_status s) noexcept {
  switch (s) {
    case dnssec_status::secure: return "secure";
    case dnssec_status::insecure: return "insecure";
    case dnssec_status::bogus: return "bogus";
    case dnssec_status::indeterminate: return "indeterminate";
  }
  return "unknown";
}

char const* to_string(lookup_outcome o) noexcept {
  switch (o) {
    case lookup_outcome::found: return "found";
    case lookup_outcome::nodata: return "nodata";
    case lookup_outcome::nxdomain: return "nxdomain";
  }
  return "unknown";
}

std::string normalize_name(std::string_view name) {
  std::string s(name);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s.size() > 1 && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace mxtls::net::dns
