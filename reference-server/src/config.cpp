// mxtls-serve configuration: the key table, the file parser, the flag parser and the
// startup checks. Every error names the file and line or the flag.
#include "config.hpp"

#include "mxtls/spec/banner/directive.hpp"
#include "mxtls/spec/dns/name.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>

namespace mxtls::server {
namespace {

[[noreturn]] void fail(std::string_view where, std::string const& what) {
  throw config_error(std::string(where) + ": " + what);
}

std::string_view trim(std::string_view s) {
  auto const b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  auto const e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::uint64_t parse_uint(std::string_view text, std::string_view where, std::string_view key) {
  std::uint64_t v = 0;
  auto const* first = text.data();
  auto const* last = text.data() + text.size();
  auto [p, ec] = std::from_chars(first, last, v);
  if (text.empty() || ec != std::errc{} || p != last)
    fail(where, std::string(key) + ": expected a non-negative integer, got \"" + std::string(text) + "\"");
  return v;
}

bool parse_bool(std::string_view text, std::string_view where, std::string_view key) {
  if (text == "yes" || text == "true" || text == "on" || text == "1") return true;
  if (text == "no" || text == "false" || text == "off" || text == "0") return false;
  fail(where, std::string(key) + ": expected yes or no, got \"" + std::string(text) + "\"");
}

std::string flag_of(std::string_view key) {
  std::string f = "--";
  for (char ch : key) f += ch == '_' ? '-' : ch;
  return f;
}

}  // namespace

std::string endpoint::to_string() const {
  if (address.find(':') != std::string::npos) return "[" + address + "]:" + std::to_string(port);
  return address + ":" + std::to_string(port);
}

endpoint parse_endpoint(std::string_view text, std::string_view where) {
  endpoint ep;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto const close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      fail(where, "expected [IPv6]:PORT, got \"" + std::string(text) + "\"");
    ep.address = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    auto const colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
      fail(where, "expected ADDRESS:PORT, got \"" + std::string(text) + "\"");
    ep.address = std::string(text.substr(0, colon));
    if (ep.address.find(':') != std::string::npos)
      fail(where, "an IPv6 address must be written [ADDRESS]:PORT");
    port_text = text.substr(colon + 1);
  }
  auto const port = parse_uint(port_text, where, "port");
  if (port > 65535) fail(where, "port " + std::string(port_text) + " is above 65535");
  ep.port = static_cast<std::uint16_t>(port);
  return ep;
}

std::chrono::milliseconds parse_duration(std::string_view text, std::string_view where) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  auto const number = parse_uint(text.substr(0, digits), where, "duration");
  auto const unit = text.substr(digits);
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "s") scale = 1000;
  else if (unit == "ms") scale = 1;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else fail(where, "duration \"" + std::string(text) + "\": unit must be ms, s, m or h");
  if (number > std::numeric_limits<std::int64_t>::max() / scale / 2)
    fail(where, "duration \"" + std::string(text) + "\" is too large");
  return std::chrono::milliseconds(static_cast<std::int64_t>(number * scale));
}

std::uint64_t parse_size(std::string_view text, std::string_view where) {
  std::uint64_t scale = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'k': case 'K': scale = 1024; break;
      case 'm': case 'M': scale = 1024 * 1024; break;
      case 'g': case 'G': scale = 1024 * 1024 * 1024; break;
      default: break;
    }
    if (scale != 1) text.remove_suffix(1);
  }
  auto const n = parse_uint(text, where, "size");
  if (n > std::numeric_limits<std::uint64_t>::max() / scale) fail(where, "size is too large");
  return n * scale;
}

