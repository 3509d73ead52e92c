// The sender's strict-tls pin cache: coverage, apply/replace/remove, bounded eviction and
// the line-oriented text form. Implements BAN-10, BAN-13, BAN-18, BAN-22, BAN-25.
#include "mxtls/spec/banner/pin_store.hpp"

#include "mxtls/spec/banner/pattern.hpp"

#include <charconv>
#include <limits>

namespace mxtls::spec::banner {

namespace {

// Host `h` is below `base` at any depth, not `base` itself (both without trailing dot).
bool strictly_below(std::string_view h, std::string_view base) noexcept {
  return h.size() > base.size() + 1 && h[h.size() - base.size() - 1] == '.' &&
         dns::equal_ci(h.substr(h.size() - base.size()), base);
}

unix_seconds saturating_add(unix_seconds now, std::uint32_t age) noexcept {
  constexpr auto max = std::numeric_limits<unix_seconds>::max();
  return now > max - static_cast<unix_seconds>(age) ? max : now + static_cast<unix_seconds>(age);
}

constexpr std::string_view include_subdomains_flag = "includeSubDomains";
constexpr std::string_view no_flag = "-";

}  // namespace

bool covers(pin const& p, std::string_view host) noexcept {
  std::string_view const h = strip_root_dot(host);
  if (!is_host_name(h)) return false;
  // [BAN-13] without includeSubDomains: the exact name, or "*.B" matching exactly one
  // left-most label below B.
  if (dns::matches(p.pattern, h)) return true;
  // [BAN-13] includeSubDomains lifts the depth limit: every name below the base at any
  // depth; "*.B" still never covers B itself (proposal D-21, as RFC 6125's "*.").
  return p.include_subdomains && strictly_below(h, p.pattern.base);
}

std::string_view to_string(apply_outcome o) noexcept {
  switch (o) {
    case apply_outcome::stored: return "stored";
    case apply_outcome::replaced: return "replaced";
    case apply_outcome::removed: return "removed";
    case apply_outcome::nothing_to_remove: return "nothing_to_remove";
    case apply_outcome::out_of_scope: return "out_of_scope";
  }
  return "unknown";
}

void pin_store::erase(std::map<std::string, pin>::iterator it) {
  by_expiry_.erase({it->second.expires_at, it->first});
  pins_.erase(it);
}

void pin_store::insert(std::string key, pin p) {
  by_expiry_.emplace(p.expires_at, key);
  pins_.emplace(std::move(key), std::move(p));
}

void pin_store::evict_one(unix_seconds now, std::vector<pin>* evicted) {
  // [BAN-22] expired pins go first (they protect nothing); then the pin that expires soonest.
  prune(now);
  if (pins_.size() < capacity_) return;
  auto const it = pins_.find(by_expiry_.begin()->second);
  if (evicted != nullptr) evicted->push_back(it->second);
  erase(it);
}

apply_outcome pin_store::apply(strict_tls_directive const& d, std::string_view host, unix_seconds now,
                               std::vector<pin>* evicted) {
  // [BAN-12] defence in depth: the caller's decide_directive() already checked scope.
  if (!in_scope(d, host)) return apply_outcome::out_of_scope;
  std::string key = d.pattern.to_string();
  auto it = pins_.find(key);
  if (d.max_age == 0) {
    // [BAN-10] max-age=0 removes the pin for exactly this pattern and creates none.
    if (it == pins_.end()) return apply_outcome::nothing_to_remove;
    erase(it);
    return apply_outcome::removed;
  }
  pin p{d.pattern, d.include_subdomains, saturating_add(now, d.max_age)};
  if (it != pins_.end()) {
    // [BAN-18] the newest honoured directive for a pattern replaces the old pin.
    erase(it);
    insert(std::move(key), std::move(p));
    return apply_outcome::replaced;
  }
  if (pins_.size() >= capacity_) evict_one(now, evicted);
  insert(std::move(key), std::move(p));
  return apply_outcome::stored;
}

std::optional<pin> pin_store::find_covering(std::string_view host, unix_seconds now) const {
  std::string const h = dns::normalize(host);
  if (!is_host_name(h)) return std::nullopt;
  std::optional<pin> best;
  auto consider = [&](std::string const& key) {
    auto it = pins_.find(key);
    if (it == pins_.end() || it->second.expires_at <= now || !covers(it->second, h)) return;
    if (!best || it->second.expires_at > best->expires_at) best = it->second;
  };
  // Every pin that can cover h is keyed by a suffix s of h (exact "s" or wildcard "*.s").
  for (std::string_view s = h; !s.empty(); s = dns::parent(s)) {
    consider(std::string(s));
    consider("*." + std::string(s));
  }
  return best;
}

std::size_t pin_store::prune(unix_seconds now) {
  std::size_t n = 0;
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    erase(pins_.find(by_expiry_.begin()->second));
    ++n;
  }
  return n;
}

