// The "mxtls.mtasts" error category: texts and enumerator names of mtasts::errc.
#include "mxtls/spec/mtasts/errc.hpp"

#include "mxtls/spec/error.hpp"

namespace mxtls::spec::mtasts {

namespace {
char const* describe(int ev) noexcept {
  switch (static_cast<errc>(ev)) {
    case errc::record_too_large: return "MTA-STS TXT record too large";
    case errc::record_not_ascii: return "MTA-STS TXT record is not US-ASCII";
    case errc::not_sts_record: return "TXT record does not begin with v=STSv1";
    case errc::field_delimiter_expected: return "expected ';' between fields";
    case errc::field_empty: return "empty field (';;')";
    case errc::field_missing: return "no field after v=STSv1";
    case errc::field_name_invalid: return "invalid field name or missing '='";
    case errc::id_invalid: return "id is not 1 to 32 letters or digits";
    case errc::id_missing: return "record has no id field";
    case errc::extension_value_invalid: return "invalid extension field value";
    case errc::no_sts_record: return "no TXT record begins with v=STSv1";
    case errc::multiple_sts_records: return "more than one TXT record begins with v=STSv1";
    case errc::policy_too_large: return "policy larger than 65536 octets";
    case errc::policy_empty: return "empty policy";
    case errc::blank_line: return "blank line in policy";
    case errc::bare_cr: return "CR not followed by LF";
    case errc::key_invalid: return "line does not start with a key followed by ':'";
    case errc::value_invalid: return "invalid field value";
    case errc::version_invalid: return "version is not STSv1";
    case errc::version_missing: return "policy has no version field";
    case errc::mode_invalid: return "mode is not testing, enforce or none";
    case errc::mode_missing: return "policy has no mode field";
    case errc::max_age_invalid: return "max_age is not 1 to 10 digits";
    case errc::max_age_too_large: return "max_age above 31557600";
    case errc::max_age_missing: return "policy has no max_age field";
    case errc::mx_pattern_invalid: return "mx value is not a host name or *. followed by a host name";
    case errc::mx_missing: return "policy has no mx field and mode is not none";
  }
  return "unknown mtasts error";
}
}  // namespace

boost::system::error_category const& mtasts_category() noexcept {
  static const described_category cat{"mxtls.mtasts", &describe};
  return cat;
}

char const* to_string(errc e) noexcept {
  switch (e) {
    case errc::record_too_large: return "record_too_large";
    case errc::record_not_ascii: return "record_not_ascii";
    case errc::not_sts_record: return "not_sts_record";
    case errc::field_delimiter_expected: return "field_delimiter_expected";
    case errc::field_empty: return "field_empty";
    case errc::field_missing: return "field_missing";
    case errc::field_name_invalid: return "field_name_invalid";
    case errc::id_invalid: return "id_invalid";
    case errc::id_missing: return "id_missing";
    case errc::extension_value_invalid: return "extension_value_invalid";
    case errc::no_sts_record: return "no_sts_record";
    case errc::multiple_sts_records: return "multiple_sts_records";
    case errc::policy_too_large: return "policy_too_large";
    case errc::policy_empty: return "policy_empty";
    case errc::blank_line: return "blank_line";
    case errc::bare_cr: return "bare_cr";
    case errc::key_invalid: return "key_invalid";
    case errc::value_invalid: return "value_invalid";
    case errc::version_invalid: return "version_invalid";
    case errc::version_missing: return "version_missing";
    case errc::mode_invalid: return "mode_invalid";
    case errc::mode_missing: return "mode_missing";
    case errc::max_age_invalid: return "max_age_invalid";
    case errc::max_age_too_large: return "max_age_too_large";
    case errc::max_age_missing: return "max_age_missing";
    case errc::mx_pattern_invalid: return "mx_pattern_invalid";
    case errc::mx_missing: return "mx_missing";
  }
  return "unknown";
}

}  // namespace mxtls::spec::mtasts
