// The `_mta-sts` TXT record (RFC 8461 §3.1): the exact ABNF, and the selection of the one
// STS record from the TXT RRset. Implements STS-3.1-01..10, STS-3.1-14 and STS-3.2-18.
#pragma once

#include "mxtls/spec/dns/txt.hpp"
#include "mxtls/spec/error.hpp"
#include "mxtls/spec/mtasts/errc.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::spec::mtasts {

/// Bound on a concatenated record: no TXT RDATA holds more (NAME-3.3.14-02).
inline constexpr std::size_t max_sts_record_octets = dns::max_txt_rdata_octets;

/// An unknown `name=value` field; ignored by senders (STS-3.2-18), kept for lint output.
struct sts_extension {
  std::string name;
  std::string value;
  friend bool operator==(sts_extension const&, sts_extension const&) = default;
};

struct sts_record {
  std::string id;                        ///< 1..32 letters/digits, compared octet-exactly
  std::vector<sts_extension> extensions; ///< in record order, duplicates kept
  friend bool operator==(sts_record const&, sts_record const&) = default;
};

/// Parses one record (its strings already concatenated) per the §3.1 ABNF:
///   sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
/// [STS-3.1-01] US-ASCII only; [STS-3.1-03][STS-3.1-07] begins with the case-sensitive
/// "v=STSv1"; [STS-3.1-02] fields separated by *WSP ";" *WSP, one trailing delimiter
/// allowed, ";;" invalid; [STS-3.1-04] id = 1*32(ALPHA / DIGIT); [STS-3.1-05] extension
/// name/value ABNF; [STS-3.1-06] an id is required; [STS-3.1-14] the first id wins;
/// [STS-3.2-18] unknown fields ignored. A field named exactly "id" is always an sts-id.
[[nodiscard]] result<sts_record> parse_sts_record(std::string_view record);

/// [STS-3.1-08] (mxtls decision on erratum 6285) a record is an STS candidate iff it
/// begins with "v=STSv1" followed by end of record, ";", SP or HTAB.
[[nodiscard]] bool is_sts_candidate(std::string_view record) noexcept;

/// Selection from the TXT RRset at `_mta-sts.<domain>` (each RR as its character-strings):
/// [STS-3.1-10] each RR's strings are concatenated without spaces; [STS-3.1-08] RRs that
/// are not candidates are discarded; [STS-3.1-09] zero candidates → errc::no_sts_record,
/// more than one → errc::multiple_sts_records (offset 0, detail names the RRs), and the
/// single candidate must parse (errors carry offsets within the concatenated record).
[[nodiscard]] result<sts_record> select_sts_record(std::vector<dns::txt_strings> const& rrset);

}  // namespace mxtls::spec::mtasts
