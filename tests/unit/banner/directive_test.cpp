// The strict-tls= directive: token grammar, search in greeting/EHLO replies, scope and
// coverage, checked against spec/vectors/banner.json plus printer round trips (BAN-*).
#include "mxtls/spec/banner/directive.hpp"
#include "mxtls/spec/banner/pin_store.hpp"
#include "mxtls/spec/smtp/reply.hpp"

#include "directive_vectors.hpp"
#include "vectors.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

namespace banner = mxtls::spec::banner;
namespace smtp = mxtls::spec::smtp;
namespace json = boost::json;
using mxtls::test::banner::to_json;

std::string str(json::value const& v) { return std::string(v.as_string()); }

smtp::reply parse_reply(std::string const& wire) {
  smtp::reply_parser p;
  EXPECT_EQ(p.feed(wire), wire.size());
  auto r = p.next();
  if (!r || !*r) {
    ADD_FAILURE() << "vector input is not one complete SMTP reply";
    return {};
  }
  EXPECT_EQ(p.buffered(), 0u) << "vector input holds more than one reply";
  return std::move(**r);
}

banner::strict_tls_directive must_parse(std::string const& token) {
  auto d = banner::parse_directive(token);
  if (!d) {
    ADD_FAILURE() << token << ": " << d.error().message();
    return {};
  }
  return std::move(*d);
}

json::value const& cases() {
  static json::value const doc = mxtls::test::load_vectors("banner.json");
  return doc.at("cases");
}

TEST(BannerVectors, EveryContextIsKnownAndCovered) {
  std::set<std::string> contexts;
  std::set<std::string> names;
  for (auto const& c : cases().as_array()) {
    contexts.insert(str(c.at("context")));
    EXPECT_TRUE(names.insert(str(c.at("name"))).second) << "duplicate case name " << c.at("name");
  }
  EXPECT_EQ(contexts, (std::set<std::string>{"directive", "greeting", "ehlo", "scope", "covers"}));
}

// [BAN-02..11] the token grammar, as data.
TEST(StrictTlsDirective, ParsesEveryVector) {
  int n = 0;
  for (auto const& c : cases().as_array()) {
    if (str(c.at("context")) != "directive") continue;
    ++n;
    SCOPED_TRACE(str(c.at("name")));
    auto const input = str(c.at("input"));
    auto const& expect = c.at("expect").as_object();
    auto d = banner::parse_directive(input);
    if (expect.at("valid").as_bool()) {
      ASSERT_TRUE(d) << d.error().message();
      json::object got = to_json(*d).as_object();
      got["valid"] = true;
      EXPECT_EQ(json::value(got), json::value(expect));
    } else {
      ASSERT_FALSE(d) << "accepted: " << banner::print_directive(*d);
      EXPECT_EQ(to_json(d.error()), json::value(expect)) << d.error().message();
    }
  }
  EXPECT_GE(n, 40);
}

// [BAN-01] where directives are looked for, [BAN-02] where they start, [BAN-05] one per reply.
TEST(StrictTlsDirective, FindsDirectiveInEveryReplyVector) {
  int n = 0;
  for (auto const& c : cases().as_array()) {
    auto const ctx = str(c.at("context"));
    if (ctx != "greeting" && ctx != "ehlo") continue;
    ++n;
    SCOPED_TRACE(str(c.at("name")));
    auto const kind = ctx == "greeting" ? banner::reply_kind::greeting : banner::reply_kind::ehlo;
    auto const& expect = c.at("expect").as_object();
    auto found = banner::find_directive(parse_reply(str(c.at("input"))), kind);
    if (expect.at("valid").as_bool()) {
      ASSERT_TRUE(found) << found.error().message();
      json::value const got = *found ? to_json(**found) : json::value(nullptr);
      EXPECT_EQ(got, expect.at("directive"));
    } else {
      ASSERT_FALSE(found);
      EXPECT_EQ(to_json(found.error()), json::value(expect)) << found.error().message();
    }
  }
  EXPECT_GE(n, 20);
}

// Beast's parsegrind: the reply vectors give the same reply, and so the same directive
// verdict, however the bytes are split.
TEST(StrictTlsDirective, ReplyVectorsGiveTheSameVerdictAtEverySplit) {
  for (auto const& c : cases().as_array()) {
    auto const ctx = str(c.at("context"));
    if (ctx != "greeting" && ctx != "ehlo") continue;
    SCOPED_TRACE(str(c.at("name")));
    auto const kind = ctx == "greeting" ? banner::reply_kind::greeting : banner::reply_kind::ehlo;
    auto const wire = str(c.at("input"));
    auto const whole = parse_reply(wire);
    auto const verdict = [&](smtp::reply const& r) {
      auto const found = banner::find_directive(r, kind);
      if (!found) return to_json(found.error());
      return *found ? to_json(**found) : json::value(nullptr);
    };
    auto const expected = verdict(whole);
    for (std::size_t split = 0; split <= wire.size(); ++split) {
      smtp::reply_parser p;
      p.feed(std::string_view(wire).substr(0, split));
      p.feed(std::string_view(wire).substr(split));
      auto r = p.next();
      ASSERT_TRUE(r && *r) << "split at " << split;
      ASSERT_EQ(**r, whole) << "split at " << split;
      EXPECT_EQ(verdict(**r), expected) << "split at " << split;
    }
  }
}

