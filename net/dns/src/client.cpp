// The validating DNS client (client.hpp): UDP with retries and TCP after TC over Asio
// coroutines, and a top-down chain of trust from the anchor to every RRset and denial it
// returns (RFC 4035 §5; DANE-2.1.1-01, DANE-2.1.1-02, DANE-2.1.3-02).
#include "mxtls/net/dns/client.hpp"

#include "dnssec.hpp"
#include "ldns_wrap.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>

namespace mxtls::net::dns {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using asio::ip::udp;
using namespace asio::experimental::awaitable_operators;
using namespace detail;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_cname_hops = 8;
constexpr std::uint32_t max_cache_ttl = 3600;

using steady = std::chrono::steady_clock;
using shared_pkt = std::shared_ptr<ldns_pkt>;

error dns_error(errc e, std::string detail, std::string_view requirement = {}) {
  return mxtls::spec::make_parse_error(e, requirement, 0, std::move(detail));
}

std::vector<std::uint8_t> to_wire(ldns_pkt const* p) {
  std::uint8_t* buf = nullptr;
  std::size_t size = 0;
  if (ldns_pkt2wire(&buf, p, &size) != LDNS_STATUS_OK || buf == nullptr) return {};
  std::vector<std::uint8_t> out(buf, buf + size);
  std::free(buf);
  return out;
}

std::string describe(rdf_ptr const& name, std::uint16_t type) {
  return dname_api(name.get()) + "/" + to_string(static_cast<rr_type>(type));
}

record to_record(ldns_rr const* rr) {
  return record{dname_text(ldns_rr_owner(rr)), static_cast<rr_type>(ldns_rr_get_type(rr)), ldns_rr_ttl(rr),
                rdata_text(rr), rdata_wire(rr)};
}

/// A validated zone, an insecure or bogus cut, or an indeterminate walk.
struct zone_state {
  rdf_ptr apex;
  dnssec_status status = dnssec_status::indeterminate;
  rr_list_ptr keys;  // when secure
  std::string why;
};
using zone_ptr = std::shared_ptr<zone_state const>;

zone_ptr make_state(ldns_rdf const* apex, dnssec_status s, std::string why, rr_list_ptr keys = nullptr) {
  auto z = std::make_shared<zone_state>();
  z->apex = canonical_clone(apex);
  z->status = s;
  z->keys = std::move(keys);
  z->why = std::move(why);
  return z;
}

/// What the DS query at one name of a walk showed.
enum class cut_kind { zone, not_cut, nonexistent };
struct cut_step {
  cut_kind kind = cut_kind::not_cut;
  zone_ptr zone;  // for cut_kind::zone: the child (secure, insecure, bogus or indeterminate)
};

struct cache_entry {
  cut_step step;
  std::time_t expires = 0;
};

std::uint32_t min_ttl(std::vector<ldns_rr*> const& rrs) {
  std::uint32_t t = max_cache_ttl;
  for (ldns_rr const* rr : rrs) t = std::min(t, ldns_rr_ttl(rr));
  return t;
}

/// Joins reasons with "; ", skipping empties and repeats.
void add_why(std::string& into, std::string const& why) {
  if (why.empty() || into.find(why) != std::string::npos) return;
  if (!into.empty()) into += "; ";
  into += why;
}

}  // namespace

struct client::impl : std::enable_shared_from_this<impl> {
  asio::any_io_executor ex;
  client_options opt;
  std::vector<rr_ptr> anchors;
  std::mutex mu;  // rng and cache
  std::mt19937 rng{std::random_device{}()};
  std::map<std::string, cache_entry> cache;
  std::atomic<std::uint64_t> sent{0};

  std::time_t now() const { return std::chrono::system_clock::to_time_t(opt.clock()); }

  std::uint16_t random_id() {
    std::lock_guard lock(mu);
    return static_cast<std::uint16_t>(std::uniform_int_distribution<unsigned>(0, 0xffff)(rng));
  }

  bool validating() const { return !anchors.empty(); }

  // ---- transport ---------------------------------------------------------------------------

