// Fuzz target for the incremental SMTP reply parser (SMTP-4.2-01/03/06/07,
// SMTP-4.5.3.1.5-01, SMTP-2.3.8-01/03). The first octet picks the limits and a split
// point; the rest is the stream. Invariants: chunking never changes the replies, the
// error or buffered(); an error's offset lies within the octets taken; every reply
// prints to bytes that parse back to it.
#include "mxtls/spec/smtp/reply.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace smtp = mxtls::spec::smtp;

struct run {
  std::vector<smtp::reply> replies;
  std::optional<mxtls::spec::parse_error> error;
  std::size_t buffered = 0;
  std::size_t taken = 0;
  bool operator==(run const&) const = default;
};

run parse(std::vector<std::string_view> const& chunks, smtp::reply_limits limits) {
  smtp::reply_parser p(limits);
  run out;
  for (auto c : chunks) {
    std::size_t const n = p.feed(c);
    if (n > c.size()) std::abort();
    while (true) {
      auto r = p.next();
      if (!r) {
        out.error = r.error();
        break;
      }
      if (!*r) break;
      out.replies.push_back(std::move(**r));
    }
    if (out.error || n < c.size()) break;
  }
  out.buffered = p.buffered();
  out.taken = p.bytes_taken();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::uint8_t const knob = data[0];
  std::string_view const input(reinterpret_cast<const char*>(data + 1), size - 1);
  smtp::reply_limits limits;
  if (knob & 0x01) {
    limits.max_line = 16;
    limits.max_lines = 3;
    limits.max_reply = 40;
  }
  limits.accept_bare_lf = (knob & 0x02) != 0;

  run const whole = parse({input}, limits);
  if (whole.taken > input.size()) std::abort();
  if (whole.error && whole.error->offset >= whole.taken) std::abort();
  if (!whole.error && whole.taken != input.size()) std::abort();

  std::size_t const at = input.empty() ? 0 : (knob >> 2) % (input.size() + 1);
  if (parse({input.substr(0, at), input.substr(at)}, limits) != whole) std::abort();
  if (input.size() <= 512) {
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
    if (parse(bytes, limits) != whole) std::abort();
  }

  std::string printed;
  for (auto const& r : whole.replies) {
    if (r.code < 200 || r.code > 559 || r.lines.empty() || r.lines.size() > limits.max_lines) std::abort();
    printed += smtp::print_reply(r);
  }
  // Printed with CRLF, replies read with bare LF grow: re-read them with the defaults.
  run const again = parse({printed}, smtp::reply_limits{});
  if (again.error || again.replies != whole.replies || again.buffered != 0) std::abort();
  return 0;
}
