// Unit tests of Maildir delivery: tmp/ → new/, the trace headers, LF line ends, unique
// names, and the Received: header's RFC 5321 §4.4 shape with TLS facts.
#include "maildir.hpp"

#include <gtest/gtest.h>

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace mxtls::server {
namespace {

std::vector<std::string> list(std::string const& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (auto* e = ::readdir(d))
      if (e->d_name[0] != '.') names.emplace_back(e->d_name);
    ::closedir(d);
  }
  return names;
}

std::string read(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct temp_dir {
  std::string path;
  temp_dir() {
    std::string t = ::testing::TempDir() + "mxtls-maildir-XXXXXX";
    path = ::mkdtemp(t.data());
  }
  ~temp_dir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

envelope sample(bool tls) {
  envelope e;
  e.session_id = "abc-1";
  e.peer_address = "192.0.2.7";
  e.helo = "client.example.com";
  e.tls = tls;
  e.with = tls ? transport::esmtps : transport::esmtp;
  e.tls_info = {"TLSv1.2", "ECDHE_RSA_WITH_AES_256_GCM_SHA384", "mx1.example.org"};
  e.mail_from = "sender@client.example.com";
  e.recipients = {"user@example.org"};
  e.content = "Subject: hi\r\n\r\nbody\r\n";
  return e;
}

TEST(ServerMaildir, DeliversIntoNewWithTraceHeadersAndLfLineEnds) {
  temp_dir t;
  maildir m(t.path + "/Maildir", "mx1.example.org");
  auto r = m.deliver(sample(true));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(list(t.path + "/Maildir/tmp").empty());
  EXPECT_TRUE(list(t.path + "/Maildir/cur").empty());
  auto const names = list(t.path + "/Maildir/new");
  ASSERT_EQ(names, std::vector<std::string>{*r});
  auto const text = read(t.path + "/Maildir/new/" + *r);
  EXPECT_EQ(text.rfind("Return-Path: <sender@client.example.com>\nReceived: from client.example.com ([192.0.2.7])\n"
                       "\t(using TLSv1.2 with cipher ECDHE_RSA_WITH_AES_256_GCM_SHA384 sni mx1.example.org)\n"
                       "\tby mx1.example.org (mxtls-serve) with ESMTPS id abc-1\n\tfor <user@example.org>; ",
                       0),
            0u)
      << text;
  EXPECT_NE(text.find(" +0000\nSubject: hi\n\nbody\n"), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos);
}

TEST(ServerMaildir, PlaintextReceivedHasNoTlsCommentAndNoForWithManyRecipients) {
  auto e = sample(false);
  e.recipients.push_back("other@example.org");
  auto const h = received_header(e, "mx1.example.org", 0);
  EXPECT_EQ(h,
            "Received: from client.example.com ([192.0.2.7])\r\n"
            "\tby mx1.example.org (mxtls-serve) with ESMTP id abc-1\r\n"
            "\tThu, 01 Jan 1970 00:00:00 +0000\r\n");
}

TEST(ServerMaildir, TraceFieldsAreSanitised) {
  auto e = sample(false);
  e.helo = "evil (comment) \r\nX-Injected: 1";
  auto const h = received_header(e, "mx1.example.org", 0);
  EXPECT_EQ(h.find("X-Injected: 1\r\n"), std::string::npos);
  EXPECT_NE(h.find("from evil__comment____X-Injected:_1 "), std::string::npos) << h;
}

TEST(ServerMaildir, NamesAreUnique) {
  temp_dir t;
  maildir m(t.path, "mx1.example.org", false);
  std::set<std::string> names;
  for (int i = 0; i < 50; ++i) names.insert(m.deliver(sample(false)).value());
  EXPECT_EQ(names.size(), 50u);
  EXPECT_EQ(list(t.path + "/new").size(), 50u);
}

TEST(ServerMaildir, UnwritableRootFailsAtStartup) {
  EXPECT_THROW(maildir("/proc/mxtls-no-such-dir/Maildir", "h"), std::system_error);
}

TEST(ServerMaildir, Rfc5322Date) {
  EXPECT_EQ(rfc5322_date(1700000000), "Tue, 14 Nov 2023 22:13:20 +0000");
}

}  // namespace
}  // namespace mxtls::server
