// Receiver-side domain checks, run only with --domain, through the given (or system) resolver
// and trust anchor: the MTA-STS deployment (STS-3.1-*, STS-3.2-*, STS-3.3-*, STS-4.1-01,
// STS-7.1-04), the TLSRPT record (RPT-3-*), DANE TLSA against the presented chain
// (DANE-2.2-01, DANE-3.2-01, DANE-3.1-*) and the DNSSEC status of the MX RRset (DNS-01).
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known false positive
// when the frame allocation is inlined); only this diagnostic is silenced, only here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "cases/receiver/common.hpp"

#include "mxtls/net/dns/client.hpp"
#include "mxtls/net/dns/resolv_conf.hpp"
#include "mxtls/net/dns/trust_anchor.hpp"
#include "mxtls/net/https.hpp"
#include "mxtls/spec/dane/tlsa.hpp"
#include "mxtls/spec/mtasts/policy.hpp"
#include "mxtls/spec/mtasts/record.hpp"
#include "mxtls/spec/prefix/mx_prefix.hpp"
#include "mxtls/spec/tlsrpt/record.hpp"

#include <algorithm>
#include <charconv>

namespace mxtls::conformance::receiver {
namespace {

namespace dns = net::dns;

/// The validating DNS client of a domain check: --resolver (else /etc/resolv.conf) and
/// --trust-anchor (else Debian's root anchor when readable, else none: everything insecure).
struct dns_setup {
  std::unique_ptr<dns::client> client;
  std::string error;     ///< why there is no client
  std::string anchor;    ///< which anchor is used, for the transcript
};

dns_setup make_dns(case_context& ctx) {
  dns_setup out;
  auto const& t = *ctx.target;
  dns::client_options opt;
  if (t.resolver) {
    auto a = dns::parse_server_address(*t.resolver);
    if (!a) {
      out.error = "--resolver " + *t.resolver + ": " + a.error().message();
      return out;
    }
    opt.resolver = *a;
  } else {
    auto a = dns::system_resolver();
    if (!a) {
      out.error = "no resolver: " + a.error().message();
      return out;
    }
    opt.resolver = *a;
  }
  std::string const anchor_file = t.trust_anchor ? *t.trust_anchor : std::string(dns::default_trust_anchor_file);
  auto anchor = dns::trust_anchor::load(anchor_file);
  if (anchor) {
    opt.anchor = std::move(*anchor);
    out.anchor = anchor_file;
  } else if (t.trust_anchor) {
    out.error = "--trust-anchor " + anchor_file + ": " + anchor.error().message();
    return out;
  } else {
    out.anchor = "(none: every answer is insecure)";
  }
  auto const budget = step_timeout(ctx);
  opt.attempt_timeout = std::min(budget, milliseconds(1000));
  opt.query_budget = budget;
  opt.lookup_budget = budget;
  out.client = std::make_unique<dns::client>(ctx.executor, std::move(opt));
  ctx.log->add("dns", "resolver " + (t.resolver ? *t.resolver : std::string("from /etc/resolv.conf")) +
                          ", trust anchor " + out.anchor);
  return out;
}

/// "ADDR", "ADDR:PORT", "[V6]:PORT".
std::optional<net::tcp::endpoint> parse_endpoint(std::string_view text, std::uint16_t default_port) {
  std::string_view host = text;
  std::uint16_t port = default_port;
  auto const colon = text.rfind(':');
  bool const bracketed = !text.empty() && text.front() == '[';
  if (colon != std::string_view::npos && (bracketed ? colon > text.find(']') : text.find(':') == colon)) {
    auto const digits = text.substr(colon + 1);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc{} || p != digits.data() + digits.size()) return std::nullopt;
    host = text.substr(0, colon);
  }
  if (bracketed) host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  auto const address = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return std::nullopt;
  return net::tcp::endpoint(address, port);
}

std::string status_text(dns::dnssec_status s) { return dns::to_string(s); }

struct sts_state {
  std::optional<case_result> stop;         ///< verdict when a prerequisite is missing
  std::optional<spec::mtasts::sts_record> record;
  std::optional<net::fetched_policy> fetched;
  net::result<net::fetched_policy> fetch_error{net::fetched_policy{}};
  bool fetch_attempted = false;
};

// The TXT record (and, when `fetch`, the policy fetch) shared by the mtasts.* cases.
asio::awaitable<sts_state> sts_discovery(case_context& ctx, dns_setup& d, bool fetch) {
  sts_state st;
  std::string const& domain = *ctx.target->domain;
  std::string const name = "_mta-sts." + domain;
  auto txt = co_await d.client->lookup_txt(name);
  if (!txt) {
    st.stop = make_result(verdict::fail, "TXT lookup of " + name + " failed: " + txt.error().message());
    co_return st;
  }
  ctx.log->add("dns", name + " TXT: " + dns::to_string(txt->outcome) + ", " + std::to_string(txt->records.size()) +
                          " records, " + status_text(txt->status));
  for (auto const& r : txt->records) ctx.log->add("dns", "  \"" + spec::dns::concatenate(r) + "\"");
  auto rec = spec::mtasts::select_sts_record(txt->records);
  if (!rec) {
    if (rec.error().code == spec::mtasts::errc::no_sts_record) {
      st.stop = make_result(verdict::informational, "no v=STSv1 TXT record at " + name + ": the domain does not use "
                                                    "MTA-STS");
      co_return st;
    }
    st.stop = make_result(verdict::fail, "the _mta-sts TXT record is unusable: " + rec.error().message() + " [" +
                                             std::string(rec.error().requirement) + "]");
    co_return st;
  }
  st.record = std::move(*rec);
  if (!fetch) co_return st;

  net::policy_fetch_options opt;
  opt.policy_domain = domain;
  opt.tls.system_trust = ctx.target->ca_file.empty();
  opt.tls.ca_file = ctx.target->ca_file;
  opt.timeout = step_timeout(ctx);
  std::string const host = "mta-sts." + domain;
  if (ctx.target->https_address) {
    auto ep = parse_endpoint(*ctx.target->https_address, 443);
    if (!ep) {
      st.stop = make_result(verdict::harness_error, "bad policy host address " + *ctx.target->https_address);
      co_return st;
    }
    opt.addresses.push_back(*ep);
  } else {
    auto addrs = co_await d.client->lookup_addresses(host);
    if (!addrs || addrs->records.empty()) {
      st.stop = make_result(verdict::fail, "the policy host " + host + " has no address" +
                                               (addrs ? std::string{} : ": " + addrs.error().message()),
                            {}, "sts-policy-fetch-error");
      co_return st;
    }
    for (auto const& a : addrs->records) opt.addresses.emplace_back(a, 443);
  }
  ctx.log->add("https", "GET https://" + host + std::string(net::policy_path) + " via " +
                            opt.addresses.front().address().to_string() + ":" + std::to_string(opt.addresses.front().port()));
  st.fetch_attempted = true;
  auto r = co_await net::fetch_policy(std::move(opt));
  if (r) {
    ctx.log->add("https", "200, Content-Type \"" + r->content_type + "\", " + std::to_string(r->body.size()) +
                              " octets, " + r->tls.version);
    ctx.log->add("https", r->body);
    st.fetched = std::move(*r);
  } else {
    ctx.log->add("https", "fetch failed: " + r.error().message());
    st.fetch_error = std::move(r);
  }
  co_return st;
}

bool is_certificate_error(boost::system::error_code ec) {
  return net::policy_fetch_result_type(ec) == net::tlsrpt_result_type::sts_webpki_invalid;
}

bool is_http_error(boost::system::error_code ec) {
  using net::errc;
  return ec == errc::http_protocol_error || ec == errc::http_redirect || ec == errc::http_not_modified ||
         ec == errc::http_status || ec == errc::body_too_large || ec == errc::content_encoding;
}

case_result no_domain() { return unsupported("no --domain given"); }

asio::awaitable<case_result> txt_record(case_context& ctx) {
  if (!ctx.target->domain) co_return no_domain();
  auto d = make_dns(ctx);
  if (!d.client) co_return make_result(verdict::harness_error, d.error);
  auto st = co_await sts_discovery(ctx, d, false);
  if (st.stop) co_return *st.stop;
  co_return make_result(verdict::pass, "exactly one valid v=STSv1 record, id=" + st.record->id);
}

asio::awaitable<case_result> policy_fetch(case_context& ctx) {
  if (!ctx.target->domain) co_return no_domain();
  auto d = make_dns(ctx);
  if (!d.client) co_return make_result(verdict::harness_error, d.error);
  auto st = co_await sts_discovery(ctx, d, true);
  if (st.stop) co_return st.record ? *st.stop : unsupported(st.stop->summary);
  if (!st.fetched) {
    auto const& e = st.fetch_error.error();
    if (is_certificate_error(e.code))
      co_return unsupported("the policy host's certificate fails (see mtasts.policy-host-certificate): " + e.message());
    co_return make_result(verdict::fail, "policy fetch failed: " + e.message() +
                                             (e.requirement.empty() ? "" : " [" + std::string(e.requirement) + "]"),
                          {}, "sts-policy-fetch-error");
  }
  // [STS-3.2-02] the media type is text/plain (mxtls rejects anything else, a missing one too).
  if (!st.fetched->content_type_ok)
    co_return make_result(verdict::fail, "the policy is served as \"" + st.fetched->content_type +
                                             "\", not text/plain (STS-3.2-02)",
                          {}, "sts-policy-invalid");
  co_return make_result(verdict::pass, "200 text/plain, " + std::to_string(st.fetched->body.size()) +
                                           " octets, no redirect, within 64 KiB");
}

asio::awaitable<case_result> policy_valid(case_context& ctx) {
  if (!ctx.target->domain) co_return no_domain();
  auto d = make_dns(ctx);
  if (!d.client) co_return make_result(verdict::harness_error, d.error);
  auto st = co_await sts_discovery(ctx, d, true);
  if (st.stop) co_return unsupported(st.stop->summary);
  if (!st.fetched) co_return unsupported("no policy fetched (see mtasts.policy-fetch): " + st.fetch_error.error().message());
  auto p = spec::mtasts::parse_policy(st.fetched->body);
  if (!p)
    co_return make_result(verdict::fail, "invalid policy: " + p.error().message() + " [" +
                                             std::string(p.error().requirement) + "] at offset " +
                                             std::to_string(p.error().offset),
                          {}, "sts-policy-invalid");
  std::string mx;
  for (auto const& m : p->mx) mx += (mx.empty() ? "" : ", ") + m.to_string();
  co_return make_result(verdict::pass, "valid policy: mode " + std::string(spec::mtasts::to_string(p->mode)) +
                                           ", max_age " + std::to_string(p->max_age) + ", mx " + (mx.empty() ? "(none)" : mx));
}

asio::awaitable<case_result> mx_covered(case_context& ctx) {
  if (!ctx.target->domain) co_return no_domain();
  auto d = make_dns(ctx);
  if (!d.client) co_return make_result(verdict::harness_error, d.error);
  auto st = co_await sts_discovery(ctx, d, true);
  if (st.stop) co_return unsupported(st.stop->summary);
  if (!st.fetched) co_return unsupported("no policy fetched (see mtasts.policy-fetch)");
  auto p = spec::mtasts::parse_policy(st.fetched->body);
  if (!p) co_return unsupported("the policy is invalid (see mtasts.policy-valid)");
  if (p->mode == spec::mtasts::policy_mode::none)
    co_return make_result(verdict::informational, "policy mode none: mx patterns are not applied");
  auto mx = co_await d.client->lookup_mx(*ctx.target->domain);
  if (!mx) co_return make_result(verdict::fail, "MX lookup failed: " + mx.error().message());
  std::vector<std::string> hosts;
  if (mx->outcome == dns::lookup_outcome::found) {
    for (auto const& m : mx->records) hosts.push_back(m.host);
  } else {
    hosts.push_back(*ctx.target->domain);  // [STS-4.1-05] the implicit MX must match too
  }
  if (std::find(hosts.begin(), hosts.end(), spec::dns::normalize(ctx.target->mx_name)) == hosts.end())
    hosts.push_back(spec::dns::normalize(ctx.target->mx_name));
  std::vector<std::string> details, uncovered;
  for (auto const& h : hosts) {
    bool const ok = spec::mtasts::mx_matches(*p, h);
    details.push_back(h + (ok ? ": covered" : ": NOT covered"));
    if (!ok) uncovered.push_back(h);
  }
  if (!uncovered.empty()) {
    std::string list;
    for (auto const& h : uncovered) list += (list.empty() ? "" : ", ") + h;
    // [STS-4.1-01] enforce senders never deliver to an MX no pattern matches (STS-5-01).
    co_return make_result(verdict::fail, "MX hosts not matched by any policy mx pattern: " + list, std::move(details),
                          "validation-failure");
  }
  co_return make_result(verdict::pass, "every MX host matches a policy mx pattern", std::move(details));
}

asio::awaitable<case_result> policy_host_certificate(case_context& ctx) {
  if (!ctx.target->domain) co_return no_domain();
  auto d = make_dns(ctx);
  if (!d.client) co_return make_result(verdict::harness_error, d.error);
  auto st = co_await sts_discovery(ctx, d, true);
  if (st.stop) co_return unsupported(st.stop->summary);
  if (st.fetched) {
    std::vector<std::string> details;
    for (auto const& der : st.fetched->tls.peer_chain_der)
      if (auto f = probe::read_cert_facts(der)) details.push_back(probe::describe(*f));
    co_return make_result(verdict::pass, "the policy host's certificate is PKIX-valid for mta-sts." + *ctx.target->domain,
                          std::move(details));
  }
  auto const& e = st.fetch_error.error();
  if (is_certificate_error(e.code))
    co_return make_result(verdict::fail, "the policy host's certificate is not valid for mta-sts." + *ctx.target->domain +
                                             ": " + e.message(),
                          {}, "sts-webpki-invalid");
  if (is_http_error(e.code))
    co_return make_result(verdict::pass, "the certificate verified; the HTTP exchange then failed (see "
                                         "mtasts.policy-fetch): " + e.message());
  co_return unsupported("no TLS session with the policy host: " + e.message());
}

asio::awaitable<case_result> tlsrpt_record(case_context& ctx) {
  if (!ctx.target->domain) co_return no_domain();
  auto d = make_dns(ctx);
  if (!d.client) co_return make_result(verdict::harness_error, d.error);
  std::string const name = "_smtp._tls." + *ctx.target->domain;
  auto txt = co_await d.client->lookup_txt(name);
  if (!txt) co_return make_result(verdict::fail, "TXT lookup of " + name + " failed: " + txt.error().message());
  ctx.log->add("dns", name + " TXT: " + std::to_string(txt->records.size()) + " records, " + status_text(txt->status));
  for (auto const& r : txt->records) ctx.log->add("dns", "  \"" + spec::dns::concatenate(r) + "\"");
  auto rec = spec::tlsrpt::select_tlsrpt_record(txt->records);
  if (!rec) {
    if (rec.error().code == spec::tlsrpt::errc::no_tlsrpt_record)
      co_return make_result(verdict::informational, "no v=TLSRPTv1 record at " + name + ": the domain asks for no reports");
    co_return make_result(verdict::fail, "the TLSRPT record is unusable: " + rec.error().message() + " [" +
                                             std::string(rec.error().requirement) + "]");
  }
  std::string rua;
  for (auto const& u : rec->rua) rua += (rua.empty() ? "" : ", ") + u;
  if (rec->rua.empty())
    co_return make_result(verdict::fail, "the TLSRPT record has no mailto: or https: rua (RPT-3-10)");
  co_return make_result(verdict::pass, "one valid TLSRPT record, rua " + rua);
}

// What the TLSA records of one port say about the chain presented there.
struct dane_port_check {
  enum class state { no_records, all_unusable, lookup_failed, no_tls, matched, mismatched } outcome = state::no_records;
  std::string summary;
  std::vector<std::string> details;
};

// [DANE-2.2.3-01][P26-10] TLSA at _<port>._tcp.<host> for the port senders use (25, or 26 for
// the implicit-TLS listener), matched against the chain the target presents on `connect_port`.
asio::awaitable<dane_port_check> check_dane_port(case_context& ctx, dns_setup& d, std::string const& host,
                                                 std::uint16_t dane_port, std::uint16_t connect_port, bool implicit) {
  dane_port_check out;
  std::string const owner = "_" + std::to_string(dane_port) + "._tcp." + host;
  auto tlsa = co_await d.client->lookup_tlsa(dane_port, host);
  if (!tlsa) {
    out.outcome = dane_port_check::state::lookup_failed;
    out.summary = "TLSA lookup at " + owner + " failed: " + tlsa.error().message();
    co_return out;
  }
  if (tlsa->status != dns::dnssec_status::secure || tlsa->records.empty()) {
    out.summary = "no secure TLSA records at " + owner;
    co_return out;
  }
  std::vector<spec::dane::tlsa_record> records;
  for (auto const& rd : tlsa->records) {
    auto r = spec::dane::parse_tlsa_rdata(rd);
    if (!r) {
      out.details.push_back(owner + ": unparsable TLSA RDATA: " + r.error().message());
      continue;
    }
    out.details.push_back(owner + " TLSA " + spec::dane::to_text(*r) + " (" +
                          std::string(spec::dane::to_string(spec::dane::usability(*r))) + ")");
    records.push_back(std::move(*r));
  }
  if (spec::dane::classify_rrset(records) != spec::dane::tlsa_rrset_state::usable) {
    out.outcome = dane_port_check::state::all_unusable;
    out.summary = "every TLSA record at " + owner + " is unusable: senders use TLS without authentication (DANE-2.2-02)";
    co_return out;
  }
  session s(ctx);
  step reached;
  if (implicit) {
    reached = co_await s.open_implicit(connect_port, tls_for(ctx));
  } else {
    reached = co_await s.open();
    if (!reached) reached = co_await s.ehlo();
    if (!reached) reached = co_await s.starttls(tls_for(ctx));
  }
  if (reached) {
    out.outcome = dane_port_check::state::no_tls;
    out.summary = "usable TLSA records at " + owner + " but no TLS session: " + reached->summary;
    co_return out;
  }
  co_await s.finish();
  for (auto const& r : records) {
    if (auto i = probe::tlsa_match(r, s.tls.info.peer_chain_der)) {
      out.outcome = dane_port_check::state::matched;
      out.summary = owner + " TLSA " + spec::dane::to_text(r) + " matches chain[" + std::to_string(*i) + "]";
      co_return out;
    }
  }
  // [DANE-3.2-02] senders never deliver to this host on this port.
  out.outcome = dane_port_check::state::mismatched;
  out.summary = "no usable TLSA record at " + owner + " matches the presented chain";
  co_return out;
}

asio::awaitable<case_result> tlsa_matches(case_context& ctx) {
  if (!ctx.target->domain) co_return no_domain();
  auto d = make_dns(ctx);
  if (!d.client) co_return make_result(verdict::harness_error, d.error);
  std::string const host = spec::dns::normalize(ctx.target->mx_name);
  // [DANE-2.2.2-01] addresses first; [DANE-2.2.2-02] insecure addresses: no DANE.
  auto addrs = co_await d.client->lookup_addresses(host);
  if (!addrs) co_return make_result(verdict::fail, "address lookup of " + host + " failed: " + addrs.error().message(),
                                    {}, "dnssec-invalid");
  if (addrs->status != dns::dnssec_status::secure)
    co_return make_result(verdict::informational, "the addresses of " + host + " are " + status_text(addrs->status) +
                                                      ": DANE does not apply");
  // Senders look up the port they use (25; 26 for the implicit-TLS listener), whatever port
  // the suite reaches the target on.
  std::vector<dane_port_check> checks;
  auto c25 = co_await check_dane_port(ctx, d, host, 25, ctx.target->port, false);
  checks.push_back(std::move(c25));
  if (ctx.target->port26) {
    auto c26 = co_await check_dane_port(ctx, d, host, 26, *ctx.target->port26, true);
    checks.push_back(std::move(c26));
  }
  std::vector<std::string> details;
  using st = dane_port_check::state;
  bool any_match = false, any_usable = false;
  std::string failure, result_type;
  for (auto const& c : checks) {
    details.insert(details.end(), c.details.begin(), c.details.end());
    details.push_back(c.summary);
    any_match = any_match || c.outcome == st::matched;
    any_usable = any_usable || c.outcome == st::matched || c.outcome == st::mismatched || c.outcome == st::no_tls;
    if (failure.empty() && c.outcome == st::lookup_failed) {
      failure = c.summary;
      result_type = "dnssec-invalid";
    }
    if (failure.empty() && c.outcome == st::mismatched) {
      failure = c.summary;
      result_type = "tlsa-invalid";
    }
    if (failure.empty() && c.outcome == st::no_tls) {
      failure = c.summary;
      result_type = "starttls-not-supported";
    }
  }
  if (!failure.empty()) co_return make_result(verdict::fail, failure, std::move(details), result_type);
  if (any_match) co_return make_result(verdict::pass, "the presented chain matches the published TLSA records",
                                       std::move(details));
  bool const unusable = std::any_of(checks.begin(), checks.end(), [](auto const& c) { return c.outcome == st::all_unusable; });
  (void)any_usable;
  co_return make_result(verdict::informational,
                        unusable ? "only unusable TLSA records: senders use TLS without authentication (DANE-2.2-02)"
                                 : "no secure TLSA records: DANE does not apply",
                        std::move(details), unusable ? "tlsa-invalid" : "");
}

asio::awaitable<case_result> mx_secure(case_context& ctx) {
  if (!ctx.target->domain) co_return no_domain();
  auto d = make_dns(ctx);
  if (!d.client) co_return make_result(verdict::harness_error, d.error);
  auto mx = co_await d.client->lookup_mx(*ctx.target->domain);
  if (!mx) co_return make_result(verdict::fail, "MX lookup failed: " + mx.error().message(), {}, "dnssec-invalid");
  bool prefixed = false;
  std::vector<std::string> details;
  for (auto const& m : mx->records) {
    auto c = spec::prefix::classify(m.host);
    bool const p = c && spec::prefix::requires_verified_tls(*c);
    prefixed = prefixed || p;
    details.push_back(std::to_string(m.preference) + " " + m.host + (p ? " (prefixed)" : ""));
  }
  details.push_back("why: " + mx->why);
  std::string const status = status_text(mx->status);
  if (mx->status == dns::dnssec_status::secure)
    co_return make_result(verdict::pass, "the MX RRset of " + *ctx.target->domain + " is DNSSEC-secure", std::move(details));
  if (prefixed)
    // [DNS-01] a prefixed MX name must be published in a signed zone with a secure delegation.
    co_return make_result(verdict::fail, "the MX RRset names a prefixed host but is " + status + " (DNS-01)",
                          std::move(details));
  co_return make_result(verdict::informational, "the MX RRset is " + status + " (no prefixed MX host)", std::move(details));
}

case_def domain_case(std::string id, std::vector<std::string> reqs, profile p, std::string description,
                     std::string expectation, std::function<asio::awaitable<case_result>(case_context&)> run) {
  return case_def{.id = std::move(id),
                  .requirements = std::move(reqs),
                  .role = role::receiver,
                  .profile = p,
                  .description = std::move(description),
                  .expectation = std::move(expectation),
                  .timeout = std::chrono::milliseconds(15000),
                  .run = std::move(run)};
}

case_registrar const txt_case{domain_case(
    "mtasts.txt-record", {"STS-3.1-01", "STS-3.1-02", "STS-3.1-04", "STS-3.1-06", "STS-3.1-08", "STS-3.1-09"},
    profile::core, "Looks up the TXT RRset at _mta-sts.<--domain>.",
    "Exactly one record begins with v=STSv1 and it is valid (a 1..32 alphanumeric id). No record: informational.",
    txt_record)};

case_registrar const fetch_case{domain_case(
    "mtasts.policy-fetch", {"STS-3.2-01", "STS-3.2-02", "STS-3.3-04", "STS-3.3-05", "STS-3.3-08", "STS-3.3-09"},
    profile::core, "GETs https://mta-sts.<--domain>/.well-known/mta-sts.txt with the RFC 8461 §3.3 rules.",
    "200 with Content-Type text/plain, no redirect, a body of at most 64 KiB within the time limit.", policy_fetch)};

case_registrar const valid_case{domain_case(
    "mtasts.policy-valid", {"STS-3.2-04", "STS-3.2-07", "STS-3.2-08", "STS-3.2-09", "STS-3.2-10", "STS-3.2-12"},
    profile::core, "Parses the fetched policy.",
    "The policy matches the RFC 8461 grammar: version STSv1, a mode, max_age at most 31557600, mx patterns.",
    policy_valid)};

case_registrar const covered_case{domain_case(
    "mtasts.mx-covered", {"STS-4.1-01", "STS-4.1-02", "STS-4.1-05", "STS-5-01"}, profile::core,
    "Matches every MX host of --domain (and --mx-name) against the policy's mx patterns.",
    "Every MX host matches a pattern (\"*.\" covers exactly one label); otherwise enforce senders skip it. "
    "mode none: informational.",
    mx_covered)};

case_registrar const host_cert_case{domain_case(
    "mtasts.policy-host-certificate", {"STS-3.3-01", "STS-3.3-02", "STS-7.1-04"}, profile::core,
    "Verifies the certificate of mta-sts.<--domain> during the policy fetch (SNI = the policy host).",
    "Trusted, current, SAN dNSName valid for mta-sts.<domain> (a CN-only certificate fails).",
    policy_host_certificate)};

case_registrar const tlsrpt_case{domain_case(
    "tlsrpt.record", {"RPT-3-01", "RPT-3-02", "RPT-3-04", "RPT-3-06", "RPT-3-07", "RPT-3-10"}, profile::core,
    "Looks up the TXT RRset at _smtp._tls.<--domain>.",
    "Exactly one valid v=TLSRPTv1 record with a mailto: or https: rua. No record: informational.", tlsrpt_record)};

case_registrar const dane_case{domain_case(
    "dane.tlsa-matches", {"DANE-2.2-01", "DANE-3.2-01", "DANE-3.2-02", "DANE-3.1-03", "DANE-3.1.1-01", "DANE-3.1.2-01",
     "DANE-2.2.3-01", "P26-10"},
    profile::core,
    "Looks up TLSA at _25._tcp.<--mx-name> (and _26._tcp with --port26) after a secure address lookup, runs "
    "STARTTLS (and implicit TLS) and matches the presented chains.",
    "When secure usable TLSA records exist, one of them matches the chain (DANE-EE: the leaf; DANE-TA: a presented "
    "CA certificate). No secure TLSA: informational.",
    tlsa_matches)};

case_registrar const dnssec_case{domain_case(
    "dnssec.mx-secure", {"DNS-01", "DANE-2.1.1-01"}, profile::proposal,
    "Validates the MX RRset of --domain from the trust anchor.",
    "Secure passes. Insecure is a failure only when an MX host carries a starttls-/smtps- prefix (DNS-01), "
    "else informational.",
    mx_secure)};

}  // namespace
}  // namespace mxtls::conformance::receiver
