// End-to-end deliveries of mxtls-send against the net/dns test authority and scripted
// receivers on loopback: opportunistic TLS and plaintext (DNS-19), the starttls-/smtps-
// prefixes (PFX-10..16, P26-09..16), bogus and null MX (DNS-05, SMTP-7505.3-01), MX order
// (DNS-16), strict-tls pins (BAN-14, BAN-19), STARTTLS response injection (TLS-4-11),
// RFC 5321 reply handling and TLS-Required: No (DNS-17).
#include "delivery_fixture.hpp"

#include <gtest/gtest.h>

namespace mxtls::client::test {
namespace {

using net::dns::zone_security;

class Delivery : public delivery_fixture {};

TEST_F(Delivery, OpportunisticPlaintextWhenStarttlsIsNotOffered) {
  auto s = script("", cert_kind::none);
  s.offer_starttls = false;
  auto mx = host("mx", s);
  publish(zone_security::insecure, {"@ MX 10 mx", a_record(mx)});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);
  EXPECT_EQ(mx.smtp->messages_in_plaintext(), 1u);
  auto const& a = r.domains[0].attempts.at(0);
  EXPECT_TRUE(a.plaintext_mail);
  EXPECT_EQ(a.decision.tls, spec::policy::tls_level::opportunistic);  // [DNS-19]
  EXPECT_FALSE(r.domains[0].mx_authentic);                           // [DNS-04]
}

TEST_F(Delivery, OpportunisticUsesAndVerifiesTlsWhenOffered) {
  auto mx = host("mx", script(name("mx")));
  publish(zone_security::secure, {"@ MX 10 mx", a_record(mx)});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);
  EXPECT_EQ(mx.smtp->messages_over_tls(), 1u);
  ASSERT_TRUE(r.domains[0].tls);
  EXPECT_TRUE(r.domains[0].tls->pkix_ok);  // [BAN-15] verified although not required
  EXPECT_EQ(r.domains[0].tls->sni, name("mx"));
  EXPECT_TRUE(r.domains[0].mx_authentic);
  // [PFX-17] EHLO again after TLS.
  auto const cmds = mx.smtp->sessions().at(0).commands;
  std::vector<std::string> const expected = {"EHLO", "STARTTLS", "TLS", "EHLO", "MAIL", "RCPT", "DATA", "QUIT"};
  EXPECT_EQ(cmds, expected);
}

TEST_F(Delivery, UnverifiedCertificateStillCarriesOpportunisticMail) {
  auto mx = host("mx", script(name("mx"), cert_kind::self_signed));
  publish(zone_security::insecure, {"@ MX 10 mx", a_record(mx)});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);
  EXPECT_EQ(mx.smtp->messages_over_tls(), 1u);
  EXPECT_FALSE(r.domains[0].tls->verified);
}

TEST_F(Delivery, StarttlsPrefixWithStarttlsStrippedIsDeferredWithoutMailFrom) {
  auto s = script(name("starttls-mx"));
  s.offer_starttls = false;
  auto mx = host("starttls-mx", s);
  publish(zone_security::secure, {"@ MX 10 starttls-mx", a_record(mx)});
  auto r = send();
  EXPECT_EQ(r.result, outcome::deferred) << attempts_text(r);
  EXPECT_EQ(mx.smtp->connections(), 1u);
  EXPECT_FALSE(mx.smtp->saw_any_mail());  // [PFX-14]
  auto const& a = r.domains[0].attempts.at(0);
  EXPECT_EQ(a.status, attempt_status::requirement_failed);
  ASSERT_TRUE(a.tls);
  EXPECT_EQ(a.tls->failure, "starttls-not-supported");
  EXPECT_EQ(a.decision.reason, "prefix:starttls");
  // [PFX-14] QUIT, and no HELO fallback (PFX-10).
  std::vector<std::string> const expected = {"EHLO", "QUIT"};
  EXPECT_EQ(mx.smtp->sessions().at(0).commands, expected);
}

TEST_F(Delivery, StarttlsPrefixWith454IsDeferred) {
  auto s = script(name("starttls-mx"));
  s.starttls_code = 454;
  auto mx = host("starttls-mx", s);
  publish(zone_security::insecure, {"@ MX 10 starttls-mx", a_record(mx)});  // [DNS-03] honoured when insecure
  auto r = send();
  EXPECT_EQ(r.result, outcome::deferred) << attempts_text(r);
  EXPECT_FALSE(mx.smtp->saw_any_mail());
}

