// The "mxtls.smtp" error category: names of the SMTP area's conditions and the reply
// code a server sends for each command-side one (RFC 5321 §4.2.2, §4.5.3.1.10).
#include "mxtls/spec/smtp/errc.hpp"

#include "mxtls/spec/error.hpp"

namespace mxtls::spec::smtp {
namespace {

char const* describe(int ev) noexcept {
  switch (static_cast<errc>(ev)) {
    case errc::reply_code_invalid: return "reply code is not 3 digits in 200..599";
    case errc::reply_separator_invalid: return "reply code not followed by SP, '-' or CRLF";
    case errc::reply_code_mismatch: return "multi-line reply lines carry different codes";
    case errc::reply_line_too_long: return "reply line too long";
    case errc::reply_too_many_lines: return "too many lines in one reply";
    case errc::reply_too_large: return "reply too large";
    case errc::reply_text_invalid: return "control character in reply text";
    case errc::bare_lf: return "bare LF (not preceded by CR)";
    case errc::bare_cr: return "bare CR (not followed by LF)";
    case errc::command_line_too_long: return "command line too long";
    case errc::text_line_too_long: return "text line too long";
    case errc::command_invalid_octet: return "control character in command line";
    case errc::command_unknown: return "command not recognized";
    case errc::non_ascii_octet: return "non-ASCII octet in argument";
    case errc::argument_missing: return "required argument missing";
    case errc::argument_unexpected: return "unexpected argument";
    case errc::path_keyword_missing: return "FROM: or TO: missing";
    case errc::space_around_colon: return "space around the colon of FROM: or TO:";
    case errc::path_invalid: return "path syntax invalid";
    case errc::null_path_not_allowed: return "null path not allowed here";
    case errc::path_too_long: return "path too long";
    case errc::local_part_invalid: return "local-part syntax invalid";
    case errc::local_part_too_long: return "local-part too long";
    case errc::domain_invalid: return "domain syntax invalid";
    case errc::domain_too_long: return "domain too long";
    case errc::address_literal_invalid: return "address literal invalid";
    case errc::string_invalid: return "argument is not an Atom or Quoted-string";
    case errc::param_syntax_invalid: return "ESMTP parameter syntax invalid";
    case errc::param_duplicate: return "duplicate ESMTP parameter";
    case errc::param_value_invalid: return "ESMTP parameter value invalid";
    case errc::param_not_allowed: return "ESMTP parameter not allowed with this command";
    case errc::ehlo_code_not_250: return "EHLO reply is not 250";
    case errc::ehlo_domain_invalid: return "EHLO reply does not start with a domain";
    case errc::ehlo_keyword_invalid: return "EHLO keyword syntax invalid";
    case errc::ehlo_param_invalid: return "EHLO parameter syntax invalid";
    case errc::ehlo_keyword_duplicate: return "EHLO keyword already present";
  }
  return "unknown mxtls.smtp error";
}

}  // namespace

boost::system::error_category const& smtp_category() noexcept {
  static const described_category cat{"mxtls.smtp", &describe};
  return cat;
}

char const* to_string(errc e) noexcept {
  switch (e) {
    case errc::reply_code_invalid: return "reply_code_invalid";
    case errc::reply_separator_invalid: return "reply_separator_invalid";
    case errc::reply_code_mismatch: return "reply_code_mismatch";
    case errc::reply_line_too_long: return "reply_line_too_long";
    case errc::reply_too_many_lines: return "reply_too_many_lines";
    case errc::reply_too_large: return "reply_too_large";
    case errc::reply_text_invalid: return "reply_text_invalid";
    case errc::bare_lf: return "bare_lf";
    case errc::bare_cr: return "bare_cr";
    case errc::command_line_too_long: return "command_line_too_long";
    case errc::text_line_too_long: return "text_line_too_long";
    case errc::command_invalid_octet: return "command_invalid_octet";
    case errc::command_unknown: return "command_unknown";
    case errc::non_ascii_octet: return "non_ascii_octet";
    case errc::argument_missing: return "argument_missing";
    case errc::argument_unexpected: return "argument_unexpected";
    case errc::path_keyword_missing: return "path_keyword_missing";
    case errc::space_around_colon: return "space_around_colon";
    case errc::path_invalid: return "path_invalid";
    case errc::null_path_not_allowed: return "null_path_not_allowed";
    case errc::path_too_long: return "path_too_long";
    case errc::local_part_invalid: return "local_part_invalid";
    case errc::local_part_too_long: return "local_part_too_long";
    case errc::domain_invalid: return "domain_invalid";
    case errc::domain_too_long: return "domain_too_long";
    case errc::address_literal_invalid: return "address_literal_invalid";
    case errc::string_invalid: return "string_invalid";
    case errc::param_syntax_invalid: return "param_syntax_invalid";
    case errc::param_duplicate: return "param_duplicate";
    case errc::param_value_invalid: return "param_value_invalid";
    case errc::param_not_allowed: return "param_not_allowed";
    case errc::ehlo_code_not_250: return "ehlo_code_not_250";
    case errc::ehlo_domain_invalid: return "ehlo_domain_invalid";
    case errc::ehlo_keyword_invalid: return "ehlo_keyword_invalid";
    case errc::ehlo_param_invalid: return "ehlo_param_invalid";
    case errc::ehlo_keyword_duplicate: return "ehlo_keyword_duplicate";
  }
  return "unknown";
}

std::uint16_t suggested_reply_code(errc e) noexcept {
  switch (e) {
    // RFC 5321 §4.2.2: 500 "Syntax error, command unrecognized (This may include errors
    // such as command line too long)".
    case errc::command_line_too_long:
    case errc::text_line_too_long:
    case errc::command_invalid_octet:
    case errc::command_unknown:
    case errc::bare_lf:
    case errc::bare_cr:
      return 500;
    // 555 "MAIL FROM/RCPT TO parameters not recognized or not implemented".
    case errc::param_not_allowed:
      return 555;
    // 501 "Syntax error in parameters or arguments" (RFC 3207 §4: STARTTLS with
    // arguments is answered 501 too).
    case errc::non_ascii_octet:
    case errc::argument_missing:
    case errc::argument_unexpected:
    case errc::path_keyword_missing:
    case errc::space_around_colon:
    case errc::path_invalid:
    case errc::null_path_not_allowed:
    case errc::path_too_long:
    case errc::local_part_invalid:
    case errc::local_part_too_long:
    case errc::domain_invalid:
    case errc::domain_too_long:
    case errc::address_literal_invalid:
    case errc::string_invalid:
    case errc::param_syntax_invalid:
    case errc::param_duplicate:
    case errc::param_value_invalid:
      return 501;
    case errc::reply_code_invalid:
    case errc::reply_separator_invalid:
    case errc::reply_code_mismatch:
    case errc::reply_line_too_long:
    case errc::reply_too_many_lines:
    case errc::reply_too_large:
    case errc::reply_text_invalid:
    case errc::ehlo_code_not_250:
    case errc::ehlo_domain_invalid:
    case errc::ehlo_keyword_invalid:
    case errc::ehlo_param_invalid:
    case errc::ehlo_keyword_duplicate:
      return 0;
  }
  return 0;
}

std::uint16_t suggested_reply_code(boost::system::error_code const& ec) noexcept {
  if (ec.category() != smtp_category()) return 0;
  return suggested_reply_code(static_cast<errc>(ec.value()));
}

}  // namespace mxtls::spec::smtp
