// mxtls-serve configuration: one `key = value` file, every key also a `--key` flag that
// overrides the file. Errors name the file and line (or the flag) and the rule broken.
// The values are checked here; the strict-tls= directive is validated with the banner parser.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::server {

/// A configuration error; what() reads "FILE:LINE: message" or "--flag: message".
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A listening address "ADDR:PORT" ("[v6]:PORT" for IPv6).
struct endpoint {
  std::string address;
  std::uint16_t port = 0;
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(endpoint const&, endpoint const&) = default;
};

/// Parses "127.0.0.1:25", "[::1]:26", "0.0.0.0:2525"; throws config_error (where is the
/// "FILE:LINE" or flag prefix).
endpoint parse_endpoint(std::string_view text, std::string_view where);

/// Parses "300", "300s", "250ms", "5m", "1h"; throws config_error.
std::chrono::milliseconds parse_duration(std::string_view text, std::string_view where);

/// Parses a byte count "1048576", "64k", "10M"; throws config_error.
std::uint64_t parse_size(std::string_view text, std::string_view where);

struct config {
  // Identity and mail routing.
  std::string hostname;              ///< the server's host name (greeting, Received:, TLSA owner)
  std::vector<std::string> domains;  ///< lower case; mail accepted only for these
  std::string greeting_text = "ESMTP mxtls-serve";  ///< text after the host name in the 220
  std::string strict_tls;            ///< the full "strict-tls=..." directive, or empty

  // TLS.
  std::string cert_file;  ///< PEM chain, leaf first
  std::string key_file;   ///< PEM private key

  // Listeners.
  std::optional<endpoint> listen;           ///< STARTTLS listener (port 25 in production)
  std::optional<endpoint> listen_implicit;  ///< implicit-TLS listener (port 26)

  // Delivery.
  std::string maildir;  ///< Maildir root (tmp/, new/, cur/ are created)

  // MTA-STS policy host.
  std::string mta_sts_policy;              ///< policy file served at /.well-known/mta-sts.txt
  std::optional<endpoint> mta_sts_listen;  ///< HTTPS listener for the policy host
  std::string mta_sts_cert;                ///< defaults to cert_file
  std::string mta_sts_key;                 ///< defaults to key_file

  // print-dns.
  std::string tlsrpt_rua;  ///< rua= for the _smtp._tls record; empty → placeholder

  // Limits.
  std::uint64_t max_message_size = 25u * 1024u * 1024u;  ///< SIZE; octets of message content
  std::size_t max_recipients = 100;    ///< per message (RFC 5321 §4.5.3.1.8 minimum)
  std::size_t max_errors = 10;         ///< error replies per session before 421 and close
  std::size_t max_connections = 2000;  ///< in total, over all listeners
  std::size_t max_connections_per_ip = 50;

  // Timeouts (RFC 5321 §4.5.3.2) and slowloris protection.
  std::chrono::milliseconds timeout_command{std::chrono::minutes(5)};  ///< a whole command line
  std::chrono::milliseconds timeout_tls_handshake{std::chrono::seconds(60)};
  std::chrono::milliseconds timeout_data_line{std::chrono::minutes(5)};   ///< each DATA read
  std::chrono::milliseconds timeout_data_total{std::chrono::minutes(10)};  ///< a whole DATA
  std::uint64_t min_data_rate = 256;  ///< octets/s averaged over a DATA after its first 30 s
  std::chrono::milliseconds timeout_session{std::chrono::minutes(30)};   ///< whole connection
  std::chrono::milliseconds drain_grace{std::chrono::seconds(30)};      ///< SIGTERM drain

  // Operations.
  std::string log_file;     ///< empty → stderr
  unsigned threads = 0;     ///< I/O threads; 0 → number of cores
  bool fsync = true;        ///< fsync messages before 250 (off only for experiments)
};

/// One documented configuration key.
struct key_doc {
  std::string_view key;      ///< file key; the flag is "--" + key with '_' → '-'
  std::string_view value;    ///< value syntax for --help
  std::string_view meaning;  ///< one line
  bool repeatable = false;
};

/// Every key, in the order --help and docs/mxtls-serve.md list them.
[[nodiscard]] std::vector<key_doc> const& documented_keys();

/// Applies one `key = value` setting. Repeatable keys append (`domain`); others replace.
/// Throws config_error prefixed with `where`.
void apply_setting(config& c, std::string_view key, std::string_view value, std::string_view where);

/// Parses the text of a config file: `key = value` lines, `#` comments, blank lines.
/// `file_name` is used in error messages ("FILE:LINE: ...").
void parse_config_text(config& c, std::string_view text, std::string_view file_name);

/// Reads and parses a config file; throws config_error when unreadable.
void load_config_file(config& c, std::string const& path);

/// The result of the command line: the subcommand and the configuration.
struct command_line {
  enum class mode { serve, print_dns, help, version } what = mode::serve;
  config cfg;
};

/// Parses argv (without argv[0]): [print-dns] [--config FILE] [--KEY VALUE]... [--help].
/// The config file is read first, whatever its position; flags then override it, and a
/// repeatable key given as a flag replaces the file's list. Throws config_error.
command_line parse_command_line(std::vector<std::string> const& args);

/// Checks the settings serving needs (hostname, domains, cert, key, maildir, a listener)
/// and their syntax: host names with dns::parse_hostname, the directive with
/// banner::parse_directive. Throws config_error naming the key.
void validate_for_serving(config const& c);

/// Checks what print-dns needs (hostname, domains). Throws config_error.
void validate_for_print_dns(config const& c);

/// The usage text of --help (lists every key).
[[nodiscard]] std::string usage_text();

}  // namespace mxtls::server
