// Properties of the delivery decision (spec/proposal.md §7.2): a stricter input never yields
// a weaker decision (DNS-10), and whenever any mechanism requires TLS the decision never
// allows plaintext (PFX-14, DNS-19).
#include "mxtls/spec/policy/decision.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

namespace mxtls::spec::policy {
namespace {

using prefix::mx_prefix;

inputs gen_inputs() {
  return inputs{*rc::gen::element(mx_prefix::none, mx_prefix::starttls, mx_prefix::smtps),
                *rc::gen::element(pin_state::none, pin_state::covering),
                *rc::gen::element(dnssec_status::secure, dnssec_status::insecure, dnssec_status::bogus),
                *rc::gen::element(sts_mode::absent, sts_mode::none, sts_mode::testing, sts_mode::enforce),
                *rc::gen::arbitrary<bool>(),
                *rc::gen::element(dane_state::no_tlsa, dane_state::usable, dane_state::all_unusable,
                                  dane_state::lookup_failure)};
}

// An attempt's strictness: skip/defer are stricter than any attempt (no delivery at all).
int strictness(decision const& d) {
  if (d.act != action::attempt) return 100;
  return static_cast<int>(d.tls) * 4 + (d.pkix ? 1 : 0) + (d.dane ? 2 : 0);
}

RC_GTEST_PROP(DeliveryDecisionProperties, AddingAPrefixNeverWeakens, ()) {
  auto in = gen_inputs();
  auto stricter = in;
  stricter.prefix = *rc::gen::element(mx_prefix::starttls, mx_prefix::smtps);
  RC_ASSERT(strictness(decide(stricter)) >= strictness(decide(in)));
}

RC_GTEST_PROP(DeliveryDecisionProperties, AddingAPinNeverWeakens, ()) {
  auto in = gen_inputs();
  auto stricter = in;
  stricter.pin = pin_state::covering;
  RC_ASSERT(strictness(decide(stricter)) >= strictness(decide(in)));
}

RC_GTEST_PROP(DeliveryDecisionProperties, StsEnforceNeverWeakensTesting, ()) {
  auto in = gen_inputs();
  in.sts = *rc::gen::element(sts_mode::absent, sts_mode::none, sts_mode::testing);
  auto stricter = in;
  stricter.sts = sts_mode::enforce;
  RC_ASSERT(strictness(decide(stricter)) >= strictness(decide(in)));
}

RC_GTEST_PROP(DeliveryDecisionProperties, AnyTlsMechanismForbidsPlaintext, ()) {
  auto in = gen_inputs();
  auto const d = decide(in);
  bool const mechanism = prefix::requires_verified_tls(in.prefix) || in.pin == pin_state::covering ||
                         in.sts == sts_mode::enforce ||
                         (in.mx_dnssec == dnssec_status::secure &&
                          (in.dane == dane_state::usable || in.dane == dane_state::all_unusable));
  if (mechanism && d.act == action::attempt) RC_ASSERT(!allows_plaintext(d.tls));
  if (d.act != action::attempt) RC_ASSERT(d.tls == tls_level::none);
}

RC_GTEST_PROP(DeliveryDecisionProperties, UsableDaneIsNeverDroppedOnSecureMx, ()) {  // [DNS-08]
  auto in = gen_inputs();
  in.mx_dnssec = dnssec_status::secure;
  in.dane = dane_state::usable;
  auto const d = decide(in);
  if (d.act == action::attempt) RC_ASSERT(d.dane);
}

}  // namespace
}  // namespace mxtls::spec::policy
