// Proof that the sender suite works (issue 6): every sender case passes against the reference
// sender mxtls-send, and each row of conformance/tests/sender-proof/*.tsv — a case, a
// deliberately broken sender, the verdict it must get — holds; a sender case without any
// row is a failure (a case that no broken sender fails proves nothing). The broken senders:
//   swaks-plain        swaks, plaintext always (resolves MX itself through the namespace's
//                      /etc/resolv.conf)
//   swaks-tls          swaks -tlso: opportunistic TLS, no certificate check
//   misbehave:A[,B]    mxtls-send --test-misbehave A,B (reference-client/.../misbehave.hpp)
// The suite runs as a subprocess (mxtls-conform sender) because it enters its own network and
// mount namespaces, which a multi-threaded test process cannot. Also: the oracle's judge()
// and the CLI's usage errors, in process.
#include "cases/sender/harness.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace mxtls::conformance::test {
namespace {

namespace fs = std::filesystem;

#ifdef MXTLS_SEND_BINARY
constexpr char const* send_binary = MXTLS_SEND_BINARY;
#else
constexpr char const* send_binary = "";
#endif

/// The reference trigger: mxtls-send with the world's trust anchor and clock, short timeouts.
std::string mxtls_send_template() {
  return std::string(send_binary) +
         " --from {from} --to {to} --trust-anchor {trust_anchor} --state-dir {state_dir} --now {now}"
         " --connect-timeout 2 --command-timeout 3 --tls-timeout 3 --https-timeout 3 --dns-timeout 2"
         " --helo sender.mxtls.test {message_file}";
}

std::string template_for(std::string const& broken) {
  constexpr char const* swaks = "swaks --from {from} --to {to} --data {message_file} --helo swaks.mxtls.test --timeout 5";
  if (broken == "swaks-plain") return swaks;
  if (broken == "swaks-tls") return std::string(swaks) + " -tlso";
  if (broken.starts_with("misbehave:")) return mxtls_send_template() + " --test-misbehave " + broken.substr(10);
  return {};
}

std::string shell_quote(std::string const& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool namespaces_available() { return std::system("unshare -n -m true >/dev/null 2>&1") == 0; }

struct suite_run {
  int exit_status = -1;
  double seconds = 0;
  std::map<std::string, std::string> verdicts;   ///< case id -> verdict
  std::map<std::string, std::string> summaries;  ///< case id -> summary
  std::set<std::string> critical;                ///< cases flagged critical
  std::int64_t critical_count = -1;              ///< summary.critical
  std::string output;
};

suite_run run_suite(std::string const& inject, std::vector<std::string> const& cases, std::string const& tag) {
  static int counter = 0;
  auto const dir = fs::temp_directory_path() / ("mxtls-sender-suite-" + std::to_string(::getpid()) + "-" +
                                                std::to_string(++counter) + "-" + tag);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string cmd = std::string(MXTLS_CONFORM_BINARY) + " sender --quiet --inject " + shell_quote(inject) +
                    " --json " + (dir / "report.json").string();
  for (auto const& c : cases) cmd += " --case " + shell_quote(c);
  cmd += " > " + (dir / "out.txt").string() + " 2>&1";
  auto const t0 = std::chrono::steady_clock::now();
  int const st = std::system(cmd.c_str());
  suite_run r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  {
    std::ifstream in(dir / "out.txt");
    r.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::ifstream in(dir / "report.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::system::error_code ec;
  auto const doc = boost::json::parse(text, ec);
  if (!ec && doc.is_object() && doc.as_object().contains("cases"))
    for (auto const& c : doc.at("cases").as_array()) {
      auto const id = std::string(c.at("id").as_string());
      r.verdicts[id] = std::string(c.at("verdict").as_string());
      r.summaries[id] = std::string(c.at("summary").as_string());
      if (c.at("critical").as_bool()) r.critical.insert(id);
    }
  if (!ec && doc.is_object() && doc.as_object().contains("summary"))
    r.critical_count = doc.at("summary").at("critical").as_int64();
  fs::remove_all(dir);
  return r;
}

struct proof_row {
  std::string case_id, broken, verdict, why, where;
};

std::vector<proof_row> proof_rows() {
  std::vector<proof_row> rows;
  auto const dir = fs::path(MXTLS_SOURCE_DIR) / "conformance/tests/sender-proof";
  if (!fs::is_directory(dir)) return rows;
  std::vector<fs::path> files;
  for (auto const& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".tsv") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (auto const& f : files) {
    std::ifstream in(f);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> cols;
      std::stringstream ss(line);
      std::string col;
      while (std::getline(ss, col, '\t')) cols.push_back(col);
      proof_row r;
      r.where = f.filename().string() + ":" + std::to_string(n);
      if (cols.size() >= 3) {
        r.case_id = cols[0];
        r.broken = cols[1];
        r.verdict = cols[2];
        if (cols.size() >= 4) r.why = cols[3];
      }
      rows.push_back(r);
    }
  }
  return rows;
}

std::vector<std::string> sender_case_ids() {
  std::vector<std::string> ids;
  for (auto const& c : catalogue())
    if (c.role == role::sender) ids.push_back(c.id);
  return ids;
}

class SenderSuite : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(send_binary).empty()) GTEST_SKIP() << "mxtls-send is not built";
    if (!namespaces_available())
      GTEST_SKIP() << "network and mount namespaces are not available here (needs root or user namespaces)";
  }
};

