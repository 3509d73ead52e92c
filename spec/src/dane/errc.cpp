// The "mxtls.dane" error category: texts and enumerator names of dane::errc.
#include "mxtls/spec/dane/errc.hpp"

#include "mxtls/spec/error.hpp"

namespace mxtls::spec::dane {

namespace {
char const* describe(int ev) noexcept {
  switch (static_cast<errc>(ev)) {
    case errc::rdata_too_short: return "TLSA RDATA shorter than 3 octets";
    case errc::rdata_too_long: return "TLSA RDATA longer than 65535 octets";
    case errc::field_missing: return "TLSA record needs usage, selector and matching type";
    case errc::field_invalid: return "TLSA usage, selector or matching type is not a number from 0 to 255";
    case errc::data_missing: return "TLSA record has no certificate association data";
    case errc::data_not_hex: return "TLSA certificate association data is not hexadecimal";
    case errc::data_odd_length: return "TLSA certificate association data has an odd number of hex digits";
    case errc::text_too_long: return "TLSA presentation text too long";
  }
  return "unknown dane error";
}
}  // namespace

boost::system::error_category const& dane_category() noexcept {
  static const described_category cat{"mxtls.dane", &describe};
  return cat;
}

char const* to_string(errc e) noexcept {
  switch (e) {
    case errc::rdata_too_short: return "rdata_too_short";
    case errc::rdata_too_long: return "rdata_too_long";
    case errc::field_missing: return "field_missing";
    case errc::field_invalid: return "field_invalid";
    case errc::data_missing: return "data_missing";
    case errc::data_not_hex: return "data_not_hex";
    case errc::data_odd_length: return "data_odd_length";
    case errc::text_too_long: return "text_too_long";
  }
  return "unknown";
}

}  // namespace mxtls::spec::dane
