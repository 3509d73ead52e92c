// The property issue 6 demands, over generated worlds: whenever any mechanism requires TLS
// (a prefix, a covering pin, MTA-STS enforce, secure TLSA records), no receiver ever sees
// MAIL FROM in plaintext from mxtls-send (PFX-14, PFX-16, P26-15, BAN-19, STS-5-01,
// DANE-2.2.3-03, DNS-10, DNS-19). Each world combines a prefix, a pin, an MTA-STS mode and
// match, a DANE state, the zone's DNSSEC status and a peer fault (STARTTLS stripped or 454,
// a wrong-name, self-signed or missing certificate, injection after 220, RST on port 26).
// The delivery runs in process (mxtls_client) against loopback peers; the number of worlds is
// bounded by RC_PARAMS (ctest sets max_success) so the suite stays well under 30 s.
#include "delivery_fixture.hpp"

#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <gtest/gtest.h>

#include <stdexcept>

namespace mxtls::client::test {
namespace {

using net::dns::zone_security;

enum class fault : int { none, starttls_stripped, starttls_454, wrong_name, self_signed, no_certificate, injection };
enum class dane_kind : int { none, usable_match, usable_mismatch, all_unusable };
enum class sts_kind : int { absent, none, testing, enforce };

char const* to_string(fault f) {
  switch (f) {
    case fault::none: return "none";
    case fault::starttls_stripped: return "starttls-stripped";
    case fault::starttls_454: return "starttls-454";
    case fault::wrong_name: return "wrong-name";
    case fault::self_signed: return "self-signed";
    case fault::no_certificate: return "no-certificate";
    case fault::injection: return "injection";
  }
  return "?";
}

struct world_case {
  spec::prefix::mx_prefix prefix = spec::prefix::mx_prefix::none;
  bool pin = false;
  sts_kind sts = sts_kind::absent;
  bool sts_match = true;
  dane_kind dane = dane_kind::none;
  zone_security dnssec = zone_security::insecure;
  fault peer_fault = fault::none;
  bool rst26 = false;
  bool tls_required_no = false;

  [[nodiscard]] std::string describe() const {
    return "prefix=" + std::string(spec::prefix::to_string(prefix)) + " pin=" + (pin ? "yes" : "no") +
           " sts=" + std::to_string(static_cast<int>(sts)) + (sts_match ? "/match" : "/mismatch") +
           " dane=" + std::to_string(static_cast<int>(dane)) + " dnssec=" + net::dns::to_string(dnssec) +
           " fault=" + to_string(peer_fault) + (rst26 ? " rst26" : "") + (tls_required_no ? " tls-required-no" : "");
  }
};

rc::Gen<world_case> gen_world() {
  return rc::gen::build<world_case>(
      rc::gen::set(&world_case::prefix, rc::gen::element(spec::prefix::mx_prefix::none, spec::prefix::mx_prefix::starttls,
                                                         spec::prefix::mx_prefix::smtps)),
      rc::gen::set(&world_case::pin, rc::gen::arbitrary<bool>()),
      rc::gen::set(&world_case::sts, rc::gen::element(sts_kind::absent, sts_kind::none, sts_kind::testing, sts_kind::enforce)),
      rc::gen::set(&world_case::sts_match, rc::gen::arbitrary<bool>()),
      rc::gen::set(&world_case::dane, rc::gen::element(dane_kind::none, dane_kind::usable_match, dane_kind::usable_mismatch,
                                                       dane_kind::all_unusable)),
      rc::gen::set(&world_case::dnssec,
                   rc::gen::element(zone_security::secure, zone_security::insecure, zone_security::bogus_signatures)),
      rc::gen::set(&world_case::peer_fault,
                   rc::gen::element(fault::none, fault::starttls_stripped, fault::starttls_454, fault::wrong_name,
                                    fault::self_signed, fault::no_certificate, fault::injection)),
      rc::gen::set(&world_case::rst26, rc::gen::arbitrary<bool>()),
      // Mostly ordinary messages; sometimes TLS-Required: No, to which the property does not apply.
      rc::gen::set(&world_case::tls_required_no, rc::gen::weightedElement<bool>({{9, false}, {1, true}})));
}

/// One world for every generated case (each case gets its own zone, hosts and policy host),
/// set up and torn down by gtest around the whole run.
class world_environment : public ::testing::Environment {
 public:
  void SetUp() override { world_ = std::make_unique<test_world>(); }
  void TearDown() override { world_.reset(); }
  static test_world& world() {
    if (!world_) throw std::logic_error("the generated worlds' test_world is not set up");
    return *world_;
  }

