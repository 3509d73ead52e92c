// The reports: JSON parses back with every field; JUnit XML is well-formed with the right
// counts; the HTML file is self-contained and target-controlled text cannot break out of it;
// the registry loader; the console summary.
#include "runner/report.hpp"
#include "runner_support.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <unistd.h>

#include <map>
#include <regex>
#include <sstream>

namespace mxtls::conformance {
namespace {

using namespace test;
namespace json = boost::json;

// A run with one case of each interesting kind, and hostile text in a transcript.
run_report sample_report() {
  std::vector<case_def> cat{make_case("greeting.ok", verdict::pass, profile::proposal),
                            make_case("starttls.broken", verdict::fail, profile::core, role::receiver,
                                      "STARTTLS answered 454 <script>alert(1)</script> & more"),
                            make_case("port26.none", verdict::unsupported, profile::proposal),
                            make_case("strict.sni", verdict::pass_non_strict, profile::strict),
                            throwing_case("harness.throws")};
  cat[1].run = [](case_context& ctx) -> asio::awaitable<case_result> {
    ctx.log->add("S", "220 mx.example ESMTP </script><img src=x onerror=alert(1)> MARKER-FAILING-TRANSCRIPT\r\n");
    ctx.log->add("C", "STARTTLS\r\n");
    ctx.log->add("S", std::string("454 4.7.0 \xff\xfe bytes \x01\r\n"));
    co_return case_result{verdict::fail, "STARTTLS answered 454", {"reply: 454 4.7.0"}, std::nullopt,
                          "starttls-not-supported", false};
  };
  auto rep = run_cases(pointers(cat), run_options{});
  apply_expectations(rep, expectations::parse("port26.none unsupported no port 26 here\n"),
                     {"greeting.ok", "starttls.broken", "port26.none", "strict.sni", "harness.throws"});
  rep.facts = {{"target", "127.0.0.1:2525"}, {"mx-name", "mx.example"}};
  return rep;
}

requirement_registry sample_registry() {
  requirement_registry reg;
  reg.add_markdown(
      "# x\n\n| ID | Level | Role | Requirement | Interpretation |\n|---|---|---|---|---|\n"
      "| TLS-4-07 | MUST NOT | receiver | A publicly-referenced SMTP server MUST NOT require STARTTLS. | Port 25 only. |\n"
      "| not-an-id | x | y | z | w |\n",
      "rfc3207.md");
  return reg;
}

TEST(RequirementRegistry, ReadsTableRowsAndSkipsOthers) {
  auto const reg = sample_registry();
  EXPECT_EQ(reg.size(), 1u);
  auto const* t = reg.find("TLS-4-07");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->level, "MUST NOT");
  EXPECT_EQ(t->role, "receiver");
  EXPECT_EQ(t->interpretation, "Port 25 only.");
  EXPECT_EQ(t->document, "rfc3207.md");
  EXPECT_EQ(reg.find("TLS-4-999"), nullptr);
}

TEST(RequirementRegistry, LoadsTheSourceTreeRegistry) {
  auto const reg = requirement_registry::load(std::string(MXTLS_SOURCE_DIR) + "/spec/requirements");
  EXPECT_GT(reg.size(), 200u);
  ASSERT_NE(reg.find("STS-3.3-05"), nullptr);
  EXPECT_FALSE(reg.find("STS-3.3-05")->requirement.empty());
  EXPECT_EQ(requirement_registry::load("/nonexistent/dir").size(), 0u);
}

TEST(ReportText, PrintableKeepsUtf8AndEscapesTheRest) {
  struct row {
    std::string in, out;
  };
  for (auto const& r : {row{"plain", "plain"}, row{"tab\tnl\n", "tab\tnl\n"}, row{"\x01", "\\x01"},
                        row{"\x7f", "\\x7F"}, row{"caf\xc3\xa9", "caf\xc3\xa9"}, row{"\xc3", "\\xC3"},
                        row{"\xc0\x80", "\\xC0\\x80"}, row{"\xed\xa0\x80", "\\xED\\xA0\\x80"},
                        row{"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"}, row{"\xff", "\\xFF"}})
    EXPECT_EQ(printable(r.in), r.out);
}

TEST(ReportJson, ParsesBackWithEveryField) {
  auto const rep = sample_report();
  auto const text = report_json(rep, sample_registry());
  boost::system::error_code ec;
  auto const doc = json::parse(text, ec);
  ASSERT_FALSE(ec) << ec.message();
  auto const& o = doc.as_object();
  EXPECT_EQ(o.at("format").as_string(), "mxtls-conform-report/1");
  EXPECT_EQ(o.at("role").as_string(), "receiver");
  EXPECT_EQ(o.at("facts").at("target").as_string(), "127.0.0.1:2525");
  auto const& summary = o.at("summary").as_object();
  EXPECT_EQ(summary.at("total").as_int64(), 5);
  EXPECT_EQ(summary.at("verdicts").at("fail").as_int64(), 1);
  EXPECT_EQ(summary.at("verdicts").at("harness-error").as_int64(), 1);
  EXPECT_EQ(summary.at("profiles").at("proposal").at("pass").as_int64(), 1);
  EXPECT_EQ(summary.at("profiles").at("proposal").at("unsupported").as_int64(), 1);
  EXPECT_EQ(summary.at("expectations").at("expected").as_int64(), 1);
  EXPECT_EQ(summary.at("expectations").at("unexpected").as_int64(), 2);
  EXPECT_EQ(summary.at("exit_code").as_int64(), 1);

  auto const& cases = o.at("cases").as_array();
  ASSERT_EQ(cases.size(), 5u);
  std::map<std::string, json::object> by_id;
  for (auto const& c : cases) by_id[std::string(c.at("id").as_string())] = c.as_object();
  auto const& broken = by_id.at("starttls.broken");
  for (char const* key : {"id", "requirements", "role", "profile", "description", "expectation", "verdict", "summary",
                          "details", "outcome", "result_type", "duration_ms", "transcript", "domain", "status",
                          "expected", "timed_out"})
    EXPECT_TRUE(broken.contains(key)) << key;
  EXPECT_EQ(broken.at("verdict").as_string(), "fail");
  EXPECT_EQ(broken.at("result_type").as_string(), "starttls-not-supported");
  EXPECT_TRUE(broken.at("outcome").is_null());
  EXPECT_EQ(broken.at("status").as_string(), "unexpected");
  auto const& req = broken.at("requirements").as_array().at(0).as_object();
  EXPECT_EQ(req.at("id").as_string(), "TLS-4-07");
  EXPECT_EQ(req.at("level").as_string(), "MUST NOT");
  EXPECT_NE(std::string(req.at("text").as_string()).find("MUST NOT require STARTTLS"), std::string::npos);
  auto const& tr = broken.at("transcript").as_array();
  ASSERT_EQ(tr.size(), 3u);
  EXPECT_EQ(tr[0].at("channel").as_string(), "S");
  EXPECT_NE(std::string(tr[0].at("text").as_string()).find("MARKER-FAILING-TRANSCRIPT"), std::string::npos);
  // The transcript keeps non-printable bytes as escapes, never raw.
  EXPECT_NE(std::string(tr[2].at("text").as_string()).find("\\xFF\\xFE"), std::string::npos);
  EXPECT_EQ(by_id.at("port26.none").at("expected").at("reason").as_string(), "no port 26 here");
  EXPECT_EQ(by_id.at("port26.none").at("status").as_string(), "expected");
  EXPECT_NE(std::string(by_id.at("harness.throws").at("summary").as_string()).find("the probe exploded"),
            std::string::npos);
}

// A minimal XML 1.0 well-formedness check: balanced and properly nested elements, quoted
// attributes, known entities only, no raw '<' or '&' in text, one root element.
std::string xml_problem(std::string const& x) {
  std::vector<std::string> stack;
  std::size_t i = 0, roots = 0;
  auto entity_ok = [&](std::size_t at) {
    static std::regex const ent(R"(^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)");
    return std::regex_search(x.substr(at, 12), ent);
  };
  if (x.starts_with("<?xml")) i = x.find("?>") + 2;
  while (i < x.size()) {
    if (x[i] == '&') {
      if (!entity_ok(i)) return "bad entity at " + std::to_string(i);
      ++i;
      continue;
    }
    if (x[i] != '<') {
      if (stack.empty() && !std::isspace(static_cast<unsigned char>(x[i]))) return "text outside the root";
      ++i;
      continue;
    }
    auto const end = x.find('>', i);
    if (end == std::string::npos) return "unterminated tag";
    std::string tag = x.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.starts_with("/")) {
      if (stack.empty() || stack.back() != tag.substr(1)) return "mismatched </" + tag.substr(1) + ">";
      stack.pop_back();
      continue;
    }
    bool const self_closing = tag.ends_with("/");
    if (self_closing) tag.pop_back();
    std::string const name = tag.substr(0, tag.find_first_of(" \t\n"));
    std::string attrs = tag.substr(name.size());
    static std::regex const attr_re(R"(^\s*[A-Za-z_:][-A-Za-z0-9_:.]*="[^"<]*")");
    std::smatch m;
    while (std::regex_search(attrs, m, attr_re)) attrs = m.suffix();
    if (attrs.find_first_not_of(" \t\n") != std::string::npos) return "bad attributes in <" + name + ">: " + attrs;
    if (stack.empty()) ++roots;
    if (!self_closing) stack.push_back(name);
  }
  if (!stack.empty()) return "unclosed <" + stack.back() + ">";
  if (roots != 1) return "expected one root element";
  return {};
}

TEST(ReportJunit, IsWellFormedWithCountsFailuresAndTranscripts) {
  EXPECT_EQ(xml_problem("<a><b x=\"1\"/>t&amp;</a>"), "");
  EXPECT_NE(xml_problem("<a><b></a></b>"), "");
  EXPECT_NE(xml_problem("<a>x & y</a>"), "");

  auto const xml = report_junit(sample_report(), sample_registry());
  EXPECT_EQ(xml_problem(xml), "") << xml;
  EXPECT_NE(xml.find("<testsuites name=\"mxtls-conform\" tests=\"5\" failures=\"2\" errors=\"0\" skipped=\"1\""),
            std::string::npos);
  EXPECT_NE(xml.find("<testsuite name=\"receiver\" tests=\"5\" failures=\"2\""), std::string::npos);
  EXPECT_NE(xml.find("<testcase classname=\"receiver.core\" name=\"starttls.broken\""), std::string::npos);
  EXPECT_NE(xml.find("<failure type=\"fail\" message=\"STARTTLS answered 454\">"), std::string::npos);
  EXPECT_NE(xml.find("<failure type=\"harness-error\""), std::string::npos);
  EXPECT_NE(xml.find("<skipped message="), std::string::npos);
  EXPECT_NE(xml.find("MARKER-FAILING-TRANSCRIPT"), std::string::npos);
  EXPECT_NE(xml.find("&lt;/script&gt;&lt;img"), std::string::npos);
  EXPECT_NE(xml.find("[TLS-4-07] MUST NOT: A publicly-referenced"), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"target\" value=\"127.0.0.1:2525\"/>"), std::string::npos);
}

