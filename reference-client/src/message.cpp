// Envelope addresses, recipient grouping and message content normalisation for mxtls-send.
// Implements SMTP-4.1.2-01 (Mailbox), SMTP-4.5.3.1.6-01 (line length), SMTP-4.5.2-01
// (dot-stuffing), and notes 8-bit content (SMTP-6152.3-01) and TLS-Required: No (RTLS-3-01).
#include "mxtls/client/message.hpp"

#include "mxtls/spec/dns/name.hpp"
#include "mxtls/spec/smtp/command.hpp"

#include <algorithm>

namespace mxtls::client {

namespace {

error make_error(errc e, std::string_view requirement, std::size_t offset, std::string detail = {}) {
  return spec::make_parse_error(make_error_code(e), requirement, offset, std::move(detail));
}

std::string_view strip_brackets(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.size() >= 2 && text.front() == '<' && text.back() == '>') text = text.substr(1, text.size() - 2);
  return text;
}

bool iequals(std::string_view a, std::string_view b) { return spec::dns::equal_ci(a, b); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

result<mailbox_address> parse_mailbox(std::string_view text) {
  std::string_view const inner = strip_brackets(text);
  if (inner.empty()) return make_error(errc::address_invalid, "SMTP-4.1.2-01", 0, "empty address");
  // [SMTP-4.1.2-01] the RFC 5321 path grammar, as the server side parses it.
  auto cmd = spec::smtp::parse_command("RCPT TO:<" + std::string(inner) + ">");
  if (!cmd || !cmd->path || cmd->path->domain.empty())
    return make_error(errc::address_invalid, "SMTP-4.1.2-01", 0,
                      cmd ? std::string("not a Mailbox: ") + std::string(inner) : cmd.error().message());
  // [NAME-4.1.3-01][NAME-2-01] delivery is by MX: the domain must be a host name.
  auto host = spec::dns::parse_hostname(cmd->path->domain);
  if (!host)
    return make_error(errc::address_invalid, "NAME-4.1.3-01", inner.find('@') + 1,
                      "the domain is not a host name: " + host.error().message());
  return mailbox_address{cmd->path->local_part, *host};
}

result<std::string> parse_reverse_path(std::string_view text) {
  std::string_view const inner = strip_brackets(text);
  if (inner.empty()) return std::string{};  // the null reverse-path "<>"
  auto mb = parse_mailbox(inner);
  if (!mb) return mb.error();
  return mb->text();
}

std::vector<recipient_group> group_by_domain(std::vector<mailbox_address> const& recipients) {
  std::vector<recipient_group> groups;
  for (auto const& r : recipients) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](recipient_group const& g) { return g.domain == r.domain; });
    if (it == groups.end()) {
      groups.push_back(recipient_group{r.domain, {}});
      it = std::prev(groups.end());
    }
    if (std::find(it->recipients.begin(), it->recipients.end(), r) == it->recipients.end()) it->recipients.push_back(r);
  }
  return groups;
}

result<message> prepare_message(std::string_view raw, message_limits const& limits) {
  message m;
  m.data.reserve(raw.size() + raw.size() / 32 + 2);
  std::size_t line_start_in = 0;   // offset in `raw` of the current line
  std::size_t line_octets = 0;     // octets of the current line without its line end
  bool in_header = true;
  std::string header_line;         // the current header line (for TLS-Required)
  auto end_line = [&]() -> bool {
    if (in_header) {
      if (line_octets == 0) {
        in_header = false;
      } else if (auto colon = header_line.find(':'); colon != std::string::npos &&
                 iequals(std::string_view(header_line).substr(0, colon), "TLS-Required") &&
                 iequals(trim(std::string_view(header_line).substr(colon + 1)), "No")) {
        // [RTLS-3-01] the header field that asks for delivery despite TLS failures (DNS-17).
        m.tls_required_no = true;
      }
      header_line.clear();
    }
    m.data += "\r\n";
    line_octets = 0;
    return m.data.size() <= limits.max_octets;
  };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char const c = raw[i];
    if (c == '\0') return make_error(errc::message_nul_octet, "", i, "a NUL octet");
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
      if (!end_line()) return make_error(errc::message_too_large, "", i);
      line_start_in = i + 1;
      continue;
    }
    if (static_cast<unsigned char>(c) > 0x7F) m.eight_bit = true;
    // [SMTP-4.5.3.1.6-01] 1000 octets per line including CRLF.
    if (++line_octets > 998)
      return make_error(errc::message_line_too_long, "SMTP-4.5.3.1.6-01", line_start_in,
                        "a line longer than 998 octets");
    m.data.push_back(c);
    if (in_header && header_line.size() < 1000) header_line.push_back(c);
    if (m.data.size() > limits.max_octets) return make_error(errc::message_too_large, "", i);
  }
  if (line_octets > 0 && !end_line()) return make_error(errc::message_too_large, "", raw.size());
  return m;
}

std::string dot_stuff(std::string_view data) {
  std::string out;
  out.reserve(data.size() + data.size() / 64 + 8);
  bool at_line_start = true;
  for (char const c : data) {
    // [SMTP-4.5.2-01] a content line starting with "." gets one more.
    if (at_line_start && c == '.') out.push_back('.');
    out.push_back(c);
    at_line_start = (c == '\n');
  }
  if (!out.empty() && !(out.size() >= 2 && out.ends_with("\r\n"))) out += "\r\n";
  out += ".\r\n";
  return out;
}

}  // namespace mxtls::client
