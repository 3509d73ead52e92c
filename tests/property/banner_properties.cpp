// Properties of the banner directive, MX prefixes, pin store and TLSA parsers: printer
// round trips, case-insensitivity, scope never reaching outside the pattern's base, pins
// that never relax, and totality on arbitrary bytes (BAN-*, PFX-*, DANE-3.1-01).
#include "mxtls/spec/banner/directive.hpp"
#include "mxtls/spec/banner/pin_store.hpp"
#include "mxtls/spec/dane/tlsa.hpp"
#include "mxtls/spec/prefix/mx_prefix.hpp"
#include "mxtls/spec/smtp/reply.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cctype>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace banner = mxtls::spec::banner;
namespace dane = mxtls::spec::dane;
namespace dns = mxtls::spec::dns;
namespace prefix = mxtls::spec::prefix;
namespace smtp = mxtls::spec::smtp;

// Small alphabets so that generated names collide, overlap and nest often.
rc::Gen<std::string> gen_label() {
  return rc::gen::element<std::string>("a", "b", "mx", "mx1", "mail", "ex-ample", "x1", "c0m", "xn--bcher-kva");
}
rc::Gen<std::string> gen_top_label() { return rc::gen::element<std::string>("com", "example", "net", "org"); }

/// A host name of 1..3 labels below a top label: "mx1.example", "a.b.com".
rc::Gen<std::string> gen_base() {
  return rc::gen::exec([] {
    auto const labels = *rc::gen::container<std::vector<std::string>>(*rc::gen::inRange(1, 4), gen_label());
    std::string out;
    for (auto const& l : labels) out += l + ".";
    return out + *gen_top_label();
  });
}

rc::Gen<dns::name_pattern> gen_pattern() {
  return rc::gen::exec([] { return dns::name_pattern{*rc::gen::arbitrary<bool>(), *gen_base()}; });
}

/// Hosts near `base`: the base itself, 1..3 labels below it, or a name elsewhere.
rc::Gen<std::string> gen_host_near(std::string const& base) {
  return rc::gen::exec([base] {
    switch (*rc::gen::inRange(0, 4)) {
      case 0: return base;
      case 1: return *gen_label() + "." + base;
      case 2: return *gen_label() + "." + *gen_label() + "." + base;
      default: return *gen_base();
    }
  });
}

rc::Gen<std::string> gen_ext_value() {
  return rc::gen::exec([] {
    auto chars = *rc::gen::container<std::string>(*rc::gen::inRange(0, 8), rc::gen::inRange<char>(0x21, 0x7f));
    for (char& c : chars)
      if (c == ';') c = ':';
    return chars;
  });
}

rc::Gen<banner::strict_tls_directive> gen_directive() {
  return rc::gen::exec([] {
    banner::strict_tls_directive d;
    d.pattern = *gen_pattern();
    d.max_age = *rc::gen::inRange<std::uint32_t>(0, banner::max_max_age + 1);
    d.include_subdomains = *rc::gen::arbitrary<bool>();
    // Extension names are distinct (case-insensitively) and not the known attributes.
    for (char const* name : {"report", "x_flag", "Foo", "v2", "rua", "a-b"})
      if (*rc::gen::inRange(0, 4) == 0) d.extensions.emplace_back(name, *gen_ext_value());
    return d;
  });
}

std::string flip_case(std::string s, std::vector<bool> const& flips) {
  for (std::size_t i = 0; i < s.size() && i < flips.size(); ++i) {
    if (!flips[i]) continue;
    auto const u = static_cast<unsigned char>(s[i]);
    s[i] = static_cast<char>(std::islower(u) ? std::toupper(u) : std::tolower(u));
  }
  return s;
}

bool at_or_below(std::string const& host, std::string const& base) {
  std::string const h = dns::normalize(host);
  return h == base || (h.size() > base.size() && h.compare(h.size() - base.size(), base.size(), base) == 0 &&
                       h[h.size() - base.size() - 1] == '.');
}

