// The sender's cache of strict-tls pins: applies honoured directives, answers "is
// verified TLS required for this host now?", and round-trips through a line-oriented
// text form for atomic persistence. Time is a parameter. Implements BAN-10, BAN-13, BAN-18, BAN-22, BAN-25.
#pragma once

#include "mxtls/spec/banner/directive.hpp"
#include "mxtls/spec/dns/name.hpp"
#include "mxtls/spec/error.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mxtls::spec::banner {

/// Seconds since the Unix epoch, supplied by the caller.
using unix_seconds = std::int64_t;

/// One cached pin: while `now < expires_at`, hosts it covers need verified TLS.
struct pin {
  dns::name_pattern pattern;
  bool include_subdomains = false;
  unix_seconds expires_at = 0;
  friend bool operator==(pin const&, pin const&) = default;
};

/// [BAN-13] `host` is covered by `p` (expiry not considered):
///   exact P                      → P
///   exact P + includeSubDomains  → P and every name below P, at any depth
///   *.B                          → names exactly one label below B
///   *.B + includeSubDomains      → every name below B, at any depth; never B itself
/// Case-insensitive; one trailing dot on `host` is ignored; a `host` that is not a host
/// name is never covered.
[[nodiscard]] bool covers(pin const& p, std::string_view host) noexcept;

/// What apply() did.
enum class apply_outcome {
  stored,        ///< a new pin
  replaced,      ///< the pin with the same pattern was replaced (BAN-18)
  removed,       ///< max-age=0 removed the pin with the same pattern (BAN-10)
  nothing_to_remove,  ///< max-age=0 and no pin with that pattern
  out_of_scope,  ///< not in scope for the host (BAN-12): ignored
};

[[nodiscard]] std::string_view to_string(apply_outcome o) noexcept;

/// The pin cache. Keyed by pattern text ("*.example.com"); at most `capacity()` pins.
/// [BAN-22] When a new pattern arrives and the store is full, expired pins are dropped
/// first, then the stored pin that expires soonest (ties: the smallest pattern text) is
/// evicted. The new pin is always stored: it is the freshest word of a verified host.
class pin_store {
 public:
  static constexpr std::size_t default_capacity = 10000;

  explicit pin_store(std::size_t capacity = default_capacity) noexcept
      : capacity_(capacity == 0 ? 1 : capacity) {}

  /// Applies a directive already honoured by decide_directive() for `host` at `now`.
  /// Re-checks [BAN-12] scope. [BAN-18] replaces the pin with the same pattern (a newer
  /// directive wins, whether longer or shorter, including its includeSubDomains flag);
  /// [BAN-10] max-age=0 removes it. [BAN-25] `now` is when the reply was received, by the
  /// same clock later passed to find_covering(). [BAN-22] an unexpired pin evicted to make
  /// room is appended to `*evicted` when given, so the caller can log the weakening.
  apply_outcome apply(strict_tls_directive const& d, std::string_view host, unix_seconds now,
                      std::vector<pin>* evicted = nullptr);

  /// The unexpired pin covering `host` that expires last, if any.
  [[nodiscard]] std::optional<pin> find_covering(std::string_view host, unix_seconds now) const;

  /// Drops pins with expires_at <= now; returns how many.
  std::size_t prune(unix_seconds now);

  [[nodiscard]] std::size_t size() const noexcept { return pins_.size(); }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  /// All pins, ordered by pattern text.
  [[nodiscard]] std::vector<pin> pins() const;

  /// Text form: the line "mxtls-strict-tls-pins 1", then one line per pin ordered by
  /// pattern: "PATTERN SP EXPIRES_AT SP (includeSubDomains / -)" LF.
  [[nodiscard]] std::string serialize() const;

  /// Parses serialize()'s form (LF or CRLF line ends; the last LF optional). Patterns
  /// obey the directive's pattern rules; expired pins are kept (prune() drops them).
  [[nodiscard]] static result<pin_store> deserialize(std::string_view text,
                                                     std::size_t capacity = default_capacity);

  friend bool operator==(pin_store const& a, pin_store const& b) { return a.pins_ == b.pins_; }

 private:
  void erase(std::map<std::string, pin>::iterator it);
  void insert(std::string key, pin p);
  void evict_one(unix_seconds now, std::vector<pin>* evicted);

  std::size_t capacity_;
  std::map<std::string, pin> pins_;                           // by pattern text
  std::set<std::pair<unix_seconds, std::string>> by_expiry_;  // eviction order
};

/// The first line of the text form.
inline constexpr std::string_view pin_store_header = "mxtls-strict-tls-pins 1";

}  // namespace mxtls::spec::banner
