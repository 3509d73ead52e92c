// The world: loopback DNS (signed root, test., the world TLD and per-case zones), test PKI,
// MTA-STS policy hosts, the clock and the io thread they share.
#include "world/world.hpp"

#include <mxtls/net/dns/server.hpp>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace mxtls::conformance {

namespace fs = std::filesystem;
namespace dns = net::dns;

std::string_view to_string(dnssec_mode m) noexcept {
  switch (m) {
    case dnssec_mode::secure: return "secure";
    case dnssec_mode::insecure: return "insecure";
    case dnssec_mode::bogus: return "bogus";
  }
  return "?";
}

std::optional<dnssec_mode> parse_dnssec_mode(std::string_view s) noexcept {
  if (s == "secure") return dnssec_mode::secure;
  if (s == "insecure") return dnssec_mode::insecure;
  if (s == "bogus") return dnssec_mode::bogus;
  return std::nullopt;
}

namespace rr {
namespace {
std::string absolute(std::string_view name) {
  std::string n(name);
  if (n.empty() || n.back() != '.') n += '.';
  return n;
}
}  // namespace

std::string mx(std::string_view owner, std::uint16_t preference, std::string_view host) {
  return absolute(owner) + " IN MX " + std::to_string(preference) + " " + absolute(host);
}

std::string a(std::string_view owner, std::string_view address) {
  return absolute(owner) + " IN A " + std::string(address);
}

std::string cname(std::string_view owner, std::string_view target) {
  return absolute(owner) + " IN CNAME " + absolute(target);
}

std::string txt(std::string_view owner, std::string_view text) {
  std::string out = absolute(owner) + " IN TXT";
  // [NAME-3.3.14-01] a TXT RDATA is one or more <character-string>s of at most 255 octets.
  do {
    auto const piece = text.substr(0, 255);
    text.remove_prefix(piece.size());
    out += " \"";
    for (char c : piece) {
      auto const u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (u < 0x20 || u >= 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(u));
        out += buf;
      } else {
        out += c;
      }
    }
    out += '"';
  } while (!text.empty());
  return out;
}

std::string tlsa(std::uint16_t port, std::string_view host, int usage, int selector, int matching_type,
                 std::string_view hex_data) {
  return "_" + std::to_string(port) + "._tcp." + absolute(host) + " IN TLSA " + std::to_string(usage) + " " +
         std::to_string(selector) + " " + std::to_string(matching_type) + " " + std::string(hex_data);
}
std::string tlsa_for(std::uint16_t port, std::string_view host, net::pki::issued const& cert, int usage, int selector,
                     int matching_type) {
  std::string data;
  if (selector == 0 && matching_type == 0) data = net::pki::to_hex(cert.cert_der);
  else if (selector == 0 && matching_type == 1) data = net::pki::to_hex(cert.cert_sha256);
  else if (selector == 0 && matching_type == 2) data = net::pki::to_hex(cert.cert_sha512);
  else if (selector == 1 && matching_type == 0) data = net::pki::to_hex(cert.spki_der);
  else if (selector == 1 && matching_type == 1) data = net::pki::to_hex(cert.spki_sha256);
  else if (selector == 1 && matching_type == 2) data = net::pki::to_hex(cert.spki_sha512);
  else throw std::invalid_argument("tlsa_for: selector must be 0 or 1 and matching type 0, 1 or 2");
  return tlsa(port, host, usage, selector, matching_type, data);
}
}  // namespace rr

std::string make_scratch_dir(std::string_view prefix) {
  char const* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + std::string(prefix) + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("cannot create a directory " + pattern + ": " + std::strerror(errno));
  return pattern;
}

