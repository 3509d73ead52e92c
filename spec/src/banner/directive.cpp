// The strict-tls= directive: token grammar, location in greeting/EHLO replies, scope and
// the transport rule that decides whether a received directive is honoured.
// Implements BAN-01..09, BAN-12, BAN-14.
#include "mxtls/spec/banner/directive.hpp"

#include "mxtls/spec/banner/pattern.hpp"

#include <algorithm>
#include <charconv>

namespace mxtls::spec::banner {

namespace {

constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// st-attr-name = ALPHA *( ALPHA / DIGIT / "-" / "_" )
constexpr bool is_name_char(char c) noexcept { return is_alpha(c) || is_digit(c) || c == '-' || c == '_'; }

// st-attr-value = 1*( %x21-3A / %x3C-7E ): visible ASCII except ";".
constexpr bool is_value_char(char c) noexcept {
  auto const u = static_cast<unsigned char>(c);
  return u >= 0x21 && u <= 0x7e && c != ';';
}

bool iequal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool starts_with_keyword(std::string_view s) noexcept {
  return s.size() >= directive_keyword.size() && iequal(s.substr(0, directive_keyword.size()), directive_keyword);
}

constexpr std::string_view max_age_name = "max-age";
constexpr std::string_view include_subdomains_name = "includeSubDomains";

// [BAN-08] st-max-age = "max-age=" 1*10DIGIT; [BAN-09] at most 31557600, no overflow. `vstart` is the value's
// offset in the token.
result<std::uint32_t> parse_max_age(std::string_view value, std::size_t vstart) {
  if (value.empty()) return make_parse_error(errc::max_age_invalid, "BAN-08", vstart, "max-age needs a value");
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!is_digit(value[i]))
      return make_parse_error(errc::max_age_invalid, "BAN-08", vstart + i, "max-age is 1*10DIGIT");
    if (i == 10) return make_parse_error(errc::max_age_invalid, "BAN-08", vstart + i, "more than 10 digits");
  }
  std::uint64_t v = 0;
  std::from_chars(value.data(), value.data() + value.size(), v);  // <= 10 digits: no overflow
  if (v > max_max_age)
    return make_parse_error(errc::max_age_too_large, "BAN-09", vstart, "max-age above 31557600");
  return static_cast<std::uint32_t>(v);
}

}  // namespace

