// The test DNS authority: zones in memory, signed with ldns (one ECDSA P-256 CSK per zone,
// NSEC chains built here), answered as wire bytes with faults and resolver modes.
// Serves every DNSSEC state a validating sender must tell apart (DANE-2.1.1-01,
// DANE-2.1.1-02) and the untrusted AD bit (DANE-2.1.3-02, X-45).
#include "mxtls/net/dns/authority.hpp"

#include "ldns_wrap.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <stdexcept>

namespace mxtls::net::dns {

char const* to_string(zone_security s) noexcept {
  switch (s) {
    case zone_security::secure: return "secure";
    case zone_security::insecure: return "insecure";
    case zone_security::bogus_signatures: return "bogus_signatures";
    case zone_security::bogus_ds: return "bogus_ds";
    case zone_security::expired_signatures: return "expired_signatures";
  }
  return "unknown";
}

char const* to_string(denial_method d) noexcept {
  switch (d) {
    case denial_method::nsec: return "nsec";
    case denial_method::nsec3: return "nsec3";
    case denial_method::nsec3_opt_out: return "nsec3_opt_out";
  }
  return "unknown";
}

char const* to_string(fault f) noexcept {
  switch (f) {
    case fault::none: return "none";
    case fault::servfail: return "servfail";
    case fault::refused: return "refused";
    case fault::drop: return "drop";
    case fault::truncate: return "truncate";
    case fault::bogus_signatures: return "bogus_signatures";
  }
  return "unknown";
}

namespace {

using namespace detail;

constexpr std::size_t max_cname_hops = 8;
constexpr std::uint16_t our_edns_size = 1232;  // DNS flag day 2020 default

error make_error(errc e, std::string detail = {}) {
  return mxtls::spec::make_parse_error(e, "", 0, std::move(detail));
}

bool is_signed(zone_security s) noexcept { return s != zone_security::insecure; }

std::uint32_t epoch_seconds(std::chrono::system_clock::time_point t) {
  auto const s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  return static_cast<std::uint32_t>(s);  // RRSIG times are serial numbers modulo 2^32 (RFC 4034 §3.1.5)
}

rr_ptr parse_rr(std::string const& text, std::uint32_t ttl, ldns_rdf* origin, std::string& why) {
  ldns_rr* rr = nullptr;
  ldns_status const s = ldns_rr_new_frm_str(&rr, text.c_str(), ttl, origin, nullptr);
  if (s != LDNS_STATUS_OK) {
    why = "\"" + text + "\": " + status_text(s);
    return nullptr;
  }
  rr_ptr out{rr};
  ldns_dname2canonical(ldns_rr_owner(out.get()));
  return out;
}

/// Flips the first octet of an RRSIG's signature field: the signature no longer verifies.
void corrupt_signature(ldns_rr* sig) {
  if (ldns_rr_rd_count(sig) < 9) return;
  ldns_rdf* s = ldns_rr_rdf(sig, 8);
  if (ldns_rdf_size(s) > 0) ldns_rdf_data(s)[0] ^= 0xff;
}

struct rrset_data {
  std::vector<rr_ptr> rrs;
  std::vector<rr_ptr> sigs;
};

struct node_data {
  std::map<std::uint16_t, rrset_data> sets;
  bool delegation = false;  // a non-apex NS RRset: a zone cut
  bool glue = false;        // strictly below a zone cut: not authoritative
};

using name_map = std::map<rdf_ptr, node_data, dname_less>;

struct zone {
  rdf_ptr apex;
  std::string name;  // API form
  zone_security security = zone_security::secure;
  key_ptr key;
  rr_ptr dnskey;
  std::vector<rr_ptr> records;  // the user's records (absolute, canonical owners)
  std::uint32_t serial = 0;
  bool dirty = true;
  name_map served;
  denial_method denial = denial_method::nsec;
  std::map<rdf_ptr, rrset_data, dname_less> nsec3;  // by hashed owner name
  /// Signatures of the last build by signing parameters and RRset content: a rebuild signs
  /// only what changed, so adding one case zone does not re-sign the whole TLD.
  std::map<std::string, std::vector<rr_ptr>> sig_cache;
};

/// RFC 9276 parameters: SHA-1 (1), no additional iterations, empty salt.
constexpr std::uint8_t nsec3_hash_alg = 1;

rdf_ptr nsec3_owner(zone const& z, ldns_rdf const* name) {
  std::uint8_t const no_salt = 0;
  rdf_ptr label{ldns_nsec3_hash_name(name, nsec3_hash_alg, 0, 0, &no_salt)};
  if (!label) return nullptr;
  std::string l = dname_text(label.get());
  if (!l.empty() && l.back() == '.') l.pop_back();
  std::string const apex = dname_text(z.apex.get());
  return make_dname(l + (apex == "." ? "." : "." + apex));
}

struct fault_rule {
  rdf_ptr name;
  fault what = fault::none;
  bool subtree = false;
  std::optional<rr_type> only;
};

/// The sections of one answer, before it becomes a packet.
struct reply {
  rcode code = rcode::noerror;
  bool aa = true;
  std::vector<rr_ptr> answer, authority, additional;
  dnssec_status zones_status = dnssec_status::secure;  // weakest zone touched (for AD / SERVFAIL)
};

void push_clones(std::vector<rr_ptr>& out, std::vector<rr_ptr> const& in) {
  for (auto const& rr : in) out.emplace_back(ldns_rr_clone(rr.get()));
}

}  // namespace

struct authority::impl {
  authority_options opt;
  std::chrono::system_clock::time_point now;

  mutable std::shared_mutex mu;  // zones, faults, mode
  std::map<rdf_ptr, std::unique_ptr<zone>, dname_less> zones;
  std::atomic<bool> any_dirty{true};
  std::vector<fault_rule> faults;
  resolver_mode mode = resolver_mode::authoritative;

  mutable std::mutex log_mu;
  std::vector<query_log_entry> log;
  std::function<void(query_log_entry const&)> callback;

  // ---- zone bookkeeping (callers hold mu) -------------------------------------------------

  zone* find_zone(ldns_rdf const* apex) const {
    rdf_ptr key{canonical_clone(apex)};
    auto it = zones.find(key);
    return it == zones.end() ? nullptr : it->second.get();
  }

