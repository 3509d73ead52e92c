// `mxtls-conform combine`: the JSON reports of a receiver run and a sender run merge into one
// report with every case, verdict, expectation status and transcript kept; the merged exit
// status is 1 when any input had an unexpected result; bad inputs are usage errors.
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known false positive
// when the frame allocation is inlined); only this diagnostic is silenced, only here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "runner/report.hpp"
#include "runner_support.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace mxtls::conformance {
namespace {

using namespace test;
namespace fs = std::filesystem;

fs::path scratch() {
  auto const d = fs::temp_directory_path() / ("mxtls-combine-test-" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

std::string write_run(fs::path const& dir, std::string const& name, std::vector<case_def> cat) {
  auto rep = run_cases(pointers(cat), run_options{});
  std::vector<std::string> ids;
  for (auto const& c : cat) ids.push_back(c.id);
  apply_expectations(rep, expectations{}, ids);
  rep.role = cat.front().role;
  auto const path = (dir / (name + ".json")).string();
  std::ofstream(path) << report_json(rep, requirement_registry{});
  return path;
}

int run(std::string const& args) {
  int const st = std::system((std::string(MXTLS_CONFORM_BINARY) + " combine " + args + " >/dev/null 2>&1").c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

boost::json::object load(fs::path const& p) {
  std::ifstream in(p);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return boost::json::parse(text).as_object();
}

TEST(Combine, MergesReceiverAndSenderReports) {
  auto const dir = scratch();
  auto const a = write_run(dir, "receiver", {make_case("greeting.ok", verdict::pass), make_case("starttls.x", verdict::informational)});
  auto const b = write_run(dir, "sender", {make_case("prefix.y", verdict::pass, profile::proposal, role::sender, "delivered")});
  EXPECT_EQ(run(a + " " + b + " --report-dir " + (dir / "out").string()), 0);
  auto const doc = load(dir / "out/report.json");
  EXPECT_EQ(doc.at("role").as_string(), "receiver+sender");
  EXPECT_GE(doc.at("jobs").to_number<double>(), 1.0);  // the inputs' largest, not 0
  auto const& cases = doc.at("cases").as_array();
  ASSERT_EQ(cases.size(), 3u);
  EXPECT_EQ(cases[2].at("id").as_string(), "prefix.y");
  EXPECT_EQ(cases[2].at("role").as_string(), "sender");
  EXPECT_EQ(cases[2].at("summary").as_string(), "delivered");
  EXPECT_EQ(cases[1].at("verdict").as_string(), "informational");
  EXPECT_FALSE(cases[0].at("transcript").as_array().empty());
  EXPECT_TRUE(fs::exists(dir / "out/report.html"));
  EXPECT_TRUE(fs::exists(dir / "out/report.xml"));
  fs::remove_all(dir);
}

TEST(Combine, AnUnexpectedResultInAnyInputFailsTheMerge) {
  auto const dir = scratch();
  auto const a = write_run(dir, "receiver", {make_case("greeting.ok", verdict::pass)});
  auto const b = write_run(dir, "sender", {make_case("prefix.bad", verdict::fail, profile::proposal, role::sender)});
  EXPECT_EQ(run(a + " " + b + " --json " + (dir / "merged.json").string()), 1);
  auto const doc = load(dir / "merged.json");
  EXPECT_EQ(doc.at("cases").as_array()[1].at("status").as_string(), "unexpected");
  fs::remove_all(dir);
}

TEST(Combine, BadInputsAreUsageErrors) {
  auto const dir = scratch();
  std::ofstream(dir / "junk.json") << "{\"format\": \"something else\"}";
  std::ofstream(dir / "broken.json") << "{not json";
  EXPECT_EQ(run(""), 2);
  EXPECT_EQ(run((dir / "missing.json").string()), 2);
  EXPECT_EQ(run((dir / "junk.json").string()), 2);
  EXPECT_EQ(run((dir / "broken.json").string()), 2);
  EXPECT_EQ(run("--bogus x.json"), 2);
  EXPECT_EQ(run("--help"), 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mxtls::conformance