result<strict_tls_directive> parse_directive(std::string_view token) {
  // [SMTP-4.5.3.1.5-01] bounded: a directive lives inside one reply line.
  if (token.size() > max_directive_octets)
    return make_parse_error(errc::directive_too_long, "SMTP-4.5.3.1.5-01", max_directive_octets);
  // [BAN-02][BAN-04] the token starts with "strict-tls=" (ASCII case-insensitive).
  if (!starts_with_keyword(token)) return make_parse_error(errc::not_a_directive, "BAN-02", 0);

  std::size_t const n = token.size();
  std::size_t i = directive_keyword.size();
  // [BAN-03] st-pattern runs to the first OWS or ";"; [BAN-11] its name rules.
  std::size_t const pstart = i;
  while (i < n && !is_ows(token[i]) && token[i] != ';') ++i;
  auto pattern = parse_pattern(token.substr(pstart, i - pstart), pstart);
  if (!pattern) return pattern.error();

  strict_tls_directive d;
  d.pattern = std::move(*pattern);
  bool have_max_age = false;
  // Names seen so far, for [BAN-07] duplicate detection (case-insensitive).
  std::vector<std::string_view> seen;

  for (;;) {
    // [BAN-03] *( OWS ";" OWS st-attr ) [ OWS ";" ] OWS, up to the end of the line
    while (i < n && is_ows(token[i])) ++i;
    if (i == n) break;
    if (token[i] != ';') return make_parse_error(errc::separator_expected, "BAN-03", i, "expected ';'");
    ++i;
    while (i < n && is_ows(token[i])) ++i;
    if (i == n) break;  // one trailing ";" is allowed

    std::size_t const name_start = i;
    if (!is_alpha(token[i]))
      return make_parse_error(errc::attribute_name_invalid, "BAN-03", i, "attribute name starts with a letter");
    while (i < n && is_name_char(token[i])) ++i;
    std::string_view const name = token.substr(name_start, i - name_start);
    bool has_value = false;
    std::size_t vstart = i;
    if (i < n && token[i] == '=') {
      has_value = true;
      vstart = ++i;
      while (i < n && is_value_char(token[i])) ++i;
      if (i == vstart)
        return make_parse_error(errc::attribute_value_invalid, "BAN-03", i, "'=' without a value");
    }
    if (i < n && !is_ows(token[i]) && token[i] != ';') {
      return has_value ? make_parse_error(errc::attribute_value_invalid, "BAN-03", i, "octet not allowed in a value")
                       : make_parse_error(errc::attribute_name_invalid, "BAN-03", i, "octet not allowed in a name");
    }
    std::string_view const value = token.substr(vstart, i - vstart);

    // [BAN-07] every attribute, known or not, at most once; [BAN-04] names compared
    // case-insensitively.
    for (auto s : seen)
      if (iequal(s, name))
        return make_parse_error(errc::attribute_duplicated, "BAN-07", name_start, std::string(name) + " twice");
    seen.push_back(name);

    if (iequal(name, max_age_name)) {
      // [BAN-08] max-age must match its own rule: "=" and a value.
      if (!has_value) return make_parse_error(errc::max_age_invalid, "BAN-08", i, "max-age needs '=' and a value");
      auto age = parse_max_age(value, vstart);
      if (!age) return age.error();
      d.max_age = *age;
      have_max_age = true;
    } else if (iequal(name, include_subdomains_name)) {
      // [BAN-08] st-include-subdomains is a bare keyword.
      if (has_value)
        return make_parse_error(errc::include_subdomains_invalid, "BAN-08", vstart - 1, "includeSubDomains takes no value");
      d.include_subdomains = true;
    } else {
      // [BAN-08] unknown attributes are ignored (kept for printing).
      d.extensions.emplace_back(std::string(name), std::string(value));
    }
  }
  // [BAN-06] max-age is required (exactly once: BAN-07 refused a second one).
  if (!have_max_age) return make_parse_error(errc::max_age_missing, "BAN-06", n, "max-age is required");
  return d;
}

std::string print_directive(strict_tls_directive const& d) {
  std::string out{directive_keyword};
  out += d.pattern.to_string();
  out += "; max-age=";
  out += std::to_string(d.max_age);
  if (d.include_subdomains) out += "; includeSubDomains";
  for (auto const& [name, value] : d.extensions) {
    out += "; ";
    out += name;
    if (!value.empty()) {
      out += '=';
      out += value;
    }
  }
  return out;
}

