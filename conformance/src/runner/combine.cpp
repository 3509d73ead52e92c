// `mxtls-conform combine`: merges the JSON reports of several runs (typically the receiver
// suite against an MTA's server side and the sender suite against its client side) into one
// report — JSON, JUnit and HTML — with every case, its verdict, expectation status and
// transcript as first reported. ./run.sh uses it for its one combined report.
#include "runner/cli.hpp"
#include "runner/report.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <stdexcept>

namespace mxtls::conformance::cli {

namespace {

constexpr char const* combine_help =
    "usage: mxtls-conform combine REPORT.json... [--json F] [--junit F] [--html F] [--report-dir D]\n"
    "                             [--spec-dir DIR]\n\n"
    "Merges JSON reports of earlier runs (receiver and sender suites) into one report; the\n"
    "cases keep their verdicts, expectation statuses and transcripts. Without a report option\n"
    "it writes ./mxtls-report/report.{json,xml,html}.\n\n"
    "exit status: 0 every merged result as expected, 1 an unexpected result in some input,\n"
    "2 usage error or an unreadable or malformed report\n";

template <class E, std::size_t N>
E parse_enum(std::string_view s, E const (&all)[N], char const* what) {
  for (auto e : all)
    if (to_string(e) == s) return e;
  throw std::runtime_error(std::string("unknown ") + what + " '" + std::string(s) + "'");
}

std::string str(boost::json::object const& o, char const* key) {
  auto const* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (!v->is_string()) throw std::runtime_error(std::string("field '") + key + "' is not a string");
  return std::string(v->as_string());
}

double num(boost::json::object const& o, char const* key) {
  auto const* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return 0;
  return v->to_number<double>();
}

constexpr role all_roles[] = {role::receiver, role::sender};
constexpr profile all_profiles_[] = {profile::core, profile::strict, profile::proposal};
constexpr verdict all_verdicts[] = {verdict::pass, verdict::pass_non_strict, verdict::fail,
                                    verdict::unsupported, verdict::informational, verdict::harness_error};
constexpr delivery_outcome all_outcomes[] = {delivery_outcome::not_attempted, delivery_outcome::verified_tls,
                                             delivery_outcome::unverified_tls, delivery_outcome::plaintext,
                                             delivery_outcome::wrong_host, delivery_outcome::deferred,
                                             delivery_outcome::bounced};
constexpr expectation_status all_statuses_[] = {expectation_status::as_expected, expectation_status::expected_deviation,
                                                expectation_status::unexpected, expectation_status::unexpectedly_passing};

/// Reads one report written by report_json back into `into` (appending its cases and facts).
void load_report(std::string const& path, run_report& into) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > (256u << 20)) throw std::runtime_error(path + ": larger than 256 MiB");
  boost::system::error_code ec;
  auto const doc = boost::json::parse(text, ec);
  if (ec || !doc.is_object()) throw std::runtime_error(path + ": not a JSON object");
  auto const& d = doc.as_object();
  if (str(d, "format") != report_format)
    throw std::runtime_error(path + ": not an " + std::string(report_format) + " report");
  auto const role_text = str(d, "role");
  into.duration_ms += num(d, "duration_ms");
  into.jobs = std::max(into.jobs, static_cast<unsigned>(num(d, "jobs")));
  if (auto const* f = d.if_contains("facts"); f && f->is_object())
    for (auto const& [k, v] : f->as_object())
      into.facts.emplace_back(role_text + " " + std::string(k), v.is_string() ? std::string(v.as_string()) : "");
  for (auto const& cv : d.at("cases").as_array()) {
    auto const& c = cv.as_object();
    case_record r;
    r.def.id = str(c, "id");
    r.def.role = parse_enum(str(c, "role"), all_roles, "role");
    r.def.profile = parse_enum(str(c, "profile"), all_profiles_, "profile");
    r.def.description = str(c, "description");
    r.def.expectation = str(c, "expectation");
    for (auto const& q : c.at("requirements").as_array()) r.def.requirements.push_back(str(q.as_object(), "id"));
    r.domain = str(c, "domain");
    r.result.v = parse_enum(str(c, "verdict"), all_verdicts, "verdict");
    r.result.summary = str(c, "summary");
    for (auto const& det : c.at("details").as_array())
      if (det.is_string()) r.result.details.emplace_back(det.as_string());
    if (auto const o = str(c, "outcome"); !o.empty()) r.result.outcome = parse_enum(o, all_outcomes, "outcome");
    r.result.result_type = str(c, "result_type");
    if (auto const* k = c.if_contains("critical"); k && k->is_bool()) r.result.critical = k->as_bool();
    r.duration_ms = num(c, "duration_ms");
    if (auto const* t = c.if_contains("timed_out"); t && t->is_bool()) r.timed_out = t->as_bool();
    if (auto const* e = c.if_contains("expected"); e && e->is_object()) {
      expectation_entry x;
      x.expected = parse_enum(str(e->as_object(), "verdict"), all_verdicts, "verdict");
      x.reason = str(e->as_object(), "reason");
      x.pattern = str(e->as_object(), "pattern");
      x.line = static_cast<int>(num(e->as_object(), "line"));
      r.expected = x;
    }
    r.status = parse_enum(str(c, "status"), all_statuses_, "status");
    for (auto const& tv : c.at("transcript").as_array()) {
      auto const& t = tv.as_object();
      r.log.push_back({num(t, "at_ms"), str(t, "channel"), str(t, "text")});
    }
    into.cases.push_back(std::move(r));
  }
}

}  // namespace

