// Loopback fixtures of the receiver-suite tests: a test CA (written to a PEM file for --ca),
// certificates of every shape, a background io thread for scripted peers and servers, and
// run_case(), which runs one catalogue case against a receiver_target with a hard deadline.
#pragma once

#include "runner/model.hpp"
#include "world/smtp_peer.hpp"

#include "mxtls/net/pki.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>

namespace mxtls::conformance::test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

/// The shapes of certificate the tests give a peer.
enum class cert_shape { valid, expired, not_yet_valid, wrong_name, self_signed, cn_only, wildcard, other_ca };

/// One CA for the test binary, and an unrelated one (other_ca).
inline net::pki::authority const& test_ca() {
  static net::pki::authority const ca = net::pki::authority::create_root("mxtls receiver-suite test CA");
  return ca;
}
inline net::pki::authority const& unrelated_ca() {
  static net::pki::authority const ca = net::pki::authority::create_root("mxtls unrelated CA");
  return ca;
}

/// A private directory for files the cases read (--ca, trust anchors), removed at exit.
inline std::string const& scratch_dir() {
  static std::string const dir = [] {
    auto const d = std::filesystem::temp_directory_path() / ("mxtls-receiver-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    static struct cleanup {
      std::filesystem::path p;
      ~cleanup() {
        std::error_code ec;
        std::filesystem::remove_all(p, ec);
      }
    } c{d};
    return d.string();
  }();
  return dir;
}

/// test_ca()'s root as a PEM file (what --ca takes).
inline std::string const& ca_file() {
  static std::string const path = [] {
    std::string p = scratch_dir() + "/ca.pem";
    std::ofstream(p) << test_ca().root_pem();
    return p;
  }();
  return path;
}

inline net::server_chain chain_for(std::string const& host, cert_shape shape = cert_shape::valid) {
  using net::pki::cert_options;
  auto const parent = host.substr(host.find('.') + 1);
  switch (shape) {
    case cert_shape::valid: return test_ca().issue(cert_options::valid({host})).as_server_chain();
    case cert_shape::expired: return test_ca().issue(cert_options::expired({host})).as_server_chain();
    case cert_shape::not_yet_valid: return test_ca().issue(cert_options::not_yet_valid({host})).as_server_chain();
    case cert_shape::wrong_name: return test_ca().issue(cert_options::valid({"not-" + host})).as_server_chain();
    case cert_shape::self_signed: return net::pki::self_signed(cert_options::valid({host})).as_server_chain();
    case cert_shape::cn_only: return test_ca().issue(cert_options::cn_only(host)).as_server_chain();
    case cert_shape::wildcard: return test_ca().issue(cert_options::valid({"*." + parent})).as_server_chain();
    case cert_shape::other_ca: return unrelated_ca().issue(cert_options::valid({host})).as_server_chain();
  }
  throw std::logic_error("cert_shape");
}

/// A background io thread (peers, DNS and HTTPS servers run here, apart from the case).
class io_thread {
 public:
  io_thread() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~io_thread() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  asio::any_io_executor executor() { return io_.get_executor(); }
  /// Runs f() on the io thread and returns its result.
  template <class F>
  auto run(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto fut = task.get_future();
    asio::post(io_, [&task] { task(); });
    return fut.get();
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

inline io_thread& background() {
  static io_thread t;
  return t;
}

/// A peer on the background thread, stopped when the handle goes.
struct running_peer {
  std::unique_ptr<smtp_peer> peer;
  std::uint16_t port = 0;
};

inline running_peer start_peer(peer_script script) {
  running_peer r;
  r.peer = std::make_unique<smtp_peer>(background().executor(), std::move(script));
  r.port = r.peer->start();
  return r;
}

/// A loopback port nothing listens on (bound, then released).
inline std::uint16_t closed_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

struct case_run {
  case_result result;
  std::vector<transcript_entry> log;
  double ms = 0;
};

inline case_def const* find_case(std::string_view id) {
  for (auto const& c : catalogue())
    if (c.id == id) return &c;
  return nullptr;
}

/// Runs catalogue case `id` against `target` on a private io_context; the case gets
/// `timeout` as its budget and the test fails if it runs 5 s past it.
inline case_run run_case(std::string_view id, receiver_target const& target, std::chrono::milliseconds timeout = 3s) {
  case_run out;
  auto const* def = find_case(id);
  if (!def) {
    ADD_FAILURE() << "no case " << id;
    return out;
  }
  asio::io_context io;
  transcript log;
  case_context ctx;
  ctx.executor = io.get_executor();
  ctx.target = &target;
  ctx.log = &log;
  ctx.case_domain = target.domain.value_or("");
  ctx.timeout = timeout;
  std::optional<case_result> result;
  std::exception_ptr failure;
  auto const start = std::chrono::steady_clock::now();
  asio::co_spawn(io, def->run(ctx), [&](std::exception_ptr e, case_result r) {
    failure = e;
    result = std::move(r);
  });
  auto const limit = start + timeout + 5s;
  while (!result && std::chrono::steady_clock::now() < limit) io.run_one_for(100ms);
  out.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  out.log = log.entries();
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (std::exception const& e) {
      ADD_FAILURE() << id << " threw: " << e.what();
    }
    return out;
  }
  if (!result) {
    ADD_FAILURE() << id << " did not finish within its budget + 5 s";
    return out;
  }
  out.result = std::move(*result);
  return out;
}

/// The transcript as text, for failure messages.
inline std::string dump(std::vector<transcript_entry> const& log) {
  std::string out;
  for (auto const& e : log) out += "  [" + e.channel + "] " + e.text + "\n";
  return out;
}

}  // namespace mxtls::conformance::test
