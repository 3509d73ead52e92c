// Helpers for the dns / mtasts / tlsrpt unit tests: errc enumerator names across the three
// categories, and the check of an expected error object from spec/vectors/*.json.
#pragma once

#include "mxtls/spec/dns/errc.hpp"
#include "mxtls/spec/error.hpp"
#include "mxtls/spec/mtasts/errc.hpp"
#include "mxtls/spec/tlsrpt/errc.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace mxtls::test {

/// The enumerator name of an error code from the dns, mtasts or tlsrpt category.
inline std::string errc_name(boost::system::error_code const& ec) {
  if (ec.category() == spec::dns::dns_category()) return spec::dns::to_string(static_cast<spec::dns::errc>(ec.value()));
  if (ec.category() == spec::mtasts::mtasts_category()) {
    return spec::mtasts::to_string(static_cast<spec::mtasts::errc>(ec.value()));
  }
  if (ec.category() == spec::tlsrpt::tlsrpt_category()) {
    return spec::tlsrpt::to_string(static_cast<spec::tlsrpt::errc>(ec.value()));
  }
  return "foreign:" + std::string(ec.category().name());
}

inline std::string str(boost::json::value const& v) { return std::string(v.as_string()); }

/// Checks `e` against {"requirement", "error", "offset"?} of a vector's expect object.
inline void expect_error_matches(boost::json::object const& expect, spec::parse_error const& e,
                                 std::string const& case_name) {
  EXPECT_EQ(str(expect.at("requirement")), std::string(e.requirement)) << case_name << ": " << e.message();
  EXPECT_EQ(str(expect.at("error")), errc_name(e.code)) << case_name << ": " << e.message();
  if (auto const* off = expect.if_contains("offset")) {
    EXPECT_EQ(off->to_number<std::size_t>(), e.offset) << case_name << ": " << e.message();
  }
  EXPECT_FALSE(e.message().empty()) << case_name;
}

}  // namespace mxtls::test
