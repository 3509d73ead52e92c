// Properties of host names, name patterns and TXT presentation format: the one-label
// wildcard rule, case-insensitivity, printer round trips and totality on arbitrary bytes.
// NAME-2.3.1-01, NAME-2.3.4-01/02, NAME-3.1-01/02, NAME-6.4.3-01..03, NAME-5.1-01.
#include "mxtls/spec/dns/name.hpp"
#include "mxtls/spec/dns/txt.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

namespace {

namespace dns = mxtls::spec::dns;

const std::string letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const std::string alnum = letters + "0123456789";
const std::string ldh = alnum + "-";

rc::Gen<char> gen_from(std::string const& alphabet) { return rc::gen::elementOf(alphabet); }

/// Any valid LDH label: 1..63 octets, letters/digits/hyphen, no hyphen at either end.
rc::Gen<std::string> gen_label() {
  return rc::gen::exec([] {
    auto const len = *rc::gen::inRange<std::size_t>(1, 64);
    std::string s;
    s.push_back(*gen_from(alnum));
    while (s.size() + 1 < len) s.push_back(*gen_from(ldh));
    if (len > 1) s.push_back(*gen_from(alnum));
    return s;
  });
}

/// A valid right-most label: not all digits (NAME-2-01).
rc::Gen<std::string> gen_top_label() {
  return rc::gen::exec([] {
    auto s = *gen_label();
    s[0] = *gen_from(letters);
    return s;
  });
}

/// A valid host name of 1..4 labels, at most 253 octets.
rc::Gen<std::string> gen_hostname() {
  return rc::gen::exec([] {
    auto const n = *rc::gen::inRange(0, 4);
    std::string out;
    for (int i = 0; i < n; ++i) {
      auto const l = *gen_label();
      if (out.size() + l.size() + 1 > 190) break;
      out += l + ".";
    }
    return out + *gen_top_label();
  });
}

std::string flip_case(std::string s, std::vector<bool> const& flips) {
  for (std::size_t i = 0; i < s.size() && i < flips.size(); ++i) {
    char& c = s[i];
    if (!flips[i]) continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    else if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

RC_GTEST_PROP(NameProperties, WildcardMatchesEveryOneLabelChildAndNothingElse, ()) {
  auto const base = *gen_hostname();
  auto const x = *gen_label();
  auto const y = *gen_label();
  dns::name_pattern const p = dns::parse_name_pattern("*." + base).value();
  RC_ASSERT(dns::matches(p, x + "." + base));
  RC_ASSERT(dns::matches(p, x + "." + base + "."));
  RC_ASSERT(!dns::matches(p, base));
  RC_ASSERT(!dns::matches(p, y + "." + x + "." + base));
  RC_ASSERT(!dns::matches(p, x + base));
}

RC_GTEST_PROP(NameProperties, ExactPatternMatchesOnlyItself, ()) {
  auto const name = *gen_hostname();
  auto const x = *gen_label();
  dns::name_pattern const p = dns::parse_name_pattern(name).value();
  RC_ASSERT(dns::matches(p, name));
  RC_ASSERT(!dns::matches(p, x + "." + name));
  RC_ASSERT(!dns::matches(p, name.substr(1)));
}

RC_GTEST_PROP(NameProperties, MatchingIsCaseInsensitive, (std::vector<bool> host_flips, std::vector<bool> pattern_flips)) {
  auto const base = *gen_hostname();
  bool const wildcard = *rc::gen::arbitrary<bool>();
  auto const host = *rc::gen::oneOf(rc::gen::just(base), rc::gen::map(gen_label(), [&](std::string l) { return l + "." + base; }),
                                    gen_hostname());
  std::string const text = (wildcard ? "*." : "") + base;
  auto const p1 = dns::parse_name_pattern(text).value();
  auto const p2 = dns::parse_name_pattern(flip_case(text, pattern_flips)).value();
  RC_ASSERT(p1 == p2);
  RC_ASSERT(dns::matches(p1, host) == dns::matches(p1, flip_case(host, host_flips)));
}

RC_GTEST_PROP(NameProperties, PatternToStringRoundTrips, ()) {
  dns::name_pattern const p{*rc::gen::arbitrary<bool>(), dns::normalize(*gen_hostname())};
  auto const back = dns::parse_name_pattern(p.to_string());
  RC_ASSERT(bool(back));
  RC_ASSERT(*back == p);
}

RC_GTEST_PROP(NameProperties, ParsedHostnamesAreCanonicalAndIdempotent, (std::string bytes)) {
  auto const r = dns::parse_hostname(bytes, {.allow_trailing_dot = *rc::gen::arbitrary<bool>()});
  if (!r) {
    RC_ASSERT(r.error().offset <= bytes.size());
    RC_ASSERT(!r.error().requirement.empty());
    return;
  }
  RC_ASSERT(r->size() <= dns::max_name_octets);
  RC_ASSERT(*r == dns::normalize(*r));
  RC_ASSERT(dns::parse_hostname(*r).value() == *r);
}

RC_GTEST_PROP(NameProperties, GeneratedHostnamesAreValid, ()) {
  auto const name = *gen_hostname();
  auto const r = dns::parse_hostname(name);
  RC_ASSERT(bool(r));
  RC_ASSERT(*r == dns::normalize(name));
}

RC_GTEST_PROP(NameProperties, PatternParserIsTotal, (std::string bytes)) {
  auto const r = dns::parse_name_pattern(bytes, {.min_wildcard_base_labels = *rc::gen::inRange<std::size_t>(1, 3)});
  if (r) {
    RC_ASSERT(dns::parse_name_pattern(r->to_string()).value() == *r);
  } else {
    RC_ASSERT(r.error().offset <= bytes.size());
  }
}

RC_GTEST_PROP(TxtProperties, PrintThenParseIsIdentity, ()) {
  auto const strings = *rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(
      rc::gen::resize(255, rc::gen::container<std::string>(rc::gen::arbitrary<char>()))));
  for (auto const& s : strings) RC_PRE(s.size() <= dns::max_character_string_octets);
  auto const printed = dns::print_txt(strings);
  auto const back = dns::parse_txt_presentation(printed);
  RC_ASSERT(bool(back));
  RC_ASSERT(*back == strings);
}

RC_GTEST_PROP(TxtProperties, RrsetParserIsTotal, (std::string bytes)) {
  auto const r = dns::parse_txt_rrset(bytes);
  if (!r) {
    RC_ASSERT(r.error().offset <= bytes.size());
    return;
  }
  for (auto const& rr : *r) {
    RC_ASSERT(!rr.empty());
    for (auto const& s : rr) RC_ASSERT(s.size() <= dns::max_character_string_octets);
  }
}

}  // namespace
