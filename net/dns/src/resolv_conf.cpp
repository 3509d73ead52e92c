// resolv.conf(5) nameserver lines and ADDR[:PORT] resolver addresses (resolv_conf.hpp).
#include "mxtls/net/dns/resolv_conf.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace mxtls::net::dns {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view next_token(std::string_view& s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  std::size_t n = 0;
  while (n < s.size() && !is_space(s[n])) ++n;
  std::string_view const tok = s.substr(0, n);
  s.remove_prefix(n);
  return tok;
}

error address_error(std::string_view text) {
  return mxtls::spec::make_parse_error(errc::invalid_name, "", 0,
                                       "not ADDR[:PORT]: " + std::string(text.substr(0, 100)));
}
}  // namespace

std::vector<server_address> parse_resolv_conf(std::string_view text) {
  std::vector<server_address> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t const eol = text.find('\n', pos);
    std::size_t const end = eol == std::string_view::npos ? text.size() : eol;
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (auto c = line.find_first_of("#;"); c != std::string_view::npos) line = line.substr(0, c);
    if (next_token(line) != "nameserver") continue;
    std::string const addr(next_token(line));
    boost::system::error_code ec;
    auto a = boost::asio::ip::make_address(addr, ec);
    if (!ec) out.push_back(server_address{a, 53});
  }
  return out;
}

result<server_address> parse_server_address(std::string_view text) {
  std::string_view host = text;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto const close = text.find(']');
    if (close == std::string_view::npos) return address_error(text);
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return address_error(text);
      port_text = rest.substr(1);
      if (port_text.empty()) return address_error(text);
    }
  } else if (auto colon = text.find(':'); colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (port_text.empty()) return address_error(text);
  }
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return address_error(text);
  server_address out{a, 53};
  if (!port_text.empty()) {
    unsigned v = 0;
    auto [p, e] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
    if (e != std::errc{} || p != port_text.data() + port_text.size() || v == 0 || v > 65535)
      return address_error(text);
    out.port = static_cast<std::uint16_t>(v);
  }
  return out;
}

result<server_address> system_resolver(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return mxtls::spec::make_parse_error(errc::file_unreadable, "", 0, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  auto const all = parse_resolv_conf(ss.str());
  if (all.empty())
    return mxtls::spec::make_parse_error(errc::no_resolver, "", 0, "no nameserver line in " + path);
  return all.front();
}

}  // namespace mxtls::net::dns
