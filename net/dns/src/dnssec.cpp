// DNSSEC verification primitives (dnssec.hpp): signatures through ldns, DS/DNSKEY matching,
// and the NSEC (RFC 4035 §5.4) and NSEC3 (RFC 5155 §8) denial rules written out here.
#include "dnssec.hpp"

#include <algorithm>

namespace mxtls::net::dns::detail {

namespace {

std::uint16_t type_of(ldns_rr const* rr) { return static_cast<std::uint16_t>(ldns_rr_get_type(rr)); }

std::uint16_t covered_type(ldns_rr const* sig) {
  ldns_rdf const* t = ldns_rr_rrsig_typecovered(sig);
  return t ? static_cast<std::uint16_t>(ldns_rdf2rr_type(t)) : 0;
}

std::size_t labels(ldns_rdf const* name) { return ldns_dname_label_count(name); }

/// Number of labels `a` and `b` share from the right.
std::size_t common_labels(ldns_rdf const* a, ldns_rdf const* b) {
  for (std::size_t k = std::min(labels(a), labels(b)); k > 0; --k) {
    rdf_ptr x = ancestor(a, k), y = ancestor(b, k);
    if (x && y && dname_equal(x.get(), y.get())) return k;
  }
  return 0;
}

bool is_wildcard_owner(ldns_rdf const* name) {
  return ldns_rdf_size(name) >= 2 && ldns_rdf_data(name)[0] == 1 && ldns_rdf_data(name)[1] == '*';
}

rdf_ptr wildcard_at(ldns_rdf const* encloser) {
  std::string const ce = dname_text(encloser);
  return make_dname(ce == "." ? std::string("*") : "*." + ce);
}

bool has_type(ldns_rdf const* bitmap, std::uint16_t t) {
  return bitmap != nullptr && ldns_nsec_bitmap_covers_type(bitmap, static_cast<ldns_rr_type>(t));
}

// ---- NSEC (RFC 4034 §4, RFC 4035 §5.4) -------------------------------------------------

ldns_rdf const* nsec_next(ldns_rr const* nsec) { return ldns_rr_rdf(nsec, 0); }
ldns_rdf const* nsec_bitmap(ldns_rr const* nsec) { return ldns_rr_rdf(nsec, 1); }

/// owner < name < next in canonical order; the last NSEC of a zone wraps to the apex.
bool span_covers(ldns_rdf const* owner, ldns_rdf const* next, ldns_rdf const* name) {
  int const on = ldns_dname_compare(owner, name);
  int const nn = ldns_dname_compare(name, next);
  if (ldns_dname_compare(owner, next) < 0) return on < 0 && nn < 0;
  return on < 0 || nn < 0;
}

bool nsec_covers(ldns_rr const* nsec, ldns_rdf const* name) {
  ldns_rdf const* next = nsec_next(nsec);
  return next != nullptr && span_covers(ldns_rr_owner(nsec), next, name);
}

/// An NSEC at a zone cut, seen from the parent (NS without SOA): it proves nothing about
/// names and types at or below the cut except DS (RFC 6840 §4.1).
bool is_delegation_nsec(ldns_rr const* nsec) {
  return has_type(nsec_bitmap(nsec), LDNS_RR_TYPE_NS) && !has_type(nsec_bitmap(nsec), LDNS_RR_TYPE_SOA);
}

bool nsec_usable_for(ldns_rr const* nsec, ldns_rdf const* name, ldns_rdf const* zone) {
  ldns_rdf const* owner = ldns_rr_owner(nsec);
  if (!dname_at_or_below(owner, zone)) return false;
  // An ancestor's delegation (or DNAME) NSEC cannot deny names below it.
  if (ldns_dname_is_subdomain(name, owner) &&
      (is_delegation_nsec(nsec) || has_type(nsec_bitmap(nsec), LDNS_RR_TYPE_DNAME)))
    return false;
  return true;
}

/// The closest encloser a covering NSEC implies (RFC 4035 §5.4).
rdf_ptr nsec_closest_encloser(ldns_rr const* nsec, ldns_rdf const* name) {
  std::size_t const k = std::max(common_labels(name, ldns_rr_owner(nsec)), common_labels(name, nsec_next(nsec)));
  return ancestor(name, k);
}

bool nsec_nxdomain(std::vector<ldns_rr*> const& nsecs, ldns_rdf const* name, ldns_rdf const* zone) {
  for (ldns_rr const* n : nsecs) {
    if (!nsec_usable_for(n, name, zone) || !nsec_covers(n, name)) continue;
    rdf_ptr ce = nsec_closest_encloser(n, name);
    if (!ce || !dname_at_or_below(ce.get(), zone)) continue;
    rdf_ptr star = wildcard_at(ce.get());
    if (!star) continue;
    for (ldns_rr const* w : nsecs)
      if (nsec_usable_for(w, star.get(), zone) && nsec_covers(w, star.get())) return true;
  }
  return false;
}

// ---- NSEC3 (RFC 5155) -------------------------------------------------------------------

bool nsec3_usable(ldns_rr const* n3) {
  return ldns_rr_rd_count(n3) >= 5 && ldns_nsec3_algorithm(n3) == 1;  // SHA-1, the only hash defined
}

/// The hashed owner name of `name` under this NSEC3's parameters, as a full name in `zone`.
rdf_ptr nsec3_hashed(ldns_rr const* n3, ldns_rdf const* name, ldns_rdf const* zone) {
  rdf_ptr label{ldns_nsec3_hash_name_frm_nsec3(n3, name)};
  if (!label) return nullptr;
  std::string l = dname_text(label.get());
  if (!l.empty() && l.back() == '.') l.pop_back();
  std::string const z = dname_text(zone);
  return make_dname(l + (z == "." ? "." : "." + z));
}

rdf_ptr nsec3_next(ldns_rr const* n3) {
  ldns_rdf const* next = ldns_nsec3_next_owner(n3);
  if (next == nullptr) return nullptr;
  std::string text = dname_text(next);  // base32hex, as ldns prints it
  rdf_ptr zone = parent_name(ldns_rr_owner(n3));
  if (!zone) return nullptr;
  std::string const z = dname_text(zone.get());
  if (!text.empty() && text.back() == '.') text.pop_back();
  return make_dname(text + (z == "." ? "." : "." + z));
}

ldns_rr const* nsec3_match(std::vector<ldns_rr*> const& n3s, ldns_rdf const* name, ldns_rdf const* zone) {
  for (ldns_rr const* n : n3s) {
    if (!nsec3_usable(n)) continue;
    rdf_ptr h = nsec3_hashed(n, name, zone);
    if (h && dname_equal(h.get(), ldns_rr_owner(n))) return n;
  }
  return nullptr;
}

ldns_rr const* nsec3_cover(std::vector<ldns_rr*> const& n3s, ldns_rdf const* name, ldns_rdf const* zone) {
  for (ldns_rr const* n : n3s) {
    if (!nsec3_usable(n)) continue;
    rdf_ptr h = nsec3_hashed(n, name, zone);
    rdf_ptr next = nsec3_next(n);
    if (h && next && span_covers(ldns_rr_owner(n), next.get(), h.get())) return n;
  }
  return nullptr;
}

/// RFC 5155 §8.3 closest encloser proof: the closest encloser (matched) and the NSEC3
/// covering the next closer name.
struct encloser_proof {
  rdf_ptr closest;
  rdf_ptr next_closer;
  ldns_rr const* next_closer_cover = nullptr;
};

std::optional<encloser_proof> nsec3_closest_encloser(std::vector<ldns_rr*> const& n3s, ldns_rdf const* name,
                                                     ldns_rdf const* zone) {
  std::size_t const zl = labels(zone);
  for (std::size_t k = labels(name); k-- > zl;) {  // strict ancestors down to the apex
    rdf_ptr ce = ancestor(name, k);
    if (!ce || !dname_at_or_below(ce.get(), zone)) continue;
    ldns_rr const* m = nsec3_match(n3s, ce.get(), zone);
    if (m == nullptr) continue;
    // The matched encloser must not be a delegation or DNAME seen from above (RFC 5155 §8.3).
    ldns_rdf const* bm = ldns_nsec3_bitmap(m);
    if ((has_type(bm, LDNS_RR_TYPE_NS) && !has_type(bm, LDNS_RR_TYPE_SOA)) || has_type(bm, LDNS_RR_TYPE_DNAME))
      return std::nullopt;
    encloser_proof p;
    p.closest = std::move(ce);
    p.next_closer = ancestor(name, k + 1);
    p.next_closer_cover = p.next_closer ? nsec3_cover(n3s, p.next_closer.get(), zone) : nullptr;
    if (p.next_closer_cover == nullptr) return std::nullopt;
    return p;
  }
  return std::nullopt;
}

/// RFC 4035 §3.1.3.4: an NSEC covering `name` and the NSEC of the wildcard at its closest
/// encloser, without `type` (nor CNAME).
bool nsec_wildcard_nodata(std::vector<ldns_rr*> const& nsecs, ldns_rdf const* name, std::uint16_t type,
                          ldns_rdf const* zone) {
  for (ldns_rr const* n : nsecs) {
    if (!nsec_usable_for(n, name, zone) || !nsec_covers(n, name)) continue;
    rdf_ptr ce = nsec_closest_encloser(n, name);
    if (!ce || !dname_at_or_below(ce.get(), zone)) continue;
    rdf_ptr star = wildcard_at(ce.get());
    for (ldns_rr const* w : nsecs) {
      if (!star || !dname_equal(ldns_rr_owner(w), star.get())) continue;
      ldns_rdf const* bm = nsec_bitmap(w);
      if (!has_type(bm, type) && !has_type(bm, LDNS_RR_TYPE_CNAME)) return true;
    }
  }
  return false;
}

/// RFC 5155 §8.7: the closest encloser proof and the NSEC3 matching the wildcard at the
/// closest encloser, without `type` (nor CNAME).
bool nsec3_wildcard_nodata(std::vector<ldns_rr*> const& n3s, ldns_rdf const* name, std::uint16_t type,
                           ldns_rdf const* zone) {
  auto p = nsec3_closest_encloser(n3s, name, zone);
  if (!p) return false;
  rdf_ptr star = wildcard_at(p->closest.get());
  ldns_rr const* m = star ? nsec3_match(n3s, star.get(), zone) : nullptr;
  if (m == nullptr) return false;
  ldns_rdf const* bm = ldns_nsec3_bitmap(m);
  return !has_type(bm, type) && !has_type(bm, LDNS_RR_TYPE_CNAME);
}

}  // namespace

std::vector<rrset_view> group_rrsets(ldns_rr_list const* section) {
  std::vector<rrset_view> out;
  auto slot = [&](ldns_rdf const* owner, std::uint16_t type) -> rrset_view& {
    for (auto& s : out)
      if (s.type == type && dname_equal(s.owner, owner)) return s;
    out.push_back(rrset_view{owner, type, {}, {}});
    return out.back();
  };
  if (section == nullptr) return out;
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(section); ++i) {
    ldns_rr* rr = ldns_rr_list_rr(section, i);
    if (type_of(rr) == LDNS_RR_TYPE_RRSIG)
      slot(ldns_rr_owner(rr), covered_type(rr)).sigs.push_back(rr);
    else
      slot(ldns_rr_owner(rr), type_of(rr)).rrs.push_back(rr);
  }
  return out;
}

