// Sender cases of certificate verification (scenarios X-11..X-15): the only MX is
// starttls-mx1 in a signed zone, so the certificate must be PKIX-valid for the MX host name
// (PFX-12); a failure is a requirement failure: defer, never plaintext, never a bounce
// (PFX-14, PFX-15). Without the prefix an opportunistic sender may deliver to any of these
// hosts (scenarios.md, column "opportunistic"); the prefix makes the rule testable.
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known false positive
// when the frame allocation is inlined); only this diagnostic is silenced, only here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "cases/sender/harness.hpp"

namespace mxtls::conformance::sender {
namespace {

using boost::asio::awaitable;
using o = delivery_outcome;

/// The case for an MX presenting a certificate of shape `kind`, judged as deferred.
auto bad_cert(cert_kind kind, std::string result_type) {
  return [kind, result_type](case_context& ctx) -> awaitable<case_result> {
    scene s(ctx);
    s.build({.hosts = {{.label = "starttls-mx1", .cert = kind}}});
    auto const a = co_await s.send();
    // [PFX-12] PKIX for H; [PFX-14][PFX-15] a failure defers, no MAIL FROM sent.
    co_return judge(a, {.pass = {o::deferred}, .result_type = result_type});
  };
}

sender_case self_signed{{
    .id = "certs.self-signed",
    .requirements = {"PFX-12", "PFX-14", "PFX-15", "STS-4.2-01", "RPT-4.3-04"},
    .profile = profile::proposal,
    .description = "X-11: the only MX is starttls-mx1 (signed zone) and presents a self-signed certificate for "
                   "its name (no TLSA record).",
    .expectation = "deferred (certificate-not-trusted), never delivered over the unverified session",
    .run = bad_cert(cert_kind::self_signed, "certificate-not-trusted"),
}};

sender_case expired{{
    .id = "certs.expired",
    .requirements = {"PFX-12", "PFX-14", "PFX-15", "STS-4.2-01", "RPT-4.3-03"},
    .profile = profile::proposal,
    .description = "X-12: the only MX is starttls-mx1 (signed zone) and presents a CA-issued certificate for its "
                   "name that expired a day ago.",
    .expectation = "deferred (certificate-expired)",
    .run = bad_cert(cert_kind::expired, "certificate-expired"),
}};

sender_case not_yet_valid{{
    .id = "certs.not-yet-valid",
    .requirements = {"PFX-12", "PFX-14", "PFX-15"},
    .profile = profile::proposal,
    .description = "X-12 (variant): the only MX is starttls-mx1 (signed zone) and presents a CA-issued "
                   "certificate for its name whose validity starts tomorrow.",
    .expectation = "deferred (validation-failure)",
    .run = bad_cert(cert_kind::not_yet_valid, "validation-failure"),
}};

sender_case wrong_name{{
    .id = "certs.wrong-name",
    .requirements = {"PFX-12", "PFX-14", "PFX-15", "STS-4.2-02", "NAME-6.2.1-01", "RPT-4.3-02"},
    .profile = profile::proposal,
    .description = "X-13: the only MX is starttls-mx1 (signed zone) and presents a CA-issued, current "
                   "certificate for other-starttls-mx1 in the same domain.",
    .expectation = "deferred (certificate-host-mismatch)",
    .run = bad_cert(cert_kind::wrong_name, "certificate-host-mismatch"),
}};

sender_case cn_only{{
    .id = "certs.cn-only",
    .requirements = {"PFX-12", "PFX-14", "PFX-15", "NAME-6.4.4-01", "STS-4.2-02"},
    .profile = profile::proposal,
    .description = "X-14: the only MX is starttls-mx1 (signed zone) and presents a CA-issued certificate with "
                   "its name only in the subject CN, no subjectAltName.",
    .expectation = "deferred (certificate-host-mismatch): the CN-ID is not used",
    .run = bad_cert(cert_kind::cn_only, "certificate-host-mismatch"),
}};

sender_case wildcard{{
    .id = "certs.wildcard",
    .requirements = {"PFX-12", "NAME-6.4.3-01", "NAME-6.4.3-02"},
    .profile = profile::proposal,
    .description = "X-15: the only MX is starttls-mx1 (signed zone) and presents a CA-issued certificate for "
                   "*.<case domain> (one whole left-most label).",
    .expectation = "delivered over verified TLS",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      s.build({.hosts = {{.label = "starttls-mx1", .cert = cert_kind::wildcard}}});
      auto const a = co_await s.send();
      co_return judge(a, {.pass = {o::verified_tls}});
    },
}};

sender_case wildcard_two_labels{{
    .id = "certs.wildcard-two-labels",
    .requirements = {"PFX-12", "PFX-14", "NAME-6.4.3-02", "RPT-4.3-02"},
    .profile = profile::proposal,
    .description = "X-15 (bad wildcard): the only MX is starttls-mx1.sub.<case domain> (signed zone) and "
                   "presents a CA-issued certificate for *.<case domain>, which would need the wildcard to span "
                   "two labels.",
    .expectation = "deferred (certificate-host-mismatch)",
    .run = [](case_context& ctx) -> awaitable<case_result> {
      scene s(ctx);
      peer_script p;
      // issued for the parent's wildcard: "*.<domain>" (cert_kind::wildcard of a direct child)
      p.chains = {s.w().pki().chain("starttls-mx1." + s.domain(), cert_kind::wildcard)};
      s.build({.hosts = {{.label = "starttls-mx1.sub", .smtp = p, .verifiable = false}}});
      auto const a = co_await s.send();
      // [NAME-6.4.3-02] a wildcard matches exactly one label.
      co_return judge(a, {.pass = {o::deferred}, .result_type = "certificate-host-mismatch"});
    },
}};

}  // namespace
}  // namespace mxtls::conformance::sender
