// The server-side line splitter: every case fed whole, split at every byte and byte by
// byte, with a server-like switch to data mode after "DATA". Covers SMTP-2.3.8-01/02,
// SMTP-4.1.1.4-02, SMTP-4.5.3.1.4-01, SMTP-4.5.3.1.6-01, TLS-4-10.
#include "mxtls/spec/smtp/line_reader.hpp"

#include "smtp_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace smtp = mxtls::spec::smtp;
using smtp_test::line_event;
using smtp_test::line_outcome;

namespace {

line_event line(std::string s) { return line_event{std::move(s), std::nullopt}; }
line_event error(smtp::errc e, std::string_view requirement, std::size_t offset) {
  return line_event{std::nullopt, mxtls::spec::make_parse_error(e, requirement, offset)};
}

struct row {
  std::string name;
  std::string input;
  std::vector<line_event> events;
  std::size_t buffered = 0;
  smtp::line_limits limits = {};
};

std::vector<row> rows() {
  std::string const x510(510, 'x');
  std::string const x511(511, 'x');
  std::string const t998(998, 't');
  std::string const t999(999, 't');
  smtp::line_limits tiny;
  tiny.max_command_line = 10;
  tiny.max_text_line = 12;
  smtp::line_limits small_buffer;
  small_buffer.max_command_line = 30;
  small_buffer.max_text_line = 30;
  small_buffer.max_buffer = 16;  // raised to 31
  using smtp::errc;
  return {
      {"one line", "EHLO a.example\r\n", {line("EHLO a.example")}},
      {"two lines", "EHLO a\r\nMAIL FROM:<>\r\n", {line("EHLO a"), line("MAIL FROM:<>")}},
      {"empty line", "\r\n", {line("")}},
      {"partial line stays buffered", "EHLO a\r\nQUI", {line("EHLO a")}, 3},
      {"CR waiting for LF", "NOOP\r", {}, 5},
      {"bare LF does not end a line [SMTP-2.3.8-02]", "a\nb\r\nNOOP\r\n",
       {error(errc::bare_lf, "SMTP-2.3.8-02", 1), line("NOOP")}},
      {"smuggled command after bare LF is not executed", "MAIL FROM:<a@b>\nRCPT TO:<c@d>\r\n",
       {error(errc::bare_lf, "SMTP-2.3.8-02", 15)}},
      {"bare CR does not end a line [SMTP-2.3.8-01]", "a\rb\r\nNOOP\r\n",
       {error(errc::bare_cr, "SMTP-2.3.8-02", 1), line("NOOP")}},
      {"CR CR LF", "NOOP\r\r\nQUIT\r\n", {error(errc::bare_cr, "SMTP-2.3.8-02", 4), line("QUIT")}},
      {"LF CR LF", "NOOP\n\r\nQUIT\r\n", {error(errc::bare_lf, "SMTP-2.3.8-02", 4), line("QUIT")}},
      {"first bare octet wins", "a\rb\nc\r\n", {error(errc::bare_cr, "SMTP-2.3.8-02", 1)}},
      {"command line of 512 octets [SMTP-4.5.3.1.4-01]", x510 + "\r\n", {line(x510)}},
      {"command line of 513 octets", x511 + "\r\nNOOP\r\n",
       {error(errc::command_line_too_long, "SMTP-4.5.3.1.4-01", 510), line("NOOP")}},
      {"too-long line without CRLF yet is reported and dropped", std::string(600, 'y'),
       {error(errc::command_line_too_long, "SMTP-4.5.3.1.4-01", 510)}},
      {"CR at the limit followed by text", x510 + "\rz\r\nNOOP\r\n",
       {error(errc::command_line_too_long, "SMTP-4.5.3.1.4-01", 510), line("NOOP")}},
      {"bare LF before the limit in a too-long line", "ab\n" + std::string(600, 'y') + "\r\nNOOP\r\n",
       {error(errc::bare_lf, "SMTP-2.3.8-02", 2), line("NOOP")}},
      {"bare CR after the limit in a too-long line", x511 + "\rq\r\nNOOP\r\n",
       {error(errc::command_line_too_long, "SMTP-4.5.3.1.4-01", 510), line("NOOP")}},
      {"dropped tail holding a split CRLF", x511 + "ab\r\nQUIT\r\n",
       {error(errc::command_line_too_long, "SMTP-4.5.3.1.4-01", 510), line("QUIT")}},
      {"text line of 1000 octets [SMTP-4.5.3.1.6-01]", "DATA\r\n" + t998 + "\r\n.\r\nQUIT\r\n",
       {line("DATA"), line(t998), line("."), line("QUIT")}},
      {"text line of 1001 octets", "DATA\r\n" + t999 + "\r\n.\r\nQUIT\r\n",
       {line("DATA"), error(errc::text_line_too_long, "SMTP-4.5.3.1.6-01", 1004), line("."), line("QUIT")}},
      {"command limit applies again after the data", "DATA\r\n.\r\n" + x511 + "\r\n",
       {line("DATA"), line("."), error(errc::command_line_too_long, "SMTP-4.5.3.1.4-01", 519)}},
      {"bare LF in content keeps the session in data mode [SMTP-4.1.1.4-02]",
       "DATA\r\nfoo\n.\nMAIL FROM:<x@y>\r\n.\r\nQUIT\r\n",
       {line("DATA"), error(errc::bare_lf, "SMTP-4.1.1.4-02", 9), line("."), line("QUIT")}},
      {"bare CR in content", "DATA\r\na\rb\r\n.\r\n",
       {line("DATA"), error(errc::bare_cr, "SMTP-4.1.1.4-02", 7), line(".")}},
      {"pipelined commands behind STARTTLS stay buffered [TLS-4-10]", "EHLO a\r\nSTARTTLS\r\nMAIL FROM:<a@b>\r\n",
       {line("EHLO a"), line("STARTTLS"), line("MAIL FROM:<a@b>")}},
      {"small limits", "12345678\r\n123456789\r\nDATA\r\n1234567890\r\n12345678901\r\n.\r\n",
       {line("12345678"), error(errc::command_line_too_long, "SMTP-4.5.3.1.4-01", 18), line("DATA"), line("1234567890"),
        error(errc::text_line_too_long, "SMTP-4.5.3.1.6-01", 49), line(".")},
       0, tiny},
      {"buffer smaller than the stream", "EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n",
       {line("EHLO a"), line("MAIL FROM:<a@b.example>"), line("RCPT TO:<c@d.example>"), line("DATA")},
       0, small_buffer},
  };
}

TEST(SmtpLineReader, EveryRowHoldsWholeSplitAndByteByByte) {
  for (auto const& r : rows()) {
    SCOPED_TRACE(r.name);
    line_outcome const got = smtp_test::grind_line_reader(r.input, r.limits);
    EXPECT_EQ(got.events, r.events);
    EXPECT_EQ(got.buffered, r.buffered);
    EXPECT_EQ(got.taken, r.input.size());
  }
}

TEST(SmtpLineReader, PipelinedBytesBehindStartTlsAreVisible) {
  // [TLS-4-10] A server that read STARTTLS must see the bytes the client sent behind it.
  smtp::line_reader r;
  r.feed("EHLO a\r\nSTARTTLS\r\nMAIL FROM:<evil@x>\r\n");
  EXPECT_EQ(r.next()->value(), "EHLO a");
  EXPECT_EQ(r.next()->value(), "STARTTLS");
  EXPECT_EQ(r.buffered(), 20U);

  smtp::line_reader clean;
  clean.feed("STARTTLS\r\n");
  EXPECT_EQ(clean.next()->value(), "STARTTLS");
  EXPECT_EQ(clean.buffered(), 0U);
}

TEST(SmtpLineReader, ModeSwitchAppliesToTheNextLineExtracted) {
  smtp::line_reader r;
  std::string const text(900, 't');
  r.feed("DATA\r\n" + text + "\r\n");
  EXPECT_EQ(r.next()->value(), "DATA");
  r.set_mode(smtp::line_mode::data);
  EXPECT_EQ(r.mode(), smtp::line_mode::data);
  EXPECT_EQ(r.next()->value(), text);
}

TEST(SmtpLineReader, FeedTakesNoMoreThanTheBuffer) {
  smtp::line_limits l;
  l.max_command_line = 10;
  l.max_text_line = 10;
  l.max_buffer = 4;  // raised to 11
  smtp::line_reader r(l);
  EXPECT_EQ(r.limits().max_buffer, 11U);
  std::string_view in = "NOOP\r\nQUIT\r\nRSET\r\n";
  EXPECT_EQ(r.feed(in), 11U);  // "NOOP\r\nQUIT\r"
  in.remove_prefix(11);
  EXPECT_EQ(r.next()->value(), "NOOP");
  EXPECT_FALSE(r.next()->has_value());
  EXPECT_EQ(r.feed(in), 6U);  // "\nRSET\r" joins "QUIT\r"
  in.remove_prefix(6);
  EXPECT_EQ(r.next()->value(), "QUIT");
  EXPECT_EQ(r.bytes_taken(), 17U);
  EXPECT_EQ(r.feed(in), 1U);
  EXPECT_EQ(r.next()->value(), "RSET");
  EXPECT_EQ(r.buffered(), 0U);
}

TEST(SmtpLineReader, ErrorsAreEventsNotAFinalState) {
  smtp::line_reader r;
  r.feed("a\nb\r\nNOOP\r\n");
  auto const e = r.next();
  ASSERT_FALSE(e);
  EXPECT_EQ(smtp::suggested_reply_code(e.error().code), 500);
  EXPECT_EQ(r.next()->value(), "NOOP");
  EXPECT_FALSE(r.next()->has_value());
}

}  // namespace
