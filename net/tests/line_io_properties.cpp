// Properties of line_reader over an in-memory stream that delivers the input in arbitrary
// chunks (DESIGN §4: line parsers are fed every split): the lines do not depend on the
// chunking, only CRLF ends a line, over-long lines are reported once and skipped, and the
// bytes behind the last line stay visible (TLS-4-10) — with the buffer bounded.
#include "mxtls/net/line_io.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace mxtls::net::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// An AsyncReadStream over fixed chunks; eof after the last one.
class chunked_stream {
 public:
  using executor_type = asio::any_io_executor;
  chunked_stream(executor_type ex, std::vector<std::string> chunks) : ex_(std::move(ex)), chunks_(std::move(chunks)) {}
  executor_type get_executor() const { return ex_; }

  template <class MutableBufferSequence, class Token>
  auto async_read_some(MutableBufferSequence const& buffers, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, MutableBufferSequence const& b) {
          boost::system::error_code ec;
          std::size_t n = 0;
          if (next_ == chunks_.size()) {
            ec = asio::error::eof;
          } else {
            auto& chunk = chunks_[next_];
            n = asio::buffer_copy(b, asio::buffer(chunk));
            chunk.erase(0, n);
            if (chunk.empty()) ++next_;
          }
          ++reads_;
          asio::post(ex_, [h = std::move(handler), ec, n]() mutable { std::move(h)(ec, n); });
        },
        token, buffers);
  }

  [[nodiscard]] std::size_t reads() const { return reads_; }

 private:
  executor_type ex_;
  std::vector<std::string> chunks_;
  std::size_t next_ = 0;
  std::size_t reads_ = 0;
};

struct outcome {
  std::vector<line_result> results;  // up to and including the first non-line result
  std::string buffered;
  std::size_t max_buffered = 0;
};

// Reads until the first eof/timeout/error.
outcome read_all(std::vector<std::string> chunks, std::size_t max_line) {
  asio::io_context io;
  chunked_stream stream(io.get_executor(), std::move(chunks));
  line_reader<chunked_stream> reader(stream, max_line);
  outcome out;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (;;) {
          auto r = co_await reader.read_line(10s);
          out.max_buffered = std::max(out.max_buffered, reader.buffered().size());
          bool const stop = r.status == line_status::eof || r.status == line_status::timeout ||
                            r.status == line_status::io_error;
          out.results.push_back(std::move(r));
          if (stop) break;
        }
        out.buffered = std::string(reader.buffered());
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  return out;
}

// Splits `text` at the given cut points (positions, any order, duplicates allowed).
std::vector<std::string> split(std::string const& text, std::vector<std::size_t> cuts) {
  for (auto& c : cuts) c = text.empty() ? 0 : c % (text.size() + 1);
  std::sort(cuts.begin(), cuts.end());
  std::vector<std::string> out;
  std::size_t from = 0;
  for (auto c : cuts) {
    if (c > from) out.push_back(text.substr(from, c - from));
    from = std::max(from, c);
  }
  if (from < text.size()) out.push_back(text.substr(from));
  return out;
}

// The reference: what the reader must return for `text` (lines, too_long, trailing bytes).
struct expected {
  std::vector<std::pair<line_status, std::string>> lines;
  std::string rest;
};

expected reference(std::string const& text, std::size_t max_line) {
  expected e;
  std::size_t pos = 0;
  for (;;) {
    auto const end = text.find("\r\n", pos);
    if (end == std::string::npos) break;
    std::size_t const len = end - pos + 2;
    if (len > max_line) e.lines.emplace_back(line_status::too_long, "");
    else e.lines.emplace_back(line_status::line, text.substr(pos, end - pos));
    pos = end + 2;
  }
  e.rest = text.substr(pos);
  // An unterminated tail that already passes the limit is reported and discarded.
  if (e.rest.size() >= max_line) {
    e.lines.emplace_back(line_status::too_long, "");
    e.rest.clear();
  }
  return e;
}

// Text from an alphabet rich in CR and LF, so CRLF, bare CR and bare LF all occur.
rc::Gen<std::string> protocol_text() {
  return rc::gen::container<std::string>(rc::gen::element('a', 'B', ' ', ':', '\r', '\n', '\r', '\n', '.'));
}

RC_GTEST_PROP(LineReaderProperties, LinesDoNotDependOnChunking, ()) {
  auto const text = *protocol_text();
  auto const cuts = *rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(0, 1000));
  std::size_t const max_line = *rc::gen::inRange<std::size_t>(3, 40);
  auto const whole = read_all({text}, max_line);
  auto const pieces = read_all(split(text, cuts), max_line);
  RC_ASSERT(whole.results.size() == pieces.results.size());
  for (std::size_t i = 0; i < whole.results.size(); ++i) {
    RC_ASSERT(whole.results[i].status == pieces.results[i].status);
    RC_ASSERT(whole.results[i].line == pieces.results[i].line);
  }
  RC_ASSERT(whole.buffered == pieces.buffered);
}

RC_GTEST_PROP(LineReaderProperties, MatchesTheReferenceSplitter, ()) {
  auto const text = *protocol_text();
  std::size_t const max_line = *rc::gen::inRange<std::size_t>(3, 40);
  auto const got = read_all({text}, max_line);
  auto const want = reference(text, max_line);
  RC_ASSERT(got.results.size() == want.lines.size() + 1);
  for (std::size_t i = 0; i < want.lines.size(); ++i) {
    RC_ASSERT(got.results[i].status == want.lines[i].first);
    RC_ASSERT(got.results[i].line == want.lines[i].second);
  }
  RC_ASSERT(got.results.back().status == line_status::eof);
  RC_ASSERT(got.buffered == want.rest);
}

RC_GTEST_PROP(LineReaderProperties, BufferStaysBounded, ()) {
  // Long inputs (up to ~20 000 octets) with few line ends.
  auto const text = *rc::gen::resize(20000, rc::gen::container<std::string>(rc::gen::weightedElement<char>(
                                                {{200, 'x'}, {1, '\r'}, {1, '\n'}})));
  std::size_t const max_line = *rc::gen::inRange<std::size_t>(3, 1000);
  auto const chunk = *rc::gen::inRange<std::size_t>(1, 9000);
  std::vector<std::string> chunks;
  for (std::size_t i = 0; i < text.size(); i += chunk) chunks.push_back(text.substr(i, chunk));
  auto const got = read_all(chunks, max_line);
  RC_ASSERT(got.max_buffered <= max_line + line_reader<chunked_stream>::chunk_size);
}

TEST(LineReaderProperties, EverySplitOfASmtpDialogueGivesTheSameLines) {
  // Beast's parsegrind: all two-piece splits of one input.
  std::string const text = "EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nx\ry\nz\r\n.\r\nQUIT\r\ntail";
  auto const whole = read_all({text}, 512);
  ASSERT_EQ(whole.results.size(), 8u);
  EXPECT_EQ(whole.results[4].line, "x\ry\nz");
  EXPECT_EQ(whole.buffered, "tail");
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    auto const got = read_all(split(text, {cut}), 512);
    ASSERT_EQ(got.results.size(), whole.results.size()) << cut;
    for (std::size_t i = 0; i < got.results.size(); ++i) EXPECT_EQ(got.results[i].line, whole.results[i].line) << cut;
    EXPECT_EQ(got.buffered, "tail") << cut;
  }
}

}  // namespace
}  // namespace mxtls::net::test
