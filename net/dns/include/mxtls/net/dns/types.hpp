// Values of the DNS layer: record types, response codes, DNSSEC states (RFC 4035 §4.3)
// and the results of a validated lookup. Every answer carries its DNSSEC status and the
// reason for it; nothing here trusts a server's AD bit (DANE-2.1.3-02).
#pragma once

#include "mxtls/spec/dns/txt.hpp"

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::net::dns {

/// RR types by their IANA numbers; other numbers are valid values too.
enum class rr_type : std::uint16_t {
  a = 1,
  ns = 2,
  cname = 5,
  soa = 6,
  mx = 15,
  txt = 16,
  aaaa = 28,
  opt = 41,
  ds = 43,
  rrsig = 46,
  nsec = 47,
  dnskey = 48,
  nsec3 = 50,
  nsec3param = 51,
  tlsa = 52,
  any = 255,
};

/// "MX", "TLSA", or "TYPE65280" for types without a mnemonic.
[[nodiscard]] std::string to_string(rr_type t);

/// DNS response codes (RFC 1035 §4.1.1, RFC 6895).
enum class rcode : std::uint8_t {
  noerror = 0,
  formerr = 1,
  servfail = 2,
  nxdomain = 3,
  notimp = 4,
  refused = 5,
};

/// "NOERROR", "SERVFAIL", ... or "RCODE15".
[[nodiscard]] std::string to_string(rcode c);

/// RFC 4035 §4.3. [DANE-2.1.1-02] anchorless answers are insecure; indeterminate is an error.
/// Ordered weakest-last so that the status of several RRsets is the maximum.
enum class dnssec_status : std::uint8_t {
  secure = 0,         ///< a chain of trust from the anchor validates the RRset or its denial
  insecure = 1,       ///< an insecure delegation (or no anchor) proves no signatures are expected
  bogus = 2,          ///< signatures expected and missing, expired or wrong; or a DS/key mismatch
  indeterminate = 3,  ///< validation could not complete (a chain query failed)
};

[[nodiscard]] char const* to_string(dnssec_status s) noexcept;

/// The status of an answer assembled from several RRsets: the weakest one.
[[nodiscard]] constexpr dnssec_status weakest(dnssec_status a, dnssec_status b) noexcept {
  return a > b ? a : b;
}

/// One resource record of an answer (RRSIGs are not returned; they were checked).
struct record {
  std::string owner;                 ///< lower case, absolute, with the trailing dot ("mx.example.")
  rr_type type = rr_type::a;
  std::uint32_t ttl = 0;
  std::string rdata_text;            ///< RDATA in presentation format ("10 mx.example.")
  std::vector<std::uint8_t> rdata;   ///< RDATA in wire format (names uncompressed)
};

/// What a name lookup found.
enum class lookup_outcome : std::uint8_t {
  found,     ///< the RRset exists
  nodata,    ///< the name exists, the type does not (NOERROR, empty answer)
  nxdomain,  ///< the name does not exist
};

[[nodiscard]] char const* to_string(lookup_outcome o) noexcept;

/// One answered query, CNAMEs followed. Error RCODEs other than NXDOMAIN never get here:
/// client::query returns them as errors (errc::server_failure ...).
struct answer {
  std::string qname;                 ///< the name asked for (lower case, no trailing dot)
  rr_type qtype = rr_type::a;
  rcode code = rcode::noerror;       ///< of the last response (NOERROR or NXDOMAIN)
  lookup_outcome outcome = lookup_outcome::nodata;
  std::vector<record> records;       ///< the RRset of type qtype at canonical_name
  std::vector<record> cnames;        ///< the CNAME chain followed, in order
  std::string canonical_name;        ///< the final name after CNAMEs (lower case, no trailing dot)
  dnssec_status status = dnssec_status::indeterminate;  ///< weakest over the chain and the RRset
  std::string why;                   ///< how the status was reached, for --explain and logs
  bool authentic_data_bit = false;   ///< the AD bit the server set: logged, never trusted
  bool over_tcp = false;             ///< the final response came over TCP (after TC)
};

/// A typed lookup: the RRset's records as values, with the answer's status.
template <class T>
struct rrset_lookup {
  lookup_outcome outcome = lookup_outcome::nodata;
  std::vector<T> records;
  dnssec_status status = dnssec_status::indeterminate;
  std::string canonical_name;  ///< after CNAMEs (lower case, no trailing dot)
  std::string why;
};

/// One MX record. RFC 7505 null MX ("0 .") has an empty host.
struct mx_host {
  std::uint16_t preference = 0;
  std::string host;  ///< lower case, no trailing dot
  friend bool operator==(mx_host const&, mx_host const&) = default;
};

/// The character-strings of one TXT record, exactly as on the wire (no joining): the type
/// spec/mtasts's select_sts_record and spec/tlsrpt take, one element per record.
using txt_strings = mxtls::spec::dns::txt_strings;
/// The RDATA of one TLSA record (usage, selector, matching type, data), for
/// spec/dane's parse_tlsa_rdata.
using tlsa_rdata = std::vector<std::uint8_t>;

using mx_lookup = rrset_lookup<mx_host>;
using address_lookup = rrset_lookup<boost::asio::ip::address>;
using txt_lookup = rrset_lookup<txt_strings>;
using tlsa_lookup = rrset_lookup<tlsa_rdata>;

/// Lower case, no trailing dot ("." stays "."): the form of every name in this API.
[[nodiscard]] std::string normalize_name(std::string_view name);

}  // namespace mxtls::net::dns
