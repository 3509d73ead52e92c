// The sender suite's harness: scenes, the trigger contract and the delivery-outcome oracle
// (see harness.hpp).
// g++ 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known false positive
// when the frame allocation is inlined); only this diagnostic is silenced, only here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "cases/sender/harness.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace mxtls::conformance::sender {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------
// Verdicts

std::string describe(delivery_outcome o) {
  switch (o) {
    case delivery_outcome::not_attempted: return "not attempted";
    case delivery_outcome::verified_tls: return "delivered over verified TLS";
    case delivery_outcome::unverified_tls: return "delivered over unverified TLS";
    case delivery_outcome::plaintext: return "delivered IN PLAINTEXT";
    case delivery_outcome::wrong_host: return "delivered to the wrong host";
    case delivery_outcome::deferred: return "deferred";
    case delivery_outcome::bounced: return "bounced";
  }
  return "?";
}

namespace {

bool contains(std::vector<delivery_outcome> const& v, delivery_outcome o) {
  return std::find(v.begin(), v.end(), o) != v.end();
}

std::string list(std::vector<delivery_outcome> const& v) {
  std::string out;
  for (auto o : v) out += (out.empty() ? "" : " or ") + describe(o);
  return out.empty() ? "(nothing)" : out;
}

}  // namespace

case_result judge(attempt const& a, expect const& e, std::string_view what) {
  case_result r;
  r.outcome = a.outcome;
  std::string const step = what.empty() ? std::string() : std::string(what) + ": ";
  r.details.push_back("trigger exit status " + std::to_string(a.exit_status) +
                      (a.trigger_timed_out ? " (killed: the trigger did not finish in time)" : ""));
  for (auto const& c : a.contacted) r.details.push_back("session " + c);
  for (auto const& d : a.deliveries)
    r.details.push_back("message at " + d.host + ":" + std::to_string(d.port) + " over " +
                        (d.tls ? d.tls_version + (d.verifiable ? " (verifiable certificate)" : " (unverifiable certificate)")
                               : std::string("PLAINTEXT")) +
                        (d.excluded ? " — a host the policy excludes" : ""));
  if (a.dsn) r.details.push_back("a delivery status notification reached the sender's domain");
  if (!a.trigger_output.empty()) r.details.push_back("trigger output: " + a.trigger_output);

  // [STS-5-01][PFX-05][BAN-20][DANE-2.2-02] plaintext where TLS is required is never acceptable.
  if (e.tls_required && (a.outcome == delivery_outcome::plaintext || a.plaintext_mail_from)) {
    r.v = verdict::fail;
    r.critical = true;
    r.summary = "CRITICAL: " + step +
                (a.outcome == delivery_outcome::plaintext ? std::string("the message was delivered IN PLAINTEXT")
                                                          : std::string("MAIL FROM was sent IN PLAINTEXT")) +
                " although TLS was required (expected " + list(e.pass) + ")";
    r.result_type = e.result_type;
    return r;
  }
  if (contains(e.pass, a.outcome)) {
    r.v = verdict::pass;
    r.summary = step + describe(a.outcome) + ", as required";
  } else if (contains(e.non_strict, a.outcome)) {
    r.v = verdict::pass_non_strict;
    r.summary = step + describe(a.outcome) + " (acceptable, but " + list(e.pass) + " is what the text asks for)";
  } else {
    r.v = verdict::fail;
    r.summary = step + describe(a.outcome) + "; expected " + list(e.pass);
    r.result_type = e.result_type;
  }
  return r;
}

// ---------------------------------------------------------------------------------------
// Peer scripts

peer_script good_peer() { return {}; }

peer_script stripped_peer() {
  peer_script s;
  std::erase(s.ehlo_plain, std::string("STARTTLS"));
  return s;
}

sender_case::sender_case(case_def def) {
  def.role = role::sender;
  if (def.timeout == std::chrono::milliseconds(10000)) def.timeout = 30s;
  case_registrar{std::move(def)};
}

// ---------------------------------------------------------------------------------------
// The scene

struct scene::host_state {
  mx_host spec;
  std::string name;
  std::string address;
  std::map<std::uint16_t, std::shared_ptr<smtp_peer>> peers;  ///< by port
  std::map<std::uint16_t, std::size_t> seen;                 ///< sessions already observed
};

scene::scene(case_context& ctx) : ctx_(ctx), domain_(ctx.case_domain) {
  if (ctx_.sender == nullptr || ctx_.w == nullptr)
    throw std::runtime_error("sender case without a sender target and a world");
  label_ = domain_.substr(0, domain_.find('.'));
}

