// EHLO replies as capability sets: every case of spec/vectors/ehlo.json (parsed as a reply
// stream first), building the server's reply, and the round trip between the two.
// Covers SMTP-4.1.1.1-02, SMTP-4.1.1.1-05..07, SMTP-2.4-01, SMTP-1870.3-01, TLS-3-01.
#include "mxtls/spec/smtp/ehlo.hpp"

#include "smtp_test_support.hpp"
#include "vectors.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <initializer_list>
#include <string>
#include <vector>

namespace smtp = mxtls::spec::smtp;
using smtp_test::bytes;
using smtp_test::errc_name;

namespace {

smtp::reply only_reply(std::string const& input) {
  auto const out = smtp_test::grind_reply_parser(input);
  EXPECT_FALSE(out.error.has_value());
  EXPECT_EQ(out.replies.size(), 1U);
  EXPECT_EQ(out.buffered, 0U);
  return out.replies.empty() ? smtp::reply{} : out.replies.front();
}

TEST(SmtpEhloVectors, EveryCaseGivesTheExpectedCapabilities) {
  auto const doc = mxtls::test::load_vectors("ehlo.json");
  auto const& cases = mxtls::test::vector_cases(doc);
  ASSERT_GE(cases.size(), 25U);
  for (auto const& cv : cases) {
    auto const& c = cv.as_object();
    SCOPED_TRACE(std::string(c.at("name").as_string()));
    auto const& expect = c.at("expect").as_object();
    auto const got = smtp::parse_ehlo(only_reply(bytes(c.at("input"))));
    if (!expect.at("valid").as_bool()) {
      ASSERT_FALSE(got);
      EXPECT_EQ(errc_name(got.error().code), std::string(expect.at("error").as_string()));
      EXPECT_EQ(got.error().requirement, std::string_view(expect.at("requirement").as_string()));
      EXPECT_EQ(got.error().offset, expect.at("offset").to_number<std::size_t>());
      continue;
    }
    ASSERT_TRUE(got) << errc_name(got.error().code);
    EXPECT_EQ(got->domain(), bytes(expect.at("domain")));
    EXPECT_EQ(got->greeting(), bytes(expect.at("greeting")));
    std::vector<smtp::ehlo_extension> want;
    for (auto const& e : expect.at("extensions").as_array()) {
      smtp::ehlo_extension x{bytes(e.at("keyword")), {}};
      for (auto const& p : e.at("params").as_array()) x.params.push_back(bytes(p));
      want.push_back(std::move(x));
    }
    EXPECT_EQ(got->extensions(), want);
    std::vector<std::string> malformed;
    for (auto const& m : expect.at("malformed").as_array()) malformed.push_back(bytes(m));
    EXPECT_EQ(got->malformed_lines(), malformed);
    EXPECT_EQ(got->starttls(), expect.at("starttls").as_bool());
    EXPECT_EQ(got->pipelining(), expect.at("pipelining").as_bool());
    EXPECT_EQ(got->eightbitmime(), expect.at("eightbitmime").as_bool());
    EXPECT_EQ(got->enhancedstatuscodes(), expect.at("enhancedstatuscodes").as_bool());
    EXPECT_EQ(got->requiretls(), expect.at("requiretls").as_bool());
    EXPECT_EQ(got->smtputf8(), expect.at("smtputf8").as_bool());
    auto const& size = expect.at("size");
    if (size.is_null()) {
      EXPECT_FALSE(got->size().has_value());
    } else {
      ASSERT_TRUE(got->size().has_value());
      EXPECT_EQ(*got->size(), size.to_number<std::uint64_t>());
    }
    for (auto const& e : want) {
      EXPECT_TRUE(got->has(e.keyword));
      std::string lower = e.keyword;
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      EXPECT_TRUE(got->has(lower)) << lower;
      EXPECT_EQ(std::vector<std::string>(got->params(lower).begin(), got->params(lower).end()), e.params);
    }
  }
}

TEST(SmtpEhlo, AbsentKeywordHasNoParams) {
  auto const caps = smtp::parse_ehlo(only_reply("250-mx\r\n250 SIZE 10\r\n")).value();
  EXPECT_FALSE(caps.has("AUTH"));
  EXPECT_TRUE(caps.params("AUTH").empty());
  EXPECT_FALSE(caps.has("SIZ"));
  EXPECT_EQ(caps.size(), std::optional<std::uint64_t>(10));
}

TEST(SmtpEhlo, ServerReplyRoundTrips) {
  smtp::ehlo_capabilities caps;
  ASSERT_TRUE(caps.add("pipelining"));
  ASSERT_TRUE(caps.add("SIZE", {"35882577"}));
  ASSERT_TRUE(caps.add("STARTTLS"));
  ASSERT_TRUE(caps.add("AUTH", {"PLAIN", "LOGIN"}));
  auto const r = smtp::print_ehlo("mx.example.com", "Hello [192.0.2.1]", caps);
  ASSERT_TRUE(r);
  EXPECT_EQ(smtp::print_reply(*r),
            "250-mx.example.com Hello [192.0.2.1]\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n250-STARTTLS\r\n"
            "250 AUTH PLAIN LOGIN\r\n");
  auto const back = smtp::parse_ehlo(only_reply(smtp::print_reply(*r)));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->domain(), "mx.example.com");
  EXPECT_EQ(back->greeting(), "Hello [192.0.2.1]");
  EXPECT_EQ(back->extensions(), caps.extensions());
  EXPECT_TRUE(back->malformed_lines().empty());
}