TEST_F(Delivery, StarttlsPrefixWithWrongNameCertificateQuitsInsideTls) {
  auto mx = host("starttls-mx", script(name("starttls-mx"), cert_kind::wrong_name));
  publish(zone_security::secure, {"@ MX 10 starttls-mx", a_record(mx)});
  auto r = send();
  EXPECT_EQ(r.result, outcome::deferred) << attempts_text(r);
  auto const sessions = mx.smtp->sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_TRUE(sessions[0].tls);
  EXPECT_FALSE(sessions[0].mail_from_tls || sessions[0].mail_from_plaintext);
  std::vector<std::string> const expected = {"EHLO", "STARTTLS", "TLS", "QUIT"};  // [TLS-4.1-02]
  EXPECT_EQ(sessions[0].commands, expected);
  EXPECT_EQ(r.domains[0].attempts.at(0).tls->failure, "certificate-host-mismatch");
}

TEST_F(Delivery, StarttlsPrefixDeliversOverVerifiedTls) {
  auto mx = host("STARTTLS-mx", script(name("STARTTLS-mx")));
  publish(zone_security::secure, {"@ MX 10 STARTTLS-mx", a_record(mx)});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);
  EXPECT_EQ(mx.smtp->messages_over_tls(), 1u);
  EXPECT_EQ(r.domains[0].attempts.at(0).decision.reason, "prefix:starttls");
  // [PFX-11] SNI is H in lower case.
  EXPECT_EQ(mx.smtp->sessions().at(0).sni, "starttls-mx." + zone);
}

TEST_F(Delivery, SmtpsPrefixUsesImplicitTlsFirst) {
  auto mx = host("smtps-mx", script(name("smtps-mx")), script(name("smtps-mx")));
  publish(zone_security::secure, {"@ MX 10 smtps-mx", a_record(mx)});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);
  EXPECT_EQ(mx.implicit->messages_over_tls(), 1u);
  EXPECT_EQ(mx.smtp->connections(), 0u);
  EXPECT_TRUE(r.domains[0].tls->implicit);
  auto const& a = r.domains[0].attempts.at(0);
  EXPECT_EQ(a.mode, "implicit-tls");
  EXPECT_EQ(a.service_port, 26);  // [P26-01] the default implicit-TLS port
  // [P26-11] no STARTTLS on the implicit-TLS port.
  std::vector<std::string> const expected = {"TLS", "EHLO", "MAIL", "RCPT", "DATA", "QUIT"};
  EXPECT_EQ(mx.implicit->sessions().at(0).commands, expected);
}

TEST_F(Delivery, SmtpsPrefixWithRstOn26FallsBackToVerifiedStarttlsOn25) {
  auto rst = script(name("smtps-mx"));
  rst.reset_on_connect = true;
  auto mx = host("smtps-mx", script(name("smtps-mx")), rst);
  publish(zone_security::secure, {"@ MX 10 smtps-mx", a_record(mx)});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);
  EXPECT_EQ(mx.implicit->connections(), 1u);
  EXPECT_EQ(mx.smtp->messages_over_tls(), 1u);
  ASSERT_EQ(r.domains[0].attempts.size(), 2u);
  EXPECT_EQ(r.domains[0].attempts[0].status, attempt_status::fell_back);  // [P26-12]
  EXPECT_EQ(r.domains[0].attempts[1].mode, "starttls");
  EXPECT_TRUE(r.domains[0].tls->pkix_ok);  // [P26-13] verified STARTTLS on 25
}

TEST_F(Delivery, SmtpsPrefixWithBadCertificateOn26FallsBackTo25) {
  auto mx = host("smtps-mx", script(name("smtps-mx")), script(name("smtps-mx"), cert_kind::expired));
  publish(zone_security::secure, {"@ MX 10 smtps-mx", a_record(mx)});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);
  EXPECT_FALSE(mx.implicit->saw_any_mail());
  EXPECT_EQ(mx.smtp->messages_over_tls(), 1u);
  EXPECT_EQ(r.domains[0].attempts[0].tls->failure, "certificate-expired");
}

TEST_F(Delivery, SmtpsPrefixIsNeverDeliveredInPlaintext) {
  auto rst = script(name("smtps-mx"));
  rst.reset_on_connect = true;
  auto strip = script(name("smtps-mx"));
  strip.offer_starttls = false;
  auto mx = host("smtps-mx", strip, rst);
  publish(zone_security::insecure, {"@ MX 10 smtps-mx", a_record(mx)});
  auto r = send();
  EXPECT_EQ(r.result, outcome::deferred) << attempts_text(r);
  EXPECT_FALSE(mx.smtp->saw_any_mail());  // [P26-15]
  EXPECT_FALSE(mx.implicit->saw_any_mail());
}

