// The MTA-STS policy cache of mxtls-send and its JSON text form.
// Implements STS-3.3-07 (backoff), STS-3.3-11 (expiry from the last fetch), STS-3.2-11 (max_age 0).
#include "mxtls/client/sts_cache.hpp"

#include "mxtls/spec/dns/name.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <limits>

namespace mxtls::client {

namespace json = boost::json;

std::optional<sts_entry> sts_cache::find(std::string_view domain, unix_seconds now) const {
  auto it = entries_.find(domain);
  if (it == entries_.end()) return std::nullopt;
  // [STS-3.3-11] only a non-expired policy applies.
  if (now >= it->second.expires_at()) return std::nullopt;
  return it->second;
}

std::optional<sts_entry> sts_cache::find_any(std::string_view domain) const {
  auto it = entries_.find(domain);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void sts_cache::store(sts_entry e, unix_seconds now) {
  // [STS-3.2-11] max_age 0: valid for this attempt only, never cached; it also removes the
  // domain's previous entry.
  if (e.policy.max_age == 0) {
    erase(e.domain);
    return;
  }
  backoff_.erase({e.domain, e.id});
  if (!entries_.contains(e.domain) && entries_.size() >= capacity_) {
    prune(now);
    if (entries_.size() >= capacity_) {
      auto victim = std::min_element(entries_.begin(), entries_.end(), [](auto const& a, auto const& b) {
        return a.second.expires_at() < b.second.expires_at();
      });
      entries_.erase(victim);
    }
  }
  std::string key = e.domain;
  entries_.insert_or_assign(std::move(key), std::move(e));
}

void sts_cache::erase(std::string_view domain) {
  if (auto it = entries_.find(domain); it != entries_.end()) entries_.erase(it);
}

bool sts_cache::backing_off(std::string_view domain, std::string_view id, unix_seconds now) const {
  auto it = backoff_.find({std::string(domain), std::string(id)});
  return it != backoff_.end() && now < it->second;
}

void sts_cache::note_failed_fetch(std::string_view domain, std::string_view id, unix_seconds now) {
  // [STS-3.3-07] no further fetch of this id for five minutes.
  backoff_[{std::string(domain), std::string(id)}] = now + sts_fetch_backoff_seconds;
  if (backoff_.size() > capacity_) {
    for (auto it = backoff_.begin(); it != backoff_.end();) it = it->second <= now ? backoff_.erase(it) : std::next(it);
  }
}

std::size_t sts_cache::prune(unix_seconds now) {
  std::size_t n = 0;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now >= it->second.expires_at()) {
      it = entries_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  for (auto it = backoff_.begin(); it != backoff_.end();) {
    if (now >= it->second) {
      it = backoff_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

std::vector<sts_entry> sts_cache::entries() const {
  std::vector<sts_entry> out;
  out.reserve(entries_.size());
  for (auto const& [k, e] : entries_) out.push_back(e);
  return out;
}

std::string sts_cache::serialize() const {
  json::array policies;
  for (auto const& [k, e] : entries_) {
    policies.push_back(json::object{{"domain", e.domain}, {"id", e.id}, {"fetched_at", e.fetched_at}, {"policy", e.body}});
  }
  json::array backoff;
  for (auto const& [key, until] : backoff_) {
    backoff.push_back(json::object{{"domain", key.first}, {"id", key.second}, {"until", until}});
  }
  json::object root{{"format", sts_cache_format}, {"policies", std::move(policies)}, {"backoff", std::move(backoff)}};
  return json::serialize(root) + "\n";
}

namespace {

error invalid(std::string detail) {
  return spec::make_parse_error(make_error_code(errc::state_invalid), "", 0, std::move(detail));
}

std::optional<std::string> get_string(json::object const& o, std::string_view key) {
  auto const* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

std::optional<std::int64_t> get_int(json::object const& o, std::string_view key) {
  auto const* v = o.if_contains(key);
  if (!v || !v->is_int64()) return std::nullopt;
  return v->as_int64();
}

bool valid_id(std::string_view id) {
  // [STS-3.1-04] 1*32(ALPHA / DIGIT)
  return !id.empty() && id.size() <= 32 &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
         });
}

}  // namespace

result<sts_cache> sts_cache::deserialize(std::string_view text, std::size_t capacity) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return invalid("not JSON: " + ec.message());
  if (!root.is_object()) return invalid("not a JSON object");
  auto const& o = root.as_object();
  if (get_string(o, "format") != std::string(sts_cache_format)) return invalid("format is not \"mxtls-sts-cache 1\"");
  sts_cache cache(capacity);
  auto const* policies = o.if_contains("policies");
  auto const* backoff = o.if_contains("backoff");
  if (!policies || !policies->is_array() || !backoff || !backoff->is_array())
    return invalid("\"policies\" and \"backoff\" must be arrays");
  for (auto const& v : policies->as_array()) {
    if (!v.is_object()) return invalid("a policy entry is not an object");
    auto const& p = v.as_object();
    auto domain = get_string(p, "domain");
    auto id = get_string(p, "id");
    auto fetched = get_int(p, "fetched_at");
    auto body = get_string(p, "policy");
    if (!domain || !id || !fetched || !body) return invalid("a policy entry lacks domain, id, fetched_at or policy");
    auto host = spec::dns::parse_hostname(*domain);
    if (!host || *host != *domain) return invalid("policy domain is not a lower-case host name: " + *domain);
    if (!valid_id(*id)) return invalid("policy id is not 1*32(ALPHA / DIGIT): " + *id);
    auto parsed = spec::mtasts::parse_policy(*body);
    if (!parsed) return invalid("cached policy of " + *domain + " does not parse: " + parsed.error().message());
    if (cache.entries_.contains(*domain)) return invalid("two cached policies for " + *domain);
    if (parsed->max_age == 0) return invalid("cached policy of " + *domain + " has max_age 0");
    sts_entry e{*domain, *id, *body, std::move(*parsed), *fetched};
    cache.entries_.emplace(*domain, std::move(e));
  }
  if (cache.entries_.size() > cache.capacity_) return invalid("more cached policies than the capacity");
  for (auto const& v : backoff->as_array()) {
    if (!v.is_object()) return invalid("a backoff entry is not an object");
    auto const& b = v.as_object();
    auto domain = get_string(b, "domain");
    auto id = get_string(b, "id");
    auto until = get_int(b, "until");
    if (!domain || !id || !until) return invalid("a backoff entry lacks domain, id or until");
    if (!valid_id(*id)) return invalid("backoff id is not 1*32(ALPHA / DIGIT): " + *id);
    cache.backoff_[{*domain, *id}] = *until;
  }
  return cache;
}

}  // namespace mxtls::client
