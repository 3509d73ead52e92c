// The requirement registry (spec/requirements/*.md) read at run time, so every report shows
// the text of the requirements a case checks beside their IDs (DESIGN §2, §5).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace mxtls::conformance {

struct requirement_text {
  std::string id;
  std::string level;           ///< MUST, SHOULD, ABNF, mxtls-DECISION, ...
  std::string role;            ///< sender, receiver, publisher, any
  std::string requirement;     ///< the Requirement cell
  std::string interpretation;  ///< the Interpretation cell (may be empty)
  std::string document;        ///< the file it comes from ("rfc8461.md")
};

class requirement_registry {
 public:
  /// Reads every *.md table row `| ID | Level | Role | Requirement | Interpretation |` of
  /// `dir`. A missing or unreadable directory gives an empty registry (reports then show
  /// IDs without texts).
  [[nodiscard]] static requirement_registry load(std::string const& dir);
  /// Parses one registry file's text (rows whose first cell is not an ID are skipped).
  void add_markdown(std::string_view text, std::string const& document);

  [[nodiscard]] requirement_text const* find(std::string_view id) const;
  [[nodiscard]] std::size_t size() const noexcept { return rows_.size(); }

 private:
  std::map<std::string, requirement_text, std::less<>> rows_;
};

/// The default --spec-dir: $MXTLS_SPEC_DIR, else the source tree compiled in
/// (MXTLS_SOURCE_DIR/spec/requirements) when it exists, else <exe>/../share/mxtls/spec/requirements.
[[nodiscard]] std::string default_spec_dir();

}  // namespace mxtls::conformance