  zone* find_zone(std::string_view name) const {
    rdf_ptr d = make_dname(name);
    return d ? find_zone(d.get()) : nullptr;
  }

  /// The deepest held zone at or above `name` (strictly above when `strictly_above`).
  zone* enclosing_zone(ldns_rdf const* name, bool strictly_above) const {
    rdf_ptr cur{canonical_clone(name)};
    if (strictly_above) cur = parent_name(cur.get());
    while (cur) {
      if (auto it = zones.find(cur); it != zones.end()) return it->second.get();
      cur = parent_name(cur.get());
    }
    return nullptr;
  }

  zone* parent_zone(zone const& z) const {
    if (ldns_dname_label_count(z.apex.get()) == 0) return nullptr;
    return enclosing_zone(z.apex.get(), true);
  }

  std::vector<zone*> children(zone const& z) const {
    std::vector<zone*> out;
    for (auto const& [apex, c] : zones)
      if (c.get() != &z && parent_zone(*c) == &z) out.push_back(c.get());
    return out;
  }

  void mark_dirty(zone& z) {
    z.dirty = true;
    any_dirty = true;
  }

  /// The security of a zone as a validator sees it from the root (for AD and SERVFAIL).
  dnssec_status chain_status(zone const& z) const {
    std::vector<zone const*> chain;
    for (zone const* c = &z; c != nullptr; c = parent_zone(*c)) chain.push_back(c);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      switch ((*it)->security) {
        case zone_security::secure: break;
        case zone_security::insecure: return dnssec_status::insecure;
        default: return dnssec_status::bogus;
      }
    }
    return dnssec_status::secure;
  }

  std::unique_ptr<zone> new_zone(std::string_view name, zone_security s, std::string& why) {
    auto z = std::make_unique<zone>();
    z->apex = make_dname(name);
    if (!z->apex) {
      why = "not a domain name: " + std::string(name);
      return nullptr;
    }
    z->name = dname_api(z->apex.get());
    z->security = s;
    z->key.reset(ldns_key_new_frm_algorithm(LDNS_SIGN_ECDSAP256SHA256, 256));
    if (!z->key) {
      why = "ldns_key_new_frm_algorithm failed";
      return nullptr;
    }
    ldns_key_set_flags(z->key.get(), LDNS_KEY_ZONE_KEY | LDNS_KEY_SEP_KEY);  // a CSK: 257
    ldns_key_set_pubkey_owner(z->key.get(), ldns_rdf_clone(z->apex.get()));
    z->dnskey.reset(ldns_key2rr(z->key.get()));
    if (!z->dnskey) {
      why = "ldns_key2rr failed";
      return nullptr;
    }
    ldns_rr_set_ttl(z->dnskey.get(), 3600);
    // stack.md pitfall 7: ldns does not set the key tag itself; without it every RRSIG says 0.
    ldns_key_set_keytag(z->key.get(), ldns_calc_keytag(z->dnskey.get()));
    return z;
  }

  /// Parses user records for zone `z`; all or nothing.
  result<std::vector<rr_ptr>> parse_records(zone const& z, std::vector<std::string> const& texts) const {
    std::vector<rr_ptr> out;
    for (auto const& t : texts) {
      std::string why;
      rr_ptr rr = parse_rr(t, opt.default_ttl, z.apex.get(), why);
      if (!rr) return make_error(errc::invalid_record, why);
      if (ldns_rr_get_class(rr.get()) != LDNS_RR_CLASS_IN)
        return make_error(errc::invalid_record, "\"" + t + "\": only class IN is served");
      switch (ldns_rr_get_type(rr.get())) {
        case LDNS_RR_TYPE_SOA: case LDNS_RR_TYPE_DNSKEY: case LDNS_RR_TYPE_RRSIG:
        case LDNS_RR_TYPE_NSEC: case LDNS_RR_TYPE_NSEC3: case LDNS_RR_TYPE_NSEC3PARAM:
        case LDNS_RR_TYPE_DS:
          return make_error(errc::invalid_record,
                            "\"" + t + "\": SOA, DNSKEY, DS and DNSSEC records are made by the authority");
        default: break;
      }
      if (!dname_at_or_below(ldns_rr_owner(rr.get()), z.apex.get()))
        return make_error(errc::record_outside_zone, "\"" + t + "\" is not in zone " + z.name);
      if (ldns_rr_get_type(rr.get()) == LDNS_RR_TYPE_NS && dname_equal(ldns_rr_owner(rr.get()), z.apex.get()))
        return make_error(errc::invalid_record, "\"" + t + "\": the apex NS RRset is made by the authority");
      if (zone* inner = enclosing_zone(ldns_rr_owner(rr.get()), false);
          inner != nullptr && inner != &z && ldns_dname_is_subdomain(inner->apex.get(), z.apex.get()))
        return make_error(errc::record_outside_zone, "\"" + t + "\" belongs to zone " + inner->name);
      out.push_back(std::move(rr));
    }
    return out;
  }

  // ---- building and signing ----------------------------------------------------------------

  rr_ptr make(std::string const& text) const {
    std::string why;
    rr_ptr rr = parse_rr(text, opt.default_ttl, nullptr, why);
    if (!rr) throw std::logic_error("authority built an invalid record: " + why);
    return rr;
  }

  void add_ns_addresses(std::vector<rr_ptr>& out, std::string const& host) const {
    for (auto const& a : opt.ns_addresses)
      out.push_back(make(host + " 3600 IN " + (a.is_v4() ? "A " : "AAAA ") + a.to_string()));
  }

  static std::string fqdn(zone const& z) { return dname_text(z.apex.get()); }
  static std::string ns_host(zone const& z) {
    return z.name == "." ? std::string("ns.") : "ns." + fqdn(z);
  }

  /// The DS the parent publishes for `child` (with a wrong digest for bogus_ds).
  rr_ptr ds_for(zone const& child) const {
    rr_ptr ds{ldns_key_rr2ds(child.dnskey.get(), LDNS_SHA256)};
    if (!ds) throw std::runtime_error("ldns_key_rr2ds failed");
    ldns_rr_set_ttl(ds.get(), 3600);
    if (child.security == zone_security::bogus_ds) {
      ldns_rdf* digest = ldns_rr_rdf(ds.get(), 3);
      if (digest != nullptr && ldns_rdf_size(digest) > 0) ldns_rdf_data(digest)[0] ^= 0xff;
    }
    return ds;
  }

