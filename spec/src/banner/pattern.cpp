// The strict-tls= host pattern (BAN-11), built on the dns area's name patterns with the
// directive's stricter label counts, and the host-name checks of the scope rules.
#include "mxtls/spec/banner/pattern.hpp"

#include "mxtls/spec/banner/errc.hpp"
#include "mxtls/spec/dns/errc.hpp"

namespace mxtls::spec::banner {

result<dns::name_pattern> parse_pattern(std::string_view text, std::size_t base_offset) {
  // [BAN-11] a wildcard base and an exact name both need two labels ("*.com" and
  // "localhost" pin too much or nothing meaningful); no trailing dot in the directive.
  auto p = dns::parse_name_pattern(text, dns::pattern_options{.min_wildcard_base_labels = 2,
                                                              .min_exact_labels = 2,
                                                              .allow_trailing_dot = false});
  if (p) return std::move(*p);

  parse_error const& e = p.error();
  std::size_t const at = base_offset + e.offset;
  std::string detail = e.message();
  if (e.code.category() != dns::dns_category())  // not expected; keep the dns rule
    return make_parse_error(errc::pattern_label_invalid, e.requirement, at, std::move(detail));
  switch (static_cast<dns::errc>(e.code.value())) {
    case dns::errc::name_empty:
      return make_parse_error(errc::pattern_empty, "BAN-11", at, std::move(detail));
    case dns::errc::trailing_dot:
      return make_parse_error(errc::pattern_trailing_dot, "BAN-11", at, std::move(detail));
    case dns::errc::too_few_labels:
    case dns::errc::wildcard_base_too_short:
      return make_parse_error(errc::pattern_too_few_labels, "BAN-11", at, std::move(detail));
    case dns::errc::name_too_long:
      return make_parse_error(errc::pattern_too_long, e.requirement, at, std::move(detail));
    case dns::errc::wildcard_not_whole_label:
      return make_parse_error(errc::pattern_wildcard_invalid, e.requirement, at, std::move(detail));
    default:
      // Label syntax (empty, too long, bad octet, hyphens, U-label, numeric top label):
      // the dns rule that failed is the more precise requirement.
      return make_parse_error(errc::pattern_label_invalid, e.requirement, at, std::move(detail));
  }
}

std::string_view strip_root_dot(std::string_view host) noexcept {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return host;
}

bool is_host_name(std::string_view host) noexcept {
  if (host.empty() || host.size() > dns::max_name_octets) return false;
  for (;;) {
    std::size_t const dot = host.find('.');
    if (!dns::is_ldh_label(host.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    host.remove_prefix(dot + 1);
  }
}

}  // namespace mxtls::spec::banner