 private:
  static inline std::unique_ptr<test_world> world_;
};
[[maybe_unused]] ::testing::Environment* const world_env = ::testing::AddGlobalTestEnvironment(new world_environment);

/// What the receivers of one world saw after one delivery attempt.
struct observed {
  delivery_report report;
  bool plaintext_mail = false;
  bool any_mail = false;
  bool delivered_verified = false;  ///< delivered inside TLS verified for the host
  bool delivered_dane = false;      ///< ... and DANE-authenticated
};

observed run_world(test_world& w, world_case const& c) {
  std::string const zone = w.new_zone_name();
  std::string const prefix = c.prefix == spec::prefix::mx_prefix::smtps      ? "smtps-"
                             : c.prefix == spec::prefix::mx_prefix::starttls ? "starttls-"
                                                                              : "";
  std::string const host = prefix + "mx." + zone;

  // The receiver's certificate and behaviour.
  cert_kind cert = cert_kind::valid;
  if (c.peer_fault == fault::wrong_name) cert = cert_kind::wrong_name;
  if (c.peer_fault == fault::self_signed) cert = cert_kind::self_signed;
  std::optional<net::pki::issued> leaf;
  if (c.peer_fault != fault::no_certificate) leaf = make_leaf(host, cert);
  peer_script s25;
  s25.host = host;
  s25.leaf = leaf;
  s25.offer_starttls = c.peer_fault != fault::starttls_stripped;
  if (c.peer_fault == fault::starttls_454) s25.starttls_code = 454;
  if (c.peer_fault == fault::injection) s25.inject_after_ready = "250 injected\r\n";
  std::optional<peer_script> s26;
  if (c.prefix == spec::prefix::mx_prefix::smtps) {
    s26 = s25;
    s26->reset_on_connect = c.rst26;
  }
  auto mx = w.start_host(host, s25, s26);

  std::vector<std::string> records = {"@ MX 10 " + prefix + "mx", host + ". A " + mx.address.to_string()};
  // DANE records for both service ports.
  if (c.dane != dane_kind::none) {
    std::string rdata;
    std::string const good = leaf ? net::pki::to_hex(leaf->spki_sha256) : std::string(64, 'b');
    switch (c.dane) {
      case dane_kind::usable_match: rdata = "3 1 1 " + good; break;
      case dane_kind::usable_mismatch: rdata = "3 1 1 " + std::string(64, 'a'); break;
      case dane_kind::all_unusable: rdata = "1 1 1 " + good; break;  // PKIX-EE: unusable (DANE-3.1.3-02)
      case dane_kind::none: break;
    }
    records.push_back("_25._tcp." + host + ". TLSA " + rdata);
    records.push_back("_26._tcp." + host + ". TLSA " + rdata);
  }
  // MTA-STS.
  std::uint16_t https_port = 443;
  if (c.sts != sts_kind::absent) {
    std::string const pattern = c.sts_match ? host : "other-mx." + zone;
    std::string body = "version: STSv1\nmode: ";
    body += c.sts == sts_kind::enforce ? "enforce" : c.sts == sts_kind::testing ? "testing" : "none";
    body += "\nmx: " + pattern + "\nmax_age: 600\n";
    auto ph = w.start_policy_host(zone, body);
    https_port = ph.port;
    records.push_back("_mta-sts TXT \"v=STSv1; id=1\"");
    records.push_back("mta-sts A " + ph.address.to_string());
  }
  w.add_zone(zone, c.dnssec, records);

  auto cfg = w.config();
  cfg.https_port = https_port;
  state_store state;
  if (c.pin) {
    auto d = spec::banner::parse_directive("strict-tls=" + host + "; max-age=3600").value();
    state.pin_apply(d, host, cfg.now());
  }
  std::string msg = "Subject: generated world\r\n";
  if (c.tls_required_no) msg += "TLS-Required: No\r\n";
  msg += "\r\nbody\r\n";

  observed o;
  o.report = deliver_to(cfg, state, {"user@" + zone}, msg);
  for (auto const* p : {mx.smtp.get(), mx.implicit.get()}) {
    if (!p) continue;
    o.plaintext_mail = o.plaintext_mail || p->saw_mail_in_plaintext();
    o.any_mail = o.any_mail || p->saw_any_mail();
  }
  auto const& d = o.report.domains.at(0);
  if (d.result == outcome::delivered && d.tls) {
    o.delivered_verified = d.tls->established && d.tls->verified;
    o.delivered_dane = d.tls->dane == "authenticated";
  }
  return o;
}

std::string trail(delivery_report const& r) {
  std::string s;
  for (auto const& d : r.domains)
    for (auto const& t : d.trail) s += "  " + t.step + ": " + t.text + "\n";
  return s;
}

RC_GTEST_PROP(Worlds, TlsRequiredMeansNoPlaintextMailFrom, ()) {
  auto const c = *gen_world();
  auto const o = run_world(world_environment::world(), c);
  bool const dnssec_secure = c.dnssec == zone_security::secure;
  bool const dane_applies = dnssec_secure && c.dane != dane_kind::none;
  bool const verified_required = c.prefix != spec::prefix::mx_prefix::none || c.pin || c.sts == sts_kind::enforce ||
                                 (dane_applies && c.dane != dane_kind::all_unusable);
  bool const tls_required = verified_required || dane_applies;
  RC_LOG() << c.describe() << "\n" << trail(o.report);

  if (c.dnssec == zone_security::bogus_signatures) {
    // [DNS-05] a bogus MX RRset: no receiver is ever contacted.
    RC_ASSERT(!o.any_mail);
    RC_ASSERT(o.report.result == outcome::deferred);
    return;
  }
  if (c.tls_required_no) return;  // [DNS-17] exempt by the sender's request
  if (tls_required) {
    // The property: TLS required ⇒ no MAIL FROM in plaintext, on any port, ever.
    RC_ASSERT(!o.plaintext_mail);
  }
  if (verified_required && o.report.result == outcome::delivered) {
    // ... and a delivery happened only inside TLS verified as required.
    RC_ASSERT(o.delivered_verified);
  }
  if (dane_applies && c.dane == dane_kind::usable_mismatch) {
    // [DNS-08] a failing DANE check is never overridden.
    RC_ASSERT(o.report.result != outcome::delivered);
  }
  if (dane_applies && c.dane == dane_kind::usable_match && o.report.result == outcome::delivered) {
    RC_ASSERT(o.delivered_dane);
  }
  if (c.sts == sts_kind::enforce && !c.sts_match) {
    // [DNS-11] a host outside an enforce policy is not used at all.
    RC_ASSERT(!o.any_mail);
  }
  // Requirement failures are never bounces (PFX-15, DNS-15).
  RC_ASSERT(o.report.result != outcome::bounced);
  if (!tls_required && c.peer_fault != fault::injection) {
    // Nothing requires TLS and nothing is attacked but opportunistic TLS: delivered.
    RC_ASSERT(o.report.result == outcome::delivered);
  }
}

}  // namespace
}  // namespace mxtls::client::test