rrset_view const* find_rrset(std::vector<rrset_view> const& sets, ldns_rdf const* owner, std::uint16_t type) {
  for (auto const& s : sets)
    if (s.type == type && dname_equal(s.owner, owner) && !s.rrs.empty()) return &s;
  return nullptr;
}

sig_check verify_rrset(rrset_view const& set, ldns_rr_list const* keys, ldns_rdf const* zone, std::time_t now) {
  std::string const what = dname_text(set.owner) + " " + to_string(static_cast<rr_type>(set.type));
  if (set.rrs.empty()) return {false, false, 0, "no " + what + " records"};
  if (set.sigs.empty()) return {false, false, 0, "no RRSIG over " + what};
  if (keys == nullptr || ldns_rr_list_rr_count(keys) == 0) return {false, false, 0, "no validated key for " + what};
  rr_view_list list{ldns_rr_list_new()};
  for (ldns_rr* rr : set.rrs) ldns_rr_list_push_rr(list.get(), rr);
  std::size_t owner_labels = labels(set.owner);
  if (is_wildcard_owner(set.owner) && owner_labels > 0) --owner_labels;
  std::string why;
  for (ldns_rr const* sig : set.sigs) {
    ldns_rdf const* signer = ldns_rr_rrsig_signame(sig);
    if (signer == nullptr || !dname_equal(signer, zone)) {
      if (why.empty()) why = "RRSIG over " + what + " signed by " + dname_text(signer) + ", not by zone " + dname_text(zone);
      continue;
    }
    ldns_rdf const* l = ldns_rr_rrsig_labels(sig);
    std::size_t const sig_labels = l ? ldns_rdf2native_int8(l) : 0;
    if (sig_labels > owner_labels) {
      if (why.empty()) why = "RRSIG over " + what + " has too many labels";
      continue;
    }
    ldns_status const s = ldns_verify_rrsig_keylist_time(list.get(), sig, keys, now, nullptr);
    if (s == LDNS_STATUS_OK) return {true, sig_labels < owner_labels, sig_labels, {}};
    if (why.empty()) why = "RRSIG over " + what + ": " + status_text(s);
  }
  return {false, false, 0, why};
}

