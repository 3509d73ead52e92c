// The JUnit XML report for CI systems: a testsuite per role, a testcase per case (classname
// "<role>.<profile>"), <failure> for fail and harness-error (type = the verdict), <skipped>
// for unsupported, and the wire transcript as <system-out>.
#include "runner/report.hpp"

#include <cstdio>
#include <map>
#include <sstream>

namespace mxtls::conformance {

namespace {

// XML 1.0 text or attribute value: printable() already removed control characters.
std::string xml(std::string_view raw) {
  std::string const text = printable(raw);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += "&#10;"; break;
      case '\t': out += "&#9;"; break;
      default: out += c;
    }
  }
  return out;
}

// Element text: newlines kept as they are.
std::string xml_text(std::string_view raw) {
  std::string out;
  for (char c : printable(raw)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string seconds(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms / 1000.0);
  return buf;
}

std::string transcript_text(case_record const& r) {
  std::string out;
  char buf[32];
  for (auto const& e : r.log) {
    std::snprintf(buf, sizeof buf, "%9.1f ms  ", e.at_ms);
    out += buf;
    out += e.channel;
    out += std::string(e.channel.size() < 6 ? 6 - e.channel.size() : 1, ' ');
    out += e.text;
    out += '\n';
  }
  return out;
}

std::string evidence(case_record const& r, requirement_registry const& registry) {
  std::string out = r.result.summary + "\n";
  for (auto const& d : r.result.details) out += "  " + d + "\n";
  if (!r.result.result_type.empty()) out += "result-type: " + r.result.result_type + "\n";
  if (r.expected)
    out += "expectation file: " + std::string(to_string(r.expected->expected)) + " (" + r.expected->reason + ") -> " +
           std::string(to_string(r.status)) + "\n";
  out += "expectation: " + r.def.expectation + "\n";
  for (auto const& id : r.def.requirements) {
    out += "[" + id + "]";
    if (auto const* t = registry.find(id)) out += " " + t->level + ": " + t->requirement;
    out += "\n";
  }
  return out;
}

}  // namespace

std::string report_junit(run_report const& report, requirement_registry const& registry) {
  std::map<role, std::vector<case_record const*>> by_role;
  for (auto const& r : report.cases) by_role[r.def.role].push_back(&r);

  auto count = [](std::vector<case_record const*> const& v, auto pred) {
    std::size_t n = 0;
    for (auto const* r : v)
      if (pred(*r)) ++n;
    return n;
  };
  auto failing = [](case_record const& r) { return is_failing(r.result.v); };
  auto skipped = [](case_record const& r) { return r.result.v == verdict::unsupported; };

  std::ostringstream os;
  std::vector<case_record const*> all;
  for (auto const& r : report.cases) all.push_back(&r);
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  os << "<testsuites name=\"mxtls-conform\" tests=\"" << all.size() << "\" failures=\"" << count(all, failing)
     << "\" errors=\"0\" skipped=\"" << count(all, skipped) << "\" time=\"" << seconds(report.duration_ms) << "\">\n";
  for (auto const& [r, cases] : by_role) {
    double total_ms = 0;
    for (auto const* c : cases) total_ms += c->duration_ms;
    os << "  <testsuite name=\"" << to_string(r) << "\" tests=\"" << cases.size() << "\" failures=\""
       << count(cases, failing) << "\" errors=\"0\" skipped=\"" << count(cases, skipped) << "\" time=\""
       << seconds(total_ms) << "\">\n";
    os << "    <properties>\n";
    for (auto const& [k, v] : report.facts)
      os << "      <property name=\"" << xml(k) << "\" value=\"" << xml(v) << "\"/>\n";
    os << "    </properties>\n";
    for (auto const* c : cases) {
      os << "    <testcase classname=\"" << to_string(c->def.role) << "." << to_string(c->def.profile) << "\" name=\""
         << xml(c->def.id) << "\" time=\"" << seconds(c->duration_ms) << "\">\n";
      if (is_failing(c->result.v)) {
        std::string message = c->result.summary;
        if (c->status == expectation_status::expected_deviation)
          message = "expected deviation (" + c->expected->reason + "): " + message;
        os << "      <failure type=\"" << (c->result.critical ? std::string_view("critical") : to_string(c->result.v)) << "\" message=\"" << xml(message) << "\">"
           << xml_text(evidence(*c, registry)) << "</failure>\n";
      } else if (c->result.v == verdict::unsupported) {
        os << "      <skipped message=\"" << xml(c->result.summary) << "\"/>\n";
      }
      os << "      <system-out>" << xml_text(transcript_text(*c)) << "</system-out>\n";
      os << "    </testcase>\n";
    }
    os << "  </testsuite>\n";
  }
  os << "</testsuites>\n";
  return os.str();
}

}  // namespace mxtls::conformance
