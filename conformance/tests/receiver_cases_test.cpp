// Proof that every receiver case of the catalogue works (issue 5, DESIGN §4 "a test that
// cannot fail is a defect"): each case runs against a well-behaved scripted peer (or domain)
// and passes, and against a deliberately broken one and gives the non-pass verdict the case
// promises (fail, or informational / pass-non-strict where the text fixes no failure).
// A meta-test fails when a receiver case has no passing row or no broken row.
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known false positive
// when the frame allocation is inlined); only this diagnostic is silenced, only here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "receiver_support.hpp"

#include "mxtls/net/dns/authority.hpp"
#include "mxtls/net/dns/server.hpp"
#include "mxtls/net/https.hpp"
#include "probe/cert_facts.hpp"

#include <functional>
#include <map>
#include <set>

namespace mxtls::conformance::test {
namespace {

// ---------------------------------------------------------------------------------------
// The domain world: a signed DNS tree and one policy host for every domain scenario.

struct domain_world {
  std::shared_ptr<net::dns::authority> zones = std::make_shared<net::dns::authority>();
  std::unique_ptr<net::dns::server> dns;
  std::unique_ptr<net::policy_server> https;
  std::string resolver, anchor_file, https_address;
  net::pki::issued good_mx = test_ca().issue(net::pki::cert_options::valid({"mx.good.test"}));
  net::pki::issued badtlsa_mx = test_ca().issue(net::pki::cert_options::valid({"mx.badtlsa.test"}));
  net::pki::issued dane26_mx = test_ca().issue(net::pki::cert_options::valid({"mx.dane26.test"}));

  static std::string policy_for(std::string const& domain) {
    return "version: STSv1\nmode: enforce\nmx: mx." + domain + "\nmax_age: 86400\n";
  }

  void zone(std::string name, net::dns::zone_security sec, std::vector<std::string> records) {
    auto r = zones->add_zone({std::move(name), sec, std::move(records)});
    if (!r) throw std::runtime_error("zone: " + r.error().message());
  }

  domain_world() {
    using net::dns::zone_security;
    auto sts = [](std::string d, std::vector<std::string> extra = {}) {
      std::vector<std::string> r = {"@ MX 10 mx." + d + ".", "mx A 127.0.0.1", "mta-sts A 127.0.0.1",
                                    "_mta-sts TXT \"v=STSv1; id=20240101\"",
                                    "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@" + d + "\""};
      r.insert(r.end(), extra.begin(), extra.end());
      return r;
    };
    zone("good.test", zone_security::secure, sts("good.test"));
    zone("nosts.test", zone_security::secure, {"@ MX 10 mx.nosts.test.", "mx A 127.0.0.1"});
    zone("twosts.test", zone_security::secure,
         {"@ MX 10 mx.twosts.test.", "mx A 127.0.0.1", "_mta-sts TXT \"v=STSv1; id=1\"", "_mta-sts TXT \"v=STSv1; id=2\""});
    zone("redirect.test", zone_security::secure, sts("redirect.test"));
    zone("html.test", zone_security::secure, sts("html.test"));
    zone("badpolicy.test", zone_security::secure, sts("badpolicy.test"));
    zone("uncovered.test", zone_security::secure, sts("uncovered.test", {"@ MX 20 backup.elsewhere.test."}));
    zone("badcert.test", zone_security::secure, sts("badcert.test"));
    zone("badrpt.test", zone_security::secure,
         {"@ MX 10 mx.badrpt.test.", "mx A 127.0.0.1", "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:a@badrpt.test\"",
          "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:b@badrpt.test\""});
    zone("badtlsa.test", zone_security::secure, sts("badtlsa.test"));
    zone("dane26.test", zone_security::secure, {"@ MX 10 mx.dane26.test.", "mx A 127.0.0.1"});
    zone("insec.test", zone_security::insecure, {"@ MX 10 starttls-mx.insec.test.", "starttls-mx A 127.0.0.1"});
    zone("plain.test", zone_security::insecure, {"@ MX 10 mx.plain.test.", "mx A 127.0.0.1"});

    auto& io = background();
    dns = std::make_unique<net::dns::server>(io.executor(), zones);
    auto port = io.run([&] { return dns->start(asio::ip::make_address("127.0.0.1"), 0); });
    if (!port) throw std::runtime_error("dns: " + port.error().message());
    resolver = "127.0.0.1:" + std::to_string(*port);
    anchor_file = scratch_dir() + "/root.anchor";
    if (!zones->write_trust_anchor(anchor_file)) throw std::runtime_error("cannot write the trust anchor");

    net::policy_server_config cfg;
    cfg.tls.role = net::tls_role::server;
    for (std::string d : {"good.test", "redirect.test", "html.test", "badpolicy.test", "uncovered.test", "badtlsa.test"})
      cfg.tls.chains.push_back(test_ca().issue(net::pki::cert_options::valid({"mta-sts." + d})).as_server_chain({"mta-sts." + d}));
    cfg.tls.chains.push_back(
        test_ca().issue(net::pki::cert_options::expired({"mta-sts.badcert.test"})).as_server_chain({"mta-sts.badcert.test"}));
    cfg.script = [](net::policy_request const& req) {
      std::string const domain = req.host.substr(std::string("mta-sts.").size());
      if (domain == "redirect.test")
        return net::http_response::redirect(301, "https://mta-sts.elsewhere.test/.well-known/mta-sts.txt",
                                            policy_for(domain));
      net::http_response r;
      r.body = policy_for(domain);
      if (domain == "html.test") r.content_type = "text/html";
      if (domain == "badpolicy.test") r.body = "version: STSv1\nmode: enforce\nmx: mx.badpolicy.test\nmax_age: 31557601\n";
      return r;
    };
    auto srv = io.run([&] {
      return net::policy_server::start(io.executor(), std::move(cfg), {asio::ip::make_address("127.0.0.1"), 0});
    });
    if (!srv) throw std::runtime_error("policy host: " + srv.error().message());
    https = std::move(*srv);
    https_address = "127.0.0.1:" + std::to_string(https->local_endpoint().port());
  }