RC_GTEST_PROP(BannerProperties, ParseOfPrintIsIdentity, ()) {
  auto const d = *gen_directive();
  auto const text = banner::print_directive(d);
  auto const back = banner::parse_directive(text);
  RC_ASSERT(back.has_value());
  bool const same = *back == d;
  RC_ASSERT(same);
}

RC_GTEST_PROP(BannerProperties, KeywordsAndPatternAreCaseInsensitive, (std::vector<bool> flips)) {
  auto d = *gen_directive();
  d.extensions.clear();  // extension names and values are kept as received
  auto const text = banner::print_directive(d);
  auto const back = banner::parse_directive(flip_case(text, flips));
  RC_ASSERT(back.has_value());
  bool const same = *back == d;
  RC_ASSERT(same);
}

RC_GTEST_PROP(BannerProperties, FindDirectiveAgreesWithParseDirective, ()) {
  auto const d = *gen_directive();
  auto const lead = *rc::gen::element<std::string>("", "mx1.example.com ", "  ESMTP\t", "hi \"x\" ");
  smtp::reply const greeting{220, {"mx1.example.com ESMTP", lead + banner::print_directive(d)}};
  auto const found = banner::find_directive(greeting, banner::reply_kind::greeting);
  RC_ASSERT(found.has_value());
  RC_ASSERT(found->has_value());
  bool const same = **found == d;
  RC_ASSERT(same);
  // The same line as the second line of an EHLO reply is never looked at.
  smtp::reply const ehlo{250, {"mx1.example.com", greeting.lines[1]}};
  auto const none = banner::find_directive(ehlo, banner::reply_kind::ehlo);
  RC_ASSERT(none.has_value());
  RC_ASSERT(!none->has_value());
}

RC_GTEST_PROP(BannerProperties, InScopeNeverReachesOutsideThePatternBase, ()) {
  auto const d = *gen_directive();
  auto const host = *gen_host_near(d.pattern.base);
  if (banner::in_scope(d, host)) {
    RC_ASSERT(at_or_below(host, d.pattern.base));
    RC_ASSERT(dns::matches(d.pattern, host));
  }
}

RC_GTEST_PROP(BannerProperties, CoverageStaysUnderTheBase, ()) {
  auto const d = *gen_directive();
  banner::pin const p{d.pattern, d.include_subdomains, 1};
  auto const host = *gen_host_near(d.pattern.base);
  // [BAN-13] coverage never leaves the base; "*.B" never covers B; the pattern's own
  // matches are always covered.
  if (banner::covers(p, host)) RC_ASSERT(at_or_below(host, d.pattern.base));
  if (d.pattern.wildcard) RC_ASSERT(!banner::covers(p, d.pattern.base));
  if (dns::matches(d.pattern, host)) RC_ASSERT(banner::covers(p, host));
}

/// A store built from in-scope directives received from generated hosts.
banner::pin_store gen_store_at(banner::unix_seconds now) {
  banner::pin_store store;
  auto const n = *rc::gen::inRange(0, 8);
  for (int i = 0; i < n; ++i) {
    auto const d = *gen_directive();
    auto const host = d.pattern.wildcard ? *gen_label() + "." + d.pattern.base : d.pattern.base;
    store.apply(d, host, now - *rc::gen::inRange<banner::unix_seconds>(0, 1000));
  }
  return store;
}

// [BAN-20] for the cache: learning a pin never weakens the protection other pins give.
RC_GTEST_PROP(BannerProperties, ApplyingAPinNeverUncoversOtherPatterns, ()) {
  banner::unix_seconds const now = 1'700'000'000;
  auto store = gen_store_at(now);
  auto d = *gen_directive();
  if (d.max_age == 0) d.max_age = 1;
  auto const host = d.pattern.wildcard ? *gen_label() + "." + d.pattern.base : d.pattern.base;
  // Probe hosts near every stored pin and near the new pattern.
  auto probes = *rc::gen::container<std::vector<std::string>>(4, gen_host_near(d.pattern.base));
  for (auto const& p : store.pins()) probes.push_back(*gen_host_near(p.pattern.base));

  std::vector<std::optional<banner::pin>> before;
  for (auto const& x : probes) before.push_back(store.find_covering(x, now));
  RC_ASSERT(store.apply(d, host, now) != banner::apply_outcome::out_of_scope);
  RC_ASSERT(store.find_covering(host, now).has_value());  // the sender's own host is now pinned
  for (std::size_t i = 0; i < probes.size(); ++i) {
    if (!before[i] || before[i]->pattern == d.pattern) continue;
    // A pin under another pattern still covers the host, at least as long as before.
    auto const after = store.find_covering(probes[i], now);
    RC_ASSERT(after.has_value());
    RC_ASSERT(after->expires_at >= before[i]->expires_at);
  }
}

