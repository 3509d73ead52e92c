// `mxtls-conform list`, `mxtls-conform receiver` and `mxtls-conform sender`: option parsing, the world a receiver run
// uses, the run itself and its reports (exit statuses in cli.hpp).
#include "runner/cli.hpp"

#include "runner/report.hpp"
#include "runner/runner.hpp"
#include "runner/sandbox.hpp"
#include "world/smtp_peer.hpp"
#include "world/world.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace mxtls::conformance::cli {

namespace {

/// Thrown for a usage error; main prints it and exits 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Walks `--name VALUE` / `--name=VALUE` / `--flag` arguments.
class arg_reader {
 public:
  explicit arg_reader(std::vector<std::string> const& args) : args_(args) {}
  bool next() {
    if (i_ >= args_.size()) return false;
    auto const& a = args_[i_++];
    inline_value_.reset();
    if (auto const eq = a.find('='); a.starts_with("--") && eq != std::string::npos) {
      name_ = a.substr(0, eq);
      inline_value_ = a.substr(eq + 1);
    } else {
      name_ = a;
    }
    return true;
  }
  [[nodiscard]] std::string const& name() const { return name_; }
  std::string value() {
    if (inline_value_) return *inline_value_;
    if (i_ >= args_.size()) throw usage_error(name_ + " needs a value");
    return args_[i_++];
  }

 private:
  std::vector<std::string> const& args_;
  std::size_t i_ = 0;
  std::string name_;
  std::optional<std::string> inline_value_;
};

std::uint16_t parse_port(std::string_view s, std::string const& what) {
  unsigned v = 0;
  auto const [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v == 0 || v > 65535)
    throw usage_error(what + ": '" + std::string(s) + "' is not a port number (1-65535)");
  return static_cast<std::uint16_t>(v);
}

/// HOST[:PORT] or [V6]:PORT.
std::pair<std::string, std::optional<std::uint16_t>> split_host_port(std::string const& s, std::string const& what) {
  if (s.starts_with("[")) {
    auto const close = s.find(']');
    if (close == std::string::npos) throw usage_error(what + ": missing ']' in '" + s + "'");
    auto host = s.substr(1, close - 1);
    if (close + 1 == s.size()) return {host, std::nullopt};
    if (s[close + 1] != ':') throw usage_error(what + ": expected ':' after ']' in '" + s + "'");
    return {host, parse_port(std::string_view(s).substr(close + 2), what)};
  }
  auto const colon = s.rfind(':');
  if (colon == std::string::npos) return {s, std::nullopt};
  if (s.find(':') != colon) return {s, std::nullopt};  // a bare IPv6 address
  return {s.substr(0, colon), parse_port(std::string_view(s).substr(colon + 1), what)};
}

unsigned parse_jobs(std::string const& s) {
  unsigned v = 0;
  auto const [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v == 0 || v > 256)
    throw usage_error("--jobs: '" + s + "' is not a number from 1 to 256");
  return v;
}

double parse_scale(std::string const& s) {
  try {
    std::size_t used = 0;
    double const v = std::stod(s, &used);
    if (used == s.size() && v > 0 && v <= 100) return v;
  } catch (...) {
  }
  throw usage_error("--timeout-scale: '" + s + "' is not a number above 0 and at most 100");
}

profile parse_profile_arg(std::string const& s) {
  auto const p = parse_profile(s);
  if (!p) throw usage_error("--profile: '" + s + "' is not core, strict or proposal");
  return *p;
}

/// A progress line that already shows the expectations file's judgement (the run applies it
/// to the records only at the end).
void print_judged_progress(std::ostream& os, case_record const& rec, expectations const& exp, std::size_t done,
                           std::size_t total) {
  case_record shown;
  shown.def.id = rec.def.id;
  shown.result = rec.result;
  shown.duration_ms = rec.duration_ms;
  shown.timed_out = rec.timed_out;
  auto const* entry = exp.find(rec.def.id);
  if (entry) shown.expected = *entry;
  shown.status = judge(rec.result.v, entry);
  print_progress(os, shown, done, total);
}

/// The options `receiver` and `sender` share: selection, run, expectations and reports.
struct suite_args {
  selection sel;
  run_options opt;
  report_paths paths;
  std::optional<std::string> expect_file, spec_dir;
  bool quiet = false;

