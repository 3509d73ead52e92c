// The EHLO reply as a capability set (RFC 5321 §4.1.1.1): the server's domain and
// greeting, then one service extension per line. Implements SMTP-4.1.1.1-02,
// SMTP-4.1.1.1-05..07 and exposes the keywords the delivery decision needs (STARTTLS,
// TLS-3-01; REQUIRETLS, RFC 8689; SIZE, SMTP-1870.3-01). print_ehlo builds a server's.
#pragma once

#include "mxtls/spec/error.hpp"
#include "mxtls/spec/smtp/errc.hpp"
#include "mxtls/spec/smtp/reply.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mxtls::spec::smtp {

/// ehlo-line = ehlo-keyword *( SP ehlo-param ).
struct ehlo_extension {
  std::string keyword;              ///< upper case
  std::vector<std::string> params;  ///< as sent
  friend bool operator==(ehlo_extension const&, ehlo_extension const&) = default;
};

/// What a server announced in its EHLO reply. Keywords are case-insensitive and stored in
/// upper case [SMTP-2.4-01]; when a keyword appears twice the first line wins
/// [SMTP-4.1.1.1-06].
class ehlo_capabilities {
 public:
  ehlo_capabilities() = default;

  /// The first SP-separated token of the first line, as sent and not validated
  /// [SMTP-4.1.1.1-05] (a conformance check may apply is_domain()).
  [[nodiscard]] std::string const& domain() const noexcept { return domain_; }
  /// The rest of the first line after the domain and one SP (may be empty).
  [[nodiscard]] std::string const& greeting() const noexcept { return greeting_; }
  /// The extensions in the order announced, without repeated keywords.
  [[nodiscard]] std::vector<ehlo_extension> const& extensions() const noexcept { return extensions_; }
  /// [SMTP-4.1.1.1-07] lines that are not an ehlo-line (e.g. "AUTH=PLAIN LOGIN"), as
  /// sent; they announce nothing. A conformance check flags a non-empty list.
  [[nodiscard]] std::vector<std::string> const& malformed_lines() const noexcept { return malformed_; }

  /// Adds an extension (server side, or tests). Errors: ehlo_keyword_invalid,
  /// ehlo_param_invalid, ehlo_keyword_duplicate; offset 0 for the keyword, else the
  /// index of the failing parameter.
  result<void> add(std::string_view keyword, std::vector<std::string> params = {});

  /// True iff the keyword was announced (case-insensitive).
  [[nodiscard]] bool has(std::string_view keyword) const noexcept;
  /// The parameters of a keyword; empty when absent or announced without parameters.
  [[nodiscard]] std::span<std::string const> params(std::string_view keyword) const noexcept;

  /// [TLS-3-01] "STARTTLS" (its parameters, which should be none, are ignored).
  [[nodiscard]] bool starttls() const noexcept { return has("STARTTLS"); }
  /// RFC 2920 PIPELINING.
  [[nodiscard]] bool pipelining() const noexcept { return has("PIPELINING"); }
  /// [SMTP-1870.3-01] SIZE: the announced limit; nullopt when SIZE is absent, has no
  /// parameter, is 0 ("no maximum"), or its parameter is not 1*20DIGIT fitting 64 bits.
  [[nodiscard]] std::optional<std::uint64_t> size() const noexcept;
  /// RFC 6152 8BITMIME.
  [[nodiscard]] bool eightbitmime() const noexcept { return has("8BITMIME"); }
  /// RFC 2034 ENHANCEDSTATUSCODES.
  [[nodiscard]] bool enhancedstatuscodes() const noexcept { return has("ENHANCEDSTATUSCODES"); }
  /// RFC 8689 REQUIRETLS.
  [[nodiscard]] bool requiretls() const noexcept { return has("REQUIRETLS"); }
  /// RFC 6531 SMTPUTF8.
  [[nodiscard]] bool smtputf8() const noexcept { return has("SMTPUTF8"); }

  friend bool operator==(ehlo_capabilities const&, ehlo_capabilities const&) = default;

 private:
  friend result<ehlo_capabilities> parse_ehlo(reply const& r);
  std::string domain_;
  std::string greeting_;
  std::vector<ehlo_extension> extensions_;
  std::vector<std::string> malformed_;
};

/// [SMTP-4.1.1.1-02] ehlo-ok-rsp: code 250; first line Domain [SP ehlo-greet] (the
/// Domain is not validated, SMTP-4.1.1.1-05); each further line an ehlo-line, others are
/// recorded in malformed_lines() [SMTP-4.1.1.1-07]. The only error is ehlo_code_not_250
/// (offset 0): whatever the lines hold, a 250 reply yields a capability set.
[[nodiscard]] result<ehlo_capabilities> parse_ehlo(reply const& r);

/// The 250 reply announcing `caps` (its domain() and greeting() are not used):
/// "domain[ SP text]" then one line per extension. Errors: ehlo_domain_invalid when
/// `domain` is neither a Domain nor an address literal, reply_text_invalid when `text`
/// holds a control octet, reply_line_too_long when a line exceeds 512 octets with its
/// "250-" and CRLF. parse_ehlo(print_ehlo(d, t, caps)) gives back d, t and caps'
/// extensions.
[[nodiscard]] result<reply> print_ehlo(std::string_view domain, std::string_view text,
                                       ehlo_capabilities const& caps);

}  // namespace mxtls::spec::smtp
