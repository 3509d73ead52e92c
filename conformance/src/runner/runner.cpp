// The conformance runner: case selection, the parallel run with per-case deadlines, and the
// judgement against expectations. Exit status of a run (documented in --help and README):
// 0 every result as expected, 1 at least one unexpected result (an unpredicted fail or
// harness-error, or an expected deviation that did not happen).
#include "runner/runner.hpp"

#include "world/world.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fnmatch.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <map>
#include <thread>

namespace mxtls::conformance {

namespace asio = boost::asio;

bool glob_match(std::string_view pattern, std::string_view id) noexcept {
  try {
    std::string const p(pattern), s(id);
    return ::fnmatch(p.c_str(), s.c_str(), 0) == 0;
  } catch (...) {
    return false;
  }
}

std::vector<case_def const*> select_cases(std::vector<case_def> const& all, selection const& sel) {
  std::vector<case_def const*> out;
  for (auto const& c : all) {
    if (c.role != sel.role) continue;
    if (!sel.profiles.empty() &&
        std::find(sel.profiles.begin(), sel.profiles.end(), c.profile) == sel.profiles.end())
      continue;
    if (!sel.case_globs.empty() &&
        std::none_of(sel.case_globs.begin(), sel.case_globs.end(),
                     [&](std::string const& g) { return glob_match(g, c.id); }))
      continue;
    out.push_back(&c);
  }
  return out;
}

namespace {
std::uint32_t fnv1a(std::string_view s) noexcept {
  std::uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

std::string hashed_label(std::string label, std::string_view id) {
  char suffix[12];
  std::snprintf(suffix, sizeof suffix, "-%08x", static_cast<unsigned>(fnv1a(id)));
  if (label.size() > 63 - 9) label.resize(63 - 9);
  while (!label.empty() && label.back() == '-') label.pop_back();
  if (label.empty()) label = "case";
  return label + suffix;
}
}  // namespace

std::string case_label(std::string_view id) {
  std::string label;
  bool lossy = false;
  for (char c : id) {
    auto const u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9')) label += c;
    else if (u >= 'A' && u <= 'Z') {
      label += static_cast<char>(u - 'A' + 'a');
      lossy = true;
    } else {
      if (c != '.' && c != '-') lossy = true;
      if (!label.empty() && label.back() != '-') label += '-';
    }
  }
  while (!label.empty() && label.back() == '-') label.pop_back();
  if (label.empty() || label.size() > 63 || lossy) return hashed_label(std::move(label), id);
  return label;
}

unsigned default_jobs() noexcept { return std::max(2u, std::thread::hardware_concurrency()); }

std::size_t run_report::unexpected_count() const noexcept {
  return static_cast<std::size_t>(std::count_if(cases.begin(), cases.end(), [](case_record const& r) {
    return r.status == expectation_status::unexpected || r.status == expectation_status::unexpectedly_passing;
  }));
}

int run_report::exit_code() const noexcept { return unexpected_count() == 0 ? 0 : 1; }

namespace {

// Everything one running case owns. Its deadline timer and bookkeeping live on the watchdog
// (one thread, never running case code); the case's coroutine runs on its own strand of the
// pool and may outlive the wait when it ignores cancellation or blocks its thread.
struct case_state {
  explicit case_state(asio::any_io_executor watch) : deadline(watch) {}
  transcript log;
  case_context ctx;
  asio::cancellation_signal cancel;  // used on the case's strand only
  asio::steady_timer deadline;       // used on the watchdog only
  bool completed = false;            // watchdog only
  case_result result;
  std::exception_ptr error;
};

struct run_state {
  std::vector<case_def const*> cases;
  std::vector<std::string> domains;
  run_options const* options = nullptr;
  std::vector<case_record> records;
  std::size_t next = 0;  // watchdog only
  std::size_t done = 0;  // watchdog only
};

// The two io_contexts of a run. Cases run on `pool`; the workers that hand out cases and
// enforce deadlines run on `watch`, so a case that blocks every pool thread still times out.
struct contexts {
  explicit contexts(unsigned jobs) : pool(static_cast<int>(jobs)) {}
  asio::io_context watch{1};  // declared first: destroyed after `pool`, whose frames hold timers on it
  asio::io_context pool;
  std::vector<std::thread> threads;
  std::atomic<unsigned> exited{0};
};

std::string describe(std::exception_ptr const& e) {
  try {
    std::rethrow_exception(e);
  } catch (std::exception const& x) {
    return x.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

std::chrono::milliseconds scaled(std::chrono::milliseconds t, double scale) {
  auto const ms = static_cast<double>(t.count()) * (scale > 0 ? scale : 1.0);
  return std::chrono::milliseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(ms)));
}

asio::awaitable<void> run_one(std::shared_ptr<run_state> run, std::size_t index, asio::io_context& pool) {
  auto const watch = co_await asio::this_coro::executor;
  asio::any_io_executor const case_ex = asio::make_strand(pool);
  case_def const& def = *run->cases[index];
  run_options const& opt = *run->options;
  auto st = std::make_shared<case_state>(watch);
  st->ctx.executor = case_ex;
  st->ctx.target = opt.target;
  st->ctx.sender = opt.sender;
  st->ctx.w = opt.w;
  st->ctx.log = &st->log;
  st->ctx.case_domain = run->domains[index];
  st->ctx.timeout = scaled(def.timeout, opt.timeout_scale);

  auto const t0 = std::chrono::steady_clock::now();
  st->deadline.expires_after(st->ctx.timeout);
  asio::co_spawn(
      case_ex, [st, run_fn = def.run]() -> asio::awaitable<case_result> { co_return co_await run_fn(st->ctx); },
      asio::bind_cancellation_slot(st->cancel.slot(), [st, watch](std::exception_ptr e, case_result r) {
        asio::post(watch, [st, e, r = std::move(r)]() mutable {
          st->completed = true;
          st->error = e;
          st->result = std::move(r);
          st->deadline.cancel();
        });
      }));
  co_await st->deadline.async_wait(asio::as_tuple(asio::use_awaitable));

  case_record rec;
  rec.def = def;
  rec.domain = st->ctx.case_domain;
  rec.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!st->completed) {
    // The deadline passed: whatever the case does from now on is ignored. The signal is
    // emitted on the case's strand; if the case blocks that strand, it never is.
    asio::post(case_ex, [st] { st->cancel.emit(asio::cancellation_type::terminal); });
    rec.timed_out = true;
    st->log.note("harness: the case did not finish within " + std::to_string(st->ctx.timeout.count()) +
                 " ms and was cancelled");
    rec.result.v = verdict::harness_error;
    rec.result.summary = "timed out after " + std::to_string(st->ctx.timeout.count()) + " ms";
  } else if (st->error) {
    rec.result.v = verdict::harness_error;
    rec.result.summary = "the case threw: " + describe(st->error);
    st->log.note("harness: " + rec.result.summary);
  } else {
    rec.result = std::move(st->result);
  }
  if (opt.w != nullptr) {
    try {
      opt.w->end_case(rec.domain);
    } catch (std::exception const& e) {
      st->log.note(std::string("harness: releasing the case's world resources failed: ") + e.what());
    }
  }
  rec.log = st->log.entries();
  rec.status = judge(rec.result.v, nullptr);

