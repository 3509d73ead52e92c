// The "mxtls.client" error category: texts and enumerator names of client::errc.
#include "mxtls/client/errc.hpp"

namespace mxtls::client {

namespace {
char const* describe(int ev) noexcept {
  switch (static_cast<errc>(ev)) {
    case errc::usage_invalid: return "invalid command line";
    case errc::address_invalid: return "not a valid mailbox";
    case errc::too_many_recipients: return "too many recipients";
    case errc::config_unreadable: return "configuration file cannot be used";
    case errc::message_unreadable: return "message cannot be read";
    case errc::message_too_large: return "message larger than the size limit";
    case errc::message_line_too_long: return "message line longer than 998 octets";
    case errc::message_nul_octet: return "message contains a NUL octet";
    case errc::state_unreadable: return "state directory cannot be read";
    case errc::state_invalid: return "state file is invalid";
    case errc::state_write_failed: return "state file cannot be written";
  }
  return "unknown client error";
}
}  // namespace

boost::system::error_category const& client_category() noexcept {
  static const spec::described_category cat{"mxtls.client", &describe};
  return cat;
}

char const* to_string(errc e) noexcept {
  switch (e) {
    case errc::usage_invalid: return "usage_invalid";
    case errc::address_invalid: return "address_invalid";
    case errc::too_many_recipients: return "too_many_recipients";
    case errc::config_unreadable: return "config_unreadable";
    case errc::message_unreadable: return "message_unreadable";
    case errc::message_too_large: return "message_too_large";
    case errc::message_line_too_long: return "message_line_too_long";
    case errc::message_nul_octet: return "message_nul_octet";
    case errc::state_unreadable: return "state_unreadable";
    case errc::state_invalid: return "state_invalid";
    case errc::state_write_failed: return "state_write_failed";
  }
  return "unknown";
}

}  // namespace mxtls::client