std::vector<key_doc> const& documented_keys() {
  static std::vector<key_doc> const keys = {
      {"hostname", "NAME", "the server's host name: greeting, Received: header, TLSA and MX owner", false},
      {"domain", "DOMAIN", "a mail domain accepted for delivery (repeat for more); others get 550 5.7.1", true},
      {"greeting", "TEXT", "text after the host name in the 220 greeting (default \"ESMTP mxtls-serve\")", false},
      {"strict_tls", "DIRECTIVE", "the proposal's banner directive, e.g. \"strict-tls=*.example.org; max-age=86400\"", false},
      {"cert", "FILE", "PEM certificate chain, leaf first", false},
      {"key", "FILE", "PEM private key of the leaf certificate", false},
      {"listen", "ADDR:PORT", "STARTTLS listener (port 25 in production)", false},
      {"listen_implicit", "ADDR:PORT", "implicit-TLS listener (port 26 in the proposal)", false},
      {"maildir", "DIR", "Maildir receiving every accepted message (tmp/ new/ cur/ created)", false},
      {"mta_sts_policy", "FILE", "MTA-STS policy served at /.well-known/mta-sts.txt (validated at startup)", false},
      {"mta_sts_listen", "ADDR:PORT", "HTTPS listener of the MTA-STS policy host", false},
      {"mta_sts_cert", "FILE", "certificate of the policy host mta-sts.DOMAIN (default: cert)", false},
      {"mta_sts_key", "FILE", "key of the policy host (default: key)", false},
      {"tlsrpt_rua", "URI", "rua= of the _smtp._tls TXT record printed by print-dns", false},
      {"max_message_size", "SIZE", "largest message in octets (k/M/G suffixes), advertised as SIZE", false},
      {"max_recipients", "N", "recipients per message (default 100)", false},
      {"max_errors", "N", "error replies per session before 421 and close (default 10)", false},
      {"max_connections", "N", "concurrent connections over all listeners; more get 421", false},
      {"max_connections_per_ip", "N", "concurrent connections per client address; more get 421", false},
      {"timeout_command", "DURATION", "time for a whole command line, trickled or not (default 5m)", false},
      {"timeout_tls_handshake", "DURATION", "time for a TLS handshake (default 60s)", false},
      {"timeout_data_line", "DURATION", "time between two reads during DATA (default 5m)", false},
      {"timeout_data_total", "DURATION", "time for a whole DATA transfer (default 10m)", false},
      {"min_data_rate", "N", "octets per second a DATA must average once it runs 30 s (default 256)", false},
      {"timeout_session", "DURATION", "time for a whole connection (default 30m)", false},
      {"drain_grace", "DURATION", "on SIGTERM/SIGINT, how long sessions may finish (default 30s)", false},
      {"log_file", "FILE", "append the key=value log here instead of stderr", false},
      {"threads", "N", "I/O threads (default: number of cores)", false},
      {"fsync", "yes|no", "fsync each message and new/ before the 250 reply (default yes)", false},
  };
  return keys;
}

void apply_setting(config& c, std::string_view key, std::string_view value, std::string_view where) {
  auto const k = std::string(key);
  auto const v = std::string(value);
  auto need_value = [&] {
    if (value.empty()) fail(where, k + ": a value is required");
  };
  if (k == "hostname") { need_value(); c.hostname = v; }
  else if (k == "domain") { need_value(); c.domains.push_back(spec::dns::normalize(value)); }
  else if (k == "greeting") c.greeting_text = v;
  else if (k == "strict_tls") c.strict_tls = v;
  else if (k == "cert") { need_value(); c.cert_file = v; }
  else if (k == "key") { need_value(); c.key_file = v; }
  else if (k == "listen") c.listen = value.empty() ? std::nullopt : std::optional(parse_endpoint(value, where));
  else if (k == "listen_implicit")
    c.listen_implicit = value.empty() ? std::nullopt : std::optional(parse_endpoint(value, where));
  else if (k == "maildir") { need_value(); c.maildir = v; }
  else if (k == "mta_sts_policy") c.mta_sts_policy = v;
  else if (k == "mta_sts_listen")
    c.mta_sts_listen = value.empty() ? std::nullopt : std::optional(parse_endpoint(value, where));
  else if (k == "mta_sts_cert") c.mta_sts_cert = v;
  else if (k == "mta_sts_key") c.mta_sts_key = v;
  else if (k == "tlsrpt_rua") c.tlsrpt_rua = v;
  else if (k == "max_message_size") c.max_message_size = parse_size(value, where);
  else if (k == "max_recipients") c.max_recipients = parse_uint(value, where, k);
  else if (k == "max_errors") c.max_errors = parse_uint(value, where, k);
  else if (k == "max_connections") c.max_connections = parse_uint(value, where, k);
  else if (k == "max_connections_per_ip") c.max_connections_per_ip = parse_uint(value, where, k);
  else if (k == "timeout_command") c.timeout_command = parse_duration(value, where);
  else if (k == "timeout_tls_handshake") c.timeout_tls_handshake = parse_duration(value, where);
  else if (k == "timeout_data_line") c.timeout_data_line = parse_duration(value, where);
  else if (k == "timeout_data_total") c.timeout_data_total = parse_duration(value, where);
  else if (k == "min_data_rate") c.min_data_rate = parse_uint(value, where, k);
  else if (k == "timeout_session") c.timeout_session = parse_duration(value, where);
  else if (k == "drain_grace") c.drain_grace = parse_duration(value, where);
  else if (k == "log_file") c.log_file = v;
  else if (k == "threads") {
    auto const n = parse_uint(value, where, k);
    if (n > 256) fail(where, "threads: at most 256");
    c.threads = static_cast<unsigned>(n);
  } else if (k == "fsync") c.fsync = parse_bool(value, where, k);
  else fail(where, "unknown key \"" + k + "\" (see mxtls-serve --help)");
  if ((k == "max_recipients" || k == "max_errors" || k == "max_connections" ||
       k == "max_connections_per_ip" || k == "max_message_size") &&
      parse_size(value, where) == 0)
    fail(where, k + ": must be at least 1");
}

