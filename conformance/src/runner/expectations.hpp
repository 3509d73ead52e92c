// Per-implementation expectations files (DESIGN §5): the known deviations of one MTA, each
// with its reason, so a run against it exits 0 while it behaves as documented and exits 1
// when it gets worse (unexpected fail) or better (unexpectedly passing: update the file).
//
// Format, one entry per line; '#' starts a comment; blank lines are ignored:
//     CASE-ID-OR-GLOB   VERDICT   REASON...
//     starttls.tls-versions   fail   Postfix 3.7 still accepts TLS 1.0 (tls_low_protocol)
//     domain.*                unsupported   no --domain given in CI
// VERDICT is one of pass, pass-non-strict, fail, unsupported, informational, harness-error;
// REASON is required. An exact id wins over a glob; among globs the first line wins.
#pragma once

#include "runner/model.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::conformance {

std::optional<verdict> parse_verdict(std::string_view s) noexcept;

struct expectation_entry {
  std::string pattern;  ///< a case id, or an fnmatch-style glob
  verdict expected = verdict::fail;
  std::string reason;
  int line = 0;  ///< 1-based line in the file
};

/// How a result compares with what the expectations say.
enum class expectation_status : std::uint8_t {
  as_expected,           ///< no entry, and a verdict that does not fail a run (pass, pass-non-strict,
                         ///< informational, unsupported)
  expected_deviation,    ///< an entry names exactly this verdict: a known deviation
  unexpected,            ///< fail or harness-error that no entry predicts (or a different one)
  unexpectedly_passing,  ///< an entry predicts a deviation that did not happen
};

std::string_view to_string(expectation_status s) noexcept;

/// True for the verdicts that fail a run unless an expectation predicts them.
[[nodiscard]] constexpr bool is_failing(verdict v) noexcept {
  return v == verdict::fail || v == verdict::harness_error;
}

/// Judges one verdict against its entry (nullptr: none).
[[nodiscard]] expectation_status judge(verdict got, expectation_entry const* entry) noexcept;

class expectations {
 public:
  expectations() = default;

  /// Parses the text of an expectations file. Throws std::invalid_argument
  /// ("LINE: message") on a malformed line: expectations are startup configuration.
  [[nodiscard]] static expectations parse(std::string_view text);
  /// Reads and parses a file; throws std::runtime_error ("FILE:LINE: message").
  [[nodiscard]] static expectations load(std::string const& path);

  /// The entry for `id`: an exact match first, then the first glob that matches.
  [[nodiscard]] expectation_entry const* find(std::string_view id) const noexcept;

  [[nodiscard]] std::vector<expectation_entry> const& entries() const noexcept { return entries_; }

 private:
  std::vector<expectation_entry> entries_;
};

}  // namespace mxtls::conformance
