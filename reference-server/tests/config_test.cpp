// Unit tests of the mxtls-serve configuration: key = value files, flags overriding the
// file, value syntax, and errors that name the file and line or the flag.
#include "config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace mxtls::server {
namespace {

std::string error_of(auto&& fn) {
  try {
    fn();
  } catch (config_error const& e) {
    return e.what();
  }
  return "no error";
}

TEST(ServerConfig, ParsesKeyValueLinesCommentsAndQuotes) {
  config c;
  parse_config_text(c,
                    "# comment\n"
                    "hostname = mx1.example.org\n"
                    "\n"
                    "domain=example.org\n"
                    "domain = Example.NET\r\n"
                    "  strict_tls = \"strict-tls=*.example.org; max-age=600\"  \n"
                    "listen = 127.0.0.1:2525\n"
                    "listen_implicit = [::1]:2626\n"
                    "max_message_size = 10M\n"
                    "timeout_command = 250ms\n"
                    "drain_grace = 2m\n"
                    "fsync = no\n",
                    "test.conf");
  EXPECT_EQ(c.hostname, "mx1.example.org");
  EXPECT_EQ(c.domains, (std::vector<std::string>{"example.org", "example.net"}));
  EXPECT_EQ(c.strict_tls, "strict-tls=*.example.org; max-age=600");
  EXPECT_EQ(c.listen, (endpoint{"127.0.0.1", 2525}));
  EXPECT_EQ(c.listen_implicit, (endpoint{"::1", 2626}));
  EXPECT_EQ(c.max_message_size, 10u * 1024 * 1024);
  EXPECT_EQ(c.timeout_command, std::chrono::milliseconds(250));
  EXPECT_EQ(c.drain_grace, std::chrono::milliseconds(120000));
  EXPECT_FALSE(c.fsync);
}

TEST(ServerConfig, ErrorsNameFileAndLine) {
  config c;
  EXPECT_EQ(error_of([&] { parse_config_text(c, "hostname = a.example\nbogus = 1\n", "x.conf"); }),
            "x.conf:2: unknown key \"bogus\" (see mxtls-serve --help)");
  EXPECT_EQ(error_of([&] { parse_config_text(c, "\n\nno equals sign\n", "y.conf"); }),
            "y.conf:3: expected \"key = value\", got \"no equals sign\"");
  EXPECT_EQ(error_of([&] { parse_config_text(c, "listen = 127.0.0.1:99999\n", "z.conf"); }),
            "z.conf:1: port 99999 is above 65535");
  EXPECT_EQ(error_of([&] { parse_config_text(c, "timeout_command = 5 minutes\n", "t.conf"); }),
            "t.conf:1: duration \"5 minutes\": unit must be ms, s, m or h");
  EXPECT_EQ(error_of([&] { parse_config_text(c, "max_recipients = 0\n", "r.conf"); }),
            "r.conf:1: max_recipients: must be at least 1");
  EXPECT_EQ(error_of([&] { parse_config_text(c, "max_errors = -1\n", "e.conf"); }),
            "e.conf:1: max_errors: expected a non-negative integer, got \"-1\"");
}

TEST(ServerConfig, TableOfValueSyntax) {
  struct row {
    std::string_view text;
    bool ok;
  };
  for (auto [text, ok] : {row{"127.0.0.1:25", true}, row{"[::1]:26", true}, row{"0.0.0.0:0", true},
                          row{"127.0.0.1", false}, row{":25", false}, row{"::1:25", false}, row{"[::1]25", false},
                          row{"host:x", false}}) {
    bool const parsed = error_of([&] { (void)parse_endpoint(text, "t"); }) == "no error";
    EXPECT_EQ(parsed, ok) << text;
  }
  EXPECT_EQ(parse_duration("3", "t"), std::chrono::seconds(3));
  EXPECT_EQ(parse_duration("1h", "t"), std::chrono::hours(1));
  EXPECT_EQ(parse_size("64k", "t"), 65536u);
  EXPECT_EQ(parse_size("1G", "t"), 1073741824u);
  EXPECT_NE(error_of([] { (void)parse_size("", "t"); }), "no error");
  EXPECT_NE(error_of([] { (void)parse_duration("ms", "t"); }), "no error");
  EXPECT_NE(error_of([] { (void)parse_duration("99999999999999999999", "t"); }), "no error");
}

TEST(ServerConfig, FlagsOverrideTheFileAndReplaceRepeatableLists) {
  auto const path = std::string(::testing::TempDir()) + "mxtls-serve-config-test.conf";
  {
    std::ofstream out(path);
    out << "hostname = file.example.org\ndomain = file.example\ndomain = file2.example\nmax_errors = 3\n";
  }
  auto cl = parse_command_line({"--hostname", "flag.example.org", "--domain=a.example", "--config", path,
                                "--domain", "b.example", "--max-errors", "7"});
  EXPECT_EQ(cl.what, command_line::mode::serve);
  EXPECT_EQ(cl.cfg.hostname, "flag.example.org");
  EXPECT_EQ(cl.cfg.domains, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(cl.cfg.max_errors, 7u);
  auto kept = parse_command_line({"print-dns", "--config", path});
  EXPECT_EQ(kept.what, command_line::mode::print_dns);
  EXPECT_EQ(kept.cfg.domains, (std::vector<std::string>{"file.example", "file2.example"}));
  std::remove(path.c_str());
}

TEST(ServerConfig, CommandLineErrorsNameTheFlag) {
  EXPECT_EQ(error_of([] { parse_command_line({"--no-such-thing", "1"}); }),
            "--no-such-thing: unknown option (see --help)");
  EXPECT_EQ(error_of([] { parse_command_line({"--hostname"}); }), "--hostname: a value is required");
  EXPECT_EQ(error_of([] { parse_command_line({"--max-recipients", "lots"}); }),
            "--max-recipients: max_recipients: expected a non-negative integer, got \"lots\"");
  EXPECT_EQ(error_of([] { parse_command_line({"--config", "/nonexistent/mxtls.conf"}); }),
            "/nonexistent/mxtls.conf: cannot open the config file");
  EXPECT_EQ(parse_command_line({"--help"}).what, command_line::mode::help);
}

config serving_config() {
  config c;
  c.hostname = "mx1.example.org";
  c.domains = {"example.org"};
  c.cert_file = "c.pem";
  c.key_file = "k.pem";
  c.maildir = "/tmp/m";
  c.listen = endpoint{"127.0.0.1", 25};
  return c;
}

TEST(ServerConfig, ValidationNamesTheMissingKey) {
  EXPECT_EQ(error_of([] { validate_for_serving(serving_config()); }), "no error");
  auto c = serving_config();
  c.hostname.clear();
  EXPECT_EQ(error_of([&] { validate_for_serving(c); }), "hostname: required (set hostname = or --hostname)");
  c = serving_config();
  c.hostname = "not a host";
  EXPECT_NE(error_of([&] { validate_for_serving(c); }).find("hostname: \"not a host\" is not a host name"),
            std::string::npos);
  c = serving_config();
  c.listen.reset();
  EXPECT_NE(error_of([&] { validate_for_serving(c); }).find("listen:"), std::string::npos);
  c = serving_config();
  c.mta_sts_listen = endpoint{"127.0.0.1", 443};
  EXPECT_EQ(error_of([&] { validate_for_serving(c); }), "mta_sts_listen: needs mta_sts_policy");
}

// [BAN-03] the directive is checked with the banner parser; [BAN-12] its pattern must
// cover the server's own host name or senders would ignore it.
TEST(ServerConfig, StrictTlsDirectiveIsValidatedAtStartup) {
  auto c = serving_config();
  c.strict_tls = "strict-tls=*.example.org; max-age=86400";
  EXPECT_EQ(error_of([&] { validate_for_serving(c); }), "no error");
  c.strict_tls = "strict-tls=mx1.example.org; max-age=86400; includeSubDomains";
  EXPECT_EQ(error_of([&] { validate_for_serving(c); }), "no error");
  c.strict_tls = "strict-tls=*.example.org; max-age=lots";
  EXPECT_NE(error_of([&] { validate_for_serving(c); }).find("is not a valid directive"), std::string::npos);
  c.strict_tls = "strict-tls=*.other.example; max-age=600";
  EXPECT_NE(error_of([&] { validate_for_serving(c); }).find("does not cover hostname"), std::string::npos);
}

TEST(ServerConfig, UsageListsEveryKeyAsAFlag) {
  auto const u = usage_text();
  for (auto const& k : documented_keys()) {
    std::string flag = "--";
    for (char ch : k.key) flag += ch == '_' ? '-' : ch;
    EXPECT_NE(u.find(flag + " "), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace mxtls::server