  void build(zone& z) {
    z.served.clear();
    z.nsec3.clear();
    ++z.serial;
    auto insert = [&](rr_ptr rr) {
      rdf_ptr owner{canonical_clone(ldns_rr_owner(rr.get()))};
      auto& set = z.served[std::move(owner)].sets[static_cast<std::uint16_t>(ldns_rr_get_type(rr.get()))];
      for (auto const& have : set.rrs)
        if (ldns_rr_compare(have.get(), rr.get()) == 0) return;  // an RRset has no duplicates
      set.rrs.push_back(std::move(rr));
    };
    std::string const apex = fqdn(z);
    std::string const ns = ns_host(z);
    insert(make(apex + " 3600 IN SOA " + ns + " hostmaster." + (z.name == "." ? std::string() : apex) + " " +
                std::to_string(z.serial) + " 3600 600 86400 " + std::to_string(opt.default_ttl)));
    insert(make(apex + " 3600 IN NS " + ns));
    {
      std::vector<rr_ptr> addrs;
      add_ns_addresses(addrs, ns);
      for (auto& a : addrs) insert(std::move(a));
    }
    for (auto const& rr : z.records) insert(rr_ptr{ldns_rr_clone(rr.get())});
    for (zone* c : children(z)) {
      std::string const child_ns = ns_host(*c);
      insert(make(fqdn(*c) + " 3600 IN NS " + child_ns));
      std::vector<rr_ptr> glue;
      add_ns_addresses(glue, child_ns);
      for (auto& g : glue)
        if (dname_at_or_below(ldns_rr_owner(g.get()), c->apex.get())) insert(std::move(g));
      if (is_signed(c->security)) insert(ds_for(*c));
    }
    if (is_signed(z.security)) insert(rr_ptr{ldns_rr_clone(z.dnskey.get())});

    // Zone cuts and occluded names (RFC 4035 §2.2: glue is not signed).
    for (auto& [owner, node] : z.served)
      node.delegation = !dname_equal(owner.get(), z.apex.get()) && node.sets.count(LDNS_RR_TYPE_NS) > 0;
    for (auto& [owner, node] : z.served) {
      for (rdf_ptr up = parent_name(owner.get()); up && !dname_equal(up.get(), z.apex.get()) &&
                                                 ldns_dname_is_subdomain(up.get(), z.apex.get());
           up = parent_name(up.get())) {
        auto it = z.served.find(up);
        if (it != z.served.end() && it->second.delegation) node.glue = true;
      }
    }
    // Empty non-terminals exist (NODATA, not NXDOMAIN) and get their own NSEC.
    std::vector<rdf_ptr> ents;
    for (auto const& [owner, node] : z.served) {
      if (node.glue) continue;
      for (rdf_ptr up = parent_name(owner.get()); up && ldns_dname_is_subdomain(up.get(), z.apex.get());
           up = parent_name(up.get()))
        if (!z.served.count(up)) ents.push_back(canonical_clone(up.get()));
    }
    for (auto& e : ents) z.served.try_emplace(std::move(e));

    if (is_signed(z.security)) sign(z);
    z.dirty = false;
  }

  void sign(zone& z) {
    if (z.denial == denial_method::nsec) make_nsec_chain(z);
    else make_nsec3_chain(z);

    auto const t = epoch_seconds(now);
    auto const validity = static_cast<std::uint32_t>(opt.signature_validity.count());
    if (z.security == zone_security::expired_signatures) {
      ldns_key_set_inception(z.key.get(), t - validity - 7200);
      ldns_key_set_expiration(z.key.get(), t - 3600);
    } else {
      ldns_key_set_inception(z.key.get(), t - 3600);
      ldns_key_set_expiration(z.key.get(), t + validity);
    }
    ldns_key_list* keys = ldns_key_list_new();
    ldns_key_list_push_key(keys, z.key.get());
    std::string const params = std::to_string(ldns_key_inception(z.key.get())) + " " +
                               std::to_string(ldns_key_expiration(z.key.get())) + " " + to_string(z.security) + "\n";
    std::map<std::string, std::vector<rr_ptr>> next_cache;
    auto sign_set = [&](std::uint16_t type, rrset_data& set) {
      if (set.rrs.empty()) return;
      std::vector<std::string> texts;  // wire form: cheaper than presentation, just as exact
      for (auto const& rr : set.rrs) {
        std::uint8_t* wire = nullptr;
        std::size_t size = 0;
        if (ldns_rr2wire(&wire, rr.get(), LDNS_SECTION_ANSWER, &size) == LDNS_STATUS_OK && wire != nullptr)
          texts.emplace_back(reinterpret_cast<char const*>(wire), size);
        std::free(wire);
      }
      std::sort(texts.begin(), texts.end());
      std::string key = params;
      for (auto const& w : texts) key += std::to_string(w.size()) + ":" + w;
      if (auto hit = z.sig_cache.find(key); hit != z.sig_cache.end()) {
        push_clones(set.sigs, hit->second);
        next_cache.insert(z.sig_cache.extract(hit));
        return;
      }
      rr_view_list list{ldns_rr_list_new()};
      for (auto const& rr : set.rrs) ldns_rr_list_push_rr(list.get(), rr.get());
      rr_list_ptr sigs{ldns_sign_public(list.get(), keys)};
      if (!sigs) {
        ldns_key_list_set_key_count(keys, 0);  // not pop_key: it frees the array that key_list_free frees again
        ldns_key_list_free(keys);
        throw std::runtime_error("ldns_sign_public failed for zone " + z.name);
      }
      while (ldns_rr_list_rr_count(sigs.get()) > 0) {
        rr_ptr sig{ldns_rr_list_pop_rr(sigs.get())};
        if (z.security == zone_security::bogus_signatures && type != LDNS_RR_TYPE_DNSKEY)
          corrupt_signature(sig.get());
        set.sigs.push_back(std::move(sig));
      }
      push_clones(next_cache[std::move(key)], set.sigs);
    };
    for (auto& [owner, node] : z.served) {
      if (node.glue) continue;
      for (auto& [type, set] : node.sets) {
        // At a zone cut only DS and NSEC are authoritative (RFC 4035 §2.2).
        if (node.delegation && type != LDNS_RR_TYPE_DS && type != LDNS_RR_TYPE_NSEC) continue;
        sign_set(type, set);
      }
    }
    for (auto& [owner, set] : z.nsec3) sign_set(LDNS_RR_TYPE_NSEC3, set);
    ldns_key_list_set_key_count(keys, 0);  // the zone owns its key (pop_key would double-free)
    ldns_key_list_free(keys);
    z.sig_cache = std::move(next_cache);  // what this build did not use is stale
  }

