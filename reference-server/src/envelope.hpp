// One accepted message as the session core hands it to delivery: the envelope, what the
// server learned about the client and the channel, and the dot-unstuffed content.
#pragma once

#include <string>
#include <vector>

namespace mxtls::server {

/// What the TLS layer reports about an established session (for logs and Received:).
struct tls_facts {
  std::string version;  ///< e.g. "TLSv1.2"
  std::string cipher;   ///< e.g. "ECDHE_RSA_WITH_AES_256_GCM_SHA384"
  std::string sni;      ///< server name the client sent, or empty
};

/// How the client reached us: RFC 3848 "with" keywords (ESMTP, ESMTPS, SMTP, SMTPS).
enum class transport { smtp, esmtp, smtps, esmtps };

[[nodiscard]] inline const char* with_keyword(transport t) noexcept {
  switch (t) {
    case transport::smtp: return "SMTP";
    case transport::esmtp: return "ESMTP";
    case transport::smtps: return "SMTPS";
    case transport::esmtps: return "ESMTPS";
  }
  return "ESMTP";
}

struct envelope {
  std::string session_id;
  std::string peer_address;   ///< client IP address
  std::string helo;           ///< EHLO/HELO argument given inside the current TLS state
  transport with = transport::esmtp;
  bool tls = false;
  tls_facts tls_info;         ///< meaningful when tls
  std::string mail_from;      ///< reverse-path without brackets; empty for "<>"
  std::vector<std::string> recipients;  ///< forward-paths without brackets
  bool requiretls = false;    ///< MAIL FROM carried REQUIRETLS (RFC 8689)
  std::string content;        ///< CRLF lines, dot-unstuffed, without the final "."
};

}  // namespace mxtls::server