  /// Consumes the current option of `r` if it is one of these; false otherwise.
  bool take(arg_reader& r) {
    auto const& n = r.name();
    if (n == "--case") sel.case_globs.push_back(r.value());
    else if (n == "--profile") sel.profiles.push_back(parse_profile_arg(r.value()));
    else if (n == "--jobs") opt.jobs = parse_jobs(r.value());
    else if (n == "--timeout-scale") opt.timeout_scale = parse_scale(r.value());
    else if (n == "--expect") expect_file = r.value();
    else if (n == "--json") paths.json = r.value();
    else if (n == "--junit") paths.junit = r.value();
    else if (n == "--html") paths.html = r.value();
    else if (n == "--report-dir") paths.dir = r.value();
    else if (n == "--spec-dir") spec_dir = r.value();
    else if (n == "--quiet") quiet = true;
    else return false;
    return true;
  }
};

std::string join(std::vector<std::string> const& v, char const* sep) {
  std::string out;
  for (auto const& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

constexpr char const* list_help =
    "usage: mxtls-conform list [--role receiver|sender] [--profile P]... [--case GLOB]... [--json]\n\n"
    "Prints the case catalogue: id, requirement IDs, role, profile, description and expectation.\n\n"
    "  --role R       only cases of this role (receiver: tests servers; sender: tests clients)\n"
    "  --profile P    core, strict or proposal; repeatable (union)\n"
    "  --case GLOB    fnmatch-style pattern on the case id, e.g. 'starttls.*'; repeatable (union)\n"
    "  --json         one JSON array instead of text\n\n"
    "exit status: 0 listed, 2 usage error\n";

}  // namespace

int list_main(std::vector<std::string> const& args) {
  std::optional<role> only_role;
  std::vector<profile> profiles;
  std::vector<std::string> globs;
  bool as_json = false;
  try {
    arg_reader r(args);
    while (r.next()) {
      auto const& n = r.name();
      if (n == "-h" || n == "--help") {
        std::cout << list_help;
        return exit_ok;
      }
      if (n == "--role") {
        auto const v = r.value();
        if (v == "receiver") only_role = role::receiver;
        else if (v == "sender") only_role = role::sender;
        else throw usage_error("--role: '" + v + "' is not receiver or sender");
      } else if (n == "--profile") {
        profiles.push_back(parse_profile_arg(r.value()));
      } else if (n == "--case") {
        globs.push_back(r.value());
      } else if (n == "--json") {
        as_json = true;
      } else {
        throw usage_error("unknown option '" + n + "'");
      }
    }
  } catch (usage_error const& e) {
    std::cerr << "mxtls-conform list: " << e.what() << "\n\n" << list_help;
    return exit_usage;
  }

  std::vector<case_def const*> cases;
  for (auto r : {role::receiver, role::sender}) {
    if (only_role && *only_role != r) continue;
    auto sel = select_cases(catalogue(), {r, globs, profiles});
    cases.insert(cases.end(), sel.begin(), sel.end());
  }
  if (as_json) {
    boost::json::array out;
    for (auto const* c : cases) {
      boost::json::array reqs;
      for (auto const& id : c->requirements) reqs.push_back(boost::json::string(id));
      out.push_back({{"id", c->id},
                     {"requirements", std::move(reqs)},
                     {"role", to_string(c->role)},
                     {"profile", to_string(c->profile)},
                     {"description", c->description},
                     {"expectation", c->expectation},
                     {"timeout_ms", c->timeout.count()}});
    }
    std::cout << boost::json::serialize(out) << "\n";
    return exit_ok;
  }
  for (auto const* c : cases) {
    std::cout << c->id << "  [" << join(c->requirements, " ") << "]  " << to_string(c->role) << "/"
              << to_string(c->profile) << "\n"
              << "    " << c->description << "\n"
              << "    expect: " << c->expectation << "\n";
  }
  std::cout << cases.size() << " cases\n";
  return exit_ok;
}

namespace {

constexpr char const* receiver_help =
    "usage: mxtls-conform receiver --target HOST[:PORT] --mx-name NAME [options]\n\n"
    "Runs the receiver suite against a receiving MTA (an SMTP server).\n\n"
    "target:\n"
    "  --target HOST[:PORT]     the MTA's STARTTLS listener (port default 25)\n"
    "  --mx-name NAME           the MX host name the MTA answers for (certificate checks, SNI)\n"
    "  --domain D               a mail domain it serves: enables the MTA-STS, TLSRPT, DANE and\n"
    "                           DNSSEC checks of that domain\n"
    "  --port26 P               its implicit-TLS port (the proposal's port 26)\n"
    "  --ca FILE                PEM trust anchors for certificate checks (default: system store)\n"
    "  --resolver ADDR[:PORT]   DNS resolver for the domain checks (default: /etc/resolv.conf)\n"
    "  --trust-anchor FILE      DNSSEC trust anchor (default: /usr/share/dns/root.key)\n"
    "  --https-address A:PORT   connect MTA-STS policy fetches here instead of resolving\n"
    "                           mta-sts.<domain> (a test world's policy host)\n\n"
    "selection and run:\n"
    "  --case GLOB              fnmatch-style pattern on case ids; repeatable\n"
    "  --profile P              core, strict or proposal; repeatable\n"
    "  --jobs N                 cases run in parallel (default: the number of cores, at least 2)\n"
    "  --timeout-scale X        multiply every case's timeout by X (slow machines, sanitizers)\n"
    "  --expect FILE            the MTA's expectations file: known deviations, one per line\n"
    "                           'CASE-ID-OR-GLOB VERDICT REASON...' ('#' comments)\n"
    "  --quiet                  no progress lines, only the summary\n\n"
    "reports:\n"
    "  --json FILE  --junit FILE  --html FILE\n"
    "  --report-dir DIR         write report.json, report.xml and report.html to DIR\n"
    "                           (default when no report option is given: ./mxtls-report)\n"
    "  --spec-dir DIR           the requirement registry (spec/requirements) whose texts the\n"
    "                           reports quote (default: the source tree, or ../share/mxtls/spec)\n\n"
    "exit status:\n"
    "  0  every result as expected (no fail or harness-error, or only those --expect lists)\n"
    "  1  at least one unexpected fail or harness-error, or an expected deviation that no\n"
    "     longer happens (unexpectedly passing: update the expectations file)\n"
    "  2  usage error (including a selection that matches no case, or a bad --expect file)\n"
    "  3  the world or the harness could not start, or the target is unreachable\n";

/// Connects once to check that the target listens before dozens of cases fail on it.
std::optional<std::string> preflight(std::string const& host, std::uint16_t port) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  asio::ip::tcp::socket socket(io);
  boost::system::error_code result = asio::error::timed_out;
  resolver.async_resolve(host, std::to_string(port), [&](boost::system::error_code ec, auto endpoints) {
    if (ec) {
      result = ec;
      return;
    }
    asio::async_connect(socket, endpoints, [&](boost::system::error_code cec, auto const&) { result = cec; });
  });
  io.run_for(std::chrono::seconds(10));
  if (!result) return std::nullopt;
  return result.message();
}

}  // namespace

int receiver_main(std::vector<std::string> const& args) {
  receiver_target target;
  bool have_target = false;
  suite_args run_args;
  run_args.sel.role = role::receiver;
  auto& [sel, opt, paths, expect_file, spec_dir, quiet] = run_args;
  try {
    arg_reader r(args);
    while (r.next()) {
      auto const& n = r.name();
      if (n == "-h" || n == "--help") {
        std::cout << receiver_help;
        return exit_ok;
      }
      if (n == "--target") {
        auto const [host, port] = split_host_port(r.value(), "--target");
        if (host.empty()) throw usage_error("--target: empty host");
        target.host = host;
        target.port = port.value_or(25);
        have_target = true;
      } else if (n == "--mx-name") {
        target.mx_name = r.value();
      } else if (n == "--domain") {
        target.domain = r.value();
      } else if (n == "--port26") {
        target.port26 = parse_port(r.value(), "--port26");
      } else if (n == "--ca") {
        target.ca_file = r.value();
      } else if (n == "--resolver") {
        target.resolver = r.value();
      } else if (n == "--trust-anchor") {
        target.trust_anchor = r.value();
      } else if (n == "--https-address") {
        target.https_address = r.value();
      } else if (!run_args.take(r)) {
        throw usage_error("unknown option '" + n + "'");
      }
    }
    if (!have_target) throw usage_error("--target is required");
    if (target.mx_name.empty()) throw usage_error("--mx-name is required");
  } catch (usage_error const& e) {
    std::cerr << "mxtls-conform receiver: " << e.what() << "\n\n" << receiver_help;
    return exit_usage;
  }
  if (!paths.json && !paths.junit && !paths.html && !paths.dir) paths.dir = "mxtls-report";

  auto const cases = select_cases(catalogue(), sel);
  if (cases.empty()) {
    std::cerr << "mxtls-conform receiver: no receiver case matches the selection (see 'mxtls-conform list')\n";
    return exit_usage;
  }
  expectations exp;
  if (expect_file) {
    try {
      exp = expectations::load(*expect_file);
    } catch (std::exception const& e) {
      std::cerr << "mxtls-conform receiver: " << e.what() << "\n";
      return exit_usage;
    }
  }
  auto const registry = requirement_registry::load(spec_dir ? *spec_dir : default_spec_dir());
  if (registry.size() == 0)
    std::cerr << "mxtls-conform receiver: note: no requirement registry found (--spec-dir); reports show IDs only\n";

  if (auto const why = preflight(target.host, target.port)) {
    std::cerr << "mxtls-conform receiver: cannot connect to " << target.host << ":" << target.port << ": " << *why << "\n";
    return exit_harness;
  }
  std::unique_ptr<world> w;
  try {
    w = std::make_unique<world>();
  } catch (std::exception const& e) {
    std::cerr << "mxtls-conform receiver: the world could not start: " << e.what() << "\n";
    return exit_harness;
  }

  opt.target = &target;
  opt.w = w.get();
  opt.tld = w->tld();
  std::mutex out_mu;
  if (!quiet)
    opt.on_case_done = [&](case_record const& rec, std::size_t done, std::size_t total) {
      std::lock_guard lock(out_mu);
      print_judged_progress(std::cout, rec, exp, done, total);
    };
  std::cout << "mxtls-conform: " << cases.size() << " receiver cases against " << target.host << ":" << target.port
            << " (" << target.mx_name << ") with " << opt.jobs << " jobs\n";
  auto report = run_cases(cases, opt);
  // Expectations are judged after the run so progress lines show the raw verdicts first.
  std::vector<std::string> ids;
  for (auto const& c : catalogue()) ids.push_back(c.id);
  apply_expectations(report, exp, ids);

  report.facts.emplace_back("target", target.host + ":" + std::to_string(target.port));
  report.facts.emplace_back("mx-name", target.mx_name);
  if (target.domain) report.facts.emplace_back("domain", *target.domain);
  if (target.port26) report.facts.emplace_back("port26", std::to_string(*target.port26));
  report.facts.emplace_back("ca", target.ca_file.empty() ? "system store" : target.ca_file);
  if (target.resolver) report.facts.emplace_back("resolver", *target.resolver);
  if (target.trust_anchor) report.facts.emplace_back("trust-anchor", *target.trust_anchor);
  if (target.https_address) report.facts.emplace_back("https-address", *target.https_address);
  if (expect_file) report.facts.emplace_back("expectations", *expect_file);
  report.facts.emplace_back("world-dns", w->dns_address_text());
  report.facts.emplace_back("world-tld", w->tld());

  print_summary(std::cout, report);
  try {
    for (auto const& p : write_reports(report, registry, paths)) std::cout << "report: " << p << "\n";
  } catch (std::exception const& e) {
    std::cerr << "mxtls-conform receiver: " << e.what() << "\n";
    return exit_harness;
  }
  auto const code = report.exit_code();
  std::cout << "exit status " << code << (code == 0 ? " (every result as expected)\n" : " (unexpected results)\n");
  return code;
}

}  // namespace mxtls::conformance::cli

