// RapidCheck: over generated zones (random labels, including '-' and digits, so canonical
// order and empty non-terminals are exercised), every answer's outcome follows the zone's
// contents and its DNSSEC status follows the zone's security, for NSEC, NSEC3 and NSEC3
// opt-out alike: secure zones never yield bogus, bogus zones never yield secure
// (DANE-2.1.1-01, DANE-2.1.1-02).
#include "mxtls/net/dns/authority.hpp"
#include "mxtls/net/dns/client.hpp"
#include "mxtls/net/dns/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <atomic>
#include <set>
#include <thread>

namespace mxtls::net::dns {
namespace {

/// One authority and server for all generated cases (each case gets its own zone).
struct shared_world {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{io.get_executor()};
  std::shared_ptr<authority> zones = std::make_shared<authority>();
  server srv{io.get_executor(), zones};
  std::thread worker;
  std::uint16_t port = 0;
  std::atomic<int> next_case{0};

  shared_world() {
    port = srv.start(boost::asio::ip::make_address("127.0.0.1"), 0).value();
    worker = std::thread([this] { io.run(); });
  }
  ~shared_world() {
    srv.stop();
    guard.reset();
    io.stop();
    worker.join();
  }

  result<answer> query(client& c, std::string name, rr_type t) {
    auto fut = boost::asio::co_spawn(io, [&c, name, t]() { return c.query(name, t); }, boost::asio::use_future);
    if (fut.wait_for(std::chrono::seconds(20)) != std::future_status::ready) throw std::runtime_error("query hung");
    return fut.get();
  }
};

shared_world& world() {
  static shared_world w;
  return w;
}

std::string join(std::vector<std::string> const& labels) {
  std::string out;
  for (auto const& l : labels) out += (out.empty() ? "" : ".") + l;
  return out;
}

RC_GTEST_PROP(DnsValidationProperty, OutcomeFollowsContentAndStatusFollowsSecurity, ()) {
  auto& w = world();
  auto const security = *rc::gen::element(zone_security::secure, zone_security::insecure, zone_security::bogus_signatures);
  auto const denial = *rc::gen::element(denial_method::nsec, denial_method::nsec3, denial_method::nsec3_opt_out);
  auto const gen_label =
      rc::gen::mapcat(rc::gen::inRange(1, 4), [](int n) {
        return rc::gen::container<std::string>(static_cast<std::size_t>(n), rc::gen::elementOf(std::string("ab-09z")));
      });
  auto const gen_name = rc::gen::mapcat(rc::gen::inRange(1, 4), [gen_label](int n) {
    return rc::gen::container<std::vector<std::string>>(static_cast<std::size_t>(n), gen_label);
  });
  auto const owners = *rc::gen::container<std::vector<std::vector<std::string>>>(
      static_cast<std::size_t>(*rc::gen::inRange(1, 6)), gen_name);
  auto const probes = *rc::gen::container<std::vector<std::vector<std::string>>>(3, gen_name);

  std::string const zone = "p" + std::to_string(w.next_case++) + ".test";
  // The model: (owner, type) pairs present; the authority also adds ns.<zone> A.
  std::set<std::pair<std::string, rr_type>> present{{"ns", rr_type::a}};
  std::vector<std::string> records;
  for (std::size_t i = 0; i < owners.size(); ++i) {
    std::string const owner = join(owners[i]);
    rr_type const t = i % 3 == 0 ? rr_type::a : i % 3 == 1 ? rr_type::txt : rr_type::mx;
    present.insert({owner, t});
    records.push_back(owner + (t == rr_type::a ? " A 192.0.2.1" : t == rr_type::txt ? " TXT \"t\"" : " MX 10 mx.example."));
  }
  auto exists = [&](std::string const& name) {
    for (auto const& [owner, t] : present)
      if (owner == name || (owner.size() > name.size() && owner.ends_with("." + name))) return true;
    return false;
  };
  RC_ASSERT(w.zones->add_zone({zone, security, records, denial}).has_value());

  client_options o;
  o.resolver = server_address{boost::asio::ip::make_address("127.0.0.1"), w.port};
  o.anchor = trust_anchor::parse(w.zones->trust_anchor_text()).value();
  client c(w.io.get_executor(), o);
  dnssec_status const expected = security == zone_security::secure     ? dnssec_status::secure
                                 : security == zone_security::insecure ? dnssec_status::insecure
                                                                       : dnssec_status::bogus;
  auto check = [&](std::string const& name, rr_type t, lookup_outcome want) {
    auto a = w.query(c, name + "." + zone, t);
    RC_ASSERT(a.has_value());
    RC_LOG() << name << "." << zone << " " << to_string(t) << ": " << to_string(a->outcome) << " "
             << to_string(a->status) << " (" << a->why << ")\n";
    RC_ASSERT(a->outcome == want);
    // RFC 5155 §9.2: in an opt-out span non-existence cannot be proven (the name might be an
    // unsigned delegation), so a secure opt-out zone's NXDOMAIN is insecure, as unbound says.
    if (want == lookup_outcome::nxdomain && denial == denial_method::nsec3_opt_out && expected == dnssec_status::secure)
      RC_ASSERT(a->status == dnssec_status::insecure);
    else
      RC_ASSERT(a->status == expected);
  };
  for (auto const& [owner, t] : present) {
    check(owner, t, lookup_outcome::found);
    check(owner, rr_type::aaaa, lookup_outcome::nodata);
  }
  for (auto const& p : probes) {
    std::string const name = join(p);
    check(name, rr_type::aaaa, exists(name) ? lookup_outcome::nodata : lookup_outcome::nxdomain);
  }
}

}  // namespace
}  // namespace mxtls::net::dns
