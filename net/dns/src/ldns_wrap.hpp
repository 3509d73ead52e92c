// The only door to ldns (stack.md pitfall 6): <stdbool.h> first, so ldns/common.h does not
// define bool/true/false as macros in C++. Public headers never include this file.
// Also: RAII owners for ldns objects and small conversions shared by the sources.
#pragma once

#include <stdbool.h>  // before ldns: see above

#include <ldns/ldns.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::net::dns::detail {

struct rr_free { void operator()(ldns_rr* p) const noexcept { ldns_rr_free(p); } };
struct rdf_free { void operator()(ldns_rdf* p) const noexcept { ldns_rdf_deep_free(p); } };
struct pkt_free { void operator()(ldns_pkt* p) const noexcept { ldns_pkt_free(p); } };
struct rr_list_deep_free { void operator()(ldns_rr_list* p) const noexcept { ldns_rr_list_deep_free(p); } };
/// For lists that only borrow their RRs.
struct rr_list_shallow_free { void operator()(ldns_rr_list* p) const noexcept { ldns_rr_list_free(p); } };
struct key_free { void operator()(ldns_key* p) const noexcept { ldns_key_deep_free(p); } };
struct buffer_free { void operator()(ldns_buffer* p) const noexcept { ldns_buffer_free(p); } };

using rr_ptr = std::unique_ptr<ldns_rr, rr_free>;
using rdf_ptr = std::unique_ptr<ldns_rdf, rdf_free>;
using pkt_ptr = std::unique_ptr<ldns_pkt, pkt_free>;
using rr_list_ptr = std::unique_ptr<ldns_rr_list, rr_list_deep_free>;
using rr_view_list = std::unique_ptr<ldns_rr_list, rr_list_shallow_free>;
using key_ptr = std::unique_ptr<ldns_key, key_free>;
using buffer_ptr = std::unique_ptr<ldns_buffer, buffer_free>;

/// A dname from text (relative names are taken as absolute); null if invalid. The result is
/// in canonical (lower-case) form.
[[nodiscard]] rdf_ptr make_dname(std::string_view name);

/// "mx.example." (lower case, absolute); "." for the root.
[[nodiscard]] std::string dname_text(ldns_rdf const* d);

/// Lower case, no trailing dot, "." for the root: the API's name form.
[[nodiscard]] std::string dname_api(ldns_rdf const* d);

/// A whole RR in presentation format, no trailing newline.
[[nodiscard]] std::string rr_text(ldns_rr const* rr);

/// The RDATA fields of an RR in presentation format, space-separated.
[[nodiscard]] std::string rdata_text(ldns_rr const* rr);

/// The RDATA in uncompressed wire format.
[[nodiscard]] std::vector<std::uint8_t> rdata_wire(ldns_rr const* rr);

/// ldns's text for a status code.
[[nodiscard]] std::string status_text(ldns_status s);

/// Canonical DNS name order (RFC 4034 §6.1) for std::map keys.
struct dname_less {
  bool operator()(rdf_ptr const& a, rdf_ptr const& b) const noexcept {
    return ldns_dname_compare(a.get(), b.get()) < 0;
  }
};

/// Equality of names ignoring case.
[[nodiscard]] inline bool dname_equal(ldns_rdf const* a, ldns_rdf const* b) noexcept {
  return ldns_dname_compare(a, b) == 0;
}

/// `sub` equals `parent` or lies below it.
[[nodiscard]] inline bool dname_at_or_below(ldns_rdf const* sub, ldns_rdf const* parent) noexcept {
  return dname_equal(sub, parent) || ldns_dname_is_subdomain(sub, parent);
}

/// A clone of `d`, lower-cased.
[[nodiscard]] rdf_ptr canonical_clone(ldns_rdf const* d);

/// The parent name ("b.c." for "a.b.c."); null for the root.
[[nodiscard]] rdf_ptr parent_name(ldns_rdf const* d);

/// The ancestor of `name` with `labels` labels ("b.c." for ("a.b.c.", 2)), canonical.
[[nodiscard]] rdf_ptr ancestor(ldns_rdf const* name, std::size_t labels);

}  // namespace mxtls::net::dns::detail
