// The runner: selection by glob, profile and role; case domains; parallel execution; per-case
// deadlines (a hung case is a harness error, never a pass); exceptions; expectations.
#include "runner/runner.hpp"
#include "runner_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>

namespace mxtls::conformance {
namespace {

using namespace test;

TEST(RunnerGlob, MatchesLikeFnmatch) {
  struct row {
    char const* pattern;
    char const* id;
    bool match;
  };
  for (auto const& r : {row{"starttls.*", "starttls.advertised", true}, row{"starttls.*", "greeting.banner", false},
                        row{"*", "a.b.c", true}, row{"*.tls-*", "starttls.tls-versions", true},
                        row{"starttls.advertised", "starttls.advertised", true},
                        row{"starttls.advertise", "starttls.advertised", false}, row{"?tarttls.*", "starttls.x", true},
                        row{"[sg]*", "greeting.x", true}, row{"[!sg]*", "greeting.x", false}, row{"", "x", false}})
    EXPECT_EQ(glob_match(r.pattern, r.id), r.match) << r.pattern << " vs " << r.id;
}

std::vector<case_def> small_catalogue() {
  return {make_case("greeting.directive", verdict::pass, profile::proposal),
          make_case("starttls.advertised", verdict::pass, profile::core),
          make_case("starttls.sni", verdict::pass, profile::strict),
          make_case("port26.greeting", verdict::pass, profile::proposal),
          make_case("sender.plaintext", verdict::pass, profile::core, role::sender)};
}

std::vector<std::string> ids(std::vector<case_def const*> const& v) {
  std::vector<std::string> out;
  for (auto const* c : v) out.push_back(c->id);
  return out;
}

TEST(RunnerSelection, RoleAloneSelectsEveryCaseOfThatRole) {
  auto const cat = small_catalogue();
  EXPECT_EQ(ids(select_cases(cat, {role::receiver, {}, {}})),
            (std::vector<std::string>{"greeting.directive", "starttls.advertised", "starttls.sni", "port26.greeting"}));
  EXPECT_EQ(ids(select_cases(cat, {role::sender, {}, {}})), (std::vector<std::string>{"sender.plaintext"}));
}

TEST(RunnerSelection, GlobsAndProfilesAreUnionsIntersectedWithEachOther) {
  auto const cat = small_catalogue();
  EXPECT_EQ(ids(select_cases(cat, {role::receiver, {"starttls.*"}, {}})),
            (std::vector<std::string>{"starttls.advertised", "starttls.sni"}));
  EXPECT_EQ(ids(select_cases(cat, {role::receiver, {"starttls.*", "port26.*"}, {}})),
            (std::vector<std::string>{"starttls.advertised", "starttls.sni", "port26.greeting"}));
  EXPECT_EQ(ids(select_cases(cat, {role::receiver, {}, {profile::proposal}})),
            (std::vector<std::string>{"greeting.directive", "port26.greeting"}));
  EXPECT_EQ(ids(select_cases(cat, {role::receiver, {}, {profile::core, profile::strict}})),
            (std::vector<std::string>{"starttls.advertised", "starttls.sni"}));
  EXPECT_EQ(ids(select_cases(cat, {role::receiver, {"starttls.*"}, {profile::strict}})),
            (std::vector<std::string>{"starttls.sni"}));
  EXPECT_TRUE(select_cases(cat, {role::receiver, {"nothing.*"}, {}}).empty());
  EXPECT_TRUE(select_cases(cat, {role::receiver, {"sender.*"}, {}}).empty());
}

TEST(RunnerDomains, CaseLabelsAreDnsLabels) {
  EXPECT_EQ(case_label("starttls.second-starttls-rejected"), "starttls-second-starttls-rejected");
  EXPECT_EQ(case_label("a.b"), "a-b");
  auto const upper = case_label("Greeting.Banner");
  EXPECT_TRUE(upper.starts_with("greeting-banner-")) << upper;
  auto const odd = case_label("x_y");
  EXPECT_NE(odd, case_label("x.y"));
  auto const long_id = case_label(std::string(100, 'a') + ".b");
  EXPECT_LE(long_id.size(), 63u);
  EXPECT_NE(long_id, case_label(std::string(100, 'a') + ".c"));
  for (auto const& l : {upper, odd, long_id})
    for (char c : l) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') << l;
}

TEST(RunnerRun, EveryCaseGetsItsOwnDomainAndTranscript) {
  std::vector<case_def> cat{make_case("a.b", verdict::pass), make_case("a-b", verdict::pass),
                            make_case("c.d", verdict::fail)};
  run_options opt;
  opt.jobs = 2;
  opt.tld = "mxtls.test";
  auto const rep = run_cases(pointers(cat), opt);
  ASSERT_EQ(rep.cases.size(), 3u);
  std::set<std::string> domains;
  for (auto const& r : rep.cases) {
    domains.insert(r.domain);
    EXPECT_TRUE(r.domain.ends_with(".mxtls.test")) << r.domain;
    ASSERT_EQ(r.log.size(), 2u);
    EXPECT_EQ(r.log[0].channel, "C");
    EXPECT_EQ(r.log[0].text, "EHLO test.example\\r\\n");
  }
  EXPECT_EQ(domains.size(), 3u) << "a.b and a-b map to one label and must still get distinct domains";
  EXPECT_EQ(rep.cases[0].def.id, "a.b");
  EXPECT_EQ(rep.cases[2].result.v, verdict::fail);
  EXPECT_EQ(rep.cases[2].result.result_type, "validation-failure");
  EXPECT_EQ(rep.cases[2].status, expectation_status::unexpected);
  EXPECT_EQ(rep.exit_code(), 1);
}

TEST(RunnerRun, CasesRunInParallelUpToJobs) {
  std::atomic<int> running{0}, peak{0};
  std::vector<case_def> cat;
  for (int i = 0; i < 8; ++i) {
    auto c = make_case("parallel." + std::to_string(i), verdict::pass);
    c.run = [&](case_context& ctx) -> asio::awaitable<case_result> {
      int const now = ++running;
      int prev = peak.load();
      while (now > prev && !peak.compare_exchange_weak(prev, now)) {
      }
      asio::steady_timer t(ctx.executor, 150ms);
      co_await t.async_wait(asio::use_awaitable);
      --running;
      co_return case_result{verdict::pass, "ok", {}, std::nullopt, "", false};
    };
    cat.push_back(std::move(c));
  }
  run_options opt;
  opt.jobs = 4;
  auto const t0 = std::chrono::steady_clock::now();
  auto const rep = run_cases(pointers(cat), opt);
  auto const elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(peak.load(), 4);
  // Eight cases of 150 ms on four jobs: two rounds, far from the 1.2 s of a serial run.
  EXPECT_LT(elapsed, 900ms);
  EXPECT_GE(elapsed, 290ms);
  for (auto const& r : rep.cases) EXPECT_EQ(r.result.v, verdict::pass);
  EXPECT_EQ(rep.exit_code(), 0);
}

TEST(RunnerRun, ProgressCallbackSeesEveryCaseOnceInCountOrder) {
  auto const cat = small_catalogue();
  std::vector<std::size_t> counts;
  std::set<std::string> seen;
  run_options opt;
  opt.jobs = 3;
  opt.on_case_done = [&](case_record const& r, std::size_t done, std::size_t total) {
    counts.push_back(done);
    seen.insert(r.def.id);
    EXPECT_EQ(total, cat.size());
  };
  (void)run_cases(pointers(cat), opt);
  EXPECT_EQ(counts, (std::vector<std::size_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(seen.size(), cat.size());
}

TEST(RunnerTimeout, AHangingCaseBecomesHarnessErrorWithinItsTimeout) {
  std::vector<case_def> cat{sleeping_case("hang.cancellable", 1h, true, 200ms),
                            sleeping_case("hang.deaf", 1h, false, 200ms), make_case("after.hang", verdict::pass)};
  run_options opt;
  opt.jobs = 2;
  auto const t0 = std::chrono::steady_clock::now();
  auto const rep = run_cases(pointers(cat), opt);
  auto const elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(elapsed, 2s) << "the run must not wait for a case that ignores cancellation";
  for (int i : {0, 1}) {
    auto const& r = rep.cases[static_cast<std::size_t>(i)];
    EXPECT_EQ(r.result.v, verdict::harness_error) << r.def.id;
    EXPECT_TRUE(r.timed_out);
    EXPECT_NE(r.result.summary.find("timed out after 200 ms"), std::string::npos) << r.result.summary;
    EXPECT_GE(r.duration_ms, 190.0);
    EXPECT_LT(r.duration_ms, 1500.0);
    EXPECT_EQ(r.status, expectation_status::unexpected);
    ASSERT_FALSE(r.log.empty());
    EXPECT_NE(r.log.back().text.find("cancelled"), std::string::npos);
  }
  EXPECT_EQ(rep.cases[2].result.v, verdict::pass);
}

TEST(RunnerTimeout, ACaseThatBlocksEveryPoolThreadStillTimesOut) {
  // One job, and its only thread is blocked by the first case: the watchdog still ends both
  // cases at their deadlines, and the run returns without joining the blocked thread.
  std::atomic<bool> release{false};
  std::vector<case_def> cat{blocking_case("blocks.thread", release, 200ms), sleeping_case("queued.behind", 10ms, true, 300ms)};
  run_options opt;
  opt.jobs = 1;
  auto const t0 = std::chrono::steady_clock::now();
  auto const rep = run_cases(pointers(cat), opt);
  auto const elapsed = std::chrono::steady_clock::now() - t0;
  release = true;
  EXPECT_LT(elapsed, 3s);
  ASSERT_EQ(rep.cases.size(), 2u);
  EXPECT_EQ(rep.cases[0].result.v, verdict::harness_error);
  EXPECT_TRUE(rep.cases[0].timed_out);
  EXPECT_EQ(rep.cases[1].result.v, verdict::harness_error);
  EXPECT_TRUE(rep.cases[1].timed_out);
}

TEST(RunnerTimeout, APassAfterTheDeadlineIsStillHarnessError) {
  // The case finishes (and would pass) 300 ms after its 100 ms deadline.
  std::vector<case_def> cat{sleeping_case("late.pass", 400ms, false, 100ms)};
  run_options opt;
  opt.jobs = 1;
  auto const rep = run_cases(pointers(cat), opt);
  EXPECT_EQ(rep.cases[0].result.v, verdict::harness_error);
}

TEST(RunnerTimeout, TimeoutScaleStretchesTheDeadline) {
  std::vector<case_def> cat{sleeping_case("slow.case", 300ms, true, 100ms)};
  run_options opt;
  opt.jobs = 1;
  opt.timeout_scale = 10;
  auto const rep = run_cases(pointers(cat), opt);
  EXPECT_EQ(rep.cases[0].result.v, verdict::pass) << rep.cases[0].result.summary;
  opt.timeout_scale = 1;
  EXPECT_EQ(run_cases(pointers(cat), opt).cases[0].result.v, verdict::harness_error);
}

TEST(RunnerExceptions, AnExceptionBecomesHarnessErrorWithItsMessage) {
  std::vector<case_def> cat{throwing_case("throws.runtime"), make_case("still.runs", verdict::pass)};
  case_def empty = make_case("no.run", verdict::pass);
  empty.run = nullptr;
  cat.push_back(empty);
  run_options opt;
  opt.jobs = 2;
  auto const rep = run_cases(pointers(cat), opt);
  EXPECT_EQ(rep.cases[0].result.v, verdict::harness_error);
  EXPECT_NE(rep.cases[0].result.summary.find("the probe exploded"), std::string::npos) << rep.cases[0].result.summary;
  EXPECT_FALSE(rep.cases[0].timed_out);
  EXPECT_EQ(rep.cases[1].result.v, verdict::pass);
  EXPECT_EQ(rep.cases[2].result.v, verdict::harness_error);
}

TEST(RunnerRun, NoCasesIsAnEmptyReport) {
  auto const rep = run_cases({}, run_options{});
  EXPECT_TRUE(rep.cases.empty());
  EXPECT_EQ(rep.exit_code(), 0);
}

}  // namespace
}  // namespace mxtls::conformance
