// Opens the HTML report in a real headless Chromium (Debian's chromium package) and asserts on
// the DOM it rendered: the page is drawn by its inline script from the embedded JSON, so the
// summary matrix and a failing case's transcript appearing in --dump-dom prove it renders, and
// hostile transcript text stays text.
#include "runner/report.hpp"
#include "runner_support.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

namespace mxtls::conformance {
namespace {

using namespace test;

std::string run_capture(std::string const& cmd, int& status) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    status = -1;
    return out;
  }
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  status = ::pclose(p);
  return out;
}

TEST(ReportHtmlInChromium, SummaryMatrixAndFailingTranscriptRender) {
  ASSERT_EQ(std::system("command -v chromium >/dev/null 2>&1"), 0)
      << "chromium is not installed: scripts/install-deps.sh installs it";

  std::vector<case_def> cat{make_case("greeting.ok", verdict::pass, profile::proposal),
                            make_case("starttls.broken", verdict::fail, profile::core),
                            make_case("strict.info", verdict::informational, profile::strict)};
  cat[1].run = [](case_context& ctx) -> asio::awaitable<case_result> {
    ctx.log->add("S", "220 mx ESMTP </script><img src=x onerror=alert(1)> MARKER-FAILING-TRANSCRIPT\r\n");
    ctx.log->add("C", "STARTTLS\r\n");
    ctx.log->add("S", "454 4.7.0 TLS not available\r\n");
    co_return case_result{verdict::fail, "STARTTLS answered 454", {}, std::nullopt, "starttls-not-supported", false};
  };
  auto rep = run_cases(pointers(cat), run_options{});
  requirement_registry reg;
  reg.add_markdown("| TLS-4-07 | MUST NOT | receiver | A publicly-referenced SMTP server MUST NOT require STARTTLS. | |\n",
                   "rfc3207.md");

  namespace fs = std::filesystem;
  auto const dir = fs::path(::testing::TempDir()) / ("mxtls-chromium-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "profile");
  auto const page = dir / "report.html";
  {
    std::ofstream out(page, std::ios::binary);
    out << report_html(rep, reg);
  }
  std::string const cmd = "HOME=" + dir.string() +
                          " timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-background-networking"
                          " --disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage"
                          " --user-data-dir=" +
                          (dir / "profile").string() + " --dump-dom file://" + page.string() + " 2>/dev/null";
  int status = 0;
  auto const dom = run_capture(cmd, status);
  ASSERT_EQ(status, 0) << "chromium failed: " << cmd;
  ASSERT_FALSE(dom.empty());

  // The inline script ran to its end.
  EXPECT_NE(dom.find("data-rendered=\"true\""), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(dom.find("<title>mxtls-conform receiver report</title>"), std::string::npos);
  // The summary matrix: a row per profile plus "all", a cell per verdict with its count.
  for (char const* p : {"core", "strict", "proposal", "all"})
    EXPECT_NE(dom.find(std::string("<tr data-profile=\"") + p + "\">"), std::string::npos) << p;
  EXPECT_TRUE(std::regex_search(dom, std::regex("data-verdict=\"fail\" data-profile=\"core\">1</td>"))) << dom;
  EXPECT_TRUE(std::regex_search(dom, std::regex("data-verdict=\"pass\" data-profile=\"proposal\">1</td>")));
  EXPECT_TRUE(std::regex_search(dom, std::regex("data-verdict=\"fail\" data-profile=\"all\">1</td>")));
  // The failing case: its row, its requirement text and its transcript in a <pre>.
  EXPECT_NE(dom.find("<a href=\"#case-starttls.broken\">starttls.broken</a>"), std::string::npos);
  EXPECT_NE(dom.find("A publicly-referenced SMTP server MUST NOT require STARTTLS."), std::string::npos);
  auto const pre = dom.find("<pre class=\"transcript\" id=\"transcript-starttls.broken\">");
  ASSERT_NE(pre, std::string::npos);
  auto const pre_end = dom.find("</pre>", pre);
  auto const transcript = dom.substr(pre, pre_end - pre);
  EXPECT_NE(transcript.find("MARKER-FAILING-TRANSCRIPT"), std::string::npos) << transcript;
  EXPECT_NE(transcript.find("454 4.7.0 TLS not available"), std::string::npos);
  // Hostile text was rendered as text: no <img> element exists in the DOM.
  EXPECT_NE(transcript.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos) << transcript;
  EXPECT_EQ(dom.find("<img"), std::string::npos);
}

}  // namespace
}  // namespace mxtls::conformance
