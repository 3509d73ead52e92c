// Fuzz target for EHLO replies (SMTP-4.1.1.1-02, SMTP-4.1.1.1-05..07, TLS-3-01,
// SMTP-1870.3-01): the input is a reply stream; each reply goes to parse_ehlo.
// Invariants: a 250 reply always gives capabilities; every line after the first is an
// extension or malformed; the server's reply built from them parses back to the same
// extensions.
#include "mxtls/spec/smtp/command.hpp"
#include "mxtls/spec/smtp/ehlo.hpp"
#include "mxtls/spec/smtp/reply.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

namespace smtp = mxtls::spec::smtp;

void check(smtp::reply const& r) {
  auto const caps = smtp::parse_ehlo(r);
  if (r.code != 250) {
    if (caps || caps.error().code != smtp::errc::ehlo_code_not_250) std::abort();
    return;
  }
  if (!caps) std::abort();
  if (caps->extensions().size() + caps->malformed_lines().size() > r.lines.size() - 1) std::abort();
  for (auto const& e : caps->extensions()) {
    if (!caps->has(e.keyword)) std::abort();
  }
  if (caps->starttls() != caps->has("starttls")) std::abort();
  if (auto const s = caps->size(); s && *s == 0) std::abort();
  // Rebuild the reply a server would send (needs a valid name) and parse it again.
  std::string_view const domain = smtp::is_domain(caps->domain()) ? std::string_view(caps->domain()) : "mx.example";
  auto const rebuilt = smtp::print_ehlo(domain, "", *caps);
  if (!rebuilt) {
    // Only a line too long for 512 octets may be refused.
    if (rebuilt.error().code != smtp::errc::reply_line_too_long) std::abort();
    return;
  }
  auto const back = smtp::parse_ehlo(*rebuilt);
  if (!back || back->extensions() != caps->extensions() || !back->malformed_lines().empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view const input(reinterpret_cast<const char*>(data), size);
  smtp::reply_limits limits;
  limits.max_line = 4096;  // see long extension lines too
  smtp::reply_parser p(limits);
  p.feed(input);
  while (true) {
    auto r = p.next();
    if (!r || !*r) break;
    check(**r);
  }
  // The input as the text of a single 250 reply's lines, split at LF.
  smtp::reply whole{250, {}};
  std::size_t start = 0;
  while (start <= input.size() && whole.lines.size() < 64) {
    std::size_t const lf = input.find('\n', start);
    std::size_t const end = lf == std::string_view::npos ? input.size() : lf;
    whole.lines.emplace_back(input.substr(start, end - start));
    if (lf == std::string_view::npos) break;
    start = lf + 1;
  }
  check(whole);
  return 0;
}