  /// RFC 5155 §7.1: one NSEC3 per authoritative name (empty non-terminals included), in
  /// hash order; with opt-out, unsigned delegations get none and the spans say so (flag 1).
  void make_nsec3_chain(zone& z) {
    bool const opt_out = z.denial == denial_method::nsec3_opt_out;
    z.served[canonical_clone(z.apex.get())].sets[LDNS_RR_TYPE_NSEC3PARAM].rrs.push_back(
        make(dname_text(z.apex.get()) + " 0 IN NSEC3PARAM 1 0 0 -"));
    std::map<rdf_ptr, std::string, dname_less> entries;  // hashed owner -> type list
    for (auto const& [owner, node] : z.served) {
      if (node.glue) continue;
      bool const unsigned_cut = node.delegation && node.sets.count(LDNS_RR_TYPE_DS) == 0;
      if (opt_out && unsigned_cut) continue;
      std::string types;
      bool signed_here = false;
      for (auto const& [t, set] : node.sets) {
        types += " " + to_string(static_cast<rr_type>(t));
        if (!node.delegation || t == LDNS_RR_TYPE_DS) signed_here = true;
      }
      if (signed_here) types += " RRSIG";
      rdf_ptr h = nsec3_owner(z, owner.get());
      if (!h) throw std::runtime_error("NSEC3 hashing failed in zone " + z.name);
      entries.emplace(std::move(h), std::move(types));
    }
    std::vector<decltype(entries)::const_iterator> order;
    for (auto it = entries.begin(); it != entries.end(); ++it) order.push_back(it);
    for (std::size_t i = 0; i < order.size(); ++i) {
      std::string next = dname_text(order[(i + 1) % order.size()]->first.get());
      next = next.substr(0, next.find('.'));
      std::string const text = dname_text(order[i]->first.get()) + " " + std::to_string(opt.default_ttl) +
                               " IN NSEC3 1 " + (opt_out ? "1" : "0") + " 0 - " + next + order[i]->second;
      z.nsec3[canonical_clone(order[i]->first.get())].rrs.push_back(make(text));
    }
  }

  /// The NSEC chain over authoritative names (RFC 4034 §4), canonical order, wrapping to the apex.
  void make_nsec_chain(zone& z) {
    std::vector<name_map::iterator> chain;
    for (auto it = z.served.begin(); it != z.served.end(); ++it)
      if (!it->second.glue) chain.push_back(it);
    for (std::size_t i = 0; i < chain.size(); ++i) {
      auto& node = chain[i]->second;
      std::string types;
      for (auto const& [t, set] : node.sets) types += " " + to_string(static_cast<rr_type>(t));
      types += " RRSIG NSEC";  // the NSEC RRset itself is signed, at a zone cut too
      insert_nsec(node, dname_text(chain[i]->first.get()) + " " + std::to_string(opt.default_ttl) +
                            " IN NSEC " + dname_text(chain[(i + 1) % chain.size()]->first.get()) + types);
    }
  }

  void insert_nsec(node_data& node, std::string const& text) {
    node.sets[LDNS_RR_TYPE_NSEC].rrs.push_back(make(text));
  }

  void ensure_built() {
    if (!any_dirty.load()) return;
    std::unique_lock lock(mu);
    if (!any_dirty.load()) return;
    for (auto& [apex, z] : zones)
      if (z->dirty) build(*z);
    any_dirty = false;
  }

  // ---- answering (callers hold mu shared) ------------------------------------------------

  fault fault_for(ldns_rdf const* qname, rr_type qtype) const {
    for (auto const& r : faults) {
      if (r.only && *r.only != qtype) continue;
      if (dname_equal(qname, r.name.get()) || (r.subtree && ldns_dname_is_subdomain(qname, r.name.get())))
        return r.what;
    }
    return fault::none;
  }

  static void add_set(std::vector<rr_ptr>& out, rrset_data const& set, bool dnssec) {
    push_clones(out, set.rrs);
    if (dnssec) push_clones(out, set.sigs);
  }

  void add_soa(reply& r, zone const& z, bool dnssec) const {
    auto it = z.served.find(canonical_clone(z.apex.get()));
    if (it == z.served.end()) return;
    if (auto s = it->second.sets.find(LDNS_RR_TYPE_SOA); s != it->second.sets.end()) add_set(r.authority, s->second, dnssec);
  }

  /// The NSEC whose span covers `name` (the greatest authoritative owner below `name`).
  name_map::const_iterator covering_nsec(zone const& z, ldns_rdf const* name) const {
    rdf_ptr key{canonical_clone(name)};
    auto it = z.served.lower_bound(key);
    do {
      if (it == z.served.begin()) it = z.served.end();  // wrap: the last NSEC covers names before the first
      --it;
    } while (it->second.glue || !it->second.sets.count(LDNS_RR_TYPE_NSEC));
    return it;
  }

  void add_nsec(reply& r, name_map::const_iterator it, std::vector<ldns_rdf const*>& added) const {
    for (auto const* a : added)
      if (dname_equal(a, it->first.get())) return;
    added.push_back(it->first.get());
    add_set(r.authority, it->second.sets.at(LDNS_RR_TYPE_NSEC), true);
  }

  using nsec3_map = std::map<rdf_ptr, rrset_data, dname_less>;

  nsec3_map::const_iterator nsec3_matching(zone const& z, ldns_rdf const* name) const {
    rdf_ptr h = nsec3_owner(z, name);
    return h ? z.nsec3.find(h) : z.nsec3.end();
  }

