// The runner's subcommands: `list` (the catalogue), `receiver` (run the receiver suite
// against an MTA), `sender` (run the sender suite against an MTA) and `world` (start a world by hand). Exit statuses of a suite run:
// 0 every result as expected, 1 an unexpected result, 2 usage error, 3 the world, the
// harness or the connection to the target could not start.
#pragma once

#include <string>
#include <vector>

namespace mxtls::conformance::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_unexpected = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_harness = 3;

int list_main(std::vector<std::string> const& args);
int receiver_main(std::vector<std::string> const& args);
int sender_main(std::vector<std::string> const& args);
int combine_main(std::vector<std::string> const& args);
int world_main(std::vector<std::string> const& args);

}  // namespace mxtls::conformance::cli