TEST_F(SenderSuite, EveryCasePassesAgainstMxtlsSend) {
  auto const ids = sender_case_ids();
  ASSERT_FALSE(ids.empty());
  auto const r = run_suite(mxtls_send_template(), {}, "reference");
  std::cout << "sender suite against mxtls-send: " << ids.size() << " cases in " << r.seconds << " s wall\n";
  EXPECT_EQ(r.exit_status, 0) << r.output;
  EXPECT_EQ(r.verdicts.size(), ids.size()) << r.output;
  for (auto const& id : ids) {
    auto const it = r.verdicts.find(id);
    ASSERT_NE(it, r.verdicts.end()) << id << " did not run\n" << r.output;
    EXPECT_EQ(it->second, "pass") << id << ": " << r.summaries.at(id);
  }
}

TEST_F(SenderSuite, ProofRowsAreWellFormed) {
  auto const ids = sender_case_ids();
  std::set<std::string> const known(ids.begin(), ids.end());
  std::set<std::string> const verdicts = {"pass-non-strict", "fail", "unsupported", "informational", "harness-error"};
  for (auto const& r : proof_rows()) {
    EXPECT_TRUE(known.count(r.case_id)) << r.where << ": no sender case '" << r.case_id << "'";
    EXPECT_FALSE(template_for(r.broken).empty()) << r.where << ": unknown broken sender '" << r.broken << "'";
    EXPECT_TRUE(verdicts.count(r.verdict)) << r.where << ": '" << r.verdict << "' is not a non-pass verdict";
  }
}

TEST_F(SenderSuite, EveryCaseFailsAgainstSomeBrokenSender) {
  std::set<std::string> covered;
  for (auto const& r : proof_rows()) covered.insert(r.case_id);
  for (auto const& id : sender_case_ids())
    EXPECT_TRUE(covered.count(id)) << id << " has no row in conformance/tests/sender-proof/*.tsv";
}

