// Shared helpers of the net tests: run a coroutine on a private io_context with a hard
// deadline (every test stops by itself), loopback socket pairs, and one test PKI per
// process (creating a root takes a few milliseconds, but there is no reason to repeat it).
#pragma once

#include "mxtls/net/pki.hpp"
#include "mxtls/net/tls.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <functional>
#include <utility>

namespace mxtls::net::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

/// ASSERT_* cannot be used inside coroutines (they `return`): these `co_return`.
#define CO_ASSERT_TRUE(cond)                           \
  do {                                                 \
    if (!(cond)) {                                     \
      ADD_FAILURE() << "assertion failed: " #cond;     \
      co_return;                                       \
    }                                                  \
  } while (false)
#define CO_ASSERT_FALSE(cond) CO_ASSERT_TRUE(!(cond))

/// Runs `make()` (a callable returning awaitable<void>) to completion; fails the test if
/// it throws or is still running after `limit`.
template <class F>
void run_async(F make, std::chrono::steady_clock::duration limit = 20s) {
  asio::io_context io;
  bool done = false;
  std::exception_ptr failure;
  // [stack.md pitfall 8] pass the callable itself, never an invoked lambda.
  asio::co_spawn(io, std::move(make), [&](std::exception_ptr e) {
    failure = e;
    done = true;
    io.stop();  // servers still listening must not keep the test alive
  });
  io.run_for(limit);
  if (failure) std::rethrow_exception(failure);
  ASSERT_TRUE(done) << "test coroutine did not finish within its limit";
}

/// A connected pair of loopback TCP sockets (client side first).
inline asio::awaitable<std::pair<tcp::socket, tcp::socket>> socket_pair() {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acceptor(ex, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket client(ex);
  co_await client.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
  tcp::socket server = co_await acceptor.async_accept(asio::use_awaitable);
  co_return std::pair<tcp::socket, tcp::socket>{std::move(client), std::move(server)};
}

/// One root CA and one unrelated CA for the whole test binary.
inline pki::authority const& test_ca() {
  static pki::authority const ca = pki::authority::create_root("mxtls net test root");
  return ca;
}
inline pki::authority const& other_ca() {
  static pki::authority const ca = pki::authority::create_root("mxtls unrelated root");
  return ca;
}

inline tls_config server_config(pki::issued const& leaf) {
  tls_config c;
  c.role = tls_role::server;
  c.chains.push_back(leaf.as_server_chain());
  return c;
}

inline tls_config client_config(std::string name, verify_mode mode = verify_mode::require) {
  tls_config c;
  c.role = tls_role::client;
  c.system_trust = false;
  c.trusted_ca_pem = {test_ca().root_pem()};
  c.sni = std::move(name);
  c.verify = mode;
  return c;
}

inline std::shared_ptr<tls_context const> make_context(tls_config c) {
  auto ctx = tls_context::create(std::move(c));
  if (!ctx) throw std::runtime_error("tls_context::create: " + ctx.error().message());
  return *ctx;
}

}  // namespace mxtls::net::test
