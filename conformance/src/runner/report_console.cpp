// The console report: one progress line per finished case, then the summary table (counts
// per profile and verdict), the expectation outcome and the list of unexpected results.
#include "runner/report.hpp"

#include <array>
#include <cstdio>
#include <iomanip>
#include <ostream>

namespace mxtls::conformance {

void print_progress(std::ostream& os, case_record const& rec, std::size_t done, std::size_t total) {
  auto const width = std::to_string(total).size();
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.0f ms", rec.duration_ms);
  os << "[" << std::setw(static_cast<int>(width)) << done << "/" << total << "] " << std::left << std::setw(15)
     << to_string(rec.result.v) << std::right << " " << rec.def.id << " (" << ms << ")";
  if (rec.status == expectation_status::expected_deviation) os << "  expected: " << printable(rec.expected->reason);
  if (rec.status == expectation_status::unexpected) os << "  UNEXPECTED";
  if (rec.status == expectation_status::unexpectedly_passing)
    os << "  UNEXPECTEDLY PASSING (expected " << to_string(rec.expected->expected) << ")";
  os << "\n";
  if (rec.result.v != verdict::pass && !rec.result.summary.empty())
    os << std::string(width * 2 + 4, ' ') << "-> " << printable(rec.result.summary) << "\n";
  os.flush();
}

void print_summary(std::ostream& os, run_report const& report) {
  constexpr std::array verdicts{verdict::pass,        verdict::pass_non_strict, verdict::fail,
                                verdict::unsupported, verdict::informational,   verdict::harness_error};
  constexpr std::array profiles{profile::core, profile::strict, profile::proposal};

  os << "\n" << std::left << std::setw(10) << "profile" << std::right;
  for (auto v : verdicts) os << "  " << to_string(v);
  os << "  total\n";
  auto row = [&](std::string_view name, std::optional<profile> p) {
    os << std::left << std::setw(10) << name << std::right;
    std::size_t total = 0;
    for (auto v : verdicts) {
      std::size_t n = 0;
      for (auto const& r : report.cases)
        if (r.result.v == v && (!p || r.def.profile == *p)) ++n;
      total += n;
      os << "  " << std::setw(static_cast<int>(to_string(v).size())) << n;
    }
    os << "  " << std::setw(5) << total << "\n";
  };
  for (auto p : profiles) row(to_string(p), p);
  row("all", std::nullopt);

  std::size_t expected = 0, unexpected = 0, passing = 0;
  for (auto const& r : report.cases) {
    if (r.status == expectation_status::expected_deviation) ++expected;
    if (r.status == expectation_status::unexpected) ++unexpected;
    if (r.status == expectation_status::unexpectedly_passing) ++passing;
  }
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f s", report.duration_ms / 1000.0);
  os << "\n" << report.cases.size() << " cases in " << secs << " with " << report.jobs << " jobs; " << expected
     << " expected deviations, " << unexpected << " unexpected, " << passing << " unexpectedly passing\n";
  for (auto const& r : report.cases) {
    if (r.status == expectation_status::unexpected)
      os << "  UNEXPECTED " << to_string(r.result.v) << ": " << r.def.id << ": " << printable(r.result.summary) << "\n";
    if (r.status == expectation_status::unexpectedly_passing)
      os << "  UNEXPECTEDLY PASSING (" << to_string(r.result.v) << ", expected " << to_string(r.expected->expected)
         << " on line " << r.expected->line << "): " << r.def.id << "\n";
  }
  for (auto const& e : report.stale_expectations)
    os << "  note: expectation line " << e.line << " ('" << printable(e.pattern) << "') matches no case of the catalogue\n";
}

}  // namespace mxtls::conformance
