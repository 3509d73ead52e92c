// The "mxtls.tlsrpt" error category: texts and enumerator names of tlsrpt::errc.
#include "mxtls/spec/tlsrpt/errc.hpp"

#include "mxtls/spec/error.hpp"

namespace mxtls::spec::tlsrpt {

namespace {
char const* describe(int ev) noexcept {
  switch (static_cast<errc>(ev)) {
    case errc::record_too_large: return "TLSRPT TXT record too large";
    case errc::not_tlsrpt_record: return "TXT record does not begin with v=TLSRPTv1";
    case errc::field_delimiter_expected: return "expected ';' between fields";
    case errc::field_empty: return "empty field (';;')";
    case errc::field_missing: return "no field after v=TLSRPTv1";
    case errc::field_name_invalid: return "invalid field name or missing '='";
    case errc::extension_value_invalid: return "invalid extension field value";
    case errc::rua_uri_invalid: return "invalid rua URI";
    case errc::rua_missing: return "record has no rua field";
    case errc::no_tlsrpt_record: return "no TXT record begins with v=TLSRPTv1";
    case errc::multiple_tlsrpt_records: return "more than one TXT record begins with v=TLSRPTv1";
  }
  return "unknown tlsrpt error";
}
}  // namespace

boost::system::error_category const& tlsrpt_category() noexcept {
  static const described_category cat{"mxtls.tlsrpt", &describe};
  return cat;
}

char const* to_string(errc e) noexcept {
  switch (e) {
    case errc::record_too_large: return "record_too_large";
    case errc::not_tlsrpt_record: return "not_tlsrpt_record";
    case errc::field_delimiter_expected: return "field_delimiter_expected";
    case errc::field_empty: return "field_empty";
    case errc::field_missing: return "field_missing";
    case errc::field_name_invalid: return "field_name_invalid";
    case errc::extension_value_invalid: return "extension_value_invalid";
    case errc::rua_uri_invalid: return "rua_uri_invalid";
    case errc::rua_missing: return "rua_missing";
    case errc::no_tlsrpt_record: return "no_tlsrpt_record";
    case errc::multiple_tlsrpt_records: return "multiple_tlsrpt_records";
  }
  return "unknown";
}

}  // namespace mxtls::spec::tlsrpt