  /// The NSEC3 whose span covers H(name) (the greatest hashed owner below it, wrapping).
  nsec3_map::const_iterator nsec3_covering(zone const& z, ldns_rdf const* name) const {
    rdf_ptr h = nsec3_owner(z, name);
    if (!h || z.nsec3.empty()) return z.nsec3.end();
    auto it = z.nsec3.lower_bound(h);
    if (it == z.nsec3.begin()) it = z.nsec3.end();
    return --it;
  }

  void add_nsec3(reply& r, nsec3_map::const_iterator it, std::vector<ldns_rdf const*>& added) const {
    for (auto const* a : added)
      if (dname_equal(a, it->first.get())) return;
    added.push_back(it->first.get());
    add_set(r.authority, it->second, true);
  }

  /// RFC 5155 §7.2.1: the NSEC3 matching the closest encloser, the one covering the next
  /// closer name, and (for NXDOMAIN) the one covering the wildcard at the closest encloser.
  void add_closest_encloser_proof(reply& r, zone const& z, ldns_rdf const* name, bool wildcard,
                                  std::vector<ldns_rdf const*>& added) const {
    std::size_t const apex_labels = ldns_dname_label_count(z.apex.get());
    for (std::size_t k = ldns_dname_label_count(name); k-- > apex_labels;) {
      rdf_ptr ce = ancestor(name, k);
      auto m = nsec3_matching(z, ce.get());
      if (m == z.nsec3.end()) continue;
      add_nsec3(r, m, added);
      rdf_ptr next_closer = ancestor(name, k + 1);
      if (auto c = nsec3_covering(z, next_closer.get()); c != z.nsec3.end()) add_nsec3(r, c, added);
      if (wildcard) {
        std::string const text = dname_text(ce.get());
        rdf_ptr star = make_dname(text == "." ? std::string("*") : "*." + text);
        if (auto c = nsec3_covering(z, star.get()); c != z.nsec3.end()) add_nsec3(r, c, added);
      }
      return;
    }
  }

  /// The wildcard node "*.<closest encloser>" that would answer `name`, if any.
  struct wildcard_match {
    rdf_ptr encloser;
    name_map::const_iterator node;
  };
  wildcard_match wildcard_for(zone const& z, ldns_rdf const* name) const {
    wildcard_match m{nullptr, z.served.end()};
    rdf_ptr encloser = parent_name(name);
    while (encloser && dname_at_or_below(encloser.get(), z.apex.get()) && !z.served.count(encloser))
      encloser = parent_name(encloser.get());
    if (!encloser || !dname_at_or_below(encloser.get(), z.apex.get())) return m;
    std::string const ce = dname_text(encloser.get());
    rdf_ptr star = make_dname(ce == "." ? std::string("*") : "*." + ce);
    if (!star) return m;
    auto it = z.served.find(star);
    if (it == z.served.end() || it->second.glue) return m;
    m.encloser = std::move(encloser);
    m.node = it;
    return m;
  }

  /// Clones of a wildcard RRset (and its RRSIGs) with the query name as owner.
  static void add_synthesized(std::vector<rr_ptr>& out, rrset_data const& set, ldns_rdf const* owner, bool dnssec) {
    auto copy = [&](rr_ptr const& rr) {
      rr_ptr c{ldns_rr_clone(rr.get())};
      ldns_rdf* old = ldns_rr_owner(c.get());
      ldns_rr_set_owner(c.get(), ldns_rdf_clone(owner));
      ldns_rdf_deep_free(old);
      out.push_back(std::move(c));
    };
    for (auto const& rr : set.rrs) copy(rr);
    if (dnssec)
      for (auto const& rr : set.sigs) copy(rr);
  }

