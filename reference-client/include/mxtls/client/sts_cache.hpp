// The sender's MTA-STS policy cache (RFC 8461 §3.3, §5.1) without I/O: policies by Policy
// Domain with their TXT id and fetch time (expiry = last successful fetch + max_age,
// STS-3.3-11), max_age 0 never stored (STS-3.2-11), and the five-minute backoff per
// (domain, id) after a failed fetch (STS-3.3-07). Round-trips through a JSON text form for
// the state directory. Time is a parameter.
#pragma once

#include "mxtls/client/errc.hpp"
#include "mxtls/spec/mtasts/policy.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mxtls::client {

/// Seconds since the Unix epoch (the sender's clock, --now in tests).
using unix_seconds = std::int64_t;

/// [STS-3.3-07] at most one fetch per (Policy Domain, id) per five minutes after a failure.
inline constexpr unix_seconds sts_fetch_backoff_seconds = 300;

/// One cached policy.
struct sts_entry {
  std::string domain;  ///< the Policy Domain, lower case
  std::string id;      ///< the `_mta-sts` TXT id the policy was fetched under
  std::string body;    ///< the policy text exactly as fetched
  spec::mtasts::policy policy;
  unix_seconds fetched_at = 0;  ///< time of the last successful fetch
  /// [STS-3.3-11] the policy applies while now < expires_at().
  [[nodiscard]] unix_seconds expires_at() const noexcept {
    return fetched_at + static_cast<unix_seconds>(policy.max_age);
  }
  friend bool operator==(sts_entry const&, sts_entry const&) = default;
};

class sts_cache {
 public:
  static constexpr std::size_t default_capacity = 100000;
  explicit sts_cache(std::size_t capacity = default_capacity) noexcept : capacity_(capacity == 0 ? 1 : capacity) {}

  /// The unexpired policy of `domain`, if any.
  [[nodiscard]] std::optional<sts_entry> find(std::string_view domain, unix_seconds now) const;
  /// The entry of `domain` whether expired or not (for --explain).
  [[nodiscard]] std::optional<sts_entry> find_any(std::string_view domain) const;

  /// Stores a freshly fetched policy, replacing the domain's entry. [STS-3.2-11] a policy
  /// with max_age 0 is not stored and removes the domain's entry. When the cache is full,
  /// expired entries go first, then the entry that expires soonest.
  void store(sts_entry e, unix_seconds now);
  void erase(std::string_view domain);

  /// [STS-3.3-07] true while a failed fetch of (domain, id) is less than five minutes old.
  [[nodiscard]] bool backing_off(std::string_view domain, std::string_view id, unix_seconds now) const;
  /// Records a failed fetch of (domain, id) at `now`.
  void note_failed_fetch(std::string_view domain, std::string_view id, unix_seconds now);

  /// Drops expired policies and elapsed backoffs; returns how many entries went.
  std::size_t prune(unix_seconds now);

  [[nodiscard]] std::vector<sts_entry> entries() const;
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

  /// {"format": "mxtls-sts-cache 1", "policies": [{"domain", "id", "fetched_at", "policy"}],
  ///  "backoff": [{"domain", "id", "until"}]} — policies keep their exact text.
  [[nodiscard]] std::string serialize() const;
  /// Parses serialize()'s form; every policy text is parsed again (STS-3.2-04..18), so a
  /// damaged file is errc::state_invalid, never a wrong policy.
  [[nodiscard]] static result<sts_cache> deserialize(std::string_view text, std::size_t capacity = default_capacity);

  friend bool operator==(sts_cache const& a, sts_cache const& b) {
    return a.entries_ == b.entries_ && a.backoff_ == b.backoff_;
  }

 private:
  std::size_t capacity_;
  std::map<std::string, sts_entry, std::less<>> entries_;
  std::map<std::pair<std::string, std::string>, unix_seconds> backoff_;  // (domain, id) → until
};

/// The first value of the text form.
inline constexpr std::string_view sts_cache_format = "mxtls-sts-cache 1";

}  // namespace mxtls::client
