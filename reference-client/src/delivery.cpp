// One delivery attempt per recipient domain, as spec/proposal.md §7.3 `deliver` and
// `try_host` write it. Implements DNS-03..05, DNS-07, DNS-10..16, DNS-18, DNS-20, PFX-01..06,
// PFX-15, P26-09, P26-12, P26-14, P26-16, BAN-13, BAN-19, STS-4.1-01, STS-5-01, STS-5.1-02/03,
// DANE-2.1.2-01..03, DANE-2.2-01..03, DANE-2.2.1-01, DANE-2.2.2-01..03, DANE-2.2.3-01,
// SMTP-5.1-01/02/04, SMTP-7505.3-01, NAME-4.1.3-01, DNS-17 (TLS-Required: No).
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (operator new/delete
// are the frame's own, class-specific pair; a known false positive when the frame
// allocation is inlined). Only this diagnostic is silenced, only in coroutine files.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "mxtls/client/delivery.hpp"

#include "session.hpp"
#include "sts_discovery.hpp"

#include "mxtls/net/dns/client.hpp"
#include "mxtls/spec/dane/tlsa.hpp"
#include "mxtls/spec/mtasts/policy.hpp"
#include "mxtls/spec/prefix/mx_prefix.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <exception>
#include <map>
#include <random>

namespace mxtls::client {

namespace asio = boost::asio;

namespace detail {
namespace {

using spec::policy::dane_state;
using spec::policy::dnssec_status;

std::vector<std::string> to_strings(std::vector<std::string_view> const& v) { return {v.begin(), v.end()}; }

/// [NAME-4.1.3-01][NAME-2-01][DANE-2.2-05] an MX target that is an IP address is no host name.
bool looks_like_address(std::string const& host) {
  boost::system::error_code ec;
  (void)asio::ip::make_address(host, ec);
  if (!ec) return true;
  auto const last = host.substr(host.rfind('.') == std::string::npos ? 0 : host.rfind('.') + 1);
  return !last.empty() && std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// [DNS-17][RTLS-3-01] a message with `TLS-Required: No` still tries TLS and records the
/// checks, but no mechanism's failure stops it; a bogus MX still defers (DNS-05).
spec::policy::decision relax(spec::policy::decision const& d) {
  if (d.act == spec::policy::action::defer_message) return d;
  spec::policy::decision e = d;
  e.act = spec::policy::action::attempt;
  e.tls = spec::policy::tls_level::opportunistic;
  e.pkix = false;
  e.dane = false;
  e.reason = d.reason + "+exempt:tls-required-no";
  e.ids.push_back("DNS-17");
  e.ids.push_back("RTLS-3-01");
  return e;
}

struct dane_lookup {
  dane_state state = dane_state::no_tlsa;
  std::optional<dane_params> params;
  std::string base;  ///< the TLSA base domain used
  std::string text;
  std::vector<std::string> ids;
};

enum class host_kind : std::uint8_t { delivered, permanent, defer_message, requirement_failed, unreachable };

struct host_result {
  host_kind kind = host_kind::unreachable;
  std::string reason;
  std::vector<std::string> ids;
  std::optional<tls_facts> tls;
  std::vector<recipient_result> recipients;
};

class domain_delivery {
 public:
  domain_delivery(client_config const& cfg, state_store& state, net::dns::client& dns, delivery_request const& req,
                  recipient_group const& group, domain_report& report)
      : cfg_(cfg), state_(state), dns_(dns), req_(req), group_(group), rep_(report), sts_(cfg, state, dns) {}

  asio::awaitable<void> run() {
    rep_.domain = group_.domain;
    for (auto const& r : group_.recipients) rep_.recipients.push_back(recipient_result{r.text(), outcome::deferred, {}});
    if (req_.content.tls_required_no)
      note("message", "header TLS-Required: No: TLS is attempted and recorded, failures do not stop delivery",
           {"DNS-17", "RTLS-3-01"});

    // --- MX ---
    auto mx = co_await dns_.lookup_mx(group_.domain);
    if (!mx) {
      // [DNS-05][DANE-2.1.2-01] bogus, indeterminate or failed: no MX, no implicit MX: defer.
      note("mx", "MX " + group_.domain + ": " + mx.error().message(), {"DNS-05", "DANE-2.1.2-01"});
      co_return finish(outcome::deferred, "MX lookup failed: " + mx.error().message(), {"DNS-05"});
    }
    mx_dnssec_ = secure(mx->status) ? dnssec_status::secure : dnssec_status::insecure;
    rep_.mx_authentic = mx_dnssec_ == dnssec_status::secure;
    std::vector<std::string> hosts;
    if (mx->outcome == net::dns::lookup_outcome::nxdomain) {
      note("mx", "MX " + group_.domain + ": NXDOMAIN (" + net::dns::to_string(mx->status) + ")", {"DNS-15"});
      // [DNS-15] only a null MX, a 5xx or the queue lifetime bounce a message.
      co_return finish(outcome::deferred, "the domain does not exist (NXDOMAIN)", {"DNS-15"});
    }
    if (mx->outcome == net::dns::lookup_outcome::nodata) {
      // [SMTP-5.1-02][PFX-06] no MX RRset: the domain itself is the (implicit) MX host.
      hosts.push_back(group_.domain);
      note("mx", "MX " + group_.domain + ": NODATA (" + net::dns::to_string(mx->status) + "): implicit MX " +
                     group_.domain + mx_authenticity(),
           {"SMTP-5.1-02", "PFX-06", rep_.mx_authentic ? "DNS-03" : "DNS-04"});
    } else {
      std::vector<net::dns::mx_host> records = mx->records;
      if (records.size() == 1 && records.front().host.empty()) {
        // [SMTP-7505.3-01] null MX: the domain accepts no mail.
        note("mx", "MX " + group_.domain + ": null MX (\"0 .\")", {"SMTP-7505.3-01"});
        co_return finish(outcome::bounced, "the domain publishes a null MX (5.1.10)", {"SMTP-7505.3-01"});
      }
      std::erase_if(records, [](net::dns::mx_host const& h) { return h.host.empty(); });
      // [SMTP-5.1-01][DNS-16][DANE-2.2.1-01] preference order; equal preferences shuffled.
      std::stable_sort(records.begin(), records.end(),
                       [](auto const& a, auto const& b) { return a.preference < b.preference; });
      if (cfg_.shuffle_equal_preference) {
        std::mt19937 rng(std::random_device{}());
        for (auto it = records.begin(); it != records.end();) {
          auto end = std::find_if(it, records.end(), [&](auto const& h) { return h.preference != it->preference; });
          std::shuffle(it, end, rng);
          it = end;
        }
      }
      std::string list;
      for (auto const& r : records) {
        hosts.push_back(r.host);
        list += (list.empty() ? "" : ", ") + std::to_string(r.preference) + " " + r.host;
      }
      note("mx", "MX " + group_.domain + " (" + net::dns::to_string(mx->status) + "): " + list + mx_authenticity(),
           {"SMTP-5.1-01", "DNS-16", rep_.mx_authentic ? "DNS-03" : "DNS-04"});
    }

    if (misbehaving(misbehaviour::prefer_tlsa_mx) && mx_dnssec_ == dnssec_status::secure) {
      // TEST ONLY prefer-tlsa-mx breaks [DANE-2.2.1-01][DNS-16]: MX hosts with a usable
      // port-25 TLSA RRset are moved before the others, whatever their preference.
      std::vector<std::string> with_tlsa, without_tlsa;
      for (auto const& h : hosts) {
        bool usable = false;
        auto addrs = co_await dns_.lookup_addresses(h);
        if (addrs && secure(addrs->status)) {
          auto const dl = co_await lookup_dane(25, h, *addrs);
          usable = dl.state == dane_state::usable;
        }
        (usable ? with_tlsa : without_tlsa).push_back(h);
      }
      with_tlsa.insert(with_tlsa.end(), without_tlsa.begin(), without_tlsa.end());
      hosts = std::move(with_tlsa);
      std::string list;
      for (auto const& h : hosts) list += (list.empty() ? "" : ", ") + h;
      note("misbehave", "prefer-tlsa-mx: MX hosts with usable TLSA first: " + list, {"DANE-2.2.1-01", "DNS-16"});
    }

    // --- rounds: the MX list, then once more after a changed MTA-STS id (DNS-15) ---
    sts_view view{std::nullopt, "none", ""};
    if (misbehaving(misbehaviour::ignore_sts)) {
      // TEST ONLY ignore-sts breaks [STS-5.1-01]: no `_mta-sts` lookup, no policy applied.
      note("misbehave", "ignore-sts: MTA-STS not discovered", {"STS-5.1-01"});
    } else {
      view = co_await sts_.discover(group_.domain, rep_.trail);
    }
    if (misbehaving(misbehaviour::sts_fetch_failure_defers) && !view.policy && !view.txt_id.empty()) {
      // TEST ONLY sts-fetch-failure-defers breaks [STS-3.3-10]: a valid TXT record whose
      // policy could not be fetched, with nothing cached, defers the message instead of
      // delivering as though the domain had no MTA-STS.
      note("misbehave", "sts-fetch-failure-defers: no policy for id " + view.txt_id + ": deferring", {"STS-3.3-10"});
      co_return finish(outcome::deferred, "MTA-STS policy could not be fetched", {"STS-3.3-10"});
    }
    std::string last_reason = "no MX host could be used";
    std::vector<std::string> last_ids;
    for (int round = 1; round <= 2; ++round) {
      bool sts_enforce_failed = false;
      for (auto const& host : hosts) {
        auto r = co_await try_host(host, view);
        rep_.host = host;
        switch (r.kind) {
          case host_kind::delivered: {
            rep_.tls = r.tls;
            for (auto const& rr : r.recipients) set_recipient(rr);
            outcome o = outcome::delivered;
            for (auto const& rr : rep_.recipients) o = worst(o, rr.result);
            co_return finish(o, r.reason, r.ids);
          }
          case host_kind::permanent:
            rep_.tls = r.tls;
            for (auto const& rr : r.recipients) set_recipient(rr);
            for (auto& rr : rep_.recipients) {
              if (rr.result != outcome::bounced) {
                rr.result = outcome::bounced;
                rr.reply = r.reason;
              }
            }
            co_return finish(outcome::bounced, r.reason, r.ids);
          case host_kind::defer_message: co_return finish(outcome::deferred, r.reason, r.ids);
          case host_kind::requirement_failed:
            // [STS-5.1-03] an MX mismatch counts as an enforce failure too.
            if (view.mode() == spec::policy::sts_mode::enforce) sts_enforce_failed = true;
            [[fallthrough]];
          case host_kind::unreachable:
            // [DNS-16][PFX-15] next host.
            last_reason = host + ": " + r.reason;
            last_ids = r.ids;
            break;
        }
      }
      if (!sts_enforce_failed || round == 2) break;
      // TEST ONLY bounce-on-failure breaks [STS-5.1-03][DNS-15]: no re-check of the id.
      if (misbehaving(misbehaviour::bounce_on_failure)) break;
      // [DNS-15][STS-5.1-03][STS-5-04] before deferring after an enforce failure, look for a new policy.
      auto fresh = co_await sts_.recheck(group_.domain, view, rep_.trail);
      if (!fresh) break;
      view = std::move(*fresh);
      note("sts", "trying the MX list once more under the new policy", {"DNS-15", "STS-5.1-03"});
    }
    // [PFX-15][DNS-15][STS-5-05][DANE-2.1.2-05] every host failed: defer, never bounce.
    last_ids.insert(last_ids.begin(), "DNS-15");
    co_return finish(outcome::deferred, last_reason, last_ids);
  }

 private:
  [[nodiscard]] bool misbehaving(misbehaviour m) const noexcept { return cfg_.misbehave.has(m); }

  /// A DNSSEC status as the decision sees it.
  [[nodiscard]] bool secure(net::dns::dnssec_status s) const noexcept {
    // TEST ONLY assume-dnssec-secure breaks [DNS-06][DANE-2.1.1-01]: the DNS client has no
    // anchor (deliver() below), so nothing is validated, and every answer counts as secure.
    if (misbehaving(misbehaviour::assume_dnssec_secure)) return true;
    return s == net::dns::dnssec_status::secure;
  }

  std::string mx_authenticity() const {
    // [DNS-04][DANE-2.2.1-03] an insecure MX RRset is never described as protected.
    return rep_.mx_authentic ? "; MX RRset secure: prefixes authenticated (DNS-03)"
                             : "; MX RRset insecure: not protected against MX rewriting (DNS-04)";
  }

  void note(std::string step, std::string text, std::vector<std::string> ids = {}) {
    rep_.trail.push_back(trail_step{std::move(step), std::move(text), std::move(ids)});
  }

  void finish(outcome o, std::string reason, std::vector<std::string> ids) {
    if (o == outcome::deferred && misbehaving(misbehaviour::bounce_on_failure)) {
      // TEST ONLY bounce-on-failure breaks [DNS-15][PFX-15][STS-5-05]: a message the rules
      // defer is bounced.
      note("misbehave", "bounce-on-failure: bouncing instead of deferring", {"DNS-15", "PFX-15", "STS-5-05"});
      o = outcome::bounced;
    }
    rep_.result = o;
    rep_.reason = std::move(reason);
    rep_.ids = std::move(ids);
    if (o != outcome::delivered) {
      for (auto& r : rep_.recipients) {
        if (r.result == outcome::deferred && o == outcome::bounced) r.result = outcome::bounced;
        if (r.reply.empty()) r.reply = rep_.reason;
      }
    }
    note("outcome", std::string(to_string(rep_.result)) + ": " + rep_.reason, rep_.ids);
  }

  void set_recipient(recipient_result const& rr) {
    for (auto& r : rep_.recipients)
      if (r.address == rr.address) r = rr;
  }

  asio::awaitable<dane_lookup> lookup_dane(std::uint16_t port, std::string const& host,
                                           net::dns::address_lookup const& addrs) {
    // [DANE-2.2.2-03] a secure CNAME-expanded host: TLSA at the expanded name first, then H.
    std::vector<std::string> bases;
    if (!addrs.canonical_name.empty() && addrs.canonical_name != host) bases.push_back(addrs.canonical_name);
    bases.push_back(host);
    for (auto const& base : bases) {
      // [DANE-2.2.3-01][P26-10] _<port>._tcp.<base>, port 25 or the implicit-TLS port.
      std::string const name = "_" + std::to_string(port) + "._tcp." + base;
      auto t = co_await dns_.lookup_tlsa(port, base);
      if (!t) {
        // [DANE-2.1.2-03][DNS-12] a failed TLSA lookup makes the host unusable.
        co_return dane_lookup{dane_state::lookup_failure, std::nullopt, base,
                              "TLSA " + name + ": " + t.error().message(), {"DANE-2.1.2-03", "DNS-12"}};
      }
      if (t->outcome != net::dns::lookup_outcome::found || !secure(t->status)) {
        if (base != bases.back()) continue;
        // [DANE-2.2-03] no secure TLSA RRset: pre-DANE opportunistic TLS as far as DANE goes.
        co_return dane_lookup{dane_state::no_tlsa, std::nullopt, base,
                              "TLSA " + name + ": " + net::dns::to_string(t->outcome) + " (" +
                                  net::dns::to_string(t->status) + ")",
                              {"DANE-2.2-03"}};
      }
      std::vector<spec::dane::tlsa_record> all, usable;
      std::size_t malformed = 0;
      for (auto const& rd : t->records) {
        auto rec = spec::dane::parse_tlsa_rdata(rd);
        if (!rec) {
          ++malformed;  // a record that cannot be read is an unusable record (DANE-3.1-02)
          spec::dane::tlsa_record bad;
          bad.usage = static_cast<spec::dane::tlsa_usage>(255);
          all.push_back(bad);
          continue;
        }
        if (spec::dane::usability(*rec) == spec::dane::tlsa_usability::usable) usable.push_back(*rec);
        all.push_back(std::move(*rec));
      }
      auto const cls = spec::dane::classify_rrset(all);
      std::string text = "TLSA " + name + " (secure): " + std::to_string(all.size()) + " records, " +
                         std::to_string(usable.size()) + " usable";
      if (malformed) text += ", " + std::to_string(malformed) + " malformed";
      for (auto const& r : all) text += "; " + spec::dane::to_text(r).substr(0, 24);
      if (cls == spec::dane::tlsa_rrset_state::usable) {
        dane_params p;
        p.records = std::move(usable);
        // [DANE-3.2.2-01][DANE-3.2.2-02] the TLSA base domain, the MX host, the next-hop domain.
        p.reference_ids = {base};
        if (host != base) p.reference_ids.push_back(host);
        if (group_.domain != base && group_.domain != host) p.reference_ids.push_back(group_.domain);
        p.validation_time = std::chrono::system_clock::time_point(std::chrono::seconds(cfg_.now()));
        co_return dane_lookup{dane_state::usable, std::move(p), base, text, {"DANE-2.2-01", "DANE-3.2-01"}};
      }
      if (cls == spec::dane::tlsa_rrset_state::all_unusable)
        co_return dane_lookup{dane_state::all_unusable, std::nullopt, base, text, {"DANE-2.2-02", "DANE-3.1.3-02"}};
      co_return dane_lookup{dane_state::no_tlsa, std::nullopt, base, text, {"DANE-2.2-03"}};
    }
    co_return dane_lookup{};
  }

  void record(attempt_record rec, session_result const* r) {
    if (r) {
      switch (r->kind) {
        case session_kind::delivered: rec.status = attempt_status::delivered; break;
        case session_kind::permanent: rec.status = attempt_status::permanent_failure; break;
        case session_kind::transient: rec.status = attempt_status::transient_failure; break;
        case session_kind::unreachable: rec.status = attempt_status::unreachable; break;
        case session_kind::requirement_failed: rec.status = attempt_status::requirement_failed; break;
        case session_kind::failed_before_greeting: rec.status = attempt_status::fell_back; break;
      }
      rec.reason = r->reason;
      rec.ids = r->ids;
      rec.tls = r->tls;
      rec.mail_from_sent = r->mail_from_sent;
      rec.plaintext_mail = r->plaintext_mail;
      rec.last_reply = r->last_reply;
      note("attempt",
           rec.host + " " + rec.address + ":" + std::to_string(rec.port) + " (" + rec.mode + "): " +
               std::string(to_string(rec.status)) + ": " + rec.reason,
           rec.ids);
    }
    rep_.attempts.push_back(std::move(rec));
  }

  asio::awaitable<host_result> try_host(std::string const& host, sts_view const& view) {
    host_result hr;
    auto const now = cfg_.now();
    if (looks_like_address(host)) {
      note("host", host + ": an IP address, not a host name: unusable", {"NAME-4.1.3-01", "DANE-2.2-05"});
      hr.reason = "MX target is an address";
      hr.ids = {"NAME-4.1.3-01"};
      co_return hr;
    }
    // [PFX-01..05] the class of the MX RDATA name as received.
    spec::prefix::mx_prefix prefix = spec::prefix::mx_prefix::none;
    if (auto c = spec::prefix::classify(host)) {
      prefix = *c;
      note("prefix", host + ": prefix class " + std::string(spec::prefix::to_string(prefix)),
           {"PFX-01", "PFX-05"});
    } else {
      note("prefix", host + ": not a valid host name, no signal: " + c.error().message(), {"PFX-03"});
    }
    if (prefix != spec::prefix::mx_prefix::none && misbehaving(misbehaviour::ignore_prefix)) {
      // TEST ONLY ignore-prefix breaks [PFX-05][PFX-14]: the prefix carries no TLS requirement.
      note("misbehave", "ignore-prefix: " + host + " treated as un-prefixed", {"PFX-05", "PFX-14"});
      prefix = spec::prefix::mx_prefix::none;
    }
    // [DNS-18] own address queries; [DNS-07][DANE-2.1.2-02] a failed lookup skips the host.
    auto addrs = co_await dns_.lookup_addresses(host);
    if (!addrs) {
      note("addresses", host + ": " + addrs.error().message(), {"DNS-07", "DANE-2.1.2-02"});
      hr.reason = "address lookup failed: " + addrs.error().message();
      hr.ids = {"DNS-07"};
      co_return hr;
    }
    {
      std::string list;
      for (auto const& a : addrs->records) list += (list.empty() ? "" : ", ") + a.to_string();
      note("addresses",
           host + " (" + net::dns::to_string(addrs->status) + "): " + (list.empty() ? "no addresses" : list) +
               (addrs->canonical_name != host && !addrs->canonical_name.empty() ? " via " + addrs->canonical_name : ""),
           {"DNS-18", "DANE-2.2.2-01"});
    }
    if (addrs->records.empty()) {
      hr.reason = "no addresses";
      hr.ids = {"DNS-07"};
      co_return hr;
    }
    // [BAN-13][BAN-19] an unexpired pin covering H.
    auto pin = state_.pins().find_covering(host, now);
    if (pin && misbehaving(misbehaviour::ignore_pins)) {
      // TEST ONLY ignore-pins breaks [BAN-19]: a covering pin is not applied (pins are still learned).
      note("misbehave", "ignore-pins: pin " + pin->pattern.to_string() + " not applied", {"BAN-19"});
      pin.reset();
    }
    if (pin) {
      note("pin", host + ": covered by pin " + pin->pattern.to_string() +
                      (pin->include_subdomains ? "; includeSubDomains" : "") + " until " + std::to_string(pin->expires_at),
           {"BAN-13", "BAN-19"});
    }
    // [STS-4.1-01] the MX RDATA name against the policy's patterns.
    bool const sts_match = view.policy && spec::mtasts::mx_matches(view.policy->policy, host);
    if (view.policy)
      note("sts", host + (sts_match ? " matches" : " matches no mx pattern of") + " the policy (mode " +
                      std::string(spec::mtasts::to_string(view.policy->policy.mode)) + ")",
           {"STS-4.1-01"});
    // [P26-09][P26-16] smtps-: the implicit-TLS port first, then 25; everything else: 25.
    struct port_plan {
      std::uint16_t service;
      session_mode mode;
    };
    std::vector<port_plan> ports;
    // TEST ONLY no-port26 breaks [P26-09]: never the implicit-TLS port.
    if (spec::prefix::offers_implicit_tls(prefix) && !misbehaving(misbehaviour::no_port26))
      ports.push_back({cfg_.implicit_tls_port, session_mode::implicit_tls});
    ports.push_back({std::uint16_t{25}, session_mode::starttls});
    bool const dane_applies = mx_dnssec_ == dnssec_status::secure && secure(addrs->status) &&
                              // TEST ONLY ignore-dane breaks [DANE-2.2-01][DNS-20]: no TLSA lookup.
                              !misbehaving(misbehaviour::ignore_dane);
    if (misbehaving(misbehaviour::ignore_dane)) note("misbehave", "ignore-dane: no TLSA lookup", {"DANE-2.2-01"});
    else if (!dane_applies)
      note("dane", host + ": DANE not applied (MX " + std::string(spec::policy::to_string(mx_dnssec_)) +
                       ", addresses " + net::dns::to_string(addrs->status) + ")",
           {"DNS-20", "DANE-2.2.1-02", "DANE-2.2.2-02"});
    std::map<std::uint16_t, dane_lookup> tlsa;  // per service port, looked up once per host
    bool any_requirement_failure = false;
    std::string last_reason = "no address could be used";
    std::vector<std::string> last_ids;
    for (auto const& addr : addrs->records) {
      bool implicit_failed = false;  // the implicit-TLS port of this address failed before its greeting
      for (auto const& pp : ports) {
        // [DNS-20] TLSA only after secure MX and address answers (DANE-2.2.2-01/02).
        dane_lookup dl;
        if (dane_applies) {
          auto it = tlsa.find(pp.service);
          if (it == tlsa.end()) {
            it = tlsa.emplace(pp.service, co_await lookup_dane(pp.service, host, *addrs)).first;
            note("dane", it->second.text, it->second.ids);
          }
          dl = it->second;
        }
        spec::policy::inputs in;
        in.prefix = prefix;
        in.pin = pin ? spec::policy::pin_state::covering : spec::policy::pin_state::none;
        in.mx_dnssec = mx_dnssec_;
        in.sts = view.mode();
        in.sts_match = sts_match;
        in.dane = dl.state;
        auto const d = spec::policy::decide(in);
        bool const exempt = req_.content.tls_required_no;
        auto const eff = exempt ? relax(d) : d;
        std::uint16_t port = pp.mode == session_mode::implicit_tls ? cfg_.implicit_tls_port : cfg_.smtp_port;
        if (auto m = cfg_.port_map.find(addr); m != cfg_.port_map.end())
          port = pp.mode == session_mode::implicit_tls ? m->second.implicit_tls.value_or(port) : m->second.smtp;
        attempt_record rec;
        rec.host = host;
        rec.address = addr.to_string();
        rec.service_port = pp.service;
        rec.port = port;
        rec.mode = std::string(to_string(pp.mode));
        rec.inputs = in;
        rec.decision = d;
        rec.exempt = exempt;
        // [DNS-14] the decision, verbatim, with every attempt.
        note("decision",
             host + " " + rec.address + " port " + std::to_string(pp.service) + ": " + spec::policy::format(in) +
                 " -> " + spec::policy::format(d),
             {"DNS-14", "DNS-10"});
        if (d.act == spec::policy::action::defer_message) {
          rec.mode = "none";
          rec.status = attempt_status::message_deferred;
          rec.reason = d.reason;
          rec.ids = to_strings(d.ids);
          record(std::move(rec), nullptr);
          hr.kind = host_kind::defer_message;
          hr.reason = d.reason;
          hr.ids = to_strings(d.ids);
          co_return hr;
        }
        if (eff.act == spec::policy::action::skip_mx) {
          // [DNS-11][DNS-12][STS-5-01] skipped as a transient failure of the host, no connection.
          rec.mode = "none";
          rec.status = attempt_status::skipped;
          rec.reason = d.reason;
          rec.ids = to_strings(d.ids);
          record(std::move(rec), nullptr);
          hr.kind = host_kind::requirement_failed;
          hr.reason = "skipped: " + d.reason;
          hr.ids = to_strings(d.ids);
          co_return hr;
        }
        session_request sr;
        sr.host = host;
        sr.domain = group_.domain;
        sr.address = addr;
        sr.port = port;
        sr.service_port = pp.service;
        sr.mode = pp.mode;
        sr.decision = eff;
        // [PFX-11][DANE-8.1-01] SNI: the TLSA base domain when DANE applies, else H.
        sr.sni = dl.state == dane_state::usable && !dl.base.empty() ? dl.base : host;
        sr.dane = dl.params;
        sr.from = req_.from;
        sr.recipients = group_.recipients;
        sr.content = &req_.content;
        // TEST ONLY plaintext-fallback breaks [PFX-14][DNS-19][STS-5-01]; port26-fallback-plaintext
        // breaks [P26-13][P26-15]: plaintext allowed where TLS is required.
        sr.misbehave_plaintext = misbehaving(misbehaviour::plaintext_fallback) ||
                                 (implicit_failed && misbehaving(misbehaviour::port26_fallback_plaintext));
        session_env env{cfg_, state_, rep_.trail};
        auto r = co_await run_session(env, sr);
        record(rec, &r);
        if (r.plaintext_retry_allowed && ((!spec::policy::requires_tls(eff.tls) &&
                                            !spec::prefix::requires_verified_tls(prefix)) ||
                                           sr.misbehave_plaintext)) {
          // [DNS-19] opportunistic only: one new plaintext connection after a TLS failure.
          sr.mode = session_mode::plaintext;
          rec.mode = std::string(to_string(sr.mode));
          r = co_await run_session(env, sr);
          record(rec, &r);
        }
        if (r.kind == session_kind::delivered || r.kind == session_kind::permanent) {
          hr.kind = r.kind == session_kind::delivered ? host_kind::delivered : host_kind::permanent;
          hr.reason = host + ": " + r.reason;
          hr.ids = r.ids;
          hr.tls = r.tls;
          hr.recipients = r.recipients;
          co_return hr;
        }
        last_reason = r.reason;
        last_ids = r.ids;
        if (r.kind == session_kind::requirement_failed || r.tls_failure) any_requirement_failure = true;
        // [P26-12] before a verified greeting on the implicit-TLS port: port 25 of this address.
        if (pp.mode == session_mode::implicit_tls && r.kind == session_kind::failed_before_greeting) {
          implicit_failed = true;
          continue;
        }
        // [P26-14][SMTP-5.1-04] otherwise the next address.
        break;
      }
    }
    hr.kind = any_requirement_failure ? host_kind::requirement_failed : host_kind::unreachable;
    hr.reason = last_reason;
    hr.ids = last_ids;
    co_return hr;
  }

  client_config const& cfg_;
  state_store& state_;
  net::dns::client& dns_;
  delivery_request const& req_;
  recipient_group const& group_;
  domain_report& rep_;
  sts_discovery sts_;
  dnssec_status mx_dnssec_ = dnssec_status::insecure;
};

}  // namespace
}  // namespace detail

asio::awaitable<delivery_report> deliver(client_config const& cfg, state_store& state, delivery_request const& req) {
  auto ex = co_await asio::this_coro::executor;
  net::dns::client_options o;
  o.resolver = cfg.resolver;
  // TEST ONLY assume-dnssec-secure breaks [DNS-06]: no validation at all (see secure()).
  if (!cfg.misbehave.has(misbehaviour::assume_dnssec_secure)) o.anchor = cfg.trust_anchor;
  o.attempt_timeout = cfg.timeout.dns_attempt;
  o.query_budget = cfg.timeout.dns_query;
  o.lookup_budget = cfg.timeout.dns_lookup;
  o.clock = [now = cfg.now] { return std::chrono::system_clock::time_point(std::chrono::seconds(now())); };
  net::dns::client dns(ex, std::move(o));
  delivery_report report;
  if (cfg.misbehave.any())
    report.warnings.push_back("TEST ONLY: deliberately non-conforming (--test-misbehave " + cfg.misbehave.to_string() + ")");
  for (auto const& group : group_by_domain(req.recipients)) {
    domain_report dr;
    detail::domain_delivery dd(cfg, state, dns, req, group, dr);
    co_await dd.run();
    // [BAN-24][STS-3.3-11] pins and policies are written after each domain.
    if (auto c = state.commit(); !c) report.warnings.push_back("state not saved: " + c.error().message());
    report.domains.push_back(std::move(dr));
  }
  report.result = outcome::delivered;
  for (auto const& d : report.domains) report.result = worst(report.result, d.result);
  co_return report;
}

delivery_report deliver_sync(client_config const& cfg, state_store& state, delivery_request const& req) {
  asio::io_context io;
  delivery_report out;
  std::exception_ptr failure;
  asio::co_spawn(
      io, [&]() { return deliver(cfg, state, req); },
      [&](std::exception_ptr e, delivery_report r) {
        failure = e;
        out = std::move(r);
      });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return out;
}

}  // namespace mxtls::client
