// mxtls-send: the reference sending MTA client. Everything but argv handling is in
// mxtls_client (cli.cpp): see docs/mxtls-send.md.
#include "mxtls/client/cli.hpp"

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return mxtls::client::run_cli(args, std::cin, std::cout, std::cerr);
}