void parse_config_text(config& c, std::string_view text, std::string_view file_name) {
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    auto const nl = text.find('\n');
    auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    auto const where = std::string(file_name) + ":" + std::to_string(line_no);
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    auto const eq = line.find('=');
    if (eq == std::string_view::npos) fail(where, "expected \"key = value\", got \"" + std::string(line) + "\"");
    auto const key = trim(line.substr(0, eq));
    auto value = trim(line.substr(eq + 1));
    if (key.empty()) fail(where, "missing key before \"=\"");
    // Optional double quotes keep leading/trailing blanks or a '#'.
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    apply_setting(c, key, value, where);
  }
}

void load_config_file(config& c, std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error(path + ": cannot open the config file");
  std::stringstream ss;
  ss << in.rdbuf();
  parse_config_text(c, ss.str(), path);
}

command_line parse_command_line(std::vector<std::string> const& args) {
  command_line cl;
  std::vector<std::pair<std::string, std::string>> flags;  // key, value in order
  std::string config_path;
  std::size_t i = 0;
  if (!args.empty() && args[0] == "print-dns") {
    cl.what = command_line::mode::print_dns;
    i = 1;
  }
  for (; i < args.size(); ++i) {
    std::string const& a = args[i];
    if (a == "-h" || a == "--help") {
      cl.what = command_line::mode::help;
      return cl;
    }
    if (a == "--version") {
      cl.what = command_line::mode::version;
      return cl;
    }
    if (a.rfind("--", 0) != 0) throw config_error(a + ": unexpected argument (see --help)");
    std::string name = a.substr(2);
    std::string value;
    bool have_value = false;
    if (auto const eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      have_value = true;
    }
    if (!have_value) {
      if (i + 1 >= args.size()) throw config_error(a + ": a value is required");
      value = args[++i];
    }
    std::string key = name;
    std::replace(key.begin(), key.end(), '-', '_');
    if (key == "config") {
      config_path = value;
      continue;
    }
    auto const& keys = documented_keys();
    if (std::none_of(keys.begin(), keys.end(), [&](key_doc const& d) { return d.key == key; }))
      throw config_error("--" + name + ": unknown option (see --help)");
    flags.emplace_back(key, value);
  }
  if (!config_path.empty()) load_config_file(cl.cfg, config_path);
  // A repeatable key given on the command line replaces the file's list.
  std::vector<std::string> cleared;
  for (auto const& [key, value] : flags) {
    if (key == "domain" && std::find(cleared.begin(), cleared.end(), key) == cleared.end()) {
      cl.cfg.domains.clear();
      cleared.push_back(key);
    }
    apply_setting(cl.cfg, key, value, flag_of(key));
  }
  return cl;
}

