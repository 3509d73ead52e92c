// MTA-STS discovery of mxtls-send. Implements STS-3.1-09/10/12/15, STS-3.2-02/11,
// STS-3.3-01..11, STS-5.1-01/03/05, STS-8.2-02 and DNS-15 (with net/https for the fetch).
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (operator new/delete
// are the frame's own, class-specific pair; a known false positive when the frame
// allocation is inlined). Only this diagnostic is silenced, only in coroutine files.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "sts_discovery.hpp"

#include "mxtls/net/https.hpp"
#include "mxtls/spec/mtasts/record.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace mxtls::client::detail {

namespace asio = boost::asio;

spec::policy::sts_mode sts_view::mode() const noexcept {
  if (!policy) return spec::policy::sts_mode::absent;
  switch (policy->policy.mode) {
    case spec::mtasts::policy_mode::enforce: return spec::policy::sts_mode::enforce;
    case spec::mtasts::policy_mode::testing: return spec::policy::sts_mode::testing;
    case spec::mtasts::policy_mode::none: return spec::policy::sts_mode::none;
  }
  return spec::policy::sts_mode::absent;
}

namespace {

void note(std::vector<trail_step>& trail, std::string text, std::vector<std::string> ids) {
  trail.push_back(trail_step{"sts", std::move(text), std::move(ids)});
}

std::string describe(sts_entry const& e) {
  std::string mx;
  for (auto const& p : e.policy.mx) mx += (mx.empty() ? "" : ",") + p.to_string();
  return "mode " + std::string(spec::mtasts::to_string(e.policy.mode)) + ", mx [" + mx +
         "], max_age " + std::to_string(e.policy.max_age) + ", id " + e.id;
}

}  // namespace

asio::awaitable<sts_discovery::txt_result> sts_discovery::read_txt(std::string const& domain,
                                                                   std::vector<trail_step>& trail) {
  // [STS-3.1-12] CNAMEs are followed by the lookup; the policy host stays mta-sts.<domain>.
  std::string const name = "_mta-sts." + domain;
  auto txt = co_await dns_.lookup_txt(name);
  if (!txt) {
    co_return txt_result{std::nullopt, "TXT " + name + " lookup failed: " + txt.error().message(), "STS-3.3-11"};
  }
  if (txt->outcome != net::dns::lookup_outcome::found) {
    co_return txt_result{std::nullopt, "no TXT at " + name + " (" + net::dns::to_string(txt->outcome) + ", " +
                                           net::dns::to_string(txt->status) + ")",
                         "STS-3.1-15"};
  }
  // [STS-3.1-10][STS-3.1-08][STS-3.1-09] concatenation, discard, exactly one record.
  auto rec = spec::mtasts::select_sts_record(txt->records);
  if (!rec) {
    co_return txt_result{std::nullopt, "no usable STS record at " + name + ": " + rec.error().message(),
                         std::string(rec.error().requirement)};
  }
  note(trail, "TXT " + name + " (" + net::dns::to_string(txt->status) + "): id " + rec->id, {"STS-3.1-09"});
  co_return txt_result{rec->id, {}, {}};
}

std::optional<sts_entry> sts_discovery::cached(std::string const& domain, unix_seconds now,
                                              std::vector<trail_step>& trail) const {
  if (cfg_.misbehave.has(misbehaviour::sts_no_cache)) {
    // TEST ONLY sts-no-cache breaks [STS-3.3-11][STS-5.1-01]: the cache is never read.
    note(trail, "sts-no-cache: the policy cache is not consulted", {"STS-3.3-11"});
    return std::nullopt;
  }
  return state_.sts().find(domain, now);
}

sts_view sts_discovery::fallback(std::string const& domain, std::string txt_id, std::vector<trail_step>& trail,
                                 std::string why) {
  auto const now = cfg_.now();
  if (auto cached = this->cached(domain, now, trail)) {
    // [STS-3.3-11][STS-3.1-15] no live policy: the unexpired cached one applies.
    note(trail, why + "; applying the cached policy (" + describe(*cached) + ", expires at " +
                    std::to_string(cached->expires_at()) + ")",
         {"STS-3.3-11", "STS-3.1-15"});
    return sts_view{std::move(cached), "cache-fallback", std::move(txt_id)};
  }
  // [STS-3.3-10] no policy and no cached policy: as if the domain had no MTA-STS.
  note(trail, why + "; no cached policy: no MTA-STS for this attempt", {"STS-3.3-10"});
  return sts_view{std::nullopt, "none", std::move(txt_id)};
}

asio::awaitable<std::optional<sts_entry>> sts_discovery::fetch(std::string const& domain, std::string const& id,
                                                               std::vector<trail_step>& trail) {
  auto const now = cfg_.now();
  net::policy_fetch_options o;
  o.policy_domain = domain;  // [STS-8.2-02] the original Policy Domain, never a CNAME target
  o.port = cfg_.https_port.value_or(443);
  std::string const host = "mta-sts." + domain;
  if (cfg_.https_address) {
    o.addresses.emplace_back(*cfg_.https_address, o.port);
  } else {
    auto addrs = co_await dns_.lookup_addresses(host);
    if (!addrs || addrs->records.empty()) {
      note(trail, "policy host " + host + " has no usable address: " +
                      (addrs ? std::string(net::dns::to_string(addrs->outcome)) : addrs.error().message()),
           {"STS-3.3-10", "RPT-4.3-09"});
      state_.sts_failed_fetch(domain, id, now);
      co_return std::nullopt;
    }
    for (auto const& a : addrs->records) o.addresses.emplace_back(a, o.port);
  }
  // [STS-3.3-01][STS-3.3-02] PKIX for the policy host, with the sender's trust anchors.
  o.tls.system_trust = cfg_.system_trust;
  o.tls.ca_file = cfg_.ca_file;
  o.tls.trusted_ca_pem = cfg_.ca_pem;
  o.tls.validation_time = std::chrono::system_clock::time_point(std::chrono::seconds(now));
  o.timeout = cfg_.timeout.https;  // [STS-3.3-08]
  // TEST ONLY sts-lenient-fetch breaks [STS-3.3-01][STS-3.3-04][STS-3.3-05][STS-3.3-08][STS-3.2-02]:
  // any certificate, status (a 3xx's body is used), size (cut at 64 KiB) and Content-Type.
  bool const lenient = cfg_.misbehave.has(misbehaviour::sts_lenient_fetch);
  o.lenient = lenient;
  auto r = co_await net::fetch_policy(std::move(o));
  if (!r) {
    // [STS-3.3-04..08] any fetch failure; [STS-3.3-07] no new fetch of this id for 5 minutes.
    auto const type = net::to_string(net::policy_fetch_result_type(r.error().code));
    note(trail, "policy fetch https://" + host + "/.well-known/mta-sts.txt failed (" + std::string(type) + "): " +
                    r.error().message() + "; backoff 300 s for id " + id,
         {std::string(r.error().requirement.empty() ? "STS-3.3-10" : r.error().requirement), "STS-3.3-07"});
    state_.sts_failed_fetch(domain, id, now);
    co_return std::nullopt;
  }
  // [STS-3.2-02] media type text/plain, else the policy is invalid (mxtls decision).
  if (!r->content_type_ok && !lenient) {
    note(trail, "policy served as \"" + r->content_type + "\", not text/plain (sts-policy-invalid); backoff 300 s",
         {"STS-3.2-02", "STS-3.3-07"});
    state_.sts_failed_fetch(domain, id, now);
    co_return std::nullopt;
  }
  auto p = spec::mtasts::parse_policy(r->body);
  if (!p && lenient) {
    // TEST ONLY sts-lenient-fetch: a body cut at the size limit loses its broken last line.
    r->body.resize(r->body.rfind('\n') == std::string::npos ? 0 : r->body.rfind('\n') + 1);
    p = spec::mtasts::parse_policy(r->body);
  }
  if (!p) {
    // [STS-5.1-05] an invalid new policy is never cached and never replaces a valid one.
    note(trail, "policy invalid (sts-policy-invalid): " + p.error().message() + " at offset " +
                    std::to_string(p.error().offset) + "; backoff 300 s",
         {std::string(p.error().requirement), "STS-5.1-05", "STS-3.3-07"});
    state_.sts_failed_fetch(domain, id, now);
    co_return std::nullopt;
  }
  sts_entry e{domain, id, r->body, std::move(*p), now};
  note(trail, "fetched policy from " + r->url + ": " + describe(e) +
                  (e.policy.max_age == 0 ? " (max_age 0: applied now, never cached)" : ""),
       {"STS-3.3-04", e.policy.max_age == 0 ? "STS-3.2-11" : "STS-3.3-11"});
  // [STS-3.3-11] cached with expiry from this fetch; [STS-3.2-11] max_age 0 is not cached.
  state_.sts_store(e, now);
  co_return e;
}

asio::awaitable<sts_view> sts_discovery::discover(std::string const& domain, std::vector<trail_step>& trail) {
  auto const now = cfg_.now();
  auto t = co_await read_txt(domain, trail);
  if (!t.id) co_return fallback(domain, "", trail, t.why);
  auto cached = this->cached(domain, now, trail);
  if (cached && cached->id == *t.id) {
    // [STS-5.1-01] same id: the cached policy, no HTTPS request.
    note(trail, "id unchanged: cached policy (" + describe(*cached) + ", expires at " +
                    std::to_string(cached->expires_at()) + ")",
         {"STS-5.1-01", "STS-3.1-13"});
    co_return sts_view{std::move(cached), "cache", *t.id};
  }
  if (state_.sts().backing_off(domain, *t.id, now)) {
    co_return fallback(domain, *t.id, trail, "a fetch of id " + *t.id + " failed less than 300 s ago (STS-3.3-07)");
  }
  auto fetched = co_await fetch(domain, *t.id, trail);
  if (!fetched) co_return fallback(domain, *t.id, trail, "no policy could be fetched");
  co_return sts_view{std::move(fetched), "fetched", *t.id};
}

asio::awaitable<std::optional<sts_view>> sts_discovery::recheck(std::string const& domain, sts_view const& current,
                                                               std::vector<trail_step>& trail) {
  auto const now = cfg_.now();
  std::string const applied = current.policy ? current.policy->id : std::string{};
  auto t = co_await read_txt(domain, trail);
  if (!t.id) {
    note(trail, "re-check: " + t.why + "; no new policy", {"STS-5.1-03", "DNS-15"});
    co_return std::nullopt;
  }
  if (*t.id == applied) {
    note(trail, "re-check: id " + *t.id + " unchanged; no new policy", {"STS-5.1-03", "DNS-15"});
    co_return std::nullopt;
  }
  if (state_.sts().backing_off(domain, *t.id, now)) {
    note(trail, "re-check: id " + *t.id + " differs but its fetch failed less than 300 s ago", {"STS-3.3-07", "DNS-15"});
    co_return std::nullopt;
  }
  note(trail, "re-check: id changed from \"" + applied + "\" to \"" + *t.id + "\": fetching the new policy",
       {"STS-5.1-03", "DNS-15"});
  auto fetched = co_await fetch(domain, *t.id, trail);
  if (!fetched) co_return std::nullopt;
  co_return sts_view{std::move(fetched), "fetched", *t.id};
}

}  // namespace mxtls::client::detail