scene::~scene() {
  for (auto& [_, h] : hosts_)
    for (auto& [port, p] : h->peers) p->stop();
}

std::string scene::name(std::string_view label) const {
  if (label.ends_with('.')) return std::string(label.substr(0, label.size() - 1));
  return std::string(label) + "." + domain_;
}

scene::host_state& scene::host(std::string_view label) {
  auto it = hosts_.find(label);
  if (it == hosts_.end()) throw std::runtime_error("scene: no host '" + std::string(label) + "'");
  return *it->second;
}

scene::host_state const& scene::host(std::string_view label) const {
  auto it = hosts_.find(label);
  if (it == hosts_.end()) throw std::runtime_error("scene: no host '" + std::string(label) + "'");
  return *it->second;
}

void scene::stop_now(std::shared_ptr<smtp_peer> const& peer) {
  // The listening socket is closed when this returns, so a successor can bind the same address
  // and port at once (cases run on the runner's threads, never on the world's).
  peer->stop_and_wait();
}

void scene::start_listener(host_state& h, std::uint16_t port, peer_script script) {
  if (auto it = h.peers.find(port); it != h.peers.end()) {
    stop_now(it->second);
    h.peers.erase(it);
    h.seen.erase(port);
  }
  if (port == 26) script.implicit_tls = true;
  script.host = h.name;
  if (script.greeting == peer_script{}.greeting) script.greeting = {h.name + " ESMTP mxtls scripted peer"};
  if (script.chains.empty()) script.chains.push_back(w().pki().chain(h.name, h.spec.cert));
  // A replaced peer's listener is closed by stop_now, but a trigger being spawned at that moment
  // by another case's thread holds copies of every descriptor (between clone and closefrom in
  // posix_spawn's child), so the port can still be bound for a moment: retry a while.
  std::shared_ptr<smtp_peer> peer;
  for (auto const give_up = std::chrono::steady_clock::now() + 2s;;) {
    peer = std::make_shared<smtp_peer>(w().executor(), script);
    try {
      peer->start(asio::ip::make_address(h.address), port);
      break;
    } catch (boost::system::system_error const& e) {
      if (e.code() == asio::error::address_in_use && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(20ms);
        continue;
      }
      throw std::runtime_error("scripted peer " + h.name + " on " + h.address + ":" + std::to_string(port) + ": " +
                               e.code().message());
    }
  }
  w().keep(domain_, peer);
  h.peers[port] = std::move(peer);
  h.seen[port] = 0;
}

std::string scene::add_host(mx_host spec) {
  auto h = std::make_unique<host_state>();
  h->name = name(spec.label);
  h->address = w().allocate_address().to_string();
  if (!spec.verifiable) spec.verifiable = spec.cert == cert_kind::valid || spec.cert == cert_kind::wildcard;
  h->spec = spec;
  auto& ref = *h;
  auto const label = spec.label;
  if (hosts_.count(label)) throw std::runtime_error("scene: host '" + label + "' twice");
  hosts_.emplace(label, std::move(h));
  if (spec.serve25) start_listener(ref, 25, spec.smtp);
  if (spec.serve26) start_listener(ref, 26, spec.smtp26);
  log().note("host " + ref.name + " at " + ref.address + ": port 25 " +
             (spec.serve25 ? "serves" : "refuses") + ", port 26 " + (spec.serve26 ? "serves implicit TLS" : "refuses") +
             ", certificate " + std::string(to_string(spec.cert)) + (spec.excluded ? ", EXCLUDED by policy" : ""));
  return ref.address;
}

void scene::build(domain_setup setup) {
  std::vector<std::string> records;
  for (auto const& spec : setup.hosts) {
    auto const address = add_host(spec);
    auto const n = name(spec.label);
    records.push_back(rr::a(n, address));
    if (spec.in_mx) records.push_back(rr::mx(domain_, spec.preference, n));
  }
  if (setup.sts_txt) records.push_back(rr::txt("_mta-sts." + domain_, *setup.sts_txt));
  records.insert(records.end(), setup.records.begin(), setup.records.end());
  w().add_domain(domain_, setup.dnssec, records);
  log().note("zone " + domain_ + " (" + std::string(to_string(setup.dnssec)) + "):");
  for (auto const& r : records) log().add("dns", r);
  if (setup.policy) set_policy(setup.policy);
}

