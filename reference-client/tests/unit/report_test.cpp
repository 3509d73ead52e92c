// The report of mxtls-send: exit codes (0 / 75 / 69), the outcome order, and the shapes of
// --explain (IDs in brackets, the decision verbatim, DNS-14) and --json.
#include "mxtls/client/report.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace mxtls::client {
namespace {

TEST(Outcome, ExitCodesFollowSysexits) {
  EXPECT_EQ(exit_code(outcome::delivered), 0);
  EXPECT_EQ(exit_code(outcome::deferred), 75);
  EXPECT_EQ(exit_code(outcome::bounced), 69);
}

TEST(Outcome, DeferredOutranksBouncedOutranksDelivered) {
  EXPECT_EQ(worst(outcome::delivered, outcome::bounced), outcome::bounced);
  EXPECT_EQ(worst(outcome::bounced, outcome::deferred), outcome::deferred);
  EXPECT_EQ(worst(outcome::deferred, outcome::delivered), outcome::deferred);
  EXPECT_EQ(worst(outcome::delivered, outcome::delivered), outcome::delivered);
}

delivery_report sample() {
  delivery_report r;
  r.result = outcome::deferred;
  domain_report d;
  d.domain = "example.test";
  d.result = outcome::deferred;
  d.reason = "mx.example.test: STARTTLS not offered";
  d.ids = {"DNS-15", "PFX-14"};
  d.host = "starttls-mx.example.test";
  d.trail.push_back(trail_step{"mx", "MX example.test (secure): 10 starttls-mx.example.test", {"SMTP-5.1-01"}});
  attempt_record a;
  a.host = "starttls-mx.example.test";
  a.address = "127.0.0.2";
  a.mode = "starttls";
  a.inputs.prefix = spec::prefix::mx_prefix::starttls;
  a.decision = spec::policy::decide(a.inputs);
  a.status = attempt_status::requirement_failed;
  a.reason = "STARTTLS not offered";
  a.ids = {"PFX-14"};
  tls_facts t;
  t.failure = "starttls-not-supported";
  a.tls = t;
  d.attempts.push_back(a);
  d.recipients.push_back(recipient_result{"u@example.test", outcome::deferred, "STARTTLS not offered"});
  r.domains.push_back(d);
  return r;
}

TEST(ReportRendering, ExplainShowsIdsAndTheOutcome) {
  auto text = render_explain(sample());
  EXPECT_NE(text.find("domain example.test"), std::string::npos);
  EXPECT_NE(text.find("mx: [SMTP-5.1-01] MX example.test"), std::string::npos);
  EXPECT_NE(text.find("=> deferred"), std::string::npos);
  EXPECT_NE(text.find("outcome: deferred"), std::string::npos);
}

TEST(ReportRendering, JsonCarriesOutcomeDomainsAttemptsAndTheDecisionVerbatim) {
  auto v = boost::json::parse(render_json(sample()));
  auto const& o = v.as_object();
  EXPECT_EQ(o.at("outcome").as_string(), "deferred");
  auto const& d = o.at("domains").as_array().at(0).as_object();
  EXPECT_EQ(d.at("domain").as_string(), "example.test");
  EXPECT_EQ(d.at("outcome").as_string(), "deferred");
  EXPECT_EQ(d.at("host").as_string(), "starttls-mx.example.test");
  EXPECT_TRUE(d.at("tls").is_null());
  auto const& a = d.at("attempts").as_array().at(0).as_object();
  EXPECT_EQ(a.at("status").as_string(), "requirement-failed");
  EXPECT_EQ(a.at("inputs").as_object().at("prefix").as_string(), "starttls");
  auto const& dec = a.at("decision").as_object();
  EXPECT_EQ(dec.at("tls").as_string(), "verified");
  EXPECT_TRUE(dec.at("pkix").as_bool());
  // [DNS-14] the decision verbatim, as spec::policy::format prints it.
  EXPECT_EQ(dec.at("text").as_string(), spec::policy::format(spec::policy::decide(sample().domains[0].attempts[0].inputs)));
  EXPECT_EQ(a.at("tls").as_object().at("failure").as_string(), "starttls-not-supported");
  EXPECT_EQ(d.at("recipients").as_array().at(0).as_object().at("outcome").as_string(), "deferred");
}

TEST(ReportRendering, SummaryNeverCallsAnInsecureMxProtected) {
  delivery_report r;
  domain_report d;
  d.domain = "example.test";
  d.result = outcome::delivered;
  d.host = "mx.example.test";
  d.mx_authentic = false;
  tls_facts t;
  t.established = true;
  t.version = "TLS v1.2";
  t.pkix_ok = t.verified = true;
  d.tls = t;
  r.domains.push_back(d);
  auto s = render_summary(r);
  // [DNS-04]
  EXPECT_NE(s.find("MX RRset not DNSSEC-secure"), std::string::npos) << s;
  EXPECT_NE(s.find("PKIX-verified"), std::string::npos) << s;
}

}  // namespace
}  // namespace mxtls::client
