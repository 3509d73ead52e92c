// Properties of the SMTP parsers: reply and command printers round-trip, EHLO replies
// round-trip through the reply parser, chunking never changes what the incremental
// parsers report, and arbitrary bytes always give a value or an error
// (SMTP-4.2-01, SMTP-4.1.1-*, SMTP-4.1.2-*, SMTP-2.3.8-02, SMTP-4.1.1.1-02, TLS-4-10/11).
#include "mxtls/spec/smtp/command.hpp"
#include "mxtls/spec/smtp/ehlo.hpp"
#include "mxtls/spec/smtp/line_reader.hpp"
#include "mxtls/spec/smtp/reply.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

namespace smtp = mxtls::spec::smtp;
using mxtls::spec::parse_error;

// ---- generators -------------------------------------------------------------------

rc::Gen<std::uint16_t> gen_reply_code() {
  return rc::gen::exec([] {
    return static_cast<std::uint16_t>(*rc::gen::inRange(2, 6) * 100 + *rc::gen::inRange(0, 6) * 10 + *rc::gen::inRange(0, 10));
  });
}

/// Reply text: HTAB, printable ASCII and 8-bit octets [SMTP-4.2-06], never CR/LF/controls.
rc::Gen<std::string> gen_reply_text() {
  return rc::gen::container<std::string>(rc::gen::oneOf(
      rc::gen::element('\t', ' ', '-', '.', '2', '5', '0'), rc::gen::inRange<char>(0x21, 0x7f),
      rc::gen::map(rc::gen::inRange(0x80, 0x100), [](int c) { return static_cast<char>(c); })));
}

rc::Gen<smtp::reply> gen_reply() {
  return rc::gen::exec([] {
    smtp::reply r;
    r.code = *gen_reply_code();
    int const n = *rc::gen::inRange(1, 9);
    for (int i = 0; i < n; ++i) {
      std::string t = *gen_reply_text();
      if (t.size() > 200) t.resize(200);
      r.lines.push_back(std::move(t));
    }
    return r;
  });
}

rc::Gen<std::string> gen_label() {
  return rc::gen::element<std::string>("a", "mx", "mx1", "mail", "ex-ample", "1", "x1", "xn--bcher-kva", "Example", "COM");
}

rc::Gen<std::string> gen_domain() {
  return rc::gen::exec([] {
    auto const labels = *rc::gen::container<std::vector<std::string>>(*rc::gen::inRange(1, 4), gen_label());
    std::string out;
    for (auto const& l : labels) out += (out.empty() ? "" : ".") + l;
    return out;
  });
}

rc::Gen<std::string> gen_literal() {
  return rc::gen::element<std::string>("[192.0.2.1]", "[0.0.0.0]", "[IPv6:2001:db8::1]", "[IPv6:::1]",
                                       "[IPv6:1:2:3:4:5:6:7:8]", "[IPv6:::ffff:192.0.2.7]", "[ipv6:fe80::]");
}

rc::Gen<std::string> gen_atom() {
  return rc::gen::exec([] {
    auto const n = *rc::gen::inRange(1, 8);
    std::string out;
    for (int i = 0; i < n; ++i) {
      out += *rc::gen::element('a', 'Z', '0', '9', '!', '#', '$', '%', '&', '\'', '*', '+', '-', '/', '=', '?', '^',
                               '_', '`', '{', '|', '}', '~');
    }
    return out;
  });
}

rc::Gen<std::string> gen_local_part() {
  return rc::gen::oneOf(
      rc::gen::exec([] {
        auto const atoms = *rc::gen::container<std::vector<std::string>>(*rc::gen::inRange(1, 4), gen_atom());
        std::string out;
        for (auto const& a : atoms) out += (out.empty() ? "" : ".") + a;
        return out;
      }),
      rc::gen::exec([] {
        std::string out = "\"";
        auto const n = *rc::gen::inRange(0, 10);
        for (int i = 0; i < n; ++i) {
          char const c = *rc::gen::inRange<char>(0x20, 0x7f);
          if (c == '"' || c == '\\') out += '\\';
          out += c;
        }
        return out + "\"";
      }));
}

rc::Gen<smtp::mailbox> gen_mailbox() {
  return rc::gen::exec([] {
    return smtp::mailbox{*gen_local_part(), *rc::gen::oneOf(gen_domain(), gen_literal())};
  });
}

