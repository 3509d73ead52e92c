// DNSSEC trust anchors in the format of ldns, unbound and Debian's dns-root-data
// (/usr/share/dns/root.key): one `. IN DS ...` or `. IN DNSKEY ...` record per line,
// ';' comments. The validating client starts every chain of trust here (DANE-2.1.1-01).
#pragma once

#include "mxtls/net/dns/errc.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace mxtls::net::dns {

/// Debian's root anchor (package dns-root-data): the client's default.
inline constexpr char const* default_trust_anchor_file = "/usr/share/dns/root.key";

class trust_anchor {
 public:
  /// Parses DS and DNSKEY lines. Blank lines, ';' comments and `$` directives are skipped;
  /// any other line must be a DS or DNSKEY record (errc::trust_anchor_invalid, offset =
  /// the line's first byte); at least one record is required (errc::trust_anchor_empty).
  [[nodiscard]] static result<trust_anchor> parse(std::string_view text);

  /// Reads and parses a file (errc::file_unreadable if it cannot be read).
  [[nodiscard]] static result<trust_anchor> load(std::string const& path);

  /// The anchor records in presentation format, one per element, normalised by ldns
  /// ("test. 3600 IN DS 12345 13 2 ABCD...").
  [[nodiscard]] std::vector<std::string> const& records() const noexcept { return records_; }

  /// One record per line: a file that parse() reads back to the same records.
  [[nodiscard]] std::string to_text() const;

  /// Writes to_text() to `path` (errc::file_unreadable if it cannot be written).
  [[nodiscard]] result<void> save(std::string const& path) const;

  friend bool operator==(trust_anchor const&, trust_anchor const&) = default;

 private:
  std::vector<std::string> records_;
};

}  // namespace mxtls::net::dns
