// mxtls-trace: the requirement traceability check (DESIGN §2).
// Reads the registry (spec/requirements/*.md), collects every requirement ID cited in the
// tree, fails on IDs the registry lacks (or registers twice), and writes a coverage report:
// per ID, whether code, a unit test (tests/, fuzz/, spec/vectors/) and a conformance case cite it.
#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// The ID grammar of DESIGN §2: PFX-nn, STS-3.2-04, SMTP-4.5.3.1-02 ...
const char* const id_pattern =
    R"((PFX|P26|BAN|DNS|STS|DANE|TLS|IMP|RPT|SMTP|RTLS|NAME)-([0-9]+(\.[0-9]+)*-)?[0-9]{2})";

struct entry {
  std::string file;
  int line = 0;
  std::string level, role, requirement;
};

struct citation {
  std::string file;
  int line = 0;
};

enum class kind { code, unit_test, conformance_case, spec_text };

std::string read_file(fs::path const& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(std::string s) {
  auto const b = s.find_first_not_of(" \t`*");
  auto const e = s.find_last_not_of(" \t`*");
  return b == std::string::npos ? std::string{} : s.substr(b, e - b + 1);
}

std::vector<std::string> split_row(std::string const& line) {
  std::vector<std::string> cells;
  std::string cur;
  for (std::size_t i = 1; i < line.size(); ++i) {  // skip the leading '|'
    if (line[i] == '|') {
      cells.push_back(trim(cur));
      cur.clear();
    } else {
      cur += line[i];
    }
  }
  return cells;
}

bool has_ext(fs::path const& p, std::initializer_list<const char*> exts) {
  auto const e = p.extension().string();
  return std::any_of(exts.begin(), exts.end(), [&](const char* x) { return e == x; });
}

// Which column a cited file counts for.
std::optional<kind> classify(std::string const& rel) {
  auto starts = [&](const char* p) { return rel.rfind(p, 0) == 0; };
  if (starts("build") || starts(".git") || starts("spec/requirements/")) return std::nullopt;
  if (starts("tests/traceability/")) return std::nullopt;
  // Tests live in tests/ and in each component's own tests/ folder (net/tests, ...).
  if (starts("tests/") || starts("fuzz/") || starts("spec/vectors/") ||
      rel.find("/tests/") != std::string::npos)
    return kind::unit_test;
  if (starts("conformance/src/cases/")) return kind::conformance_case;
  if (starts("spec/") && has_ext(rel, {".md"})) return kind::spec_text;
  if (has_ext(rel, {".md"})) return std::nullopt;  // README and notes may discuss IDs freely
  return kind::code;
}

void usage() {
  std::cerr << "usage: mxtls-trace --root DIR [--out DIR] [--report-only]\n"
               "  Checks that every requirement ID cited under DIR exists in\n"
               "  DIR/spec/requirements/*.md and writes coverage.md and coverage.json to --out.\n"
               "  exit status: 0 consistent, 1 unknown or duplicate IDs, 2 usage or I/O error\n";
}

}  // namespace

