// The JSON report (format "mxtls-conform-report/1"): run facts, summary counts, and per case
// its requirements with their registry text, verdict, evidence and wire transcript. Also the
// text sanitiser and the file writer shared by every report.
#include "runner/report.hpp"

#include <boost/json.hpp>

#include <array>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace mxtls::conformance {

namespace json = boost::json;

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto escape = [&](unsigned char u) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02X", u);
    out += buf;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    auto const u = static_cast<unsigned char>(text[i]);
    if (u < 0x80) {
      if (u == '\t' || u == '\n' || (u >= 0x20 && u != 0x7f)) out += static_cast<char>(u);
      else escape(u);
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence (no overlongs, no surrogates, at most U+10FFFF) is kept.
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (u >= 0xC2 && u <= 0xDF) len = 2;
    else if (u >= 0xE0 && u <= 0xEF) {
      len = 3;
      if (u == 0xE0) lo = 0xA0;
      if (u == 0xED) hi = 0x9F;
    } else if (u >= 0xF0 && u <= 0xF4) {
      len = 4;
      if (u == 0xF0) lo = 0x90;
      if (u == 0xF4) hi = 0x8F;
    }
    bool ok = len != 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      auto const c = static_cast<unsigned char>(text[i + k]);
      unsigned const l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
      if (c < l || c > h) ok = false;
    }
    if (ok) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      escape(u);
      ++i;
    }
  }
  return out;
}

namespace {

std::string iso8601(std::chrono::system_clock::time_point t) {
  auto const secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

constexpr std::array all_verdicts{verdict::pass,        verdict::pass_non_strict, verdict::fail,
                                  verdict::unsupported, verdict::informational,   verdict::harness_error};
constexpr std::array all_profiles{profile::core, profile::strict, profile::proposal};
constexpr std::array all_statuses{expectation_status::as_expected, expectation_status::expected_deviation,
                                  expectation_status::unexpected, expectation_status::unexpectedly_passing};

json::object verdict_counts(run_report const& report, std::optional<profile> only) {
  json::object o;
  for (auto v : all_verdicts) {
    std::int64_t n = 0;
    for (auto const& r : report.cases)
      if (r.result.v == v && (!only || r.def.profile == *only)) ++n;
    o[to_string(v)] = n;
  }
  return o;
}

double round2(double x) { return static_cast<double>(static_cast<std::int64_t>(x * 100.0 + 0.5)) / 100.0; }

}  // namespace

json::value report_to_json(run_report const& report, requirement_registry const& registry) {
  json::object doc;
  doc["format"] = report_format;
  doc["tool"] = {{"name", "mxtls-conform"}, {"version", tool_version}};
  doc["role"] = report.role_label.empty() ? std::string(to_string(report.role)) : report.role_label;
  doc["started"] = iso8601(report.started);
  doc["duration_ms"] = round2(report.duration_ms);
  doc["jobs"] = report.jobs;
  json::object facts;
  for (auto const& [k, v] : report.facts) facts[printable(k)] = printable(v);
  doc["facts"] = std::move(facts);

  json::object summary;
  summary["total"] = report.cases.size();
  summary["verdicts"] = verdict_counts(report, std::nullopt);
  json::object profiles;
  for (auto p : all_profiles) profiles[to_string(p)] = verdict_counts(report, p);
  summary["profiles"] = std::move(profiles);
  json::object statuses;
  for (auto s : all_statuses) {
    std::int64_t n = 0;
    for (auto const& r : report.cases)
      if (r.status == s) ++n;
    statuses[to_string(s)] = n;
  }
  summary["expectations"] = std::move(statuses);
  summary["exit_code"] = report.exit_code();
  std::int64_t critical = 0;
  for (auto const& r : report.cases)
    if (r.result.critical) ++critical;
  summary["critical"] = critical;
  doc["summary"] = std::move(summary);

  json::array stale;
  for (auto const& e : report.stale_expectations)
    stale.push_back({{"pattern", printable(e.pattern)},
                     {"verdict", to_string(e.expected)},
                     {"reason", printable(e.reason)},
                     {"line", e.line}});
  doc["stale_expectations"] = std::move(stale);

  json::array cases;
  for (auto const& r : report.cases) {
    json::object c;
    c["id"] = r.def.id;
    c["role"] = to_string(r.def.role);
    c["profile"] = to_string(r.def.profile);
    c["description"] = printable(r.def.description);
    c["expectation"] = printable(r.def.expectation);
    json::array reqs;
    for (auto const& id : r.def.requirements) {
      json::object q;
      q["id"] = id;
      if (auto const* t = registry.find(id)) {
        q["level"] = t->level;
        q["role"] = t->role;
        q["text"] = printable(t->requirement);
        q["interpretation"] = printable(t->interpretation);
        q["document"] = t->document;
      } else {
        q["text"] = nullptr;
      }
      reqs.push_back(std::move(q));
    }
    c["requirements"] = std::move(reqs);
    c["domain"] = r.domain;
    c["verdict"] = to_string(r.result.v);
    c["summary"] = printable(r.result.summary);
    json::array details;
    for (auto const& d : r.result.details) details.push_back(json::string(printable(d)));
    c["details"] = std::move(details);
    c["outcome"] = r.result.outcome ? json::value(to_string(*r.result.outcome)) : json::value(nullptr);
    c["critical"] = r.result.critical;
    c["result_type"] = r.result.result_type.empty() ? json::value(nullptr) : json::value(printable(r.result.result_type));
    c["duration_ms"] = round2(r.duration_ms);
    c["timed_out"] = r.timed_out;
    if (r.expected)
      c["expected"] = {{"verdict", to_string(r.expected->expected)},
                       {"reason", printable(r.expected->reason)},
                       {"pattern", printable(r.expected->pattern)},
                       {"line", r.expected->line}};
    else
      c["expected"] = nullptr;
    c["status"] = to_string(r.status);
    json::array tr;
    for (auto const& e : r.log)
      tr.push_back({{"at_ms", round2(e.at_ms)}, {"channel", printable(e.channel)}, {"text", printable(e.text)}});
    c["transcript"] = std::move(tr);
    cases.push_back(std::move(c));
  }
  doc["cases"] = std::move(cases);
  return doc;
}

std::string report_json(run_report const& report, requirement_registry const& registry) {
  return json::serialize(report_to_json(report, registry)) + "\n";
}

namespace {
void write_file(std::string const& path, std::string const& content) {
  std::error_code ec;
  auto const parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << content;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path);
}
}  // namespace

std::vector<std::string> write_reports(run_report const& report, requirement_registry const& registry,
                                       report_paths const& paths) {
  std::vector<std::string> written;
  auto pick = [&](std::optional<std::string> const& explicit_path, char const* name) -> std::optional<std::string> {
    if (explicit_path) return explicit_path;
    if (paths.dir) return (std::filesystem::path(*paths.dir) / name).string();
    return std::nullopt;
  };
  if (auto p = pick(paths.json, "report.json")) {
    write_file(*p, report_json(report, registry));
    written.push_back(*p);
  }
  if (auto p = pick(paths.junit, "report.xml")) {
    write_file(*p, report_junit(report, registry));
    written.push_back(*p);
  }
  if (auto p = pick(paths.html, "report.html")) {
    write_file(*p, report_html(report, registry));
    written.push_back(*p);
  }
  return written;
}

}  // namespace mxtls::conformance
