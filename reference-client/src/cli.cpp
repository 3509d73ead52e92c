// The mxtls-send program: options, configuration loading, the message, the delivery, the
// output. Implements P26-01 (--implicit-tls-port), DNS-06 and DANE-2.1.1-01 (--trust-anchor,
// validation by mxtls itself), DANE-2.1.3-02 (--resolver: its AD bit is never trusted),
// SMTP-4.5.3.2-01 (configurable timeouts).
#include "mxtls/client/cli.hpp"

#include "mxtls/client/delivery.hpp"
#include "mxtls/client/report.hpp"
#include "mxtls/client/state.hpp"
#include "mxtls/net/tls.hpp"
#include "mxtls/spec/smtp/command.hpp"

#include <boost/asio/ip/host_name.hpp>

#include <charconv>
#include <cmath>
#include <fstream>
#include <istream>
#include <ostream>
#include <sstream>

namespace mxtls::client {

namespace {

error usage(std::size_t index, std::string detail) {
  return spec::make_parse_error(make_error_code(errc::usage_invalid), "", index, std::move(detail));
}

template <class Int>
std::optional<Int> parse_int(std::string_view s) {
  Int v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::uint16_t> parse_port(std::string_view s) {
  auto v = parse_int<std::uint32_t>(s);
  if (!v || *v == 0 || *v > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(*v);
}

/// Seconds, possibly fractional ("0.5"), above 0 and at most one day.
std::optional<std::chrono::milliseconds> parse_seconds(std::string const& s) {
  if (s.empty() || s.find_first_not_of("0123456789.") != std::string::npos) return std::nullopt;
  double v = 0;
  try {
    std::size_t used = 0;
    v = std::stod(s, &used);
    if (used != s.size()) return std::nullopt;
  } catch (std::exception const&) {
    return std::nullopt;
  }
  if (!(v > 0) || v > 86400) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(v * 1000)));
}

std::optional<boost::asio::ip::address> parse_address(std::string_view s) {
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(std::string(s), ec);
  if (ec) return std::nullopt;
  return a;
}

std::string default_helo() {
  boost::system::error_code ec;
  std::string h = boost::asio::ip::host_name(ec);
  if (ec || !spec::smtp::is_domain(h)) return "localhost";
  return h;
}

}  // namespace

std::string usage_text() {
  return R"(Usage: mxtls-send --from ADDR --to ADDR [--to ADDR ...] [options] [MESSAGE_FILE|-]

Delivers one message to the MX hosts of each recipient domain, as a sending MTA does,
applying the MX prefixes (starttls-/smtps-), strict-tls pins, MTA-STS and DANE.

  --from ADDR              envelope sender ("" or "<>" for the null reverse-path)
  --to ADDR                recipient (repeatable; grouped by domain, one delivery per domain)
  MESSAGE_FILE | -         the message (RFC 5322 text); default: standard input

DNS and trust:
  --resolver ADDR[:PORT]   where DNS queries go (default: first nameserver of /etc/resolv.conf);
                           DNSSEC is validated by mxtls-send itself, never taken from the AD bit
  --trust-anchor FILE      DNSSEC root anchor (default /usr/share/dns/root.key);
                           "none": no validation, every answer insecure (no DANE)
  --ca FILE                PEM trust anchors for PKIX, instead of the system store

State:
  --state-dir DIR          MTA-STS policy cache and strict-tls pins (default: memory only)

Ports and test overrides (the world of a test runs every peer on loopback):
  --smtp-port N            connect here instead of port 25 (TLSA stays _25._tcp)
  --implicit-tls-port N    implicit-TLS port of smtps- hosts (default 26; TLSA _N._tcp)
  --port-map ADDR=SMTP[,IMPLICIT]
                           for this address only, connect to SMTP instead of port 25
                           and IMPLICIT instead of the implicit-TLS port (repeatable)
  --https-port N           MTA-STS policy hosts listen here instead of 443
  --https-connect ADDR[:PORT]
                           fetch every policy from this address instead of resolving
                           mta-sts.<domain> (SNI and certificate checks are unchanged)
  --now EPOCH_SECONDS      the clock (policy and pin expiry, certificate and DNSSEC validity)

Session:
  --helo NAME              EHLO argument (default: this host's name)
  --connect-timeout S      TCP connect (default 30; the implicit-TLS port also 30)
  --command-timeout S      every SMTP reply (default: RFC 5321 §4.5.3.2 values)
  --tls-timeout S          TLS handshake (default 60)
  --dns-timeout S          one DNS query with its retries (default 5)
  --https-timeout S        the whole policy fetch (default 60)
  --max-message-size N     octets (default 67108864)
  --max-recipients N       (default 1000)

Output:
  --explain                the decision trail, each step with its requirement IDs
  --json                   the outcome as one JSON object on standard output
  --help                   this text

Testing only (never use in production):
  --test-misbehave LIST    makes mxtls-send deliberately non-conforming, for proving that
                           conformance cases can fail (comma-separated, repeatable):
    ignore-prefix            starttls-/smtps- names count as un-prefixed (no TLS
                             requirement from the prefix, no implicit-TLS port)
    ignore-pins              stored strict-tls pins are never applied (still learned)
    pin-from-plaintext       strict-tls= directives are learned from the plaintext
                             greeting and EHLO too
    ignore-sts               MTA-STS is never discovered nor applied
    sts-lenient-fetch        a fetched policy is applied whatever the HTTP status (the
                             body of a 3xx is used, never followed), Content-Type, size
                             (cut at 64 KiB) and policy host certificate
    sts-no-cache             cached MTA-STS policies are never used
    ignore-dane              TLSA records are never looked up nor applied
    no-verify                any certificate is accepted where verification is required
    plaintext-fallback       where TLS is required but STARTTLS is missing, refused or
                             fails: plaintext anyway
    no-port26                smtps- hosts: port 25 only (TLS still required there)
    port26-fallback-plaintext
                             after the implicit-TLS port failed, plaintext is allowed
                             on port 25
    assume-dnssec-secure     no DNSSEC validation, every answer counts as secure
                             (bogus and unsigned zones too)
    bounce-on-failure        bounce (69) where the rules defer (75), without the
                             MTA-STS id re-check
    starttls-again           STARTTLS is sent again inside TLS when the post-TLS
                             EHLO reply still offers it
    skip-post-tls-ehlo       no EHLO after the STARTTLS handshake: MAIL FROM at once,
                             with the plaintext EHLO capabilities
    pin-from-unverified      strict-tls= directives are learned over TLS whose
                             certificate was not verified too
    pin-ignore-scope         strict-tls= directives are learned whatever their pattern
                             (out-of-scope ones too)
    pin-keep-on-max-age-0    a directive with max-age=0 does not remove the pin
    prefer-tlsa-mx           MX hosts with usable TLSA records are tried first,
                             whatever their preference
    sts-fetch-failure-defers a valid _mta-sts record whose policy cannot be fetched
                             (nothing cached) defers the message

Exit status: 0 delivered, 75 deferred, 69 bounced, 64 usage, 65 message not sendable,
66 message unreadable, 78 configuration unusable.
)";
}

result<cli_options> parse_cli(std::vector<std::string> const& args) {
  cli_options o;
  bool positional_seen = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string const& a = args[i];
    auto value = [&]() -> result<std::string> {
      if (i + 1 >= args.size()) return usage(i, a + " needs a value");
      return args[++i];
    };
    auto seconds = [&](std::chrono::milliseconds& into) -> result<void> {
      auto v = value();
      if (!v) return v.error();
      auto s = parse_seconds(*v);
      if (!s) return usage(i, a + ": not a number of seconds in (0, 86400]: " + *v);
      into = *s;
      return {};
    };
    if (a == "--help" || a == "-h") {
      o.help = true;
    } else if (a == "--from") {
      auto v = value();
      if (!v) return v.error();
      o.from = *v;
      o.from_given = true;
    } else if (a == "--to") {
      auto v = value();
      if (!v) return v.error();
      o.to.push_back(*v);
    } else if (a == "--resolver") {
      auto v = value();
      if (!v) return v.error();
      o.resolver = *v;
    } else if (a == "--trust-anchor") {
      auto v = value();
      if (!v) return v.error();
      o.trust_anchor_file = *v;
    } else if (a == "--ca") {
      auto v = value();
      if (!v) return v.error();
      o.cfg.ca_file = *v;
      o.cfg.system_trust = false;
    } else if (a == "--state-dir") {
      auto v = value();
      if (!v) return v.error();
      o.state_dir = *v;
    } else if (a == "--smtp-port" || a == "--implicit-tls-port" || a == "--https-port") {
      auto v = value();
      if (!v) return v.error();
      auto p = parse_port(*v);
      if (!p) return usage(i, a + ": not a port 1..65535: " + *v);
      if (a == "--smtp-port") o.cfg.smtp_port = *p;
      else if (a == "--implicit-tls-port") o.cfg.implicit_tls_port = *p;  // [P26-01]
      else o.cfg.https_port = *p;
    } else if (a == "--port-map") {
      auto v = value();
      if (!v) return v.error();
      auto const eq = v->find('=');
      if (eq == std::string::npos) return usage(i, "--port-map wants ADDR=SMTP[,IMPLICIT]: " + *v);
      auto addr = parse_address(std::string_view(*v).substr(0, eq));
      std::string_view ports = std::string_view(*v).substr(eq + 1);
      auto const comma = ports.find(',');
      auto smtp = parse_port(ports.substr(0, comma));
      std::optional<std::uint16_t> implicit;
      if (comma != std::string_view::npos) {
        implicit = parse_port(ports.substr(comma + 1));
        if (!implicit) return usage(i, "--port-map: not a port: " + std::string(ports.substr(comma + 1)));
      }
      if (!addr || !smtp) return usage(i, "--port-map wants ADDR=SMTP[,IMPLICIT]: " + *v);
      o.cfg.port_map[*addr] = port_override{*smtp, implicit};
    } else if (a == "--https-connect") {
      auto v = value();
      if (!v) return v.error();
      std::string_view s = *v;
      // ADDR, ADDR:PORT, [V6], [V6]:PORT
      std::optional<std::uint16_t> port;
      if (!s.empty() && s.front() == '[') {
        auto const close = s.find(']');
        if (close == std::string_view::npos) return usage(i, "--https-connect: unbalanced [: " + *v);
        if (close + 1 < s.size()) {
          if (s[close + 1] != ':') return usage(i, "--https-connect: expected :PORT after ]: " + *v);
          port = parse_port(s.substr(close + 2));
          if (!port) return usage(i, "--https-connect: bad port: " + *v);
        }
        s = s.substr(0, close + 1);
      } else if (auto const colon = s.find(':'); colon != std::string_view::npos && s.find(':', colon + 1) == std::string_view::npos) {
        port = parse_port(s.substr(colon + 1));
        if (!port) return usage(i, "--https-connect: bad port: " + *v);
        s = s.substr(0, colon);
      }
      auto addr = parse_address(s);
      if (!addr) return usage(i, "--https-connect: not an address: " + *v);
      o.cfg.https_address = *addr;
      if (port) o.cfg.https_port = *port;
    } else if (a == "--now") {
      auto v = value();
      if (!v) return v.error();
      auto n = parse_int<std::int64_t>(*v);
      if (!n || *n < 0) return usage(i, "--now wants Unix seconds: " + *v);
      o.now = *n;
    } else if (a == "--helo") {
      auto v = value();
      if (!v) return v.error();
      if (!spec::smtp::is_domain(*v) && !spec::smtp::is_address_literal(*v))
        return usage(i, "--helo wants a domain or an address literal: " + *v);
      o.cfg.helo = *v;
    } else if (a == "--connect-timeout") {
      if (auto r = seconds(o.cfg.timeout.connect); !r) return r.error();
      o.cfg.timeout.implicit_connect = o.cfg.timeout.connect;
      o.cfg.timeout.implicit_setup = std::max(o.cfg.timeout.implicit_setup, o.cfg.timeout.connect);
    } else if (a == "--command-timeout") {
      std::chrono::milliseconds t{};
      if (auto r = seconds(t); !r) return r.error();
      o.cfg.timeout.set_smtp(t);
      o.cfg.timeout.quit = std::min(o.cfg.timeout.quit, t);
      o.cfg.timeout.implicit_setup = std::min(o.cfg.timeout.implicit_setup, 2 * t + o.cfg.timeout.implicit_connect);
    } else if (a == "--tls-timeout") {
      if (auto r = seconds(o.cfg.timeout.tls_handshake); !r) return r.error();
    } else if (a == "--dns-timeout") {
      if (auto r = seconds(o.cfg.timeout.dns_query); !r) return r.error();
      o.cfg.timeout.dns_attempt = std::min(o.cfg.timeout.dns_attempt, o.cfg.timeout.dns_query);
      o.cfg.timeout.dns_lookup = 3 * o.cfg.timeout.dns_query;
    } else if (a == "--https-timeout") {
      if (auto r = seconds(o.cfg.timeout.https); !r) return r.error();
    } else if (a == "--max-message-size" || a == "--max-recipients") {
      auto v = value();
      if (!v) return v.error();
      auto n = parse_int<std::size_t>(*v);
      if (!n || *n == 0) return usage(i, a + " wants a positive number: " + *v);
      if (a == "--max-message-size") o.cfg.limits.max_octets = *n;
      else o.cfg.limits.max_recipients = *n;
    } else if (a == "--test-misbehave") {
      // TEST ONLY: deliberate non-conformance (misbehave.hpp).
      auto v = value();
      if (!v) return v.error();
      if (auto bad = o.cfg.misbehave.add_list(*v))
        return usage(i, "--test-misbehave: unknown name \"" + *bad + "\"; valid names: " + misbehaviours::valid_names());
    } else if (a == "--explain") {
      o.explain = true;
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "-" || a.empty() || a.front() != '-') {
      if (positional_seen) return usage(i, "only one MESSAGE_FILE: " + a);
      positional_seen = true;
      o.message_path = a;
    } else {
      return usage(i, "unknown option " + a);
    }
  }
  if (o.help) return o;
  if (!o.from_given) return usage(args.size(), "--from is required");
  if (o.to.empty()) return usage(args.size(), "at least one --to is required");
  if (o.to.size() > o.cfg.limits.max_recipients)
    return spec::make_parse_error(make_error_code(errc::too_many_recipients), "", args.size(),
                                  std::to_string(o.to.size()) + " recipients, limit " +
                                      std::to_string(o.cfg.limits.max_recipients));
  return o;
}