bool algorithm_supported(std::uint8_t alg) noexcept {
  switch (alg) {
    case 5: case 7: case 8: case 10: case 13: case 14: case 15: case 16: return true;
    default: return false;
  }
}

bool digest_supported(std::uint8_t digest) noexcept { return digest == 1 || digest == 2 || digest == 4; }

key_check validate_dnskeys(rrset_view const* dnskeys, std::vector<ldns_rr const*> const& trusted, ldns_rdf const* zone,
                           std::time_t now) {
  key_check out;
  std::string const z = dname_text(zone);
  if (dnskeys == nullptr || dnskeys->rrs.empty()) {
    out.why = "no DNSKEY RRset for " + z;
    return out;
  }
  bool any_supported = false;
  rr_view_list matched{ldns_rr_list_new()};
  for (ldns_rr const* t : trusted) {
    auto const tt = type_of(t);
    if (tt == LDNS_RR_TYPE_DS && ldns_rr_rd_count(t) >= 4) {
      auto const alg = ldns_rdf2native_int8(ldns_rr_rdf(t, 1));
      auto const digest = ldns_rdf2native_int8(ldns_rr_rdf(t, 2));
      if (!algorithm_supported(alg) || !digest_supported(digest)) continue;
      any_supported = true;
      rr_ptr ds{ldns_rr_clone(t)};
      ldns_rr2canonical(ds.get());
      for (ldns_rr* k : dnskeys->rrs) {
        rr_ptr key{ldns_rr_clone(k)};
        ldns_rr2canonical(key.get());
        if (ldns_rr_compare_ds(key.get(), ds.get())) ldns_rr_list_push_rr(matched.get(), k);
      }
    } else if (tt == LDNS_RR_TYPE_DNSKEY && ldns_rr_rd_count(t) >= 4) {
      if (!algorithm_supported(ldns_rdf2native_int8(ldns_rr_rdf(t, 2)))) continue;
      any_supported = true;
      rr_ptr anchor{ldns_rr_clone(t)};
      ldns_rr2canonical(anchor.get());
      for (ldns_rr* k : dnskeys->rrs) {
        rr_ptr key{ldns_rr_clone(k)};
        ldns_rr2canonical(key.get());
        if (ldns_rr_compare(key.get(), anchor.get()) == 0) ldns_rr_list_push_rr(matched.get(), k);
      }
    }
  }
  if (!any_supported) {
    out.status = dnssec_status::insecure;
    out.why = "no DS for " + z + " uses a supported algorithm and digest (RFC 4035 §5.2): insecure";
    return out;
  }
  if (ldns_rr_list_rr_count(matched.get()) == 0) {
    out.why = "no DNSKEY of " + z + " matches its DS";
    return out;
  }
  sig_check const c = verify_rrset(*dnskeys, matched.get(), zone, now);
  if (!c.ok) {
    out.why = "DNSKEY RRset of " + z + " not signed by a key its DS vouches for: " + c.why;
    return out;
  }
  out.keys.reset(ldns_rr_list_new());
  for (ldns_rr const* k : dnskeys->rrs) {
    auto const flags = ldns_rdf2native_int16(ldns_rr_rdf(k, 0));
    if ((flags & LDNS_KEY_ZONE_KEY) == 0 || (flags & LDNS_KEY_REVOKE_KEY) != 0) continue;
    ldns_rr_list_push_rr(out.keys.get(), ldns_rr_clone(k));
  }
  out.status = dnssec_status::secure;
  out.why = "DNSKEY of " + z + " validated";
  return out;
}