  void resolve(reply& r, ldns_rdf const* qname_in, rr_type qtype, bool dnssec) const {
    rdf_ptr qname{canonical_clone(qname_in)};
    auto const type = static_cast<std::uint16_t>(qtype);
    for (std::size_t hop = 0; hop <= max_cname_hops; ++hop) {
      bool const ds_query = qtype == rr_type::ds;
      // [RFC 4035 §3.1.4.1] DS lives on the parent side of a zone cut.
      zone const* z = nullptr;
      if (ds_query && ldns_dname_label_count(qname.get()) > 0 && find_zone(qname.get()) != nullptr)
        z = enclosing_zone(qname.get(), true);
      else
        z = enclosing_zone(qname.get(), false);
      if (z == nullptr) {
        if (hop == 0) r.code = rcode::refused;
        return;
      }
      r.zones_status = weakest(r.zones_status, chain_status(*z));
      bool const sigs = dnssec && is_signed(z->security);

      // A delegation to a zone not held here: a referral (RFC 1034 §4.3.2).
      for (rdf_ptr up{canonical_clone(qname.get())}; up && ldns_dname_is_subdomain(up.get(), z->apex.get());
           up = parent_name(up.get())) {
        auto it = z->served.find(up);
        if (it == z->served.end() || !it->second.delegation) continue;
        if (ds_query && dname_equal(up.get(), qname.get())) break;  // the parent answers DS itself
        r.aa = false;
        add_set(r.authority, it->second.sets.at(LDNS_RR_TYPE_NS), false);
        if (auto ds = it->second.sets.find(LDNS_RR_TYPE_DS); ds != it->second.sets.end())
          add_set(r.authority, ds->second, sigs);
        else if (sigs && it->second.sets.count(LDNS_RR_TYPE_NSEC))
          add_set(r.authority, it->second.sets.at(LDNS_RR_TYPE_NSEC), true);
        return;
      }

      auto node = z->served.find(qname);
      if (node != z->served.end() && !node->second.glue) {
        auto const& sets = node->second.sets;
        if (qtype == rr_type::any) {
          for (auto const& [t, set] : sets) add_set(r.answer, set, sigs);
          return;
        }
        if (auto s = sets.find(type); s != sets.end()) {
          add_set(r.answer, s->second, sigs);
          return;
        }
        if (auto c = sets.find(LDNS_RR_TYPE_CNAME); c != sets.end() && !c->second.rrs.empty()) {
          add_set(r.answer, c->second, sigs);
          if (ds_query) return;
          qname = canonical_clone(ldns_rr_rdf(c->second.rrs.front().get(), 0));
          continue;
        }
        // NODATA (RFC 4035 §3.1.3.1): SOA plus the NSEC at the name; with NSEC3 the
        // matching NSEC3, or for DS at an opt-out delegation the closest encloser proof
        // (RFC 5155 §7.2.3, §7.2.4).
        add_soa(r, *z, sigs);
        if (sigs && z->denial == denial_method::nsec) {
          if (auto n = sets.find(LDNS_RR_TYPE_NSEC); n != sets.end()) add_set(r.authority, n->second, true);
        } else if (sigs) {
          std::vector<ldns_rdf const*> added;
          if (auto m = nsec3_matching(*z, qname.get()); m != z->nsec3.end()) add_nsec3(r, m, added);
          else add_closest_encloser_proof(r, *z, qname.get(), false, added);
        }
        return;
      }
      // Wildcard synthesis (RFC 4035 §3.1.3.3, §3.1.3.4; RFC 5155 §7.2.5, §7.2.6): the
      // closest encloser has a "*" child; the answer takes the query name, the RRSIG keeps
      // the wildcard's label count, and the proof shows the name itself does not exist.
      if (auto w = wildcard_for(*z, qname.get()); w.node != z->served.end()) {
        auto const& wsets = w.node->second.sets;
        auto prove_no_exact_match = [&](std::vector<ldns_rdf const*>& added) {
          if (!sigs) return;
          if (z->denial == denial_method::nsec) {
            add_nsec(r, covering_nsec(*z, qname.get()), added);
          } else {
            rdf_ptr next_closer = ancestor(qname.get(), ldns_dname_label_count(w.encloser.get()) + 1);
            if (auto c = nsec3_covering(*z, next_closer.get()); c != z->nsec3.end()) add_nsec3(r, c, added);
          }
        };
        std::vector<ldns_rdf const*> added;
        if (auto s = wsets.find(type); s != wsets.end() && qtype != rr_type::any) {
          add_synthesized(r.answer, s->second, qname.get(), sigs);
          prove_no_exact_match(added);
          return;
        }
        if (auto c = wsets.find(LDNS_RR_TYPE_CNAME); c != wsets.end() && !c->second.rrs.empty()) {
          add_synthesized(r.answer, c->second, qname.get(), sigs);
          prove_no_exact_match(added);
          if (ds_query) return;  // as for an exact CNAME: DS is not chased
          qname = canonical_clone(ldns_rr_rdf(c->second.rrs.front().get(), 0));
          continue;
        }
        add_soa(r, *z, sigs);  // wildcard NODATA
        if (sigs && z->denial == denial_method::nsec) {
          prove_no_exact_match(added);
          add_nsec(r, w.node, added);
        } else if (sigs) {
          add_closest_encloser_proof(r, *z, qname.get(), false, added);
          if (auto m = nsec3_matching(*z, w.node->first.get()); m != z->nsec3.end()) add_nsec3(r, m, added);
        }
        return;
      }
      // NXDOMAIN (RFC 4035 §3.1.3.2): the NSEC covering the name and the one covering the
      // wildcard at the closest encloser.
      r.code = rcode::nxdomain;
      add_soa(r, *z, sigs);
      if (sigs && z->denial != denial_method::nsec) {
        std::vector<ldns_rdf const*> added;
        add_closest_encloser_proof(r, *z, qname.get(), true, added);  // RFC 5155 §7.2.2
      } else if (sigs) {
        std::vector<ldns_rdf const*> added;
        add_nsec(r, covering_nsec(*z, qname.get()), added);
        rdf_ptr encloser = parent_name(qname.get());
        while (encloser && !z->served.count(encloser)) encloser = parent_name(encloser.get());
        if (encloser) {
          std::string const ce = dname_text(encloser.get());
          rdf_ptr wildcard = make_dname(ce == "." ? std::string("*") : "*." + ce);
          if (wildcard) add_nsec(r, covering_nsec(*z, wildcard.get()), added);
        }
      }
      return;
    }
  }

  void record(query_log_entry const& e) {
    std::function<void(query_log_entry const&)> cb;
    {
      std::lock_guard lock(log_mu);
      log.push_back(e);
      cb = callback;
    }
    if (cb) cb(e);
  }
};

namespace {

std::vector<std::uint8_t> header_only_reply(std::span<std::uint8_t const> query, rcode code) {
  std::vector<std::uint8_t> out(12, 0);
  out[0] = query[0];
  out[1] = query[1];
  out[2] = static_cast<std::uint8_t>(0x80 | (query[2] & 0x78));  // QR, the query's opcode
  out[3] = static_cast<std::uint8_t>(code);
  return out;
}

std::vector<std::uint8_t> to_wire(ldns_pkt const* p) {
  std::uint8_t* buf = nullptr;
  std::size_t size = 0;
  if (ldns_pkt2wire(&buf, p, &size) != LDNS_STATUS_OK || buf == nullptr) return {};
  std::vector<std::uint8_t> out(buf, buf + size);
  std::free(buf);
  return out;
}

}  // namespace

authority::authority(authority_options opt) : impl_(std::make_unique<impl>()) {
  impl_->opt = std::move(opt);
  impl_->now = impl_->opt.now;
  std::string why;
  auto root = impl_->new_zone(".", zone_security::secure, why);
  if (!root) throw std::runtime_error("authority: " + why);
  auto tld = impl_->new_zone(impl_->opt.tld, zone_security::secure, why);
  if (!tld) throw std::runtime_error("authority: " + why);
  rdf_ptr root_key{ldns_rdf_clone(root->apex.get())};
  impl_->zones.emplace(std::move(root_key), std::move(root));
  if (impl_->find_zone(tld->apex.get()) == nullptr) {  // a tld of "." would be the root itself
    rdf_ptr tld_key{ldns_rdf_clone(tld->apex.get())};
    impl_->zones.emplace(std::move(tld_key), std::move(tld));
  }
}

authority::~authority() = default;

