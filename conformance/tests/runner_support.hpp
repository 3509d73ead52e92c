// Test-only cases for the runner's tests: built in the tests (never registered in the global
// catalogue, so the receiver suite's own tests never see them), each behaving in one way the
// runner must handle: pass, fail, throw, hang with and without honouring cancellation.
#pragma once

#include "runner/model.hpp"
#include "runner/runner.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace mxtls::conformance::test {

using namespace std::chrono_literals;
namespace asio = boost::asio;

inline case_def make_case(std::string id, verdict v, profile p = profile::core, role r = role::receiver,
                          std::string summary = "as scripted") {
  case_def c;
  c.id = std::move(id);
  c.requirements = {"TLS-4-07"};
  c.role = r;
  c.profile = p;
  c.description = "a test-only case that returns " + std::string(to_string(v));
  c.expectation = "whatever the test scripts";
  c.timeout = 5s;
  c.run = [v, summary](case_context& ctx) -> asio::awaitable<case_result> {
    ctx.log->add("C", "EHLO test.example\r\n");
    ctx.log->add("S", "250 ok\r\n");
    co_return case_result{v, summary, {"detail line"}, std::nullopt, v == verdict::fail ? "validation-failure" : "", false};
  };
  return c;
}

/// Waits `delay` on a timer, then passes. With `honour_cancel` false the wait ignores
/// cancellation (an empty slot is bound), so only the runner's abandonment ends it.
inline case_def sleeping_case(std::string id, std::chrono::milliseconds delay, bool honour_cancel,
                              std::chrono::milliseconds timeout) {
  case_def c = make_case(std::move(id), verdict::pass);
  c.timeout = timeout;
  c.run = [delay, honour_cancel](case_context& ctx) -> asio::awaitable<case_result> {
    asio::steady_timer t(ctx.executor, delay);
    ctx.log->note("sleeping");
    if (honour_cancel) {
      co_await t.async_wait(asio::use_awaitable);
    } else {
      co_await t.async_wait(asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
    }
    co_return case_result{verdict::pass, "woke up", {}, std::nullopt, "", false};
  };
  return c;
}

/// Blocks its pool thread (no co_await at all) until `release` is set: a case the runner can
/// neither cancel nor join.
inline case_def blocking_case(std::string id, std::atomic<bool>& release, std::chrono::milliseconds timeout) {
  case_def c = make_case(std::move(id), verdict::pass);
  c.timeout = timeout;
  c.run = [&release](case_context&) -> asio::awaitable<case_result> {
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    co_return case_result{verdict::pass, "released", {}, std::nullopt, "", false};
  };
  return c;
}

inline case_def throwing_case(std::string id) {
  case_def c = make_case(std::move(id), verdict::pass);
  c.run = [](case_context& ctx) -> asio::awaitable<case_result> {
    ctx.log->note("about to throw");
    throw std::runtime_error("the probe exploded");
    co_return case_result{};
  };
  return c;
}

inline std::vector<case_def const*> pointers(std::vector<case_def> const& v) {
  std::vector<case_def const*> out;
  for (auto const& c : v) out.push_back(&c);
  return out;
}

}  // namespace mxtls::conformance::test
