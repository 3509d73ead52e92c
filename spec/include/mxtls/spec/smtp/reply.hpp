// SMTP replies (RFC 5321 §4.2): the reply value, enhanced status codes (RFC 3463), the
// printer, and reply_parser, an incremental sans-I/O parser of a server's reply stream.
// Implements SMTP-4.2-01/03/06/07, SMTP-4.5.3.1.5-01, SMTP-2.3.8-01/03, SMTP-2034.4-01,
// and exposes the STARTTLS boundary [TLS-4-11]: bytes buffered behind the 220 reply are
// never post-TLS replies.
#pragma once

#include "mxtls/spec/error.hpp"
#include "mxtls/spec/smtp/errc.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::spec::smtp {

/// RFC 3463 "class.subject.detail" (RFC 2034 carries it at the start of reply text).
struct enhanced_status {
  std::uint8_t cls;        ///< 2, 4 or 5
  std::uint16_t subject;   ///< 0..999
  std::uint16_t detail;    ///< 0..999
  friend bool operator==(enhanced_status const&, enhanced_status const&) = default;
};

/// One complete reply. A reply produced by reply_parser always has 1..max_lines lines.
struct reply {
  std::uint16_t code = 0;          ///< 200..599
  std::vector<std::string> lines;  ///< text of each line: the bytes after "ddd-" / "ddd "
                                   ///< (or after "ddd" when the line is exactly the code),
                                   ///< without CRLF
  friend bool operator==(reply const&, reply const&) = default;
};

/// The enhanced status code at the start of `text` ("2.1.0 Ok" → {2,1,0}), followed by
/// SP or the end of text; nullopt when there is none. class is 2, 4 or 5; subject and
/// detail are 1 to 3 digits [SMTP-2034.4-01]. Whether the class matches the reply code
/// is the caller's business.
[[nodiscard]] std::optional<enhanced_status> parse_enhanced_status(std::string_view text);

/// "250-a\r\n250 b\r\n". Each line prints as "ddd-text" / "ddd text", and an empty last
/// line as "ddd", so parse(print(r)) == r for every reply whose lines are valid reply
/// text (no CR, LF or other control octet except HTAB). A reply without lines prints as
/// one empty line.
[[nodiscard]] std::string print_reply(reply const& r);

/// Bounds of reply_parser. Defaults are RFC 5321's: 512-octet lines [SMTP-4.5.3.1.5-01].
struct reply_limits {
  std::size_t max_line = 512;      ///< octets per line including CRLF; values below 6 act as 6
  /// [SMTP-4.2-07] lines per reply (RFC 5321 sets no bound; EHLO replies have ~20)
  std::size_t max_lines = 100;
  std::size_t max_reply = 65536;   ///< [SMTP-4.2-07] octets per reply including CRLFs
  /// [SMTP-2.3.8-03] a LF without CR is an error (bare_lf) unless this is set, in which
  /// case it ends the line like CRLF. A bare CR is always an error [SMTP-2.3.8-01].
  bool accept_bare_lf = false;
};

/// Incremental parser of the replies a server sends (Beast-style, no I/O):
///
///   reply_parser p;
///   p.feed(bytes_from_socket);
///   while (true) {
///     auto r = p.next();            // result<optional<reply>>
///     if (!r) { fail(r.error()); break; }  // names the rule and the stream offset
///     if (!*r) break;               // need more bytes
///     handle(**r);
///   }
///
/// Bytes may arrive in any chunking; the sequence of replies and the error (with its
/// offset) do not depend on it. Every octet is checked as it arrives, so an invalid
/// stream fails as soon as the offending octet is fed (a bare CR: as soon as the octet
/// after it is). Offsets count from the first octet
/// ever fed. The first error is final: later feeds are refused and next() keeps
/// returning it, after the replies completed before it.
///
/// Reply text is checked as [SMTP-4.2-06] says: HTAB, SP..~ and octets above %x7F are
/// text, other control octets are reply_text_invalid; "250 " CRLF is an empty line.
///
/// STARTTLS boundary [TLS-4-11]: after next() returned the 220 reply to STARTTLS, a
/// client checks buffered() == 0; any other value means the server (or an attacker on
/// the path) sent plaintext that must not be read as post-TLS replies.
class reply_parser {
 public:
  explicit reply_parser(reply_limits limits = {});

  /// Takes octets of the stream. Returns how many were taken: all of them, or fewer when
  /// the stream failed during this call (octets up to the one at which the failure was
  /// detected are taken, later ones are not), or 0 when it had failed before.
  std::size_t feed(std::string_view bytes);

  /// The next complete reply; nullopt when more bytes are needed; the error once every
  /// reply completed before it has been returned.
  [[nodiscard]] result<std::optional<reply>> next();

  /// Octets taken by feed() after the end of the last reply returned by next(): a partial
  /// reply and any complete replies not yet pulled.
  [[nodiscard]] std::size_t buffered() const noexcept { return taken_ - returned_end_; }

  /// Octets taken by feed() since construction.
  [[nodiscard]] std::size_t bytes_taken() const noexcept { return taken_; }

  /// True once the stream has failed.
  [[nodiscard]] bool failed() const noexcept { return error_.has_value(); }

  [[nodiscard]] reply_limits const& limits() const noexcept { return limits_; }

 private:
  enum class state : std::uint8_t { code0, code1, code2, separator, text, cr };
  struct completed {
    reply value;
    std::size_t end;  ///< stream offset one past the final LF
  };

  void fail(errc e, std::string_view requirement, std::size_t offset);
  void end_line(std::size_t lf_offset);

  reply_limits limits_;
  state state_ = state::code0;
  std::uint16_t line_code_ = 0;
  bool last_line_ = false;          ///< current line had SP or no separator
  std::size_t line_start_ = 0;      ///< stream offset of the current line
  std::size_t reply_start_ = 0;     ///< stream offset of the current reply
  std::size_t cr_offset_ = 0;       ///< stream offset of a CR waiting for its LF
  reply current_;
  std::string text_;
  std::deque<completed> done_;
  std::optional<parse_error> error_;
  std::size_t taken_ = 0;
  std::size_t returned_end_ = 0;
};

}  // namespace mxtls::spec::smtp