denial_records verified_denials(std::vector<rrset_view> const& authority, ldns_rr_list const* keys,
                                ldns_rdf const* zone, std::time_t now) {
  denial_records d;
  for (auto const& set : authority) {
    if (set.type != LDNS_RR_TYPE_NSEC && set.type != LDNS_RR_TYPE_NSEC3) continue;
    if (set.rrs.empty()) continue;
    sig_check const c = verify_rrset(set, keys, zone, now);
    if (!c.ok || c.wildcard) {
      ++d.rejected;
      if (d.why.empty()) d.why = c.ok ? "wildcard-signed denial record" : c.why;
      continue;
    }
    auto& into = set.type == LDNS_RR_TYPE_NSEC ? d.nsec : d.nsec3;
    into.insert(into.end(), set.rrs.begin(), set.rrs.end());
  }
  return d;
}

denial_kind ds_denial(denial_records const& d, ldns_rdf const* name, ldns_rdf const* zone) {
  for (ldns_rr const* n : d.nsec) {
    if (!dname_equal(ldns_rr_owner(n), name)) continue;
    ldns_rdf const* bm = nsec_bitmap(n);
    if (has_type(bm, LDNS_RR_TYPE_SOA) || has_type(bm, LDNS_RR_TYPE_DS)) return denial_kind::none;
    return has_type(bm, LDNS_RR_TYPE_NS) ? denial_kind::insecure_delegation : denial_kind::nodata;
  }
  for (ldns_rr const* n : d.nsec)  // an empty non-terminal: the next name lies below `name`
    if (nsec_usable_for(n, name, zone) && nsec_covers(n, name) && ldns_dname_is_subdomain(nsec_next(n), name))
      return denial_kind::nodata;
  if (nsec_wildcard_nodata(d.nsec, name, LDNS_RR_TYPE_DS, zone)) return denial_kind::nodata;  // a wildcard owns it
  if (nsec_nxdomain(d.nsec, name, zone)) return denial_kind::nxdomain;

  if (ldns_rr const* m = nsec3_match(d.nsec3, name, zone)) {
    ldns_rdf const* bm = ldns_nsec3_bitmap(m);
    if (has_type(bm, LDNS_RR_TYPE_SOA) || has_type(bm, LDNS_RR_TYPE_DS)) return denial_kind::none;
    return has_type(bm, LDNS_RR_TYPE_NS) ? denial_kind::insecure_delegation : denial_kind::nodata;
  }
  if (nsec3_wildcard_nodata(d.nsec3, name, LDNS_RR_TYPE_DS, zone)) return denial_kind::nodata;
  if (auto p = nsec3_closest_encloser(d.nsec3, name, zone)) {
    // [RFC 5155 §8.6] an opt-out span over the next closer name may hide an unsigned delegation.
    if (ldns_nsec3_optout(p->next_closer_cover)) return denial_kind::insecure_delegation;
    rdf_ptr star = wildcard_at(p->closest.get());
    if (star && nsec3_cover(d.nsec3, star.get(), zone)) return denial_kind::nxdomain;
  }
  return denial_kind::none;
}

