// The reports of a run (DESIGN §5): console progress and summary, JSON with the wire
// transcript of every case, JUnit XML for CI, and one self-contained HTML file for people.
// All of them are made from the same run_report; the JSON document is the source of the
// HTML page, which renders it with inline JavaScript.
#pragma once

#include "runner/requirements.hpp"
#include "runner/runner.hpp"

#include <boost/json/value.hpp>

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::conformance {

inline constexpr std::string_view report_format = "mxtls-conform-report/1";
inline constexpr std::string_view tool_version = "0.1.0";

/// Valid UTF-8 with control characters and invalid bytes escaped as \xNN (tab kept), so
/// target-controlled text is safe in JSON, XML and HTML.
[[nodiscard]] std::string printable(std::string_view text);

/// The report as JSON (schema "mxtls-conform-report/1", described in the README).
[[nodiscard]] boost::json::value report_to_json(run_report const& report, requirement_registry const& registry);
[[nodiscard]] std::string report_json(run_report const& report, requirement_registry const& registry);
/// JUnit XML: a testsuite per role, a testcase per case, <failure> for fail and
/// harness-error, <skipped> for unsupported, the transcript as <system-out>.
[[nodiscard]] std::string report_junit(run_report const& report, requirement_registry const& registry);
/// One HTML file with inline CSS and JS and the JSON report embedded; no external resources.
[[nodiscard]] std::string report_html(run_report const& report, requirement_registry const& registry);

/// "[ 3/41] pass             starttls.advertised (12 ms)" (+ the reason on a second line
/// for failing verdicts).
void print_progress(std::ostream& os, case_record const& rec, std::size_t done, std::size_t total);
/// Counts per profile and verdict, the expectation outcome, and the unexpected cases.
void print_summary(std::ostream& os, run_report const& report);

/// Where to write the reports. `dir` gets report.json, report.xml and report.html unless
/// the explicit paths say otherwise.
struct report_paths {
  std::optional<std::string> json, junit, html, dir;
};

/// Writes the requested reports; returns the paths written. Throws std::runtime_error when a
/// file cannot be written.
std::vector<std::string> write_reports(run_report const& report, requirement_registry const& registry,
                                       report_paths const& paths);

}  // namespace mxtls::conformance