namespace mxtls::conformance::cli {

namespace {

constexpr char const* sender_help =
    "usage: mxtls-conform sender --inject 'COMMAND TEMPLATE' [options]\n\n"
    "Runs the sender suite against a sending MTA: for every case the suite makes a domain in\n"
    "its world (signed DNS, MX hosts played by scripted SMTP peers on ports 25 and 26, an\n"
    "MTA-STS policy host on 443, TLSA records), hands the MTA one message for that domain\n"
    "through the trigger, and classifies where it went: delivered over verified TLS, over\n"
    "unverified TLS, IN PLAINTEXT, to the wrong host, deferred or bounced.\n\n"
    "trigger contract:\n"
    "  --inject TEMPLATE        shell command that hands one message to the MTA; placeholders\n"
    "                           (replaced by shell-quoted values): {from} {to} {message_file}\n"
    "                           {resolver} (the world's DNS, ADDR:PORT) {trust_anchor} (its DS\n"
    "                           file) {ca_file} (the world CA) {state_dir} {now} (the world's\n"
    "                           clock, Unix seconds; without it time cases are unsupported)\n"
    "                           {case} (the case's domain)\n"
    "  --flush COMMAND          run after every inject (e.g. 'postqueue -f'); same placeholders\n"
    "  --observe SECONDS        wait this long for a delivery after the trigger exits 0\n"
    "                           (default 5); exit 75 means deferred and 69 bounced at once\n"
    "  --trigger-timeout S      kill a trigger (its process group) after S seconds (default 20)\n"
    "  --resolver-mode M        validating (default): the world's DNS never sets AD, the MTA\n"
    "                           validates DNSSEC from {trust_anchor}; ad-bit: it sets AD on\n"
    "                           secure answers and SERVFAILs bogus ones (MTAs that trust their\n"
    "                           resolver)\n"
    "  --no-namespace           do not create the network and mount namespaces (use only inside\n"
    "                           a container or namespace of your own: the world then binds\n"
    "                           127.0.0.1:53 and 127.64.x.y:25/26/443 where it runs, and\n"
    "                           /etc/resolv.conf and the CA bundle are not replaced)\n"
    "  --work-dir DIR           messages, trigger logs and {state_dir} (default: a new directory\n"
    "                           under $TMPDIR, removed at the end unless --keep-work)\n"
    "  --keep-work              keep the work directory\n\n"
    "By default the run enters a new network namespace (loopback only; all of 127.0.0.0/8 is\n"
    "local) and a private mount namespace in which /etc/resolv.conf says 'nameserver\n"
    "127.0.0.1' (the world's DNS on port 53) and the system CA bundle also holds the world CA.\n"
    "The trigger and everything it starts run inside both. Needs root, or unprivileged user\n"
    "namespaces.\n\n"
    "selection and run:\n"
    "  --case GLOB, --profile P, --jobs N (default 8), --timeout-scale X, --expect FILE,\n"
    "  --quiet                  as for 'receiver'\n\n"
    "reports:\n"
    "  --json FILE  --junit FILE  --html FILE  --report-dir DIR (default ./mxtls-report)\n"
    "  --spec-dir DIR\n\n"
    "exit status:\n"
    "  0  every result as expected\n"
    "  1  an unexpected result (a plaintext delivery where TLS was required is always one,\n"
    "     and is marked CRITICAL)\n"
    "  2  usage error\n"
    "  3  the namespaces, the world or the harness could not start\n";

/// A typo in a placeholder ("{form}") would otherwise reach the shell as literal text and make
/// every case fail for the wrong reason: `{name}` with a lower-case name must be a placeholder
/// of the contract. Shell parameter expansions ("${name}") are left alone.
void check_placeholders(std::string const& tmpl, std::string const& what) {
  for (std::size_t open = tmpl.find('{'); open != std::string::npos; open = tmpl.find('{', open + 1)) {
    if (open > 0 && tmpl[open - 1] == '$') continue;
    auto const close = tmpl.find('}', open);
    if (close == std::string::npos) return;
    auto const name = std::string_view(tmpl).substr(open + 1, close - open - 1);
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; }))
      continue;
    if (std::find(std::begin(trigger_placeholders), std::end(trigger_placeholders), name) == std::end(trigger_placeholders)) {
      std::string known;
      for (auto p : trigger_placeholders) known += (known.empty() ? "{" : " {") + std::string(p) + "}";
      throw usage_error(what + ": unknown placeholder {" + std::string(name) + "} (known: " + known + ")");
    }
  }
}

