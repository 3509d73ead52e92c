// `mxtls-conform lint tlsrpt-txt [FILE|-]`: checks the TXT RRset at `_smtp._tls.<domain>`
// (one RR per line as `dig +short TXT` prints it): NAME-5.1-01..03, RPT-3-06..08 selection
// and the RPT-3 ABNF; rua URIs of schemes other than mailto/https are ignored (RPT-3-10).
#include "lint/lint.hpp"

#include "mxtls/spec/dns/txt.hpp"
#include "mxtls/spec/tlsrpt/record.hpp"

#include <boost/json/array.hpp>

#include <string>

namespace mxtls::conformance::lint {
namespace {

namespace tlsrpt = spec::tlsrpt;
namespace dns = spec::dns;

int run(options const& opt) {
  std::string input;
  if (!read_single_input(opt, "tlsrpt-txt", input)) return exit_usage;
  auto rrset = dns::parse_txt_rrset(input);
  if (!rrset) return report_invalid(opt, rrset.error(), input);

  std::string candidate;
  std::size_t candidates = 0;
  for (auto const& rr : *rrset) {
    std::string text = dns::concatenate(rr);
    if (tlsrpt::is_tlsrpt_candidate(text)) {
      ++candidates;
      candidate = std::move(text);
    }
  }
  auto rec = tlsrpt::select_tlsrpt_record(*rrset);
  if (!rec) return report_invalid(opt, rec.error(), candidates == 1 ? std::string_view(candidate) : std::string_view(input));

  std::string human = "valid TLSRPT TXT record\n  record: " + candidate + "\n";
  for (auto const& u : rec->rua) human += "  rua: " + u + "  (reports are sent here)\n";
  for (auto const& u : rec->ignored_rua) human += "  rua: " + u + "  (ignored: only mailto: and https: are supported, RPT-3-10)\n";
  if (rec->rua.empty()) human += "  warning: no mailto: or https: URI, so no report will be sent (RPT-3-10)\n";
  for (auto const& e : rec->extensions) human += "  ignored field: " + e.name + "=" + e.value + "  (RPT-3-09)\n";
  boost::json::array rua;
  for (auto const& u : rec->rua) rua.emplace_back(u);
  boost::json::object fields;
  fields["rua"] = std::move(rua);
  return report_valid(opt, std::move(fields), human);
}

const registrar reg{{"tlsrpt-txt", "[FILE|-]", "check the _smtp._tls TXT RRset (RFC 8460 section 3)", &run}};

}  // namespace
}  // namespace mxtls::conformance::lint