result<void> authority::add_zone(zone_spec const& spec) {
  if (!make_dname(spec.name)) return make_error(errc::invalid_name, spec.name);
  std::string why;
  auto z = impl_->new_zone(spec.name, spec.security, why);
  if (!z) return make_error(errc::signing_failed, why);
  std::unique_lock lock(impl_->mu);
  if (impl_->find_zone(z->apex.get()) != nullptr) return make_error(errc::zone_exists, z->name);
  zone* parent = impl_->enclosing_zone(z->apex.get(), true);
  if (parent == nullptr) return make_error(errc::no_parent_zone, z->name);
  auto recs = impl_->parse_records(*z, spec.records);
  if (!recs) return recs.error();
  z->records = std::move(*recs);
  z->denial = spec.denial;
  // Records the parent held at or below the new apex now belong to the new zone (an NS
  // RRset at the apex is replaced by the authority's own delegation).
  for (auto it = parent->records.begin(); it != parent->records.end();) {
    ldns_rr const* rr = it->get();
    if (!dname_at_or_below(ldns_rr_owner(rr), z->apex.get())) {
      ++it;
      continue;
    }
    if (!(ldns_rr_get_type(rr) == LDNS_RR_TYPE_NS && dname_equal(ldns_rr_owner(rr), z->apex.get())))
      z->records.push_back(std::move(*it));
    it = parent->records.erase(it);
  }
  impl_->mark_dirty(*parent);
  rdf_ptr key{ldns_rdf_clone(z->apex.get())};
  zone& added = *impl_->zones.emplace(std::move(key), std::move(z)).first->second;
  impl_->mark_dirty(added);
  return {};
}

result<void> authority::set_security(std::string_view zone_name, zone_security s) {
  std::unique_lock lock(impl_->mu);
  zone* z = impl_->find_zone(zone_name);
  if (z == nullptr) return make_error(errc::unknown_zone, std::string(zone_name));
  z->security = s;
  impl_->mark_dirty(*z);
  if (zone* p = impl_->parent_zone(*z)) impl_->mark_dirty(*p);
  return {};
}

result<void> authority::set_denial(std::string_view zone_name, denial_method d) {
  std::unique_lock lock(impl_->mu);
  zone* z = impl_->find_zone(zone_name);
  if (z == nullptr) return make_error(errc::unknown_zone, std::string(zone_name));
  z->denial = d;
  impl_->mark_dirty(*z);
  return {};
}

result<void> authority::add_records(std::string_view zone_name, std::vector<std::string> const& rrs) {
  std::unique_lock lock(impl_->mu);
  zone* z = impl_->find_zone(zone_name);
  if (z == nullptr) return make_error(errc::unknown_zone, std::string(zone_name));
  auto recs = impl_->parse_records(*z, rrs);
  if (!recs) return recs.error();
  for (auto& rr : *recs) z->records.push_back(std::move(rr));
  impl_->mark_dirty(*z);
  return {};
}

result<void> authority::remove_rrset(std::string_view owner, rr_type type) {
  rdf_ptr name = make_dname(owner);
  if (!name) return make_error(errc::invalid_name, std::string(owner));
  std::unique_lock lock(impl_->mu);
  zone* z = impl_->enclosing_zone(name.get(), false);
  if (z == nullptr) return make_error(errc::unknown_zone, std::string(owner));
  auto const n = std::erase_if(z->records, [&](rr_ptr const& rr) {
    return dname_equal(ldns_rr_owner(rr.get()), name.get()) &&
           ldns_rr_get_type(rr.get()) == static_cast<ldns_rr_type>(type);
  });
  if (n > 0) impl_->mark_dirty(*z);
  return {};
}

result<void> authority::replace_rrset(std::string_view zone_name, std::string_view owner, rr_type type,
                                      std::vector<std::string> const& rrs) {
  rdf_ptr name = make_dname(owner);
  if (!name) return make_error(errc::invalid_name, std::string(owner));
  std::unique_lock lock(impl_->mu);
  zone* z = impl_->find_zone(zone_name);
  if (z == nullptr) return make_error(errc::unknown_zone, std::string(zone_name));
  auto recs = impl_->parse_records(*z, rrs);
  if (!recs) return recs.error();
  std::erase_if(z->records, [&](rr_ptr const& rr) {
    return dname_equal(ldns_rr_owner(rr.get()), name.get()) &&
           ldns_rr_get_type(rr.get()) == static_cast<ldns_rr_type>(type);
  });
  for (auto& rr : *recs) z->records.push_back(std::move(rr));
  impl_->mark_dirty(*z);
  return {};
}

void authority::set_time(std::chrono::system_clock::time_point now) {
  std::unique_lock lock(impl_->mu);
  impl_->now = now;
  for (auto& [apex, z] : impl_->zones) impl_->mark_dirty(*z);
}

std::string authority::trust_anchor_text(anchor_format f) const {
  std::shared_lock lock(impl_->mu);
  zone const* root = impl_->find_zone(".");
  if (f == anchor_format::dnskey) return rr_text(root->dnskey.get()) + "\n";
  rr_ptr ds{ldns_key_rr2ds(root->dnskey.get(), LDNS_SHA256)};
  return rr_text(ds.get()) + "\n";
}

result<void> authority::write_trust_anchor(std::string const& path, anchor_format f) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << trust_anchor_text(f);
  out.close();
  if (!out) return make_error(errc::file_unreadable, "cannot write " + path);
  return {};
}

result<std::string> authority::zone_text(std::string_view zone_name) const {
  impl_->ensure_built();
  std::shared_lock lock(impl_->mu);
  zone const* z = impl_->find_zone(zone_name);
  if (z == nullptr) return make_error(errc::unknown_zone, std::string(zone_name));
  std::string out;
  for (auto const& [owner, node] : z->served)
    for (auto const& [type, set] : node.sets) {
      for (auto const& rr : set.rrs) out += rr_text(rr.get()) + "\n";
      for (auto const& rr : set.sigs) out += rr_text(rr.get()) + "\n";
    }
  for (auto const& [owner, set] : z->nsec3) {
    for (auto const& rr : set.rrs) out += rr_text(rr.get()) + "\n";
    for (auto const& rr : set.sigs) out += rr_text(rr.get()) + "\n";
  }
  return out;
}

std::vector<std::string> authority::zones() const {
  std::shared_lock lock(impl_->mu);
  std::vector<std::string> out;
  for (auto const& [apex, z] : impl_->zones) out.push_back(z->name);
  return out;
}

void authority::set_fault(std::string_view name, fault f, bool subtree, std::optional<rr_type> only) {
  rdf_ptr d = make_dname(name);
  if (!d) return;
  std::unique_lock lock(impl_->mu);
  std::erase_if(impl_->faults, [&](fault_rule const& r) {
    return dname_equal(r.name.get(), d.get()) && r.subtree == subtree && r.only == only;
  });
  if (f != fault::none) impl_->faults.push_back(fault_rule{std::move(d), f, subtree, only});
}

