// TEST ONLY misbehaviours of mxtls-send (--test-misbehave): for each one, a world in which
// the conforming sender and the misbehaving sender give different results that the SMTP
// peers can see (mail in plaintext, over TLS, on which port, or none) or that the exit status
// shows (deferred 75 / bounced 69). Each row runs twice, once per arm, in a fresh world. The
// requirement each misbehaviour breaks is named in the row (PFX-14, BAN-19, BAN-14,
// STS-5.1-01, STS-3.3-01/04/05/08, STS-3.2-02, STS-3.3-11, DNS-08, PFX-12, DNS-19, P26-09,
// P26-15, DNS-06, DNS-15, TLS-4.2-07, TLS-4.2-04, BAN-12, BAN-10, DANE-2.2.1-01, STS-3.3-10).
#include "delivery_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <tuple>

namespace mxtls::client::test {
namespace {

using net::dns::zone_security;

/// What the world saw of one delivery.
struct observed {
  outcome result = outcome::deferred;
  std::string mail;  ///< "none", "plaintext@25", "tls@25", "tls@26" (the peer that got the message)
  friend bool operator==(observed const&, observed const&) = default;
};

std::ostream& operator<<(std::ostream& os, observed const& o) {
  return os << to_string(o.result) << " / mail " << o.mail;
}

class Misbehave;

struct scenario {
  std::string name;  ///< gtest-safe
  misbehaviour m;
  std::function<observed(Misbehave&)> run;
  observed conforming;
  observed misbehaving;
};

class Misbehave : public delivery_fixture, public ::testing::WithParamInterface<std::tuple<std::size_t, bool>> {
 public:
  using delivery_fixture::a_record;
  using delivery_fixture::host;
  using delivery_fixture::name;
  using delivery_fixture::publish;
  using delivery_fixture::script;
  using delivery_fixture::state;
  using delivery_fixture::world;
  using delivery_fixture::zone;

  misbehaviours active;  ///< what config() adds
  std::string trail;     ///< of the last send, for failure messages

  [[nodiscard]] client_config cfg() const {
    auto c = config();
    c.misbehave = active;
    c.https_port = https_port;
    return c;
  }

  delivery_report deliver() {
    auto r = deliver_to(cfg(), state, {"user@" + zone});
    trail = attempts_text(r);
    return r;
  }

  /// Which peer of `h` got the message in the last delivery (peers are fresh per send).
  static std::string mail_of(mx_host const& h) {
    if (h.implicit && h.implicit->messages_over_tls() > 0) return "tls@26";
    if (h.smtp->messages_over_tls() > 0) return "tls@25";
    if (h.smtp->messages_in_plaintext() > 0) return "plaintext@25";
    return "none";
  }

  observed observe(delivery_report const& r, mx_host const& h) { return {r.result, mail_of(h)}; }

  /// Points <label>.<zone> at `h` instead (an attacker's peer behind the same name).
  void repoint(std::string const& label, mx_host const& h) {
    if (!world.zones().replace_rrset(zone, name(label), net::dns::rr_type::a, {a_record(h)}))
      ADD_FAILURE() << "cannot replace the A record of " << name(label);
  }

  peer_script stripped(std::string const& label) {
    auto s = script(name(label));
    s.offer_starttls = false;
    return s;
  }

  /// Publishes `_mta-sts` id `id` and a policy host for this zone.
  void policy(std::vector<std::string>& records, std::string const& id, std::string const& body,
              cert_kind cert = cert_kind::valid,
              std::function<net::http_response(net::policy_request const&)> respond = {}) {
    auto h = world.start_policy_host(zone, body, cert, std::move(respond));
    records.push_back("_mta-sts TXT \"v=STSv1; id=" + id + "\"");
    records.push_back("mta-sts A " + h.address.to_string());
    https_port = h.port;
  }

  [[nodiscard]] std::string enforce(std::string const& mx) const {
    return "version: STSv1\nmode: enforce\nmx: " + mx + "\nmax_age: 86400\n";
  }