rc::Gen<std::vector<smtp::esmtp_param>> gen_params(bool is_mail) {
  return rc::gen::exec([is_mail] {
    std::vector<smtp::esmtp_param> out;
    if (is_mail && *rc::gen::arbitrary<bool>()) out.push_back({"SIZE", std::to_string(*rc::gen::arbitrary<std::uint32_t>())});
    if (is_mail && *rc::gen::arbitrary<bool>()) out.push_back({"BODY", *rc::gen::element<std::string>("7BIT", "8BITMIME", "8bitmime")});
    if (is_mail && *rc::gen::arbitrary<bool>()) out.push_back({"REQUIRETLS", std::nullopt});
    if (*rc::gen::arbitrary<bool>()) out.push_back({"X-EXT", *rc::gen::element<std::string>("a", "1;2,3", "rfc822;a@b.example", "~!<>")});
    if (*rc::gen::arbitrary<bool>()) out.push_back({"NOTIFY", std::nullopt});
    // Parameters come in any order.
    for (std::size_t i = out.size(); i > 1; --i) {
      std::swap(out[i - 1], out[*rc::gen::inRange<std::size_t>(0, i)]);
    }
    return out;
  });
}

rc::Gen<smtp::command> gen_command() {
  return rc::gen::exec([] {
    smtp::command c;
    c.v = *rc::gen::element(smtp::verb::ehlo, smtp::verb::helo, smtp::verb::mail, smtp::verb::rcpt, smtp::verb::data,
                            smtp::verb::rset, smtp::verb::vrfy, smtp::verb::expn, smtp::verb::help, smtp::verb::noop,
                            smtp::verb::quit, smtp::verb::starttls);
    switch (c.v) {
      case smtp::verb::ehlo:
      case smtp::verb::helo:
        c.argument = *rc::gen::oneOf(gen_domain(), gen_literal());
        break;
      case smtp::verb::mail:
        if (*rc::gen::inRange(0, 4) > 0) c.path = *gen_mailbox();
        c.params = *gen_params(true);
        break;
      case smtp::verb::rcpt:
        c.path = *rc::gen::inRange(0, 8) == 0 ? smtp::mailbox{*rc::gen::element<std::string>("postmaster", "PostMaster"), ""}
                                              : *gen_mailbox();
        c.params = *gen_params(false);
        break;
      case smtp::verb::vrfy:
      case smtp::verb::expn:
        c.argument = *rc::gen::oneOf(gen_atom(), rc::gen::just(std::string("\"John Smith\"")));
        break;
      case smtp::verb::help:
      case smtp::verb::noop:
        if (*rc::gen::arbitrary<bool>()) c.argument = *gen_atom();
        break;
      default:
        break;
    }
    return c;
  });
}

/// Bytes built from the fragments that matter to a line-based parser.
rc::Gen<std::string> gen_wire(std::vector<std::string> fragments) {
  return rc::gen::exec([fragments] {
    auto const parts = *rc::gen::container<std::vector<std::string>>(rc::gen::elementOf(fragments));
    std::string out;
    for (auto const& p : parts) out += p;
    return out;
  });
}

/// `input` cut at sorted random points.
std::vector<std::string_view> cut(std::string_view input, std::vector<std::size_t> points) {
  for (auto& p : points) p = input.empty() ? 0 : p % (input.size() + 1);
  std::sort(points.begin(), points.end());
  std::vector<std::string_view> out;
  std::size_t prev = 0;
  for (auto p : points) {
    out.push_back(input.substr(prev, p - prev));
    prev = p;
  }
  out.push_back(input.substr(prev));
  return out;
}

// ---- drivers ------------------------------------------------------------------------

struct reply_run {
  std::vector<smtp::reply> replies;
  std::optional<parse_error> error;
  std::size_t buffered = 0;
  std::size_t taken = 0;
  friend bool operator==(reply_run const&, reply_run const&) = default;
};

reply_run run_replies(std::vector<std::string_view> const& chunks, smtp::reply_limits limits = {}) {
  smtp::reply_parser p(limits);
  reply_run out;
  for (auto c : chunks) {
    std::size_t const n = p.feed(c);
    while (true) {
      auto r = p.next();
      if (!r) {
        out.error = r.error();
        break;
      }
      if (!*r) break;
      out.replies.push_back(std::move(**r));
    }
    if (out.error || n < c.size()) break;
  }
  out.buffered = p.buffered();
  out.taken = p.bytes_taken();
  return out;
}

struct line_run {
  std::vector<std::optional<std::string>> lines;  // nullopt for an error event
  std::vector<parse_error> errors;
  std::size_t buffered = 0;
  friend bool operator==(line_run const&, line_run const&) = default;
};