int combine_main(std::vector<std::string> const& args) {
  std::vector<std::string> inputs;
  report_paths paths;
  std::optional<std::string> spec_dir;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto const& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (a == "-h" || a == "--help") {
      std::cout << combine_help;
      return exit_ok;
    }
    if (a == "--json" || a == "--junit" || a == "--html" || a == "--report-dir" || a == "--spec-dir") {
      auto v = value();
      if (!v) {
        std::cerr << "mxtls-conform combine: " << a << " needs a value\n\n" << combine_help;
        return exit_usage;
      }
      (a == "--json" ? paths.json : a == "--junit" ? paths.junit : a == "--html" ? paths.html
                                  : a == "--report-dir" ? paths.dir : spec_dir) = *v;
    } else if (a.starts_with("-")) {
      std::cerr << "mxtls-conform combine: unknown option '" << a << "'\n\n" << combine_help;
      return exit_usage;
    } else {
      inputs.push_back(a);
    }
  }
  if (inputs.empty()) {
    std::cerr << "mxtls-conform combine: no report given\n\n" << combine_help;
    return exit_usage;
  }
  if (!paths.json && !paths.junit && !paths.html && !paths.dir) paths.dir = "mxtls-report";

  run_report report;
  report.started = std::chrono::system_clock::now();
  std::string roles;
  try {
    for (auto const& in : inputs) {
      auto const before = report.cases.size();
      load_report(in, report);
      for (auto i = before; i < report.cases.size(); ++i) {
        auto const r = std::string(to_string(report.cases[i].def.role));
        if (roles.find(r) == std::string::npos) roles += (roles.empty() ? "" : "+") + r;
      }
    }
  } catch (std::exception const& e) {
    std::cerr << "mxtls-conform combine: " << e.what() << "\n";
    return exit_usage;
  }
  report.role_label = roles.empty() ? "empty" : roles;
  if (!report.cases.empty()) report.role = report.cases.front().def.role;
  auto const registry = requirement_registry::load(spec_dir ? *spec_dir : default_spec_dir());
  print_summary(std::cout, report);
  try {
    for (auto const& p : write_reports(report, registry, paths)) std::cout << "report: " << p << "\n";
  } catch (std::exception const& e) {
    std::cerr << "mxtls-conform combine: " << e.what() << "\n";
    return exit_harness;
  }
  return report.exit_code();
}

}  // namespace mxtls::conformance::cli