TEST_F(Delivery, BogusMxIsDeferredWithoutConnecting) {
  auto mx = host("mx", script(name("mx")));
  publish(zone_security::bogus_signatures, {"@ MX 10 mx", a_record(mx)});
  auto r = send();
  EXPECT_EQ(r.result, outcome::deferred) << attempts_text(r);
  EXPECT_EQ(mx.smtp->connections(), 0u);  // [DNS-05] no MX and no implicit MX
  EXPECT_EQ(r.domains[0].ids.at(0), "DNS-05");
}

TEST_F(Delivery, NullMxBounces) {
  publish(zone_security::secure, {"@ MX 0 ."});
  auto r = send();
  EXPECT_EQ(r.result, outcome::bounced) << attempts_text(r);  // [SMTP-7505.3-01]
  EXPECT_EQ(r.domains[0].recipients.at(0).result, outcome::bounced);
}

TEST_F(Delivery, NonexistentDomainIsDeferredNotBounced) {
  publish(zone_security::secure, {"mx A 127.0.0.1"});
  auto r = deliver_to(config(), state, {"user@nope." + zone});
  EXPECT_EQ(r.result, outcome::deferred) << attempts_text(r);  // [DNS-15]
}

TEST_F(Delivery, ImplicitMxWhenTheDomainHasNoMxRecords) {
  auto s = script(zone);
  s.host = zone;
  auto h = world.start_host(zone, s);
  publish(zone_security::secure, {"@ A " + h.address.to_string()});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);  // [SMTP-5.1-02]
  EXPECT_EQ(r.domains[0].host, zone);
  EXPECT_EQ(h.smtp->messages_over_tls(), 1u);
}

TEST_F(Delivery, NextMxAfterAnUnreachableHost) {
  auto down = host("mx1", script(name("mx1")));
  down.smtp->stop();  // nothing listens any more: connection refused
  auto up = host("mx2", script(name("mx2")));
  publish(zone_security::secure, {"@ MX 10 mx1", "@ MX 20 mx2", a_record(down), a_record(up)});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);  // [DNS-16]
  EXPECT_EQ(r.domains[0].host, name("mx2"));
  EXPECT_EQ(r.domains[0].attempts.at(0).status, attempt_status::unreachable);
}

TEST_F(Delivery, AddressLookupFailureSkipsToTheNextMx) {
  auto mx1 = host("mx1", script(name("mx1")));
  auto mx2 = host("mx2", script(name("mx2")));
  publish(zone_security::secure, {"@ MX 10 mx1", "@ MX 20 mx2", a_record(mx1), a_record(mx2)});
  world.zones().set_fault(name("mx1"), net::dns::fault::servfail);
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);  // [DNS-07]
  EXPECT_EQ(mx1.smtp->connections(), 0u);
  EXPECT_EQ(r.domains[0].host, name("mx2"));
}

TEST_F(Delivery, TemporaryMailRejectionTriesTheNextMx) {
  auto s1 = script(name("mx1"));
  s1.mail_code = 451;
  auto mx1 = host("mx1", s1);
  auto mx2 = host("mx2", script(name("mx2")));
  publish(zone_security::secure, {"@ MX 10 mx1", "@ MX 20 mx2", a_record(mx1), a_record(mx2)});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);
  EXPECT_EQ(r.domains[0].attempts.at(0).status, attempt_status::transient_failure);
  EXPECT_EQ(mx2.smtp->messages_over_tls(), 1u);
}

TEST_F(Delivery, RecipientRejectedWith5xxBounces) {
  auto s = script(name("mx"));
  s.rcpt_code = 550;
  auto mx = host("mx", s);
  publish(zone_security::secure, {"@ MX 10 mx", a_record(mx)});
  auto r = send();
  EXPECT_EQ(r.result, outcome::bounced) << attempts_text(r);
  EXPECT_EQ(r.domains[0].recipients.at(0).result, outcome::bounced);
  EXPECT_EQ(exit_code(r.result), 69);
}