TEST(SmtpEhlo, ServerReplyWithoutExtensionsOrText) {
  smtp::ehlo_capabilities const none;
  EXPECT_EQ(smtp::print_reply(smtp::print_ehlo("[192.0.2.1]", "", none).value()), "250 [192.0.2.1]\r\n");
}

TEST(SmtpEhlo, AddRefusesWhatIsNotAnEhloLine) {
  smtp::ehlo_capabilities caps;
  ASSERT_TRUE(caps.add("STARTTLS"));
  struct row {
    const char* keyword;
    std::vector<std::string> params;
    smtp::errc error;
    std::size_t offset;
  } const rows[] = {
      {"", {}, smtp::errc::ehlo_keyword_invalid, 0},
      {"-X", {}, smtp::errc::ehlo_keyword_invalid, 0},
      {"AUTH=PLAIN", {}, smtp::errc::ehlo_keyword_invalid, 0},
      {"X Y", {}, smtp::errc::ehlo_keyword_invalid, 0},
      {"X", {""}, smtp::errc::ehlo_param_invalid, 0},
      {"X", {"a", "b c"}, smtp::errc::ehlo_param_invalid, 1},
      {"X", {"a\tb"}, smtp::errc::ehlo_param_invalid, 0},
      {"X", {"caf\xc3\xa9"}, smtp::errc::ehlo_param_invalid, 0},
      {"starttls", {}, smtp::errc::ehlo_keyword_duplicate, 0},
  };
  for (auto const& r : rows) {
    auto const got = caps.add(r.keyword, r.params);
    ASSERT_FALSE(got) << r.keyword;
    EXPECT_EQ(got.error().code, r.error) << r.keyword;
    EXPECT_EQ(got.error().offset, r.offset) << r.keyword;
  }
  EXPECT_EQ(caps.extensions().size(), 1U);
}

TEST(SmtpEhlo, PrintRefusesAnInvalidNameTextOrLine) {
  smtp::ehlo_capabilities caps;
  EXPECT_EQ(smtp::print_ehlo("mx_1.example", "", caps).error().code, smtp::errc::ehlo_domain_invalid);
  EXPECT_EQ(smtp::print_ehlo("", "", caps).error().code, smtp::errc::ehlo_domain_invalid);
  auto const text = smtp::print_ehlo("mx", "a\r\nb", caps);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, smtp::errc::reply_text_invalid);
  EXPECT_EQ(text.error().offset, 8U);
  // "250 mx " + text + CRLF: 503 octets of text fit 512, 504 do not.
  EXPECT_TRUE(smtp::print_ehlo("mx", std::string(503, 'g'), caps));
  EXPECT_EQ(smtp::print_ehlo("mx", std::string(504, 'g'), caps).error().code, smtp::errc::reply_line_too_long);
  ASSERT_TRUE(caps.add("X", {std::string(490, 'p')}));
  auto const longline = smtp::print_ehlo("mx", "", caps);
  EXPECT_TRUE(longline);
  smtp::ehlo_capabilities big;
  ASSERT_TRUE(big.add("X", {std::string(505, 'p')}));  // "250 X " + 505 + CRLF = 513
  auto const too_long = smtp::print_ehlo("mx", "", big);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, smtp::errc::reply_line_too_long);
  EXPECT_EQ(too_long.error().offset, 8U + 510U);
}

TEST(SmtpEhlo, OnlyA250ReplyIsAnEhloReply) {
  for (std::uint16_t const code : std::initializer_list<std::uint16_t>{220, 251, 421, 500, 502, 550, 554}) {
    auto const got = smtp::parse_ehlo(smtp::reply{code, {"mx"}});
    ASSERT_FALSE(got) << code;
    EXPECT_EQ(got.error().code, smtp::errc::ehlo_code_not_250);
  }
}

}  // namespace
