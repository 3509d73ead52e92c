// `mxtls-conform world`: starts a world by hand (from a JSON config and/or flags), prints how
// to reach it, optionally writes the same facts as shell variables for scripts, and runs until
// SIGINT or SIGTERM.
#include "runner/cli.hpp"
#include "world/world.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace mxtls::conformance::cli {

namespace {

constexpr char const* world_help =
    "usage: mxtls-conform world [--config FILE] [options]\n\n"
    "Starts a world on loopback (signed DNS, test CA, MTA-STS policy hosts) and prints how to\n"
    "reach it; runs until SIGINT or SIGTERM.\n\n"
    "  --config FILE          JSON: {\"tld\", \"dir\", \"address\", \"dns_port\", \"dns_mode\",\n"
    "                         \"domains\": [{\"name\", \"dnssec\": \"secure|insecure|bogus\",\n"
    "                         \"records\": [\"@ MX 10 mx\", \"mx A 127.0.0.1\", ...],\n"
    "                         \"policy\": {\"body\", \"cert\", \"fault\", \"status\"},\n"
    "                         \"certs\": [{\"host\", \"kind\"}],\n"
    "                         \"tlsa\": [{\"port\", \"host\", \"kind\", \"usage\", \"selector\",\n"
    "                         \"matching\"}] (records matching the world's certificates)}]}\n"
    "  --dir DIR              write ca.pem, the trust anchor and certificates here (kept)\n"
    "  --tld NAME             parent of the domains (default mxtls.test)\n"
    "  --address ADDR         loopback address to bind (default 127.0.0.1)\n"
    "  --dns-port P           DNS port (default: ephemeral)\n"
    "  --dns-mode MODE        validating (AD on secure answers, default) or authoritative\n"
    "  --domain NAME[:MODE]   add an empty zone (MODE secure, insecure or bogus; default secure)\n"
    "  --cert HOST[:KIND]     issue and write a certificate (KIND valid, expired, not-yet-valid,\n"
    "                         wrong-name, self-signed, cn-only, wildcard; default valid)\n"
    "  --ready-file FILE      when ready, write the facts as shell variables (MXTLS_WORLD_DNS,\n"
    "                         MXTLS_WORLD_DNS_PORT, MXTLS_WORLD_CA, MXTLS_WORLD_TRUST_ANCHOR,\n"
    "                         MXTLS_WORLD_DIR, MXTLS_WORLD_POLICY_<n>, MXTLS_WORLD_CERT_<n>,\n"
    "                         MXTLS_WORLD_KEY_<n>) for scripts to source\n"
    "  --for SECONDS          stop after this long instead of waiting for a signal\n\n"
    "exit status: 0 stopped by a signal or --for, 2 usage error, 3 the world could not start\n";

struct world_usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct tlsa_config {
  std::uint16_t port = 25;
  std::string host;
  cert_kind kind = cert_kind::valid;
  int usage = 3, selector = 1, matching = 1;
};

struct domain_config {
  std::vector<tlsa_config> tlsa;
  std::string name;
  dnssec_mode mode = dnssec_mode::secure;
  std::vector<std::string> records;
  std::optional<policy_host_options> policy;
};

struct cert_config {
  std::string host;
  cert_kind kind = cert_kind::valid;
};

struct world_config {
  world_options opt;
  std::vector<domain_config> domains;
  std::vector<cert_config> certs;
};

std::string str(boost::json::object const& o, char const* key, std::string fallback = {}) {
  if (auto const* v = o.if_contains(key)) {
    if (!v->is_string()) throw world_usage_error(std::string("config: \"") + key + "\" must be a string");
    return std::string(v->as_string());
  }
  return fallback;
}

cert_kind kind_of(std::string const& s) {
  auto const k = parse_cert_kind(s);
  if (!k) throw world_usage_error("'" + s + "' is not a certificate kind");
  return *k;
}

dnssec_mode mode_of(std::string const& s) {
  auto const m = parse_dnssec_mode(s);
  if (!m) throw world_usage_error("'" + s + "' is not secure, insecure or bogus");
  return *m;
}

net::dns::resolver_mode dns_mode_of(std::string const& s) {
  if (s == "validating") return net::dns::resolver_mode::validating;
  if (s == "authoritative") return net::dns::resolver_mode::authoritative;
  throw world_usage_error("'" + s + "' is not validating or authoritative");
}

void read_config(std::string const& path, world_config& cfg) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw world_usage_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  auto const doc = boost::json::parse(ss.str(), ec);
  if (ec || !doc.is_object()) throw world_usage_error(path + ": not a JSON object");
  auto const& o = doc.as_object();
  cfg.opt.tld = str(o, "tld", cfg.opt.tld);
  cfg.opt.dir = str(o, "dir", cfg.opt.dir);
  cfg.opt.address = str(o, "address", cfg.opt.address);
  if (auto const* p = o.if_contains("dns_port")) {
    if (!p->is_int64() || p->as_int64() < 0 || p->as_int64() > 65535) throw world_usage_error("config: bad dns_port");
    cfg.opt.dns_port = static_cast<std::uint16_t>(p->as_int64());
  }
  if (o.contains("dns_mode")) cfg.opt.dns_mode = dns_mode_of(str(o, "dns_mode"));
  if (auto const* ds = o.if_contains("domains")) {
    if (!ds->is_array()) throw world_usage_error("config: \"domains\" must be an array");
    for (auto const& dv : ds->as_array()) {
      if (!dv.is_object()) throw world_usage_error("config: each domain must be an object");
      auto const& d = dv.as_object();
      domain_config dc;
      dc.name = str(d, "name");
      if (dc.name.empty()) throw world_usage_error("config: a domain without \"name\"");
      dc.mode = mode_of(str(d, "dnssec", "secure"));
      if (auto const* rs = d.if_contains("records")) {
        if (!rs->is_array()) throw world_usage_error("config: \"records\" must be an array of strings");
        for (auto const& r : rs->as_array()) {
          if (!r.is_string()) throw world_usage_error("config: \"records\" must be an array of strings");
          dc.records.emplace_back(r.as_string());
        }
      }
      if (auto const* pv = d.if_contains("policy")) {
        if (!pv->is_object()) throw world_usage_error("config: \"policy\" must be an object");
        auto const& p = pv->as_object();
        policy_host_options po;
        po.body = str(p, "body");
        po.cert = kind_of(str(p, "cert", "valid"));
        auto const f = parse_policy_fault(str(p, "fault", "none"));
        if (!f) throw world_usage_error("config: unknown policy fault '" + str(p, "fault") + "'");
        po.fault = *f;
        if (auto const* s = p.if_contains("status"); s && s->is_int64()) po.status = static_cast<unsigned>(s->as_int64());
        dc.policy = std::move(po);
      }
      if (auto const* ts = d.if_contains("tlsa")) {
        if (!ts->is_array()) throw world_usage_error("config: \"tlsa\" must be an array");
        for (auto const& tv : ts->as_array()) {
          if (!tv.is_object()) throw world_usage_error("config: each tlsa entry must be an object");
          auto const& t = tv.as_object();
          tlsa_config tc;
          tc.host = str(t, "host");
          tc.kind = kind_of(str(t, "kind", "valid"));
          auto num = [&](char const* key, int fallback, int max) {
            auto const* v = t.if_contains(key);
            if (v == nullptr) return fallback;
            if (!v->is_int64() || v->as_int64() < 0 || v->as_int64() > max)
              throw world_usage_error(std::string("config: tlsa \"") + key + "\" out of range");
            return static_cast<int>(v->as_int64());
          };
          tc.port = static_cast<std::uint16_t>(num("port", 25, 65535));
          tc.usage = num("usage", 3, 3);
          tc.selector = num("selector", 1, 1);
          tc.matching = num("matching", 1, 2);
          if (tc.host.empty()) throw world_usage_error("config: a tlsa entry without \"host\"");
          dc.tlsa.push_back(std::move(tc));
        }
      }
      if (auto const* cs = d.if_contains("certs")) {
        if (!cs->is_array()) throw world_usage_error("config: \"certs\" must be an array");
        for (auto const& cv : cs->as_array()) {
          if (!cv.is_object()) throw world_usage_error("config: each cert must be an object");
          cfg.certs.push_back({str(cv.as_object(), "host"), kind_of(str(cv.as_object(), "kind", "valid"))});
        }
      }
      cfg.domains.push_back(std::move(dc));
    }
  }
}

