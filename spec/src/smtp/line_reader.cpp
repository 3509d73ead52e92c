// Incremental CRLF line splitter with per-mode line limits and resynchronisation.
// Implements SMTP-2.3.8-01/02, SMTP-4.1.1.4-02, SMTP-4.5.3.1.4-01, SMTP-4.5.3.1.6-01
// and the buffered() signal for TLS-4-10; see line_reader.hpp.
#include "mxtls/spec/smtp/line_reader.hpp"

#include <algorithm>

namespace mxtls::spec::smtp {

line_reader::line_reader(line_limits limits) : limits_(limits) {
  limits_.max_command_line = std::max<std::size_t>(limits_.max_command_line, 3);
  limits_.max_text_line = std::max<std::size_t>(limits_.max_text_line, 3);
  limits_.max_buffer = std::max(limits_.max_buffer,
                                std::max(limits_.max_command_line, limits_.max_text_line) + 1);
}

std::size_t line_reader::feed(std::string_view bytes) {
  compact();
  std::size_t const room = limits_.max_buffer - buf_.size();
  std::size_t const n = std::min(room, bytes.size());
  buf_.append(bytes.data(), n);
  return n;
}

void line_reader::compact() {
  if (head_ == 0) return;
  buf_.erase(0, head_);
  base_ += head_;
  scan_ -= head_;
  head_ = 0;
}

parse_error line_reader::line_error(std::size_t bad, bool too_long) const {
  bool const command = mode_ == line_mode::command;
  if (!too_long) {
    // [SMTP-2.3.8-02] commands, [SMTP-4.1.1.4-02] content: a bare CR or LF is never a
    // line end and the line holding it is rejected whole (SMTP smuggling).
    std::string_view const id = command ? "SMTP-2.3.8-02" : "SMTP-4.1.1.4-02";
    return make_parse_error(buf_[bad] == '\n' ? errc::bare_lf : errc::bare_cr, id, base_ + bad);
  }
  // [SMTP-4.5.3.1.4-01] 512 octets per command line, [SMTP-4.5.3.1.6-01] 1000 per text
  // line, CRLF included.
  if (command) return make_parse_error(errc::command_line_too_long, "SMTP-4.5.3.1.4-01", base_ + bad);
  return make_parse_error(errc::text_line_too_long, "SMTP-4.5.3.1.6-01", base_ + bad);
}

result<std::optional<std::string>> line_reader::next() {
  while (true) {
    std::size_t const start = head_;
    // A CR at the end of what was scanned may pair with a LF fed since.
    std::size_t const from = std::max(start, scan_ > 0 ? scan_ - 1 : 0);
    std::size_t const crlf = buf_.find("\r\n", from);
    if (skipping_) {
      if (crlf == std::string::npos) {
        // Drop all but a final CR, which may start the CRLF.
        head_ = !buf_.empty() && buf_.back() == '\r' ? buf_.size() - 1 : buf_.size();
        head_ = std::max(head_, start);
        scan_ = head_;
        return std::optional<std::string>();
      }
      head_ = crlf + 2;
      scan_ = head_;
      skipping_ = false;
      continue;
    }
    std::size_t const limit = mode_ == line_mode::command ? limits_.max_command_line : limits_.max_text_line;
    std::size_t const content_max = limit - 2;  // octets before CRLF
    if (crlf != std::string::npos && crlf - start <= content_max) {
      std::size_t const bad = buf_.find_first_of("\r\n", start);
      head_ = crlf + 2;
      scan_ = head_;
      if (bad < crlf) return line_error(bad, false);
      return std::optional<std::string>(buf_.substr(start, crlf - start));
    }
    // No CRLF within the limit. The line is too long once the octet at content_max is
    // known not to start its CRLF.
    std::size_t const excess = start + content_max;
    bool const too_long = crlf != std::string::npos ||
                          (buf_.size() > excess && (buf_[excess] != '\r' || buf_.size() > excess + 1));
    if (!too_long) {
      scan_ = buf_.size();
      return std::optional<std::string>();
    }
    // Report the earliest fault: a bare CR/LF before the excess octet, else the length.
    std::size_t const bad = buf_.find_first_of("\r\n", start);
    head_ = excess;
    scan_ = head_;
    skipping_ = true;
    return line_error(bad < excess ? bad : excess, bad >= excess);
  }
}

}  // namespace mxtls::spec::smtp
