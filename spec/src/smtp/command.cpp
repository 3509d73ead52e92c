// SMTP command line parser and printer (RFC 5321 §4.1, RFC 3207 §4, RFC 1870, RFC 6152,
// RFC 8689). Implements SMTP-2.3.8-02, SMTP-2.4-01, SMTP-4.1.1-01/02, SMTP-4.1.1.1-01/04,
// SMTP-4.1.1.2-01, SMTP-4.1.1.3-01/02, SMTP-4.1.2-01..07, SMTP-4.2.4-01,
// SMTP-4.5.3.1.1..4-01, SMTP-1870.6-01/03, SMTP-6152.2-01, RTLS-2-02, TLS-4-01/02.
#include "mxtls/spec/smtp/command.hpp"

#include "syntax.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

namespace mxtls::spec::smtp {
namespace {

using detail::iequals;
using detail::istarts_with;

struct verb_name {
  verb v;
  std::string_view name;
};

constexpr std::array<verb_name, 12> verbs{{
    {verb::ehlo, "EHLO"}, {verb::helo, "HELO"}, {verb::mail, "MAIL"}, {verb::rcpt, "RCPT"},
    {verb::data, "DATA"}, {verb::rset, "RSET"}, {verb::vrfy, "VRFY"}, {verb::expn, "EXPN"},
    {verb::help, "HELP"}, {verb::noop, "NOOP"}, {verb::quit, "QUIT"}, {verb::starttls, "STARTTLS"},
}};

parse_error err(errc e, std::string_view requirement, std::size_t offset) {
  return make_parse_error(e, requirement, offset);
}

/// The MAIL parameters mxtls knows (SIZE, BODY, REQUIRETLS): checked on MAIL; on RCPT
/// they are not parameters of that command [SMTP-4.1.2-05].
bool is_mail_only(std::string_view keyword) noexcept {
  return keyword == "SIZE" || keyword == "BODY" || keyword == "REQUIRETLS";
}

/// Domain or address literal at s[pos], as an EHLO argument or a Mailbox's domain.
result<std::size_t> scan_domain_or_literal(std::string_view s, std::size_t pos) {
  if (pos < s.size() && s[pos] == '[') return detail::scan_address_literal(s, pos);
  return detail::scan_domain(s, pos);
}

struct path_result {
  std::optional<mailbox> box;
  std::size_t end = 0;
};

/// Reverse-path / Forward-path at s[pos] (RFC 5321 §4.1.2):
///   Path = "<" [ A-d-l ":" ] Mailbox ">"; A-d-l = At-domain *( "," At-domain )
result<path_result> scan_path(std::string_view s, std::size_t pos, bool is_mail) {
  // [SMTP-4.1.2-01] Path = "<" [ A-d-l ":" ] Mailbox ">"
  constexpr std::string_view path_rule = "SMTP-4.1.2-01";
  std::size_t const start = pos;
  if (pos >= s.size() || s[pos] != '<') return err(errc::path_invalid, path_rule, pos);
  ++pos;
  if (pos < s.size() && s[pos] == '>') {
    // [SMTP-4.1.2-01] the null reverse-path "<>" is for MAIL only.
    if (!is_mail) return err(errc::null_path_not_allowed, path_rule, start);
    return path_result{std::nullopt, pos + 1};
  }
  bool routed = false;
  if (pos < s.size() && s[pos] == '@') {
    // [SMTP-4.1.2-04] a source route is accepted and its hosts are ignored.
    routed = true;
    while (true) {
      ++pos;  // the "@"
      auto d = detail::scan_domain(s, pos);
      if (!d) return d.error();
      pos = *d;
      if (pos < s.size() && s[pos] == ',') {
        ++pos;
        if (pos >= s.size() || s[pos] != '@') return err(errc::path_invalid, "SMTP-4.1.2-04", pos);
        continue;
      }
      if (pos < s.size() && s[pos] == ':') {
        ++pos;
        break;
      }
      // The route ends without ":" (at the end or at ">"), or the Domain is bad.
      if (pos >= s.size() || s[pos] == '>') return err(errc::path_invalid, "SMTP-4.1.2-04", pos);
      return err(errc::domain_invalid, "SMTP-4.1.2-03", pos);
    }
  }
  // [SMTP-4.1.2-02] Local-part = Dot-string / Quoted-string
  std::size_t const local_start = pos;
  auto local = pos < s.size() && s[pos] == '"'
                   ? detail::scan_quoted_string(s, pos, errc::local_part_invalid, "SMTP-4.1.2-02")
                   : detail::scan_dot_string(s, pos);
  if (!local) return local.error();
  pos = *local;
  // [SMTP-4.5.3.1.1-01] a local-part is at most 64 octets.
  if (pos - local_start > 64) return err(errc::local_part_too_long, "SMTP-4.5.3.1.1-01", local_start + 64);
  std::string_view const local_part = s.substr(local_start, pos - local_start);
  if (!is_mail && !routed && pos < s.size() && s[pos] == '>' && iequals(local_part, "Postmaster")) {
    // [SMTP-4.1.1.3-01] "<Postmaster>" without a domain is a valid recipient.
    return path_result{mailbox{std::string(local_part), {}}, pos + 1};
  }
  if (pos >= s.size() || s[pos] != '@') return err(errc::path_invalid, path_rule, pos);
  ++pos;
  std::size_t const domain_start = pos;
  bool const literal = pos < s.size() && s[pos] == '[';
  auto domain = scan_domain_or_literal(s, pos);
  if (!domain) return domain.error();
  pos = *domain;
  if (pos >= s.size()) return err(errc::path_invalid, path_rule, pos);
  if (s[pos] != '>') {
    // Whatever follows a Domain inside the brackets cannot be part of one.
    return literal ? err(errc::path_invalid, path_rule, pos) : err(errc::domain_invalid, "SMTP-4.1.2-03", pos);
  }
  ++pos;
  // [SMTP-4.5.3.1.3-01] a path is at most 256 octets including the punctuation.
  if (pos - start > 256) return err(errc::path_too_long, "SMTP-4.5.3.1.3-01", start + 256);
  return path_result{mailbox{std::string(local_part), std::string(s.substr(domain_start, pos - 1 - domain_start))},
                     pos};
}

/// Checks the value of a MAIL parameter mxtls knows; `value_off` is the offset of the
/// value (or of the end of the keyword when there is none).
result<void> check_known_param(esmtp_param const& p, std::size_t value_off) {
  if (p.keyword == "SIZE") {
    // [SMTP-1870.6-01] SIZE=size-value, size-value = 1*20DIGIT.
    if (!p.value) return err(errc::param_value_invalid, "SMTP-1870.6-01", value_off);
    auto v = parse_size_value(*p.value);
    if (!v) return parse_error{v.error().code, v.error().requirement, value_off + v.error().offset, {}};
  } else if (p.keyword == "BODY") {
    // [SMTP-6152.2-01] BODY=7BIT / BODY=8BITMIME.
    if (!p.value || !parse_body_value(*p.value)) return err(errc::param_value_invalid, "SMTP-6152.2-01", value_off);
  } else if (p.keyword == "REQUIRETLS") {
    // [RTLS-2-02] REQUIRETLS takes no value.
    if (p.value) return err(errc::param_value_invalid, "RTLS-2-02", value_off);
  }
  return {};
}

/// Mail-parameters / Rcpt-parameters after a path: *( SP esmtp-param ).
result<void> scan_params(std::string_view s, std::size_t pos, bool is_mail, std::string_view command_rule,
                         std::vector<esmtp_param>& out) {
  // [SMTP-4.1.2-05] esmtp-param = esmtp-keyword ["=" esmtp-value]
  constexpr std::string_view param_rule = "SMTP-4.1.2-05";
  if (pos == s.size()) return {};
  // Only SP and parameters may follow the path.
  if (s[pos] != ' ') return err(errc::argument_unexpected, command_rule, pos);
  while (pos < s.size()) {
    ++pos;  // the SP
    std::size_t const key_start = pos;
    // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    if (pos >= s.size() || !detail::is_alnum(s[pos])) return err(errc::param_syntax_invalid, param_rule, pos);
    while (pos < s.size() && (detail::is_alnum(s[pos]) || s[pos] == '-')) ++pos;
    esmtp_param p;
    p.keyword.reserve(pos - key_start);
    for (char c : s.substr(key_start, pos - key_start)) p.keyword += detail::to_upper(c);
    std::size_t value_off = pos;
    if (pos < s.size() && s[pos] == '=') {
      ++pos;
      value_off = pos;
      // esmtp-value = 1*(%d33-60 / %d62-126)
      while (pos < s.size()) {
        auto const c = static_cast<unsigned char>(s[pos]);
        if (c < 33 || c > 126 || c == '=') break;
        ++pos;
      }
      if (pos == value_off) return err(errc::param_syntax_invalid, param_rule, pos);
      p.value = std::string(s.substr(value_off, pos - value_off));
    }
    if (pos < s.size() && s[pos] != ' ') return err(errc::param_syntax_invalid, param_rule, pos);
    for (auto const& q : out) {
      // [SMTP-4.1.2-06] mxtls-DECISION: a parameter given twice is a syntax error.
      if (q.keyword == p.keyword) return err(errc::param_duplicate, "SMTP-4.1.2-06", key_start);
    }
    if (is_mail_only(p.keyword)) {
      // [SMTP-4.1.2-05] a MAIL parameter is no RCPT parameter: 555.
      if (!is_mail) return err(errc::param_not_allowed, param_rule, key_start);
      if (auto ok = check_known_param(p, value_off); !ok) return ok.error();
    }
    out.push_back(std::move(p));
  }
  return {};
}

/// String = Atom / Quoted-string at s[pos], filling the end of the line.
result<std::size_t> scan_string_argument(std::string_view s, std::size_t pos) {
  // [SMTP-4.1.1-02] String = Atom / Quoted-string
  constexpr std::string_view rule = "SMTP-4.1.1-02";
  if (pos < s.size() && s[pos] == '"') {
    auto q = detail::scan_quoted_string(s, pos, errc::string_invalid, rule);
    if (!q) return q.error();
    pos = *q;
  } else {
    std::size_t const start = pos;
    while (pos < s.size() && detail::is_atext(s[pos])) ++pos;
    if (pos == start) return err(errc::string_invalid, rule, pos);
  }
  if (pos < s.size()) {
    return s[pos] == ' ' ? err(errc::argument_unexpected, rule, pos) : err(errc::string_invalid, rule, pos);
  }
  return pos;
}

/// "FROM:" / "TO:" after "MAIL " / "RCPT ", and the one SP mxtls tolerates after the
/// colon; returns the offset of the path.
result<std::size_t> scan_path_keyword(std::string_view s, std::size_t pos, std::string_view keyword,
                                      std::string_view requirement, std::string_view space_rule) {
  // keyword is "FROM" or "TO"; [SMTP-2.4-01] case-insensitive.
  if (istarts_with(s.substr(pos), keyword)) {
    std::size_t p = pos + keyword.size();
    if (p < s.size() && s[p] == ':') {
      ++p;
      // [SMTP-4.1.1.2-01] / [SMTP-4.1.1.3-02] mxtls-DECISION: one SP between the colon and
      // the path is accepted ("MAIL FROM: <a@b>"), more are not.
      if (p < s.size() && s[p] == ' ') {
        ++p;
        if (p < s.size() && s[p] == ' ') return err(errc::space_around_colon, space_rule, p);
      }
      return p;
    }
    std::size_t q = p;
    while (q < s.size() && s[q] == ' ') ++q;
    // No SP before the colon.
    if (q > p && q < s.size() && s[q] == ':') return err(errc::space_around_colon, requirement, p);
  }
  return err(errc::path_keyword_missing, requirement, pos);
}

}  // namespace

std::string_view to_string(verb v) noexcept {
  for (auto const& n : verbs) {
    if (n.v == v) return n.name;
  }
  return "?";
}

esmtp_param const* command::param(std::string_view keyword) const noexcept {
  for (auto const& p : params) {
    if (iequals(p.keyword, keyword)) return &p;
  }
  return nullptr;
}

result<std::uint64_t> parse_size_value(std::string_view value) {
  // RFC 1870 size-value = 1*20DIGIT; mxtls keeps it in 64 bits.
  // [SMTP-1870.6-01] size-value = 1*20DIGIT
  if (value.empty() || value.size() > 20) {
    return err(errc::param_value_invalid, "SMTP-1870.6-01", value.empty() ? 0 : 20);
  }
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char const c = value[i];
    if (!detail::is_digit(c)) return err(errc::param_value_invalid, "SMTP-1870.6-01", i);
    auto const d = static_cast<std::uint64_t>(c - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) {
      // [SMTP-1870.6-03] mxtls-DECISION: sizes are 64-bit; 20 digits can exceed that.
      return err(errc::param_value_invalid, "SMTP-1870.6-03", i);
    }
    v = v * 10 + d;
  }
  return v;
}

