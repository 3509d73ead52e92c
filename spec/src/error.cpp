// parse_error helpers shared by every area of spec/.
#include "mxtls/spec/error.hpp"

#include <stdexcept>

namespace mxtls::spec {

std::string parse_error::message() const {
  std::string out = code.message();
  if (!detail.empty()) {
    out += " (";
    out += detail;
    out += ')';
  }
  return out;
}

void throw_exception_from_error(parse_error const& e, boost::source_location const&) {
  throw std::runtime_error(std::string(e.requirement) + ": " + e.message() + " at offset " +
                           std::to_string(e.offset));
}

}  // namespace mxtls::spec