std::chrono::milliseconds parse_seconds(std::string const& s, std::string const& what) {
  try {
    std::size_t used = 0;
    double const v = std::stod(s, &used);
    if (used == s.size() && v >= 0 && v <= 3600) return std::chrono::milliseconds(static_cast<long long>(v * 1000));
  } catch (...) {
  }
  throw usage_error(what + ": '" + s + "' is not a number of seconds from 0 to 3600");
}

void write_file(std::string const& path, std::string const& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_file(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

int sender_main(std::vector<std::string> const& args) {
  sender_target target;
  bool have_inject = false, namespaced = true, keep_work = false;
  std::string work_dir;
  suite_args run_args;
  run_args.sel.role = role::sender;
  // Sender cases mostly wait (on the MTA, its timeouts and the peers), so more of them run at
  // once than there are cores.
  run_args.opt.jobs = 8;
  auto& [sel, opt, paths, expect_file, spec_dir, quiet] = run_args;
  try {
    arg_reader r(args);
    while (r.next()) {
      auto const& n = r.name();
      if (n == "-h" || n == "--help") {
        std::cout << sender_help;
        return exit_ok;
      }
      if (n == "--inject") {
        target.inject = r.value();
        have_inject = !target.inject.empty();
      } else if (n == "--flush") {
        target.flush = r.value();
      } else if (n == "--observe") {
        target.observe = parse_seconds(r.value(), "--observe");
      } else if (n == "--trigger-timeout") {
        target.trigger_timeout = parse_seconds(r.value(), "--trigger-timeout");
      } else if (n == "--resolver-mode") {
        auto const v = r.value();
        if (v == "validating") target.resolver_sets_ad = false;
        else if (v == "ad-bit") target.resolver_sets_ad = true;
        else throw usage_error("--resolver-mode: '" + v + "' is not validating or ad-bit");
      } else if (n == "--no-namespace") {
        namespaced = false;
      } else if (n == "--work-dir") {
        work_dir = r.value();
      } else if (n == "--keep-work") {
        keep_work = true;
      } else if (!run_args.take(r)) {
        throw usage_error("unknown option '" + n + "'");
      }
    }
    if (!have_inject) throw usage_error("--inject is required");
    check_placeholders(target.inject, "--inject");
    check_placeholders(target.flush, "--flush");
  } catch (usage_error const& e) {
    std::cerr << "mxtls-conform sender: " << e.what() << "\n\n" << sender_help;
    return exit_usage;
  }
  target.can_set_time = target.inject.find("{now}") != std::string::npos;
  if (!paths.json && !paths.junit && !paths.html && !paths.dir) paths.dir = "mxtls-report";

  auto const cases = select_cases(catalogue(), sel);
  if (cases.empty()) {
    std::cerr << "mxtls-conform sender: no sender case matches the selection (see 'mxtls-conform list')\n";
    return exit_usage;
  }
  expectations exp;
  if (expect_file) {
    try {
      exp = expectations::load(*expect_file);
    } catch (std::exception const& e) {
      std::cerr << "mxtls-conform sender: " << e.what() << "\n";
      return exit_usage;
    }
  }
  auto const registry = requirement_registry::load(spec_dir ? *spec_dir : default_spec_dir());

  // Relative report paths and the work directory are fixed before anything else happens.
  namespace fs = std::filesystem;
  bool own_work = false;
  try {
    if (work_dir.empty()) {
      work_dir = make_scratch_dir("mxtls-sender");
      own_work = !keep_work;
    } else {
      fs::create_directories(work_dir);
    }
    work_dir = fs::absolute(work_dir).string();
    target.work_dir = work_dir + "/cases";
    target.state_dir = work_dir + "/state";
    fs::create_directories(target.work_dir);
    fs::create_directories(target.state_dir);
  } catch (std::exception const& e) {
    std::cerr << "mxtls-conform sender: work directory: " << e.what() << "\n";
    return exit_harness;
  }
  struct cleanup_t {
    std::string dir;
    bool remove;
    ~cleanup_t() {
      std::error_code ec;
      if (remove) fs::remove_all(dir, ec);
    }
  } cleanup{work_dir, own_work};

  // The namespaces come first: unshare needs a single-threaded process, and the world starts
  // threads.
  if (namespaced) {
    if (auto const why = sandbox::enter()) {
      std::cerr << "mxtls-conform sender: cannot create the network and mount namespaces: " << *why
                << "\n  (run as root, or pass --no-namespace inside a container of your own)\n";
      return exit_harness;
    }
  }

  std::unique_ptr<world> w;
  std::shared_ptr<smtp_peer> sink;
  try {
    world_options wo;
    wo.dns_port = 53;
    wo.policy_port = 443;
    wo.distinct_policy_addresses = true;
    wo.dns_mode = target.resolver_sets_ad ? net::dns::resolver_mode::validating : net::dns::resolver_mode::authoritative;
    w = std::make_unique<world>(wo);

    if (namespaced) {
      // /etc/resolv.conf -> the world's DNS; the system CA bundle + the world CA.
      auto const resolv = work_dir + "/resolv.conf";
      write_file(resolv, "# mxtls-conform sender: the world's DNS\nnameserver 127.0.0.1\noptions edns0\n");
      if (auto const why = sandbox::bind_file(resolv, "/etc/resolv.conf")) throw std::runtime_error(*why);
      auto const system_bundle = sandbox::system_ca_bundle();
      if (!system_bundle.empty()) {
        auto const bundle = work_dir + "/ca-certificates.crt";
        write_file(bundle, read_file(system_bundle) + "\n" + w->pki().ca_pem());
        if (auto const why = sandbox::bind_file(bundle, system_bundle)) throw std::runtime_error(*why);
      }
    }

    // Delivery status notifications go to <case-label>@dsn.<tld>, whose only MX is a sink that
    // accepts everything (plaintext or TLS).
    target.dsn_domain = "dsn." + w->tld();
    auto const sink_address = w->allocate_address();
    peer_script sink_script;
    sink_script.host = "mx." + target.dsn_domain;
    sink_script.greeting = {sink_script.host + " ESMTP mxtls-conform DSN sink"};
    sink_script.chains.push_back(w->pki().chain(sink_script.host, cert_kind::valid));
    sink = std::make_shared<smtp_peer>(w->executor(), sink_script);
    sink->start(sink_address, 25);
    w->add_domain(target.dsn_domain, dnssec_mode::secure,
                  {rr::mx(target.dsn_domain, 10, sink_script.host), rr::a(sink_script.host, sink_address.to_string())});
    target.dsn_sink = sink;
  } catch (std::exception const& e) {
    std::cerr << "mxtls-conform sender: the world could not start: " << e.what() << "\n";
    return exit_harness;
  }

  opt.sender = &target;
  opt.w = w.get();
  opt.tld = w->tld();
  std::mutex out_mu;
  if (!quiet)
    opt.on_case_done = [&](case_record const& rec, std::size_t done, std::size_t total) {
      std::lock_guard lock(out_mu);
      print_judged_progress(std::cout, rec, exp, done, total);
    };
  std::cout << "mxtls-conform: " << cases.size() << " sender cases with " << opt.jobs << " jobs; trigger: "
            << target.inject << "\n";
  auto report = run_cases(cases, opt);
  std::vector<std::string> ids;
  for (auto const& c : catalogue()) ids.push_back(c.id);
  apply_expectations(report, exp, ids);

  report.facts.emplace_back("inject", target.inject);
  if (!target.flush.empty()) report.facts.emplace_back("flush", target.flush);
  report.facts.emplace_back("resolver-mode", target.resolver_sets_ad ? "ad-bit" : "validating");
  report.facts.emplace_back("namespaces", namespaced ? "network + mount (resolv.conf and CA bundle replaced)" : "none");
  report.facts.emplace_back("clock", target.can_set_time ? "the world's, via {now}" : "the wall's (time cases unsupported)");
  if (expect_file) report.facts.emplace_back("expectations", *expect_file);
  report.facts.emplace_back("world-dns", w->dns_address_text());
  report.facts.emplace_back("world-tld", w->tld());

  print_summary(std::cout, report);
  std::size_t critical = 0;
  for (auto const& c : report.cases)
    if (c.result.critical) ++critical;
  if (critical > 0)
    std::cout << "CRITICAL: " << critical
              << " case(s) saw mail delivered or MAIL FROM sent IN PLAINTEXT where TLS was required\n";
  try {
    for (auto const& p : write_reports(report, registry, paths)) std::cout << "report: " << p << "\n";
  } catch (std::exception const& e) {
    std::cerr << "mxtls-conform sender: " << e.what() << "\n";
    return exit_harness;
  }
  sink->stop();
  auto const code = report.exit_code();
  std::cout << "exit status " << code << (code == 0 ? " (every result as expected)\n" : " (unexpected results)\n");
  return code;
}

}  // namespace mxtls::conformance::cli
