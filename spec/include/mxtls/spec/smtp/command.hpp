// SMTP commands as a server reads them (RFC 5321 §4.1): one command line is parsed into
// a verb, its argument, its path and ESMTP parameters, or rejected with the rule that
// failed and the reply to send (suggested_reply_code). Implements SMTP-4.1.1-01/02,
// SMTP-4.1.1.1-01/04, SMTP-4.1.1.2-01, SMTP-4.1.1.3-01/02, SMTP-4.1.2-01..07,
// SMTP-4.1.3-01, SMTP-2.4-01, SMTP-4.2.4-01, SMTP-4.5.3.1.1..4-01, TLS-4-01/02.
#pragma once

#include "mxtls/spec/error.hpp"
#include "mxtls/spec/smtp/errc.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::spec::smtp {

/// The commands mxtls's server implements (RFC 5321 §4.1.1, RFC 3207). Anything else is
/// errc::command_unknown (500) [SMTP-4.2.4-01].
enum class verb : std::uint8_t { ehlo, helo, mail, rcpt, data, rset, vrfy, expn, help, noop, quit, starttls };

/// "EHLO", "MAIL", ... (upper case, as printed).
[[nodiscard]] std::string_view to_string(verb v) noexcept;

/// Mailbox = Local-part "@" ( Domain / address-literal ), kept as sent.
struct mailbox {
  std::string local_part;  ///< a Dot-string, or a Quoted-string including its quotes
  std::string domain;      ///< a Domain, or an address literal with its brackets; empty
                           ///< only for the special recipient "<Postmaster>"
  friend bool operator==(mailbox const&, mailbox const&) = default;
};

/// esmtp-param = esmtp-keyword ["=" esmtp-value].
struct esmtp_param {
  std::string keyword;               ///< upper case (keywords are case-insensitive)
  std::optional<std::string> value;  ///< as sent
  friend bool operator==(esmtp_param const&, esmtp_param const&) = default;
};

/// One parsed command. Which members are set depends on the verb:
///   EHLO/HELO             argument = the Domain or address literal (as sent); HELO takes
///                         an address literal too [SMTP-4.1.1.1-04]
///   MAIL                  path = the reverse-path, nullopt for the null path "<>"; params
///   RCPT                  path = the forward-path (never nullopt); params. "<Postmaster>"
///                         is mailbox{"Postmaster" (as sent), ""} [SMTP-4.1.1.3-01]
///   VRFY/EXPN             argument = the String (Atom or Quoted-string, as sent)
///   HELP/NOOP             argument = the String, or empty when none was given
///   DATA/RSET/QUIT/STARTTLS  nothing
/// A source route ("<@a,@b:user@c>") is accepted and discarded [SMTP-4.1.2-04].
struct command {
  verb v = verb::noop;
  std::string argument;
  std::optional<mailbox> path;
  std::vector<esmtp_param> params;

  /// The parameter with this keyword (compared case-insensitively), or nullptr.
  [[nodiscard]] esmtp_param const* param(std::string_view keyword) const noexcept;

  friend bool operator==(command const&, command const&) = default;
};

/// Longest command line in octets including CRLF [SMTP-4.5.3.1.4-01].
inline constexpr std::size_t max_command_line_octets = 512;

/// Parses one command line given WITHOUT its CRLF (as line_reader returns it); a CR or
/// LF inside `line` is errc::bare_cr / bare_lf [SMTP-2.3.8-02]. `max_line_octets` bounds
/// the line with its CRLF [SMTP-4.5.3.1.4-01]. Verbs, "FROM:", "TO:", keywords and
/// "<Postmaster>" are case-insensitive [SMTP-2.4-01]. One SP after "FROM:" / "TO:" is
/// tolerated [SMTP-4.1.1.2-01, SMTP-4.1.1.3-02]; SP before the colon or two SP are
/// errc::space_around_colon. Arguments are US-ASCII only: an octet above %x7F is
/// errc::non_ascii_octet [SMTP-4.1.2-07] (mxtls does not implement SMTPUTF8).
/// Known MAIL parameters are checked: SIZE=1*20DIGIT fitting 64 bits [SMTP-1870.6-01,
/// SMTP-1870.6-03], BODY=7BIT/8BITMIME [SMTP-6152.2-01], REQUIRETLS without a value
/// [RTLS-2-02]; on RCPT they are errc::param_not_allowed (555). A parameter given twice is
/// errc::param_duplicate [SMTP-4.1.2-06]. Other parameters pass through for the server to
/// accept or answer 555 [SMTP-4.1.2-05]. Errors: offset counts from the start of `line`.
[[nodiscard]] result<command> parse_command(std::string_view line,
                                            std::size_t max_line_octets = max_command_line_octets);

/// The command line without CRLF, e.g. "MAIL FROM:<a@b.example> SIZE=10". For every
/// command c returned by parse_command, parse_command(print_command(c)) == c.
[[nodiscard]] std::string print_command(command const& c);

/// [SMTP-1870.6-01] size-value = 1*20DIGIT, limited to 64 bits [SMTP-1870.6-03].
[[nodiscard]] result<std::uint64_t> parse_size_value(std::string_view value);

/// [SMTP-6152.2-01] BODY values.
enum class body_type : std::uint8_t { seven_bit, eight_bit_mime };

/// "7BIT" or "8BITMIME", case-insensitive.
[[nodiscard]] result<body_type> parse_body_value(std::string_view value);

/// [SMTP-4.1.2-03] Domain = sub-domain *("." sub-domain), sub-domain = Let-dig [Ldh-str],
/// labels of at most 63 octets [NAME-2.3.4-01], at most 253 octets [NAME-2.3.4-02].
[[nodiscard]] bool is_domain(std::string_view text) noexcept;

/// [SMTP-4.1.3-01] "[" (IPv4 / "IPv6:" IPv6) "]"; a General-address-literal needs a tag
/// registered with IANA and none but IPv6 is, so it is refused [SMTP-4.1.3-02].
[[nodiscard]] bool is_address_literal(std::string_view text) noexcept;

}  // namespace mxtls::spec::smtp
