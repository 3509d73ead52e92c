// The state directory: atomic files, the merge on commit (two mxtls-send processes sharing a
// directory keep each other's pins and policies), and refusal of damaged files
// (BAN-18, BAN-24, STS-3.3-11).
#include "mxtls/client/state.hpp"

#include "mxtls/spec/banner/directive.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace mxtls::client {
namespace {

namespace fs = std::filesystem;

class StateDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("mxtls-send-state-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string read(std::string const& name) {
    std::ifstream in(dir / name);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  fs::path dir;
};

spec::banner::strict_tls_directive directive(std::string text) {
  return spec::banner::parse_directive(text).value();
}

sts_entry policy_entry(std::string domain, unix_seconds at) {
  std::string body = "version: STSv1\nmode: enforce\nmx: mx." + domain + "\nmax_age: 86400\n";
  return sts_entry{domain, "id1", body, spec::mtasts::parse_policy(body).value(), at};
}

TEST_F(StateDir, CreatesTheDirectoryAndPersistsBothCaches) {
  {
    auto s = state_store::open(dir.string());
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_TRUE(s->persistent());
    s->sts_store(policy_entry("a.test", 1000), 1000);
    EXPECT_EQ(s->pin_apply(directive("strict-tls=*.b.test; max-age=600"), "mx.b.test", 1000),
              spec::banner::apply_outcome::stored);
    EXPECT_EQ(s->pending(), 2u);
    ASSERT_TRUE(s->commit());
    EXPECT_EQ(s->pending(), 0u);
  }
  EXPECT_EQ(fs::status(dir).permissions() & fs::perms::others_all, fs::perms::none);
  auto s = state_store::open(dir.string());
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->sts().find("a.test", 2000));
  EXPECT_TRUE(s->pins().find_covering("mx2.b.test", 1500));
  EXPECT_FALSE(s->pins().find_covering("mx2.b.test", 1600));  // [BAN-18] expiry = t + max-age
  EXPECT_EQ(read(state_store::pins_file).rfind(spec::banner::pin_store_header, 0), 0u);
  // No temp files are left behind.
  for (auto const& e : fs::directory_iterator(dir)) EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos);
}

TEST_F(StateDir, ConcurrentWritersKeepEachOthersChanges) {
  auto a = state_store::open(dir.string()).value();
  auto b = state_store::open(dir.string()).value();
  a.pin_apply(directive("strict-tls=mx.a.test; max-age=600"), "mx.a.test", 1000);
  b.pin_apply(directive("strict-tls=mx.b.test; max-age=600"), "mx.b.test", 1000);
  a.sts_store(policy_entry("a.test", 1000), 1000);
  b.sts_store(policy_entry("b.test", 1000), 1000);
  ASSERT_TRUE(a.commit());
  ASSERT_TRUE(b.commit());
  // b re-read the files under the lock and replayed its own changes on top of a's.
  EXPECT_TRUE(b.pins().find_covering("mx.a.test", 1001));
  EXPECT_TRUE(b.sts().find("a.test", 1001));
  auto c = state_store::open(dir.string()).value();
  EXPECT_TRUE(c.pins().find_covering("mx.a.test", 1001));
  EXPECT_TRUE(c.pins().find_covering("mx.b.test", 1001));
  EXPECT_TRUE(c.sts().find("a.test", 1001));
  EXPECT_TRUE(c.sts().find("b.test", 1001));
}

TEST_F(StateDir, RemovalReplaysToo) {
  auto a = state_store::open(dir.string()).value();
  a.pin_apply(directive("strict-tls=mx.a.test; max-age=600"), "mx.a.test", 1000);
  ASSERT_TRUE(a.commit());
  auto b = state_store::open(dir.string()).value();
  // [BAN-10] max-age=0 removes the pin with the same pattern.
  EXPECT_EQ(b.pin_apply(directive("strict-tls=mx.a.test; max-age=0"), "mx.a.test", 1100),
            spec::banner::apply_outcome::removed);
  ASSERT_TRUE(b.commit());
  EXPECT_FALSE(state_store::open(dir.string()).value().pins().find_covering("mx.a.test", 1101));
}

TEST_F(StateDir, DamagedFilesAreRefused) {
  fs::create_directories(dir);
  std::ofstream(dir / state_store::pins_file) << "not a pin store\n";
  auto s = state_store::open(dir.string());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, make_error_code(errc::state_invalid));
  fs::remove(dir / state_store::pins_file);
  std::ofstream(dir / state_store::sts_file) << "{\"format\": 1}";
  s = state_store::open(dir.string());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, make_error_code(errc::state_invalid));
}

TEST_F(StateDir, AFileInPlaceOfTheDirectoryIsUnreadable) {
  std::ofstream(dir.string()) << "x";
  auto s = state_store::open(dir.string());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, make_error_code(errc::state_unreadable));
  fs::remove(dir);
}

TEST(StateMemory, WithoutDirectoryNothingIsJournaled) {
  state_store s;
  EXPECT_FALSE(s.persistent());
  s.pin_apply(directive("strict-tls=mx.a.test; max-age=600"), "mx.a.test", 1000);
  EXPECT_EQ(s.pending(), 0u);
  EXPECT_TRUE(s.pins().find_covering("mx.a.test", 1001));
  EXPECT_TRUE(s.commit());
}

TEST(AtomicWrite, ReplacesContentAndFailsCleanlyInAMissingDirectory) {
  auto const dir = fs::temp_directory_path() / ("mxtls-atomic-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto const path = (dir / "f").string();
  ASSERT_TRUE(write_file_atomically(path, "one"));
  ASSERT_TRUE(write_file_atomically(path, "two"));
  std::ifstream in(path);
  std::string s;
  in >> s;
  EXPECT_EQ(s, "two");
  auto r = write_file_atomically((dir / "missing" / "f").string(), "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, make_error_code(errc::state_write_failed));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mxtls::client