void scene::replace_peer(std::string_view label, std::uint16_t port, std::optional<peer_script> script) {
  auto& h = host(label);
  if (script) {
    start_listener(h, port, std::move(*script));
    log().note("host " + h.name + ": port " + std::to_string(port) + " has a new behaviour");
  } else if (auto it = h.peers.find(port); it != h.peers.end()) {
    stop_now(it->second);
    h.peers.erase(it);
    h.seen.erase(port);
    log().note("host " + h.name + ": nothing listens on port " + std::to_string(port) + " any more");
  }
}

void scene::set_excluded(std::string_view label, bool excluded) { host(label).spec.excluded = excluded; }

net::pki::issued const& scene::cert(std::string_view label) {
  auto& h = host(label);
  return w().pki().issue(h.name, h.spec.cert);
}

std::string scene::address(std::string_view label) const { return host(label).address; }

std::string scene::tlsa_for(std::string_view label, std::uint16_t port, int usage, int selector, int matching_type) {
  return rr::tlsa_for(port, name(label), cert(label), usage, selector, matching_type);
}

std::string scene::tlsa_ca(std::string_view label, std::uint16_t port, int selector, int matching_type) {
  return rr::tlsa_for(port, name(label), w().pki().ca(), 2, selector, matching_type);
}

void scene::set_mx(std::vector<std::pair<std::uint16_t, std::string>> const& mx) {
  std::vector<std::string> records;
  for (auto const& [pref, label] : mx) records.push_back(rr::mx(domain_, pref, name(label)));
  w().replace_rrset(domain_, domain_ + ".", net::dns::rr_type::mx, records);
  for (auto const& r : records) log().add("dns", "MX now: " + r);
}

void scene::set_sts_txt(std::optional<std::string> text) {
  auto const owner = "_mta-sts." + domain_ + ".";
  if (text) {
    w().replace_rrset(domain_, owner, net::dns::rr_type::txt, {rr::txt("_mta-sts." + domain_, *text)});
    log().add("dns", "_mta-sts TXT now \"" + *text + "\"");
  } else {
    w().remove_rrset(owner, net::dns::rr_type::txt);
    log().add("dns", "_mta-sts TXT removed");
  }
}

void scene::set_policy(std::optional<policy_host_options> opt) {
  if (opt) {
    policy_ = opt;
    auto const h = w().start_policy_host(domain_, std::move(*opt));
    log().add("https", "policy host mta-sts." + domain_ + " at " + h->address() + " serves:\n" + policy_->body);
  } else {
    w().stop_policy_host(domain_);
    log().add("https", "policy host mta-sts." + domain_ + " stopped");
  }
}

void scene::replace_records(std::string const& owner_label, net::dns::rr_type type, std::vector<std::string> const& records) {
  auto const owner = (owner_label.empty() || owner_label == "@" ? domain_ : name(owner_label)) + ".";
  w().replace_rrset(domain_, owner, type, records);
  for (auto const& r : records) log().add("dns", "now: " + r);
}

void scene::set_dns_fault(std::string const& owner_label, net::dns::fault f, std::optional<net::dns::rr_type> only) {
  auto const owner = owner_label.empty() || owner_label == "@" ? domain_ : name(owner_label);
  w().set_dns_fault(owner, f, false, only);
  log().add("dns", "fault at " + owner + ": " + net::dns::to_string(f));
}

void scene::set_dnssec(dnssec_mode m) {
  w().set_dnssec(domain_, m);
  log().add("dns", "zone " + domain_ + " is now " + std::string(to_string(m)));
}

std::vector<policy_fetch> scene::fetches() const {
  auto const h = ctx_.w->find_policy_host(domain_);
  return h ? h->fetches() : std::vector<policy_fetch>{};
}

void scene::advance_time(std::chrono::seconds d) {
  auto const t = w().clock().now() + d;
  w().set_time(t);
  log().note("the world's clock moves forward " + std::to_string(d.count()) + " s");
}

void scene::advance_sender_clock(std::chrono::seconds d) {
  sender_offset_ += d;
  log().note("the clock handed to the sender ({now}) moves forward " + std::to_string(d.count()) +
             " s (the world's own clock stays)");
}

case_result scene::no_clock() {
  case_result r;
  r.v = verdict::unsupported;
  r.summary = "the case moves the world's clock, and the trigger template has no {now} placeholder";
  return r;
}

// ---------------------------------------------------------------------------------------
// The trigger