TEST_F(Delivery, EightBitMessageToAServerWithout8BitMimeBounces) {
  auto s = script(name("mx"));
  s.eightbitmime = false;
  auto mx = host("mx", s);
  publish(zone_security::secure, {"@ MX 10 mx", a_record(mx)});
  auto r = send("Subject: caf\xC3\xA9\r\n\r\nx\r\n");
  EXPECT_EQ(r.result, outcome::bounced) << attempts_text(r);  // [SMTP-6152.3-01]
  EXPECT_FALSE(mx.smtp->saw_any_mail());
}

TEST_F(Delivery, DotStuffedContentArrivesIntact) {
  auto mx = host("mx", script(name("mx")));
  publish(zone_security::secure, {"@ MX 10 mx", a_record(mx)});
  auto r = send("Subject: dots\r\n\r\n.\r\n..two\r\nend\r\n");
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);
  auto const s = mx.smtp->sessions().at(0);
  ASSERT_EQ(s.messages.size(), 1u);
  EXPECT_EQ(s.messages[0], "Subject: dots\r\n\r\n.\r\n..two\r\nend\r\n");  // [SMTP-4.5.2-01]
}

TEST_F(Delivery, MxTargetThatIsAnAddressIsNotUsed) {
  publish(zone_security::secure, {"@ MX 10 127.1.250.250."});
  auto r = send();
  EXPECT_EQ(r.result, outcome::deferred) << attempts_text(r);  // [NAME-4.1.3-01]
}

TEST_F(Delivery, ResponseInjectionAfter220AbandonsTheConnection) {
  auto s = script(name("starttls-mx"));
  s.inject_after_ready = "250 injected\r\n";
  auto mx = host("starttls-mx", s);
  publish(zone_security::secure, {"@ MX 10 starttls-mx", a_record(mx)});
  auto r = send();
  EXPECT_EQ(r.result, outcome::deferred) << attempts_text(r);
  auto const sessions = mx.smtp->sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_FALSE(sessions[0].tls);  // [TLS-4-11] no handshake on a poisoned connection
  EXPECT_FALSE(mx.smtp->saw_any_mail());
  auto const& a = r.domains[0].attempts.at(0);
  EXPECT_EQ(a.status, attempt_status::requirement_failed);
  EXPECT_NE(std::find(a.ids.begin(), a.ids.end(), "TLS-4-11"), a.ids.end());
}

TEST_F(Delivery, ResponseInjectionIsRefusedAtOpportunisticToo) {
  auto s = script(name("mx"));
  s.inject_after_ready = "250 injected\r\n";
  auto mx = host("mx", s);
  publish(zone_security::insecure, {"@ MX 10 mx", a_record(mx)});
  auto r = send();
  EXPECT_EQ(r.result, outcome::deferred) << attempts_text(r);
  EXPECT_FALSE(mx.smtp->saw_any_mail());
}

TEST_F(Delivery, TlsRequiredNoDeliversDespiteAStrippedStarttls) {
  auto s = script(name("starttls-mx"));
  s.offer_starttls = false;
  auto mx = host("starttls-mx", s);
  publish(zone_security::secure, {"@ MX 10 starttls-mx", a_record(mx)});
  auto r = send("Subject: report\r\nTLS-Required: No\r\n\r\nbody\r\n");
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);  // [DNS-17][RTLS-3-01]
  auto const& a = r.domains[0].attempts.at(0);
  EXPECT_TRUE(a.exempt);
  EXPECT_EQ(a.decision.tls, spec::policy::tls_level::verified);  // recorded as decided
  EXPECT_TRUE(a.plaintext_mail);
}

TEST_F(Delivery, OneDeliveryPerDomainAndTheWorstOutcomeWins) {
  auto mx = host("mx", script(name("mx")));
  publish(zone_security::secure, {"@ MX 10 mx", a_record(mx)});
  std::string const other = world.new_zone_name();
  world.add_zone(other, zone_security::bogus_signatures, {"@ MX 10 mx", "mx A 127.0.0.1"});
  auto r = deliver_to(config(), state, {"a@" + zone, "b@" + other, "c@" + zone});
  ASSERT_EQ(r.domains.size(), 2u);
  EXPECT_EQ(r.domains[0].domain, zone);
  EXPECT_EQ(r.domains[0].result, outcome::delivered) << attempts_text(r);
  EXPECT_EQ(r.domains[0].recipients.size(), 2u);
  EXPECT_EQ(r.domains[1].result, outcome::deferred);
  EXPECT_EQ(r.result, outcome::deferred);
  auto const s = mx.smtp->sessions();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].rcpts.size(), 2u);  // both recipients of the domain in one transaction
}

// --- strict-tls pins ---------------------------------------------------------------------

