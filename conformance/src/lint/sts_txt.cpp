// `mxtls-conform lint sts-txt [FILE|-]`: checks the TXT RRset at `_mta-sts.<domain>` (one
// RR per line as `dig +short TXT` prints it) the way a sender selects and parses it:
// NAME-5.1-01..03, then STS-3.1-08..10 selection and the STS-3.1 ABNF.
#include "lint/lint.hpp"

#include "mxtls/spec/dns/txt.hpp"
#include "mxtls/spec/mtasts/record.hpp"

#include <string>

namespace mxtls::conformance::lint {
namespace {

namespace mtasts = spec::mtasts;
namespace dns = spec::dns;

int run(options const& opt) {
  std::string input;
  if (!read_single_input(opt, "sts-txt", input)) return exit_usage;
  auto rrset = dns::parse_txt_rrset(input);
  if (!rrset) return report_invalid(opt, rrset.error(), input);

  // The one candidate, for the caret display of record errors (offsets are within it).
  std::string candidate;
  std::size_t candidates = 0;
  for (auto const& rr : *rrset) {
    std::string text = dns::concatenate(rr);
    if (mtasts::is_sts_candidate(text)) {
      ++candidates;
      candidate = std::move(text);
    }
  }
  auto rec = mtasts::select_sts_record(*rrset);
  if (!rec) return report_invalid(opt, rec.error(), candidates == 1 ? std::string_view(candidate) : std::string_view(input));

  std::string human = "valid MTA-STS TXT record\n  record: " + candidate + "\n  id:     " + rec->id +
                      "  (senders fetch the policy again when the id changes, STS-3.1-13)\n";
  for (auto const& e : rec->extensions) human += "  ignored field: " + e.name + "=" + e.value + "  (STS-3.2-18)\n";
  if (rrset->size() > 1) {
    human += "  " + std::to_string(rrset->size() - 1) + " other TXT record(s) discarded (STS-3.1-08)\n";
  }
  boost::json::object fields;
  fields["id"] = rec->id;
  return report_valid(opt, std::move(fields), human);
}

const registrar reg{{"sts-txt", "[FILE|-]", "check the _mta-sts TXT RRset (RFC 8461 section 3.1)", &run}};

}  // namespace
}  // namespace mxtls::conformance::lint
