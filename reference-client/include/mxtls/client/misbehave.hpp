// TEST ONLY: deliberate misbehaviours of mxtls-send (--test-misbehave), which make it a
// non-conforming sender so that the conformance suite can prove each sender case can fail.
// Each one is a single branch where the rule it breaks is enforced, citing that rule's ID.
// Never use in production.
#pragma once

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mxtls::client {

enum class misbehaviour : std::uint8_t {
  ignore_prefix,              ///< starttls-/smtps- names treated as un-prefixed (PFX-05, PFX-14)
  ignore_pins,                ///< stored strict-tls pins never applied; still learned (BAN-19)
  pin_from_plaintext,         ///< directives honoured from the plaintext greeting/EHLO (BAN-14)
  ignore_sts,                 ///< MTA-STS never discovered nor applied (STS-5.1-01)
  sts_lenient_fetch,          ///< any status, 3xx body, Content-Type, size, certificate (STS-3.3-*)
  sts_no_cache,               ///< the MTA-STS cache is never read (STS-3.3-11)
  ignore_dane,                ///< TLSA never looked up nor applied (DANE-2.2-01)
  no_verify,                  ///< no certificate check anywhere (PFX-12, DNS-08, STS-4.2-01)
  plaintext_fallback,         ///< plaintext when required TLS fails (PFX-14, DNS-19, STS-5-01)
  no_port26,                  ///< smtps- hosts: port 25 only (P26-09)
  port26_fallback_plaintext,  ///< after a failed port 26, plaintext allowed on 25 (P26-13, P26-15)
  assume_dnssec_secure,       ///< every DNS answer counted as secure, none validated (DNS-06)
  bounce_on_failure,          ///< bounce where the rules defer, no STS re-check (DNS-15, STS-5-05)
  starttls_again,             ///< STARTTLS again inside TLS when the post-TLS EHLO offers it (TLS-4.2-07)
  skip_post_tls_ehlo,         ///< no EHLO after the handshake; pre-TLS capabilities reused (TLS-4.2-04)
  pin_from_unverified,        ///< directives honoured over unverified TLS (BAN-14)
  pin_ignore_scope,           ///< out-of-scope directives honoured (BAN-12)
  pin_keep_on_max_age_0,      ///< max-age=0 does not remove the pin (BAN-10)
  prefer_tlsa_mx,             ///< MX hosts with usable TLSA tried first (DANE-2.2.1-01, DNS-16)
  sts_fetch_failure_defers,   ///< a failed policy fetch with nothing cached defers (STS-3.3-10)
};

inline constexpr std::size_t misbehaviour_count = 20;

/// The names of --test-misbehave, in enumerator order.
inline constexpr std::array<std::string_view, misbehaviour_count> misbehaviour_names = {
    "ignore-prefix",      "ignore-pins",      "pin-from-plaintext",        "ignore-sts",
    "sts-lenient-fetch",  "sts-no-cache",     "ignore-dane",               "no-verify",
    "plaintext-fallback", "no-port26",        "port26-fallback-plaintext", "assume-dnssec-secure",
    "bounce-on-failure",  "starttls-again",   "skip-post-tls-ehlo",        "pin-from-unverified",
    "pin-ignore-scope",   "pin-keep-on-max-age-0",     "prefer-tlsa-mx",            "sts-fetch-failure-defers",
};

[[nodiscard]] constexpr std::string_view to_string(misbehaviour m) noexcept {
  return misbehaviour_names[static_cast<std::size_t>(m)];
}

[[nodiscard]] constexpr std::optional<misbehaviour> parse_misbehaviour(std::string_view name) noexcept {
  for (std::size_t i = 0; i < misbehaviour_names.size(); ++i)
    if (misbehaviour_names[i] == name) return static_cast<misbehaviour>(i);
  return std::nullopt;
}

/// The set of active misbehaviours; empty (conforming) by default.
class misbehaviours {
 public:
  [[nodiscard]] bool has(misbehaviour m) const noexcept { return bits_.test(static_cast<std::size_t>(m)); }
  void add(misbehaviour m) noexcept { bits_.set(static_cast<std::size_t>(m)); }
  [[nodiscard]] bool any() const noexcept { return bits_.any(); }
  friend bool operator==(misbehaviours const&, misbehaviours const&) = default;

  /// Adds a comma-separated LIST; returns the first unknown (or empty) name, else nullopt.
  std::optional<std::string> add_list(std::string_view list) {
    for (;;) {
      auto const comma = list.find(',');
      auto const name = list.substr(0, comma);
      auto m = parse_misbehaviour(name);
      if (!m) return std::string(name);
      add(*m);
      if (comma == std::string_view::npos) return std::nullopt;
      list.remove_prefix(comma + 1);
    }
  }

  /// "ignore-prefix,no-verify" ("" when none).
  [[nodiscard]] std::string to_string() const {
    std::string s;
    for (std::size_t i = 0; i < misbehaviour_count; ++i)
      if (bits_.test(i)) s += (s.empty() ? "" : ",") + std::string(misbehaviour_names[i]);
    return s;
  }

  /// Every valid name, comma-separated (for usage errors).
  [[nodiscard]] static std::string valid_names() {
    std::string s;
    for (auto n : misbehaviour_names) s += (s.empty() ? "" : ", ") + std::string(n);
    return s;
  }

 private:
  std::bitset<misbehaviour_count> bits_;
};

}  // namespace mxtls::client
