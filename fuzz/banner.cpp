// Fuzz target for the strict-tls= directive: parse_directive, find_directive over the
// input split into reply lines, scope/coverage, and the pin store's text form.
// Invariants: parse(print(d)) == d; in_scope implies covered; store text round-trips.
#include "mxtls/spec/banner/directive.hpp"
#include "mxtls/spec/banner/pin_store.hpp"
#include "mxtls/spec/smtp/reply.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace banner = mxtls::spec::banner;

void check_round_trip(banner::strict_tls_directive const& d) {
  auto const again = banner::parse_directive(banner::print_directive(d));
  if (!again || *again != d) std::abort();
}

void check_directive(banner::strict_tls_directive const& d, std::string_view host, banner::pin_store& store) {
  check_round_trip(d);
  banner::pin const p{d.pattern, d.include_subdomains, 1};
  // [BAN-12] in scope ⇒ the pattern matches the host ⇒ a pin from it covers the host.
  if (banner::in_scope(d, host) && !banner::covers(p, host)) std::abort();
  std::vector<banner::pin> evicted;
  auto const outcome = store.apply(d, host, 1000, &evicted);
  // [BAN-22] only live pins are reported as evicted (expired ones protect nothing).
  for (auto const& e : evicted)
    if (e.expires_at <= 1000) std::abort();
  if (outcome == banner::apply_outcome::stored || outcome == banner::apply_outcome::replaced) {
    auto const found = store.find_covering(host, 1000);
    if (!found || found->expires_at <= 1000) std::abort();
  }
  if (store.size() > store.capacity()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view const input(reinterpret_cast<const char*>(data), size);
  banner::pin_store store(4);

  // The whole input as one token, and as the text after the keyword.
  if (auto d = banner::parse_directive(input)) check_directive(*d, "mx1.example.com", store);
  if (auto d = banner::parse_directive("strict-tls=" + std::string(input))) check_directive(*d, "mx1.example.com", store);

  // The input as reply lines (split at LF); the first line also names the host.
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t const lf = input.find('\n', start);
    std::size_t const end = lf == std::string_view::npos ? input.size() : lf;
    lines.emplace_back(input.substr(start, end - start));
    if (lf == std::string_view::npos) break;
    start = lf + 1;
  }
  std::string const host = lines.front();
  for (auto kind : {banner::reply_kind::greeting, banner::reply_kind::ehlo}) {
    mxtls::spec::smtp::reply const r{static_cast<std::uint16_t>(kind == banner::reply_kind::greeting ? 220 : 250),
                                     lines};
    auto const found = banner::find_directive(r, kind);
    if (found && *found) check_directive(**found, host, store);
  }

  // The store's text form: what parses serialises to a text that parses to the same store.
  if (auto s = banner::pin_store::deserialize(input, 8)) {
    auto const again = banner::pin_store::deserialize(s->serialize(), 8);
    if (!again || !(*again == *s)) std::abort();
    if (s->size() > 8) std::abort();
  }
  auto const text = store.serialize();
  auto const back = banner::pin_store::deserialize(text, store.capacity());
  if (!back || !(*back == store)) std::abort();
  return 0;
}