namespace {

dns::zone_security to_zone_security(dnssec_mode m) {
  switch (m) {
    case dnssec_mode::secure: return dns::zone_security::secure;
    case dnssec_mode::insecure: return dns::zone_security::insecure;
    case dnssec_mode::bogus: return dns::zone_security::bogus_signatures;
  }
  return dns::zone_security::secure;
}

std::string normalise(std::string_view name) {
  std::string n;
  for (char c : name) n += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  while (!n.empty() && n.back() == '.') n.pop_back();
  return n;
}

bool at_or_below(std::string const& name, std::string const& zone) {
  return name == zone || (name.size() > zone.size() && name.ends_with("." + zone));
}

template <class T>
void check(dns::result<T> const& r, std::string const& what) {
  if (!r) throw std::runtime_error(what + ": " + r.error().message());
}

world_clock::time_point start_of(world_options const& opt) {
  if (opt.start_time) return *opt.start_time;
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace

world::world(world_options opt)
    : opt_(std::move(opt)), clock_(start_of(opt_)) {
  opt_.tld = normalise(opt_.tld);
  if (opt_.tld.empty() || std::count(opt_.tld.begin(), opt_.tld.end(), '.') > 1)
    throw std::runtime_error("world: the TLD must have one or two labels (e.g. mxtls.test), got '" + opt_.tld + "'");
  boost::system::error_code ec;
  address_ = boost::asio::ip::make_address(opt_.address, ec);
  if (ec || !address_.is_loopback())
    throw std::runtime_error("world: listeners bind only to loopback addresses, not '" + opt_.address + "'");

  if (opt_.dir.empty()) {
    dir_ = make_scratch_dir("mxtls-world");
    own_dir_ = true;
  } else {
    dir_ = opt_.dir;
    std::error_code fec;
    fs::create_directories(dir_, fec);
    if (!fs::is_directory(dir_)) throw std::runtime_error("world: cannot create " + dir_);
  }

  guard_.emplace(io_.get_executor());
  thread_ = std::thread([this] {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (...) {
        // A server handler threw: keep serving the other cases.
      }
    }
  });

  try {
    pki_ = std::make_unique<pki_store>(clock_);
    ca_file_ = dir_ + "/ca.pem";
    {
      std::ofstream out(ca_file_, std::ios::binary | std::ios::trunc);
      out << pki_->ca_pem();
      if (!out) throw std::runtime_error("world: cannot write " + ca_file_);
    }

    // The chain root -> test. -> mxtls.test. -> case zones: the authority makes the first
    // label of the TLD itself, and the world adds the second as a secure zone below it.
    dns::authority_options aopt;
    auto const last_dot = opt_.tld.rfind('.');
    aopt.tld = last_dot == std::string::npos ? opt_.tld : opt_.tld.substr(last_dot + 1);
    aopt.ns_addresses = {address_};
    aopt.now = clock_.now();
    zones_ = std::make_shared<dns::authority>(aopt);
    if (last_dot != std::string::npos) check(zones_->add_zone({opt_.tld, dns::zone_security::secure, {}}), "world: zone " + opt_.tld);
    zones_->set_resolver_mode(opt_.dns_mode);

    anchor_file_ = dir_ + "/trust-anchor.ds";
    check(zones_->write_trust_anchor(anchor_file_, dns::anchor_format::ds), "world: trust anchor");

    run_on_world([this] {
      dns_ = std::make_unique<dns::server>(io_.get_executor(), zones_);
      check(dns_->start(address_, opt_.dns_port), "world: DNS server on " + address_.to_string());
    });
  } catch (...) {
    guard_.reset();
    io_.stop();
    thread_.join();
    if (own_dir_) {
      std::error_code fec;
      fs::remove_all(dir_, fec);
    }
    throw;
  }
}

world::~world() {
  try {
    run_on_world([this] {
      std::lock_guard lock(mu_);
      for (auto& [d, h] : policy_hosts_) h->stop();
      policy_hosts_.clear();
      kept_.clear();
      if (dns_) dns_->stop();
    });
  } catch (...) {
    // Stopping is best effort; the io_context below ends everything anyway.
  }
  guard_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
  if (own_dir_) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

dns::server_address world::dns_address() const { return {dns_->address(), dns_->port()}; }

std::string world::dns_address_text() const { return dns_->address().to_string() + ":" + std::to_string(dns_->port()); }

void world::add_domain(std::string const& domain, dnssec_mode mode, std::vector<std::string> const& records) {
  check(zones_->add_zone({normalise(domain), to_zone_security(mode), records}), "world: zone " + domain);
}

void world::add_records(std::string const& zone, std::vector<std::string> const& records) {
  check(zones_->add_records(normalise(zone), records), "world: records of " + zone);
}

void world::replace_rrset(std::string const& zone, std::string const& owner, dns::rr_type type,
                          std::vector<std::string> const& records) {
  check(zones_->replace_rrset(normalise(zone), owner, type, records), "world: records of " + zone);
}

void world::remove_rrset(std::string const& owner, dns::rr_type type) {
  check(zones_->remove_rrset(owner, type), "world: remove " + owner);
}

void world::set_dnssec(std::string const& domain, dnssec_mode mode) {
  check(zones_->set_security(normalise(domain), to_zone_security(mode)), "world: zone " + domain);
}

void world::set_dns_fault(std::string const& name, dns::fault f, bool subtree, std::optional<dns::rr_type> only) {
  zones_->set_fault(normalise(name), f, subtree, only);
}

void world::set_time(world_clock::time_point t) {
  clock_.set(t);
  zones_->set_time(t);
}

std::shared_ptr<policy_host> world::start_policy_host(std::string const& domain, policy_host_options opt) {
  auto const d = normalise(domain);
  auto const host_address = opt_.distinct_policy_addresses ? allocate_address() : address_;
  auto host = run_on_world([&] {
    auto h = std::make_shared<policy_host>(io_.get_executor(), d, std::move(opt), *pki_, clock_, host_address,
                                           opt_.policy_port);
    std::lock_guard lock(mu_);
    if (auto it = policy_hosts_.find(d); it != policy_hosts_.end()) it->second->stop();
    policy_hosts_[d] = h;
    return h;
  });
  // The policy host's name resolves to the world's address when the world holds the zone.
  auto const zones = zones_->zones();
  std::string holder;
  for (auto const& z : zones)
    if (at_or_below(d, z) && z.size() > holder.size()) holder = z;
  if (!holder.empty() && holder != opt_.tld && at_or_below(holder, opt_.tld))
    check(zones_->replace_rrset(holder, "mta-sts." + d + ".", dns::rr_type::a, {rr::a("mta-sts." + d, host_address.to_string())}),
          "world: A record of mta-sts." + d);
  return host;
}

void world::stop_policy_host(std::string const& domain) {
  auto const d = normalise(domain);
  run_on_world([&] {
    std::lock_guard lock(mu_);
    if (auto it = policy_hosts_.find(d); it != policy_hosts_.end()) {
      it->second->stop();
      policy_hosts_.erase(it);
    }
  });
}

boost::asio::ip::address world::allocate_address() {
  std::lock_guard lock(mu_);
  // 127.64.0.0/10 holds 4,194,302 usable addresses; .0 and .255 host parts are skipped so that
  // no address looks like a network or broadcast address to a picky implementation.
  for (;;) {
    auto const n = ++next_address_;
    if (n >= (1u << 22)) throw std::runtime_error("world: the 127.64.0.0/10 address pool is exhausted");
    auto const v = (127u << 24) | (64u << 16) | n;
    if ((v & 0xffu) == 0 || (v & 0xffu) == 0xffu) continue;
    return boost::asio::ip::address_v4(v);
  }
}

std::shared_ptr<policy_host> world::find_policy_host(std::string const& domain) const {
  std::lock_guard lock(mu_);
  auto const it = policy_hosts_.find(normalise(domain));
  return it == policy_hosts_.end() ? nullptr : it->second;
}

void world::keep(std::string const& case_domain, std::shared_ptr<void> resource) {
  std::lock_guard lock(mu_);
  kept_.emplace(normalise(case_domain), std::move(resource));
}

void world::end_case(std::string const& case_domain) {
  auto const d = normalise(case_domain);
  run_on_world([&] {
    std::vector<std::shared_ptr<void>> released;
    std::lock_guard lock(mu_);
    for (auto it = policy_hosts_.begin(); it != policy_hosts_.end();) {
      if (at_or_below(it->first, d)) {
        it->second->stop();
        it = policy_hosts_.erase(it);
      } else {
        ++it;
      }
    }
    auto const [b, e] = kept_.equal_range(d);
    for (auto it = b; it != e; ++it) released.push_back(std::move(it->second));
    kept_.erase(b, e);
    // `released` is destroyed here, on the world's thread, where its sockets live.
  });
}

std::vector<std::pair<std::string, std::string>> world::describe() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("dns", dns_address_text() + " (UDP and TCP)");
  out.emplace_back("dns-mode", opt_.dns_mode == dns::resolver_mode::validating ? "validating (AD on secure answers)"
                                                                                 : "authoritative (no AD)");
  out.emplace_back("trust-anchor", anchor_file_);
  out.emplace_back("ca", ca_file_);
  out.emplace_back("tld", opt_.tld + ".");
  out.emplace_back("dir", dir_);
  std::lock_guard lock(mu_);
  for (auto const& [d, h] : policy_hosts_) out.emplace_back("policy-host", h->host_name() + " " + h->address());
  return out;
}

}  // namespace mxtls::conformance
