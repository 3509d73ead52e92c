// Error conditions of the SMTP area: reply stream, command lines and EHLO capabilities.
// Each enumerator names the violated condition; the parse_error carrying it names the
// registry ID (SMTP-*, TLS-*) and the byte offset. suggested_reply_code() maps a
// command-side condition to the reply a server sends (RFC 5321 §4.2.2, RFC 3207 §4).
#pragma once

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <type_traits>

namespace mxtls::spec::smtp {

enum class errc {
  // Reply stream (client side).
  reply_code_invalid = 1,   ///< not 3 digits %x32-35 %x30-35 %x30-39
  reply_separator_invalid,  ///< the octet after the code is not SP, "-" or CRLF
  reply_code_mismatch,      ///< a line of a multi-line reply carries another code
  reply_line_too_long,      ///< reply line above the configured limit (512 with CRLF)
  reply_too_many_lines,     ///< more lines in one reply than the configured limit
  reply_too_large,          ///< more octets in one reply than the configured limit
  reply_text_invalid,       ///< control octet (other than HTAB) in reply text
  bare_lf,                  ///< LF not preceded by CR
  bare_cr,                  ///< CR not followed by LF
  // Line splitting (server side).
  command_line_too_long,  ///< command line above 512 octets with CRLF
  text_line_too_long,     ///< DATA text line above 1000 octets with CRLF
  // Commands (server side).
  command_invalid_octet,    ///< NUL, CR, LF or another control octet in a command line
  command_unknown,          ///< the verb is not a command mxtls implements
  non_ascii_octet,          ///< an octet above %x7F in an argument (no SMTPUTF8 support)
  argument_missing,         ///< a required argument is absent
  argument_unexpected,      ///< arguments where the command takes none, or trailing text
  path_keyword_missing,     ///< MAIL without "FROM:", RCPT without "TO:"
  space_around_colon,       ///< "MAIL FROM :<a@b>" or two SP after the colon
  path_invalid,             ///< not "<" [A-d-l ":"] Mailbox ">"
  null_path_not_allowed,    ///< "<>" as a forward-path
  path_too_long,            ///< path above 256 octets
  local_part_invalid,       ///< not a Dot-string or Quoted-string
  local_part_too_long,      ///< local-part above 64 octets
  domain_invalid,           ///< not a Domain (RFC 5321 §4.1.2)
  domain_too_long,          ///< domain above 255 octets
  address_literal_invalid,  ///< not an IPv4, IPv6 or General address literal
  string_invalid,           ///< VRFY/EXPN/HELP/NOOP argument is not an Atom or Quoted-string
  param_syntax_invalid,     ///< not esmtp-keyword ["=" esmtp-value]
  param_duplicate,          ///< the same ESMTP parameter twice
  param_value_invalid,      ///< SIZE, BODY or REQUIRETLS with a bad value
  param_not_allowed,        ///< a MAIL-only parameter on RCPT
  // EHLO reply (client side).
  ehlo_code_not_250,     ///< the EHLO reply is not a 250 reply
  ehlo_domain_invalid,   ///< building an EHLO reply: not a Domain or address literal
  ehlo_keyword_invalid,  ///< building a capability set: keyword is not an ehlo-keyword
  ehlo_param_invalid,    ///< building a capability set: param is not an ehlo-param
  ehlo_keyword_duplicate,  ///< building a capability set: keyword already present
};

/// The category "mxtls.smtp".
[[nodiscard]] boost::system::error_category const& smtp_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), smtp_category()};
}

/// The enumerator's name ("reply_code_invalid"), as written in spec/vectors/*.json;
/// "unknown" for a value outside the enum.
[[nodiscard]] char const* to_string(errc e) noexcept;

/// The reply a server sends for a command rejected with `e`: 500 (syntax error, command
/// unrecognised, line too long), 501 (syntax error in parameters or arguments) or 555
/// (MAIL/RCPT parameters not recognised). 0 for reply-side conditions.
[[nodiscard]] std::uint16_t suggested_reply_code(errc e) noexcept;

/// Same, for an error_code; 0 when it is not from smtp_category().
[[nodiscard]] std::uint16_t suggested_reply_code(boost::system::error_code const& ec) noexcept;

}  // namespace mxtls::spec::smtp

template <>
struct boost::system::is_error_code_enum<mxtls::spec::smtp::errc> : std::true_type {};
