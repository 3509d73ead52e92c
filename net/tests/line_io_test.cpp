// line_reader over loopback TCP: CRLF-only line ends, the bounded buffer and the length
// limit (RFC 5321 §4.5.3.1), per-operation deadlines, eof, and the bytes buffered behind
// a line that the SMTP core must refuse behind STARTTLS (TLS-4-10, TLS-4-11, CVE-2011-0411).
#include "mxtls/net/line_io.hpp"
#include "net_test_support.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mxtls::net::test {
namespace {

asio::awaitable<void> send(tcp::socket& s, std::string_view text) {
  co_await asio::async_write(s, asio::buffer(text.data(), text.size()), asio::use_awaitable);
}

TEST(LineReader, ReadsCrlfLinesInOrder) {
  run_async([]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    co_await send(c, "EHLO a.example\r\nMAIL FROM:<a@b>\r\n\r\n");
    line_reader<tcp::socket> r(s, 512);
    auto l1 = co_await r.read_line(5s);
    auto l2 = co_await r.read_line(5s);
    auto l3 = co_await r.read_line(5s);
    EXPECT_EQ(l1.status, line_status::line);
    EXPECT_EQ(l1.line, "EHLO a.example");
    EXPECT_EQ(l2.line, "MAIL FROM:<a@b>");
    EXPECT_EQ(l3.status, line_status::line);
    EXPECT_EQ(l3.line, "");
    EXPECT_TRUE(r.buffered().empty());
  });
}

TEST(LineReader, LineSplitAtEveryByteIsReassembled) {
  // Beast's parsegrind idea: the same bytes in one-byte writes give the same lines.
  run_async([]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    c.set_option(tcp::no_delay(true));
    std::string const text = "250-mx.example\r\n250 OK\r\n";
    line_reader<tcp::socket> r(s, 512);
    asio::steady_timer pause(co_await asio::this_coro::executor);
    for (char ch : text) {
      co_await send(c, std::string_view(&ch, 1));
      pause.expires_after(1ms);
      co_await pause.async_wait(asio::use_awaitable);
    }
    EXPECT_EQ((co_await r.read_line(5s)).line, "250-mx.example");
    EXPECT_EQ((co_await r.read_line(5s)).line, "250 OK");
  });
}

TEST(LineReader, OnlyCrlfEndsALine) {
  // Bare LF and bare CR stay inside the line for the protocol core to judge (SMTP smuggling).
  run_async([]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    co_await send(c, "a\nb\rc\r\n");
    line_reader<tcp::socket> r(s, 512);
    auto l = co_await r.read_line(5s);
    EXPECT_EQ(l.status, line_status::line);
    EXPECT_EQ(l.line, "a\nb\rc");
  });
}

TEST(LineReader, LimitCountsTheCrlf) {
  run_async([]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    // max_line 10: 8 characters + CRLF fit, 9 do not.
    co_await send(c, "12345678\r\n123456789\r\nnext\r\n");
    line_reader<tcp::socket> r(s, 10);
    auto l1 = co_await r.read_line(5s);
    EXPECT_EQ(l1.status, line_status::line);
    EXPECT_EQ(l1.line, "12345678");
    auto l2 = co_await r.read_line(5s);
    EXPECT_EQ(l2.status, line_status::too_long);
    auto l3 = co_await r.read_line(5s);
    EXPECT_EQ(l3.status, line_status::line);
    EXPECT_EQ(l3.line, "next");
  });
}

TEST(LineReader, EndlessLineIsReportedOnceAndSkipped) {
  // A line without CRLF is reported as soon as it passes the limit (the buffer stays
  // bounded), the rest of it is discarded, and reading resumes at the next line.
  run_async([]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    line_reader<tcp::socket> r(s, 512);
    co_await send(c, std::string(20000, 'x'));
    auto l1 = co_await r.read_line(5s);
    EXPECT_EQ(l1.status, line_status::too_long);
    EXPECT_LE(r.buffered().size(), 512u + line_reader<tcp::socket>::chunk_size);
    co_await send(c, std::string(3000, 'y') + "\r" + "\nQUIT\r\n");
    auto l2 = co_await r.read_line(5s);
    EXPECT_EQ(l2.status, line_status::line);
    EXPECT_EQ(l2.line, "QUIT");
  });
}

TEST(LineReader, DeadlinePassesAndStreamStaysUsable) {
  run_async([]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    line_reader<tcp::socket> r(s, 512);
    co_await send(c, "partial");
    auto const start = std::chrono::steady_clock::now();
    auto l1 = co_await r.read_line(100ms);
    auto const took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(l1.status, line_status::timeout);
    EXPECT_GE(took, 90ms);
    EXPECT_LT(took, 2s);
    EXPECT_EQ(r.buffered(), "partial");
    co_await send(c, " line\r\n");
    auto l2 = co_await r.read_line(5s);
    EXPECT_EQ(l2.status, line_status::line);
    EXPECT_EQ(l2.line, "partial line");
  });
}

TEST(LineReader, EofKeepsTheIncompleteLine) {
  run_async([]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    co_await send(c, "QUIT\r\nhalf");
    c.shutdown(tcp::socket::shutdown_send);
    line_reader<tcp::socket> r(s, 512);
    EXPECT_EQ((co_await r.read_line(5s)).line, "QUIT");
    auto l = co_await r.read_line(5s);
    EXPECT_EQ(l.status, line_status::eof);
    EXPECT_EQ(r.buffered(), "half");
    EXPECT_EQ((co_await r.read_line(5s)).status, line_status::eof);
  });
}

TEST(LineReader, TransportErrorIsAValue) {
  run_async([]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    // RST: SO_LINGER 0 then close.
    c.set_option(asio::socket_base::linger(true, 0));
    c.close();
    line_reader<tcp::socket> r(s, 512);
    auto l = co_await r.read_line(5s);
    EXPECT_TRUE(l.status == line_status::io_error || l.status == line_status::eof);
    if (l.status == line_status::io_error) {
      EXPECT_TRUE(l.ec);
    }
  });
}

TEST(LineReader, BytesPipelinedBehindStarttlsAreVisible) {
  // [TLS-4-10] CVE-2011-0411: a client sends STARTTLS and a command in one packet. The
  // reader returns the STARTTLS line and keeps the rest visible, so the SMTP core can
  // refuse to upgrade; tls_stream would never see these bytes.
  run_async([]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    co_await send(c, "STARTTLS\r\nRSET\r\n");
    line_reader<tcp::socket> r(s, 512);
    auto l = co_await r.read_line(5s);
    EXPECT_EQ(l.line, "STARTTLS");
    // Both lines were written before the read started, so one read_some saw them.
    EXPECT_EQ(r.buffered(), "RSET\r\n");
    EXPECT_EQ(r.take_buffered(), "RSET\r\n");
    EXPECT_TRUE(r.buffered().empty());
  });
}

TEST(WriteAll, DeadlinePassesWhenThePeerDoesNotRead) {
  run_async([]() -> asio::awaitable<void> {
    auto [c, s] = co_await socket_pair();
    c.set_option(asio::socket_base::send_buffer_size(4096));
    s.set_option(asio::socket_base::receive_buffer_size(4096));
    std::string big(32 << 20, 'x');
    auto const start = std::chrono::steady_clock::now();
    auto ec = co_await write_all(c, std::string_view(big), 200ms);
    EXPECT_EQ(ec, asio::error::timed_out);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  });
}

}  // namespace
}  // namespace mxtls::net::test
