// mxtls-conform: checks third-party MTAs against the strict-TLS proposal and RFC 8461.
// This file dispatches to the subcommands; each lives in its own folder under src/.
#include "lint/lint.hpp"
#include "runner/cli.hpp"

#include <iostream>
#include <string>
#include <vector>

namespace {
void print_help(std::ostream& os) {
  os << "usage: mxtls-conform COMMAND [ARGS]\n\n"
        "commands:\n"
        "  receiver --target HOST[:PORT] --mx-name NAME [...]\n"
        "                        run the receiver suite against an SMTP server\n"
        "  sender --inject 'COMMAND TEMPLATE' [...]\n"
        "                        run the sender suite against a sending MTA\n"
        "  combine REPORT.json...  merge the reports of several runs into one\n"
        "  list [--role R] [--profile P] [--json]\n"
        "                        print the case catalogue\n"
        "  world [--config FILE] start a test world (DNS, CA, policy hosts) by hand\n"
        "  lint SUBCOMMAND ...   check MTA-STS / TLSRPT records, policies, MX names and\n"
        "                        strict-tls greetings before publishing (see 'lint --help')\n"
        "  help                  show this help\n\n"
        "Each command takes --help.\n\n"
        "exit status of receiver and sender: 0 every result as expected, 1 an unexpected result,\n"
        "2 usage error, 3 the world, the harness or the target could not be reached;\n"
        "of lint: 0 success, 1 check failed, 2 usage or I/O error\n";
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
  if (cmd == "receiver") return mxtls::conformance::cli::receiver_main(args);
  if (cmd == "sender") return mxtls::conformance::cli::sender_main(args);
  if (cmd == "combine") return mxtls::conformance::cli::combine_main(args);
  if (cmd == "list") return mxtls::conformance::cli::list_main(args);
  if (cmd == "world") return mxtls::conformance::cli::world_main(args);
  std::cerr << "mxtls-conform: unknown command '" << cmd << "' (try 'mxtls-conform --help')\n";
  return 2;
}
