// The conformance runner (DESIGN §5): selects cases from the catalogue (id globs, profiles,
// role), runs them in parallel on a thread pool, each with its own transcript, its own domain
// in the world and a deadline enforced by cancellation (a hung case is a harness error, never
// a pass), then judges every result against the implementation's expectations file.
#pragma once

#include "runner/expectations.hpp"
#include "runner/model.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::conformance {

/// fnmatch(3)-style match of a case id: `*` any run of characters (dots included), `?` one
/// character, `[...]` a set. `starttls.*` selects every STARTTLS case.
[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view id) noexcept;

struct selection {
  conformance::role role = role::receiver;
  std::vector<std::string> case_globs;  ///< empty: every case of the role
  std::vector<profile> profiles;        ///< empty: every profile
};

/// The cases of `all` that `sel` selects, in catalogue (id) order.
[[nodiscard]] std::vector<case_def const*> select_cases(std::vector<case_def> const& all, selection const& sel);

/// A DNS label for the case's own domain: lower-case letters, digits and '-', at most 63
/// octets ("starttls.second-starttls-rejected" -> "starttls-second-starttls-rejected").
/// Distinct ids give distinct labels (long ids end in a hash of the whole id).
[[nodiscard]] std::string case_label(std::string_view id);

/// --jobs default: the hardware's concurrency, at least 2.
[[nodiscard]] unsigned default_jobs() noexcept;

/// One case after it ran.
struct case_record {
  case_def def;            ///< the catalogue entry (its `run` is not used after the run)
  std::string domain;      ///< the case's domain in the world
  case_result result;
  double duration_ms = 0;
  bool timed_out = false;
  std::vector<transcript_entry> log;
  /// The expectations file's entry for this case, if any.
  std::optional<expectation_entry> expected;
  expectation_status status = expectation_status::as_expected;
};

struct run_options {
  unsigned jobs = default_jobs();
  /// Multiplies every case_def::timeout (slow machines, sanitizers).
  double timeout_scale = 1.0;
  receiver_target const* target = nullptr;  ///< receiver runs
  sender_target const* sender = nullptr;     ///< sender runs
  world* w = nullptr;                        ///< when a world is up
  std::string tld = "mxtls.test";            ///< parent of every case domain
  /// Called once per finished case, serialised (never concurrently), with the 1-based count.
  std::function<void(case_record const&, std::size_t done, std::size_t total)> on_case_done;
};

/// The whole run: what the reports are made of.
struct run_report {
  conformance::role role = role::receiver;
  /// Replaces the role in the reports' header (a combined report: "receiver+sender").
  std::string role_label;
  std::vector<case_record> cases;  ///< in selection (catalogue) order
  std::chrono::system_clock::time_point started;  ///< wall clock, for the report header
  double duration_ms = 0;
  unsigned jobs = 0;
  /// Free-form facts about the target and the world, printed in every report header
  /// ("target" -> "127.0.0.1:2525", "dns" -> "127.0.0.1:40053", ...), in order.
  std::vector<std::pair<std::string, std::string>> facts;
  /// Expectation lines that name no case of the catalogue (likely renamed or removed).
  std::vector<expectation_entry> stale_expectations;

  /// Cases whose result the expectations do not account for (unexpected or unexpectedly passing).
  [[nodiscard]] std::size_t unexpected_count() const noexcept;
  /// 0 when every result is as expected, 1 otherwise (see exit_code in runner.cpp's header).
  [[nodiscard]] int exit_code() const noexcept;
};

/// Runs `cases` (usually from select_cases) and returns their records in the same order.
/// Each case runs on its own strand of a pool of `jobs` threads with a deadline of
/// def.timeout * timeout_scale: when it passes, the case is cancelled and recorded as
/// harness-error, whether or not it ever finishes. An exception escaping a case is a
/// harness-error carrying its message.
[[nodiscard]] run_report run_cases(std::vector<case_def const*> const& cases, run_options const& options);

/// Sets every record's `expected` and `status` from `exp`, and the report's stale entries
/// (checked against `catalogue_ids`).
void apply_expectations(run_report& report, expectations const& exp, std::vector<std::string> const& catalogue_ids);

}  // namespace mxtls::conformance
