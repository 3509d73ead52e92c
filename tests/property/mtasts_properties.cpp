// Properties of the MTA-STS and TLSRPT parsers: parse(print(policy)) == policy, LF/CRLF
// equivalence, first-duplicate-wins, TXT string splitting and foreign records never change
// the selected record, and every parser is total on arbitrary bytes.
// STS-3.1-08..10, STS-3.2-04/05/16, STS-4.1-03, RPT-3-06..08.
#include "mxtls/spec/mtasts/policy.hpp"
#include "mxtls/spec/mtasts/record.hpp"
#include "mxtls/spec/tlsrpt/record.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

namespace {

namespace dns = mxtls::spec::dns;
namespace mtasts = mxtls::spec::mtasts;
namespace tlsrpt = mxtls::spec::tlsrpt;

rc::Gen<std::string> gen_label() {
  return rc::gen::element<std::string>("mx", "mx1", "mail", "a", "b-c", "x9", "xn--bcher-kva", "backupmx");
}
rc::Gen<std::string> gen_domain() {
  return rc::gen::exec([] {
    auto const labels = *rc::gen::container<std::vector<std::string>>(*rc::gen::inRange(0, 3), gen_label());
    std::string out;
    for (auto const& l : labels) out += l + ".";
    return out + *rc::gen::element<std::string>("example", "example.com", "example.net", "com");
  });
}

rc::Gen<mtasts::policy> gen_policy() {
  return rc::gen::exec([] {
    mtasts::policy p;
    p.mode = *rc::gen::element(mtasts::policy_mode::enforce, mtasts::policy_mode::testing, mtasts::policy_mode::none);
    p.max_age = *rc::gen::inRange<std::uint32_t>(0, mtasts::max_max_age + 1);
    auto const n = *rc::gen::inRange(p.mode == mtasts::policy_mode::none ? 0 : 1, 5);
    for (int i = 0; i < n; ++i) p.mx.push_back(dns::name_pattern{*rc::gen::arbitrary<bool>(), *gen_domain()});
    return p;
  });
}

std::string to_lf(std::string const& s) {
  std::string out;
  for (char c : s) {
    if (c != '\r') out.push_back(c);
  }
  return out;
}

RC_GTEST_PROP(MtaStsProperties, ParsePrintIsIdentity, ()) {
  auto const p = *gen_policy();
  auto const back = mtasts::parse_policy(mtasts::print_policy(p));
  RC_ASSERT(bool(back));
  RC_ASSERT(*back == p);
}

RC_GTEST_PROP(MtaStsProperties, LfAndCrlfBodiesParseTheSame, ()) {
  auto const text = mtasts::print_policy(*gen_policy());
  auto const lf = to_lf(text);
  bool const drop_final = *rc::gen::arbitrary<bool>();
  auto const a = mtasts::parse_policy(text);
  auto const b = mtasts::parse_policy(drop_final ? lf.substr(0, lf.size() - 1) : lf);
  RC_ASSERT(bool(a) && bool(b));
  RC_ASSERT(*a == *b);
}

RC_GTEST_PROP(MtaStsProperties, FirstDuplicateWins, ()) {
  auto const p = *gen_policy();
  auto const other_mode = *rc::gen::element<std::string>("enforce", "testing", "none");
  auto const other_age = *rc::gen::inRange<std::uint32_t>(0, mtasts::max_max_age + 1);
  auto const text = mtasts::print_policy(p) + "mode: " + other_mode + "\r\nmax_age: " + std::to_string(other_age) +
                    "\r\nversion: STSv1\r\n";
  auto const back = mtasts::parse_policy(text);
  RC_ASSERT(bool(back));
  RC_ASSERT(*back == p);
}

RC_GTEST_PROP(MtaStsProperties, PolicyParserIsTotal, (std::string bytes)) {
  auto const r = mtasts::parse_policy(bytes);
  if (!r) {
    RC_ASSERT(r.error().offset <= bytes.size());
    RC_ASSERT(!r.error().requirement.empty());
    return;
  }
  RC_ASSERT(r->max_age <= mtasts::max_max_age);
  RC_ASSERT(r->mode == mtasts::policy_mode::none || !r->mx.empty());
  RC_ASSERT(mtasts::parse_policy(mtasts::print_policy(*r)).value() == *r);
}

RC_GTEST_PROP(MtaStsProperties, WildcardMxCoversExactlyOneLabel, ()) {
  auto const base = *gen_domain();
  auto const x = *gen_label();
  mtasts::policy p;
  p.mx.push_back(mtasts::parse_mx_pattern("*." + base).value());
  RC_ASSERT(mtasts::mx_matches(p, x + "." + base));
  RC_ASSERT(!mtasts::mx_matches(p, base));
  RC_ASSERT(!mtasts::mx_matches(p, *gen_label() + "." + x + "." + base));
}

/// A valid sts-id: 1*32(ALPHA / DIGIT).
rc::Gen<std::string> gen_id() {
  return rc::gen::exec([] {
    auto const n = *rc::gen::inRange<std::size_t>(1, 33);
    return *rc::gen::container<std::string>(n, rc::gen::elementOf(std::string("abcxyzABCXYZ0189")));
  });
}

/// Splits `s` into 1..4 character-strings at arbitrary points.
rc::Gen<dns::txt_strings> gen_split(std::string const& s) {
  return rc::gen::exec([s] {
    dns::txt_strings out;
    std::size_t pos = 0;
    auto const cuts = *rc::gen::inRange(0, 4);
    for (int i = 0; i < cuts && pos < s.size(); ++i) {
      auto const n = *rc::gen::inRange<std::size_t>(0, s.size() - pos + 1);
      out.push_back(s.substr(pos, n));
      pos += n;
    }
    out.push_back(s.substr(pos));
    return out;
  });
}

rc::Gen<dns::txt_strings> gen_foreign_record() {
  return rc::gen::map(rc::gen::element<std::string>("v=spf1 -all", "google-site-verification=x", "v=STSv10; id=1",
                                                   "id=1; v=STSv1", "V=STSv1; id=2", "v=TLSRPTv1; rua=mailto:a@b.c", ""),
                      [](std::string s) { return dns::txt_strings{s}; });
}

RC_GTEST_PROP(MtaStsProperties, SplittingAndForeignRecordsNeverChangeTheSelection, ()) {
  auto const id = *gen_id();
  std::string const record = "v=STSv1; id=" + id + (*rc::gen::arbitrary<bool>() ? ";" : "");
  auto rrset = *rc::gen::container<std::vector<dns::txt_strings>>(gen_foreign_record());
  auto const at = *rc::gen::inRange<std::size_t>(0, rrset.size() + 1);
  rrset.insert(rrset.begin() + static_cast<std::ptrdiff_t>(at), *gen_split(record));
  auto const r = mtasts::select_sts_record(rrset);
  RC_ASSERT(bool(r));
  RC_ASSERT(r->id == id);
  rrset.push_back({"v=STSv1; id=" + id});
  auto const two = mtasts::select_sts_record(rrset);
  RC_ASSERT(!two);
  RC_ASSERT(two.error().code == mtasts::errc::multiple_sts_records);
}

RC_GTEST_PROP(MtaStsProperties, RecordParsersAreTotal, (std::string bytes)) {
  auto const a = mtasts::parse_sts_record(bytes);
  if (a) {
    RC_ASSERT(mtasts::is_sts_candidate(bytes));
    RC_ASSERT(!a->id.empty() && a->id.size() <= 32);
  } else {
    RC_ASSERT(a.error().offset <= bytes.size());
  }
  auto const b = tlsrpt::parse_tlsrpt_record(bytes);
  if (b) {
    RC_ASSERT(tlsrpt::is_tlsrpt_candidate(bytes));
  } else {
    RC_ASSERT(b.error().offset <= bytes.size());
  }
}

RC_GTEST_PROP(MtaStsProperties, PrefixedRecordsAreParsedTotally, (std::string tail)) {
  // Arbitrary bytes rarely start with the version, so also try them behind it.
  auto const a = mtasts::parse_sts_record("v=STSv1;" + tail);
  if (!a) RC_ASSERT(a.error().offset <= tail.size() + 8);
  auto const b = tlsrpt::parse_tlsrpt_record("v=TLSRPTv1; rua=" + tail);
  if (b) {
    for (auto const& u : b->rua) RC_ASSERT(u.find(':') != std::string::npos);
  } else {
    RC_ASSERT(b.error().offset <= tail.size() + 16);
  }
  auto const c = mtasts::parse_policy("version: STSv1\nmode: none\nmax_age: 1\n" + tail);
  if (c) RC_ASSERT(mtasts::parse_policy(mtasts::print_policy(*c)).value() == *c);
}

RC_GTEST_PROP(TlsRptProperties, SplittingAndForeignRecordsNeverChangeTheSelection, ()) {
  auto const local = *gen_id();
  std::string const record = "v=TLSRPTv1; rua=mailto:" + local + "@example.com";
  auto rrset = *rc::gen::container<std::vector<dns::txt_strings>>(gen_foreign_record());
  std::erase_if(rrset, [](dns::txt_strings const& rr) { return tlsrpt::is_tlsrpt_candidate(dns::concatenate(rr)); });
  auto const at = *rc::gen::inRange<std::size_t>(0, rrset.size() + 1);
  rrset.insert(rrset.begin() + static_cast<std::ptrdiff_t>(at), *gen_split(record));
  auto const r = tlsrpt::select_tlsrpt_record(rrset);
  RC_ASSERT(bool(r));
  RC_ASSERT(r->rua == std::vector<std::string>{"mailto:" + local + "@example.com"});
}

}  // namespace
