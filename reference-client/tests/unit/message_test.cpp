// mxtls-send's envelope and content handling: Mailbox syntax (SMTP-4.1.2-01), grouping by
// domain, CRLF normalisation and line limits (SMTP-4.5.3.1.6-01), dot-stuffing
// (SMTP-4.5.2-01), 8-bit detection (SMTP-6152.3-01) and TLS-Required: No (RTLS-3-01).
#include "mxtls/client/message.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mxtls::client {
namespace {

struct mailbox_case {
  std::string input;
  bool valid;
  std::string text;  // the normalised Mailbox when valid
};

TEST(MailboxAddress, AcceptsMailboxesAndLowerCasesTheDomain) {
  mailbox_case const cases[] = {
      {"user@example.com", true, "user@example.com"},
      {"<user@Example.COM>", true, "user@example.com"},
      {"first.last@mx.example.com", true, "first.last@mx.example.com"},
      {"\"quoted local\"@example.com", true, "\"quoted local\"@example.com"},
      {"user@example.com.", false, ""},      // trailing dot is not a Domain
      {"user@[192.0.2.1]", false, ""},       // NAME-4.1.3-01: delivery is by MX
      {"user@192.0.2.1", false, ""},         // NAME-2-01: all-digit last label
      {"user", false, ""},
      {"@example.com", false, ""},
      {"user@", false, ""},
      {"us er@example.com", false, ""},
      {"", false, ""},
      {"<>", false, ""},
  };
  for (auto const& c : cases) {
    auto r = parse_mailbox(c.input);
    EXPECT_EQ(r.has_value(), c.valid) << c.input;
    if (r && c.valid) {
      EXPECT_EQ(r->text(), c.text) << c.input;
    }
    if (!r) {
      EXPECT_EQ(r.error().code, make_error_code(errc::address_invalid)) << c.input;
    }
  }
}

TEST(MailboxAddress, NullReversePathIsEmpty) {
  EXPECT_EQ(parse_reverse_path("").value(), "");
  EXPECT_EQ(parse_reverse_path("<>").value(), "");
  EXPECT_EQ(parse_reverse_path("a@B.example").value(), "a@b.example");
  EXPECT_FALSE(parse_reverse_path("not an address"));
}

TEST(RecipientGroups, OneGroupPerDomainInFirstSeenOrderWithoutDuplicates) {
  std::vector<mailbox_address> rcpts = {parse_mailbox("a@one.test").value(), parse_mailbox("b@two.test").value(),
                                        parse_mailbox("c@ONE.test").value(), parse_mailbox("a@one.test").value()};
  auto g = group_by_domain(rcpts);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].domain, "one.test");
  ASSERT_EQ(g[0].recipients.size(), 2u);
  EXPECT_EQ(g[0].recipients[1].text(), "c@one.test");
  EXPECT_EQ(g[1].domain, "two.test");
}

struct content_case {
  std::string name;
  std::string raw;
  bool valid;
  std::string data;  // when valid
  errc error = errc::usage_invalid;
  std::size_t offset = 0;
};

TEST(MessageContent, NormalisesLineEndsAndEnforcesLimits) {
  std::string const long_line(999, 'x');
  std::string const max_line(998, 'x');
  content_case const cases[] = {
      {"crlf kept", "a\r\nb\r\n", true, "a\r\nb\r\n"},
      {"lf becomes crlf", "a\nb\n", true, "a\r\nb\r\n"},
      {"lone cr becomes crlf", "a\rb", true, "a\r\nb\r\n"},
      {"final crlf added", "a", true, "a\r\n"},
      {"empty stays empty", "", true, ""},
      {"998 octets fit", max_line + "\n", true, max_line + "\r\n"},
      {"999 octets do not", "ok\n" + long_line + "\n", false, "", errc::message_line_too_long, 3},
      {"nul refused", std::string("a\0b", 3), false, "", errc::message_nul_octet, 1},
  };
  for (auto const& c : cases) {
    auto r = prepare_message(c.raw);
    ASSERT_EQ(r.has_value(), c.valid) << c.name;
    if (c.valid) {
      EXPECT_EQ(r->data, c.data) << c.name;
    } else {
      EXPECT_EQ(r.error().code, make_error_code(c.error)) << c.name;
      EXPECT_EQ(r.error().offset, c.offset) << c.name;
    }
  }
}

TEST(MessageContent, SizeLimitCountsNormalisedOctets) {
  message_limits l;
  l.max_octets = 10;
  EXPECT_TRUE(prepare_message("12345678\n", l));   // 10 octets with CRLF
  auto r = prepare_message("123456789\n", l);       // 11
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, make_error_code(errc::message_too_large));
}

TEST(MessageContent, EightBitAndTlsRequiredNoAreNoted) {
  auto plain = prepare_message("Subject: x\n\nbody\n").value();
  EXPECT_FALSE(plain.eight_bit);
  EXPECT_FALSE(plain.tls_required_no);
  EXPECT_TRUE(prepare_message("Subject: caf\xC3\xA9\n\nx\n").value().eight_bit);
  EXPECT_TRUE(prepare_message("Subject: x\ntls-required:   no  \n\nbody\n").value().tls_required_no);
  EXPECT_TRUE(prepare_message("TLS-Required: No\r\n\r\n").value().tls_required_no);
  // Only in the header section, and only the value "No".
  EXPECT_FALSE(prepare_message("Subject: x\n\nTLS-Required: No\n").value().tls_required_no);
  EXPECT_FALSE(prepare_message("TLS-Required: Yes\n\nx\n").value().tls_required_no);
  EXPECT_FALSE(prepare_message("X-TLS-Required: No\n\nx\n").value().tls_required_no);
}

TEST(DotStuffing, DoublesLeadingDotsAndTerminates) {
  EXPECT_EQ(dot_stuff("a\r\n.b\r\n..\r\n.\r\n"), "a\r\n..b\r\n...\r\n..\r\n.\r\n");
  EXPECT_EQ(dot_stuff(""), ".\r\n");
  EXPECT_EQ(dot_stuff("x.y\r\n"), "x.y\r\n.\r\n");
}

}  // namespace
}  // namespace mxtls::client