int main(int argc, char** argv) {
  fs::path root, out;
  bool report_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string const a = argv[i];
    if (a == "--root" && i + 1 < argc) root = argv[++i];
    else if (a == "--out" && i + 1 < argc) out = argv[++i];
    else if (a == "--report-only") report_only = true;
    else if (a == "-h" || a == "--help") { usage(); return 0; }
    else { usage(); return 2; }
  }
  if (root.empty() || !fs::is_directory(root / "spec")) {
    std::cerr << "mxtls-trace: --root must name the mxtls source tree\n";
    return 2;
  }

  std::regex const id_only(std::string("^") + id_pattern + "$");
  std::regex const id_any(std::string(R"((^|[^A-Za-z0-9_]))") + id_pattern + R"((?![0-9A-Za-z]))");

  // 1. The registry.
  std::map<std::string, entry> registry;
  std::vector<std::string> problems;
  fs::path const reg_dir = root / "spec" / "requirements";
  if (fs::is_directory(reg_dir)) {
    std::vector<fs::path> files;
    for (auto const& e : fs::directory_iterator(reg_dir))
      if (e.is_regular_file() && e.path().extension() == ".md") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (auto const& f : files) {
      std::istringstream in(read_file(f));
      std::string line;
      int n = 0;
      while (std::getline(in, line)) {
        ++n;
        if (line.empty() || line[0] != '|') continue;
        auto cells = split_row(line);
        if (cells.empty() || !std::regex_match(cells[0], id_only)) continue;
        std::string const rel = fs::relative(f, root).string();
        auto [it, inserted] = registry.try_emplace(cells[0]);
        if (!inserted) {
          problems.push_back(rel + ":" + std::to_string(n) + ": duplicate registry ID " + cells[0] +
                             " (first at " + it->second.file + ":" + std::to_string(it->second.line) + ")");
          continue;
        }
        it->second = entry{rel, n, cells.size() > 1 ? cells[1] : "", cells.size() > 2 ? cells[2] : "",
                           cells.size() > 3 ? cells[3] : ""};
      }
    }
  }

  // 2. Citations across the tree.
  std::map<std::string, std::map<kind, std::vector<citation>>> cited;
  std::size_t files_scanned = 0;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    std::string const rel = fs::relative(it->path(), root).string();
    if (it->is_directory()) {
      std::string const name = it->path().filename().string();
      if (name == "build" || name == ".git" || name == "corpus" || name == "scratch" ||
          name.rfind("build-", 0) == 0)
        it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    if (!has_ext(it->path(), {".cpp", ".hpp", ".h", ".cc", ".json", ".md", ".sh", ".txt", ".cmake", ".yaml", ".toml"}))
      continue;
    auto const k = classify(rel);
    if (!k) continue;
    ++files_scanned;
    std::istringstream in(read_file(it->path()));
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      for (std::sregex_iterator m(line.begin(), line.end(), id_any), end; m != end; ++m) {
        std::string id = (*m)[0].str();
        if (!id.empty() && !std::isupper(static_cast<unsigned char>(id[0]))) id.erase(0, 1);
        cited[id][*k].push_back({rel, n});
      }
    }
  }

  std::vector<std::string> unknown;
  for (auto const& [id, by_kind] : cited) {
    if (registry.count(id)) continue;
    for (auto const& [k, cs] : by_kind)
      for (auto const& c : cs) unknown.push_back(c.file + ":" + std::to_string(c.line) + ": unknown requirement ID " + id);
  }

  // 3. The report.
  std::size_t with_code = 0, with_test = 0, with_case = 0;
  std::ostringstream md;
  boost::json::array rows;
  md << "# Requirement coverage\n\nGenerated by mxtls-trace from spec/requirements/ and the citations in the tree.\n"
        "Columns: code = cited in implementation code; unit test = cited in tests/, fuzz/ or spec/vectors/; "
        "conformance = cited by a conformance case.\n\n"
        "| ID | Level | Role | Code | Unit test | Conformance | Registry |\n|---|---|---|---|---|---|---|\n";
  for (auto const& [id, e] : registry) {
    auto const c = cited.find(id);
    auto count = [&](kind k) -> std::size_t {
      if (c == cited.end()) return 0;
      auto const f = c->second.find(k);
      return f == c->second.end() ? 0 : f->second.size();
    };
    std::size_t const nc = count(kind::code), nt = count(kind::unit_test), nk = count(kind::conformance_case);
    with_code += nc > 0;
    with_test += nt > 0;
    with_case += nk > 0;
    auto mark = [](std::size_t v) { return v ? std::string("yes (") + std::to_string(v) + ")" : std::string("—"); };
    md << "| " << id << " | " << e.level << " | " << e.role << " | " << mark(nc) << " | " << mark(nt) << " | "
       << mark(nk) << " | " << e.file << ":" << e.line << " |\n";
    rows.push_back(boost::json::object{{"id", id}, {"level", e.level}, {"role", e.role},
                                       {"requirement", e.requirement}, {"code", nc}, {"unit_test", nt},
                                       {"conformance", nk}, {"registry", e.file + ":" + std::to_string(e.line)}});
  }
  std::ostringstream summary;
  summary << registry.size() << " requirement IDs in the registry; cited in code: " << with_code
          << ", unit-tested: " << with_test << ", covered by a conformance case: " << with_case << "; "
          << files_scanned << " files scanned; " << unknown.size() << " unknown citations; "
          << problems.size() << " registry problems";

  if (!out.empty()) {
    std::error_code ec;
    fs::create_directories(out, ec);
    std::ofstream(out / "coverage.md") << md.str() << "\n" << summary.str() << "\n";
    boost::json::object doc{{"summary", summary.str()}, {"requirements", rows}};
    boost::json::array unk;
    for (auto const& u : unknown) unk.push_back(boost::json::string(u));
    doc["unknown_citations"] = unk;
    std::ofstream(out / "coverage.json") << boost::json::serialize(doc) << "\n";
    if (!std::ofstream(out / "coverage.md", std::ios::app)) {
      std::cerr << "mxtls-trace: cannot write to " << out << '\n';
      return 2;
    }
  }

  for (auto const& p : problems) std::cerr << p << '\n';
  for (auto const& u : unknown) std::cerr << u << '\n';
  std::cout << "traceability: " << summary.str() << '\n';
  if (!out.empty()) std::cout << "traceability: report at " << (out / "coverage.md").string() << '\n';
  if (report_only) return 0;
  return (unknown.empty() && problems.empty()) ? 0 : 1;
}
