// The message mxtls-send carries: envelope addresses checked as RFC 5321 Mailboxes
// (SMTP-4.1.2-01), recipients grouped by domain (one delivery per domain), the content
// normalised to CRLF lines of at most 1000 octets (SMTP-4.5.3.1.6-01) and dot-stuffed on the
// way out (SMTP-4.5.2-01); 8-bit content (SMTP-6152.3-01) and the RFC 8689 `TLS-Required: No`
// header (DNS-17, RTLS-3-01) are noted for the session.
#pragma once

#include "mxtls/client/errc.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::client {

struct message_limits {
  std::size_t max_octets = 64 * 1024 * 1024;  ///< content after CRLF normalisation
  std::size_t max_recipients = 1000;
};

/// A Mailbox as it goes on the wire: local part as given, domain in lower case.
struct mailbox_address {
  std::string local_part;
  std::string domain;  ///< a host name, lower case, no trailing dot
  [[nodiscard]] std::string text() const { return local_part + "@" + domain; }
  friend bool operator==(mailbox_address const&, mailbox_address const&) = default;
};

/// [SMTP-4.1.2-01] `text` ("user@example.com", optionally in angle brackets) must be a
/// Mailbox whose domain is a host name: address literals are refused because mxtls-send
/// delivers by MX only (NAME-4.1.3-01), and a domain with an all-digit last label is an
/// address, not a name (NAME-2-01).
[[nodiscard]] result<mailbox_address> parse_mailbox(std::string_view text);

/// The reverse-path: empty (or "<>") is the null path, else a Mailbox.
[[nodiscard]] result<std::string> parse_reverse_path(std::string_view text);

/// The recipients of one domain: one delivery (one MX list) per group.
struct recipient_group {
  std::string domain;
  std::vector<mailbox_address> recipients;  ///< in command-line order, duplicates removed
};

/// Groups recipients by domain in order of first appearance; a recipient given twice
/// (case-insensitive domain, exact local part) is kept once.
[[nodiscard]] std::vector<recipient_group> group_by_domain(std::vector<mailbox_address> const& recipients);

/// Message content ready for DATA.
struct message {
  std::string data;              ///< CRLF line ends, ends in CRLF, not yet dot-stuffed
  bool eight_bit = false;        ///< an octet above %x7F (needs BODY=8BITMIME, SMTP-6152.3-01)
  bool tls_required_no = false;  ///< header field `TLS-Required: No` (RTLS-3-01, DNS-17)
};

/// Normalises `raw` (a file or stdin): LF and lone CR become CRLF, a missing final CRLF is
/// added. Errors: message_too_large (above `limits.max_octets`), message_line_too_long (a
/// line above 998 octets, SMTP-4.5.3.1.6-01; offset = the line's first octet),
/// message_nul_octet (offset of the NUL).
[[nodiscard]] result<message> prepare_message(std::string_view raw, message_limits const& limits = {});

/// [SMTP-4.5.2-01] the DATA payload: every line starting with "." gets one more ".", then
/// the terminating ".\r\n".
[[nodiscard]] std::string dot_stuff(std::string_view data);

}  // namespace mxtls::client
