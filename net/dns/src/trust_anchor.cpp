// Trust-anchor files (trust_anchor.hpp): DS and DNSKEY lines parsed by ldns.
#include "mxtls/net/dns/trust_anchor.hpp"

#include "ldns_wrap.hpp"

#include <fstream>
#include <sstream>

namespace mxtls::net::dns {

namespace {
error anchor_error(errc e, std::size_t offset, std::string detail) {
  return mxtls::spec::make_parse_error(e, "DANE-2.1.1-01", offset, std::move(detail));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}
}  // namespace

result<trust_anchor> trust_anchor::parse(std::string_view text) {
  trust_anchor out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t const eol = text.find('\n', pos);
    std::size_t const end = eol == std::string_view::npos ? text.size() : eol;
    std::string_view const line = trim(text.substr(pos, end - pos));
    std::size_t const line_offset = pos;
    pos = end + 1;
    if (line.empty() || line.front() == ';' || line.front() == '#' || line.front() == '$') continue;
    std::string const copy(line);
    ldns_rr* raw = nullptr;
    ldns_status const s = ldns_rr_new_frm_str(&raw, copy.c_str(), 3600, nullptr, nullptr);
    if (s != LDNS_STATUS_OK || raw == nullptr)
      return anchor_error(errc::trust_anchor_invalid, line_offset, detail::status_text(s) + ": " + copy);
    detail::rr_ptr rr{raw};
    auto const type = ldns_rr_get_type(rr.get());
    if (type != LDNS_RR_TYPE_DS && type != LDNS_RR_TYPE_DNSKEY)
      return anchor_error(errc::trust_anchor_invalid, line_offset, "not a DS or DNSKEY record: " + copy);
    // ldns accepts a DS without its digest (or a DNSKEY without its key) when the line ends
    // in other white space such as a form feed, and prints a record it cannot read back.
    bool complete = ldns_rr_rd_count(rr.get()) == 4;
    for (std::size_t i = 0; complete && i < 4; ++i) complete = ldns_rdf_size(ldns_rr_rdf(rr.get(), i)) > 0;
    if (!complete)
      return anchor_error(errc::trust_anchor_invalid, line_offset, "incomplete DS or DNSKEY record: " + copy);
    ldns_dname2canonical(ldns_rr_owner(rr.get()));
    out.records_.push_back(detail::rr_text(rr.get()));
  }
  if (out.records_.empty()) return anchor_error(errc::trust_anchor_empty, 0, "no DS or DNSKEY record");
  return out;
}

result<trust_anchor> trust_anchor::load(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return anchor_error(errc::file_unreadable, 0, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str());
}

std::string trust_anchor::to_text() const {
  std::string out;
  for (auto const& r : records_) out += r + "\n";
  return out;
}

result<void> trust_anchor::save(std::string const& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << to_text();
  out.close();
  if (!out) return anchor_error(errc::file_unreadable, 0, "cannot write " + path);
  return {};
}

}  // namespace mxtls::net::dns