namespace {

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string expand(std::string const& tmpl, std::map<std::string, std::string> const& values) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] == '{') {
      auto const close = tmpl.find('}', i);
      if (close != std::string::npos) {
        auto const key = tmpl.substr(i + 1, close - i - 1);
        if (auto it = values.find(key); it != values.end()) {
          out += shell_quote(it->second);
          i = close + 1;
          continue;
        }
      }
    }
    out += tmpl[i++];
  }
  return out;
}

std::string tail_of(std::string const& path, std::size_t max) {
  std::ifstream in(path, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (s.size() > max) s = "..." + s.substr(s.size() - max);
  for (auto& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

struct process_result {
  int status = -1;
  bool timed_out = false;
};

/// Runs `command` with /bin/sh in its own process group, output to `out_file`; kills the group
/// after `limit`.
asio::awaitable<process_result> run_shell(std::string const& command, std::string const& out_file,
                                          std::chrono::milliseconds limit) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  // The trigger (and an MTA daemon it may start) must not inherit the world's sockets: Asio
  // does not mark them close-on-exec, and an inherited listener would keep a scripted peer's
  // address and port bound after the peer stopped (and let the MTA read the world's traffic).
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  std::string sh = "/bin/sh", dash_c = "-c", cmd = command;
  char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
  pid_t pid = 0;
  int const rc = ::posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("cannot start /bin/sh: " + std::string(std::strerror(rc)));

  process_result out;
  auto const deadline = std::chrono::steady_clock::now() + limit;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    int st = 0;
    pid_t const w = ::waitpid(pid, &st, WNOHANG);
    if (w == pid) {
      out.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
      break;
    }
    if (w < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &st, 0);
      out.timed_out = true;
      out.status = -1;
      break;
    }
    timer.expires_after(10ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
  ::kill(-pid, SIGKILL);  // whatever the trigger left behind in its group
  co_return out;
}

std::string rfc5322_date(std::chrono::system_clock::time_point t) {
  auto const tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

/// The mailbox of a RCPT TO argument ("<a@b> NOTIFY=..." -> "a@b"), lower-cased.
std::string mailbox_of(std::string_view arg) {
  auto const open = arg.find('<');
  auto const close = arg.find('>', open == std::string_view::npos ? 0 : open);
  std::string_view box = open != std::string_view::npos && close != std::string_view::npos
                             ? arg.substr(open + 1, close - open - 1)
                             : arg.substr(0, arg.find(' '));
  std::string out;
  for (char c : box) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

/// DSNs the sink holds for `from` (exactly that mailbox: one case's address is never a
/// substring match for another's).
std::size_t dsn_count(smtp_peer const& sink, std::string const& from) {
  std::size_t n = 0;
  for (auto const& s : sink.sessions())
    for (auto const& m : s.messages)
      for (auto const& r : m.rcpt_to)
        if (mailbox_of(r) == from) ++n;
  return n;
}

}  // namespace

asio::awaitable<attempt> scene::send(std::string step) {
  auto const& t = target();
  auto const n = ++sends_;
  auto const dir = t.work_dir + "/" + label_;
  std::filesystem::create_directories(dir);
  auto const from = label_ + "@" + t.dsn_domain;
  auto const to = "rcpt@" + domain_;
  auto const msg_file = dir + "/message-" + std::to_string(n) + ".eml";
  {
    std::ofstream m(msg_file, std::ios::binary | std::ios::trunc);
    m << "From: <" << from << ">\r\nTo: <" << to << ">\r\nSubject: mxtls-conform " << label_ << " message " << n
      << "\r\nDate: " << rfc5322_date(w().clock().now() + sender_offset_) << "\r\nMessage-ID: <" << n << "." << label_ << "@"
      << t.dsn_domain << ">\r\n\r\nSent by the mxtls-conform sender suite, case domain " << domain_ << ", step "
      << (step.empty() ? std::to_string(n) : step) << ".\r\n";
    if (!m) throw std::runtime_error("cannot write " + msg_file);
  }
  auto const now_s =
      std::chrono::duration_cast<std::chrono::seconds>((w().clock().now() + sender_offset_).time_since_epoch()).count();
  std::map<std::string, std::string> const values = {
      {"from", from},
      {"to", to},
      {"message_file", msg_file},
      {"resolver", w().dns_address_text()},
      {"trust_anchor", w().trust_anchor_file()},
      {"ca_file", w().ca_file()},
      {"state_dir", t.state_dir},
      {"now", std::to_string(now_s)},
      {"case", domain_},
  };
  for (auto const p : trigger_placeholders)  // the CLI accepts exactly these
    if (!values.count(std::string(p))) throw std::logic_error("trigger placeholder {" + std::string(p) + "} has no value");

  // Sessions before this step are not this step's evidence.
  for (auto& [_, h] : hosts_)
    for (auto& [port, p] : h->peers) h->seen[port] = p->sessions().size();
  auto const dsn_before = t.dsn_sink ? dsn_count(*t.dsn_sink, from) : 0;

  auto const started = std::chrono::steady_clock::now();
  log().note("step " + std::to_string(n) + (step.empty() ? std::string() : ": " + step));
  auto const command = expand(t.inject, values);
  log().add("trigger", command);
  auto const out_file = dir + "/trigger-" + std::to_string(n) + ".log";
  auto const res = co_await run_shell(command, out_file, t.trigger_timeout);
  log().add("trigger", "exit status " + std::to_string(res.status) + (res.timed_out ? " (killed after the trigger timeout)" : ""));
  if (!t.flush.empty() && res.status == 0) {
    auto const flush = expand(t.flush, values);
    log().add("trigger", flush);
    auto const fres = co_await run_shell(flush, out_file, t.trigger_timeout);
    log().add("trigger", "flush exit status " + std::to_string(fres.status));
  }

  auto delivered_or_dsn = [&] {
    for (auto& [_, h] : hosts_)
      for (auto& [port, p] : h->peers) {
        auto const ss = p->sessions();
        for (std::size_t i = h->seen[port]; i < ss.size(); ++i)
          if (!ss[i].messages.empty()) return true;
      }
    return t.dsn_sink && dsn_count(*t.dsn_sink, from) > dsn_before;
  };
  // A synchronous sender (exit 75/69) has told us; a queueing one gets the observation window.
  asio::steady_timer timer(co_await asio::this_coro::executor);
  if (res.status != 75 && res.status != 69) {
    auto const until = std::chrono::steady_clock::now() + t.observe;
    while (!delivered_or_dsn() && std::chrono::steady_clock::now() < until) {
      timer.expires_after(25ms);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }
  // Let sessions that are closing record their last lines.
  timer.expires_after(50ms);
  co_await timer.async_wait(asio::use_awaitable);

  attempt a;
  a.exit_status = res.status;
  a.trigger_timed_out = res.timed_out;
  a.trigger_output = tail_of(out_file, 600);
  for (auto& [_, h] : hosts_) {
    for (auto& [port, p] : h->peers) {
      auto const ss = p->sessions();
      for (std::size_t i = h->seen[port]; i < ss.size(); ++i) {
        auto const& s = ss[i];
        a.contacted.push_back(h->name + ":" + std::to_string(port) + (s.tls ? " " + s.tls_version : std::string(" plain")) +
                              (s.sni.empty() ? std::string() : " sni=" + s.sni) +
                              (s.tls_error.empty() ? std::string() : " tls-error=" + s.tls_error));
        if (s.mail_from_in_plaintext) a.plaintext_mail_from = true;
        a.sessions.push_back({h->name, port, s});
        for (auto const& e : s.wire) log().add(e.channel, "[" + h->name + ":" + std::to_string(port) + "] " + e.text);
        for (auto const& m : s.messages)
          a.deliveries.push_back({h->name, port, m.over_tls, m.tls_version, h->spec.verifiable.value_or(false),
                                  h->spec.excluded});
      }
      h->seen[port] = ss.size();
    }
  }
  a.dsn = t.dsn_sink && dsn_count(*t.dsn_sink, from) > dsn_before;

  // The oracle: the worst delivery decides; with none, the sender's own word or the DSN.
  auto rank = [](delivery const& d) {
    if (!d.tls) return 0;
    if (d.excluded) return 1;
    return d.verifiable ? 3 : 2;
  };
  if (!a.deliveries.empty()) {
    auto const worst = *std::min_element(a.deliveries.begin(), a.deliveries.end(),
                                         [&](auto const& x, auto const& y) { return rank(x) < rank(y); });
    switch (rank(worst)) {
      case 0: a.outcome = delivery_outcome::plaintext; break;
      case 1: a.outcome = delivery_outcome::wrong_host; break;
      case 2: a.outcome = delivery_outcome::unverified_tls; break;
      default: a.outcome = delivery_outcome::verified_tls; break;
    }
  } else if (res.status == 69 || a.dsn) {
    a.outcome = delivery_outcome::bounced;
  } else {
    a.outcome = delivery_outcome::deferred;
  }
  a.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  log().note("outcome of step " + std::to_string(n) + ": " + describe(a.outcome));
  co_return a;
}

}  // namespace mxtls::conformance::sender
