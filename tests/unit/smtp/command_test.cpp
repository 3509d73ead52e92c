// SMTP command lines: every case of spec/vectors/smtp_command.json, printing, the reply a
// server sends per error, and the Domain / address-literal / parameter helpers.
// Covers SMTP-2.3.8-02, SMTP-2.4-01, SMTP-4.1.1-01/02, SMTP-4.1.1.1-01/04,
// SMTP-4.1.1.2-01, SMTP-4.1.1.3-01/02, SMTP-4.1.2-01..07, SMTP-4.1.3-01/02, SMTP-4.2.4-01,
// SMTP-4.5.3.1.1..4-01, SMTP-1870.6-01/03, SMTP-6152.2-01, RTLS-2-02, TLS-4-01/02.
#include "mxtls/spec/smtp/command.hpp"

#include "smtp_test_support.hpp"
#include "vectors.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtp = mxtls::spec::smtp;
using smtp_test::bytes;
using smtp_test::errc_name;

namespace {

TEST(SmtpCommandVectors, EveryCaseParsesAsExpected) {
  auto const doc = mxtls::test::load_vectors("smtp_command.json");
  auto const& cases = mxtls::test::vector_cases(doc);
  ASSERT_GE(cases.size(), 100U);
  for (auto const& cv : cases) {
    auto const& c = cv.as_object();
    SCOPED_TRACE(std::string(c.at("name").as_string()));
    std::string const input = bytes(c.at("input"));
    std::size_t const max_line =
        c.contains("max_line") ? c.at("max_line").to_number<std::size_t>() : smtp::max_command_line_octets;
    auto const& expect = c.at("expect").as_object();
    auto const got = smtp::parse_command(input, max_line);
    if (expect.at("valid").as_bool()) {
      ASSERT_TRUE(got) << errc_name(got.error().code) << " " << got.error().requirement << " @" << got.error().offset;
      EXPECT_EQ(smtp::to_string(got->v), std::string_view(expect.at("verb").as_string()));
      EXPECT_EQ(got->argument, bytes(expect.at("argument")));
      auto const* path = expect.if_contains("path");
      if (path && !path->is_null()) {
        ASSERT_TRUE(got->path.has_value());
        EXPECT_EQ(got->path->local_part, bytes(path->at("local_part")));
        EXPECT_EQ(got->path->domain, bytes(path->at("domain")));
      } else {
        EXPECT_FALSE(got->path.has_value());
      }
      auto const& params = expect.at("params").as_array();
      ASSERT_EQ(got->params.size(), params.size());
      for (std::size_t i = 0; i < params.size(); ++i) {
        EXPECT_EQ(got->params[i].keyword, bytes(params[i].at("keyword")));
        auto const& v = params[i].at("value");
        if (v.is_null()) {
          EXPECT_FALSE(got->params[i].value.has_value());
        } else {
          ASSERT_TRUE(got->params[i].value.has_value());
          EXPECT_EQ(*got->params[i].value, bytes(v));
        }
      }
      std::string const printed = smtp::print_command(*got);
      if (auto const* p = expect.if_contains("print")) {
        EXPECT_EQ(printed, bytes(*p));
      }
      auto const again = smtp::parse_command(printed, max_line);
      ASSERT_TRUE(again) << printed;
      EXPECT_EQ(*again, *got) << printed;
    } else {
      ASSERT_FALSE(got) << "accepted";
      EXPECT_EQ(errc_name(got.error().code), std::string(expect.at("error").as_string()));
      EXPECT_EQ(got.error().requirement, std::string_view(expect.at("requirement").as_string()));
      EXPECT_EQ(got.error().offset, expect.at("offset").to_number<std::size_t>());
      EXPECT_EQ(smtp::suggested_reply_code(got.error().code), expect.at("reply_code").to_number<std::uint16_t>());
    }
  }
}

TEST(SmtpCommand, StartTlsWithArgumentsIsAnswered501) {
  // [TLS-4-02]
  auto const r = smtp::parse_command("STARTTLS now");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().requirement, "TLS-4-02");
  EXPECT_EQ(smtp::suggested_reply_code(r.error().code), 501);
}

TEST(SmtpCommand, ParamLookupIsCaseInsensitive) {
  auto const c = smtp::parse_command("MAIL FROM:<a@b.example> size=42 Body=8BITMIME");
  ASSERT_TRUE(c);
  ASSERT_NE(c->param("SIZE"), nullptr);
  EXPECT_EQ(c->param("Size")->value, std::optional<std::string>("42"));
  EXPECT_EQ(c->param("body")->value, std::optional<std::string>("8BITMIME"));
  EXPECT_EQ(c->param("REQUIRETLS"), nullptr);
}

TEST(SmtpCommand, SizeValuesAreDigitsFittingSixtyFourBits) {
  EXPECT_EQ(smtp::parse_size_value("0").value(), 0U);
  EXPECT_EQ(smtp::parse_size_value("10240000").value(), 10240000U);
  EXPECT_EQ(smtp::parse_size_value("18446744073709551615").value(), 18446744073709551615ULL);
  EXPECT_EQ(smtp::parse_size_value("00000000000000000001").value(), 1U);
  for (const char* bad : {"", "-1", "+1", "1e3", " 1", "1 ", "18446744073709551616", "99999999999999999999",
                          "000000000000000000001"}) {
    auto const r = smtp::parse_size_value(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, smtp::errc::param_value_invalid) << bad;
    }
  }
}