int run_cli(std::vector<std::string> const& args, std::istream& in, std::ostream& out, std::ostream& err) {
  auto parsed = parse_cli(args);
  if (!parsed) {
    err << "mxtls-send: " << parsed.error().message() << "\n(see mxtls-send --help)\n";
    return exit_usage;
  }
  cli_options& o = *parsed;
  if (o.help) {
    out << usage_text();
    return 0;
  }
  client_config& cfg = o.cfg;
  if (cfg.helo == "localhost") cfg.helo = default_helo();
  if (cfg.misbehave.any())
    err << "mxtls-send: TEST ONLY: deliberately non-conforming (--test-misbehave " << cfg.misbehave.to_string()
        << ")\n";

  // Envelope.
  delivery_request req;
  auto from = parse_reverse_path(o.from);
  if (!from) {
    err << "mxtls-send: --from " << o.from << ": " << from.error().message() << "\n";
    return exit_usage;
  }
  req.from = *from;
  for (auto const& t : o.to) {
    auto mb = parse_mailbox(t);
    if (!mb) {
      err << "mxtls-send: --to " << t << ": " << mb.error().message() << "\n";
      return exit_usage;
    }
    req.recipients.push_back(*mb);
  }

  // Configuration: resolver, trust anchor, trust store, clock.
  if (o.resolver) {
    auto r = net::dns::parse_server_address(*o.resolver);
    if (!r) {
      err << "mxtls-send: --resolver " << *o.resolver << ": " << r.error().message() << "\n";
      return exit_usage;
    }
    cfg.resolver = *r;
  } else {
    auto r = net::dns::system_resolver();
    if (!r) {
      err << "mxtls-send: no resolver: " << r.error().message() << " (use --resolver)\n";
      return exit_config;
    }
    cfg.resolver = *r;
  }
  std::string const anchor_file = o.trust_anchor_file.value_or(net::dns::default_trust_anchor_file);
  if (anchor_file != "none") {
    // [DANE-2.1.1-01][DNS-06] mxtls-send validates from this anchor itself.
    auto a = net::dns::trust_anchor::load(anchor_file);
    if (!a) {
      err << "mxtls-send: trust anchor " << anchor_file << ": " << a.error().message()
          << " (install dns-root-data, or --trust-anchor FILE|none)\n";
      return exit_config;
    }
    cfg.trust_anchor = std::move(*a);
  }
  {
    net::tls_config probe;
    probe.role = net::tls_role::client;
    probe.system_trust = cfg.system_trust;
    probe.ca_file = cfg.ca_file;
    if (auto c = net::tls_context::create(probe); !c) {
      err << "mxtls-send: trust store: " << c.error().message() << "\n";
      return exit_config;
    }
  }
  if (o.now) {
    // The world's clock: it starts at --now and runs with the process.
    auto const base = *o.now;
    auto const start = std::chrono::steady_clock::now();
    cfg.now = [base, start] {
      return base + std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
    };
  }

  // The message.
  std::string raw;
  {
    std::size_t const limit = cfg.limits.max_octets + cfg.limits.max_octets / 8 + 1024;
    std::ifstream file;
    std::istream* src = &in;
    if (o.message_path != "-") {
      file.open(o.message_path, std::ios::binary);
      if (!file) {
        err << "mxtls-send: cannot read " << o.message_path << "\n";
        return exit_no_input;
      }
      src = &file;
    }
    std::array<char, 65536> buf{};
    while (*src && raw.size() <= limit) {
      src->read(buf.data(), buf.size());
      raw.append(buf.data(), static_cast<std::size_t>(src->gcount()));
    }
    if (src->bad()) {
      err << "mxtls-send: cannot read " << (o.message_path == "-" ? "standard input" : o.message_path) << "\n";
      return exit_no_input;
    }
  }
  auto msg = prepare_message(raw, cfg.limits);
  if (!msg) {
    err << "mxtls-send: message: " << msg.error().message() << " (offset " << msg.error().offset << ")\n";
    return exit_data;
  }
  req.content = std::move(*msg);

  // State.
  state_store state;
  if (!o.state_dir.empty()) {
    auto s = state_store::open(o.state_dir);
    if (!s) {
      err << "mxtls-send: state directory " << o.state_dir << ": " << s.error().message() << "\n";
      return exit_config;
    }
    state = std::move(*s);
  }

  delivery_report report;
  try {
    report = deliver_sync(cfg, state, req);
  } catch (std::exception const& e) {
    // Programmer errors only: peer and network faults are values.
    err << "mxtls-send: internal error: " << e.what() << "\n";
    return 70;  // EX_SOFTWARE
  }
  if (o.json) {
    out << render_json(report);
    if (o.explain) err << render_explain(report);
  } else if (o.explain) {
    out << render_explain(report);
  } else {
    out << render_summary(report);
  }
  return exit_code(report.result);
}

}  // namespace mxtls::client
