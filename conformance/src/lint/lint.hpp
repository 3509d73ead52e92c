// `mxtls-conform lint`: operators check records before publishing them. Shared plumbing
// (input reading with a size bound, --json / human output, exit codes) for every subcommand.
#pragma once

#include "mxtls/spec/error.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::conformance::lint {

/// Exit codes of every lint subcommand (documented in --help and the README).
inline constexpr int exit_valid = 0;    ///< valid record, or the pattern matched
inline constexpr int exit_invalid = 1;  ///< invalid record, or no match
inline constexpr int exit_usage = 2;    ///< usage or I/O error

/// Hard bound on any lint input. Policies are limited to 64 KiB by [STS-3.3-xx];
/// accept up to 1 MiB here so that an oversized policy is reported, not truncated.
inline constexpr std::size_t max_input_bytes = 1024 * 1024;

struct options {
  bool json = false;
  std::vector<std::string> patterns;    ///< --pattern P (match-mx)
  std::vector<std::string> positional;  ///< FILE|- or HOST
};

/// Reads FILE, or standard input for "-" or when `path` is empty. Returns false and
/// fills `error` on an I/O error or when the input exceeds max_input_bytes.
bool read_input(std::string_view path, std::string& out, std::string& error);

/// Reads the single optional FILE|- positional of `opt`; on error prints it and
/// returns false (the caller then returns exit_usage).
bool read_single_input(options const& opt, std::string_view subcommand, std::string& out);

/// Prints a rejection: JSON {"valid":false,"error","requirement","offset"} or a human
/// explanation with the offending line and a caret. Returns exit_invalid.
int report_invalid(options const& opt, spec::parse_error const& err, std::string_view input);

/// Prints an acceptance: JSON {"valid":true, ...fields} or the human text. Returns exit_valid.
int report_valid(options const& opt, boost::json::object fields, std::string_view human);

/// Prints a usage error on stderr. Returns exit_usage.
int usage_error(std::string_view subcommand, std::string_view message);

/// A lint subcommand. Each lives in its own file under src/lint/ and registers itself:
///   static const registrar reg{{"sts-policy", "[FILE|-]", "check an MTA-STS policy file", &run}};
struct subcommand {
  std::string_view name;
  std::string_view synopsis;  ///< arguments after the name, for --help
  std::string_view summary;   ///< one line for --help
  int (*run)(options const&);
  bool takes_patterns = false;  ///< accepts --pattern P (match-mx)
};

struct registrar {
  explicit registrar(subcommand cmd);
};

/// All registered subcommands, sorted by name.
std::vector<subcommand> const& subcommands();

/// Entry point for `mxtls-conform lint ...` (argv after "lint").
int main(std::vector<std::string> const& args);

}  // namespace mxtls::conformance::lint