namespace {

void check_hostname(std::string const& name, std::string_view what) {
  auto r = spec::dns::parse_hostname(name, {.allow_trailing_dot = false, .min_labels = 2});
  if (!r)
    throw config_error(std::string(what) + ": \"" + name + "\" is not a host name (" +
                       std::string(r.error().requirement) + ": " + r.error().message() + ")");
}

void check_names(config const& c) {
  if (c.hostname.empty()) throw config_error("hostname: required (set hostname = or --hostname)");
  check_hostname(c.hostname, "hostname");
  if (c.domains.empty()) throw config_error("domain: at least one is required (domain = or --domain)");
  for (auto const& d : c.domains) check_hostname(d, "domain");
}

}  // namespace

void validate_for_serving(config const& c) {
  check_names(c);
  if (c.cert_file.empty()) throw config_error("cert: required (set cert = or --cert)");
  if (c.key_file.empty()) throw config_error("key: required (set key = or --key)");
  if (c.maildir.empty()) throw config_error("maildir: required (set maildir = or --maildir)");
  if (!c.listen && !c.listen_implicit)
    throw config_error("listen: at least one of listen and listen_implicit is required");
  if (c.mta_sts_listen && c.mta_sts_policy.empty())
    throw config_error("mta_sts_listen: needs mta_sts_policy");
  if (c.greeting_text.find_first_of("\r\n") != std::string::npos)
    throw config_error("greeting: must be one line");
  if (!c.strict_tls.empty()) {
    // [BAN-03] the directive must be exactly what the banner grammar accepts.
    auto d = spec::banner::parse_directive(c.strict_tls);
    if (!d)
      throw config_error("strict_tls: \"" + c.strict_tls + "\" is not a valid directive (" +
                         std::string(d.error().requirement) + ": " + d.error().message() +
                         " at offset " + std::to_string(d.error().offset) + ")");
    // [BAN-12] senders ignore a directive whose pattern does not cover this host.
    if (!spec::banner::in_scope(*d, c.hostname))
      throw config_error("strict_tls: the pattern " + d->pattern.to_string() + " does not cover hostname " +
                         c.hostname + ", so senders would ignore it (BAN-12)");
  }
  if (c.timeout_command.count() <= 0 || c.timeout_data_line.count() <= 0 ||
      c.timeout_data_total.count() <= 0 || c.timeout_tls_handshake.count() <= 0 ||
      c.timeout_session.count() <= 0)
    throw config_error("timeout_*: every timeout must be above zero");
}

void validate_for_print_dns(config const& c) { check_names(c); }

std::string usage_text() {
  std::string u =
      "usage: mxtls-serve [--config FILE] [--KEY VALUE]...      run the receiving MTA\n"
      "       mxtls-serve print-dns [--config FILE] [--KEY VALUE]...  print the DNS records to publish\n"
      "       mxtls-serve --help | --version\n"
      "\n"
      "The config file holds `key = value` lines (# starts a comment). Every key is also a\n"
      "flag (--key-name VALUE or --key-name=VALUE, '_' written '-') that overrides the file;\n"
      "a repeatable key given as a flag replaces the file's list.\n"
      "\n"
      "Keys:\n";
  for (auto const& k : documented_keys()) {
    std::string left = "  " + flag_of(k.key) + " " + std::string(k.value);
    if (left.size() < 34) left.resize(34, ' ');
    else left += "\n" + std::string(34, ' ');
    u += left + std::string(k.meaning) + (k.repeatable ? " [repeatable]" : "") + "\n";
  }
  u +=
      "\nDurations: 300, 300s, 250ms, 5m, 1h. Sizes: 1048576, 64k, 10M.\n"
      "Example: mxtls-serve --hostname smtps-mx.example.org --domain example.org \\\n"
      "           --cert cert.pem --key key.pem --maildir /var/mail/mxtls \\\n"
      "           --listen 0.0.0.0:25 --listen-implicit 0.0.0.0:26 \\\n"
      "           --strict-tls \"strict-tls=*.example.org; max-age=86400\"\n";
  return u;
}

}  // namespace mxtls::server
