// The sans-I/O SMTP server core: line splitting at CRLF only, command sequencing, the
// STARTTLS boundary, DATA transparency and limits. Every rule cites its registry ID.
#include "session.hpp"

#include "log.hpp"
#include "mxtls/spec/dns/name.hpp"
#include "mxtls/spec/smtp/command.hpp"

#include <algorithm>

namespace mxtls::server {
namespace {

namespace smtp = spec::smtp;

std::string mailbox_text(smtp::mailbox const& m) {
  if (m.domain.empty()) return m.local_part;  // "<Postmaster>"
  return m.local_part + "@" + m.domain;
}

/// [SMTP-2034.3-01] the enhanced status code that goes with a parse_command rejection.
std::string_view enhanced_for(std::uint16_t code, smtp::errc e) {
  if (code == 555) return "5.5.4";
  if (code == 500) return "5.5.2";
  switch (e) {
    case smtp::errc::local_part_too_long:
    case smtp::errc::local_part_invalid:
    case smtp::errc::path_invalid:
    case smtp::errc::null_path_not_allowed:
    case smtp::errc::path_too_long:
      return "5.1.3";  // RFC 3463: bad destination mailbox address syntax
    case smtp::errc::domain_invalid:
    case smtp::errc::domain_too_long:
    case smtp::errc::address_literal_invalid:
      return "5.1.2";  // bad destination system address
    default:
      return "5.5.4";  // invalid command arguments
  }
}

/// The limit of a command line: 512 octets [SMTP-4.5.3.1.4-01] plus what the MAIL
/// parameters we advertise may add: " SIZE=" + 20 digits (RFC 1870 §6: 26),
/// " BODY=8BITMIME" (14), " REQUIRETLS" (11).
constexpr std::size_t command_limit_with_params = command_line_limit + 26 + 14 + 11;

}  // namespace

session::session(session_settings const& settings, listener_kind kind, std::string session_id,
                 std::string peer_address)
    : settings_(settings), kind_(kind), id_(std::move(session_id)), peer_(std::move(peer_address)) {}

std::string session::greeting() const {
  // [SMTP-4.2-02] "220 " Domain [SP textstring]. [BAN-16] the directive is in the
  // implicit-TLS greeting (MUST) and the plaintext one (SHOULD); it runs to the end of
  // its line [BAN-02], so it comes last.
  std::string g = "220 " + settings_.hostname;
  if (!settings_.greeting_text.empty()) g += " " + settings_.greeting_text;
  if (!settings_.strict_tls.empty()) g += " " + settings_.strict_tls;
  return g + "\r\n";
}

std::string session::ehlo_reply(std::string_view client_name) const {
  // [SMTP-4.1.1.1-02] the first line is Domain [SP ehlo-greet]. [BAN-16] the directive
  // goes on the first line of every EHLO reply inside TLS (post-STARTTLS and port 26),
  // where senders honour it [BAN-14]; a plaintext EHLO reply does not carry it.
  std::string first = settings_.hostname + " Hello " + std::string(client_name);
  if (tls_ && !settings_.strict_tls.empty()) first += " " + settings_.strict_tls;
  std::vector<std::string> lines{first};
  lines.emplace_back("PIPELINING");  // [SMTP-2920.3.2-01]
  lines.push_back("SIZE " + std::to_string(settings_.max_message_size));  // [SMTP-1870.3-01]
  lines.emplace_back("8BITMIME");             // [SMTP-6152.2-01]
  lines.emplace_back("ENHANCEDSTATUSCODES");  // [SMTP-2034.3-01]
  // [TLS-4.2-06] never after the handshake; [P26-04][IMP-3-02] never on the implicit-TLS port.
  if (!tls_ && kind_ == listener_kind::starttls && settings_.tls_available) lines.emplace_back("STARTTLS");
  // [RTLS-2-01] REQUIRETLS only on a TLS-protected session.
  if (tls_) lines.emplace_back("REQUIRETLS");
  lines.emplace_back("HELP");
  std::string r;
  for (std::size_t i = 0; i < lines.size(); ++i)
    r += (i + 1 < lines.size() ? "250-" : "250 ") + lines[i] + "\r\n";
  return r;
}

void session::reply(output& out, std::string_view text) {
  out.bytes += text;
  out.bytes += "\r\n";
}

void session::error_reply(output& out, std::string_view text) {
  reply(out, text);
  ++errors_;
  if (errors_ >= settings_.max_errors) {
    // A client that keeps failing is dropped (Postfix smtpd_hard_error_limit);
    // [SMTP-4.1.4-03] closing after a 421 reply is allowed.
    reply(out, "421 4.7.0 " + settings_.hostname + " Too many errors, closing connection");
    out.events.push_back("event=too_many_errors errors=" + std::to_string(errors_));
    out.next = next_step::close;
    state_ = state::closed;
  }
}

output session::on_connected() {
  output out;
  out.events.push_back("event=connect peer=" + peer_ +
                       (kind_ == listener_kind::implicit_tls ? " listener=implicit" : " listener=starttls"));
  if (kind_ == listener_kind::implicit_tls) {
    // [P26-02][IMP-3-01] the handshake comes first; the greeting is sent only inside TLS,
    // and nothing is ever sent outside it [P26-03].
    state_ = state::tls_handshake;
    out.next = next_step::start_tls;
    return out;
  }
  state_ = state::initial;
  out.bytes = greeting();
  return out;
}

void session::reset_transaction() {
  env_.mail_from.clear();
  env_.recipients.clear();
  env_.content.clear();
  env_.content.shrink_to_fit();
  env_.requiretls = false;
  declared_size_ = 0;
  data_too_long_line_ = false;
  data_too_large_ = false;
  data_bare_lf_ = false;
}

void session::reset_after_tls() {
  // [TLS-4.2-01] back to the initial state; [TLS-4.2-02] forget the EHLO argument and
  // everything else the client said in plaintext.
  reset_transaction();
  helo_.clear();
  esmtp_ = false;
  in_.clear();
  in_pos_ = 0;
  discarding_ = false;
  state_ = state::initial;
}

output session::on_tls_established(tls_facts const& facts) {
  output out;
  tls_ = true;
  tls_facts_ = facts;
  reset_after_tls();
  out.events.push_back("event=tls version=" + log_value(facts.version) + " cipher=" + log_value(facts.cipher) +
                       " sni=" + log_value(facts.sni));
  // [TLS-4.2-01] no greeting after STARTTLS; [IMP-3-01] the implicit-TLS greeting now.
  if (kind_ == listener_kind::implicit_tls) out.bytes = greeting();
  return out;
}

output session::on_tls_failed(std::string_view reason) {
  output out;
  state_ = state::closed;
  out.next = next_step::close;
  // [IMP-3-03][P26-03] never fall back to plaintext after a failed handshake: close
  // without an SMTP reply.
  out.events.push_back("event=tls_failed reason=" + log_value(reason));
  return out;
}

output session::on_timeout(std::string_view which) {
  output out;
  if (state_ != state::closed && state_ != state::tls_handshake)
    reply(out, "421 4.4.2 " + settings_.hostname + " Timeout, closing connection");
  out.events.push_back("event=timeout which=" + log_value(which));
  state_ = state::closed;
  out.next = next_step::close;
  return out;
}

output session::on_shutdown() {
  output out;
  if (state_ != state::closed && state_ != state::tls_handshake)
    reply(out, "421 4.3.2 " + settings_.hostname + " Service shutting down, closing connection");
  out.events.push_back("event=shutdown");
  state_ = state::closed;
  out.next = next_step::close;
  return out;
}

output session::on_bytes(std::string_view bytes) {
  in_.append(bytes.data(), bytes.size());
  return run(output{});
}

void session::compact() {
  if (in_pos_ == 0) return;
  in_.erase(0, in_pos_);
  in_pos_ = 0;
}

output session::run(output out) {
  while (state_ != state::closed && state_ != state::delivering && state_ != state::tls_handshake &&
         out.next == next_step::read) {
    std::string_view view(in_);
    view.remove_prefix(in_pos_);
    std::size_t const limit = state_ == state::data ? text_line_limit : command_limit_with_params;
    // [SMTP-2.3.8-01] a line ends at CRLF and nowhere else.
    auto const crlf = view.find("\r\n");
    if (discarding_) {
      if (crlf == std::string_view::npos) {
        // Drop everything but a final CR, which may start the CRLF we are looking for.
        in_pos_ = in_.size() - (view.empty() || view.back() != '\r' ? 0 : 1);
        break;
      }
      in_pos_ += crlf + 2;
      discarding_ = false;
      continue;
    }
    if (crlf == std::string_view::npos) {
      // No CRLF yet. A partial line that cannot end within the limit is too long
      // already: report it now and drop bytes until its CRLF (bounded memory).
      if (view.size() > limit - 1) {
        handle_too_long(out);
        discarding_ = true;
        in_pos_ = in_.size() - (view.back() == '\r' ? 1 : 0);
        continue;
      }
      break;
    }
    auto const line = view.substr(0, crlf);
    in_pos_ += crlf + 2;
    if (line.size() > limit - 2) {
      handle_too_long(out);
      continue;
    }
    handle_line(out, line);
  }
  compact();
  return out;
}

void session::handle_too_long(output& out) {
  ++lines_;
  if (state_ == state::data) {
    // [SMTP-4.5.3.1.6-01] keep reading to the end of the data, then reject the message.
    data_too_long_line_ = true;
    return;
  }
  // [SMTP-4.5.3.1.4-01] answered once; the rest of the line up to CRLF is discarded.
  out.events.push_back("event=line_too_long");
  error_reply(out, "500 5.5.2 Line too long (more than 512 octets) [SMTP-4.5.3.1.4-01]");
}

void session::handle_line(output& out, std::string_view line) {
  ++lines_;
  if (state_ == state::data) handle_data_line(out, line);
  else handle_command(out, line);
}

void session::handle_data_line(output& out, std::string_view line) {
  if (line == ".") {
    // [SMTP-4.1.1.4-01] end of data.
    if (data_too_long_line_) {
      out.events.push_back("event=message_rejected reason=text_line_too_long");
      error_reply(out, "554 5.6.0 Message rejected: a text line is longer than 1000 octets [SMTP-4.5.3.1.6-01]");
    } else if (data_bare_lf_) {
      out.events.push_back("event=message_rejected reason=bare_cr_or_lf");
      error_reply(out, "554 5.6.0 Message rejected: bare CR or LF in the content [SMTP-4.1.1.4-02]");
    } else if (data_too_large_) {
      out.events.push_back("event=message_rejected reason=too_large");
      error_reply(out, "552 5.3.4 Message size exceeds fixed maximum message size [SMTP-1870.6-01]");
    } else {
      state_ = state::delivering;
      env_.session_id = id_;
      env_.peer_address = peer_;
      env_.helo = helo_;
      env_.tls = tls_;
      env_.tls_info = tls_facts_;
      env_.with = tls_ ? (esmtp_ ? transport::esmtps : transport::smtps)
                       : (esmtp_ ? transport::esmtp : transport::smtp);
      out.next = next_step::deliver;
      return;
    }
    reset_transaction();
    if (state_ != state::closed) state_ = state::ready;
    return;
  }
  // [SMTP-4.1.1.4-02] mxtls-DECISION: a bare CR or LF inside content rejects the message
  // (SMTP smuggling); the line itself was split at CRLF only.
  if (line.find_first_of("\r\n") != std::string_view::npos) data_bare_lf_ = true;
  // [SMTP-4.5.2-02] transparency: drop the first of a leading period.
  if (!line.empty() && line.front() == '.') line.remove_prefix(1);
  if (data_too_large_ || data_too_long_line_ || data_bare_lf_) return;
  if (env_.content.size() + line.size() + 2 > settings_.max_message_size) {
    // [SMTP-1870.6-01] keep reading to the end of the data, then answer 552.
    data_too_large_ = true;
    env_.content.clear();
    env_.content.shrink_to_fit();
    return;
  }
  env_.content.append(line.data(), line.size());
  env_.content += "\r\n";
}

output session::on_delivered(bool ok, std::string_view stored_as) {
  output out;
  if (state_ != state::delivering) return out;
  if (ok) {
    out.events.push_back("event=delivered stored=" + log_value(stored_as) + " size=" +
                         std::to_string(env_.content.size()) + " rcpts=" + std::to_string(env_.recipients.size()));
    reply(out, "250 2.0.0 Ok: queued as " + std::string(stored_as));
  } else {
    out.events.push_back("event=delivery_failed reason=" + log_value(stored_as));
    reply(out, "451 4.3.0 Local error in processing, try again later");
  }
  reset_transaction();
  state_ = state::ready;
  return run(std::move(out));
}

bool session::accepts_domain(std::string_view domain) const {
  if (domain.empty() || domain.front() == '[') return false;  // address literals: not ours
  return std::any_of(settings_.domains.begin(), settings_.domains.end(),
                     [&](std::string const& d) { return spec::dns::equal_ci(d, domain); });
}

void session::handle_command(output& out, std::string_view line) {
  // [SMTP-2.3.8-02] a bare CR or LF inside a command line: refused, not executed.
  if (line.find_first_of("\r\n") != std::string_view::npos) {
    out.events.push_back("event=bare_cr_lf");
    error_reply(out, "500 5.5.2 Bare CR or LF not allowed [SMTP-2.3.8-02]");
    return;
  }
  auto parsed = smtp::parse_command(line);
  if (!parsed) {
    auto const& e = parsed.error();
    auto const code = smtp::suggested_reply_code(e.code);
    auto const cond = static_cast<smtp::errc>(e.code.value());
    std::uint16_t const reply_code = code == 0 ? 500 : code;
    out.events.push_back("event=command_rejected code=" + std::to_string(reply_code) + " rule=" +
                         std::string(e.requirement) + " error=" + smtp::to_string(cond));
    error_reply(out, std::to_string(reply_code) + " " + std::string(enhanced_for(reply_code, cond)) + " " +
                         e.code.message() + " [" + std::string(e.requirement) + "]");
    return;
  }
  auto const& cmd = *parsed;
  using smtp::verb;
  switch (cmd.v) {
    case verb::ehlo:
    case verb::helo: {
      // [SMTP-4.1.4-02] EHLO/HELO resets the transaction like RSET.
      reset_transaction();
      helo_ = cmd.argument;
      esmtp_ = cmd.v == verb::ehlo;
      state_ = state::ready;
      out.events.push_back(std::string("event=") + (esmtp_ ? "ehlo" : "helo") + " name=" + log_value(helo_));
      if (esmtp_) out.bytes += ehlo_reply(helo_);
      else reply(out, "250 " + settings_.hostname);
      return;
    }
    case verb::starttls: {
      if (tls_) {
        // [TLS-4.2-08] a STARTTLS inside TLS is refused with 503; [P26-05] the same
        // 503 5.5.1 on the implicit-TLS port.
        out.events.push_back("event=starttls_in_tls");
        error_reply(out, "503 5.5.1 TLS already active [TLS-4.2-08]");
        return;
      }
      if (kind_ != listener_kind::starttls || !settings_.tls_available) {
        // [TLS-4-03] 454 when TLS cannot be offered.
        error_reply(out, "454 4.7.0 TLS not available [TLS-4-03]");
        return;
      }
      if (state_ == state::mail || state_ == state::rcpt) {
        error_reply(out, "503 5.5.1 Mail transaction in progress [SMTP-4.1.4-01]");
        return;
      }
      if (buffered() > 0) {
        // [TLS-4-10] CVE-2011-0411: bytes pipelined behind STARTTLS are never carried
        // into TLS. mxtls-serve discards them, refuses TLS and closes: a conforming
        // client sends nothing after STARTTLS before the 220 [TLS-4-09].
        out.events.push_back("event=starttls_injection discarded=" + std::to_string(buffered()));
        in_.clear();
        in_pos_ = 0;
        reply(out, "554 5.5.0 Commands pipelined after STARTTLS discarded, closing connection [TLS-4-10]");
        state_ = state::closed;
        out.next = next_step::close;
        return;
      }
      reply(out, "220 2.0.0 Ready to start TLS");
      state_ = state::tls_handshake;
      out.next = next_step::start_tls;
      return;
    }
    case verb::mail: {
      if (state_ == state::initial) {
        error_reply(out, "503 5.5.1 Send EHLO or HELO first [SMTP-4.1.4-01]");
        return;
      }
      if (state_ != state::ready) {
        error_reply(out, "503 5.5.1 Nested MAIL command [SMTP-4.1.4-01]");
        return;
      }
      bool requiretls = false;
      for (auto const& p : cmd.params) {
        if (!esmtp_) {
          error_reply(out, "555 5.5.4 MAIL parameters need EHLO [SMTP-4.1.2-05]");
          return;
        }
        if (p.keyword == "SIZE") {
          auto size = smtp::parse_size_value(p.value.value_or(""));
          if (size && *size > settings_.max_message_size) {
            out.events.push_back("event=mail_rejected reason=size declared=" + std::to_string(*size));
            error_reply(out, "552 5.3.4 Message size exceeds fixed maximum message size [SMTP-1870.6-01]");
            return;
          }
          if (size) declared_size_ = *size;
        } else if (p.keyword == "BODY") {
          // [SMTP-6152.2-01] 7BIT and 8BITMIME, both stored as received.
        } else if (p.keyword == "REQUIRETLS") {
          if (!tls_) {
            // [RTLS-2-03] REQUIRETLS only on a TLS-protected session.
            error_reply(out, "530 5.7.10 REQUIRETLS needs TLS [RTLS-2-03]");
            return;
          }
          requiretls = true;
        } else {
          // [SMTP-4.1.2-05] unknown (or unadvertised, e.g. SMTPUTF8) parameters.
          error_reply(out, "555 5.5.4 MAIL parameter " + p.keyword + " not supported [SMTP-4.1.2-05]");
          return;
        }
      }
      reset_transaction();
      env_.mail_from = cmd.path ? mailbox_text(*cmd.path) : std::string();
      env_.requiretls = requiretls;
      state_ = state::mail;
      out.events.push_back("event=mail from=" + log_value("<" + env_.mail_from + ">") +
                           (requiretls ? " requiretls=yes" : ""));
      reply(out, "250 2.1.0 Ok");
      return;
    }
    case verb::rcpt: {
      if (state_ != state::mail && state_ != state::rcpt) {
        error_reply(out, "503 5.5.1 Need MAIL before RCPT [SMTP-4.1.4-01]");
        return;
      }
      if (!cmd.params.empty()) {
        error_reply(out, "555 5.5.4 RCPT parameter " + cmd.params.front().keyword + " not supported [SMTP-4.1.2-05]");
        return;
      }
      auto const& box = *cmd.path;
      if (env_.recipients.size() >= settings_.max_recipients) {
        // [SMTP-4.5.3.1.8-01] the client sends the rest in a later transaction.
        reply(out, "452 4.5.3 Too many recipients [SMTP-4.5.3.1.8-01]");
        return;
      }
      // "<Postmaster>" (no domain) is always accepted [SMTP-4.1.1.3-01]; otherwise only
      // the configured domains: this server is not a relay.
      if (!box.domain.empty() && !accepts_domain(box.domain)) {
        out.events.push_back("event=rcpt_rejected to=" + log_value("<" + mailbox_text(box) + ">") +
                             " reason=relay_denied");
        error_reply(out, "550 5.7.1 Relay access denied");
        return;
      }
      env_.recipients.push_back(box.domain.empty() ? "postmaster" : mailbox_text(box));
      state_ = state::rcpt;
      out.events.push_back("event=rcpt to=" + log_value("<" + env_.recipients.back() + ">"));
      reply(out, "250 2.1.5 Ok");
      return;
    }
    case verb::data: {
      if (state_ == state::mail) {
        error_reply(out, "554 5.5.1 No valid recipients [SMTP-4.1.4-01]");
        return;
      }
      if (state_ != state::rcpt) {
        error_reply(out, "503 5.5.1 Need RCPT before DATA [SMTP-4.1.4-01]");
        return;
      }
      state_ = state::data;
      env_.content.reserve(std::min<std::uint64_t>(declared_size_, settings_.max_message_size));
      reply(out, "354 End data with <CR><LF>.<CR><LF>");
      return;
    }
    case verb::rset:
      // [SMTP-4.1.1.5-01]
      reset_transaction();
      if (state_ != state::initial) state_ = state::ready;
      reply(out, "250 2.0.0 Ok");
      return;
    case verb::noop:
      // [SMTP-4.1.1.9-01]
      reply(out, "250 2.0.0 Ok");
      return;
    case verb::vrfy:
      // [SMTP-4.1.1.6-01] mxtls-serve never discloses mailboxes.
      reply(out, "252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery");
      return;
    case verb::expn:
      error_reply(out, "502 5.5.1 EXPN not implemented [SMTP-4.1.1.6-01]");
      return;
    case verb::help:
      // [SMTP-4.1.1.8-01]
      reply(out, "214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP" +
                     std::string(!tls_ && kind_ == listener_kind::starttls ? " STARTTLS" : ""));
      return;
    case verb::quit:
      // [SMTP-4.1.1.10-01]
      reply(out, "221 2.0.0 Bye");
      out.events.push_back("event=quit");
      state_ = state::closed;
      out.next = next_step::close;
      return;
  }
}

}  // namespace mxtls::server