TEST(SmtpCommand, BodyValuesAreSevenBitOrEightBitMime) {
  EXPECT_EQ(smtp::parse_body_value("7BIT").value(), smtp::body_type::seven_bit);
  EXPECT_EQ(smtp::parse_body_value("7bit").value(), smtp::body_type::seven_bit);
  EXPECT_EQ(smtp::parse_body_value("8BITMIME").value(), smtp::body_type::eight_bit_mime);
  for (const char* bad : {"", "BINARYMIME", "8BIT", "7BIT ", "8BITMIMEX"}) EXPECT_FALSE(smtp::parse_body_value(bad)) << bad;
}

TEST(SmtpCommand, DomainsFollowTheRfc5321Grammar) {
  for (const char* good : {"a", "example.com", "a-b.c", "1.2.3.4", "xn--bcher-kva.example", "A.B.C", "a1-2b.example"}) {
    EXPECT_TRUE(smtp::is_domain(good)) << good;
  }
  for (const char* bad : {"", ".", "a.", ".a", "a..b", "-a", "a-", "a_b", "a b", "a.-b", "[1.2.3.4]", "b\xc3\xbc" "cher.example"}) {
    EXPECT_FALSE(smtp::is_domain(bad)) << bad;
  }
  EXPECT_TRUE(smtp::is_domain(std::string(63, 'a') + ".example"));
  EXPECT_FALSE(smtp::is_domain(std::string(64, 'a') + ".example"));
}

TEST(SmtpCommand, AddressLiteralsFollowTheRfc5321Grammar) {
  for (const char* good : {"[0.0.0.0]", "[255.255.255.255]", "[010.1.1.1]", "[IPv6:::]", "[IPv6:::1]", "[IPv6:1::]",
                           "[IPv6:1:2:3:4:5:6:7:8]", "[IPv6:1:2:3::6:7:8]", "[IPv6:1:2:3:4:5:6::]", "[IPv6:::2:3:4:5:6:7]",
                           "[IPv6:1:2:3:4:5:6:1.2.3.4]", "[IPv6:::1.2.3.4]", "[IPv6:1:2:3:4::1.2.3.4]",
                           "[IPv6:ABCD:ef01::1]", "[ipv6:::1]"}) {
    EXPECT_TRUE(smtp::is_address_literal(good)) << good;
  }
  for (const char* bad : {"", "[]", "[1.2.3.4", "1.2.3.4]", "[1.2.3]", "[1.2.3.4.5]", "[256.1.1.1]", "[1.2.3.1234]",
                          "[1..2.3]", "[IPv6:]", "[IPv6:1:2:3:4:5:6:7]", "[IPv6:1:2:3:4:5:6:7:8:9]",
                          "[IPv6:1:2:3:4:5:6:7::]", "[IPv6:1::2::3]", "[IPv6::1]", "[IPv6:1:]", "[IPv6:12345::]",
                          "[IPv6:g::1]", "[IPv6:1:2:3:4:5::1.2.3.4]", "[IPv6:1:2:3:4:5:1.2.3.4]",
                          "[IPv6:1.2.3.4::]", "[IPv6:::1.2.3]", "[tag:x]", "[x-y:!~]", "[2001:db8::1]", "[tag:]",
                          "[:x]", "[abc]", "[IPv4:1.2.3.4]"}) {
    EXPECT_FALSE(smtp::is_address_literal(bad)) << bad;
  }
}

TEST(SmtpCommand, ReplyCodesPerCondition) {
  EXPECT_EQ(smtp::suggested_reply_code(smtp::errc::command_unknown), 500);
  EXPECT_EQ(smtp::suggested_reply_code(smtp::errc::command_line_too_long), 500);
  EXPECT_EQ(smtp::suggested_reply_code(smtp::errc::bare_lf), 500);
  EXPECT_EQ(smtp::suggested_reply_code(smtp::errc::domain_invalid), 501);
  EXPECT_EQ(smtp::suggested_reply_code(smtp::errc::param_duplicate), 501);
  EXPECT_EQ(smtp::suggested_reply_code(smtp::errc::param_not_allowed), 555);
  EXPECT_EQ(smtp::suggested_reply_code(smtp::errc::reply_code_invalid), 0);
  EXPECT_EQ(smtp::suggested_reply_code(boost::system::error_code(5, boost::system::generic_category())), 0);
}

TEST(SmtpCommand, PrintsEachVerb) {
  smtp::command c;
  c.v = smtp::verb::quit;
  EXPECT_EQ(smtp::print_command(c), "QUIT");
  c.v = smtp::verb::ehlo;
  c.argument = "client.example";
  EXPECT_EQ(smtp::print_command(c), "EHLO client.example");
  c = {};
  c.v = smtp::verb::mail;
  EXPECT_EQ(smtp::print_command(c), "MAIL FROM:<>");
  c.path = smtp::mailbox{"a", "b.example"};
  c.params = {{"SIZE", "10"}, {"REQUIRETLS", std::nullopt}};
  EXPECT_EQ(smtp::print_command(c), "MAIL FROM:<a@b.example> SIZE=10 REQUIRETLS");
  c = {};
  c.v = smtp::verb::rcpt;
  c.path = smtp::mailbox{"Postmaster", ""};
  EXPECT_EQ(smtp::print_command(c), "RCPT TO:<Postmaster>");
}

}  // namespace
