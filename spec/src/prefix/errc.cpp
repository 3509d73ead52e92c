// The "mxtls.prefix" error category: texts and enumerator names of prefix::errc.
#include "mxtls/spec/prefix/errc.hpp"

#include "mxtls/spec/error.hpp"

namespace mxtls::spec::prefix {

namespace {
char const* describe(int ev) noexcept {
  switch (static_cast<errc>(ev)) {
    case errc::mx_host_invalid: return "MX target is not a valid host name";
  }
  return "unknown prefix error";
}
}  // namespace

boost::system::error_category const& prefix_category() noexcept {
  static const described_category cat{"mxtls.prefix", &describe};
  return cat;
}

char const* to_string(errc e) noexcept {
  switch (e) {
    case errc::mx_host_invalid: return "mx_host_invalid";
  }
  return "unknown";
}

}  // namespace mxtls::spec::prefix