line_run run_lines(std::vector<std::string_view> const& chunks, smtp::line_limits limits) {
  smtp::line_reader r(limits);
  line_run out;
  for (auto c : chunks) {
    while (true) {
      std::size_t const n = r.feed(c);
      c.remove_prefix(n);
      while (true) {
        auto l = r.next();
        if (!l) {
          out.lines.push_back(std::nullopt);
          out.errors.push_back(l.error());
          continue;
        }
        if (!*l) break;
        if (**l == "DATA") r.set_mode(smtp::line_mode::data);
        if (**l == ".") r.set_mode(smtp::line_mode::command);
        out.lines.push_back(std::move(**l));
      }
      if (c.empty()) break;
      RC_ASSERT(n > 0 || r.buffered() < r.limits().max_buffer);
    }
  }
  out.buffered = r.buffered();
  return out;
}

// ---- reply parser ----------------------------------------------------------------------

RC_GTEST_PROP(SmtpReplyProperties, ParsingAPrintedReplyGivesItBack, ()) {
  auto const replies = *rc::gen::container<std::vector<smtp::reply>>(*rc::gen::inRange(1, 4), gen_reply());
  std::string wire;
  for (auto const& r : replies) wire += smtp::print_reply(r);
  auto const out = run_replies({wire});
  RC_ASSERT(!out.error.has_value());
  RC_ASSERT(out.replies == replies);
  RC_ASSERT(out.buffered == 0U);
}

RC_GTEST_PROP(SmtpReplyProperties, ChunkingNeverChangesTheOutcome, ()) {
  auto const wire = *gen_wire({"250", "220", "354", "-", " ", "\r\n", "\r", "\n", "ok", "\t", "2", "1", std::string(1, '\0'),
                               "250-a\r\n", "250 b\r\n", "\xc3\xa9"});
  auto const points = *rc::gen::container<std::vector<std::size_t>>(rc::gen::arbitrary<std::size_t>());
  smtp::reply_limits limits;
  limits.max_line = static_cast<std::size_t>(*rc::gen::inRange(6, 40));
  limits.max_lines = static_cast<std::size_t>(*rc::gen::inRange(1, 5));
  limits.max_reply = static_cast<std::size_t>(*rc::gen::inRange(5, 80));
  limits.accept_bare_lf = *rc::gen::arbitrary<bool>();
  RC_ASSERT(run_replies(cut(wire, points), limits) == run_replies({wire}, limits));
}

RC_GTEST_PROP(SmtpReplyProperties, ArbitraryBytesGiveRepliesOrAnError, (std::string const& bytes)) {
  auto const out = run_replies({bytes});
  RC_ASSERT(out.taken <= bytes.size());
  if (out.error) {
    RC_ASSERT(out.error->offset < out.taken);
  } else {
    RC_ASSERT(out.taken == bytes.size());
  }
  for (auto const& r : out.replies) {
    RC_ASSERT(r.code >= 200 && r.code <= 559);
    RC_ASSERT(!r.lines.empty());
    RC_ASSERT(r.lines.size() <= 100U);
  }
}

// ---- command parser ----------------------------------------------------------------------

RC_GTEST_PROP(SmtpCommandProperties, ParsingAPrintedCommandGivesItBack, ()) {
  auto const c = *gen_command();
  auto const line = smtp::print_command(c);
  auto const back = smtp::parse_command(line);
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == c);
}

RC_GTEST_PROP(SmtpCommandProperties, VerbsAndKeywordsAreCaseInsensitive, ()) {
  auto const c = *gen_command();
  auto line = smtp::print_command(c);
  // Lower-case the verb, "FROM:"/"TO:" and every parameter keyword: the parse is the same.
  std::size_t const head = c.v == smtp::verb::mail ? 10 : c.v == smtp::verb::rcpt ? 8 : std::min(line.find(' '), line.size());
  for (std::size_t i = 0; i < head; ++i) line[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(line[i])));
  auto const back = smtp::parse_command(line);
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == c);
}

RC_GTEST_PROP(SmtpCommandProperties, ArbitraryLinesGiveACommandOrAReplyCode, (std::string const& line)) {
  auto const got = smtp::parse_command(line);
  if (!got) {
    RC_ASSERT(got.error().offset <= line.size());
    auto const code = smtp::suggested_reply_code(got.error().code);
    RC_ASSERT(code == 500 || code == 501 || code == 555);
    RC_ASSERT(!got.error().requirement.empty());
  } else {
    auto const again = smtp::parse_command(smtp::print_command(*got));
    RC_ASSERT(again.has_value());
    RC_ASSERT(*again == *got);
  }
}

