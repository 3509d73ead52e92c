// The client accepts only a response that answers its question: forged datagrams with a
// wrong ID, a wrong question or garbage are ignored (the real answer still wins), and a
// peer that only forges ends in a timeout, never in an answer. Query IDs and source ports
// vary between queries (RFC 5452).
#include "mxtls/net/dns/authority.hpp"
#include "mxtls/net/dns/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace mxtls::net::dns {
namespace {

using boost::asio::ip::udp;
using namespace std::chrono_literals;

/// A UDP peer on 127.0.0.1 that answers up to `queries` queries through `reply`, on its own
/// thread, and gives up after 10 s so a failing test never hangs.
struct raw_peer {
  boost::asio::io_context io;
  udp::socket sock{io, udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)};
  std::thread th;
  std::vector<std::pair<std::uint16_t, std::uint16_t>> seen;  // (query ID, client port)
  std::vector<std::uint8_t> buf = std::vector<std::uint8_t>(4096);
  udp::endpoint from;

  template <class Reply>
  void receive(int left, Reply reply) {
    if (left == 0) return;
    sock.async_receive_from(boost::asio::buffer(buf), from, [this, left, reply](boost::system::error_code ec, std::size_t n) {
      if (ec) return;
      std::vector<std::uint8_t> q(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
      seen.emplace_back(static_cast<std::uint16_t>(q[0] << 8 | q[1]), from.port());
      for (auto const& out : reply(q)) {
        boost::system::error_code ignored;
        sock.send_to(boost::asio::buffer(out), from, 0, ignored);
      }
      receive(left - 1, reply);
    });
  }

  template <class Reply>
  void serve(int queries, Reply reply) {
    receive(queries, reply);
    th = std::thread([this] { io.run_for(std::chrono::seconds(10)); });
  }
  void wait() {
    if (th.joinable()) th.join();
  }
  ~raw_peer() {
    io.stop();
    wait();
  }
  std::uint16_t port() const { return sock.local_endpoint().port(); }
};

result<answer> ask(client_options o, std::string name, rr_type t) {
  boost::asio::io_context io;
  client c(io.get_executor(), std::move(o));
  auto fut = boost::asio::co_spawn(io, [&c, name, t]() { return c.query(name, t); }, boost::asio::use_future);
  io.run();
  return fut.get();
}

TEST(DnsResponseMatching, ForgedDatagramsAreIgnoredAndTheRealAnswerWins) {
  authority zones, attacker;
  ASSERT_TRUE(zones.add_zone({"real.test", zone_security::insecure, {"@ A 192.0.2.7"}}));
  ASSERT_TRUE(attacker.add_zone({"real.test", zone_security::insecure, {"@ A 198.51.100.66"}}));
  raw_peer peer;
  peer.serve(1, [&](std::vector<std::uint8_t> const& q) {
    auto real = zones.respond(q, transport::udp).value();
    auto wrong_id = attacker.respond(q, transport::udp).value();
    wrong_id[1] ^= 0x5a;
    auto wrong_question = attacker.respond(q, transport::udp).value();
    // Same ID, but the question asks for another name ("real" -> "reak").
    for (std::size_t i = 12; i + 4 < wrong_question.size(); ++i)
      if (wrong_question[i] == 'l' && wrong_question[i - 1] == 'a') {
        wrong_question[i] = 'k';
        break;
      }
    std::vector<std::uint8_t> garbage{q[0], q[1], 0x81, 0x80, 0xff};
    return std::vector<std::vector<std::uint8_t>>{garbage, wrong_id, wrong_question, real};
  });
  client_options o;
  o.resolver = server_address{boost::asio::ip::make_address("127.0.0.1"), peer.port()};
  o.attempt_timeout = 1s;
  auto a = ask(o, "real.test", rr_type::a);
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_EQ(a->records.size(), 1u);
  EXPECT_EQ(a->records[0].rdata_text, "192.0.2.7");
}

TEST(DnsResponseMatching, OnlyForgedAnswersEndInTimeout) {
  authority zones;
  ASSERT_TRUE(zones.add_zone({"real.test", zone_security::insecure, {"@ A 192.0.2.7"}}));
  raw_peer peer;
  peer.serve(3, [&](std::vector<std::uint8_t> const& q) {
    auto forged = zones.respond(q, transport::udp).value();
    forged[0] ^= 0xff;
    return std::vector<std::vector<std::uint8_t>>{forged};
  });
  client_options o;
  o.resolver = server_address{boost::asio::ip::make_address("127.0.0.1"), peer.port()};
  o.attempt_timeout = 150ms;
  o.udp_attempts = 3;
  auto a = ask(o, "real.test", rr_type::a);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, errc::timeout);
  peer.wait();
  // Each retry used a fresh ID and a fresh source port.
  ASSERT_EQ(peer.seen.size(), 3u);
  std::set<std::uint16_t> ids, ports;
  for (auto const& [id, port] : peer.seen) {
    ids.insert(id);
    ports.insert(port);
  }
  EXPECT_GE(ids.size(), 2u);
  EXPECT_EQ(ports.size(), 3u);
}

}  // namespace
}  // namespace mxtls::net::dns
