// EHLO reply → capability set, and the server's EHLO reply from one.
// Implements SMTP-4.1.1.1-02, SMTP-4.1.1.1-05..07, SMTP-1870.3-01, TLS-3-01; see ehlo.hpp.
#include "mxtls/spec/smtp/ehlo.hpp"

#include "mxtls/spec/smtp/command.hpp"
#include "syntax.hpp"

#include <algorithm>
#include <utility>

namespace mxtls::spec::smtp {
namespace {

/// ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
bool is_ehlo_keyword(std::string_view k) noexcept {
  if (k.empty() || !detail::is_alnum(k[0])) return false;
  for (char c : k) {
    if (!detail::is_alnum(c) && c != '-') return false;
  }
  return true;
}

/// ehlo-param = 1*(%d33-126)
bool is_ehlo_param(std::string_view p) noexcept {
  if (p.empty()) return false;
  for (char c : p) {
    auto const u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) return false;
  }
  return true;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = detail::to_upper(c);
  return out;
}

/// One ehlo-line split into keyword and params, or nullopt when it is not one.
std::optional<ehlo_extension> split_ehlo_line(std::string_view line) {
  std::size_t const sp = std::min(line.find(' '), line.size());
  if (!is_ehlo_keyword(line.substr(0, sp))) return std::nullopt;
  ehlo_extension ext{upper(line.substr(0, sp)), {}};
  std::size_t pos = sp;
  while (pos < line.size()) {
    ++pos;  // the SP
    std::size_t const end = std::min(line.find(' ', pos), line.size());
    std::string_view const p = line.substr(pos, end - pos);
    if (!is_ehlo_param(p)) return std::nullopt;
    ext.params.emplace_back(p);
    pos = end;
  }
  return ext;
}

}  // namespace

result<void> ehlo_capabilities::add(std::string_view keyword, std::vector<std::string> params) {
  // [SMTP-4.1.1.1-02] ehlo-line = ehlo-keyword *( SP ehlo-param )
  if (!is_ehlo_keyword(keyword)) return make_parse_error(errc::ehlo_keyword_invalid, "SMTP-4.1.1.1-02", 0);
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!is_ehlo_param(params[i])) return make_parse_error(errc::ehlo_param_invalid, "SMTP-4.1.1.1-02", i);
  }
  if (has(keyword)) return make_parse_error(errc::ehlo_keyword_duplicate, "SMTP-4.1.1.1-06", 0);
  extensions_.push_back(ehlo_extension{upper(keyword), std::move(params)});
  return {};
}

bool ehlo_capabilities::has(std::string_view keyword) const noexcept {
  for (auto const& e : extensions_) {
    if (detail::iequals(e.keyword, keyword)) return true;
  }
  return false;
}

std::span<std::string const> ehlo_capabilities::params(std::string_view keyword) const noexcept {
  for (auto const& e : extensions_) {
    if (detail::iequals(e.keyword, keyword)) return e.params;
  }
  return {};
}

std::optional<std::uint64_t> ehlo_capabilities::size() const noexcept {
  auto const p = params("SIZE");
  if (p.empty()) return std::nullopt;
  auto v = parse_size_value(p[0]);
  // [SMTP-1870.3-01] size-value = 1*20DIGIT; 0 or absent means no fixed maximum.
  if (!v || *v == 0) return std::nullopt;
  return *v;
}

result<ehlo_capabilities> parse_ehlo(reply const& r) {
  // [SMTP-4.1.1.1-02] ehlo-ok-rsp is a 250 reply.
  if (r.code != 250) return make_parse_error(errc::ehlo_code_not_250, "SMTP-4.1.1.1-02", 0);
  ehlo_capabilities caps;
  std::string_view const first = r.lines.empty() ? std::string_view() : std::string_view(r.lines[0]);
  // [SMTP-4.1.1.1-05] mxtls-DECISION: the first line is Domain [SP ehlo-greet], but the
  // client does not validate the Domain (text to it, like the greeting's): the first
  // SP-separated token is the domain, the rest the greeting.
  std::size_t const sp = std::min(first.find(' '), first.size());
  caps.domain_ = std::string(first.substr(0, sp));
  if (sp < first.size()) caps.greeting_ = std::string(first.substr(sp + 1));
  for (std::size_t i = 1; i < r.lines.size(); ++i) {
    auto ext = split_ehlo_line(r.lines[i]);
    if (!ext) {
      // [SMTP-4.1.1.1-07] mxtls-DECISION: a line that is not an ehlo-line announces
      // nothing and is recorded; the rest of the reply stands.
      caps.malformed_.push_back(r.lines[i]);
      continue;
    }
    // [SMTP-2.4-01] keywords are case-insensitive; [SMTP-4.1.1.1-06] mxtls-DECISION: the
    // first announcement of a keyword wins.
    if (caps.has(ext->keyword)) continue;
    caps.extensions_.push_back(std::move(*ext));
  }
  return caps;
}

result<reply> print_ehlo(std::string_view domain, std::string_view text, ehlo_capabilities const& caps) {
  // [SMTP-4.1.1.1-02] the server names itself with a Domain (mxtls-serve may use an
  // address literal when it has no name, as in its greeting, SMTP-4.2-02).
  if (!is_domain(domain) && !is_address_literal(domain)) {
    return make_parse_error(errc::ehlo_domain_invalid, "SMTP-4.1.1.1-02", 4);
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto const c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      // [SMTP-4.2-01] textstring: no control octet other than HTAB.
      return make_parse_error(errc::reply_text_invalid, "SMTP-4.2-01", 4 + domain.size() + 1 + i);
    }
  }
  reply r;
  r.code = 250;
  std::string first(domain);
  if (!text.empty()) {
    first += ' ';
    first += text;
  }
  r.lines.push_back(std::move(first));
  for (auto const& e : caps.extensions()) {
    std::string line = e.keyword;
    for (auto const& p : e.params) {
      line += ' ';
      line += p;
    }
    r.lines.push_back(std::move(line));
  }
  std::size_t offset = 0;
  for (auto const& l : r.lines) {
    // [SMTP-4.5.3.1.5-01] "250-" + text + CRLF within 512 octets.
    if (l.size() + 6 > 512) return make_parse_error(errc::reply_line_too_long, "SMTP-4.5.3.1.5-01", offset + 510);
    offset += l.size() + 6;
  }
  return r;
}

}  // namespace mxtls::spec::smtp
