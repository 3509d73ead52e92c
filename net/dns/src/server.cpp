// UDP + TCP transport of the test authority (server.hpp). One coroutine per socket or
// connection, all on one strand; answers come from authority::respond, which also applies
// faults, truncation and the query log.
#include "mxtls/net/dns/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <list>
#include <mutex>

namespace mxtls::net::dns {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using namespace asio::experimental::awaitable_operators;

namespace {
constexpr auto tcp_idle_timeout = std::chrono::seconds(10);  // RFC 7766 §6.2.3 suggests seconds
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

struct server::impl : std::enable_shared_from_this<impl> {
  impl(asio::any_io_executor ex, std::shared_ptr<authority> a)
      : strand(asio::make_strand(ex)), zones(std::move(a)), udp_socket(strand), acceptor(strand) {}

  asio::strand<asio::any_io_executor> strand;
  std::shared_ptr<authority> zones;
  udp::socket udp_socket;
  tcp::acceptor acceptor;
  std::list<std::shared_ptr<tcp::socket>> connections;  // touched on the strand only
  std::atomic<std::uint16_t> bound_port{0};
  asio::ip::address bound_address;
  std::atomic<bool> stopped{false};

  asio::awaitable<void> udp_loop() {
    auto self = shared_from_this();
    std::vector<std::uint8_t> buf(65535);
    for (;;) {
      udp::endpoint from;
      auto [ec, n] = co_await udp_socket.async_receive_from(asio::buffer(buf), from, use_tuple);
      if (stopped) co_return;
      if (ec) continue;  // e.g. ICMP port unreachable reported on the socket
      auto reply = zones->respond({buf.data(), n}, transport::udp);
      if (reply) co_await udp_socket.async_send_to(asio::buffer(*reply), from, use_tuple);
    }
  }

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      auto [ec, sock] = co_await acceptor.async_accept(use_tuple);
      if (stopped) co_return;
      if (ec) continue;
      auto conn = std::make_shared<tcp::socket>(std::move(sock));
      connections.push_back(conn);
      asio::co_spawn(strand, [self, conn]() { return self->session(conn); }, asio::detached);
    }
  }

  asio::awaitable<void> session(std::shared_ptr<tcp::socket> conn) {
    auto self = shared_from_this();
    asio::steady_timer timer(strand);
    std::vector<std::uint8_t> msg;
    for (;;) {
      std::array<std::uint8_t, 2> len{};
      timer.expires_after(tcp_idle_timeout);
      auto r = co_await (asio::async_read(*conn, asio::buffer(len), use_tuple) || timer.async_wait(use_tuple));
      if (r.index() == 1 || std::get<0>(std::get<0>(r))) break;
      msg.resize(static_cast<std::size_t>(len[0]) << 8 | len[1]);
      timer.expires_after(tcp_idle_timeout);
      auto r2 = co_await (asio::async_read(*conn, asio::buffer(msg), use_tuple) || timer.async_wait(use_tuple));
      if (r2.index() == 1 || std::get<0>(std::get<0>(r2))) break;
      auto reply = zones->respond(msg, transport::tcp);
      if (!reply) continue;  // dropped: the client's timeout decides
      std::array<std::uint8_t, 2> out_len{static_cast<std::uint8_t>(reply->size() >> 8),
                                          static_cast<std::uint8_t>(reply->size() & 0xff)};
      std::array<asio::const_buffer, 2> bufs{asio::buffer(out_len), asio::buffer(*reply)};
      auto [ec, n] = co_await asio::async_write(*conn, bufs, use_tuple);
      if (ec) break;
    }
    boost::system::error_code ignored;
    conn->close(ignored);
    connections.remove(conn);
  }

  void close_all() {
    stopped = true;
    boost::system::error_code ignored;
    udp_socket.close(ignored);
    acceptor.close(ignored);
    for (auto& c : connections) c->close(ignored);
  }
};

server::server(asio::any_io_executor ex, std::shared_ptr<authority> zones)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(zones))) {}

server::~server() { stop(); }

result<std::uint16_t> server::start(asio::ip::address address, std::uint16_t port) {
  auto fail = [](std::string what, boost::system::error_code ec) -> result<std::uint16_t> {
    return mxtls::spec::make_parse_error(errc::network_error, "", 0, what + ": " + ec.message());
  };
  if (impl_->stopped) return fail("start", asio::error::operation_aborted);
  boost::system::error_code ec;
  // With port 0, find one port free for both transports (the UDP bind picks it).
  for (int attempt = 0; attempt < 20; ++attempt) {
    impl_->udp_socket.close(ec);
    impl_->acceptor.close(ec);
    udp::endpoint const uep(address, port);
    impl_->udp_socket.open(uep.protocol(), ec);
    if (!ec) impl_->udp_socket.bind(uep, ec);
    if (ec) return fail("bind UDP " + address.to_string(), ec);
    std::uint16_t const chosen = impl_->udp_socket.local_endpoint(ec).port();
    if (ec) return fail("UDP local endpoint", ec);
    tcp::endpoint const tep(address, chosen);
    impl_->acceptor.open(tep.protocol(), ec);
    if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) impl_->acceptor.bind(tep, ec);
    if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) {
      impl_->bound_port = chosen;
      impl_->bound_address = address;
      auto self = impl_;
      asio::co_spawn(self->strand, [self]() { return self->udp_loop(); }, asio::detached);
      asio::co_spawn(self->strand, [self]() { return self->accept_loop(); }, asio::detached);
      return chosen;
    }
    if (port != 0) return fail("bind TCP " + address.to_string(), ec);
  }
  return fail("no port free for both UDP and TCP", ec);
}

void server::stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  auto self = impl_;
  asio::post(self->strand, [self]() { self->close_all(); });
}

std::uint16_t server::port() const noexcept { return impl_->bound_port; }

asio::ip::address server::address() const { return impl_->bound_address; }

authority& server::zones() const noexcept { return *impl_->zones; }

}  // namespace mxtls::net::dns
