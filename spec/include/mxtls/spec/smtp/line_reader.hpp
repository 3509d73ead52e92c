// Incremental CRLF line splitter for the server side of SMTP (sans-I/O). Lines end only
// at CRLF [SMTP-2.3.8-01]; command lines are bounded to 512 octets [SMTP-4.5.3.1.4-01],
// DATA text lines to 1000 [SMTP-4.5.3.1.6-01]; a too-long line or one holding a bare CR
// or LF [SMTP-2.3.8-02, SMTP-4.1.1.4-02] is one error event, after which reading resumes
// at the next line. buffered() exposes bytes pipelined behind STARTTLS [TLS-4-10].
#pragma once

#include "mxtls/spec/error.hpp"
#include "mxtls/spec/smtp/errc.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mxtls::spec::smtp {

/// Which line limit and rule applies to the next line: command lines, or DATA text lines.
enum class line_mode : std::uint8_t { command, data };

struct line_limits {
  /// Octets per command line including CRLF [SMTP-4.5.3.1.4-01]; a server raises it by
  /// what its advertised MAIL parameters may add (e.g. RFC 1870 SIZE: 26). Minimum 3.
  std::size_t max_command_line = 512;
  std::size_t max_text_line = 1000;  ///< octets with CRLF [SMTP-4.5.3.1.6-01]; minimum 3
  /// Octets held at once; feed() takes no more. Raised to the larger line limit + 1 so
  /// that a full buffer always yields a line or an error.
  std::size_t max_buffer = 65536;
};

/// Splits a client's byte stream into CRLF-terminated lines:
///
///   line_reader r;
///   std::string_view in = bytes_from_socket;
///   while (!in.empty()) {
///     in.remove_prefix(r.feed(in));
///     while (true) {
///       auto l = r.next();          // result<optional<string>>
///       if (!l) { reply(suggested_reply_code(l.error().code), ...); continue; }
///       if (!*l) break;             // need more bytes
///       handle(**l);                // the line without CRLF
///     }
///   }
///
/// Only CRLF ends a line; a bare LF or CR is part of the line, and a line holding one
/// is not returned: next() reports bare_lf / bare_cr at the first such octet instead
/// (so "a\nb\r\n" is one rejected line, never two commands). A line longer than the
/// limit is reported as soon as its first excess octet arrives (command_line_too_long /
/// text_line_too_long at that octet, unless a bare CR/LF came earlier) and then dropped
/// up to its CRLF. Errors are events, not a final state: the next call continues with the
/// following line. Limits apply when next() extracts a line, so set_mode() takes effect
/// from the next line. Offsets count from the first octet ever fed. The sequence of events
/// does not depend on how the bytes are chunked.
class line_reader {
 public:
  explicit line_reader(line_limits limits = {});

  /// Takes as many octets as fit the buffer (all of them unless max_buffer would be
  /// exceeded) and returns that count; call next() until nullopt, then feed the rest.
  std::size_t feed(std::string_view bytes);

  /// The next line without its CRLF, nullopt when more bytes are needed, or an error
  /// event for a line that was rejected.
  [[nodiscard]] result<std::optional<std::string>> next();

  void set_mode(line_mode m) noexcept { mode_ = m; }
  [[nodiscard]] line_mode mode() const noexcept { return mode_; }

  /// Octets taken and neither returned in a line nor dropped. After the server read the
  /// STARTTLS line, a non-zero value means the client pipelined bytes behind it
  /// [TLS-4-10]: they must be discarded, never read after the handshake.
  [[nodiscard]] std::size_t buffered() const noexcept { return buf_.size() - head_; }

  /// Octets taken by feed() since construction.
  [[nodiscard]] std::size_t bytes_taken() const noexcept { return base_ + buf_.size(); }

  [[nodiscard]] line_limits const& limits() const noexcept { return limits_; }

 private:
  void compact();
  parse_error line_error(std::size_t bad, bool too_long) const;

  line_limits limits_;
  line_mode mode_ = line_mode::command;
  std::string buf_;
  std::size_t head_ = 0;   ///< start of the current line in buf_
  std::size_t scan_ = 0;   ///< no CRLF of the current line starts before buf_[scan_]
  std::size_t base_ = 0;   ///< stream offset of buf_[0]
  bool skipping_ = false;  ///< dropping the rest of a rejected line up to its CRLF
};

}  // namespace mxtls::spec::smtp