TEST_F(Delivery, PinLearnedOverVerifiedTlsThenStarttlsStrippedIsDeferred) {
  auto s = script(name("mx"));
  s.ehlo_greet_tls = "hello strict-tls=*." + zone + "; max-age=3600";
  auto good = host("mx", s);
  publish(zone_security::insecure, {"@ MX 10 mx", a_record(good)});
  auto r1 = send();
  ASSERT_EQ(r1.result, outcome::delivered) << attempts_text(r1);
  auto pin = state.pins().find_covering(name("mx"), clock->load());
  ASSERT_TRUE(pin);  // [BAN-14][BAN-18]
  EXPECT_EQ(pin->expires_at, clock->load() + 3600);
  EXPECT_EQ(r1.domains[0].attempts.at(0).decision.reason, "opportunistic");  // [BAN-23] not this session
  // The attacker now strips STARTTLS (a different peer behind the same name).
  auto bad = script(name("mx"));
  bad.offer_starttls = false;
  auto stripped = host("mx", bad);
  ASSERT_TRUE(world.zones().replace_rrset(zone, name("mx"), net::dns::rr_type::a, {a_record(stripped)}));
  auto r2 = send();
  EXPECT_EQ(r2.result, outcome::deferred) << attempts_text(r2);  // [BAN-19]
  EXPECT_FALSE(stripped.smtp->saw_any_mail());
  EXPECT_EQ(r2.domains[0].attempts.at(0).decision.reason, "pin");
  // After max-age the pin no longer applies.
  clock->store(clock->load() + 3601);
  auto r3 = send();
  EXPECT_EQ(r3.result, outcome::delivered) << attempts_text(r3);
  EXPECT_TRUE(stripped.smtp->saw_mail_in_plaintext());
}

TEST_F(Delivery, PinSeenOnlyInPlaintextIsIgnored) {
  auto s = script("", cert_kind::none);
  s.offer_starttls = false;
  s.greeting_text = "ESMTP strict-tls=*." + zone + "; max-age=3600";
  s.ehlo_greet_plain = "hi strict-tls=*." + zone + "; max-age=3600";
  auto mx = host("mx", s);
  publish(zone_security::secure, {"@ MX 10 mx", a_record(mx)});
  auto r1 = send();
  ASSERT_EQ(r1.result, outcome::delivered) << attempts_text(r1);
  EXPECT_EQ(state.pins().size(), 0u);  // [BAN-14]
  auto r2 = send();
  EXPECT_EQ(r2.result, outcome::delivered) << attempts_text(r2);
  EXPECT_EQ(mx.smtp->messages_in_plaintext(), 2u);
}

TEST_F(Delivery, PinFromAnUnverifiedSessionIsIgnored) {
  auto s = script(name("mx"), cert_kind::self_signed);
  s.ehlo_greet_tls = "strict-tls=" + name("mx") + "; max-age=3600";
  auto mx = host("mx", s);
  publish(zone_security::insecure, {"@ MX 10 mx", a_record(mx)});
  auto r = send();
  ASSERT_EQ(r.result, outcome::delivered) << attempts_text(r);
  EXPECT_EQ(state.pins().size(), 0u);  // [BAN-14][BAN-15]
}

TEST_F(Delivery, PinOutOfScopeIsIgnored) {
  auto s = script(name("mx"));
  s.ehlo_greet_tls = "strict-tls=*.other.test; max-age=3600";
  auto mx = host("mx", s);
  publish(zone_security::insecure, {"@ MX 10 mx", a_record(mx)});
  ASSERT_EQ(send().result, outcome::delivered);
  EXPECT_EQ(state.pins().size(), 0u);  // [BAN-12]
}

TEST_F(Delivery, PinFromTheImplicitTlsGreetingIsLearned) {
  auto s26 = script(name("smtps-mx"));
  s26.greeting_text = "ESMTP strict-tls=" + name("smtps-mx") + "; max-age=600; includeSubDomains";
  auto mx = host("smtps-mx", script(name("smtps-mx")), s26);
  publish(zone_security::secure, {"@ MX 10 smtps-mx", a_record(mx)});
  ASSERT_EQ(send().result, outcome::delivered);
  auto pin = state.pins().find_covering("a.smtps-mx." + zone, clock->load());
  ASSERT_TRUE(pin);  // [BAN-01] greeting inside implicit TLS
  EXPECT_TRUE(pin->include_subdomains);
}

}  // namespace
}  // namespace mxtls::client::test