RC_GTEST_PROP(BannerProperties, ExpiredPinsNeverCover, ()) {
  banner::unix_seconds const now = 1'700'000'000;
  auto const store = gen_store_at(now);
  auto const later = now + *rc::gen::inRange<banner::unix_seconds>(0, 2 * banner::max_max_age);
  auto const host = *gen_host_near(*gen_base());
  auto const p = store.find_covering(host, later);
  if (p) {
    RC_ASSERT(p->expires_at > later);
    RC_ASSERT(banner::covers(*p, host));
  }
}

RC_GTEST_PROP(BannerProperties, StoreTextFormRoundTrips, ()) {
  auto const store = gen_store_at(*rc::gen::inRange<banner::unix_seconds>(-1000, 4'000'000'000));
  auto const back = banner::pin_store::deserialize(store.serialize());
  RC_ASSERT(back.has_value());
  bool const same = *back == store;
  RC_ASSERT(same);
}

RC_GTEST_PROP(PrefixProperties, ClassifyIsCaseInsensitive, (std::vector<bool> flips)) {
  auto const head = *rc::gen::element<std::string>("starttls-", "smtps-", "", "x", "smtps", "starttls");
  auto const host = head + *gen_label() + "." + *gen_base();
  auto const a = prefix::classify(host);
  auto const b = prefix::classify(flip_case(host, flips));
  RC_ASSERT(a.has_value() == b.has_value());
  if (a) RC_ASSERT(*a == *b);
}

RC_GTEST_PROP(PrefixProperties, OnlyTheLeftMostLabelCounts, ()) {
  auto const leftmost = *gen_label();
  auto const rest = *rc::gen::element<std::string>("starttls-a.", "smtps-mx.", "") + *gen_base();
  auto const got = prefix::classify(leftmost + "." + rest);
  RC_ASSERT(got.has_value());
  RC_ASSERT(*got == prefix::mx_prefix::none);
}

RC_GTEST_PROP(TotalityProperties, ArbitraryBytesNeverCrash, (std::string bytes, std::vector<std::string> lines)) {
  // Every parser returns a value or an error; printing what parses parses again.
  if (auto d = banner::parse_directive(bytes)) RC_ASSERT(banner::parse_directive(banner::print_directive(*d)).has_value());
  if (auto d = banner::parse_directive("strict-tls=" + bytes)) {
    bool const same = banner::parse_directive(banner::print_directive(*d)) == d;
    RC_ASSERT(same);
  }
  smtp::reply const r{220, lines};
  (void)banner::find_directive(r, banner::reply_kind::greeting);
  (void)banner::find_directive(smtp::reply{250, lines}, banner::reply_kind::ehlo);
  (void)prefix::classify(bytes);
  (void)banner::pin_store::deserialize(bytes);
  (void)banner::pin_store::deserialize(std::string(banner::pin_store_header) + "\n" + bytes);
  if (auto t = dane::parse_tlsa_text(bytes)) {
    bool const same = dane::parse_tlsa_text(dane::to_text(*t)) == t;
    RC_ASSERT(same);
  }
  std::vector<std::uint8_t> const raw(bytes.begin(), bytes.end());
  if (auto t = dane::parse_tlsa_rdata(raw)) {
    bool const same = dane::to_rdata(*t) == raw;
    RC_ASSERT(same);
  }
}

}  // namespace
