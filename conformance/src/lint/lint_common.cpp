// Shared plumbing of `mxtls-conform lint`: argument parsing, bounded input, reports.
#include "lint/lint.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace mxtls::conformance::lint {

namespace {
std::vector<subcommand>& registry() {
  static std::vector<subcommand> cmds;
  return cmds;
}

void print_help(std::ostream& os) {
  os << "usage: mxtls-conform lint SUBCOMMAND [--json] [ARGS]\n\n"
        "Checks DNS records, policy files and SMTP greetings before you publish them.\n\n"
        "subcommands:\n";
  for (auto const& c : subcommands()) {
    std::string head = std::string(c.name) + " " + std::string(c.synopsis);
    os << "  " << head;
    if (head.size() < 44) os << std::string(44 - head.size(), ' ');
    else os << "\n  " << std::string(44, ' ');
    os << c.summary << '\n';
  }
  os << "\noptions:\n"
        "  --json        print one JSON object on stdout instead of an explanation\n"
        "  -h, --help    show this help\n\n"
        "FILE may be '-' or omitted to read standard input (at most 1 MiB).\n"
        "TXT inputs hold the RRset at the name, one RR per line, as `dig +short TXT` prints it.\n\n"
        "exit status:\n"
        "  0  valid (or: the host matches a pattern)\n"
        "  1  invalid (or: no match)\n"
        "  2  usage or I/O error\n";
}
}  // namespace

registrar::registrar(subcommand cmd) {
  auto& r = registry();
  r.push_back(cmd);
  std::sort(r.begin(), r.end(), [](auto const& a, auto const& b) { return a.name < b.name; });
}

std::vector<subcommand> const& subcommands() { return registry(); }

bool read_input(std::string_view path, std::string& out, std::string& error) {
  bool const use_stdin = path.empty() || path == "-";
  std::FILE* f = use_stdin ? stdin : std::fopen(std::string(path).c_str(), "rb");
  if (f == nullptr) {
    error = std::string(path) + ": " + std::strerror(errno);
    return false;
  }
  out.clear();
  char buf[8192];
  bool ok = true;
  for (;;) {
    std::size_t const n = std::fread(buf, 1, sizeof buf, f);
    if (n > 0) {
      if (out.size() + n > max_input_bytes) {
        error = std::string(use_stdin ? "<stdin>" : path) + ": input exceeds " +
                std::to_string(max_input_bytes) + " bytes";
        ok = false;
        break;
      }
      out.append(buf, n);
    }
    if (n < sizeof buf) {
      if (std::ferror(f)) {
        error = std::string(use_stdin ? "<stdin>" : path) + ": read error: " + std::strerror(errno);
        ok = false;
      }
      break;
    }
  }
  if (!use_stdin) std::fclose(f);
  return ok;
}

bool read_single_input(options const& opt, std::string_view subcommand, std::string& out) {
  if (opt.positional.size() > 1) {
    usage_error(subcommand, "expects at most one FILE argument");
    return false;
  }
  std::string error;
  if (!read_input(opt.positional.empty() ? std::string_view{} : opt.positional[0], out, error)) {
    std::cerr << "mxtls-conform lint " << subcommand << ": " << error << '\n';
    return false;
  }
  return true;
}

int report_invalid(options const& opt, spec::parse_error const& err, std::string_view input) {
  if (opt.json) {
    boost::json::object o;
    o["valid"] = false;
    o["error"] = err.message();
    o["requirement"] = std::string(err.requirement);
    o["offset"] = err.offset;
    std::cout << boost::json::serialize(o) << '\n';
    return exit_invalid;
  }
  std::cout << "invalid: " << err.message() << "\n  requirement: " << err.requirement
            << "\n  at byte offset " << err.offset;
  // Show the offending line with a caret under the byte.
  std::size_t const off = std::min(err.offset, input.size());
  std::size_t const begin = input.rfind('\n', off == 0 ? 0 : off - 1);
  std::size_t const line_start = (begin == std::string_view::npos || off == 0) ? 0 : begin + 1;
  std::size_t line_end = input.find('\n', line_start);
  if (line_end == std::string_view::npos) line_end = input.size();
  std::size_t const line_no =
      static_cast<std::size_t>(std::count(input.begin(), input.begin() + static_cast<std::ptrdiff_t>(line_start), '\n')) + 1;
  std::cout << " (line " << line_no << ", column " << (off - line_start + 1) << ")\n";
  if (line_end > line_start || off == line_start) {
    std::string shown;
    for (char c : input.substr(line_start, line_end - line_start)) {
      unsigned char const u = static_cast<unsigned char>(c);
      shown += (u < 0x20 || u == 0x7f) ? '?' : c;  // keep the caret aligned
    }
    std::cout << "  | " << shown << "\n  | " << std::string(off - line_start, ' ') << "^\n";
  }
  return exit_invalid;
}

int report_valid(options const& opt, boost::json::object fields, std::string_view human) {
  if (opt.json) {
    boost::json::object o;
    o["valid"] = true;
    for (auto& kv : fields) o[kv.key()] = std::move(kv.value());
    std::cout << boost::json::serialize(o) << '\n';
  } else {
    std::cout << human;
    if (!human.empty() && human.back() != '\n') std::cout << '\n';
  }
  return exit_valid;
}

int usage_error(std::string_view subcommand, std::string_view message) {
  std::cerr << "mxtls-conform lint";
  if (!subcommand.empty()) std::cerr << ' ' << subcommand;
  std::cerr << ": " << message << "\n(try 'mxtls-conform lint --help')\n";
  return exit_usage;
}

int main(std::vector<std::string> const& args) {
  if (args.empty()) {
    print_help(std::cerr);
    return exit_usage;
  }
  if (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    print_help(std::cout);
    return exit_valid;
  }
  auto const& cmds = subcommands();
  auto const it = std::find_if(cmds.begin(), cmds.end(), [&](auto const& c) { return c.name == args[0]; });
  if (it == cmds.end()) return usage_error({}, "unknown subcommand '" + args[0] + "'");

  options opt;
  bool only_positional = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string const& a = args[i];
    if (only_positional || a == "-" || a.empty() || a[0] != '-') {
      opt.positional.push_back(a);
    } else if (a == "--") {
      only_positional = true;
    } else if (a == "--json") {
      opt.json = true;
    } else if (a == "-h" || a == "--help") {
      std::cout << "usage: mxtls-conform lint " << it->name << " [--json] " << it->synopsis << "\n  "
                << it->summary << "\nexit status: 0 valid/match, 1 invalid/no match, 2 usage or I/O error\n";
      return exit_valid;
    } else if (it->takes_patterns && (a == "--pattern" || a.rfind("--pattern=", 0) == 0)) {
      if (a == "--pattern") {
        if (i + 1 >= args.size()) return usage_error(it->name, "--pattern needs a value");
        opt.patterns.push_back(args[++i]);
      } else {
        opt.patterns.push_back(a.substr(10));
      }
    } else {
      return usage_error(it->name, "unknown option '" + a + "'");
    }
  }
  return it->run(opt);
}

}  // namespace mxtls::conformance::lint