  ~domain_world() {
    background().run([&] {
      if (https) https->stop();
      if (dns) dns->stop();
      return 0;
    });
  }

  /// Publishes _<port>._tcp.<host_label> TLSA 3 1 1 <hex> once (rows may run repeatedly).
  void add_tlsa_once(std::string const& zone_name, std::uint16_t port, std::string const& host_label,
                     std::string const& hex) {
    std::string const rr = "_" + std::to_string(port) + "._tcp." + host_label + " TLSA 3 1 1 " + hex;
    std::lock_guard lock(mu);
    if (!published.insert(zone_name + " " + rr).second) return;
    auto r = zones->add_records(zone_name, {rr});
    if (!r) throw std::runtime_error("tlsa: " + r.error().message());
  }
  std::mutex mu;
  std::set<std::string> published;
};

domain_world& domains() {
  static domain_world w;
  return w;
}

void use_domain(receiver_target& t, std::string const& domain) {
  auto& w = domains();
  t.domain = domain;
  t.resolver = w.resolver;
  t.trust_anchor = w.anchor_file;
  t.https_address = w.https_address;
}

// ---------------------------------------------------------------------------------------
// The proof table.

constexpr char const* mx = "mx.example.test";
constexpr char const* directive = "strict-tls=mx.example.test; max-age=86400";

/// A well-behaved STARTTLS receiver for `host`: directive in the greeting and the post-TLS
/// EHLO (BAN-16), REQUIRETLS only after TLS, 503 to a second STARTTLS.
peer_script good_starttls(std::string const& host, std::string const& dir) {
  peer_script s;
  s.host = host;
  s.greeting = {host + " ESMTP " + dir};
  s.ehlo_greet_tls = dir;
  s.ehlo_tls.push_back("REQUIRETLS");
  s.chains = {chain_for(host)};
  return s;
}

/// A well-behaved implicit-TLS (port 26) receiver for `host`.
peer_script good_implicit(std::string const& host, std::string const& dir) {
  peer_script s = good_starttls(host, dir);
  s.implicit_tls = true;
  s.ehlo_greet = dir;
  s.ehlo_plain = s.ehlo_tls;  // never reached in plaintext; nothing lists STARTTLS
  return s;
}

using script_fix = std::function<void(peer_script& starttls, peer_script& implicit)>;
using target_fix = std::function<void(receiver_target& t, std::uint16_t port25)>;

struct proof {
  std::string name;     ///< gtest name suffix
  std::string case_id;
  verdict expected;
  std::string result_type;  ///< expected RFC 8460 type ("" = not checked)
  script_fix scripts = nullptr;
  target_fix target = nullptr;
  std::string host = mx;       ///< the MX name the peers and --mx-name use
  std::chrono::milliseconds timeout = 3s;
};

void PrintTo(proof const& p, std::ostream* os) { *os << p.name; }

using v = verdict;

std::vector<proof> const& proofs() {
  static std::vector<proof> const rows = [] {
    std::vector<proof> r;
    auto add = [&](std::string name, std::string id, verdict expected, std::string result_type = {},
                   script_fix scripts = nullptr, target_fix target = nullptr, std::string host = mx,
                   std::chrono::milliseconds timeout = 3s) {
      r.push_back({std::move(name), std::move(id), expected, std::move(result_type), std::move(scripts),
                   std::move(target), std::move(host), timeout});
    };
    auto const no_port26 = [](receiver_target& t, std::uint16_t) { t.port26.reset(); };

    // greeting.220
    add("Greeting220_PassesOnPromptGreeting", "greeting.220", v::pass);
    add("Greeting220_FailsWhenSilent", "greeting.220", v::fail, "", [](auto& s, auto&) { s.silent = true; }, nullptr, mx, 1s);
    add("Greeting220_FailsOn554Greeting", "greeting.220", v::fail, "", [](auto& s, auto&) { s.greeting_code = 554; });
    add("Greeting220_FailsWhenClosedAtOnce", "greeting.220", v::fail, "",
         [](auto& s, auto&) { s.on_connect = connect_action::close; });
    add("Greeting220_FailsWhenNothingListens", "greeting.220", v::fail, "", nullptr,
         [](receiver_target& t, std::uint16_t) { t.port = closed_port(); });

    // greeting.directive-syntax
    add("DirectiveSyntax_PassesOnValidDirective", "greeting.directive-syntax", v::pass);
    add("DirectiveSyntax_FailsOnPublicSuffixWildcard", "greeting.directive-syntax", v::fail, "",
         [](auto& s, auto&) { s.greeting = {"mx.example.test ESMTP strict-tls=*.test; max-age=86400"}; });
    add("DirectiveSyntax_FailsOnMaxAgeAboveOneYear", "greeting.directive-syntax", v::fail, "",
         [](auto& s, auto&) { s.greeting = {"mx.example.test ESMTP strict-tls=mx.example.test; max-age=31557601"}; });
    add("DirectiveSyntax_FailsOnTwoDirectives", "greeting.directive-syntax", v::fail, "", [](auto& s, auto&) {
           s.greeting = {"mx.example.test ESMTP strict-tls=mx.example.test; max-age=1", "strict-tls=mx.example.test; max-age=2"};
         });
    add("DirectiveSyntax_InformationalWithoutDirective", "greeting.directive-syntax", v::informational, "",
         [](auto& s, auto&) { s.greeting = {"mx.example.test ESMTP"}; });

    // greeting.directive-scope
    add("DirectiveScope_PassesForOwnName", "greeting.directive-scope", v::pass);
    add("DirectiveScope_PassesForParentWildcard", "greeting.directive-scope", v::pass, "",
         [](auto& s, auto&) { s.greeting = {"mx.example.test ESMTP strict-tls=*.example.test; max-age=86400"}; });
    add("DirectiveScope_FailsForOtherHost", "greeting.directive-scope", v::fail, "",
         [](auto& s, auto&) { s.greeting = {"mx.example.test ESMTP strict-tls=mx.other.test; max-age=86400"}; });
    add("DirectiveScope_InformationalWithoutDirective", "greeting.directive-scope", v::informational, "",
         [](auto& s, auto&) { s.greeting = {"mx.example.test ESMTP"}; });

    // ehlo.directive-after-tls
    add("DirectiveAfterTls_PassesWhenRepeated", "ehlo.directive-after-tls", v::pass);
    add("DirectiveAfterTls_FailsWhenOnlyInGreeting", "ehlo.directive-after-tls", v::fail, "",
         [](auto& s, auto&) { s.ehlo_greet_tls.clear(); });
    add("DirectiveAfterTls_FailsWhenInvalidAfterTls", "ehlo.directive-after-tls", v::fail, "",
         [](auto& s, auto&) { s.ehlo_greet_tls = "strict-tls=mx.example.test"; });
    add("DirectiveAfterTls_InformationalWithoutDirective", "ehlo.directive-after-tls", v::informational, "",
         [](auto& s, auto&) {
           s.greeting = {"mx.example.test ESMTP"};
           s.ehlo_greet_tls.clear();
         });

    // greeting.directive-backed
    add("DirectiveBacked_PassesWithValidCertificate", "greeting.directive-backed", v::pass);
    add("DirectiveBacked_FailsWithExpiredCertificate", "greeting.directive-backed", v::fail, "certificate-expired",
         [](auto& s, auto&) { s.chains = {chain_for(mx, cert_shape::expired)}; });
    add("DirectiveBacked_FailsWithoutStarttls", "greeting.directive-backed", v::fail, "starttls-not-supported",
         [](auto& s, auto&) { s.ehlo_plain = {"PIPELINING", "8BITMIME"}; });
    add("DirectiveBacked_InformationalWithoutDirective", "greeting.directive-backed", v::informational, "",
         [](auto& s, auto&) { s.greeting = {"mx.example.test ESMTP"}; });

    // port26.directive-in-greeting
    add("Port26Directive_PassesWhenInImplicitGreeting", "port26.directive-in-greeting", v::pass);
    add("Port26Directive_FailsWhenMissingOn26", "port26.directive-in-greeting", v::fail, "",
         [](auto&, auto& i) { i.greeting = {"mx.example.test ESMTP"}; });
    add("Port26Directive_UnsupportedWithoutPort26", "port26.directive-in-greeting", v::unsupported, "", nullptr, no_port26);

    // starttls.advertised
    add("StarttlsAdvertised_Passes", "starttls.advertised", v::pass);
    add("StarttlsAdvertised_FailsWhenStripped", "starttls.advertised", v::fail, "starttls-not-supported",
         [](auto& s, auto&) { s.ehlo_plain = {"PIPELINING", "SIZE 10240000", "8BITMIME"}; });

    // starttls.handshake
    add("StarttlsHandshake_Passes", "starttls.handshake", v::pass);
    add("StarttlsHandshake_FailsOn454", "starttls.handshake", v::fail, "starttls-not-supported",
         [](auto& s, auto&) { s.starttls_reply = {454, {"4.7.0 TLS not available"}}; });
    add("StarttlsHandshake_FailsWithoutCertificate", "starttls.handshake", v::fail, "starttls-not-supported",
         [](auto& s, auto&) { s.chains.clear(); });
    add("StarttlsHandshake_FailsWhenDroppedAfter220", "starttls.handshake", v::fail, "validation-failure",
         [](auto& s, auto&) { s.drop_after_ready = true; });
    add("StarttlsHandshake_FailsOnBytesAfter220Ready", "starttls.handshake", v::fail, "validation-failure",
         [](auto& s, auto&) { s.inject_after_ready = "250 injected\r\n"; });

    // starttls.certificate-valid
    add("CertificateValid_Passes", "starttls.certificate-valid", v::pass);
    add("CertificateValid_PassesForWildcard", "starttls.certificate-valid", v::pass, "",
         [](auto& s, auto&) { s.chains = {chain_for(mx, cert_shape::wildcard)}; });
    add("CertificateValid_FailsWhenExpired", "starttls.certificate-valid", v::fail, "certificate-expired",
         [](auto& s, auto&) { s.chains = {chain_for(mx, cert_shape::expired)}; });
    add("CertificateValid_FailsForWrongName", "starttls.certificate-valid", v::fail, "certificate-host-mismatch",
         [](auto& s, auto&) { s.chains = {chain_for(mx, cert_shape::wrong_name)}; });
    add("CertificateValid_FailsWhenSelfSigned", "starttls.certificate-valid", v::fail, "certificate-not-trusted",
         [](auto& s, auto&) { s.chains = {chain_for(mx, cert_shape::self_signed)}; });
    add("CertificateValid_FailsForUntrustedCa", "starttls.certificate-valid", v::fail, "certificate-not-trusted",
         [](auto& s, auto&) { s.chains = {chain_for(mx, cert_shape::other_ca)}; });
    add("CertificateValid_FailsForCnOnly", "starttls.certificate-valid", v::fail, "certificate-host-mismatch",
         [](auto& s, auto&) { s.chains = {chain_for(mx, cert_shape::cn_only)}; });
    add("CertificateValid_FailsWhenNotYetValid", "starttls.certificate-valid", v::fail, "",
         [](auto& s, auto&) { s.chains = {chain_for(mx, cert_shape::not_yet_valid)}; });

    // starttls.no-sni
    add("NoSni_PassesWithFallbackChain", "starttls.no-sni", v::pass, "", [](auto& s, auto&) {
           // SNI-named chain plus a fallback, as mxtls-serve configures it.
           auto named = chain_for(mx);
           named.names = {mx};
           s.chains = {named, chain_for(mx)};
         });
    add("NoSni_FailsWhenSniRequired", "starttls.no-sni", v::fail, "", [](auto& s, auto&) {
           auto named = chain_for(mx);
           named.names = {mx};
           s.chains = {named};
           s.require_sni = true;
         });

    // starttls.tls12 and starttls.no-legacy-tls
    add("Tls12_Passes", "starttls.tls12", v::pass);
    add("Tls12_FailsForTls11OnlyServer", "starttls.tls12", v::fail, "validation-failure", [](auto& s, auto&) {
           s.tls_min = net::tls_version::tls1_0;
           s.tls_max = net::tls_version::tls1_1;
         });
    add("NoLegacyTls_PassesWhenRefused", "starttls.no-legacy-tls", v::pass);
    add("NoLegacyTls_NonStrictWhenTls10Accepted", "starttls.no-legacy-tls", v::pass_non_strict, "",
         [](auto& s, auto&) { s.tls_min = net::tls_version::tls1_0; });

    // starttls.no-parameters
    add("NoParameters_PassesOn501", "starttls.no-parameters", v::pass);
    add("NoParameters_FailsWhenParameterAccepted", "starttls.no-parameters", v::fail, "",
         [](auto& s, auto&) { s.starttls_params_rejected = false; });

    // starttls.not-readvertised
    add("NotReadvertised_Passes", "starttls.not-readvertised", v::pass);
    add("NotReadvertised_FailsWhenListedAfterTls", "starttls.not-readvertised", v::fail, "",
         [](auto& s, auto&) { s.ehlo_tls.push_back("STARTTLS"); });

    // starttls.second-rejected
    add("SecondRejected_PassesOn503", "starttls.second-rejected", v::pass);
    add("SecondRejected_PassesOn554", "starttls.second-rejected", v::pass, "",
         [](auto& s, auto&) { s.starttls_when_tls = {554, {"5.5.1 Error: TLS already active"}}; });
    add("SecondRejected_FailsOn250", "starttls.second-rejected", v::fail, "",
         [](auto& s, auto&) { s.starttls_when_tls = {250, {"2.0.0 Ok"}}; });
    add("SecondRejected_FailsOn454", "starttls.second-rejected", v::fail, "",
         [](auto& s, auto&) { s.starttls_when_tls = {454, {"4.7.0 try later"}}; });

    // starttls.state-reset
    add("StateReset_PassesOn503", "starttls.state-reset", v::pass);
    add("StateReset_FailsWhenPreTlsEhloSurvives", "starttls.state-reset", v::fail, "",
         [](auto& s, auto&) { s.reset_after_tls = false; });
    add("StateReset_InformationalWhenEhloNeverRequired", "starttls.state-reset", v::informational, "",
         [](auto& s, auto&) {
           s.require_helo = false;
           s.reset_after_tls = false;
         });

    // requiretls.only-after-tls
    add("RequiretlsAfterTls_Passes", "requiretls.only-after-tls", v::pass);
    add("RequiretlsAfterTls_FailsWhenListedInPlaintext", "requiretls.only-after-tls", v::fail, "",
         [](auto& s, auto&) { s.ehlo_plain.push_back("REQUIRETLS"); });
    add("RequiretlsAfterTls_UnsupportedWhenNeverListed", "requiretls.only-after-tls", v::unsupported, "",
         [](auto& s, auto&) { s.ehlo_tls.pop_back(); });

    // starttls.injection
    add("Injection_PassesWhenPipelinedInputDiscarded", "starttls.injection", v::pass);
    add("Injection_PassesWhenPipelinedStarttlsRefusedAndClosed", "starttls.injection", v::pass, "",
         [](auto& s, auto&) { s.refuse_pipelined_starttls = true; });
    add("Injection_UnsupportedWhenStarttlsRefusedAndSessionGoesOn", "starttls.injection", v::unsupported, "",
         [](auto& s, auto&) { s.starttls_reply = {454, {"4.7.0 TLS not available"}}; });
    add("Injection_FailsWhenPipelinedNoopRunsInsideTls", "starttls.injection", v::fail, "",
         [](auto& s, auto&) { s.execute_pipelined_after_starttls = true; });

    // port26.*
    add("Port26ImplicitTls_Passes", "port26.implicit-tls", v::pass);
    add("Port26ImplicitTls_FailsForPlaintextListener", "port26.implicit-tls", v::fail, "",
         [](auto&, auto& i) { i.implicit_tls = false; });
    add("Port26ImplicitTls_FailsOnReset", "port26.implicit-tls", v::fail, "",
         [](auto&, auto& i) { i.on_connect = connect_action::reset; });
    add("Port26ImplicitTls_UnsupportedWithoutPort26", "port26.implicit-tls", v::unsupported, "", nullptr, no_port26);
    add("Port26NoPlaintext_Passes", "port26.no-plaintext", v::pass);
    add("Port26NoPlaintext_FailsForPlaintextGreeting", "port26.no-plaintext", v::fail, "",
         [](auto&, auto& i) { i.implicit_tls = false; });
    add("Port26NoPlaintext_FailsForSmtpReplyToPlaintext", "port26.no-plaintext", v::fail, "", [](auto&, auto& i) {
           i.implicit_tls = false;
           i.send_greeting = false;  // says nothing first, then answers plaintext commands in SMTP
         });
    add("Port26NoStarttls_Passes", "port26.no-starttls", v::pass);
    add("Port26NoStarttls_FailsWhenAdvertised", "port26.no-starttls", v::fail, "",
         [](auto&, auto& i) { i.ehlo_tls.push_back("STARTTLS"); });
    add("Port26NoStarttls_FailsWhenAnswered220", "port26.no-starttls", v::fail, "",
         [](auto&, auto& i) { i.starttls_when_tls = {220, {"2.0.0 Ready to start TLS"}}; });
    add("Port26Certificate_Passes", "port26.certificate-valid", v::pass);
    add("Port26Certificate_FailsWhenExpired", "port26.certificate-valid", v::fail, "certificate-expired",
         [](auto&, auto& i) { i.chains = {chain_for(mx, cert_shape::expired)}; });

    // prefix.*
    std::string const st_mx = "starttls-mx.example.test";
    std::string const smtps_mx = "smtps-mx.example.test";
    add("StarttlsPrefix_PassesWithVerifiedStarttls", "prefix.starttls-offers-tls", v::pass, "", nullptr, nullptr, st_mx);
    add("StarttlsPrefix_FailsWhenStarttlsStripped", "prefix.starttls-offers-tls", v::fail, "starttls-not-supported",
         [](auto& s, auto&) { s.ehlo_plain = {"PIPELINING"}; }, nullptr, st_mx);
    add("StarttlsPrefix_FailsForWrongName", "prefix.starttls-offers-tls", v::fail, "certificate-host-mismatch",
         [st_mx](auto& s, auto&) { s.chains = {chain_for(st_mx, cert_shape::wrong_name)}; }, nullptr, st_mx);
    add("StarttlsPrefix_UnsupportedWithoutPrefix", "prefix.starttls-offers-tls", v::unsupported);
    add("SmtpsPrefix_PassesOnPort26", "prefix.smtps-answers-26", v::pass, "", nullptr, nullptr, smtps_mx);
    add("SmtpsPrefix_FailsOnResetOn26", "prefix.smtps-answers-26", v::fail, "",
         [](auto&, auto& i) { i.on_connect = connect_action::reset; }, nullptr, smtps_mx);
    add("SmtpsPrefix_FailsForSelfSignedOn26", "prefix.smtps-answers-26", v::fail, "certificate-not-trusted",
         [smtps_mx](auto&, auto& i) { i.chains = {chain_for(smtps_mx, cert_shape::self_signed)}; }, nullptr, smtps_mx);
    add("SmtpsPrefix_UnsupportedWithoutPrefix", "prefix.smtps-answers-26", v::unsupported);

    // rfc3207.public-mx-not-requiring-tls
    add("PublicMx_PassesWhenPlaintextMailAccepted", "rfc3207.public-mx-not-requiring-tls", v::pass);
    add("PublicMx_InformationalOn530", "rfc3207.public-mx-not-requiring-tls", v::informational, "",
         [](auto& s, auto&) { s.require_tls_for_mail = true; });

    // Domain checks (signed zones and policy hosts of domain_world).
    auto dom = [](std::string d) { return [d](receiver_target& t, std::uint16_t) { use_domain(t, d); }; };
    add("MtastsTxt_PassesForOneValidRecord", "mtasts.txt-record", v::pass, "", nullptr, dom("good.test"));
    add("MtastsTxt_FailsForTwoRecords", "mtasts.txt-record", v::fail, "", nullptr, dom("twosts.test"));
    add("MtastsTxt_InformationalWithoutRecord", "mtasts.txt-record", v::informational, "", nullptr, dom("nosts.test"));
    add("MtastsTxt_UnsupportedWithoutDomain", "mtasts.txt-record", v::unsupported);
    add("MtastsFetch_Passes", "mtasts.policy-fetch", v::pass, "", nullptr, dom("good.test"));
    add("MtastsFetch_FailsOnRedirect", "mtasts.policy-fetch", v::fail, "sts-policy-fetch-error", nullptr,
         dom("redirect.test"));
    add("MtastsFetch_FailsOnTextHtml", "mtasts.policy-fetch", v::fail, "sts-policy-invalid", nullptr, dom("html.test"));
    add("MtastsPolicyValid_Passes", "mtasts.policy-valid", v::pass, "", nullptr, dom("good.test"));
    add("MtastsPolicyValid_FailsOnMaxAgeAboveOneYear", "mtasts.policy-valid", v::fail, "sts-policy-invalid", nullptr,
         dom("badpolicy.test"));
    add("MtastsMxCovered_Passes", "mtasts.mx-covered", v::pass, "", nullptr, [](receiver_target& t, std::uint16_t) {
           use_domain(t, "good.test");
           t.mx_name = "mx.good.test";
         });
    add("MtastsMxCovered_FailsForUncoveredBackupMx", "mtasts.mx-covered", v::fail, "validation-failure", nullptr,
         [](receiver_target& t, std::uint16_t) {
           use_domain(t, "uncovered.test");
           t.mx_name = "mx.uncovered.test";
         });
    add("MtastsHostCertificate_Passes", "mtasts.policy-host-certificate", v::pass, "", nullptr, dom("good.test"));
    add("MtastsHostCertificate_FailsWhenExpired", "mtasts.policy-host-certificate", v::fail, "sts-webpki-invalid",
         nullptr, dom("badcert.test"));
    add("TlsrptRecord_Passes", "tlsrpt.record", v::pass, "", nullptr, dom("good.test"));
    add("TlsrptRecord_FailsForTwoRecords", "tlsrpt.record", v::fail, "", nullptr, dom("badrpt.test"));
    add("TlsrptRecord_InformationalWithoutRecord", "tlsrpt.record", v::informational, "", nullptr, dom("nosts.test"));
    add("DaneTlsa_PassesWhenDaneEeMatches", "dane.tlsa-matches", v::pass, "",
         [](auto& s, auto&) {
           s.chains = {domains().good_mx.as_server_chain()};
           s.host = "mx.good.test";
         },
         [](receiver_target& t, std::uint16_t port) {
           use_domain(t, "good.test");
           (void)port;
           domains().add_tlsa_once("good.test", 25, "mx", probe::hex(domains().good_mx.spki_sha256));
         },
         "mx.good.test", 5s);
    add("DaneTlsa_FailsWhenNoRecordMatches", "dane.tlsa-matches", v::fail, "tlsa-invalid",
         [](auto& s, auto&) { s.chains = {domains().badtlsa_mx.as_server_chain()}; },
         [](receiver_target& t, std::uint16_t port) {
           use_domain(t, "badtlsa.test");
           (void)port;
           domains().add_tlsa_once("badtlsa.test", 25, "mx", std::string(64, 'a'));
         },
         "mx.badtlsa.test", 5s);
    add("DaneTlsa_FailsWhenPort26ChainDoesNotMatch", "dane.tlsa-matches", v::fail, "tlsa-invalid",
         [](auto& s, auto&) { s.chains = {domains().dane26_mx.as_server_chain()}; },
         [](receiver_target& t, std::uint16_t) {
           use_domain(t, "dane26.test");
           // Port 25 matches; the implicit-TLS listener's chain does not match _26._tcp (P26-10).
           domains().add_tlsa_once("dane26.test", 25, "mx", probe::hex(domains().dane26_mx.spki_sha256));
           domains().add_tlsa_once("dane26.test", 26, "mx", std::string(64, 'b'));
         },
         "mx.dane26.test", 5s);
    add("DaneTlsa_InformationalWithoutTlsa", "dane.tlsa-matches", v::informational, "", nullptr, dom("nosts.test"),
         "mx.nosts.test", 5s);
    add("DnssecMx_PassesForSignedZone", "dnssec.mx-secure", v::pass, "", nullptr, dom("good.test"));
    add("DnssecMx_FailsForUnsignedPrefixedMx", "dnssec.mx-secure", v::fail, "", nullptr, dom("insec.test"));
    add("DnssecMx_InformationalForUnsignedPlainMx", "dnssec.mx-secure", v::informational, "", nullptr,
         dom("plain.test"));
    return r;
  }();
  return rows;
}

class ReceiverCase : public ::testing::TestWithParam<proof> {};

TEST_P(ReceiverCase, GivesTheExpectedVerdict) {
  auto const& p = GetParam();
  std::string const dir = p.host == mx ? directive : "strict-tls=" + p.host + "; max-age=86400";
  peer_script plain = good_starttls(p.host, dir);
  peer_script implicit = good_implicit(p.host, dir);
  if (p.scripts) p.scripts(plain, implicit);
  auto peer25 = start_peer(plain);
  auto peer26 = start_peer(implicit);
  receiver_target t;
  t.host = "127.0.0.1";
  t.port = peer25.port;
  t.port26 = peer26.port;
  t.mx_name = p.host;
  t.ca_file = ca_file();
  if (p.target) p.target(t, peer25.port);
  auto run = run_case(p.case_id, t, p.timeout);
  EXPECT_EQ(to_string(run.result.v), to_string(p.expected))
      << p.case_id << ": " << run.result.summary << "\ntranscript:\n" << dump(run.log);
  if (!p.result_type.empty()) {
    EXPECT_EQ(run.result.result_type, p.result_type) << run.result.summary;
  }
  EXPECT_FALSE(run.result.summary.empty());
  // Every verdict carries evidence, except a case the configuration leaves unsupported.
  if (p.expected != verdict::unsupported) {
    EXPECT_FALSE(run.log.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Proof, ReceiverCase, ::testing::ValuesIn(proofs()),
                         [](::testing::TestParamInfo<proof> const& row) { return row.param.name; });

// The non-pass verdict each case gives a broken target, where that is not `fail`: the text
// fixes no failure there (DESIGN §5: assert only what the text fixes).
std::map<std::string, verdict> const non_fail_broken = {
    {"rfc3207.public-mx-not-requiring-tls", verdict::informational},
    {"starttls.no-legacy-tls", verdict::pass_non_strict},
};

TEST(ReceiverCatalogue, EveryCaseIsShownPassingAndFailing) {
  std::set<std::string> passing, broken;
  for (auto const& p : proofs()) {
    if (p.expected == verdict::pass) passing.insert(p.case_id);
    auto it = non_fail_broken.find(p.case_id);
    verdict const wanted = it == non_fail_broken.end() ? verdict::fail : it->second;
    if (p.expected == wanted) broken.insert(p.case_id);
  }
  std::size_t receiver_cases = 0;
  for (auto const& c : catalogue()) {
    if (c.role != role::receiver) continue;
    ++receiver_cases;
    EXPECT_TRUE(passing.count(c.id)) << c.id << " has no row showing it pass against a well-behaved target";
    EXPECT_TRUE(broken.count(c.id)) << c.id << " has no row showing it fail against a broken target";
  }
  EXPECT_GE(receiver_cases, 33u);
}

TEST(ReceiverCatalogue, EveryCaseCitesRequirementsAndSaysWhatItExpects) {
  for (auto const& c : catalogue()) {
    if (c.role != role::receiver) continue;
    EXPECT_FALSE(c.requirements.empty()) << c.id;
    EXPECT_FALSE(c.description.empty()) << c.id;
    EXPECT_FALSE(c.expectation.empty()) << c.id;
    EXPECT_TRUE(c.run) << c.id;
    EXPECT_GT(c.timeout.count(), 0) << c.id;
  }
}

}  // namespace
}  // namespace mxtls::conformance::test