RC_GTEST_PROP(SmtpCommandProperties, MutatedCommandsGiveACommandOrAReplyCode, ()) {
  auto line = smtp::print_command(*gen_command());
  auto const pos = *rc::gen::inRange<std::size_t>(0, line.size() + 1);
  auto const ins = *rc::gen::element<std::string>(" ", "<", ">", "@", ":", "\"", "\\", ".", "=", "[", "]", "\r", "\n", "\x80");
  line.insert(pos, ins);
  auto const got = smtp::parse_command(line);
  if (!got) {
    RC_ASSERT(got.error().offset <= line.size());
    RC_ASSERT(smtp::suggested_reply_code(got.error().code) != 0);
  }
}

// ---- line reader ----------------------------------------------------------------------

RC_GTEST_PROP(SmtpLineReaderProperties, ChunkingNeverChangesTheEvents, ()) {
  auto const wire = *gen_wire({"a", "b", " ", "\r", "\n", "\r\n", "DATA\r\n", ".\r\n", "NOOP\r\n", "xxxxxxxxxx"});
  auto const points = *rc::gen::container<std::vector<std::size_t>>(rc::gen::arbitrary<std::size_t>());
  smtp::line_limits limits;
  limits.max_command_line = static_cast<std::size_t>(*rc::gen::inRange(3, 20));
  limits.max_text_line = static_cast<std::size_t>(*rc::gen::inRange(3, 30));
  limits.max_buffer = static_cast<std::size_t>(*rc::gen::inRange(1, 64));
  auto const whole = run_lines({wire}, limits);
  RC_ASSERT(run_lines(cut(wire, points), limits) == whole);
  // Every line returned is free of CR and LF and within its limit.
  for (auto const& l : whole.lines) {
    if (!l) continue;
    RC_ASSERT(l->find_first_of("\r\n") == std::string::npos);
    RC_ASSERT(l->size() + 2 <= std::max(limits.max_command_line, limits.max_text_line));
  }
}

// ---- EHLO ----------------------------------------------------------------------------

RC_GTEST_PROP(SmtpEhloProperties, ParsingAPrintedEhloReplyGivesTheCapabilities, ()) {
  smtp::ehlo_capabilities caps;
  auto const keywords = *rc::gen::container<std::vector<std::string>>(
      rc::gen::element<std::string>("STARTTLS", "PIPELINING", "SIZE", "8BITMIME", "AUTH", "X-1", "DSN", "REQUIRETLS", "SMTPUTF8"));
  for (auto const& k : keywords) {
    auto const params = *rc::gen::container<std::vector<std::string>>(
        *rc::gen::inRange(0, 3), rc::gen::element<std::string>("10240000", "PLAIN", "LOGIN", "a=b", "~"));
    (void)caps.add(k, params);  // repeats are refused, which is the point of the first-wins rule
  }
  auto const domain = *rc::gen::oneOf(gen_domain(), gen_literal());
  auto const text = *rc::gen::element<std::string>("", "Hello", "at your service, [192.0.2.1]", "ESMTP  two  spaces");
  auto const r = smtp::print_ehlo(domain, text, caps);
  RC_ASSERT(r.has_value());
  auto const wire = smtp::print_reply(*r);
  auto const parsed = run_replies({wire});
  RC_ASSERT(!parsed.error.has_value());
  RC_ASSERT(parsed.replies.size() == 1U);
  auto const back = smtp::parse_ehlo(parsed.replies[0]);
  RC_ASSERT(back.has_value());
  RC_ASSERT(back->domain() == domain);
  RC_ASSERT(back->greeting() == text);
  RC_ASSERT(back->extensions() == caps.extensions());
  RC_ASSERT(back->malformed_lines().empty());
  RC_ASSERT(back->starttls() == caps.has("starttls"));
}

RC_GTEST_PROP(SmtpEhloProperties, Any250ReplyGivesCapabilities, ()) {
  auto r = *gen_reply();
  r.code = 250;
  auto const caps = smtp::parse_ehlo(r);
  RC_ASSERT(caps.has_value());
  // Every line after the first is either an extension (first of its keyword) or malformed.
  RC_ASSERT(caps->extensions().size() + caps->malformed_lines().size() <= r.lines.size() - 1);
  for (auto const& e : caps->extensions()) RC_ASSERT(caps->has(e.keyword));
}

}  // namespace