result<std::optional<strict_tls_directive>> find_directive(smtp::reply const& reply, reply_kind kind) {
  // [BAN-01] the directive travels only in the 220 greeting and the 250 EHLO reply.
  std::uint16_t const expected = kind == reply_kind::greeting ? 220 : 250;
  if (reply.code != expected) {
    return make_parse_error(errc::reply_code_mismatch, "BAN-01", 0,
                            "reply code " + std::to_string(reply.code) + ", expected " + std::to_string(expected));
  }
  // [BAN-01] greeting: every line; EHLO: the first line only (later lines are keywords).
  std::size_t const searched = kind == reply_kind::greeting ? reply.lines.size()
                                                            : std::min<std::size_t>(1, reply.lines.size());
  struct hit {
    std::size_t line, pos, wire;
  };
  std::vector<hit> hits;
  std::size_t line_wire = 0;  // wire offset of the current line: "ddd" sep text CRLF
  for (std::size_t li = 0; li < searched; ++li) {
    std::string_view const text = reply.lines[li];
    // [BAN-02] a token starts at the start of the text or after SP / HTAB.
    for (std::size_t p = 0; p + directive_keyword.size() <= text.size(); ++p) {
      if ((p == 0 || is_ows(text[p - 1])) && starts_with_keyword(text.substr(p))) hits.push_back({li, p, line_wire + 4 + p});
    }
    line_wire += 4 + text.size() + 2;
  }
  if (hits.empty()) return std::optional<strict_tls_directive>{};
  auto line_name = [](std::size_t li) { return "line " + std::to_string(li + 1); };
  if (hits.size() > 1) {
    // [BAN-05] two directive starts, valid or not: the reply carries no valid directive.
    return make_parse_error(errc::duplicate_directive, "BAN-05", hits[1].wire,
                            "second directive in " + line_name(hits[1].line));
  }
  hit const h = hits.front();
  auto d = parse_directive(std::string_view(reply.lines[h.line]).substr(h.pos));
  if (!d) {
    parse_error e = d.error();
    e.offset += h.wire;
    e.detail = e.detail.empty() ? line_name(h.line) : e.detail + ", " + line_name(h.line);
    return e;
  }
  return std::optional<strict_tls_directive>{std::move(*d)};
}

bool in_scope(strict_tls_directive const& d, std::string_view host) noexcept {
  std::string_view const h = strip_root_dot(host);
  if (!is_host_name(h)) return false;
  // [BAN-12] exact: the pattern is the host itself. (BAN-21: no Public Suffix List here.)
  if (!d.pattern.wildcard) return dns::equal_ci(d.pattern.base, h);
  // [BAN-12] wildcard: "*." + parent(H), so H is one of the names it matches.
  std::string_view const par = dns::parent(h);
  return !par.empty() && dns::equal_ci(d.pattern.base, par);
}

honour_decision decide_directive(strict_tls_directive const& d, std::string_view host, directive_source source,
                                 channel_auth auth) noexcept {
  // [BAN-14] before TLS, anyone on the path could have written or removed the directive.
  if (source == directive_source::plaintext_greeting || source == directive_source::plaintext_ehlo)
    return {honour_action::ignore, honour_reason::plaintext, "BAN-14"};
  if (auth == channel_auth::none) return {honour_action::ignore, honour_reason::channel_unauthenticated, "BAN-14"};
  // [BAN-14] TLS with an unverified certificate may be a man in the middle.
  if (auth == channel_auth::unverified) return {honour_action::ignore, honour_reason::certificate_unverified, "BAN-14"};
  // [BAN-12] a verified host still only speaks for itself and its siblings.
  if (!in_scope(d, host)) return {honour_action::ignore, honour_reason::out_of_scope, "BAN-12"};
  return {honour_action::accept, honour_reason::accepted, "BAN-14"};
}

std::string_view to_string(honour_reason r) noexcept {
  switch (r) {
    case honour_reason::accepted: return "accepted";
    case honour_reason::plaintext: return "plaintext";
    case honour_reason::channel_unauthenticated: return "channel_unauthenticated";
    case honour_reason::certificate_unverified: return "certificate_unverified";
    case honour_reason::out_of_scope: return "out_of_scope";
  }
  return "unknown";
}

std::string_view to_string(directive_source s) noexcept {
  switch (s) {
    case directive_source::plaintext_greeting: return "plaintext_greeting";
    case directive_source::plaintext_ehlo: return "plaintext_ehlo";
    case directive_source::tls_greeting: return "tls_greeting";
    case directive_source::tls_ehlo: return "tls_ehlo";
  }
  return "unknown";
}

std::string_view to_string(channel_auth a) noexcept {
  switch (a) {
    case channel_auth::none: return "none";
    case channel_auth::unverified: return "unverified";
    case channel_auth::verified: return "verified";
  }
  return "unknown";
}

}  // namespace mxtls::spec::banner
