// Parsing and judging of per-implementation expectations files (format in expectations.hpp).
#include "runner/expectations.hpp"

#include "runner/runner.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mxtls::conformance {

std::optional<verdict> parse_verdict(std::string_view s) noexcept {
  for (auto v : {verdict::pass, verdict::pass_non_strict, verdict::fail, verdict::unsupported,
                 verdict::informational, verdict::harness_error})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

std::string_view to_string(expectation_status s) noexcept {
  switch (s) {
    case expectation_status::as_expected: return "as-expected";
    case expectation_status::expected_deviation: return "expected";
    case expectation_status::unexpected: return "unexpected";
    case expectation_status::unexpectedly_passing: return "unexpectedly-passing";
  }
  return "?";
}

expectation_status judge(verdict got, expectation_entry const* entry) noexcept {
  if (entry == nullptr) return is_failing(got) ? expectation_status::unexpected : expectation_status::as_expected;
  if (got == entry->expected) return expectation_status::expected_deviation;
  // A different verdict than the one documented: worse is unexpected, better means the
  // deviation is gone and the file must be updated.
  return is_failing(got) ? expectation_status::unexpected : expectation_status::unexpectedly_passing;
}

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view next_field(std::string_view& rest) {
  std::size_t i = 0;
  while (i < rest.size() && is_space(rest[i])) ++i;
  std::size_t j = i;
  while (j < rest.size() && !is_space(rest[j])) ++j;
  auto const field = rest.substr(i, j - i);
  rest.remove_prefix(j);
  return field;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}
}  // namespace

expectations expectations::parse(std::string_view text) {
  expectations out;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    auto const nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (auto const hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;
    auto const where = std::to_string(line_no) + ": ";
    std::string_view rest = line;
    auto const pattern = next_field(rest);
    auto const verdict_text = next_field(rest);
    auto const reason = trim(rest);
    if (verdict_text.empty())
      throw std::invalid_argument(where + "expected 'CASE-ID VERDICT REASON', got '" + std::string(line) + "'");
    auto const v = parse_verdict(verdict_text);
    if (!v)
      throw std::invalid_argument(where + "unknown verdict '" + std::string(verdict_text) +
                                  "' (pass, pass-non-strict, fail, unsupported, informational, harness-error)");
    if (reason.empty())
      throw std::invalid_argument(where + "the entry for '" + std::string(pattern) + "' gives no reason");
    for (auto const& e : out.entries_)
      if (e.pattern == pattern)
        throw std::invalid_argument(where + "'" + std::string(pattern) + "' is already listed on line " +
                                    std::to_string(e.line));
    out.entries_.push_back({std::string(pattern), *v, std::string(reason), line_no});
  }
  return out;
}

expectations expectations::load(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read the expectations file");
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return parse(ss.str());
  } catch (std::invalid_argument const& e) {
    throw std::runtime_error(path + ":" + e.what());
  }
}

expectation_entry const* expectations::find(std::string_view id) const noexcept {
  for (auto const& e : entries_)
    if (e.pattern == id) return &e;
  for (auto const& e : entries_)
    if (glob_match(e.pattern, id)) return &e;
  return nullptr;
}

}  // namespace mxtls::conformance
