// Loads the exported test vectors (spec/vectors/*.json) so the unit tests verify them.
// Each file: {"description": "...", "cases": [ {"name": ..., "input": ..., "expect": {...}} ]}.
#pragma once

#include <boost/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace mxtls::test {

inline boost::json::value load_vectors(std::string const& name) {
  std::string const path = std::string(MXTLS_SOURCE_DIR) + "/spec/vectors/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open test vectors " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return boost::json::parse(ss.str());
}

/// The "cases" array of a vector file.
inline boost::json::array const& vector_cases(boost::json::value const& doc) {
  return doc.at("cases").as_array();
}

}  // namespace mxtls::test