bool proves_nodata(denial_records const& d, ldns_rdf const* name, std::uint16_t type, ldns_rdf const* zone) {
  for (ldns_rr const* n : d.nsec) {
    if (!dname_equal(ldns_rr_owner(n), name)) continue;
    ldns_rdf const* bm = nsec_bitmap(n);
    if (has_type(bm, type) || has_type(bm, LDNS_RR_TYPE_CNAME)) return false;
    if (type != LDNS_RR_TYPE_DS && is_delegation_nsec(n)) return false;  // the parent's view of a cut
    return true;
  }
  for (ldns_rr const* n : d.nsec)
    if (nsec_usable_for(n, name, zone) && nsec_covers(n, name) && ldns_dname_is_subdomain(nsec_next(n), name))
      return true;  // empty non-terminal
  if (ldns_rr const* m = nsec3_match(d.nsec3, name, zone)) {
    ldns_rdf const* bm = ldns_nsec3_bitmap(m);
    if (has_type(bm, type) || has_type(bm, LDNS_RR_TYPE_CNAME)) return false;
    if (type != LDNS_RR_TYPE_DS && has_type(bm, LDNS_RR_TYPE_NS) && !has_type(bm, LDNS_RR_TYPE_SOA)) return false;
    return true;
  }
  return nsec_wildcard_nodata(d.nsec, name, type, zone) || nsec3_wildcard_nodata(d.nsec3, name, type, zone);
}

bool proves_nxdomain(denial_records const& d, ldns_rdf const* name, ldns_rdf const* zone) {
  if (nsec_nxdomain(d.nsec, name, zone)) return true;
  if (auto p = nsec3_closest_encloser(d.nsec3, name, zone)) {
    rdf_ptr star = wildcard_at(p->closest.get());
    return star && nsec3_cover(d.nsec3, star.get(), zone) != nullptr;
  }
  return false;
}

bool proves_wildcard_expansion(denial_records const& d, ldns_rdf const* name, std::size_t sig_labels,
                               ldns_rdf const* zone) {
  for (ldns_rr const* n : d.nsec)
    if (nsec_usable_for(n, name, zone) && nsec_covers(n, name)) return true;
  // RFC 5155 §8.8: the next closer name (one label below the wildcard's encloser) is covered.
  if (sig_labels + 1 > labels(name)) return false;
  rdf_ptr next_closer = ancestor(name, sig_labels + 1);
  return next_closer && nsec3_cover(d.nsec3, next_closer.get(), zone) != nullptr;
}

}  // namespace mxtls::net::dns::detail
