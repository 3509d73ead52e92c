// The world's test PKI: a root CA and cached per-host certificates of every shape.
#include "world/pki_store.hpp"

#include <stdexcept>

namespace mxtls::conformance {

using namespace std::chrono_literals;

std::string_view to_string(cert_kind k) noexcept {
  switch (k) {
    case cert_kind::valid: return "valid";
    case cert_kind::expired: return "expired";
    case cert_kind::not_yet_valid: return "not-yet-valid";
    case cert_kind::wrong_name: return "wrong-name";
    case cert_kind::self_signed: return "self-signed";
    case cert_kind::cn_only: return "cn-only";
    case cert_kind::wildcard: return "wildcard";
  }
  return "?";
}

std::optional<cert_kind> parse_cert_kind(std::string_view s) noexcept {
  for (auto k : {cert_kind::valid, cert_kind::expired, cert_kind::not_yet_valid, cert_kind::wrong_name,
                 cert_kind::self_signed, cert_kind::cn_only, cert_kind::wildcard})
    if (to_string(k) == s) return k;
  return std::nullopt;
}

std::string wrong_name_for(std::string_view host) {
  auto const dot = host.find('.');
  if (dot == std::string_view::npos) return "other-" + std::string(host);
  return "other-" + std::string(host.substr(0, dot)) + std::string(host.substr(dot));
}

pki_store::pki_store(world_clock const& clock)
    : clock_(clock), ca_(net::pki::authority::create_root("mxtls conformance world CA")) {}

net::pki::issued const& pki_store::ca() const noexcept { return ca_.certificate(); }

std::string const& pki_store::ca_pem() const noexcept { return ca_.root_pem(); }

net::pki::issued const& pki_store::issue(std::string const& host, cert_kind kind) {
  std::lock_guard lock(mu_);
  auto const key = std::make_pair(host, kind);
  if (auto it = issued_.find(key); it != issued_.end()) return it->second;
  auto const now = clock_.now();
  net::pki::cert_options o;
  o.not_before = now - 1h;
  o.not_after = now + 24h * 30;
  switch (kind) {
    case cert_kind::valid:
    case cert_kind::self_signed: o.dns_names = {host}; break;
    case cert_kind::expired:
      o.dns_names = {host};
      o.not_before = now - 24h * 60;
      o.not_after = now - 24h;
      break;
    case cert_kind::not_yet_valid:
      o.dns_names = {host};
      o.not_before = now + 24h;
      o.not_after = now + 24h * 60;
      break;
    case cert_kind::wrong_name: o.dns_names = {wrong_name_for(host)}; break;
    case cert_kind::cn_only: o.common_name = host; break;
    case cert_kind::wildcard: {
      auto const dot = host.find('.');
      o.dns_names = {dot == std::string::npos ? "*." + host : "*" + host.substr(dot)};
      break;
    }
  }
  auto cert = kind == cert_kind::self_signed ? net::pki::self_signed(o) : ca_.issue(o);
  return issued_.emplace(key, std::move(cert)).first->second;
}

net::server_chain pki_store::chain(std::string const& host, cert_kind kind) {
  return issue(host, kind).as_server_chain();
}

cert_files pki_store::write(std::string const& host, cert_kind kind, std::string const& dir) {
  auto const& c = issue(host, kind);
  std::string const base = host + "." + std::string(to_string(kind));
  auto r = c.write(dir, base);
  if (!r) throw std::runtime_error("cannot write the certificate of " + host + " to " + dir + ": " + r.error().message());
  return {dir + "/" + base + ".crt", dir + "/" + base + ".key", dir + "/" + base + ".chain.pem"};
}

}  // namespace mxtls::conformance
