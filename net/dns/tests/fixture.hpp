// A loopback DNS world for the tests: an authority with a few zones, its server on
// 127.0.0.1 (ephemeral port), an io_context on a background thread, and a helper that runs
// one coroutine and waits for it with a deadline, so every test stops by itself.
#pragma once

#include "mxtls/net/dns/authority.hpp"
#include "mxtls/net/dns/client.hpp"
#include "mxtls/net/dns/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

namespace mxtls::net::dns::test {

class dns_world : public ::testing::Test {
 protected:
  void SetUp() override {
    worker = std::thread([this] { io.run(); });
    zones = std::make_shared<authority>();
    // One zone per DNSSEC state (DANE-2.1.1-02), plus what the lookups need.
    add({"secure.test", zone_security::secure,
         {"@ MX 10 mx", "@ MX 5 mx2.secure.test.", "mx A 127.0.0.10", "mx AAAA ::1", "mx2 A 127.0.0.11",
          "_mta-sts TXT \"v=STSv1; id=20240101\" \"; extra\"", "_mta-sts TXT \"second record\"",
          "_25._tcp.mx TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
          "www CNAME mx", "out CNAME mx.insecure.test.", "a.b.deep A 127.0.0.12"}});
    add({"insecure.test", zone_security::insecure, {"@ MX 10 mx", "mx A 127.0.0.20"}});
    add({"badsig.test", zone_security::bogus_signatures, {"@ MX 10 mx", "mx A 127.0.0.30"}});
    add({"badds.test", zone_security::bogus_ds, {"@ MX 10 mx", "mx A 127.0.0.40"}});
    add({"expired.test", zone_security::expired_signatures, {"@ MX 10 mx", "mx A 127.0.0.50"}});
    add({"child.secure.test", zone_security::secure, {"@ MX 20 mx", "mx A 127.0.0.60"}});
    srv = std::make_unique<server>(io.get_executor(), zones);
    auto port = srv->start(boost::asio::ip::make_address("127.0.0.1"), 0);
    ASSERT_TRUE(port) << port.error().message();
    anchor = trust_anchor::parse(zones->trust_anchor_text()).value();
  }

  void TearDown() override {
    if (srv) srv->stop();
    guard.reset();
    io.stop();
    if (worker.joinable()) worker.join();
  }

  void add(zone_spec const& z) {
    auto r = zones->add_zone(z);
    ASSERT_TRUE(r) << z.name << ": " << r.error().message();
  }

  client_options options() const {
    client_options o;
    o.resolver = server_address{boost::asio::ip::make_address("127.0.0.1"), srv->port()};
    o.anchor = anchor;
    o.attempt_timeout = std::chrono::milliseconds(300);
    o.query_budget = std::chrono::milliseconds(2000);
    return o;
  }

  /// Runs `make(client&)` (a coroutine) on the world's io_context and waits at most 20 s.
  template <class Make>
  auto run(client& c, Make make) {
    auto fut = boost::asio::co_spawn(io, [&c, make]() { return make(c); }, boost::asio::use_future);
    if (fut.wait_for(std::chrono::seconds(20)) != std::future_status::ready)
      throw std::runtime_error("coroutine did not finish within 20 s");
    return fut.get();
  }

  result<answer> query(client& c, std::string name, rr_type t) {
    return run(c, [name, t](client& cl) { return cl.query(name, t); });
  }

  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{io.get_executor()};
  std::thread worker;
  std::shared_ptr<authority> zones;
  std::unique_ptr<server> srv;
  trust_anchor anchor;
};

}  // namespace mxtls::net::dns::test
