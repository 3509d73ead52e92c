// TXT presentation-format parser (RFC 1035 §5.1, §3.3.14).
// Implements NAME-5.1-01..03 and NAME-3.3.14-01..02 (spec/requirements/names.md).
#include "mxtls/spec/dns/txt.hpp"

namespace mxtls::spec::dns {

namespace {

constexpr bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

parse_error txt_error(errc e, std::string_view requirement, std::size_t offset, std::string detail = {}) {
  return make_parse_error(e, requirement, offset, std::move(detail));
}

// One RR line whose terminator (LF, CRLF, or a final CR) is already removed.
result<txt_strings> parse_line(std::string_view line) {
  if (line.size() > max_txt_line_octets) {
    return txt_error(errc::txt_input_too_large, "NAME-3.3.14-02", max_txt_line_octets);
  }

  std::size_t pos = 0;
  while (pos < line.size() && is_wsp(line[pos])) ++pos;
  txt_strings out;
  if (pos == line.size() || line[pos] != '"') {
    // [NAME-5.1-02] an unquoted line is one character-string, verbatim.
    if (line.size() > max_character_string_octets) {
      return txt_error(errc::txt_string_too_long, "NAME-3.3.14-01", max_character_string_octets);
    }
    out.emplace_back(line);
    return out;
  }

  std::size_t rdata = 0;
  while (pos < line.size()) {
    // Here line[pos] == '"' opens a character-string.
    std::size_t const open = pos++;
    std::string s;
    for (;;) {
      if (pos >= line.size()) {
        return txt_error(errc::txt_unterminated_string, "NAME-5.1-01", open,
                         "the string opened here has no closing quote");
      }
      std::size_t const at = pos;
      char c = line[pos];
      if (c == '"') {
        ++pos;
        break;
      }
      if (c == '\\') {
        // [NAME-5.1-01] \DDD is a decimal octet; \X is X.
        if (pos + 1 >= line.size()) return txt_error(errc::txt_bad_escape, "NAME-5.1-01", at, "'\\' at end of line");
        char const d = line[pos + 1];
        if (is_digit(d)) {
          if (pos + 3 >= line.size() || !is_digit(line[pos + 2]) || !is_digit(line[pos + 3])) {
            return txt_error(errc::txt_bad_escape, "NAME-5.1-01", at, "\\DDD needs three decimal digits");
          }
          int const v = (d - '0') * 100 + (line[pos + 2] - '0') * 10 + (line[pos + 3] - '0');
          if (v > 255) return txt_error(errc::txt_bad_escape, "NAME-5.1-01", at, "\\DDD above 255");
          c = static_cast<char>(static_cast<unsigned char>(v));
          pos += 4;
        } else {
          c = d;
          pos += 2;
        }
      } else {
        ++pos;
      }
      // [NAME-3.3.14-01] at most 255 octets per character-string.
      if (s.size() == max_character_string_octets) {
        return txt_error(errc::txt_string_too_long, "NAME-3.3.14-01", at);
      }
      s.push_back(c);
    }
    rdata += 1 + s.size();
    // [NAME-3.3.14-02] the whole RDATA fits in 65535 octets.
    if (rdata > max_txt_rdata_octets) return txt_error(errc::txt_input_too_large, "NAME-3.3.14-02", open);
    out.push_back(std::move(s));

    if (pos == line.size()) break;
    if (line[pos] == '"') {
      // [NAME-5.1-01] character-strings are separated by white space.
      return txt_error(errc::txt_missing_separator, "NAME-5.1-01", pos);
    }
    if (!is_wsp(line[pos])) return txt_error(errc::txt_junk_after_string, "NAME-5.1-01", pos);
    while (pos < line.size() && is_wsp(line[pos])) ++pos;
    if (pos < line.size() && line[pos] != '"') {
      return txt_error(errc::txt_junk_after_string, "NAME-5.1-01", pos,
                       "each character-string of a quoted line must be quoted");
    }
  }
  return out;
}

}  // namespace

result<txt_strings> parse_txt_presentation(std::string_view line) {
  // [NAME-5.1-02] one trailing CR (a CRLF-terminated line) is not part of the RR.
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return parse_line(line);
}

std::vector<rr_line> split_rr_lines(std::string_view input) {
  std::vector<rr_line> lines;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t nl = input.find('\n', start);
    if (nl == std::string_view::npos) nl = input.size();
    std::string_view text = input.substr(start, nl - start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    bool blank = true;
    for (char c : text) blank = blank && is_wsp(c);
    if (!blank) lines.push_back({text, start});
    if (nl == input.size()) break;
    start = nl + 1;
  }
  return lines;
}

result<std::vector<txt_strings>> parse_txt_rrset(std::string_view input) {
  if (input.size() > max_txt_input_octets) {
    return txt_error(errc::txt_input_too_large, "NAME-5.1-03", max_txt_input_octets);
  }
  std::vector<txt_strings> rrset;
  for (rr_line const& l : split_rr_lines(input)) {
    auto rr = parse_line(l.text);
    if (!rr) {
      parse_error e = rr.error();
      e.offset += l.offset;
      return e;
    }
    rrset.push_back(std::move(*rr));
  }
  return rrset;
}

std::string concatenate(txt_strings const& strings) {
  std::size_t n = 0;
  for (auto const& s : strings) n += s.size();
  std::string out;
  out.reserve(n);
  // [STS-3.1-10][RPT-3-08] "concatenated without adding spaces".
  for (auto const& s : strings) out += s;
  return out;
}

std::string print_txt(txt_strings const& strings) {
  std::string out;
  static constexpr char digits[] = "0123456789";
  for (std::size_t i = 0; i < strings.size(); ++i) {
    if (i != 0) out.push_back(' ');
    out.push_back('"');
    for (char c : strings[i]) {
      auto const u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else if (u < 0x20 || u > 0x7e) {
        out.push_back('\\');
        out.push_back(digits[u / 100]);
        out.push_back(digits[(u / 10) % 10]);
        out.push_back(digits[u % 10]);
      } else {
        out.push_back(c);
      }
    }
    out.push_back('"');
  }
  return out;
}

}  // namespace mxtls::spec::dns