TEST(ReportHtml, IsSelfContained) {
  auto const html = report_html(sample_report(), sample_registry());
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  // The embedded data is inert JSON without a single '<'; everything else is the template.
  auto const open = std::string("<script type=\"application/json\" id=\"report-data\">");
  auto const b = html.find(open);
  ASSERT_NE(b, std::string::npos);
  auto const e = html.find("</script>", b);
  auto const data = html.substr(b + open.size(), e - b - open.size());
  EXPECT_EQ(data.find('<'), std::string::npos);
  auto const markup = html.substr(0, b + open.size()) + html.substr(e);
  // No external resource of any kind: no link, no src, no url(), no @import, no remote fetch.
  for (char const* forbidden : {"<link", "src=", "http://", "https://", "url(", "@import", "fetch(",
                                "XMLHttpRequest", "<iframe", "<img", "innerHTML"})
    EXPECT_EQ(markup.find(forbidden), std::string::npos) << forbidden;
  std::regex const remote(R"(\b(src|href)\s*=\s*["']?\s*(https?:)?//)", std::regex::icase);
  EXPECT_FALSE(std::regex_search(html, remote));
  // Exactly the two script elements of the template: hostile text cannot close one.
  std::size_t scripts = 0;
  for (auto p = html.find("</script>"); p != std::string::npos; p = html.find("</script>", p + 1)) ++scripts;
  EXPECT_EQ(scripts, 2u);
  EXPECT_NE(html.find("\\u003c/script\\u003e\\u003cimg"), std::string::npos);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_NE(html.find("id=\"summary-matrix\""), std::string::npos);
}

TEST(ReportHtml, EmbeddedDataIsTheJsonReport) {
  auto const rep = sample_report();
  auto const html = report_html(rep, sample_registry());
  auto const open = std::string("<script type=\"application/json\" id=\"report-data\">");
  auto const b = html.find(open);
  ASSERT_NE(b, std::string::npos);
  auto const e = html.find("</script>", b);
  auto const embedded = json::parse(html.substr(b + open.size(), e - b - open.size()));
  EXPECT_EQ(embedded, json::parse(report_json(rep, sample_registry())));
}

TEST(ReportConsole, ProgressLineAndSummaryTable) {
  auto const rep = sample_report();
  std::ostringstream line;
  print_progress(line, rep.cases[0], 3, 41);
  EXPECT_TRUE(line.str().starts_with("[ 3/41] pass            greeting.ok (")) << line.str();
  std::ostringstream fail;
  print_progress(fail, rep.cases[1], 12, 41);
  EXPECT_NE(fail.str().find("fail"), std::string::npos);
  EXPECT_NE(fail.str().find("UNEXPECTED"), std::string::npos);
  EXPECT_NE(fail.str().find("-> STARTTLS answered 454"), std::string::npos);

  std::ostringstream sum;
  print_summary(sum, rep);
  auto const s = sum.str();
  EXPECT_NE(s.find("profile     pass  pass-non-strict  fail  unsupported  informational  harness-error  total"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("core           0                0     1            0              0              1      2"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("all            1                1     1            1              0              1      5"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("1 expected deviations, 2 unexpected, 0 unexpectedly passing"), std::string::npos) << s;
  EXPECT_NE(s.find("UNEXPECTED fail: starttls.broken"), std::string::npos);
}

TEST(ReportFiles, ReportDirGetsAllThreeAndExplicitPathsWin) {
  auto const rep = sample_report();
  auto const dir = ::testing::TempDir() + "mxtls-report-test-" + std::to_string(::getpid());
  report_paths p;
  p.dir = dir;
  p.junit = dir + "/custom.xml";
  auto const written = write_reports(rep, sample_registry(), p);
  EXPECT_EQ(written, (std::vector<std::string>{dir + "/report.json", dir + "/custom.xml", dir + "/report.html"}));
  EXPECT_THROW((void)write_reports(rep, sample_registry(), report_paths{"/proc/nope/report.json", {}, {}, {}}),
               std::runtime_error);
}

}  // namespace
}  // namespace mxtls::conformance