void authority::clear_faults() {
  std::unique_lock lock(impl_->mu);
  impl_->faults.clear();
}

void authority::set_resolver_mode(resolver_mode m) {
  std::unique_lock lock(impl_->mu);
  impl_->mode = m;
}

std::vector<query_log_entry> authority::query_log() const {
  std::lock_guard lock(impl_->log_mu);
  return impl_->log;
}

void authority::clear_query_log() {
  std::lock_guard lock(impl_->log_mu);
  impl_->log.clear();
}

void authority::on_query(std::function<void(query_log_entry const&)> cb) {
  std::lock_guard lock(impl_->log_mu);
  impl_->callback = std::move(cb);
}

std::optional<std::vector<std::uint8_t>> authority::respond(std::span<std::uint8_t const> query, transport via) {
  if (query.size() < 12) return std::nullopt;
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, query.data(), query.size()) != LDNS_STATUS_OK || raw == nullptr)
    return header_only_reply(query, rcode::formerr);
  pkt_ptr q{raw};
  if (ldns_pkt_qr(q.get())) return std::nullopt;  // never answer a response
  if (ldns_pkt_get_opcode(q.get()) != LDNS_PACKET_QUERY) return header_only_reply(query, rcode::notimp);
  if (ldns_pkt_qdcount(q.get()) != 1) return header_only_reply(query, rcode::formerr);

  ldns_rr const* question = ldns_rr_list_rr(ldns_pkt_question(q.get()), 0);
  ldns_rdf const* qname = ldns_rr_owner(question);
  auto const qtype = static_cast<rr_type>(ldns_rr_get_type(question));
  bool const edns = ldns_pkt_edns(q.get());
  bool const dnssec = edns && ldns_pkt_edns_do(q.get());
  bool const cd = ldns_pkt_cd(q.get());

  query_log_entry entry{dname_api(qname), qtype, via, dnssec, std::nullopt, false};

  impl_->ensure_built();
  reply r;
  fault f = fault::none;
  resolver_mode mode = resolver_mode::authoritative;
  {
    std::shared_lock lock(impl_->mu);
    mode = impl_->mode;
    f = impl_->fault_for(qname, qtype);
    if (f == fault::drop) {
      lock.unlock();
      impl_->record(entry);
      return std::nullopt;
    }
    if (f == fault::servfail) r.code = rcode::servfail;
    else if (f == fault::refused) r.code = rcode::refused;
    else if (ldns_rr_get_class(question) != LDNS_RR_CLASS_IN) r.code = rcode::refused;
    else impl_->resolve(r, qname, qtype, dnssec);
  }
  if (f == fault::bogus_signatures)
    for (auto* section : {&r.answer, &r.authority})
      for (auto& rr : *section)
        if (ldns_rr_get_type(rr.get()) == LDNS_RR_TYPE_RRSIG) corrupt_signature(rr.get());

  bool ad = false;
  bool const acts_as_resolver = mode != resolver_mode::authoritative;
  if (mode == resolver_mode::validating && r.code != rcode::servfail && r.code != rcode::refused) {
    // A validating resolver fails bogus data, whether the whole zone's signatures are broken or
    // only this RRset's (a bogus_signatures fault on a name in a signed zone); with CD it passes
    // the data on without AD.
    bool const fault_bogus = f == fault::bogus_signatures && r.zones_status == dnssec_status::secure;
    if ((r.zones_status == dnssec_status::bogus || fault_bogus) && !cd) {
      r = reply{};
      r.code = rcode::servfail;
    } else {
      ad = r.zones_status == dnssec_status::secure && !fault_bogus;
    }
  } else if (mode == resolver_mode::ad_always) {
    ad = true;
  }

  auto build = [&](bool truncated) {
    pkt_ptr p{ldns_pkt_new()};
    ldns_pkt_set_id(p.get(), ldns_pkt_id(q.get()));
    ldns_pkt_set_qr(p.get(), true);
    ldns_pkt_set_opcode(p.get(), LDNS_PACKET_QUERY);
    ldns_pkt_set_aa(p.get(), r.aa && !acts_as_resolver && r.code != rcode::refused);
    ldns_pkt_set_rd(p.get(), ldns_pkt_rd(q.get()));
    ldns_pkt_set_ra(p.get(), acts_as_resolver);
    ldns_pkt_set_ad(p.get(), ad);
    ldns_pkt_set_cd(p.get(), cd);
    ldns_pkt_set_tc(p.get(), truncated);
    ldns_pkt_set_rcode(p.get(), static_cast<std::uint8_t>(r.code));
    ldns_pkt_push_rr(p.get(), LDNS_SECTION_QUESTION, ldns_rr_clone(question));
    if (!truncated) {
      for (auto const& rr : r.answer) ldns_pkt_push_rr(p.get(), LDNS_SECTION_ANSWER, ldns_rr_clone(rr.get()));
      for (auto const& rr : r.authority) ldns_pkt_push_rr(p.get(), LDNS_SECTION_AUTHORITY, ldns_rr_clone(rr.get()));
      for (auto const& rr : r.additional) ldns_pkt_push_rr(p.get(), LDNS_SECTION_ADDITIONAL, ldns_rr_clone(rr.get()));
    }
    if (edns) {
      ldns_pkt_set_edns_udp_size(p.get(), our_edns_size);
      ldns_pkt_set_edns_do(p.get(), dnssec);
    }
    return to_wire(p.get());
  };

  bool truncated = via == transport::udp && f == fault::truncate;
  std::vector<std::uint8_t> wire = build(truncated);
  if (via == transport::udp && !truncated) {
    // RFC 1035 §4.2.1 / RFC 6891 §6.2.3: 512 octets without EDNS, else the client's size.
    std::size_t limit = 512;
    if (edns) limit = std::clamp<std::size_t>(ldns_pkt_edns_udp_size(q.get()), 512, 65535);
    if (wire.size() > limit) {
      truncated = true;
      wire = build(true);
    }
  }
  entry.answered = r.code;
  entry.truncated = truncated;
  impl_->record(entry);
  if (wire.empty()) return std::nullopt;
  return wire;
}

}  // namespace mxtls::net::dns