  /// An enforce policy for *.<zone> that a conforming sender must discard (served by
  /// `respond`), and an MX that strips STARTTLS: applied, it defers; discarded, plaintext.
  observed discarded_policy(cert_kind cert, std::function<net::http_response(net::policy_request const&)> respond) {
    auto mx = host("mx", stripped("mx"));
    std::vector<std::string> records = {"@ MX 10 mx", a_record(mx)};
    policy(records, "1", enforce("*." + zone), cert, std::move(respond));
    publish(zone_security::insecure, records);
    return observe(deliver(), mx);
  }

  std::uint16_t https_port = 443;
};

observed const deferred_no_mail{outcome::deferred, "none"};
observed const plaintext_delivery{outcome::delivered, "plaintext@25"};

std::vector<scenario> const& scenarios() {
  static std::vector<scenario> const all = {
      // [PFX-14] a starttls- MX with STARTTLS stripped.
      {"IgnorePrefix", misbehaviour::ignore_prefix,
       [](Misbehave& t) {
         auto mx = t.host("starttls-mx", t.stripped("starttls-mx"));
         t.publish(zone_security::secure, {"@ MX 10 starttls-mx", t.a_record(mx)});
         return t.observe(t.deliver(), mx);
       },
       deferred_no_mail, plaintext_delivery},
      // [BAN-19] a pin learned over verified TLS, then the same name strips STARTTLS.
      {"IgnorePins", misbehaviour::ignore_pins,
       [](Misbehave& t) {
         auto s = t.script(t.name("mx"));
         s.ehlo_greet_tls = "hello strict-tls=*." + t.zone + "; max-age=3600";
         auto good = t.host("mx", s);
         t.publish(zone_security::insecure, {"@ MX 10 mx", t.a_record(good)});
         if (t.deliver().result != outcome::delivered || t.state.pins().size() != 1) return observed{};
         auto bad = t.host("mx", t.stripped("mx"));
         t.repoint("mx", bad);
         return t.observe(t.deliver(), bad);
       },
       deferred_no_mail, plaintext_delivery},
      // [BAN-14] a directive in the plaintext greeting and EHLO; the second delivery shows it.
      {"PinFromPlaintext", misbehaviour::pin_from_plaintext,
       [](Misbehave& t) {
         auto s = t.stripped("mx");
         s.greeting_text = "ESMTP strict-tls=*." + t.zone + "; max-age=3600";
         s.ehlo_greet_plain = "hi strict-tls=*." + t.zone + "; max-age=3600";
         auto first = t.host("mx", s);
         t.publish(zone_security::insecure, {"@ MX 10 mx", t.a_record(first)});
         if (t.deliver().result != outcome::delivered) return observed{};
         auto second = t.host("mx", t.stripped("mx"));
         t.repoint("mx", second);
         return t.observe(t.deliver(), second);
       },
       plaintext_delivery, deferred_no_mail},
      // [STS-5-01] an enforce policy and an MX that strips STARTTLS.
      {"IgnoreSts", misbehaviour::ignore_sts,
       [](Misbehave& t) {
         return t.discarded_policy(cert_kind::valid, {});  // here the policy is valid
       },
       deferred_no_mail, plaintext_delivery},
      // [STS-3.3-05] a redirect whose own body is an enforce policy.
      {"StsLenientFetchRedirect", misbehaviour::sts_lenient_fetch,
       [](Misbehave& t) {
         std::string const body = t.enforce("*." + t.zone);
         return t.discarded_policy(cert_kind::valid, [body](net::policy_request const&) {
           return net::http_response::redirect(302, "https://elsewhere.test/.well-known/mta-sts.txt", body);
         });
       },
       plaintext_delivery, deferred_no_mail},
      // [STS-3.3-04] 404 with a policy body.
      {"StsLenientFetchStatus", misbehaviour::sts_lenient_fetch,
       [](Misbehave& t) {
         std::string const body = t.enforce("*." + t.zone);
         return t.discarded_policy(cert_kind::valid, [body](net::policy_request const&) {
           net::http_response r;
           r.status = 404;
           r.body = body;
           return r;
         });
       },
       plaintext_delivery, deferred_no_mail},
      // [STS-3.3-01] a policy host whose certificate nobody trusts.
      {"StsLenientFetchCertificate", misbehaviour::sts_lenient_fetch,
       [](Misbehave& t) { return t.discarded_policy(cert_kind::untrusted, {}); }, plaintext_delivery,
       deferred_no_mail},
      // [STS-3.2-02] Content-Type text/html.
      {"StsLenientFetchContentType", misbehaviour::sts_lenient_fetch,
       [](Misbehave& t) {
         std::string const body = t.enforce("*." + t.zone);
         return t.discarded_policy(cert_kind::valid, [body](net::policy_request const&) {
           net::http_response r;
           r.content_type = "text/html";
           r.body = body;
           return r;
         });
       },
       plaintext_delivery, deferred_no_mail},
      // [STS-3.3-08] a valid policy padded with unknown keys to 70000 octets.
      {"StsLenientFetchOversize", misbehaviour::sts_lenient_fetch,
       [](Misbehave& t) {
         std::string body = t.enforce("*." + t.zone);
         while (body.size() < 70000) body += "x-padding: " + std::string(100, 'p') + "\n";
         return t.discarded_policy(cert_kind::valid, [body](net::policy_request const&) {
           net::http_response r;
           r.body = body;
           r.body_framing = net::http_response::framing::chunked;
           return r;
         });
       },
       plaintext_delivery, deferred_no_mail},
      // [STS-3.3-11] a cached enforce policy, then the TXT record disappears and STARTTLS is stripped.
      {"StsNoCache", misbehaviour::sts_no_cache,
       [](Misbehave& t) {
         auto good = t.host("mx", t.script(t.name("mx")));
         std::vector<std::string> records = {"@ MX 10 mx", t.a_record(good)};
         t.policy(records, "1", t.enforce("*." + t.zone));
         t.publish(zone_security::insecure, records);
         if (t.deliver().result != outcome::delivered) return observed{};
         auto bad = t.host("mx", t.stripped("mx"));
         t.repoint("mx", bad);
         if (!t.world.zones().remove_rrset("_mta-sts." + t.zone, net::dns::rr_type::txt)) return observed{};
         return t.observe(t.deliver(), bad);
       },
       deferred_no_mail, plaintext_delivery},
      // [DNS-08] a PKIX-valid server whose secure TLSA record does not match.
      {"IgnoreDane", misbehaviour::ignore_dane,
       [](Misbehave& t) {
         auto mx = t.host("mx", t.script(t.name("mx")));
         t.publish(zone_security::secure, {"@ MX 10 mx", t.a_record(mx), "_25._tcp.mx TLSA 3 1 1 " + std::string(64, 'a')});
         return t.observe(t.deliver(), mx);
       },
       deferred_no_mail, observed{outcome::delivered, "tls@25"}},
      // [PFX-12] a starttls- MX with a certificate for another name.
      {"NoVerify", misbehaviour::no_verify,
       [](Misbehave& t) {
         auto mx = t.host("starttls-mx", t.script(t.name("starttls-mx"), cert_kind::wrong_name));
         t.publish(zone_security::secure, {"@ MX 10 starttls-mx", t.a_record(mx)});
         return t.observe(t.deliver(), mx);
       },
       deferred_no_mail, observed{outcome::delivered, "tls@25"}},
      // [PFX-14] a starttls- MX with STARTTLS stripped.
      {"PlaintextFallbackStripped", misbehaviour::plaintext_fallback,
       [](Misbehave& t) {
         auto mx = t.host("starttls-mx", t.stripped("starttls-mx"));
         t.publish(zone_security::secure, {"@ MX 10 starttls-mx", t.a_record(mx)});
         return t.observe(t.deliver(), mx);
       },
       deferred_no_mail, plaintext_delivery},
      // [PFX-14] a starttls- MX answering STARTTLS with 454.
      {"PlaintextFallbackRefused", misbehaviour::plaintext_fallback,
       [](Misbehave& t) {
         auto s = t.script(t.name("starttls-mx"));
         s.starttls_code = 454;
         auto mx = t.host("starttls-mx", s);
         t.publish(zone_security::secure, {"@ MX 10 starttls-mx", t.a_record(mx)});
         return t.observe(t.deliver(), mx);
       },
       deferred_no_mail, plaintext_delivery},
      // [PFX-16] a starttls- MX with a certificate for another name: a new plaintext connection.
      {"PlaintextFallbackBadCertificate", misbehaviour::plaintext_fallback,
       [](Misbehave& t) {
         auto mx = t.host("starttls-mx", t.script(t.name("starttls-mx"), cert_kind::wrong_name));
         t.publish(zone_security::secure, {"@ MX 10 starttls-mx", t.a_record(mx)});
         return t.observe(t.deliver(), mx);
       },
       deferred_no_mail, plaintext_delivery},
      // [P26-09] an smtps- MX with good peers on both ports.
      {"NoPort26", misbehaviour::no_port26,
       [](Misbehave& t) {
         auto mx = t.host("smtps-mx", t.script(t.name("smtps-mx")), t.script(t.name("smtps-mx")));
         t.publish(zone_security::secure, {"@ MX 10 smtps-mx", t.a_record(mx)});
         return t.observe(t.deliver(), mx);
       },
       observed{outcome::delivered, "tls@26"}, observed{outcome::delivered, "tls@25"}},
      // [P26-15] an smtps- MX: RST on port 26, STARTTLS stripped on port 25.
      {"Port26FallbackPlaintext", misbehaviour::port26_fallback_plaintext,
       [](Misbehave& t) {
         auto rst = t.script(t.name("smtps-mx"));
         rst.reset_on_connect = true;
         auto mx = t.host("smtps-mx", t.stripped("smtps-mx"), rst);
         t.publish(zone_security::insecure, {"@ MX 10 smtps-mx", t.a_record(mx)});
         return t.observe(t.deliver(), mx);
       },
       deferred_no_mail, plaintext_delivery},
      // [DNS-05][DNS-06] an MX RRset with bogus signatures.
      {"AssumeDnssecSecureBogus", misbehaviour::assume_dnssec_secure,
       [](Misbehave& t) {
         auto mx = t.host("mx", t.script(t.name("mx")));
         t.publish(zone_security::bogus_signatures, {"@ MX 10 mx", t.a_record(mx)});
         return t.observe(t.deliver(), mx);
       },
       deferred_no_mail, observed{outcome::delivered, "tls@25"}},
      // [DNS-20] an unsigned zone with a TLSA record that does not match.
      {"AssumeDnssecSecureUnsignedTlsa", misbehaviour::assume_dnssec_secure,
       [](Misbehave& t) {
         auto mx = t.host("mx", t.script(t.name("mx")));
         t.publish(zone_security::insecure, {"@ MX 10 mx", t.a_record(mx), "_25._tcp.mx TLSA 3 1 1 " + std::string(64, 'a')});
         return t.observe(t.deliver(), mx);
       },
       observed{outcome::delivered, "tls@25"}, deferred_no_mail},
      // [PFX-15][DNS-15] a starttls- MX with STARTTLS stripped.
      {"BounceOnFailure", misbehaviour::bounce_on_failure,
       [](Misbehave& t) {
         auto mx = t.host("starttls-mx", t.stripped("starttls-mx"));
         t.publish(zone_security::secure, {"@ MX 10 starttls-mx", t.a_record(mx)});
         return t.observe(t.deliver(), mx);
       },
       deferred_no_mail, observed{outcome::bounced, "none"}},
      // [TLS-4.2-07] the post-TLS EHLO reply still lists STARTTLS (the peer answers 503).
      {"StarttlsAgain", misbehaviour::starttls_again,
       [](Misbehave& t) {
         auto s = t.script(t.name("mx"));
         s.offer_starttls_in_tls = true;
         auto mx = t.host("mx", s);
         t.publish(zone_security::insecure, {"@ MX 10 mx", t.a_record(mx)});
         auto const r = t.deliver();
         std::size_t starttls = 0;
         for (auto const& ps : mx.smtp->sessions())
           starttls += static_cast<std::size_t>(std::count(ps.commands.begin(), ps.commands.end(), "STARTTLS"));
         return observed{r.result, Misbehave::mail_of(mx) + (starttls > 1 ? " after a second STARTTLS" : "")};
       },
       observed{outcome::delivered, "tls@25"}, observed{outcome::delivered, "tls@25 after a second STARTTLS"}},
      // [TLS-4.2-04][PFX-17] a peer that forgets the EHLO on TLS: MAIL before a new EHLO gets 503.
      {"SkipPostTlsEhlo", misbehaviour::skip_post_tls_ehlo,
       [](Misbehave& t) {
         auto s = t.script(t.name("mx"));
         s.forget_ehlo_on_tls = true;
         auto mx = t.host("mx", s);
         t.publish(zone_security::insecure, {"@ MX 10 mx", t.a_record(mx)});
         return t.observe(t.deliver(), mx);
       },
       observed{outcome::delivered, "tls@25"}, observed{outcome::bounced, "none"}},
      // [BAN-14] a directive over TLS with a self-signed certificate; the second delivery shows it.
      {"PinFromUnverified", misbehaviour::pin_from_unverified,
       [](Misbehave& t) {
         auto s = t.script(t.name("mx"), cert_kind::self_signed);
         s.ehlo_greet_tls = "hello strict-tls=*." + t.zone + "; max-age=3600";
         auto first = t.host("mx", s);
         t.publish(zone_security::insecure, {"@ MX 10 mx", t.a_record(first)});
         if (t.deliver().result != outcome::delivered) return observed{};
         auto second = t.host("mx", t.stripped("mx"));
         t.repoint("mx", second);
         return t.observe(t.deliver(), second);
       },
       plaintext_delivery, deferred_no_mail},
      // [BAN-12] mx.<zone> pins "<zone>; includeSubDomains" (neither itself nor *.<zone>).
      {"PinIgnoreScope", misbehaviour::pin_ignore_scope,
       [](Misbehave& t) {
         auto s = t.script(t.name("mx"));
         s.ehlo_greet_tls = "hello strict-tls=" + t.zone + "; max-age=3600; includeSubDomains";
         auto first = t.host("mx", s);
         t.publish(zone_security::insecure, {"@ MX 10 mx", t.a_record(first)});
         if (t.deliver().result != outcome::delivered) return observed{};
         auto second = t.host("mx", t.stripped("mx"));
         t.repoint("mx", second);
         return t.observe(t.deliver(), second);
       },
       plaintext_delivery, deferred_no_mail},
      // [BAN-10] a pin, then max-age=0 over verified TLS, then STARTTLS stripped.
      {"PinKeepOnMaxAge0", misbehaviour::pin_keep_on_max_age_0,
       [](Misbehave& t) {
         auto s = t.script(t.name("mx"));
         s.ehlo_greet_tls = "hello strict-tls=*." + t.zone + "; max-age=3600";
         auto first = t.host("mx", s);
         t.publish(zone_security::insecure, {"@ MX 10 mx", t.a_record(first)});
         if (t.deliver().result != outcome::delivered || t.state.pins().size() != 1) return observed{};
         s.ehlo_greet_tls = "hello strict-tls=*." + t.zone + "; max-age=0";
         auto removing = t.host("mx", s);
         t.repoint("mx", removing);
         if (t.deliver().result != outcome::delivered) return observed{};
         auto third = t.host("mx", t.stripped("mx"));
         t.repoint("mx", third);
         return t.observe(t.deliver(), third);
       },
       plaintext_delivery, deferred_no_mail},
      // [DANE-2.2.1-01][DNS-16] mx1 (10) without TLSA, mx2 (20) with a matching DANE-EE record.
      {"PreferTlsaMx", misbehaviour::prefer_tlsa_mx,
       [](Misbehave& t) {
         auto mx1 = t.host("mx1", t.script(t.name("mx1")));
         auto s2 = t.script(t.name("mx2"));
         auto const digest = net::pki::to_hex(s2.leaf->spki_sha256);
         auto mx2 = t.host("mx2", s2);
         t.publish(zone_security::secure, {"@ MX 10 mx1", "@ MX 20 mx2", t.a_record(mx1), t.a_record(mx2),
                                           "_25._tcp.mx2 TLSA 3 1 1 " + digest});
         return t.observe(t.deliver(), mx1);
       },
       observed{outcome::delivered, "tls@25"}, observed{outcome::delivered, "none"}},
      // [STS-3.3-10] a valid _mta-sts record, no policy host (no address), nothing cached.
      {"StsFetchFailureDefers", misbehaviour::sts_fetch_failure_defers,
       [](Misbehave& t) {
         auto mx = t.host("mx", t.script(t.name("mx")));
         t.publish(zone_security::insecure, {"@ MX 10 mx", t.a_record(mx), "_mta-sts TXT \"v=STSv1; id=1\""});
         return t.observe(t.deliver(), mx);
       },
       observed{outcome::delivered, "tls@25"}, deferred_no_mail},
  };
  return all;
}

TEST_P(Misbehave, DiffersFromTheConformingSender) {
  auto const& [index, misbehaving] = GetParam();
  auto const& sc = scenarios().at(index);
  if (misbehaving) active.add(sc.m);
  auto const got = sc.run(*this);
  auto const& want = misbehaving ? sc.misbehaving : sc.conforming;
  EXPECT_EQ(got, want) << (misbehaving ? "--test-misbehave " + std::string(to_string(sc.m)) : "conforming") << "\n"
                       << trail;
  EXPECT_NE(sc.conforming, sc.misbehaving);  // a row that cannot tell the arms apart is a defect
}

INSTANTIATE_TEST_SUITE_P(Rows, Misbehave,
                         ::testing::Combine(::testing::Range<std::size_t>(0, scenarios().size()), ::testing::Bool()),
                         [](::testing::TestParamInfo<std::tuple<std::size_t, bool>> const& row) {
                           return scenarios().at(std::get<0>(row.param)).name +
                                  (std::get<1>(row.param) ? "_Misbehaving" : "_Conforming");
                         });

TEST(MisbehaveRows, EveryMisbehaviourHasARow) {
  for (std::size_t i = 0; i < misbehaviour_count; ++i) {
    auto const m = static_cast<misbehaviour>(i);
    bool const found =
        std::any_of(scenarios().begin(), scenarios().end(), [m](scenario const& s) { return s.m == m; });
    EXPECT_TRUE(found) << to_string(m);
  }
}

TEST(MisbehaveNames, ParseAndPrintRoundTrip) {
  misbehaviours all;
  for (auto n : misbehaviour_names) {
    auto m = parse_misbehaviour(n);
    ASSERT_TRUE(m) << n;
    EXPECT_EQ(to_string(*m), n);
    all.add(*m);
  }
  misbehaviours again;
  EXPECT_FALSE(again.add_list(all.to_string()));
  EXPECT_EQ(again, all);
  EXPECT_EQ(misbehaviours{}.add_list("no-verify,bogus"), "bogus");
  EXPECT_EQ(misbehaviours{}.add_list(""), "");
  EXPECT_FALSE(misbehaviours{}.any());
}

}  // namespace
}  // namespace mxtls::client::test
