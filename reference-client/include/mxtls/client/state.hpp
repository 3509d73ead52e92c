// The state directory of mxtls-send (--state-dir): the MTA-STS policy cache (sts-cache.json,
// STS-3.3-11) and the strict-tls pins (strict-tls-pins, BAN-18). Changes are made in memory,
// journaled, and written by commit(): under an exclusive lock on <dir>/lock the files are read
// again, this process's changes are replayed on top (so concurrent mxtls-send processes never
// lose each other's pins or policies), and each file is replaced atomically: temp file, fsync,
// rename, fsync of the directory. Without a directory the state lives in memory only.
#pragma once

#include "mxtls/client/errc.hpp"
#include "mxtls/client/sts_cache.hpp"
#include "mxtls/spec/banner/pin_store.hpp"

#include <functional>
#include <string>
#include <vector>

namespace mxtls::client {

class state_store {
 public:
  /// State in memory only (tests, and runs without --state-dir).
  state_store() = default;

  /// Opens `dir` (created with mode 0700 if missing) and loads both files if present.
  /// Errors: state_unreadable (directory or file not usable), state_invalid (a file that
  /// does not parse: the caches are security state, so they are never silently dropped).
  [[nodiscard]] static result<state_store> open(std::string dir);

  [[nodiscard]] sts_cache const& sts() const noexcept { return sts_; }
  [[nodiscard]] spec::banner::pin_store const& pins() const noexcept { return pins_; }
  [[nodiscard]] std::string const& dir() const noexcept { return dir_; }
  [[nodiscard]] bool persistent() const noexcept { return !dir_.empty(); }
  /// Changes not yet written by commit().
  [[nodiscard]] std::size_t pending() const noexcept { return journal_.size(); }

  // --- changes (applied at once in memory, written by commit()) ---
  void sts_store(sts_entry e, unix_seconds now);
  void sts_erase(std::string const& domain);
  void sts_failed_fetch(std::string const& domain, std::string const& id, unix_seconds now);
  /// [BAN-18][BAN-24][BAN-25] applies an honoured directive received from `host` at `now`.
  spec::banner::apply_outcome pin_apply(spec::banner::strict_tls_directive const& d, std::string const& host,
                                        unix_seconds now);

  /// Writes the pending changes (no-op in memory or when nothing changed).
  [[nodiscard]] result<void> commit();

  /// File names inside the directory.
  static constexpr char const* sts_file = "sts-cache.json";
  static constexpr char const* pins_file = "strict-tls-pins";
  static constexpr char const* lock_file = "lock";

 private:
  using change = std::function<void(sts_cache&, spec::banner::pin_store&)>;
  void record(change c);

  std::string dir_;
  sts_cache sts_;
  spec::banner::pin_store pins_;
  std::vector<change> journal_;
};

/// Reads the two files of `dir` (missing files are empty caches).
[[nodiscard]] result<std::pair<sts_cache, spec::banner::pin_store>> load_state_files(std::string const& dir);

/// Replaces `path` with `content` atomically: a temp file in the same directory, fsync,
/// rename over `path`, fsync of the directory.
[[nodiscard]] result<void> write_file_atomically(std::string const& path, std::string const& content);

}  // namespace mxtls::client
