// Fuzz target for the SMTP command line parser and the server's line reader
// (SMTP-4.1.1-*, SMTP-4.1.2-*, SMTP-2.3.8-02, SMTP-4.5.3.1.4-01, SMTP-4.5.3.1.6-01).
// Invariants: every line gives a command or an error with a reply code (500/501/555) and
// an offset within the line; parse(print(c)) == c; the line reader's events do not depend
// on chunking and never yield a line holding CR or LF.
#include "mxtls/spec/smtp/command.hpp"
#include "mxtls/spec/smtp/line_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace smtp = mxtls::spec::smtp;

void check_line(std::string_view line) {
  auto const c = smtp::parse_command(line);
  if (!c) {
    if (c.error().offset > line.size()) std::abort();
    auto const code = smtp::suggested_reply_code(c.error().code);
    if (code != 500 && code != 501 && code != 555) std::abort();
    if (c.error().requirement.empty()) std::abort();
    return;
  }
  auto const printed = smtp::print_command(*c);
  auto const again = smtp::parse_command(printed);
  if (!again || *again != *c) std::abort();
}

struct event {
  std::optional<std::string> line;
  std::optional<mxtls::spec::parse_error> error;
  bool operator==(event const&) const = default;
};

std::vector<event> read_lines(std::vector<std::string_view> chunks, smtp::line_limits limits) {
  smtp::line_reader r(limits);
  std::vector<event> out;
  for (auto c : chunks) {
    while (true) {
      std::size_t const n = r.feed(c);
      c.remove_prefix(n);
      while (true) {
        auto l = r.next();
        if (!l) {
          out.push_back({std::nullopt, l.error()});
          continue;
        }
        if (!*l) break;
        if (**l == "DATA") r.set_mode(smtp::line_mode::data);
        if (**l == ".") r.set_mode(smtp::line_mode::command);
        out.push_back({std::move(**l), std::nullopt});
      }
      if (c.empty()) break;
      if (n == 0 && r.buffered() >= r.limits().max_buffer) std::abort();  // no progress
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view const input(reinterpret_cast<const char*>(data), size);
  check_line(input);

  smtp::line_limits limits;
  if (size > 0 && (data[0] & 1)) {
    limits.max_command_line = 24;
    limits.max_text_line = 40;
    limits.max_buffer = 32;
  }
  auto const whole = read_lines({input}, limits);
  for (auto const& e : whole) {
    if (!e.line) continue;
    if (e.line->find_first_of("\r\n") != std::string::npos) std::abort();
    check_line(*e.line);
  }
  std::size_t const at = size == 0 ? 0 : data[size - 1] % (size + 1);
  if (read_lines({input.substr(0, at), input.substr(at)}, limits) != whole) std::abort();
  return 0;
}
