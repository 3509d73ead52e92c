// Conversions between ldns objects and the API's strings and bytes (see ldns_wrap.hpp).
#include "ldns_wrap.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace mxtls::net::dns::detail {

namespace {
std::string take_cstr(char* s) {
  if (s == nullptr) return {};
  std::string out(s);
  std::free(s);
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
}  // namespace

rdf_ptr make_dname(std::string_view name) {
  if (name.empty() || name.size() > 1024 || name.find('\0') != std::string_view::npos) return nullptr;
  std::string text(name);
  if (text.back() != '.') text.push_back('.');
  rdf_ptr d{ldns_dname_new_frm_str(text.c_str())};
  if (d) ldns_dname2canonical(d.get());
  return d;
}

std::string dname_text(ldns_rdf const* d) {
  if (d == nullptr) return {};
  return lower(take_cstr(ldns_rdf2str(d)));
}

std::string dname_api(ldns_rdf const* d) {
  std::string s = dname_text(d);
  if (s.size() > 1 && s.back() == '.') s.pop_back();
  return s;
}

std::string rr_text(ldns_rr const* rr) {
  std::string s = take_cstr(ldns_rr2str_fmt(ldns_output_format_nocomments, rr));
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string rdata_text(ldns_rr const* rr) {
  std::string out;
  for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
    if (i) out.push_back(' ');
    out += take_cstr(ldns_rdf2str(ldns_rr_rdf(rr, i)));
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::vector<std::uint8_t> rdata_wire(ldns_rr const* rr) {
  buffer_ptr buf{ldns_buffer_new(512)};
  if (!buf || ldns_rr_rdata2buffer_wire(buf.get(), rr) != LDNS_STATUS_OK) return {};
  auto const* p = ldns_buffer_begin(buf.get());
  return {p, p + ldns_buffer_position(buf.get())};
}

std::string status_text(ldns_status s) {
  char const* t = ldns_get_errorstr_by_id(s);
  return t ? t : "unknown ldns status";
}

rdf_ptr canonical_clone(ldns_rdf const* d) {
  rdf_ptr c{ldns_rdf_clone(d)};
  if (c) ldns_dname2canonical(c.get());
  return c;
}

rdf_ptr parent_name(ldns_rdf const* d) {
  if (d == nullptr || ldns_dname_label_count(d) == 0) return nullptr;
  return rdf_ptr{ldns_dname_left_chop(d)};
}

rdf_ptr ancestor(ldns_rdf const* name, std::size_t labels) {
  rdf_ptr cur{canonical_clone(name)};
  for (std::size_t n = ldns_dname_label_count(name); n > labels && cur; --n) cur = parent_name(cur.get());
  return cur;
}

}  // namespace mxtls::net::dns::detail