TEST_F(SenderSuite, BrokenSendersGetTheVerdictsOfTheirRows) {
  std::map<std::string, std::vector<proof_row>> by_sender;
  for (auto const& r : proof_rows())
    if (!template_for(r.broken).empty()) by_sender[r.broken].push_back(r);
  ASSERT_FALSE(by_sender.empty());
  for (auto const& [broken, rows] : by_sender) {
    std::set<std::string> cases;
    for (auto const& r : rows) cases.insert(r.case_id);
    auto const run = run_suite(template_for(broken), {cases.begin(), cases.end()},
                               broken.substr(0, broken.find(':')));
    std::cout << broken << ": " << cases.size() << " cases in " << run.seconds << " s\n";
    for (auto const& r : rows) {
      auto const it = run.verdicts.find(r.case_id);
      if (it == run.verdicts.end()) {
        ADD_FAILURE() << r.where << ": " << r.case_id << " did not run against " << broken << "\n" << run.output;
        continue;
      }
      EXPECT_EQ(it->second, r.verdict) << r.where << ": " << r.case_id << " against " << broken << ": "
                                       << run.summaries.at(r.case_id) << " (row: " << r.why << ")";
    }
    // A CRITICAL summary is flagged as such in the JSON report (and counted there).
    for (auto const& r : rows) {
      if (run.summaries.count(r.case_id)) {
        EXPECT_EQ(run.critical.count(r.case_id) == 1, run.summaries.at(r.case_id).starts_with("CRITICAL")) << r.case_id;
      }
    }
    EXPECT_EQ(run.critical_count, static_cast<std::int64_t>(run.critical.size())) << broken;
    if (broken == "swaks-plain") {
      EXPECT_FALSE(run.critical.empty()) << "swaks delivers in plaintext where TLS is required";
    }
    // A broken sender must make the run fail (exit 1), or the CI of its maintainers would pass.
    bool any_fail = false;
    for (auto const& r : rows) any_fail = any_fail || r.verdict == "fail";
    if (any_fail) {
      EXPECT_EQ(run.exit_status, 1) << broken;
    }
  }
}

TEST(SenderSuiteCli, UsageErrors) {
  auto status = [](std::string const& args) {
    int const st = std::system((std::string(MXTLS_CONFORM_BINARY) + " sender " + args + " >/dev/null 2>&1").c_str());
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  };
  EXPECT_EQ(status(""), 2);
  EXPECT_EQ(status("--inject true --resolver-mode maybe"), 2);
  EXPECT_EQ(status("--inject true --observe -1"), 2);
  EXPECT_EQ(status("--inject true --case no-such-case"), 2);
  EXPECT_EQ(status("--inject true --bogus"), 2);
  EXPECT_EQ(status("--inject 'mta --from {form}'"), 2);         // a typo in a placeholder
  EXPECT_EQ(status("--inject true --flush 'flush {queue}'"), 2);
  EXPECT_EQ(status("--help"), 0);
}

// ---------------------------------------------------------------------------------------
// The oracle's judgement, in process.

using sender::attempt;
using sender::expect;
using sender::judge;
using o = delivery_outcome;

TEST(SenderJudge, PlaintextWhereTlsIsRequiredIsCritical) {
  attempt a;
  a.outcome = o::plaintext;
  auto const r = judge(a, {.pass = {o::deferred}, .non_strict = {}, .tls_required = true, .result_type = "starttls-not-supported"});
  EXPECT_EQ(r.v, verdict::fail);
  EXPECT_TRUE(r.critical);
  EXPECT_TRUE(r.summary.starts_with("CRITICAL")) << r.summary;
  EXPECT_EQ(r.result_type, "starttls-not-supported");
}

TEST(SenderJudge, PlaintextMailFromIsCriticalEvenWithoutDelivery) {
  attempt a;
  a.outcome = o::deferred;
  a.plaintext_mail_from = true;
  auto const r = judge(a, {.pass = {o::deferred}, .non_strict = {}, .tls_required = true, .result_type = ""});
  EXPECT_EQ(r.v, verdict::fail);
  EXPECT_NE(r.summary.find("MAIL FROM"), std::string::npos);
}

TEST(SenderJudge, PassNonStrictAndFail) {
  attempt a;
  a.outcome = o::plaintext;
  auto const tolerated =
      judge(a, {.pass = {o::unverified_tls}, .non_strict = {o::plaintext}, .tls_required = false, .result_type = ""});
  EXPECT_EQ(tolerated.v, verdict::pass_non_strict);
  a.outcome = o::bounced;
  auto const wrong = judge(a, {.pass = {o::deferred}, .non_strict = {}, .tls_required = true, .result_type = ""});
  EXPECT_EQ(wrong.v, verdict::fail);
  a.outcome = o::deferred;
  auto const ok = judge(a, {.pass = {o::deferred}, .non_strict = {}, .tls_required = true, .result_type = ""});
  EXPECT_EQ(ok.v, verdict::pass);
  EXPECT_FALSE(ok.critical);
  EXPECT_FALSE(wrong.critical);
  EXPECT_EQ(ok.outcome, o::deferred);
}

}  // namespace
}  // namespace mxtls::conformance::test