result<body_type> parse_body_value(std::string_view value) {
  if (iequals(value, "7BIT")) return body_type::seven_bit;
  if (iequals(value, "8BITMIME")) return body_type::eight_bit_mime;
  // [SMTP-6152.2-01] BODY=7BIT / BODY=8BITMIME
  return err(errc::param_value_invalid, "SMTP-6152.2-01", 0);
}

bool is_domain(std::string_view text) noexcept {
  auto r = detail::scan_domain(text, 0);
  return r && *r == text.size();
}

bool is_address_literal(std::string_view text) noexcept {
  auto r = detail::scan_address_literal(text, 0);
  return r && *r == text.size();
}

result<command> parse_command(std::string_view s, std::size_t max_line_octets) {
  // [SMTP-4.5.3.1.4-01] a command line is at most 512 octets including CRLF (more when
  // the server advertises parameters that lengthen MAIL and RCPT).
  std::size_t const max_content = std::max<std::size_t>(max_line_octets, 3) - 2;
  if (s.size() > max_content) return err(errc::command_line_too_long, "SMTP-4.5.3.1.4-01", max_content);
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto const c = static_cast<unsigned char>(s[i]);
    // [SMTP-2.3.8-02] a CR or LF inside a command line is never a line end: the line is
    // refused whole.
    if (c == '\r') return err(errc::bare_cr, "SMTP-2.3.8-02", i);
    if (c == '\n') return err(errc::bare_lf, "SMTP-2.3.8-02", i);
    // [SMTP-4.1.1-01] no other control octet appears in any command's syntax.
    if (c < 0x20 || c == 0x7f) return err(errc::command_invalid_octet, "SMTP-4.1.1-01", i);
  }
  std::size_t const verb_end = std::min(s.find(' '), s.size());
  std::string_view const token = s.substr(0, verb_end);
  std::optional<verb> found;
  for (auto const& n : verbs) {
    // [SMTP-2.4-01] verbs are case-insensitive.
    if (iequals(token, n.name)) found = n.v;
  }
  // [SMTP-4.2.4-01] an unrecognised command is answered 500.
  if (!found) return err(errc::command_unknown, "SMTP-4.2.4-01", 0);
  for (std::size_t i = verb_end; i < s.size(); ++i) {
    // [SMTP-4.1.2-07] mxtls-DECISION: no SMTPUTF8, arguments are US-ASCII.
    if (static_cast<unsigned char>(s[i]) > 0x7f) return err(errc::non_ascii_octet, "SMTP-4.1.2-07", i);
  }
  command c;
  c.v = *found;
  std::size_t pos = verb_end;
  switch (c.v) {
    case verb::data:
    case verb::rset:
    case verb::quit:
      // [SMTP-4.1.1-02] DATA, RSET and QUIT take no argument.
      if (pos < s.size()) return err(errc::argument_unexpected, "SMTP-4.1.1-02", pos);
      return c;
    case verb::starttls:
      // [TLS-4-01] "STARTTLS" CRLF; [TLS-4-02] parameters are answered 501.
      if (pos < s.size()) return err(errc::argument_unexpected, "TLS-4-02", pos);
      return c;
    case verb::ehlo:
    case verb::helo: {
      // [SMTP-4.1.1.1-01] "EHLO" SP ( Domain / address-literal ); [SMTP-4.1.1.1-04]
      // mxtls-DECISION: HELO takes an address literal too.
      constexpr std::string_view rule = "SMTP-4.1.1.1-01";
      if (pos + 1 >= s.size()) return err(errc::argument_missing, rule, std::min(pos + 1, s.size()));
      ++pos;
      bool const literal = s[pos] == '[';
      auto end = scan_domain_or_literal(s, pos);
      if (!end) return end.error();
      if (*end < s.size()) {
        if (s[*end] == ' ') return err(errc::argument_unexpected, rule, *end);
        return literal ? err(errc::address_literal_invalid, "SMTP-4.1.3-01", *end)
                       : err(errc::domain_invalid, "SMTP-4.1.2-03", *end);
      }
      c.argument = std::string(s.substr(pos));
      return c;
    }
    case verb::mail:
    case verb::rcpt: {
      bool const is_mail = c.v == verb::mail;
      // [SMTP-4.1.1.2-01] "MAIL FROM:" Reverse-path [SP Mail-parameters]
      // [SMTP-4.1.1.3-01] "RCPT TO:" Forward-path [SP Rcpt-parameters]
      std::string_view const rule = is_mail ? "SMTP-4.1.1.2-01" : "SMTP-4.1.1.3-01";
      if (pos >= s.size()) return err(errc::argument_missing, rule, pos);
      ++pos;
      auto after = scan_path_keyword(s, pos, is_mail ? "FROM" : "TO", rule,
                                     is_mail ? "SMTP-4.1.1.2-01" : "SMTP-4.1.1.3-02");
      if (!after) return after.error();
      auto path = scan_path(s, *after, is_mail);
      if (!path) return path.error();
      c.path = std::move(path->box);
      if (auto ok = scan_params(s, path->end, is_mail, rule, c.params); !ok) return ok.error();
      return c;
    }
    case verb::vrfy:
    case verb::expn:
    case verb::help:
    case verb::noop: {
      bool const required = c.v == verb::vrfy || c.v == verb::expn;
      if (pos >= s.size()) {
        // [SMTP-4.1.1-02] VRFY and EXPN need their String; HELP and NOOP do not.
        if (required) return err(errc::argument_missing, "SMTP-4.1.1-02", pos);
        return c;
      }
      ++pos;
      auto end = scan_string_argument(s, pos);
      if (!end) return end.error();
      c.argument = std::string(s.substr(pos));
      return c;
    }
  }
  return err(errc::command_unknown, "SMTP-4.2.4-01", 0);
}

std::string print_command(command const& c) {
  std::string out(to_string(c.v));
  switch (c.v) {
    case verb::mail:
    case verb::rcpt:
      out += c.v == verb::mail ? " FROM:<" : " TO:<";
      if (c.path) {
        out += c.path->local_part;
        if (!c.path->domain.empty()) {
          out += '@';
          out += c.path->domain;
        }
      }
      out += '>';
      for (auto const& p : c.params) {
        out += ' ';
        out += p.keyword;
        if (p.value) {
          out += '=';
          out += *p.value;
        }
      }
      break;
    default:
      if (!c.argument.empty()) {
        out += ' ';
        out += c.argument;
      }
      break;
  }
  return out;
}

}  // namespace mxtls::spec::smtp