  run->records[index] = std::move(rec);
  ++run->done;
  if (opt.on_case_done) {
    try {
      opt.on_case_done(run->records[index], run->done, run->cases.size());
    } catch (...) {
      // A reporting hook must not stop the run.
    }
  }
}

asio::awaitable<void> worker(std::shared_ptr<run_state> run, asio::io_context& pool) {
  for (;;) {
    auto const i = run->next++;
    if (i >= run->cases.size()) co_return;
    co_await run_one(run, i, pool);
  }
}

}  // namespace

run_report run_cases(std::vector<case_def const*> const& cases, run_options const& options) {
  run_report report;
  report.started = std::chrono::system_clock::now();
  report.jobs = std::max(1u, options.jobs);
  if (!cases.empty()) report.role = cases.front()->role;
  auto const t0 = std::chrono::steady_clock::now();

  auto run = std::make_shared<run_state>();
  run->cases = cases;
  run->options = &options;
  run->records.resize(cases.size());
  // Every case its own domain; distinct ids that map to one label get hashed labels.
  std::map<std::string, std::size_t> seen;
  std::vector<std::string> labels;
  for (auto const* c : cases) labels.push_back(case_label(c->id));
  for (auto const& l : labels) ++seen[l];
  for (std::size_t i = 0; i < cases.size(); ++i) {
    auto const label = seen[labels[i]] > 1 ? hashed_label(labels[i], cases[i]->id) : labels[i];
    run->domains.push_back(label + "." + options.tld);
  }

  if (!cases.empty()) {
    auto ctx = std::make_unique<contexts>(report.jobs);
    auto guard = asio::make_work_guard(ctx->pool);
    auto const workers = std::min<std::size_t>(report.jobs, cases.size());
    for (std::size_t k = 0; k < workers; ++k) asio::co_spawn(ctx->watch, worker(run, ctx->pool), asio::detached);
    for (unsigned k = 0; k < report.jobs; ++k)
      ctx->threads.emplace_back([c = ctx.get()] {
        for (;;) {
          try {
            c->pool.run();
            break;
          } catch (...) {
            // A handler outside any case threw; keep the pool alive for the other cases.
          }
        }
        ++c->exited;
      });
    // The watchdog runs here until every worker has handed out its last case.
    for (;;) {
      try {
        ctx->watch.run();
        break;
      } catch (...) {
      }
    }
    guard.reset();
    ctx->pool.stop();
    // A case that blocks its thread (never returns to the io_context) cannot be joined: after
    // a grace period its threads are detached and both contexts are left alive on purpose,
    // since the blocked code may still touch them when it wakes.
    auto const grace = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (ctx->exited.load() < ctx->threads.size() && std::chrono::steady_clock::now() < grace)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (ctx->exited.load() == ctx->threads.size()) {
      for (auto& t : ctx->threads) t.join();
      // Destroying the pool destroys what abandoned (timed-out) cases still wait for.
    } else {
      for (auto& t : ctx->threads) t.detach();
      (void)ctx.release();
    }
  }
  report.cases = std::move(run->records);
  report.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

void apply_expectations(run_report& report, expectations const& exp, std::vector<std::string> const& catalogue_ids) {
  for (auto& rec : report.cases) {
    auto const* entry = exp.find(rec.def.id);
    rec.expected = entry ? std::optional<expectation_entry>(*entry) : std::nullopt;
    rec.status = judge(rec.result.v, entry);
  }
  report.stale_expectations.clear();
  for (auto const& e : exp.entries()) {
    bool const known = std::any_of(catalogue_ids.begin(), catalogue_ids.end(),
                                   [&](std::string const& id) { return id == e.pattern || glob_match(e.pattern, id); });
    if (!known) report.stale_expectations.push_back(e);
  }
}

}  // namespace mxtls::conformance