// [BAN-12] scope and [BAN-13] coverage, as data.
TEST(StrictTlsDirective, ScopeAndCoverageMatchEveryVector) {
  int n = 0;
  for (auto const& c : cases().as_array()) {
    auto const ctx = str(c.at("context"));
    if (ctx != "scope" && ctx != "covers") continue;
    ++n;
    SCOPED_TRACE(str(c.at("name")));
    auto const d = must_parse(str(c.at("input")));
    auto const host = str(c.at("host"));
    if (ctx == "scope") {
      EXPECT_EQ(banner::in_scope(d, host), c.at("expect").at("in_scope").as_bool());
    } else {
      banner::pin const p{d.pattern, d.include_subdomains, 0};
      EXPECT_EQ(banner::covers(p, host), c.at("expect").at("covers").as_bool());
    }
  }
  EXPECT_GE(n, 20);
}

TEST(StrictTlsDirective, JimmyHessExampleParses) {
  smtp::reply const greeting{
      220, {"  smtp.example.com \"Welcome to the example.com SMTP Server\" strict-tls=*.example.com;  "
            "max-age=604800; includeSubDomains"}};
  auto found = banner::find_directive(greeting, banner::reply_kind::greeting);
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  auto const& d = **found;
  EXPECT_EQ(d.pattern, (mxtls::spec::dns::name_pattern{true, "example.com"}));
  EXPECT_EQ(d.max_age, 604800u);
  EXPECT_TRUE(d.include_subdomains);
  EXPECT_TRUE(d.extensions.empty());
}

// [BAN-04] keywords in any case, pattern lower-cased; [BAN-08] unknown attributes kept as received.
TEST(StrictTlsDirective, PrintsCanonicalForm) {
  auto const d = must_parse("STRICT-TLS=*.Example.COM;includesubdomains ;MAX-AGE=0000000060; Report=a=b; flag;");
  EXPECT_EQ(banner::print_directive(d), "strict-tls=*.example.com; max-age=60; includeSubDomains; Report=a=b; flag");
}

TEST(StrictTlsDirective, PrintThenParseIsIdentityForEveryValidVector) {
  for (auto const& c : cases().as_array()) {
    if (str(c.at("context")) != "directive" || !c.at("expect").at("valid").as_bool()) continue;
    SCOPED_TRACE(str(c.at("name")));
    auto const d = must_parse(str(c.at("input")));
    auto const again = banner::parse_directive(banner::print_directive(d));
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_EQ(*again, d);
  }
}

// [BAN-02] a directive extends to the end of its line, not into the next one.
TEST(StrictTlsDirective, TokenRunsToEndOfLineOnly) {
  // The directive ends with its line: the next line's text is not an attribute.
  smtp::reply const greeting{220, {"mx1.example.com strict-tls=*.example.com; max-age=60", "includeSubDomains"}};
  auto found = banner::find_directive(greeting, banner::reply_kind::greeting);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_FALSE((*found)->include_subdomains);
}

TEST(StrictTlsDirective, ErrorNamesTheLine) {
  smtp::reply const greeting{220, {"mx1.example.com", "x", "strict-tls=*.com; max-age=5"}};
  auto found = banner::find_directive(greeting, banner::reply_kind::greeting);
  ASSERT_FALSE(found);
  EXPECT_NE(found.error().detail.find("line 3"), std::string::npos) << found.error().detail;
  // Offsets count in the wire form: "220-mx1.example.com\r\n" (21) + "220-x\r\n" (7) + "220 " (4).
  EXPECT_EQ(found.error().offset, 21u + 7u + 4u + 16u);
}

TEST(StrictTlsDirective, EmptyEhloReplyHasNoDirective) {
  smtp::reply const ehlo{250, {}};
  auto found = banner::find_directive(ehlo, banner::reply_kind::ehlo);
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
}

// [BAN-12] only a host name can be in scope.
TEST(StrictTlsDirective, InScopeRejectsHostsThatAreNotHostNames) {
  auto const d = must_parse("strict-tls=*.example.com; max-age=60");
  for (char const* host : {"", ".", "*.example.com", ".example.com", "a..example.com", "a_b.example.com",
                           "mx1.example.com..", "-a.example.com"}) {
    SCOPED_TRACE(host);
    EXPECT_FALSE(banner::in_scope(d, host));
  }
}

}  // namespace
