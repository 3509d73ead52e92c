// mxtls-serve: the reference receiving MTA of mxtls. `mxtls-serve --help` lists every key;
// docs/mxtls-serve.md is the operator guide.
#include "config.hpp"
#include "print_dns.hpp"
#include "server.hpp"

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  using namespace mxtls::server;
  try {
    auto cl = parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
    switch (cl.what) {
      case command_line::mode::help:
        std::cout << usage_text();
        return 0;
      case command_line::mode::version:
        std::cout << "mxtls-serve 0.1.0\n";
        return 0;
      case command_line::mode::print_dns:
        validate_for_print_dns(cl.cfg);
        std::cout << print_dns(cl.cfg);
        return 0;
      case command_line::mode::serve:
        return run_server(cl.cfg);
    }
  } catch (config_error const& e) {
    std::cerr << "mxtls-serve: " << e.what() << "\n";
    return 2;
  } catch (std::exception const& e) {
    std::cerr << "mxtls-serve: " << e.what() << "\n";
    return 1;
  }
  return 1;
}
