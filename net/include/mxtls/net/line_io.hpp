// CRLF line reading from any AsyncReadStream (tcp::socket, tls_stream) into a bounded
// buffer, with a per-operation deadline; results are values (line / too_long / timeout /
// eof / error). The bytes received after the last line stay visible (buffered()), so the
// SMTP core can refuse bytes pipelined behind STARTTLS or behind its 220 reply
// (TLS-4-10, TLS-4-11, CVE-2011-0411) before it upgrades the connection.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace mxtls::net {

enum class line_status {
  line,      ///< a complete line; `line` holds it without the CRLF
  too_long,  ///< no CRLF within the limit; the rest of that line is skipped
  timeout,   ///< the deadline passed first; buffered bytes are kept
  eof,       ///< the peer closed; an incomplete last line stays in buffered()
  io_error,  ///< a transport error, in `ec`
};

struct line_result {
  line_status status = line_status::io_error;
  std::string line;
  boost::system::error_code ec;
};

/// Reads CRLF-terminated lines. Only "\r\n" ends a line: a bare LF or CR stays inside the
/// line for the protocol core to judge. `max_line` counts the CRLF (RFC 5321 §4.5.3.1:
/// 512 for command lines SMTP-4.5.3.1.4-01 and reply lines SMTP-4.5.3.1.5-01, 1000 for
/// text lines SMTP-4.5.3.1.6-01). The buffer never holds more than
/// max_line + one read chunk (4 KiB).
template <class AsyncReadStream>
class line_reader {
 public:
  static constexpr std::size_t chunk_size = 4096;

  explicit line_reader(AsyncReadStream& stream, std::size_t max_line = 1000)
      : stream_(&stream), max_line_(max_line < 3 ? 3 : max_line) {}

  /// The next line, or why there is none, within `timeout`.
  boost::asio::awaitable<line_result> read_line(std::chrono::steady_clock::duration timeout) {
    using namespace boost::asio::experimental::awaitable_operators;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_after(timeout);
    auto r = co_await (fill_line() || timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable)));
    if (r.index() == 1) co_return line_result{line_status::timeout, {}, {}};
    co_return std::get<0>(std::move(r));
  }

  /// Bytes received after the last line returned (and not yet part of a line).
  [[nodiscard]] std::string_view buffered() const noexcept {
    return discarding_ ? std::string_view{} : std::string_view(buf_);
  }
  /// Removes and returns buffered().
  std::string take_buffered() {
    std::string out = discarding_ ? std::string{} : std::move(buf_);
    buf_.clear();
    return out;
  }

  void set_max_line(std::size_t n) noexcept { max_line_ = n < 3 ? 3 : n; }
  [[nodiscard]] std::size_t max_line() const noexcept { return max_line_; }
  [[nodiscard]] AsyncReadStream& stream() noexcept { return *stream_; }

 private:
  // Takes a line out of buf_ if there is one (or a verdict that the line is too long).
  bool extract(line_result& out) {
    if (discarding_) {
      auto const end = buf_.find("\r\n");
      if (end == std::string::npos) {
        // Keep a trailing CR: its LF may come next.
        bool const cr = !buf_.empty() && buf_.back() == '\r';
        buf_.clear();
        if (cr) buf_ = "\r";
        return false;
      }
      buf_.erase(0, end + 2);
      discarding_ = false;
    }
    auto const end = buf_.find("\r\n");
    if (end != std::string::npos) {
      if (end + 2 > max_line_) {
        buf_.erase(0, end + 2);
        out = line_result{line_status::too_long, {}, {}};
        return true;
      }
      out = line_result{line_status::line, buf_.substr(0, end), {}};
      buf_.erase(0, end + 2);
      return true;
    }
    if (buf_.size() >= max_line_) {
      // No CRLF can end this line within the limit: report now, skip to the next CRLF.
      bool const cr = buf_.back() == '\r';
      buf_.clear();
      if (cr) buf_ = "\r";
      discarding_ = true;
      out = line_result{line_status::too_long, {}, {}};
      return true;
    }
    return false;
  }

  boost::asio::awaitable<line_result> fill_line() {
    // Cancellation (the deadline) is checked by hand so no exception crosses this API.
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    for (;;) {
      line_result out;
      if (extract(out)) co_return out;
      if (eof_) co_return line_result{line_status::eof, {}, {}};
      auto [ec, n] = co_await stream_->async_read_some(boost::asio::buffer(chunk_),
                                                       boost::asio::as_tuple(boost::asio::use_awaitable));
      buf_.append(chunk_.data(), n);
      auto const cs = co_await boost::asio::this_coro::cancellation_state;
      if (cs.cancelled() != boost::asio::cancellation_type::none)
        co_return line_result{line_status::timeout, {}, {}};
      if (ec == boost::asio::error::eof) {
        eof_ = true;
        continue;
      }
      if (ec) co_return line_result{line_status::io_error, {}, ec};
    }
  }

  AsyncReadStream* stream_;
  std::size_t max_line_;
  std::string buf_;
  bool discarding_ = false;
  bool eof_ = false;
  std::array<char, chunk_size> chunk_{};
};

/// Writes all of `data` within `timeout`; asio::error::timed_out when the deadline passes.
template <class AsyncWriteStream>
boost::asio::awaitable<boost::system::error_code> write_all(AsyncWriteStream& stream, boost::asio::const_buffer data,
                                                            std::chrono::steady_clock::duration timeout) {
  using namespace boost::asio::experimental::awaitable_operators;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  timer.expires_after(timeout);
  auto r = co_await (boost::asio::async_write(stream, data, boost::asio::as_tuple(boost::asio::use_awaitable)) ||
                     timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable)));
  if (r.index() == 1) co_return boost::asio::error::timed_out;
  co_return std::get<0>(std::get<0>(r));
}

/// write_all for text.
template <class AsyncWriteStream>
boost::asio::awaitable<boost::system::error_code> write_all(AsyncWriteStream& stream, std::string_view text,
                                                            std::chrono::steady_clock::duration timeout) {
  return write_all(stream, boost::asio::buffer(text.data(), text.size()), timeout);
}

}  // namespace mxtls::net
