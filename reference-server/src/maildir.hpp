// Durable delivery into a Maildir: the message is written under tmp/ with a unique name,
// prefixed by Return-Path: and a Received: trace header (RFC 5321 §4.4, with the TLS
// version and cipher), fsync'd, renamed into new/, and new/ is fsync'd, all before the 250.
#pragma once

#include "envelope.hpp"

#include <boost/system/result.hpp>

#include <atomic>
#include <cstdint>
#include <ctime>
#include <string>

namespace mxtls::server {

/// The Received: header for `e` (folded, CRLF-terminated), stamped `when` (UTC).
/// RFC 5321 §4.4: "from" the EHLO name and the client address, "by" our host name,
/// "with" ESMTP/ESMTPS (RFC 3848), "id" the session ID, "for" a single recipient.
[[nodiscard]] std::string received_header(envelope const& e, std::string const& hostname, std::time_t when);

/// An RFC 5322 date-time in UTC: "Mon, 02 Jan 2006 15:04:05 +0000".
[[nodiscard]] std::string rfc5322_date(std::time_t when);

class maildir {
 public:
  /// Creates `root` and its tmp/, new/, cur/ when missing (mode 0700), opens new/ for
  /// directory fsyncs. Throws std::system_error when that fails.
  maildir(std::string root, std::string hostname, bool durable = true);
  ~maildir();
  maildir(maildir const&) = delete;
  maildir& operator=(maildir const&) = delete;

  /// Delivers one message; returns the file name under new/ once it is durable.
  /// Thread-safe: names are unique per process (time, pid, counter).
  [[nodiscard]] boost::system::result<std::string> deliver(envelope const& e);

  [[nodiscard]] std::string const& root() const noexcept { return root_; }

 private:
  std::string unique_name();

  std::string root_;
  std::string hostname_;
  bool durable_;
  int new_dir_fd_ = -1;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace mxtls::server
