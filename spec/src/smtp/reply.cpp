// SMTP reply printing, enhanced status codes and the incremental reply parser.
// Implements SMTP-4.2-01, SMTP-4.2-03, SMTP-4.2-06/07, SMTP-4.5.3.1.5-01, SMTP-2.3.8-01/03,
// SMTP-2034.4-01; see reply.hpp.
#include "mxtls/spec/smtp/reply.hpp"

#include <algorithm>
#include <utility>

namespace mxtls::spec::smtp {
namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// [SMTP-4.2-01] textstring = 1*(%d09 / %d32-126); [SMTP-4.2-06] mxtls also takes
/// %d128-255: only control octets other than HTAB are refused.
constexpr bool is_reply_text(unsigned char c) noexcept {
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/// Up to three digits of an enhanced status sub-code at `s[pos]`; advances `pos`.
std::optional<std::uint16_t> sub_code(std::string_view s, std::size_t& pos) {
  std::size_t const start = pos;
  unsigned value = 0;
  while (pos < s.size() && is_digit(s[pos]) && pos - start < 3) {
    value = value * 10 + static_cast<unsigned>(s[pos] - '0');
    ++pos;
  }
  if (pos == start) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::optional<enhanced_status> parse_enhanced_status(std::string_view text) {
  // [SMTP-2034.4-01] status-code = class "." subject "." detail; class = "2" / "4" / "5";
  // subject = 1*3digit; detail = 1*3digit.
  if (text.size() < 5) return std::nullopt;
  char const cls = text[0];
  if (cls != '2' && cls != '4' && cls != '5') return std::nullopt;
  if (text[1] != '.') return std::nullopt;
  std::size_t pos = 2;
  auto const subject = sub_code(text, pos);
  if (!subject || pos >= text.size() || text[pos] != '.') return std::nullopt;
  ++pos;
  auto const detail = sub_code(text, pos);
  if (!detail) return std::nullopt;
  // RFC 2034 §4: the code is followed by SP (or ends the text).
  if (pos < text.size() && text[pos] != ' ') return std::nullopt;
  return enhanced_status{static_cast<std::uint8_t>(cls - '0'), *subject, *detail};
}

std::string print_reply(reply const& r) {
  std::string code(3, '0');
  code[0] = static_cast<char>('0' + (r.code / 100) % 10);
  code[1] = static_cast<char>('0' + (r.code / 10) % 10);
  code[2] = static_cast<char>('0' + r.code % 10);
  std::string out;
  std::size_t total = 0;
  for (auto const& l : r.lines) total += l.size() + 6;
  out.reserve(std::max<std::size_t>(total, 5));
  if (r.lines.empty()) {
    out += code;
    out += "\r\n";
    return out;
  }
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    out += code;
    bool const last = i + 1 == r.lines.size();
    // [SMTP-4.2-03] "ddd-" on every line but the last; the last is "ddd SP text" or
    // just "ddd" when its text is empty (textstring is 1*, so "ddd " alone is not ABNF).
    if (!last) {
      out += '-';
    } else if (!r.lines[i].empty()) {
      out += ' ';
    }
    out += r.lines[i];
    out += "\r\n";
  }
  return out;
}

reply_parser::reply_parser(reply_limits limits) : limits_(limits) {
  // A line needs at least "ddd" + CRLF; six leaves room for one octet of text.
  limits_.max_line = std::max<std::size_t>(limits_.max_line, 6);
  limits_.max_lines = std::max<std::size_t>(limits_.max_lines, 1);
  limits_.max_reply = std::max<std::size_t>(limits_.max_reply, 5);
}

void reply_parser::fail(errc e, std::string_view requirement, std::size_t offset) {
  error_ = make_parse_error(e, requirement, offset);
}

// Completes the current line (its LF is at `lf_offset`) and, after a last line, the reply.
void reply_parser::end_line(std::size_t lf_offset) {
  current_.code = line_code_;
  current_.lines.push_back(std::move(text_));
  text_.clear();
  if (last_line_) {
    done_.push_back(completed{std::move(current_), lf_offset + 1});
    current_ = reply{};
    reply_start_ = lf_offset + 1;
  }
  line_start_ = lf_offset + 1;
  state_ = state::code0;
}

std::size_t reply_parser::feed(std::string_view bytes) {
  if (error_) return 0;
  std::size_t const base = taken_;
  std::size_t const content_max = limits_.max_line - 2;  // octets before CRLF
  std::size_t i = 0;
  auto failed_at = [&](errc e, std::string_view id, std::size_t off) {
    fail(e, id, off);
    taken_ = base + i + 1;
    return i + 1;
  };
  while (i < bytes.size()) {
    std::size_t const off = base + i;
    char const c = bytes[i];
    // [SMTP-4.2-07] mxtls-DECISION: a reply is bounded in octets.
    if (off - reply_start_ + 1 > limits_.max_reply) {
      return failed_at(errc::reply_too_large, "SMTP-4.2-07", off);
    }
    switch (state_) {
      case state::code0:
      case state::code1:
      case state::code2: {
        if (state_ == state::code0 && !current_.lines.empty() &&
            current_.lines.size() >= limits_.max_lines) {
          // [SMTP-4.2-07] mxtls-DECISION: a reply is bounded in lines.
          return failed_at(errc::reply_too_many_lines, "SMTP-4.2-07", off);
        }
        // [SMTP-4.2-01] Reply-code = %x32-35 %x30-35 %x30-39
        char const lo = state_ == state::code0 ? '2' : '0';
        char const hi = state_ == state::code0 ? '5' : state_ == state::code1 ? '5' : '9';
        if (c < lo || c > hi) return failed_at(errc::reply_code_invalid, "SMTP-4.2-01", off);
        unsigned const digit = static_cast<unsigned>(c - '0');
        if (state_ == state::code0) {
          line_code_ = 0;
        }
        line_code_ = static_cast<std::uint16_t>(line_code_ * 10 + digit);
        if (!current_.lines.empty()) {
          // [SMTP-4.2-03] every line of a multi-line reply carries the same code;
          // compare digit by digit so the offset names the first differing octet.
          unsigned const pos = state_ == state::code0 ? 100U : state_ == state::code1 ? 10U : 1U;
          if ((current_.code / pos) % 10 != digit) {
            return failed_at(errc::reply_code_mismatch, "SMTP-4.2-03", off);
          }
        }
        state_ = state_ == state::code0 ? state::code1
                 : state_ == state::code1 ? state::code2
                                          : state::separator;
        ++i;
        break;
      }
      case state::separator:
        // [SMTP-4.2-01] "-" continues the reply; SP or the end of the line ends it.
        if (c == '-' || c == ' ') {
          last_line_ = c == ' ';
          state_ = state::text;
        } else if (c == '\r') {
          last_line_ = true;
          cr_offset_ = off;
          state_ = state::cr;
        } else if (c == '\n' && limits_.accept_bare_lf) {
          last_line_ = true;
          end_line(off);
        } else if (c == '\n') {
          // [SMTP-2.3.8-03] a reply line ended by a bare LF is a protocol error unless
          // accept_bare_lf.
          return failed_at(errc::bare_lf, "SMTP-2.3.8-03", off);
        } else {
          return failed_at(errc::reply_separator_invalid, "SMTP-4.2-01", off);
        }
        ++i;
        break;
      case state::text: {
        // Fast path: a run of ordinary text octets up to the line limit.
        std::size_t const used = off - line_start_;  // octets of this line so far
        std::size_t const room = used < content_max ? content_max - used : 0;
        std::size_t const reply_room = limits_.max_reply - (off - reply_start_);
        std::size_t const span = std::min({bytes.size() - i, room, reply_room});
        std::size_t n = 0;
        while (n < span && is_reply_text(static_cast<unsigned char>(bytes[i + n]))) ++n;
        if (n > 0) {
          text_.append(bytes.data() + i, n);
          i += n;
          break;
        }
        if (c == '\r') {
          cr_offset_ = off;
          state_ = state::cr;
          ++i;
        } else if (c == '\n') {
          // [SMTP-2.3.8-03] as above.
          if (!limits_.accept_bare_lf) return failed_at(errc::bare_lf, "SMTP-2.3.8-03", off);
          end_line(off);
          ++i;
        } else if (is_reply_text(static_cast<unsigned char>(c))) {
          // A text octet the fast path refused: the line is full (the reply budget was
          // checked at the top of the loop). [SMTP-4.5.3.1.5-01] 512 octets per reply
          // line including CRLF.
          return failed_at(errc::reply_line_too_long, "SMTP-4.5.3.1.5-01", off);
        } else {
          return failed_at(errc::reply_text_invalid, "SMTP-4.2-01", off);
        }
        break;
      }
      case state::cr:
        // [SMTP-2.3.8-01] lines end in CRLF; a CR is never a line end on its own.
        if (c != '\n') return failed_at(errc::bare_cr, "SMTP-2.3.8-01", cr_offset_);
        end_line(off);
        ++i;
        break;
    }
  }
  taken_ = base + bytes.size();
  return bytes.size();
}

result<std::optional<reply>> reply_parser::next() {
  if (!done_.empty()) {
    completed c = std::move(done_.front());
    done_.pop_front();
    returned_end_ = c.end;
    return std::optional<reply>(std::move(c.value));
  }
  if (error_) return *error_;
  return std::optional<reply>();
}

}  // namespace mxtls::spec::smtp
