// print-dns: the records to publish for mxtls-serve, in zone-file syntax. The MX target's
// prefix follows the listeners (PFX-02, P26-02), the TLSA digest comes from the
// certificate (DANE 3 1 1), the _mta-sts id from the policy file (STS-3.1-04).
#include "print_dns.hpp"

#include "cert_digest.hpp"

#include "mxtls/spec/dns/name.hpp"
#include "mxtls/spec/mtasts/policy.hpp"
#include "mxtls/spec/prefix/mx_prefix.hpp"

#include <cstdint>
#include <fstream>
#include <sstream>

namespace mxtls::server {
namespace {

namespace prefix = spec::prefix;

std::string without_prefix(std::string const& host) {
  auto const label = spec::dns::leftmost_label(host);
  for (std::string_view tag : {"starttls-", "smtps-"}) {
    if (label.size() > tag.size() && spec::dns::equal_ci(label.substr(0, tag.size()), tag))
      return host.substr(tag.size());
  }
  return host;
}

}  // namespace

std::string policy_id(std::string_view policy_text) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a 64
  for (char ch : policy_text) {
    h ^= static_cast<unsigned char>(ch);
    h *= 1099511628211ull;
  }
  constexpr char hex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i) {
    id[static_cast<std::size_t>(i)] = hex[h & 0xf];
    h >>= 4;
  }
  return id;
}

std::string render_dns_records(config const& cfg, dns_inputs const& in) {
  std::ostringstream o;
  std::string const ttl = "\t3600\tIN\t";
  bool const implicit = cfg.listen_implicit.has_value();
  auto const wanted = implicit ? prefix::mx_prefix::smtps : prefix::mx_prefix::starttls;
  std::string const tag = implicit ? "smtps-" : "starttls-";
  auto const cls = prefix::classify(cfg.hostname);
  std::string target = cfg.hostname;
  bool renamed = false;
  if (!cls || *cls != wanted) {
    target = tag + without_prefix(cfg.hostname);
    renamed = true;
  }

  o << "; DNS records for mxtls-serve on " << cfg.hostname << " (mxtls-serve print-dns)\n"
    << "; Publish them in DNSSEC-signed zones: the prefix and the TLSA records are only as\n"
    << "; trustworthy as the MX RRset that names the host (DNS-01, DNS-02).\n;\n";

  o << "; --- MX ---------------------------------------------------------------------\n";
  if (implicit)
    o << "; The target starts with \"smtps-\" because an implicit-TLS listener is configured\n"
      << "; (listen_implicit): senders connect with TLS on port 26 first and fall back to\n"
      << "; STARTTLS on port 25, verified TLS required on both (P26-02, P26-09, P26-12).\n";
  else
    o << "; The target starts with \"starttls-\" (no implicit-TLS listener is configured):\n"
      << "; senders require STARTTLS with a certificate verified for the host on port 25 and\n"
      << "; never fall back to plaintext (PFX-05, PFX-10, PFX-16). Add listen_implicit to use\n"
      << "; the \"smtps-\" prefix and port 26.\n";
  if (renamed) {
    o << "; WARNING: hostname " << cfg.hostname << " does not carry the \"" << tag << "\" prefix.\n"
      << ";   The MX target below is " << target << ": set hostname = " << target << ",\n"
      << ";   give the server a certificate whose SAN covers it (PFX-07) and publish its\n"
      << ";   addresses, or senders will not apply the prefix rules to this host.\n";
    if (cls && *cls == prefix::mx_prefix::smtps && !implicit)
      o << ";   An \"smtps-\" name without an implicit-TLS listener breaks P26-02.\n";
  }
  if (implicit && cfg.listen_implicit->port != 26)
    o << "; NOTE: listen_implicit uses port " << cfg.listen_implicit->port
      << "; senders dial the implicit-TLS port they are configured with, 26 by default (P26-01).\n";
  if (cfg.listen && cfg.listen->port != 25)
    o << "; NOTE: listen uses port " << cfg.listen->port << "; senders dial port 25.\n";
  for (auto const& d : cfg.domains) o << d << "." << ttl << "MX\t10 " << target << ".\n";
  o << "; " << target << ". A/AAAA: the public addresses of this server (fill in):\n"
    << ";" << target << "." << ttl << "A\t192.0.2.1\n;\n";

  o << "; --- TLSA (DANE-EE, SPKI, SHA-256) --------------------------------------------\n";
  if (in.spki_sha256_hex.empty()) {
    o << "; no certificate configured (cert): no TLSA records\n";
  } else {
    o << "; Usable only when the zone of " << target << " is DNSSEC-signed. Publish the new\n"
      << "; digest next to the old one before changing the key.\n";
    o << "_25._tcp." << target << "." << ttl << "TLSA\t3 1 1 " << in.spki_sha256_hex << "\n";
    // [P26-10] the implicit-TLS port has its own TLSA owner name.
    if (implicit) o << "_26._tcp." << target << "." << ttl << "TLSA\t3 1 1 " << in.spki_sha256_hex << "\n";
  }
  o << ";\n";

  o << "; --- MTA-STS ------------------------------------------------------------------\n";
  if (in.policy_text.empty()) {
    o << "; no mta_sts_policy configured: no _mta-sts record\n";
  } else {
    auto p = spec::mtasts::parse_policy(in.policy_text);
    if (!p)
      throw config_error("mta_sts_policy: " + cfg.mta_sts_policy + " is not a valid MTA-STS policy (" +
                         std::string(p.error().requirement) + ": " + p.error().message() + " at offset " +
                         std::to_string(p.error().offset) + ")");
    if (p->mode != spec::mtasts::policy_mode::none && !spec::mtasts::mx_matches(*p, target))
      o << "; WARNING: no mx: line of " << cfg.mta_sts_policy << " matches " << target
        << "; senders in enforce mode will refuse this host (STS-4.1-01).\n";
    o << "; The id changes whenever the policy file does; serve the new policy before\n"
      << "; publishing the new id. mta-sts.DOMAIN needs A/AAAA records pointing at the policy\n"
      << "; host (mta_sts_listen) and a certificate valid for that name.\n";
    for (auto const& d : cfg.domains)
      o << "_mta-sts." << d << "." << ttl << "TXT\t\"v=STSv1; id=" << policy_id(in.policy_text) << "\"\n";
  }
  o << ";\n";

  o << "; --- TLSRPT -------------------------------------------------------------------\n";
  for (auto const& d : cfg.domains) {
    std::string rua = cfg.tlsrpt_rua;
    if (rua.empty()) {
      rua = "mailto:EDIT-ME-tlsrpt@" + d;
      o << "; EDIT: the rua below is a placeholder: set tlsrpt_rua (mailto: or https:) and rerun.\n";
    }
    o << "_smtp._tls." << d << "." << ttl << "TXT\t\"v=TLSRPTv1; rua=" << rua << "\"\n";
  }
  return o.str();
}

std::string print_dns(config const& cfg) {
  dns_inputs in;
  if (!cfg.cert_file.empty()) in.spki_sha256_hex = spki_sha256_hex(cfg.cert_file);
  if (!cfg.mta_sts_policy.empty()) {
    std::ifstream f(cfg.mta_sts_policy, std::ios::binary);
    if (!f) throw config_error("mta_sts_policy: cannot open " + cfg.mta_sts_policy);
    std::stringstream ss;
    ss << f.rdbuf();
    in.policy_text = ss.str();
    if (in.policy_text.empty()) throw config_error("mta_sts_policy: " + cfg.mta_sts_policy + " is empty");
  }
  return render_dns_records(cfg, in);
}

}  // namespace mxtls::server
