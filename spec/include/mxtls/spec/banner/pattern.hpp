// The host pattern of the strict-tls= directive and host-name helpers shared by the
// directive's scope rule and the pin store. Implements BAN-11 (st-pattern).
#pragma once

#include "mxtls/spec/dns/name.hpp"
#include "mxtls/spec/error.hpp"

#include <cstddef>
#include <string_view>

namespace mxtls::spec::banner {

/// [BAN-11] st-pattern = [ "*." ] st-domain; st-domain has at least two LDH labels
/// (NAME-2.3.1-01; A-labels only, NAME-2.3.2-03), at most 253 octets (NAME-2.3.4-02), no
/// trailing dot (NAME-3.1-03), last label not all digits (NAME-2-01); "*" only as the whole
/// left-most label (NAME-6.4.3-01, NAME-6.4.3-03). [BAN-04] returned in lower case. Returned in lower case. Error offsets are `base_offset` plus the
/// offset inside `text`, so callers report positions in their own input.
[[nodiscard]] result<dns::name_pattern> parse_pattern(std::string_view text, std::size_t base_offset = 0);

/// `host` without one trailing root dot.
[[nodiscard]] std::string_view strip_root_dot(std::string_view host) noexcept;

/// True iff `host` (no trailing dot) is 1..253 octets of LDH labels (dns::is_ldh_label).
/// The rules that compare a host against patterns accept nothing else.
[[nodiscard]] bool is_host_name(std::string_view host) noexcept;

}  // namespace mxtls::spec::banner
