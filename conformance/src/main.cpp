// mxtls-conform: checks third-party MTAs against the strict-TLS proposal and RFC 8461.
// This file dispatches to the subcommands; each lives in its own folder under src/.
#include "lint/lint.hpp"

#include <iostream>
#include <string>
#include <vector>

namespace {
void print_help(std::ostream& os) {
  os << "usage: mxtls-conform COMMAND [ARGS]\n\n"
        "commands:\n"
        "  lint SUBCOMMAND ...   check MTA-STS / TLSRPT records, policies, MX names and\n"
        "                        strict-tls greetings before publishing (see 'lint --help')\n"
        "  help                  show this help\n\n"
        "exit status: 0 success, 1 check failed, 2 usage or I/O error\n";
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_help(std::cerr);
    return 2;
  }
  std::string const cmd = args[0];
  args.erase(args.begin());
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    print_help(std::cout);
    return 0;
  }
  if (cmd == "--version") {
    std::cout << "mxtls-conform 0.1.0\n";
    return 0;
  }
  if (cmd == "lint") return mxtls::conformance::lint::main(args);
  std::cerr << "mxtls-conform: unknown command '" << cmd << "' (try 'mxtls-conform --help')\n";
  return 2;
}
