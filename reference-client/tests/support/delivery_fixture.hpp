// A gtest fixture for end-to-end deliveries: one test_world per test, a fresh zone name,
// helpers to start MX hosts (scripted receivers on their own loopback addresses) and to
// publish the zone, an in-memory state and a controllable clock.
#pragma once

#include "test_world.hpp"

#include "mxtls/client/report.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace mxtls::client::test {

class delivery_fixture : public ::testing::Test {
 protected:
  delivery_fixture() : zone(world.new_zone_name()) { clock->store(wall_now()); }

  /// A receiver that behaves: STARTTLS with a certificate of `kind` for `name`.
  static peer_script script(std::string const& name, cert_kind kind = cert_kind::valid) {
    peer_script s;
    s.host = name;
    if (kind != cert_kind::none) s.leaf = make_leaf(name, kind);
    return s;
  }

  /// "<label>.<zone>".
  [[nodiscard]] std::string name(std::string const& label) const { return label + "." + zone; }

  /// Starts a host named <label>.<zone> with the port-25 script (host name filled in) and
  /// optionally a port-26 script.
  mx_host host(std::string const& label, peer_script smtp, std::optional<peer_script> implicit = std::nullopt) {
    smtp.host = name(label);
    if (implicit) implicit->host = name(label);
    return world.start_host(name(label), std::move(smtp), std::move(implicit));
  }

  /// "label A address" for a host.
  static std::string a_record(mx_host const& h) {
    return h.name + ". A " + h.address.to_string();
  }

  void publish(net::dns::zone_security security, std::vector<std::string> records) {
    world.add_zone(zone, security, std::move(records));
  }

  /// The world's configuration with this fixture's clock.
  [[nodiscard]] client_config config() const {
    auto c = world.config();
    c.now = [clk = clock] { return clk->load(); };
    return c;
  }

  delivery_report send(std::string const& message = default_message) {
    return deliver_to(config(), state, {"user@" + zone}, message);
  }

  /// Every attempt's status, for messages.
  static std::string attempts_text(delivery_report const& r) {
    std::string s;
    for (auto const& d : r.domains) {
      for (auto const& a : d.attempts)
        s += a.host + " " + a.address + ":" + std::to_string(a.service_port) + " " + a.mode + " " +
             std::string(to_string(a.status)) + " (" + a.reason + ") [" + spec::policy::format(a.decision) + "]\n";
      for (auto const& t : d.trail) s += "  " + t.step + ": " + t.text + "\n";
    }
    return s;
  }

  test_world world;
  std::string zone;
  state_store state;
  std::shared_ptr<std::atomic<unix_seconds>> clock = std::make_shared<std::atomic<unix_seconds>>(0);
};

}  // namespace mxtls::client::test
