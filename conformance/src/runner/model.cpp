// The conformance data model: names of enums, the transcript, the case catalogue.
#include "runner/model.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace mxtls::conformance {

std::string_view to_string(role r) noexcept { return r == role::receiver ? "receiver" : "sender"; }

std::string_view to_string(profile p) noexcept {
  switch (p) {
    case profile::core: return "core";
    case profile::strict: return "strict";
    case profile::proposal: return "proposal";
  }
  return "?";
}

std::optional<profile> parse_profile(std::string_view s) noexcept {
  if (s == "core") return profile::core;
  if (s == "strict") return profile::strict;
  if (s == "proposal") return profile::proposal;
  return std::nullopt;
}

std::string_view to_string(verdict v) noexcept {
  switch (v) {
    case verdict::pass: return "pass";
    case verdict::pass_non_strict: return "pass-non-strict";
    case verdict::fail: return "fail";
    case verdict::unsupported: return "unsupported";
    case verdict::informational: return "informational";
    case verdict::harness_error: return "harness-error";
  }
  return "?";
}

std::string_view to_string(delivery_outcome o) noexcept {
  switch (o) {
    case delivery_outcome::not_attempted: return "not-attempted";
    case delivery_outcome::verified_tls: return "delivered-verified-tls";
    case delivery_outcome::unverified_tls: return "delivered-unverified-tls";
    case delivery_outcome::plaintext: return "delivered-IN-PLAINTEXT";
    case delivery_outcome::wrong_host: return "delivered-to-wrong-host";
    case delivery_outcome::deferred: return "deferred";
    case delivery_outcome::bounced: return "bounced";
  }
  return "?";
}

transcript::transcript() : start_(std::chrono::steady_clock::now()) {}

void transcript::add(std::string channel, std::string_view text) {
  std::string printable;
  printable.reserve(text.size());
  for (char c : text) {
    auto const u = static_cast<unsigned char>(c);
    if (u == '\r') printable += "\\r";
    else if (u == '\n') printable += "\\n";
    else if (u < 0x20 || u >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", u);
      printable += buf;
    } else printable += c;
  }
  auto const ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  std::lock_guard lock(mu_);
  // Bound the evidence per case: a misbehaving target must not exhaust memory.
  constexpr std::size_t max_entries = 2000;
  if (entries_.size() == max_entries) {
    entries_.push_back({ms, "note", "transcript truncated after 2000 entries"});
    return;
  }
  if (entries_.size() > max_entries) return;
  if (printable.size() > 4096) printable = printable.substr(0, 4096) + "...(truncated)";
  entries_.push_back({ms, std::move(channel), std::move(printable)});
}

std::vector<transcript_entry> transcript::entries() const {
  std::lock_guard lock(mu_);
  return entries_;
}

namespace {
std::vector<case_def>& registry() {
  static std::vector<case_def> cases;
  return cases;
}
}  // namespace

case_registrar::case_registrar(case_def def) {
  auto& r = registry();
  if (std::any_of(r.begin(), r.end(), [&](case_def const& c) { return c.id == def.id; }))
    throw std::logic_error("duplicate conformance case id " + def.id);
  r.push_back(std::move(def));
  std::sort(r.begin(), r.end(), [](case_def const& a, case_def const& b) { return a.id < b.id; });
}

std::vector<case_def> const& catalogue() { return registry(); }

}  // namespace mxtls::conformance
