// The mxtls-send command line: option parsing into a client_config and the whole program
// (read the message, deliver, print the summary / --explain / --json, exit status).
// Exit status: 0 delivered, 75 deferred, 69 bounced, 64 usage, 65 invalid message,
// 66 unreadable message, 78 unusable configuration (trust anchor, CA file, resolver, state).
#pragma once

#include "mxtls/client/config.hpp"
#include "mxtls/client/errc.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace mxtls::client {

inline constexpr int exit_usage = 64;     ///< EX_USAGE
inline constexpr int exit_data = 65;      ///< EX_DATAERR: the message cannot be sent as it is
inline constexpr int exit_no_input = 66;  ///< EX_NOINPUT: the message cannot be read
inline constexpr int exit_config = 78;    ///< EX_CONFIG

struct cli_options {
  client_config cfg;
  std::string from;                 ///< as given ("" or "<>" is the null reverse-path)
  bool from_given = false;
  std::vector<std::string> to;      ///< as given
  std::string message_path = "-";   ///< "-" = standard input
  std::string state_dir;            ///< "" = caches in memory only
  std::optional<std::string> trust_anchor_file;  ///< "none" = no DNSSEC validation
  std::optional<std::string> resolver;           ///< ADDR[:PORT]
  std::optional<std::int64_t> now;               ///< --now
  bool explain = false;
  bool json = false;
  bool help = false;
};

/// Parses the arguments (without the program name). Errors are errc::usage_invalid with
/// the offending argument's index as offset.
[[nodiscard]] result<cli_options> parse_cli(std::vector<std::string> const& args);

/// The --help text.
[[nodiscard]] std::string usage_text();

/// The program: parses, loads the trust anchor, CA file, resolver and state directory,
/// reads the message from `in` or the file, delivers, and prints to `out` / `err`.
[[nodiscard]] int run_cli(std::vector<std::string> const& args, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace mxtls::client
