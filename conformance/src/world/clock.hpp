// The world's clock (DESIGN §5): cases that depend on time (max_age, backoff, certificate
// windows, signature expiry) take it from here, never from the wall. It starts at a chosen
// instant (by default the wall clock when the world starts, so the implementation under test,
// which uses its own wall clock, agrees with the certificates) and only moves when told to.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace mxtls::conformance {

class world_clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  using duration = std::chrono::system_clock::duration;

  explicit world_clock(time_point start) noexcept : ns_(to_ns(start)) {}

  /// The world's current time. Thread-safe.
  [[nodiscard]] time_point now() const noexcept {
    return time_point(std::chrono::duration_cast<duration>(std::chrono::nanoseconds(ns_.load())));
  }
  /// Jumps to `t` (may go backwards: cases test clock skew too).
  void set(time_point t) noexcept { ns_.store(to_ns(t)); }
  /// Moves forward (or backward, for a negative `d`) by `d`; returns the new time.
  time_point advance(std::chrono::nanoseconds d) noexcept {
    auto const ns = ns_.fetch_add(d.count()) + d.count();
    return time_point(std::chrono::duration_cast<duration>(std::chrono::nanoseconds(ns)));
  }

 private:
  static std::int64_t to_ns(time_point t) noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  }
  std::atomic<std::int64_t> ns_;
};

}  // namespace mxtls::conformance
