// Helpers shared by the banner unit tests: JSON views of directives and errors, in the
// shape spec/vectors/banner.json uses.
#pragma once

#include "mxtls/spec/banner/directive.hpp"
#include "mxtls/spec/banner/errc.hpp"
#include "mxtls/spec/error.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <string>

namespace mxtls::test::banner {

inline boost::json::value to_json(spec::banner::strict_tls_directive const& d) {
  boost::json::object ext;
  for (auto const& [name, value] : d.extensions) ext[name] = value;
  return boost::json::object{{"pattern", d.pattern.to_string()},
                             {"max_age", static_cast<std::int64_t>(d.max_age)},
                             {"include_subdomains", d.include_subdomains},
                             {"extensions", std::move(ext)}};
}

/// {"valid": false, "requirement", "error", "offset"} for a banner-area error.
inline boost::json::value to_json(spec::parse_error const& e) {
  std::string name = e.code.category() == spec::banner::banner_category()
                         ? spec::banner::to_string(static_cast<spec::banner::errc>(e.code.value()))
                         : std::string(e.code.category().name()) + ":" + std::to_string(e.code.value());
  return boost::json::object{{"valid", false},
                             {"requirement", std::string(e.requirement)},
                             {"error", name},
                             {"offset", static_cast<std::int64_t>(e.offset)}};
}

}  // namespace mxtls::test::banner
