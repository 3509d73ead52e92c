// `mxtls-conform lint banner [FILE|-]`: checks a 220 greeting (one or more "220-"/"220 "
// lines, CRLF or LF) and the strict-tls= directive in it (BAN-01..11). Scope (BAN-12) and
// the transport rule (BAN-14) depend on the host and the TLS session, so lint skips them.
#include "lint/lint.hpp"

#include "mxtls/spec/banner/directive.hpp"
#include "mxtls/spec/smtp/reply.hpp"

#include <boost/json/serialize.hpp>

#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace mxtls::conformance::lint {
namespace {

namespace banner = spec::banner;
namespace smtp = spec::smtp;

// find_directive() counts offsets in the reply's wire form ("ddd" sep text CRLF per line);
// map such an offset back to the octet of the lint input, whose lines may end in LF only.
std::size_t input_offset(smtp::reply const& reply, std::string_view input, std::size_t wire) {
  std::size_t wire_line = 0;
  std::size_t input_line = 0;
  for (auto const& text : reply.lines) {
    std::size_t const wire_len = 4 + text.size() + 2;
    std::size_t const lf = input.find('\n', input_line);
    std::size_t const next_input = lf == std::string_view::npos ? input.size() : lf + 1;
    if (wire < wire_line + wire_len || next_input >= input.size()) return input_line + (wire - wire_line);
    wire_line += wire_len;
    input_line = next_input;
  }
  return wire;
}

boost::json::value directive_json(banner::strict_tls_directive const& d) {
  boost::json::object ext;
  for (auto const& [name, value] : d.extensions) ext[name] = value;
  return boost::json::object{{"pattern", d.pattern.to_string()},
                             {"max_age", d.max_age},
                             {"include_subdomains", d.include_subdomains},
                             {"extensions", std::move(ext)}};
}

int run(options const& opt) {
  std::string input;
  if (!read_single_input(opt, "banner", input)) return exit_usage;

  // A pasted greeting may lack its final line end; LF alone is accepted for lint input.
  std::string bytes = input;
  if (bytes.empty() || bytes.back() != '\n') bytes += '\n';
  smtp::reply_parser parser(smtp::reply_limits{.accept_bare_lf = true});
  parser.feed(bytes);
  auto next = parser.next();
  if (!next) return report_invalid(opt, next.error(), input);
  if (!*next) {
    // [SMTP-4.2-03] the last line of a reply has SP (or nothing) after the code.
    return report_invalid(opt,
                          spec::make_parse_error(banner::errc::greeting_incomplete, "SMTP-4.2-03", input.size(),
                                                 "the last line must be \"220 ...\""),
                          input);
  }
  smtp::reply const reply = std::move(**next);
  std::size_t const end = parser.bytes_taken() - parser.buffered();
  std::size_t const rest = bytes.find_first_not_of(" \t\r\n", end);
  if (rest != std::string::npos) {
    // [SMTP-4.2-02] the input is one greeting; a second reply is not part of it.
    return report_invalid(opt,
                          spec::make_parse_error(banner::errc::greeting_trailing_input, "SMTP-4.2-02", rest,
                                                 "lint banner reads exactly one greeting"),
                          input);
  }

  auto found = banner::find_directive(reply, banner::reply_kind::greeting);
  if (!found) {
    auto err = found.error();
    err.offset = input_offset(reply, input, err.offset);
    return report_invalid(opt, err, input);
  }

  boost::json::object fields;
  std::ostringstream human;
  human << "valid 220 greeting (" << reply.lines.size() << (reply.lines.size() == 1 ? " line" : " lines") << ")\n";
  if (!*found) {
    fields["directive"] = nullptr;
    human << "no strict-tls= directive\n";
  } else {
    auto const& d = **found;
    fields["directive"] = directive_json(d);
    human << "strict-tls directive: " << banner::print_directive(d) << "\n"
          << "  pattern            " << d.pattern.to_string() << "\n"
          << "  max-age            " << d.max_age << " s" << (d.max_age == 0 ? " (removes the pin)" : "") << "\n"
          << "  includeSubDomains  " << (d.include_subdomains ? "yes" : "no") << "\n";
    for (auto const& [name, value] : d.extensions)
      human << "  ignored attribute  " << name << (value.empty() ? "" : "=" + value) << "\n";
    human << "not checked here: scope (the pattern must be the host itself or \"*.\" + its parent, BAN-12) and\n"
             "transport (senders honour it only inside TLS verified for the host, BAN-14)\n";
  }
  return report_valid(opt, std::move(fields), human.str());
}

const registrar reg{{"banner", "[FILE|-]", "check a 220 greeting and its strict-tls= directive (proposal section 5)", &run}};

}  // namespace
}  // namespace mxtls::conformance::lint
