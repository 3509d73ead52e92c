// SMTP reply stream parsing: every case of spec/vectors/smtp_reply.json fed whole, split
// at every byte and byte by byte; enhanced status codes; printing; the STARTTLS boundary.
// Covers SMTP-4.2-01/03/06/07, SMTP-4.5.3.1.5-01, SMTP-2.3.8-01/03, SMTP-2034.4-01, TLS-4-11.
#include "mxtls/spec/smtp/reply.hpp"

#include "smtp_test_support.hpp"
#include "vectors.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtp = mxtls::spec::smtp;
using smtp_test::bytes;
using smtp_test::errc_name;

namespace {

smtp::reply_limits limits_of(boost::json::object const& c) {
  smtp::reply_limits l;
  if (auto const* v = c.if_contains("limits")) {
    auto const& o = v->as_object();
    if (auto const* x = o.if_contains("max_line")) l.max_line = x->to_number<std::size_t>();
    if (auto const* x = o.if_contains("max_lines")) l.max_lines = x->to_number<std::size_t>();
    if (auto const* x = o.if_contains("max_reply")) l.max_reply = x->to_number<std::size_t>();
    if (auto const* x = o.if_contains("accept_bare_lf")) l.accept_bare_lf = x->as_bool();
  }
  return l;
}

std::vector<smtp::reply> replies_of(boost::json::array const& a) {
  std::vector<smtp::reply> out;
  for (auto const& v : a) {
    smtp::reply r;
    r.code = v.at("code").to_number<std::uint16_t>();
    for (auto const& l : v.at("lines").as_array()) r.lines.push_back(bytes(l));
    out.push_back(std::move(r));
  }
  return out;
}

TEST(SmtpReplyVectors, EveryCaseHoldsWholeSplitAndByteByByte) {
  auto const doc = mxtls::test::load_vectors("smtp_reply.json");
  auto const& cases = mxtls::test::vector_cases(doc);
  ASSERT_GE(cases.size(), 40U);
  for (auto const& cv : cases) {
    auto const& c = cv.as_object();
    std::string const name(c.at("name").as_string());
    SCOPED_TRACE(name);
    std::string const input = bytes(c.at("input"));
    auto const& expect = c.at("expect").as_object();
    auto const out = smtp_test::grind_reply_parser(input, limits_of(c));
    EXPECT_EQ(out.replies, replies_of(expect.at("replies").as_array()));
    if (expect.at("valid").as_bool()) {
      EXPECT_FALSE(out.error.has_value()) << errc_name(out.error->code) << " @" << out.error->offset;
      EXPECT_EQ(out.buffered, expect.at("buffered").to_number<std::size_t>());
      EXPECT_EQ(out.taken, input.size());
      if (auto const* after = expect.if_contains("buffered_after_each")) {
        std::vector<std::size_t> want;
        for (auto const& n : after->as_array()) want.push_back(n.to_number<std::size_t>());
        EXPECT_EQ(out.buffered_after_each, want);
      }
      auto const& jr = expect.at("replies").as_array();
      for (std::size_t i = 0; i < jr.size() && i < out.replies.size(); ++i) {
        auto const* enh = jr[i].as_object().if_contains("enhanced");
        if (!enh) continue;
        auto const got = smtp::parse_enhanced_status(out.replies[i].lines.at(0));
        if (enh->is_null()) {
          EXPECT_FALSE(got.has_value());
        } else {
          auto const& e = enh->as_array();
          ASSERT_TRUE(got.has_value());
          EXPECT_EQ(got->cls, e.at(0).to_number<int>());
          EXPECT_EQ(got->subject, e.at(1).to_number<int>());
          EXPECT_EQ(got->detail, e.at(2).to_number<int>());
        }
      }
      // What was parsed prints back to something that parses to the same replies.
      std::string printed;
      for (auto const& r : out.replies) printed += smtp::print_reply(r);
      auto const again = smtp_test::run_reply_parser({printed}, limits_of(c));
      EXPECT_EQ(again.replies, out.replies);
    } else {
      ASSERT_TRUE(out.error.has_value());
      EXPECT_EQ(errc_name(out.error->code), std::string(expect.at("error").as_string()));
      EXPECT_EQ(out.error->requirement, std::string_view(expect.at("requirement").as_string()));
      EXPECT_EQ(out.error->offset, expect.at("offset").to_number<std::size_t>());
      // The failing octet was taken, nothing after the point of detection was.
      EXPECT_GT(out.taken, out.error->offset);
      EXPECT_LE(out.taken, input.size());
    }
  }
}

TEST(SmtpReply, FirstErrorIsFinal) {
  smtp::reply_parser p;
  EXPECT_EQ(p.feed("250 OK\r\n1"), 9U);
  EXPECT_TRUE(p.failed());
  EXPECT_EQ(p.feed("250 OK\r\n"), 0U);
  auto r = p.next();
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->code, 250);
  for (int i = 0; i < 2; ++i) {
    auto e = p.next();
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().code, smtp::errc::reply_code_invalid);
    EXPECT_EQ(e.error().offset, 8U);
  }
}

