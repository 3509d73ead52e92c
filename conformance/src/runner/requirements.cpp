// Reads the requirement registry's Markdown tables at run time (format: spec/requirements/*.md).
#include "runner/requirements.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

namespace mxtls::conformance {

namespace fs = std::filesystem;

namespace {
std::string trim_cell(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

bool looks_like_id(std::string const& s) {
  static std::regex const id(R"(^(PFX|P26|BAN|DNS|STS|DANE|TLS|IMP|RPT|SMTP|RTLS|NAME)-([0-9]+(\.[0-9]+)*-)?[0-9]{2}$)");
  return std::regex_match(s, id);
}
}  // namespace

void requirement_registry::add_markdown(std::string_view text, std::string const& document) {
  while (!text.empty()) {
    auto const nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line.front() != '|') continue;
    std::vector<std::string> cells;
    std::size_t start = 1;
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '|') {
        cells.push_back(trim_cell(line.substr(start, i - start)));
        start = i + 1;
      }
    }
    if (cells.size() < 4) continue;
    auto id = cells[0];
    // Some registries bold or code-quote the ID cell.
    std::erase_if(id, [](char c) { return c == '`' || c == '*'; });
    if (!looks_like_id(id)) continue;
    requirement_text row{id, cells[1], cells[2], cells[3], cells.size() > 4 ? cells[4] : std::string{}, document};
    rows_.insert_or_assign(id, std::move(row));
  }
}

requirement_registry requirement_registry::load(std::string const& dir) {
  requirement_registry reg;
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return reg;
  std::vector<fs::path> files;
  for (auto const& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".md") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (auto const& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) continue;
    std::stringstream ss;
    ss << in.rdbuf();
    reg.add_markdown(ss.str(), f.filename().string());
  }
  return reg;
}

requirement_text const* requirement_registry::find(std::string_view id) const {
  auto const it = rows_.find(id);
  return it == rows_.end() ? nullptr : &it->second;
}

std::string default_spec_dir() {
  if (char const* env = std::getenv("MXTLS_SPEC_DIR"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
#ifdef MXTLS_SOURCE_DIR
  fs::path const src = fs::path(MXTLS_SOURCE_DIR) / "spec" / "requirements";
  if (fs::is_directory(src, ec)) return src.string();
#endif
  auto const exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto const installed = exe.parent_path().parent_path() / "share" / "mxtls" / "spec" / "requirements";
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  return {};
}

}  // namespace mxtls::conformance