  std::vector<std::uint8_t> make_query(ldns_rdf const* qname, std::uint16_t type, std::uint16_t id) const {
    std::uint16_t flags = LDNS_RD;
    if (validating()) flags |= LDNS_CD;  // we validate; a validating upstream must not hide bogus data
    pkt_ptr q{ldns_pkt_query_new(ldns_rdf_clone(qname), static_cast<ldns_rr_type>(type), LDNS_RR_CLASS_IN, flags)};
    if (!q) return {};
    ldns_pkt_set_id(q.get(), id);
    ldns_pkt_set_edns_udp_size(q.get(), opt.edns_udp_size);
    ldns_pkt_set_edns_do(q.get(), validating());
    return to_wire(q.get());
  }

  /// The response if it answers our question (ID, QR, question section), else null.
  static shared_pkt match_response(std::uint8_t const* data, std::size_t n, std::uint16_t id, ldns_rdf const* qname,
                                   std::uint16_t type) {
    ldns_pkt* raw = nullptr;
    if (ldns_wire2pkt(&raw, data, n) != LDNS_STATUS_OK || raw == nullptr) return nullptr;
    shared_pkt p{raw, pkt_free{}};
    if (!ldns_pkt_qr(p.get()) || ldns_pkt_id(p.get()) != id) return nullptr;
    ldns_rr_list const* q = ldns_pkt_question(p.get());
    if (ldns_pkt_qdcount(p.get()) == 0 && ldns_pkt_get_rcode(p.get()) != LDNS_RCODE_NOERROR) return p;
    if (ldns_pkt_qdcount(p.get()) != 1 || q == nullptr || ldns_rr_list_rr_count(q) != 1) return nullptr;
    ldns_rr const* rr = ldns_rr_list_rr(q, 0);
    if (!dname_equal(ldns_rr_owner(rr), qname) || static_cast<std::uint16_t>(ldns_rr_get_type(rr)) != type ||
        ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
      return nullptr;
    return p;
  }

  udp::endpoint udp_endpoint() const { return {opt.resolver.address, opt.resolver.port}; }
  tcp::endpoint tcp_endpoint() const { return {opt.resolver.address, opt.resolver.port}; }

  /// One UDP try with a fresh socket (a new ephemeral source port) and a fresh random ID.
  /// Datagrams that do not answer the question are ignored until the attempt deadline.
  awaitable<result<shared_pkt>> udp_attempt(ldns_rdf const* qname, std::uint16_t type, steady::time_point deadline) {
    std::uint16_t const id = random_id();
    auto const wire = make_query(qname, type, id);
    if (wire.empty()) co_return dns_error(errc::invalid_name, "cannot encode query for " + dname_api(qname));
    udp::socket sock(ex);
    boost::system::error_code ec;
    sock.open(udp_endpoint().protocol(), ec);
    if (!ec) sock.connect(udp_endpoint(), ec);  // the kernel drops datagrams from other sources
    if (ec) co_return dns_error(errc::network_error, "UDP socket: " + ec.message());
    ++sent;
    auto [send_ec, sent_n] = co_await sock.async_send(asio::buffer(wire), use_tuple);
    if (send_ec) co_return dns_error(errc::network_error, "UDP send: " + send_ec.message());
    asio::steady_timer timer(ex);
    timer.expires_at(deadline);
    std::vector<std::uint8_t> buf(65535);
    for (;;) {
      auto r = co_await (sock.async_receive(asio::buffer(buf), use_tuple) || timer.async_wait(use_tuple));
      if (r.index() == 1) co_return dns_error(errc::timeout, "no UDP answer for " + describe(canonical_clone(qname), type));
      auto [rec_ec, n] = std::get<0>(r);
      if (rec_ec)
        co_return dns_error(errc::network_error, "UDP receive from " + opt.resolver.address.to_string() + ": " +
                                                     rec_ec.message());
      if (auto p = match_response(buf.data(), n, id, qname, type)) co_return p;
    }
  }

  /// RFC 7766: the same question over TCP, 2-octet length framing.
  awaitable<result<shared_pkt>> tcp_exchange(ldns_rdf const* qname, std::uint16_t type, steady::time_point deadline) {
    std::uint16_t const id = random_id();
    auto const wire = make_query(qname, type, id);
    if (wire.empty()) co_return dns_error(errc::invalid_name, "cannot encode query for " + dname_api(qname));
    tcp::socket sock(ex);
    asio::steady_timer timer(ex);
    timer.expires_at(deadline);
    auto const what = describe(canonical_clone(qname), type);
    auto c = co_await (sock.async_connect(tcp_endpoint(), use_tuple) || timer.async_wait(use_tuple));
    if (c.index() == 1) co_return dns_error(errc::timeout, "TCP connect timed out for " + what);
    if (auto [ec] = std::get<0>(c); ec) co_return dns_error(errc::network_error, "TCP connect: " + ec.message());
    ++sent;
    std::array<std::uint8_t, 2> len{static_cast<std::uint8_t>(wire.size() >> 8),
                                    static_cast<std::uint8_t>(wire.size() & 0xff)};
    std::array<asio::const_buffer, 2> out{asio::buffer(len), asio::buffer(wire)};
    auto w = co_await (asio::async_write(sock, out, use_tuple) || timer.async_wait(use_tuple));
    if (w.index() == 1) co_return dns_error(errc::timeout, "TCP write timed out for " + what);
    if (auto [ec, n] = std::get<0>(w); ec) co_return dns_error(errc::network_error, "TCP write: " + ec.message());
    for (;;) {
      std::array<std::uint8_t, 2> rlen{};
      auto h = co_await (asio::async_read(sock, asio::buffer(rlen), use_tuple) || timer.async_wait(use_tuple));
      if (h.index() == 1) co_return dns_error(errc::timeout, "no TCP answer for " + what);
      if (auto [ec, n] = std::get<0>(h); ec) co_return dns_error(errc::network_error, "TCP read: " + ec.message());
      std::vector<std::uint8_t> msg(static_cast<std::size_t>(rlen[0]) << 8 | rlen[1]);
      auto b = co_await (asio::async_read(sock, asio::buffer(msg), use_tuple) || timer.async_wait(use_tuple));
      if (b.index() == 1) co_return dns_error(errc::timeout, "TCP answer for " + what + " timed out");
      if (auto [ec, n] = std::get<0>(b); ec) co_return dns_error(errc::network_error, "TCP read: " + ec.message());
      if (auto p = match_response(msg.data(), msg.size(), id, qname, type)) {
        if (ldns_pkt_tc(p.get())) co_return dns_error(errc::truncated, "TC set over TCP for " + what);
        co_return p;
      }
      // Not our answer: keep reading until the deadline.
    }
  }

  /// UDP with retries, then TCP if truncated. `over_tcp` tells which answered.
  awaitable<result<shared_pkt>> exchange(ldns_rdf const* qname, std::uint16_t type, steady::time_point lookup_deadline,
                                         bool& over_tcp) {
    auto const deadline = std::min(lookup_deadline, steady::now() + opt.query_budget);
    result<shared_pkt> last = dns_error(errc::timeout, "no time left for " + describe(canonical_clone(qname), type));
    for (int attempt = 0; attempt < std::max(1, opt.udp_attempts); ++attempt) {
      auto const now = steady::now();
      if (now >= deadline) break;
      last = co_await udp_attempt(qname, type, std::min(deadline, now + opt.attempt_timeout));
      if (last) {
        if (!ldns_pkt_tc(last->get())) {
          over_tcp = false;
          co_return last;
        }
        // RFC 7766 §5: a truncated UDP answer is retried over TCP.
        over_tcp = true;
        co_return co_await tcp_exchange(qname, type, deadline);
      }
      if (last.error().code != errc::timeout) co_return last;
    }
    co_return last;
  }

  // ---- the chain of trust ------------------------------------------------------------------

  /// The anchor records owned by `owner`.
  std::vector<ldns_rr const*> anchor_records(ldns_rdf const* owner) const {
    std::vector<ldns_rr const*> out;
    for (auto const& a : anchors)
      if (dname_equal(ldns_rr_owner(a.get()), owner)) out.push_back(a.get());
    return out;
  }

  /// The deepest anchor owner at or above `name`, or null.
  ldns_rdf const* anchor_for(ldns_rdf const* name) const {
    ldns_rdf const* best = nullptr;
    for (auto const& a : anchors) {
      ldns_rdf const* o = ldns_rr_owner(a.get());
      if (!dname_at_or_below(name, o)) continue;
      if (best == nullptr || ldns_dname_label_count(o) > ldns_dname_label_count(best)) best = o;
    }
    return best;
  }

  std::optional<cut_step> cached(std::string const& key) {
    std::lock_guard lock(mu);
    auto it = cache.find(key);
    if (it == cache.end()) return std::nullopt;
    if (it->second.expires <= now()) {
      cache.erase(it);
      return std::nullopt;
    }
    return it->second.step;
  }

  void remember(std::string const& key, cut_step const& step, std::uint32_t ttl) {
    if (!opt.cache) return;
    if (step.kind == cut_kind::zone && step.zone->status != dnssec_status::secure &&
        step.zone->status != dnssec_status::insecure)
      return;  // failures are retried, not remembered
    std::lock_guard lock(mu);
    cache[key] = cache_entry{step, now() + static_cast<std::time_t>(std::min(ttl, max_cache_ttl))};
  }

  /// The DNSKEY RRset of `apex` validated against `trusted` (the parent's DS, or anchors).
  awaitable<zone_ptr> fetch_keys(ldns_rdf const* apex, std::vector<ldns_rr const*> trusted, steady::time_point deadline,
                                 std::uint32_t& ttl) {
    bool tcp = false;
    auto r = co_await exchange(apex, LDNS_RR_TYPE_DNSKEY, deadline, tcp);
    if (!r) co_return make_state(apex, dnssec_status::indeterminate, "DNSKEY query for " + dname_api(apex) + " failed: " + r.error().message());
    if (ldns_pkt_get_rcode(r->get()) != LDNS_RCODE_NOERROR)
      co_return make_state(apex, dnssec_status::indeterminate,
                           "DNSKEY query for " + dname_api(apex) + " answered " +
                               to_string(static_cast<rcode>(ldns_pkt_get_rcode(r->get()))));
    auto const answer = group_rrsets(ldns_pkt_answer(r->get()));
    rrset_view const* keys = find_rrset(answer, apex, LDNS_RR_TYPE_DNSKEY);
    key_check kc = validate_dnskeys(keys, trusted, apex, now());
    if (keys != nullptr) ttl = std::min(ttl, min_ttl(keys->rrs));
    co_return make_state(apex, kc.status, kc.why, std::move(kc.keys));
  }

  awaitable<zone_ptr> anchor_zone(ldns_rdf const* owner, steady::time_point deadline) {
    std::string const key = "anchor:" + dname_text(owner);
    if (auto c = cached(key)) co_return c->zone;
    std::uint32_t ttl = max_cache_ttl;
    zone_ptr z = co_await fetch_keys(owner, anchor_records(owner), deadline, ttl);
    if (z->status == dnssec_status::secure) {
      auto s = std::make_shared<zone_state>();
      s->apex = canonical_clone(owner);
      s->status = z->status;
      s->keys.reset(ldns_rr_list_clone(z->keys.get()));
      s->why = "DNSKEY of " + dname_api(owner) + " validated by the trust anchor";
      z = s;
    }
    remember(key, cut_step{cut_kind::zone, z}, ttl);
    co_return z;
  }

  /// [RFC 4035 §5.2] The DS query at `name` below secure zone `parent`.
  awaitable<cut_step> cut_at(zone_state const& parent, ldns_rdf const* name, steady::time_point deadline) {
    std::string const key = dname_text(name);
    if (auto c = cached(key)) co_return *c;
    auto const who = dname_api(name);
    auto indeterminate = [&](std::string why) {
      return cut_step{cut_kind::zone, make_state(name, dnssec_status::indeterminate, std::move(why))};
    };
    auto bogus = [&](std::string why) {
      return cut_step{cut_kind::zone, make_state(name, dnssec_status::bogus, std::move(why))};
    };
    bool tcp = false;
    auto r = co_await exchange(name, LDNS_RR_TYPE_DS, deadline, tcp);
    if (!r) co_return indeterminate("DS query for " + who + " failed: " + r.error().message());
    auto const rc = ldns_pkt_get_rcode(r->get());
    if (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN)
      co_return indeterminate("DS query for " + who + " answered " + to_string(static_cast<rcode>(rc)));
    auto const answer = group_rrsets(ldns_pkt_answer(r->get()));
    auto const authority = group_rrsets(ldns_pkt_authority(r->get()));
    std::time_t const t = now();

    if (rrset_view const* ds = find_rrset(answer, name, LDNS_RR_TYPE_DS)) {
      sig_check const c = verify_rrset(*ds, parent.keys.get(), parent.apex.get(), t);
      if (!c.ok) co_return bogus("DS of " + who + ": " + c.why);
      std::uint32_t ttl = min_ttl(ds->rrs);
      std::vector<ldns_rr const*> trusted(ds->rrs.begin(), ds->rrs.end());
      zone_ptr child = co_await fetch_keys(name, trusted, deadline, ttl);
      cut_step step{cut_kind::zone, child};
      remember(key, step, ttl);
      co_return step;
    }
    if (rrset_view const* cname = find_rrset(answer, name, LDNS_RR_TYPE_CNAME)) {
      sig_check const c = verify_rrset(*cname, parent.keys.get(), parent.apex.get(), t);
      if (!c.ok) co_return bogus("CNAME at " + who + ": " + c.why);
      if (c.wildcard &&
          !proves_wildcard_expansion(verified_denials(authority, parent.keys.get(), parent.apex.get(), t), name,
                                     c.labels, parent.apex.get()))
        co_return bogus("CNAME at " + who + ": wildcard expansion without proof of non-existence");
      cut_step step{cut_kind::not_cut, nullptr};
      remember(key, step, min_ttl(cname->rrs));
      co_return step;
    }
    denial_records const d = verified_denials(authority, parent.keys.get(), parent.apex.get(), t);
    switch (ds_denial(d, name, parent.apex.get())) {
      case denial_kind::insecure_delegation: {
        cut_step step{cut_kind::zone,
                      make_state(name, dnssec_status::insecure,
                                 "insecure delegation: zone " + dname_api(parent.apex.get()) + " proves " + who +
                                     " has no DS")};
        remember(key, step, max_cache_ttl);
        co_return step;
      }
      case denial_kind::nodata: {
        cut_step step{cut_kind::not_cut, nullptr};
        remember(key, step, max_cache_ttl);
        co_return step;
      }
      case denial_kind::nxdomain: {
        cut_step step{cut_kind::nonexistent, nullptr};
        remember(key, step, max_cache_ttl);
        co_return step;
      }
      case denial_kind::none: break;
    }
    std::string why = "no valid proof that " + who + " has no DS in signed zone " + dname_api(parent.apex.get());
    if (!d.why.empty()) why += " (" + d.why + ")";
    co_return bogus(why);
  }

  /// [RFC 4035 §5] The zone `name` belongs to, validated top-down from the deepest anchor:
  /// secure (with keys), insecure (an unsigned cut or no anchor), bogus or indeterminate.
  awaitable<zone_ptr> zone_of(ldns_rdf const* name, steady::time_point deadline) {
    ldns_rdf const* anchor = anchor_for(name);
    if (anchor == nullptr)
      co_return make_state(name, dnssec_status::insecure,
                           "no trust anchor covers " + dname_api(name) + " (anchorless is insecure, DANE-2.1.1-02)");
    zone_ptr state = co_await anchor_zone(anchor, deadline);
    std::size_t const total = ldns_dname_label_count(name);
    for (std::size_t k = ldns_dname_label_count(anchor) + 1; k <= total; ++k) {
      if (state->status != dnssec_status::secure) co_return state;
      rdf_ptr cand{canonical_clone(name)};
      for (std::size_t n = total; n > k; --n) cand = parent_name(cand.get());
      cut_step step = co_await cut_at(*state, cand.get(), deadline);
      if (step.kind == cut_kind::zone) state = step.zone;
      else if (step.kind == cut_kind::nonexistent) break;
    }
    co_return state;
  }

  /// Validates one answer RRset (CNAME or final) of a response.
  awaitable<std::pair<dnssec_status, std::string>> check_rrset(rrset_view const& set,
                                                               std::vector<rrset_view> const& authority,
                                                               steady::time_point deadline) {
    rdf_ptr zone_name{canonical_clone(set.owner)};
    if (set.type == LDNS_RR_TYPE_DS) zone_name = parent_name(set.owner);  // DS is the parent's
    if (!zone_name) zone_name = canonical_clone(set.owner);
    zone_ptr z = co_await zone_of(zone_name.get(), deadline);
    auto const what = dname_api(set.owner) + "/" + to_string(static_cast<rr_type>(set.type));
    if (z->status != dnssec_status::secure) co_return std::pair{z->status, z->why};
    sig_check const c = verify_rrset(set, z->keys.get(), z->apex.get(), now());
    if (!c.ok) co_return std::pair{dnssec_status::bogus, what + ": " + c.why};
    if (c.wildcard) {
      // [RFC 4035 §5.3.4] a wildcard expansion needs proof that the name itself is absent.
      denial_records const d = verified_denials(authority, z->keys.get(), z->apex.get(), now());
      if (!proves_wildcard_expansion(d, set.owner, c.labels, z->apex.get()))
        co_return std::pair{dnssec_status::bogus, what + ": wildcard expansion without proof of non-existence"};
    }
    co_return std::pair{dnssec_status::secure, what + " signed by " + dname_api(z->apex.get())};
  }

  /// Validates NODATA or NXDOMAIN for (name, type) from a response's authority section.
  awaitable<std::pair<dnssec_status, std::string>> check_denial(ldns_rdf const* name, std::uint16_t type, bool nxdomain,
                                                                std::vector<rrset_view> const& authority,
                                                                steady::time_point deadline) {
    rdf_ptr zone_name{canonical_clone(name)};
    if (type == LDNS_RR_TYPE_DS && ldns_dname_label_count(name) > 0) zone_name = parent_name(name);
    zone_ptr z = co_await zone_of(zone_name.get(), deadline);
    std::string const what = (nxdomain ? "NXDOMAIN for " : "NODATA for ") + describe(canonical_clone(name), type);
    if (z->status != dnssec_status::secure) co_return std::pair{z->status, what + ": " + z->why};
    denial_records const d = verified_denials(authority, z->keys.get(), z->apex.get(), now());
    bool const ok = nxdomain ? proves_nxdomain(d, name, z->apex.get()) : proves_nodata(d, name, type, z->apex.get());
    if (!ok)
      co_return std::pair{dnssec_status::bogus,
                          what + ": no valid NSEC/NSEC3 proof from zone " + dname_api(z->apex.get()) +
                              (d.why.empty() ? std::string() : " (" + d.why + ")")};
    co_return std::pair{dnssec_status::secure, what + " proven by zone " + dname_api(z->apex.get())};
  }

  // ---- one query, CNAMEs followed ------------------------------------------------------------

  awaitable<result<answer>> query(std::string name_text, rr_type qtype) {
    auto self = shared_from_this();
    rdf_ptr qname = make_dname(name_text);
    if (!qname) co_return dns_error(errc::invalid_name, "not a domain name: " + name_text.substr(0, 300));
    auto const deadline = steady::now() + opt.lookup_budget;
    auto const type = static_cast<std::uint16_t>(qtype);

    answer out;
    out.qname = dname_api(qname.get());
    out.qtype = qtype;
    out.status = validating() ? dnssec_status::secure : dnssec_status::insecure;
    if (!validating()) out.why = "no trust anchor configured: answers are insecure (DANE-2.1.1-02)";
    auto note = [&](std::pair<dnssec_status, std::string> const& s) {
      out.status = weakest(out.status, s.first);
      add_why(out.why, s.second);
    };

    rdf_ptr cur{canonical_clone(qname.get())};
    std::vector<std::string> seen{dname_text(cur.get())};
    for (std::size_t round = 0; round <= max_cname_hops; ++round) {
      bool tcp = false;
      auto r = co_await exchange(cur.get(), type, deadline, tcp);
      if (!r) co_return r.error();
      ldns_pkt* p = r->get();
      out.over_tcp = tcp;
      out.authentic_data_bit = ldns_pkt_ad(p);  // recorded, never trusted (DANE-2.1.3-02)
      auto const rc = ldns_pkt_get_rcode(p);
      auto const target = describe(cur, type);
      if (rc == LDNS_RCODE_SERVFAIL) co_return dns_error(errc::server_failure, "SERVFAIL for " + target);
      if (rc == LDNS_RCODE_REFUSED) co_return dns_error(errc::refused, "REFUSED for " + target);
      if (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN)
        co_return dns_error(errc::bad_rcode, to_string(static_cast<rcode>(rc)) + " for " + target);
      out.code = static_cast<rcode>(rc);

      // Only the answer and authority sections are read: additional-section records are
      // never used, validated or not (DNS-18).
      auto const ans = group_rrsets(ldns_pkt_answer(p));
      auto const auth = group_rrsets(ldns_pkt_authority(p));
      bool followed = false;
      for (std::size_t hop = 0;; ++hop) {
        if (rrset_view const* set = find_rrset(ans, cur.get(), type)) {
          for (ldns_rr const* rr : set->rrs) out.records.push_back(to_record(rr));
          if (validating()) note(co_await check_rrset(*set, auth, deadline));
          out.outcome = lookup_outcome::found;
          out.canonical_name = dname_api(cur.get());
          co_return out;
        }
        rrset_view const* cname = type == LDNS_RR_TYPE_CNAME ? nullptr : find_rrset(ans, cur.get(), LDNS_RR_TYPE_CNAME);
        if (cname == nullptr) break;
        if (out.cnames.size() >= max_cname_hops)
          co_return dns_error(errc::cname_loop, "more than " + std::to_string(max_cname_hops) + " CNAMEs from " + out.qname);
        for (ldns_rr const* rr : cname->rrs) out.cnames.push_back(to_record(rr));
        if (validating()) note(co_await check_rrset(*cname, auth, deadline));
        rdf_ptr next{canonical_clone(ldns_rr_rdf(cname->rrs.front(), 0))};
        std::string const key = dname_text(next.get());
        if (std::find(seen.begin(), seen.end(), key) != seen.end())
          co_return dns_error(errc::cname_loop, "CNAME loop at " + key);
        seen.push_back(key);
        cur = std::move(next);
        followed = true;
      }
      out.canonical_name = dname_api(cur.get());
      bool const has_soa = std::any_of(auth.begin(), auth.end(),
                                       [](rrset_view const& s) { return s.type == LDNS_RR_TYPE_SOA; });
      if (rc == LDNS_RCODE_NXDOMAIN) {
        out.outcome = lookup_outcome::nxdomain;
        if (validating()) note(co_await check_denial(cur.get(), type, true, auth, deadline));
        co_return out;
      }
      if (followed && !has_soa) continue;  // the server stopped at a CNAME: ask for the target
      out.outcome = lookup_outcome::nodata;
      if (validating()) note(co_await check_denial(cur.get(), type, false, auth, deadline));
      co_return out;
    }
    co_return dns_error(errc::cname_loop, "CNAME chain from " + out.qname + " too long");
  }
};

result<client_options> system_client_options(std::string const& resolv_conf, std::string const& anchor_file) {
  auto resolver = system_resolver(resolv_conf);
  if (!resolver) return resolver.error();
  auto anchor = trust_anchor::load(anchor_file);
  if (!anchor) return anchor.error();
  client_options o;
  o.resolver = *resolver;
  o.anchor = std::move(*anchor);
  return o;
}

client::client(asio::any_io_executor ex, client_options opt) : impl_(std::make_shared<impl>()) {
  impl_->ex = std::move(ex);
  impl_->opt = std::move(opt);
  if (impl_->opt.anchor) {
    for (auto const& text : impl_->opt.anchor->records()) {
      ldns_rr* rr = nullptr;
      if (ldns_rr_new_frm_str(&rr, text.c_str(), 3600, nullptr, nullptr) == LDNS_STATUS_OK && rr != nullptr) {
        ldns_rr2canonical(rr);
        impl_->anchors.emplace_back(rr);
      }
    }
  }
}

client::~client() = default;

awaitable<result<answer>> client::query(std::string name, rr_type type) {
  auto self = impl_;
  co_return co_await self->query(std::move(name), type);
}

namespace {

/// [DANE-2.1.1-02] bogus and indeterminate answers are errors for every typed lookup
/// ([DNS-05] for MX, [DNS-07] for addresses, [DNS-12] for TLSA).
std::optional<error> refuse_unvalidated(answer const& a) {
  if (a.status == dnssec_status::bogus)
    return dns_error(errc::dnssec_bogus, a.qname + ": " + a.why, "DANE-2.1.1-02");
  if (a.status == dnssec_status::indeterminate)
    return dns_error(errc::dnssec_indeterminate, a.qname + ": " + a.why, "DANE-2.1.1-02");
  return std::nullopt;
}

template <class T>
rrset_lookup<T> shell(answer const& a) {
  rrset_lookup<T> out;
  out.outcome = a.outcome;
  out.status = a.status;
  out.canonical_name = a.canonical_name;
  out.why = a.why;
  return out;
}

}  // namespace

awaitable<result<mx_lookup>> client::lookup_mx(std::string domain) {
  auto self = impl_;
  auto a = co_await self->query(std::move(domain), rr_type::mx);
  if (!a) co_return a.error();
  if (auto e = refuse_unvalidated(*a)) co_return *e;
  auto out = shell<mx_host>(*a);
  for (auto const& r : a->records) {
    if (r.rdata.size() < 3) co_return dns_error(errc::malformed_response, "short MX RDATA at " + r.owner);
    mx_host h;
    h.preference = static_cast<std::uint16_t>(r.rdata[0] << 8 | r.rdata[1]);
    auto const space = r.rdata_text.find(' ');
    std::string const host = space == std::string::npos ? std::string() : r.rdata_text.substr(space + 1);
    h.host = host == "." ? std::string() : normalize_name(host);  // RFC 7505 null MX: empty host
    out.records.push_back(std::move(h));
  }
  std::stable_sort(out.records.begin(), out.records.end(),
                   [](mx_host const& x, mx_host const& y) { return x.preference < y.preference; });
  co_return out;
}

awaitable<result<address_lookup>> client::lookup_addresses(std::string host) {
  auto self = impl_;
  auto v4 = co_await self->query(host, rr_type::a);
  if (!v4) co_return v4.error();
  if (auto e = refuse_unvalidated(*v4)) co_return *e;
  auto v6 = co_await self->query(host, rr_type::aaaa);
  if (!v6) co_return v6.error();
  if (auto e = refuse_unvalidated(*v6)) co_return *e;
  auto out = shell<asio::ip::address>(*v4);
  out.status = weakest(v4->status, v6->status);
  out.why = "A: " + v4->why + " | AAAA: " + v6->why;
  for (auto const* a : {&*v4, &*v6})
    for (auto const& r : a->records) {
      if (r.type == rr_type::a && r.rdata.size() == 4) {
        asio::ip::address_v4::bytes_type b;
        std::copy(r.rdata.begin(), r.rdata.end(), b.begin());
        out.records.emplace_back(asio::ip::address_v4(b));
      } else if (r.type == rr_type::aaaa && r.rdata.size() == 16) {
        asio::ip::address_v6::bytes_type b;
        std::copy(r.rdata.begin(), r.rdata.end(), b.begin());
        out.records.emplace_back(asio::ip::address_v6(b));
      } else {
        co_return dns_error(errc::malformed_response, "bad address RDATA at " + r.owner);
      }
    }
  if (!out.records.empty()) out.outcome = lookup_outcome::found;
  else if (v4->outcome == lookup_outcome::nxdomain || v6->outcome == lookup_outcome::nxdomain)
    out.outcome = lookup_outcome::nxdomain;
  else out.outcome = lookup_outcome::nodata;
  co_return out;
}

awaitable<result<txt_lookup>> client::lookup_txt(std::string name) {
  auto self = impl_;
  auto a = co_await self->query(std::move(name), rr_type::txt);
  if (!a) co_return a.error();
  if (auto e = refuse_unvalidated(*a)) co_return *e;
  auto out = shell<txt_strings>(*a);
  for (auto const& r : a->records) {
    txt_strings strings;
    std::size_t i = 0;
    while (i < r.rdata.size()) {
      std::size_t const n = r.rdata[i++];
      if (i + n > r.rdata.size()) co_return dns_error(errc::malformed_response, "bad TXT RDATA at " + r.owner);
      strings.emplace_back(reinterpret_cast<char const*>(r.rdata.data() + i), n);
      i += n;
    }
    out.records.push_back(std::move(strings));
  }
  co_return out;
}

awaitable<result<tlsa_lookup>> client::lookup_tlsa(std::uint16_t port, std::string host) {
  auto self = impl_;
  // [DANE-2.2.3-01] _<port>._tcp.<TLSA base domain>
  std::string const name = "_" + std::to_string(port) + "._tcp." + normalize_name(host);
  auto a = co_await self->query(name, rr_type::tlsa);
  if (!a) {
    error e = a.error();
    e.requirement = "DANE-2.1.2-03";  // a failed TLSA query makes the server unusable
    co_return e;
  }
  if (auto e = refuse_unvalidated(*a)) {
    e->requirement = "DANE-2.1.2-03";
    co_return *e;
  }
  auto out = shell<tlsa_rdata>(*a);
  for (auto const& r : a->records) out.records.push_back(r.rdata);
  co_return out;
}

void client::clear_cache() {
  std::lock_guard lock(impl_->mu);
  impl_->cache.clear();
}

std::uint64_t client::queries_sent() const noexcept { return impl_->sent; }

}  // namespace mxtls::net::dns
