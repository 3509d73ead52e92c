// Throughput of the MTA-STS / TLSRPT / TXT parsers in bytes per second
// (state.SetBytesProcessed). Target: policy parsing at 100 MB/s or more.
#include "mxtls/spec/dns/name.hpp"
#include "mxtls/spec/dns/txt.hpp"
#include "mxtls/spec/mtasts/policy.hpp"
#include "mxtls/spec/mtasts/record.hpp"
#include "mxtls/spec/tlsrpt/record.hpp"

#include <benchmark/benchmark.h>

#include <string>

namespace {

namespace dns = mxtls::spec::dns;
namespace mtasts = mxtls::spec::mtasts;
namespace tlsrpt = mxtls::spec::tlsrpt;

const std::string rfc_policy =
    "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
    "mx: backupmx.example.com\r\nmax_age: 604800\r\n";

// A policy near the 64 KiB limit: many mx lines and extension lines, LF terminators.
std::string large_policy() {
  std::string s = "version: STSv1\nmode: testing\nmax_age: 86400\n";
  for (int i = 0; s.size() < 60000; ++i) {
    s += "mx: mx" + std::to_string(i) + ".mail.protection.example-provider.com\n";
    s += "comment" + std::to_string(i % 7) + ": operated by the example provider, contact ops\n";
  }
  return s;
}

void bench_policy(benchmark::State& state, std::string const& body) {
  for (auto _ : state) {
    auto p = mtasts::parse_policy(body);
    benchmark::DoNotOptimize(p);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(body.size()));
}

void BM_PolicyParse_Rfc8461Example(benchmark::State& state) { bench_policy(state, rfc_policy); }
BENCHMARK(BM_PolicyParse_Rfc8461Example);

void BM_PolicyParse_Large(benchmark::State& state) {
  static const std::string body = large_policy();
  bench_policy(state, body);
}
BENCHMARK(BM_PolicyParse_Large);

void BM_PolicyParse_InvalidLate(benchmark::State& state) {
  // The whole body is read before the bad mx near the end is found.
  static const std::string body = large_policy() + "mx: 192.0.2.1\n";
  bench_policy(state, body);
}
BENCHMARK(BM_PolicyParse_InvalidLate);

void BM_StsRecordParse(benchmark::State& state) {
  std::string const rec = "v=STSv1; id=20160831085700Z; ext=some-value; other=1;";
  for (auto _ : state) {
    auto r = mtasts::parse_sts_record(rec);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(rec.size()));
}
BENCHMARK(BM_StsRecordParse);

void BM_TxtRrsetParseAndSelect(benchmark::State& state) {
  std::string const input =
      "\"v=spf1 include:_spf.example.com -all\"\n"
      "\"google-site-verification=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG\"\n"
      "\"v=STSv1; id=\" \"20160831085700Z;\"\n";
  for (auto _ : state) {
    auto rrset = dns::parse_txt_rrset(input);
    auto r = mtasts::select_sts_record(*rrset);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(input.size()));
}
BENCHMARK(BM_TxtRrsetParseAndSelect);

void BM_TxtPresentationParse_Long(benchmark::State& state) {
  std::string line;
  for (int i = 0; i < 200; ++i) line += "\"" + std::string(250, 'x') + "\\059\\\"" + "\" ";
  for (auto _ : state) {
    auto r = dns::parse_txt_presentation(line);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(line.size()));
}
BENCHMARK(BM_TxtPresentationParse_Long);

void BM_TlsRptRecordParse(benchmark::State& state) {
  std::string const rec = "v=TLSRPTv1; rua=mailto:tlsrpt@example.com, https://reports.example.com/v1/tlsrpt";
  for (auto _ : state) {
    auto r = tlsrpt::parse_tlsrpt_record(rec);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(rec.size()));
}
BENCHMARK(BM_TlsRptRecordParse);

void BM_MxMatches(benchmark::State& state) {
  static const mtasts::policy p = mtasts::parse_policy(rfc_policy).value();
  std::string const host = "mx7.example.net.";
  for (auto _ : state) {
    benchmark::DoNotOptimize(mtasts::mx_matches(p, host));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_MxMatches);

}  // namespace
