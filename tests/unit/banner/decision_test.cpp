// The transport rule for received strict-tls directives: an exhaustive golden table over
// source x channel authentication x scope (BAN-12, BAN-14).
#include "mxtls/spec/banner/directive.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <tuple>

namespace {

namespace banner = mxtls::spec::banner;
using banner::channel_auth;
using banner::directive_source;
using banner::honour_action;
using banner::honour_reason;

struct row {
  directive_source source;
  channel_auth auth;
  bool in_scope;
  honour_action action;
  honour_reason reason;
  char const* requirement;
};

constexpr auto ps = directive_source::plaintext_greeting;
constexpr auto pe = directive_source::plaintext_ehlo;
constexpr auto tg = directive_source::tls_greeting;
constexpr auto te = directive_source::tls_ehlo;
constexpr auto none = channel_auth::none;
constexpr auto unver = channel_auth::unverified;
constexpr auto ver = channel_auth::verified;
constexpr auto accept = honour_action::accept;
constexpr auto ignore = honour_action::ignore;

// source                auth   scope  action  reason                                  requirement
constexpr row golden[] = {
    {ps, none,  true,  ignore, honour_reason::plaintext,               "BAN-14"},
    {ps, none,  false, ignore, honour_reason::plaintext,               "BAN-14"},
    {ps, unver, true,  ignore, honour_reason::plaintext,               "BAN-14"},
    {ps, unver, false, ignore, honour_reason::plaintext,               "BAN-14"},
    {ps, ver,   true,  ignore, honour_reason::plaintext,               "BAN-14"},
    {ps, ver,   false, ignore, honour_reason::plaintext,               "BAN-14"},
    {pe, none,  true,  ignore, honour_reason::plaintext,               "BAN-14"},
    {pe, none,  false, ignore, honour_reason::plaintext,               "BAN-14"},
    {pe, unver, true,  ignore, honour_reason::plaintext,               "BAN-14"},
    {pe, unver, false, ignore, honour_reason::plaintext,               "BAN-14"},
    {pe, ver,   true,  ignore, honour_reason::plaintext,               "BAN-14"},
    {pe, ver,   false, ignore, honour_reason::plaintext,               "BAN-14"},
    {tg, none,  true,  ignore, honour_reason::channel_unauthenticated, "BAN-14"},
    {tg, none,  false, ignore, honour_reason::channel_unauthenticated, "BAN-14"},
    {tg, unver, true,  ignore, honour_reason::certificate_unverified,  "BAN-14"},
    {tg, unver, false, ignore, honour_reason::certificate_unverified,  "BAN-14"},
    {tg, ver,   true,  accept, honour_reason::accepted,                "BAN-14"},
    {tg, ver,   false, ignore, honour_reason::out_of_scope,            "BAN-12"},
    {te, none,  true,  ignore, honour_reason::channel_unauthenticated, "BAN-14"},
    {te, none,  false, ignore, honour_reason::channel_unauthenticated, "BAN-14"},
    {te, unver, true,  ignore, honour_reason::certificate_unverified,  "BAN-14"},
    {te, unver, false, ignore, honour_reason::certificate_unverified,  "BAN-14"},
    {te, ver,   true,  accept, honour_reason::accepted,                "BAN-14"},
    {te, ver,   false, ignore, honour_reason::out_of_scope,            "BAN-12"},
};

banner::strict_tls_directive directive() {
  return banner::strict_tls_directive{{true, "example.com"}, 604800, true, {}};
}

TEST(DirectiveTransport, GoldenTableCoversEveryCombinationOnce) {
  std::set<std::tuple<int, int, bool>> seen;
  for (auto const& r : golden) seen.emplace(static_cast<int>(r.source), static_cast<int>(r.auth), r.in_scope);
  EXPECT_EQ(seen.size(), std::size(golden));
  EXPECT_EQ(seen.size(), 4u * 3u * 2u);
}

TEST(DirectiveTransport, DecisionsMatchGoldenTable) {
  auto const d = directive();
  for (auto const& r : golden) {
    char const* host = r.in_scope ? "mx1.example.com" : "mx1.example.net";
    SCOPED_TRACE(std::string(banner::to_string(r.source)) + " / " + std::string(banner::to_string(r.auth)) + " / " +
                 host);
    auto const got = banner::decide_directive(d, host, r.source, r.auth);
    EXPECT_EQ(got.action, r.action);
    EXPECT_EQ(got.reason, r.reason) << banner::to_string(got.reason);
    EXPECT_EQ(got.requirement, r.requirement);
  }
}

TEST(DirectiveTransport, OnlyVerifiedTlsEverAccepts) {
  auto const d = directive();
  for (auto const& r : golden) {
    auto const got = banner::decide_directive(d, "mx1.example.com", r.source, r.auth);
    bool const tls = r.source == tg || r.source == te;
    EXPECT_EQ(got.action == accept, tls && r.auth == ver);
  }
}

TEST(DirectiveTransport, RemovalNeedsTheSameProtectionAsAPin) {
  // max-age=0 is honoured under exactly the same conditions: a plaintext attacker must
  // not be able to unpin a domain.
  auto d = directive();
  d.max_age = 0;
  EXPECT_EQ(banner::decide_directive(d, "mx1.example.com", ps, none).action, ignore);
  EXPECT_EQ(banner::decide_directive(d, "mx1.example.com", te, unver).action, ignore);
  EXPECT_EQ(banner::decide_directive(d, "mx1.example.com", te, ver).action, accept);
}

}  // namespace