TEST(SmtpReply, FeedStopsAtTheOctetThatFailed) {
  smtp::reply_parser p;
  EXPECT_EQ(p.feed("250 OK\r\n2x0 more bytes"), 10U);
  EXPECT_EQ(p.bytes_taken(), 10U);
  // A bare CR is detected at the octet after it, but reported at the CR.
  smtp::reply_parser q;
  EXPECT_EQ(q.feed("250 a\rbcd"), 7U);
  (void)q.next();
  auto e = q.next();
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, smtp::errc::bare_cr);
  EXPECT_EQ(e.error().offset, 5U);
}

TEST(SmtpReply, BytesBehindTheStartTlsReplyAreVisible) {
  // [TLS-4-11] A client that sent STARTTLS takes the 220 and must find nothing behind it.
  smtp::reply_parser clean;
  clean.feed("220 2.0.0 Ready to start TLS\r\n");
  auto r = clean.next();
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ((*r)->code, 220);
  EXPECT_EQ(clean.buffered(), 0U);

  smtp::reply_parser injected;
  injected.feed("220 2.0.0 Ready to start TLS\r\n250 OK\r\n");
  auto first = injected.next();
  ASSERT_TRUE(first && first->has_value());
  EXPECT_EQ((*first)->code, 220);
  EXPECT_EQ(injected.buffered(), 8U);

  smtp::reply_parser partial;
  partial.feed("220 Go ahead\r\nX");
  ASSERT_TRUE(partial.next()->has_value());
  EXPECT_EQ(partial.buffered(), 1U);
}

TEST(SmtpReply, EnhancedStatusCodesAtTheStartOfText) {
  struct row {
    const char* text;
    bool valid;
    int cls, subject, detail;
  } const rows[] = {
      {"2.0.0 Ok", true, 2, 0, 0},
      {"5.7.1", true, 5, 7, 1},
      {"4.4.8 MX not in policy", true, 4, 4, 8},
      {"5.7.30 REQUIRETLS", true, 5, 7, 30},
      {"2.999.999 x", true, 2, 999, 999},
      {"5.01.001 leading zeros", true, 5, 1, 1},
      {"3.0.0 not a class", false, 0, 0, 0},
      {"1.0.0", false, 0, 0, 0},
      {"2.0", false, 0, 0, 0},
      {"2.0.", false, 0, 0, 0},
      {"2..0 x", false, 0, 0, 0},
      {"2.1000.0 x", false, 0, 0, 0},
      {"2.0.0000", false, 0, 0, 0},
      {"2.0.0x", false, 0, 0, 0},
      {"2.0.0\tx", false, 0, 0, 0},
      {" 2.0.0", false, 0, 0, 0},
      {"Ok 2.0.0", false, 0, 0, 0},
      {"", false, 0, 0, 0},
  };
  for (auto const& r : rows) {
    auto const got = smtp::parse_enhanced_status(r.text);
    EXPECT_EQ(got.has_value(), r.valid) << r.text;
    if (got && r.valid) {
      EXPECT_EQ(*got, (smtp::enhanced_status{static_cast<std::uint8_t>(r.cls), static_cast<std::uint16_t>(r.subject),
                                             static_cast<std::uint16_t>(r.detail)}))
          << r.text;
    }
  }
}

TEST(SmtpReply, PrintsContinuationsAndTheLastLine) {
  EXPECT_EQ(smtp::print_reply({250, {"a", "b"}}), "250-a\r\n250 b\r\n");
  EXPECT_EQ(smtp::print_reply({220, {"mx ESMTP"}}), "220 mx ESMTP\r\n");
  EXPECT_EQ(smtp::print_reply({250, {"first", ""}}), "250-first\r\n250\r\n");
  EXPECT_EQ(smtp::print_reply({354, {""}}), "354\r\n");
  EXPECT_EQ(smtp::print_reply({250, {"", "x"}}), "250-\r\n250 x\r\n");
  EXPECT_EQ(smtp::print_reply({421, {}}), "421\r\n");
}

TEST(SmtpReply, LimitsBelowTheMinimumStillParseACode) {
  smtp::reply_limits l;
  l.max_line = 0;
  l.max_lines = 0;
  l.max_reply = 0;
  // Raised to 6-octet lines, 1 line and 5 octets per reply: "ddd" CRLF still fits.
  auto const out = smtp_test::grind_reply_parser("250\r\n250-y\r\n", l);
  ASSERT_EQ(out.replies.size(), 1U);
  EXPECT_EQ(out.replies[0], (smtp::reply{250, {""}}));
  ASSERT_TRUE(out.error.has_value());
  // "250-y" has 5 octets before CRLF, one more than a 6-octet line allows.
  EXPECT_EQ(out.error->code, smtp::errc::reply_line_too_long);
  EXPECT_EQ(out.error->offset, 9U);
}

TEST(SmtpReply, ErrorCodesNameTheirCondition) {
  for (int e = static_cast<int>(smtp::errc::reply_code_invalid); e <= static_cast<int>(smtp::errc::ehlo_keyword_duplicate); ++e) {
    auto const ec = smtp::make_error_code(static_cast<smtp::errc>(e));
    EXPECT_STREQ(ec.category().name(), "mxtls.smtp");
    EXPECT_NE(ec.message(), "unknown mxtls.smtp error") << e;
    EXPECT_STRNE(smtp::to_string(static_cast<smtp::errc>(e)), "unknown") << e;
  }
  EXPECT_STREQ(smtp::to_string(static_cast<smtp::errc>(0)), "unknown");
}

}  // namespace
