// The event log of mxtls-serve: one line per event, key=value pairs, each with the
// session ID: `ts=2024-05-01T12:00:00.123Z sid=1a2b3c4d-1 event=rcpt to="<a@b>"`.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace mxtls::server {

/// A value as it appears after "key=": bare when it is non-empty printable ASCII without
/// blanks, quotes or '=', else double-quoted with \" \\ and \xNN escapes.
[[nodiscard]] std::string log_value(std::string_view v);

/// Appends lines to stderr or a file; thread-safe; each line written with one write().
class logger {
 public:
  /// Empty path → stderr. Throws std::runtime_error when the file cannot be opened.
  explicit logger(std::string const& path = {});
  ~logger();
  logger(logger const&) = delete;
  logger& operator=(logger const&) = delete;

  /// Writes "ts=... sid=SID FIELDS\n" (sid omitted when empty).
  void write(std::string_view sid, std::string_view fields);

 private:
  std::mutex mu_;
  int fd_ = 2;
  bool owned_ = false;
};

}  // namespace mxtls::server
