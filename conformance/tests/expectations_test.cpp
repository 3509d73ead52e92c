// Expectations files: the format, and how a result compares with a documented deviation
// (expected fail, unexpected pass, unexpected fail) and what that does to the exit status.
#include "runner/expectations.hpp"
#include "runner/runner.hpp"
#include "runner_support.hpp"

#include <gtest/gtest.h>

namespace mxtls::conformance {
namespace {

using namespace test;

TEST(Expectations, ParsesEntriesCommentsAndBlankLines) {
  auto const e = expectations::parse(
      "# Postfix 3.7\n"
      "\n"
      "starttls.tls-versions   fail   accepts TLS 1.0 (smtpd_tls_protocols default)  # trailing comment\n"
      "port26.*\tunsupported\tno implicit TLS listener configured\r\n");
  ASSERT_EQ(e.entries().size(), 2u);
  EXPECT_EQ(e.entries()[0].pattern, "starttls.tls-versions");
  EXPECT_EQ(e.entries()[0].expected, verdict::fail);
  EXPECT_EQ(e.entries()[0].reason, "accepts TLS 1.0 (smtpd_tls_protocols default)");
  EXPECT_EQ(e.entries()[0].line, 3);
  EXPECT_EQ(e.entries()[1].expected, verdict::unsupported);
  EXPECT_EQ(e.entries()[1].reason, "no implicit TLS listener configured");
  EXPECT_EQ(e.entries()[1].line, 4);
}

TEST(Expectations, RejectsMalformedLinesWithTheirLineNumber) {
  struct row {
    char const* text;
    char const* message;
  };
  for (auto const& r : {row{"a.b\n", "1: expected"}, row{"\n\na.b passes because\n", "3: unknown verdict 'passes'"},
                        row{"a.b fail\n", "1: the entry for 'a.b' gives no reason"},
                        row{"a.b fail x\na.b pass y\n", "2: 'a.b' is already listed on line 1"},
                        row{"a.b FAIL x\n", "unknown verdict 'FAIL'"}}) {
    try {
      (void)expectations::parse(r.text);
      ADD_FAILURE() << "accepted: " << r.text;
    } catch (std::invalid_argument const& e) {
      EXPECT_NE(std::string(e.what()).find(r.message), std::string::npos) << e.what();
    }
  }
}

TEST(Expectations, ExactIdWinsOverGlobAndFirstGlobWins) {
  auto const e = expectations::parse("starttls.* fail glob one\nstart* unsupported glob two\nstarttls.sni pass exact\n");
  EXPECT_EQ(e.find("starttls.sni")->reason, "exact");
  EXPECT_EQ(e.find("starttls.other")->reason, "glob one");
  EXPECT_EQ(e.find("startup")->reason, "glob two");
  EXPECT_EQ(e.find("greeting.x"), nullptr);
}

TEST(Expectations, JudgeTable) {
  expectation_entry fail_entry{"x", verdict::fail, "known", 1};
  expectation_entry unsup_entry{"x", verdict::unsupported, "known", 1};
  struct row {
    verdict got;
    expectation_entry const* entry;
    expectation_status want;
  };
  for (auto const& r : {
           row{verdict::pass, nullptr, expectation_status::as_expected},
           row{verdict::pass_non_strict, nullptr, expectation_status::as_expected},
           row{verdict::informational, nullptr, expectation_status::as_expected},
           row{verdict::unsupported, nullptr, expectation_status::as_expected},
           row{verdict::fail, nullptr, expectation_status::unexpected},
           row{verdict::harness_error, nullptr, expectation_status::unexpected},
           row{verdict::fail, &fail_entry, expectation_status::expected_deviation},
           row{verdict::pass, &fail_entry, expectation_status::unexpectedly_passing},
           row{verdict::pass_non_strict, &fail_entry, expectation_status::unexpectedly_passing},
           row{verdict::harness_error, &fail_entry, expectation_status::unexpected},
           row{verdict::unsupported, &unsup_entry, expectation_status::expected_deviation},
           row{verdict::pass, &unsup_entry, expectation_status::unexpectedly_passing},
           row{verdict::fail, &unsup_entry, expectation_status::unexpected},
       })
    EXPECT_EQ(judge(r.got, r.entry), r.want) << to_string(r.got) << " with " << (r.entry ? "entry" : "no entry");
}

TEST(Expectations, ExpectedFailDoesNotFailTheRunButUnexpectedPassDoes) {
  std::vector<case_def> cat{make_case("known.bad", verdict::fail), make_case("fixed.now", verdict::pass),
                            make_case("fine", verdict::pass)};
  run_options opt;
  opt.jobs = 2;
  auto rep = run_cases(pointers(cat), opt);
  EXPECT_EQ(rep.exit_code(), 1);

  std::vector<std::string> const ids{"known.bad", "fixed.now", "fine"};
  apply_expectations(rep, expectations::parse("known.bad fail documented deviation\n"), ids);
  EXPECT_EQ(rep.cases[0].status, expectation_status::expected_deviation);
  ASSERT_TRUE(rep.cases[0].expected);
  EXPECT_EQ(rep.cases[0].expected->reason, "documented deviation");
  EXPECT_EQ(rep.exit_code(), 0);

  apply_expectations(rep, expectations::parse("known.bad fail documented\nfixed.now fail was broken in 1.0\n"), ids);
  EXPECT_EQ(rep.cases[1].status, expectation_status::unexpectedly_passing);
  EXPECT_EQ(rep.unexpected_count(), 1u);
  EXPECT_EQ(rep.exit_code(), 1);
}

TEST(Expectations, LinesThatMatchNoCatalogueCaseAreStale) {
  std::vector<case_def> cat{make_case("a.one", verdict::pass)};
  auto rep = run_cases(pointers(cat), run_options{});
  apply_expectations(rep, expectations::parse("a.one fail x\nrenamed.case fail y\nb.* fail z\na.* fail w\n"),
                     {"a.one"});
  ASSERT_EQ(rep.stale_expectations.size(), 2u);
  EXPECT_EQ(rep.stale_expectations[0].pattern, "renamed.case");
  EXPECT_EQ(rep.stale_expectations[1].pattern, "b.*");
}

}  // namespace
}  // namespace mxtls::conformance
