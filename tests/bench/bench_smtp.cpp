// Throughput of the SMTP parsers (bytes/s): the incremental reply parser on a realistic
// multi-line EHLO reply and on a stream of single-line replies, the server's line reader
// on a pipelined session, and the command parser on MAIL/RCPT lines.
#include "mxtls/spec/smtp/command.hpp"
#include "mxtls/spec/smtp/ehlo.hpp"
#include "mxtls/spec/smtp/line_reader.hpp"
#include "mxtls/spec/smtp/reply.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

namespace smtp = mxtls::spec::smtp;

std::string const ehlo_reply =
    "250-mx.example.com Hello client.example.org [192.0.2.25]\r\n"
    "250-PIPELINING\r\n"
    "250-SIZE 157286400\r\n"
    "250-ETRN\r\n"
    "250-STARTTLS\r\n"
    "250-AUTH PLAIN LOGIN\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-8BITMIME\r\n"
    "250-DSN\r\n"
    "250-SMTPUTF8\r\n"
    "250-REQUIRETLS\r\n"
    "250 CHUNKING\r\n";

std::string single_line_stream() {
  std::string s;
  for (int i = 0; i < 200; ++i) {
    s += "250 2.1.0 Sender ok\r\n";
    s += "250 2.1.5 Recipient ok\r\n";
    s += "354 End data with <CR><LF>.<CR><LF>\r\n";
    s += "250 2.0.0 Ok: queued as 4XyZ9q1Rk7z\r\n";
  }
  return s;
}

/// Parses `stream` once per iteration, `chunk` octets per feed.
void run_replies(benchmark::State& state, std::string const& stream, std::size_t chunk) {
  std::size_t replies = 0;
  for (auto _ : state) {
    smtp::reply_parser p;
    std::string_view in = stream;
    while (!in.empty()) {
      std::string_view const part = in.substr(0, chunk);
      in.remove_prefix(p.feed(part));
      while (true) {
        auto r = p.next();
        if (!r) std::abort();
        if (!*r) break;
        benchmark::DoNotOptimize(**r);
        ++replies;
      }
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(stream.size()));
  state.counters["replies/s"] = benchmark::Counter(static_cast<double>(replies), benchmark::Counter::kIsRate);
}

void BM_ReplyParserEhlo(benchmark::State& state) { run_replies(state, ehlo_reply, ehlo_reply.size()); }
BENCHMARK(BM_ReplyParserEhlo);

void BM_ReplyParserEhloPlusCapabilities(benchmark::State& state) {
  for (auto _ : state) {
    smtp::reply_parser p;
    p.feed(ehlo_reply);
    auto r = p.next();
    if (!r || !*r) std::abort();
    auto caps = smtp::parse_ehlo(**r);
    if (!caps || !caps->starttls()) std::abort();
    benchmark::DoNotOptimize(caps);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(ehlo_reply.size()));
}
BENCHMARK(BM_ReplyParserEhloPlusCapabilities);

void BM_ReplyParserSingleLineStream(benchmark::State& state) {
  static std::string const stream = single_line_stream();
  run_replies(state, stream, static_cast<std::size_t>(state.range(0)));
}
BENCHMARK(BM_ReplyParserSingleLineStream)->Arg(1)->Arg(64)->Arg(4096)->Arg(1 << 20);

void BM_LineReaderSession(benchmark::State& state) {
  std::string session = "EHLO client.example.org\r\n";
  for (int i = 0; i < 100; ++i) {
    session += "MAIL FROM:<sender@example.org> SIZE=12345 BODY=8BITMIME\r\nRCPT TO:<rcpt@example.com>\r\nDATA\r\n";
    for (int j = 0; j < 20; ++j) session += "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n";
    session += ".\r\nRSET\r\n";
  }
  session += "QUIT\r\n";
  for (auto _ : state) {
    smtp::line_reader r;
    std::string_view in = session;
    while (!in.empty()) {
      in.remove_prefix(r.feed(in.substr(0, 4096)));
      while (true) {
        auto l = r.next();
        if (!l) std::abort();
        if (!*l) break;
        if (**l == "DATA") r.set_mode(smtp::line_mode::data);
        if (**l == ".") r.set_mode(smtp::line_mode::command);
        benchmark::DoNotOptimize(**l);
      }
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(session.size()));
}
BENCHMARK(BM_LineReaderSession);

void BM_ParseCommandMailRcpt(benchmark::State& state) {
  std::string_view const lines[] = {
      "MAIL FROM:<sender.name+tag@mail.example.org> SIZE=1048576 BODY=8BITMIME REQUIRETLS",
      "RCPT TO:<recipient@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;recipient@example.com",
      "EHLO client.example.org",
  };
  std::size_t total = 0;
  for (auto l : lines) total += l.size();
  for (auto _ : state) {
    for (auto l : lines) {
      auto c = smtp::parse_command(l);
      if (!c) std::abort();
      benchmark::DoNotOptimize(c);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(total));
}
BENCHMARK(BM_ParseCommandMailRcpt);

}  // namespace
