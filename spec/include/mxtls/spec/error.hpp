// The error model shared by every parser and decision rule in spec/ (DESIGN §3):
// a parse error names the condition (an error_code from an area's own category),
// the requirement ID it enforces, and the byte offset where the input failed.
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace mxtls::spec {

/// Why a protocol object was rejected. `requirement` points at a string literal
/// (a registry ID such as "STS-3.2-05"), so copying a parse_error never allocates
/// more than `detail`.
struct parse_error {
  boost::system::error_code code;  ///< the condition, from an area category
  std::string_view requirement;    ///< registry ID in spec/requirements/
  std::size_t offset = 0;          ///< byte offset in the input where the rule failed
  std::string detail;              ///< optional extra explanation for people

  /// "code message (detail)" — the text the lint CLI prints as "error".
  [[nodiscard]] std::string message() const;

  friend bool operator==(parse_error const& a, parse_error const& b) noexcept {
    return a.code == b.code && a.requirement == b.requirement && a.offset == b.offset;
  }
};

/// Every fallible spec/ function returns this.
template <class T>
using result = boost::system::result<T, parse_error>;

/// Builds a parse_error; `requirement` must be a string literal.
[[nodiscard]] inline parse_error make_parse_error(boost::system::error_code code,
                                                  std::string_view requirement,
                                                  std::size_t offset,
                                                  std::string detail = {}) {
  return parse_error{code, requirement, offset, std::move(detail)};
}

/// Called by result<T, parse_error>::value() on an error (programmer error path).
[[noreturn]] void throw_exception_from_error(parse_error const& e,
                                             boost::source_location const& loc);

/// The error category of one spec/ area. Each area declares its own `errc` enum and
/// a function returning one static instance, e.g. in src/mtasts/errc.cpp:
///   static const described_category cat{"mxtls.mtasts", &describe};
/// where `describe(int) -> const char*` gives the text of each enumerator.
class described_category final : public boost::system::error_category {
 public:
  using describe_fn = const char* (*)(int) noexcept;
  constexpr described_category(const char* name, describe_fn describe) noexcept
      : name_(name), describe_(describe) {}
  const char* name() const noexcept override { return name_; }
  std::string message(int ev) const override { return describe_(ev); }
  char const* message(int ev, char*, std::size_t) const noexcept override { return describe_(ev); }

 private:
  const char* name_;
  describe_fn describe_;
};

}  // namespace mxtls::spec
