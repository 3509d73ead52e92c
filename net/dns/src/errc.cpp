// The "mxtls.net.dns" error category: texts and enumerator names of net::dns::errc.
#include "mxtls/net/dns/errc.hpp"

namespace mxtls::net::dns {

namespace {
char const* describe(int ev) noexcept {
  switch (static_cast<errc>(ev)) {
    case errc::invalid_name: return "not a valid domain name";
    case errc::invalid_record: return "record in presentation format could not be parsed";
    case errc::unknown_zone: return "zone not held by this authority";
    case errc::zone_exists: return "zone already exists";
    case errc::no_parent_zone: return "no parent zone held for the new zone";
    case errc::record_outside_zone: return "record owner is outside its zone";
    case errc::trust_anchor_invalid: return "trust anchor line is not a DS or DNSKEY record";
    case errc::trust_anchor_empty: return "trust anchor has no DS or DNSKEY record";
    case errc::file_unreadable: return "file could not be read or written";
    case errc::no_resolver: return "no resolver configured";
    case errc::signing_failed: return "DNSSEC key generation or zone signing failed";
    case errc::timeout: return "DNS query timed out";
    case errc::network_error: return "network error during DNS query";
    case errc::malformed_response: return "malformed or mismatched DNS response";
    case errc::truncated: return "DNS response truncated over TCP";
    case errc::server_failure: return "DNS server failure (SERVFAIL)";
    case errc::refused: return "DNS query refused (REFUSED)";
    case errc::bad_rcode: return "DNS error response code";
    case errc::cname_loop: return "CNAME chain too long or looping";
    case errc::dnssec_bogus: return "DNSSEC validation failed (bogus)";
    case errc::dnssec_indeterminate: return "DNSSEC validation could not complete (indeterminate)";
  }
  return "unknown DNS error";
}
}  // namespace

boost::system::error_category const& dns_category() noexcept {
  static const mxtls::spec::described_category cat{"mxtls.net.dns", &describe};
  return cat;
}

char const* to_string(errc e) noexcept {
  switch (e) {
    case errc::invalid_name: return "invalid_name";
    case errc::invalid_record: return "invalid_record";
    case errc::unknown_zone: return "unknown_zone";
    case errc::zone_exists: return "zone_exists";
    case errc::no_parent_zone: return "no_parent_zone";
    case errc::record_outside_zone: return "record_outside_zone";
    case errc::trust_anchor_invalid: return "trust_anchor_invalid";
    case errc::trust_anchor_empty: return "trust_anchor_empty";
    case errc::file_unreadable: return "file_unreadable";
    case errc::no_resolver: return "no_resolver";
    case errc::signing_failed: return "signing_failed";
    case errc::timeout: return "timeout";
    case errc::network_error: return "network_error";
    case errc::malformed_response: return "malformed_response";
    case errc::truncated: return "truncated";
    case errc::server_failure: return "server_failure";
    case errc::refused: return "refused";
    case errc::bad_rcode: return "bad_rcode";
    case errc::cname_loop: return "cname_loop";
    case errc::dnssec_bogus: return "dnssec_bogus";
    case errc::dnssec_indeterminate: return "dnssec_indeterminate";
  }
  return "unknown";
}

}  // namespace mxtls::net::dns