std::string shell_quote(std::string const& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

}  // namespace

int world_main(std::vector<std::string> const& args) {
  world_config cfg;
  std::optional<std::string> ready_file;
  std::optional<double> run_for;
  try {
    for (std::size_t i = 0; i < args.size(); ++i) {
      auto const& a = args[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= args.size()) throw world_usage_error(a + " needs a value");
        return args[++i];
      };
      if (a == "-h" || a == "--help") {
        std::cout << world_help;
        return exit_ok;
      }
      if (a == "--config") read_config(value(), cfg);
      else if (a == "--dir") cfg.opt.dir = value();
      else if (a == "--tld") cfg.opt.tld = value();
      else if (a == "--address") cfg.opt.address = value();
      else if (a == "--dns-port") {
        auto const v = value();
        try {
          auto const p = std::stoul(v);
          if (p > 65535) throw std::out_of_range(v);
          cfg.opt.dns_port = static_cast<std::uint16_t>(p);
        } catch (std::logic_error const&) {
          throw world_usage_error("--dns-port: '" + v + "' is not a port");
        }
      } else if (a == "--dns-mode") cfg.opt.dns_mode = dns_mode_of(value());
      else if (a == "--domain") {
        auto const v = value();
        auto const colon = v.find(':');
        domain_config dc;
        dc.name = v.substr(0, colon);
        if (colon != std::string::npos) dc.mode = mode_of(v.substr(colon + 1));
        cfg.domains.push_back(std::move(dc));
      } else if (a == "--cert") {
        auto const v = value();
        auto const colon = v.find(':');
        cfg.certs.push_back({v.substr(0, colon), colon == std::string::npos ? cert_kind::valid : kind_of(v.substr(colon + 1))});
      } else if (a == "--ready-file") ready_file = value();
      else if (a == "--for") {
        auto const v = value();
        try {
          run_for = std::stod(v);
        } catch (std::logic_error const&) {
          throw world_usage_error("--for: '" + v + "' is not a number of seconds");
        }
      } else throw world_usage_error("unknown option '" + a + "'");
    }
  } catch (world_usage_error const& e) {
    std::cerr << "mxtls-conform world: " << e.what() << "\n\n" << world_help;
    return exit_usage;
  }

  std::unique_ptr<world> w;
  std::vector<std::pair<std::string, std::string>> policy_hosts;  // domain, address
  std::vector<std::pair<std::string, cert_files>> certs;
  try {
    w = std::make_unique<world>(cfg.opt);
    for (auto& d : cfg.domains) {
      auto records = d.records;
      for (auto const& t : d.tlsa)
        records.push_back(rr::tlsa_for(t.port, t.host, w->pki().issue(t.host, t.kind), t.usage, t.selector, t.matching));
      w->add_domain(d.name, d.mode, records);
      if (d.policy) {
        auto h = w->start_policy_host(d.name, *d.policy);
        policy_hosts.emplace_back(h->host_name(), h->address());
      }
    }
    for (auto const& c : cfg.certs) certs.emplace_back(c.host, w->pki().write(c.host, c.kind, w->dir()));
  } catch (std::exception const& e) {
    std::cerr << "mxtls-conform world: the world could not start: " << e.what() << "\n";
    return exit_harness;
  }

  std::cout << "mxtls-conform world: ready\n";
  for (auto const& [k, v] : w->describe()) std::cout << "  " << k << std::string(k.size() < 14 ? 14 - k.size() : 1, ' ') << v << "\n";
  for (auto const& [host, f] : certs) std::cout << "  cert          " << host << " " << f.chain << " " << f.key << "\n";
  auto const dns = w->dns_address();
  std::cout << "try:\n  drill -p " << dns.port << " -k " << w->trust_anchor_file() << " -S @" << dns.address.to_string()
            << " SOA " << w->tld() << "\n";
  std::cout.flush();

  if (ready_file) {
    std::ofstream out(*ready_file, std::ios::trunc);
    out << "MXTLS_WORLD_DNS=" << shell_quote(w->dns_address_text()) << "\n"
        << "MXTLS_WORLD_DNS_ADDRESS=" << shell_quote(dns.address.to_string()) << "\n"
        << "MXTLS_WORLD_DNS_PORT=" << dns.port << "\n"
        << "MXTLS_WORLD_CA=" << shell_quote(w->ca_file()) << "\n"
        << "MXTLS_WORLD_TRUST_ANCHOR=" << shell_quote(w->trust_anchor_file()) << "\n"
        << "MXTLS_WORLD_DIR=" << shell_quote(w->dir()) << "\n"
        << "MXTLS_WORLD_TLD=" << shell_quote(w->tld()) << "\n";
    for (std::size_t i = 0; i < policy_hosts.size(); ++i)
      out << "MXTLS_WORLD_POLICY_" << i << "=" << shell_quote(policy_hosts[i].second) << "\n";
    for (std::size_t i = 0; i < certs.size(); ++i)
      out << "MXTLS_WORLD_CERT_" << i << "=" << shell_quote(certs[i].second.chain) << "\n"
          << "MXTLS_WORLD_KEY_" << i << "=" << shell_quote(certs[i].second.key) << "\n";
    out.close();
    if (!out) {
      std::cerr << "mxtls-conform world: cannot write " << *ready_file << "\n";
      return exit_harness;
    }
  }

  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int sig) {
    std::cout << "mxtls-conform world: signal " << sig << ", stopping\n";
    io.stop();
  });
  if (run_for) io.run_for(std::chrono::milliseconds(static_cast<std::int64_t>(*run_for * 1000)));
  else io.run();
  return exit_ok;
}

}  // namespace mxtls::conformance::cli