std::vector<pin> pin_store::pins() const {
  std::vector<pin> out;
  out.reserve(pins_.size());
  for (auto const& [key, p] : pins_) out.push_back(p);
  return out;
}

std::string pin_store::serialize() const {
  std::string out{pin_store_header};
  out += '\n';
  for (auto const& [key, p] : pins_) {
    out += key;
    out += ' ';
    out += std::to_string(p.expires_at);
    out += ' ';
    out += p.include_subdomains ? include_subdomains_flag : no_flag;
    out += '\n';
  }
  return out;
}

result<pin_store> pin_store::deserialize(std::string_view text, std::size_t capacity) {
  pin_store store(capacity);
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    std::size_t const line_start = pos;
    std::size_t end = text.find('\n', pos);
    bool const has_lf = end != std::string_view::npos;
    if (!has_lf) end = text.size();
    pos = has_lf ? end + 1 : end;
    std::string_view line = text.substr(line_start, end - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (first) {
      // [BAN-18] a store in another format is not guessed at.
      if (line != pin_store_header)
        return make_parse_error(errc::store_header_invalid, "BAN-18", line_start, "expected \"mxtls-strict-tls-pins 1\"");
      first = false;
      continue;
    }
    // [BAN-18] one entry {pattern, includeSubDomains, expiry}: PATTERN SP EXPIRES_AT SP FLAG.
    std::size_t const sp1 = line.find(' ');
    std::size_t const sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
      return make_parse_error(errc::store_entry_invalid, "BAN-18", line_start, "expected three fields");
    auto pattern = parse_pattern(line.substr(0, sp1), line_start);
    if (!pattern) return pattern.error();

    std::string_view const expires = line.substr(sp1 + 1, sp2 - sp1 - 1);
    unix_seconds at = 0;
    auto const [ptr, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), at);
    if (expires.empty() || ec != std::errc{} || ptr != expires.data() + expires.size() || expires[0] == '+')
      return make_parse_error(errc::store_entry_invalid, "BAN-18", line_start + sp1 + 1, "expiry is not an integer");

    std::string_view const flag = line.substr(sp2 + 1);
    if (flag != include_subdomains_flag && flag != no_flag)
      return make_parse_error(errc::store_entry_invalid, "BAN-18", line_start + sp2 + 1,
                              "flag is \"includeSubDomains\" or \"-\"");

    std::string key = pattern->to_string();
    if (store.pins_.count(key) != 0)
      return make_parse_error(errc::store_duplicate_entry, "BAN-18", line_start, "pattern " + key + " twice");
    if (store.pins_.size() >= store.capacity_)
      return make_parse_error(errc::store_capacity_exceeded, "BAN-22", line_start);
    store.insert(std::move(key), pin{std::move(*pattern), flag == include_subdomains_flag, at});
  }
  if (first) return make_parse_error(errc::store_header_invalid, "BAN-18", 0, "empty store text");
  return store;
}

}  // namespace mxtls::spec::banner
