// The `_smtp._tls` TXT record (RFC 8460 §3): the exact ABNF and the selection of the one
// TLSRPT record from the TXT RRset. Implements RPT-3-02..10.
#pragma once

#include "mxtls/spec/dns/txt.hpp"
#include "mxtls/spec/error.hpp"
#include "mxtls/spec/tlsrpt/errc.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::spec::tlsrpt {

/// Bound on a concatenated record: no TXT RDATA holds more (NAME-3.3.14-02).
inline constexpr std::size_t max_tlsrpt_record_octets = dns::max_txt_rdata_octets;

/// An unknown `name=value` field; ignored (RPT-3-09), kept for lint output.
struct tlsrpt_extension {
  std::string name;
  std::string value;
  friend bool operator==(tlsrpt_extension const&, tlsrpt_extension const&) = default;
};

struct tlsrpt_record {
  std::vector<std::string> rua;          ///< mailto: and https: URIs, in record order, verbatim
  std::vector<std::string> ignored_rua;  ///< URIs of other schemes (RPT-3-10: ignored)
  std::vector<tlsrpt_extension> extensions;
  friend bool operator==(tlsrpt_record const&, tlsrpt_record const&) = default;
};

/// Parses one record (strings already concatenated) per the §3 ABNF:
///   tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
/// [RPT-3-03] begins with the case-sensitive "v=TLSRPTv1"; [RPT-3-02] fields separated by
/// *WSP ";" *WSP, one trailing delimiter allowed, ";;" invalid; [RPT-3-04] rua = "rua="
/// URI *(*WSP "," *WSP URI), each an RFC 3986 URI (scheme ":" ...) with "," and "!"
/// percent-encoded; [RPT-3-05] extension ABNF; [RPT-3-09] unknown fields ignored;
/// [RPT-3-10] rua required, first rua field wins, schemes other than mailto/https
/// (case-insensitive) are set aside in ignored_rua.
[[nodiscard]] result<tlsrpt_record> parse_tlsrpt_record(std::string_view record);

/// [RPT-3-06] a record is a TLSRPT candidate iff it begins with "v=TLSRPTv1" followed by
/// end of record, ";", SP or HTAB (same decision as STS-3.1-08).
[[nodiscard]] bool is_tlsrpt_candidate(std::string_view record) noexcept;

/// [RPT-3-08] concatenate each RR's strings; [RPT-3-06] discard non-candidates;
/// [RPT-3-07] zero → errc::no_tlsrpt_record, more than one → errc::multiple_tlsrpt_records;
/// the single candidate must parse (offsets within the concatenated record).
[[nodiscard]] result<tlsrpt_record> select_tlsrpt_record(std::vector<dns::txt_strings> const& rrset);

}  // namespace mxtls::spec::tlsrpt
