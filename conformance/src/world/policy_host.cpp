// MTA-STS policy hosts with injectable faults (STS-3.3-04, STS-3.3-05, STS-3.3-06, STS-3.3-08,
// STS-3.2-02), each fetch logged with the world's time.
#include "world/policy_host.hpp"

#include <mutex>
#include <stdexcept>

namespace mxtls::conformance {

std::string_view to_string(policy_fault f) noexcept {
  switch (f) {
    case policy_fault::none: return "none";
    case policy_fault::redirect: return "redirect";
    case policy_fault::status: return "status";
    case policy_fault::not_modified: return "not-modified";
    case policy_fault::content_type_html: return "content-type-html";
    case policy_fault::content_type_missing: return "content-type-missing";
    case policy_fault::oversize_static: return "oversize-static";
    case policy_fault::oversize_chunked: return "oversize-chunked";
    case policy_fault::slow_drip: return "slow-drip";
    case policy_fault::close_mid_body: return "close-mid-body";
  }
  return "?";
}

std::optional<policy_fault> parse_policy_fault(std::string_view s) noexcept {
  for (auto f : {policy_fault::none, policy_fault::redirect, policy_fault::status, policy_fault::not_modified,
                 policy_fault::content_type_html, policy_fault::content_type_missing, policy_fault::oversize_static,
                 policy_fault::oversize_chunked, policy_fault::slow_drip, policy_fault::close_mid_body})
    if (to_string(f) == s) return f;
  return std::nullopt;
}

namespace {
// A body over the 64 KiB limit of STS-3.3-08 that is still a well-formed policy up front, so
// only the size makes it invalid.
std::string oversize_body(std::string const& policy) {
  constexpr std::size_t limit = 65536;
  std::string body = policy;
  if (!body.empty() && body.back() != '\n') body += "\r\n";
  while (body.size() < limit + 1) body += "x-padding: 0123456789abcdef0123456789abcdef0123456789abcdef\r\n";
  body.resize(limit + 1);
  return body;
}
}  // namespace

net::http_response policy_response(policy_host_options const& opt, std::string const& domain,
                                   net::policy_request const& req) {
  if (opt.script) return opt.script(req);
  if (req.method != "GET" || req.target != net::policy_path) return net::policy_server::default_response(req, opt.body);
  net::http_response r;
  r.body = opt.body;
  switch (opt.fault) {
    case policy_fault::none: break;
    case policy_fault::redirect: {
      auto const location = opt.redirect_location.empty()
                                ? "https://mta-sts.other-" + domain + std::string(net::policy_path)
                                : opt.redirect_location;
      return net::http_response::redirect(opt.redirect_status, location, opt.body);
    }
    case policy_fault::status: r.status = opt.status; break;
    case policy_fault::not_modified: r.status = 304; break;
    case policy_fault::content_type_html: r.content_type = "text/html"; break;
    case policy_fault::content_type_missing: r.content_type = std::nullopt; break;
    case policy_fault::oversize_static: r.body = oversize_body(opt.body); break;
    case policy_fault::oversize_chunked:
      r.body = oversize_body(opt.body);
      r.body_framing = net::http_response::framing::chunked;
      break;
    case policy_fault::slow_drip:
      r.drip_interval = opt.drip_interval;
      r.drip_bytes = 1;
      break;
    case policy_fault::close_mid_body: r.close_after_body_bytes = opt.body.size() / 2; break;
  }
  return r;
}

struct policy_host::shared {
  mutable std::mutex mu;
  std::vector<policy_fetch> log;
};

policy_host::policy_host(boost::asio::any_io_executor ex, std::string domain, policy_host_options opt,
                         pki_store& pki, world_clock const& clock, boost::asio::ip::address address, std::uint16_t port)
    : domain_(std::move(domain)), shared_(std::make_shared<shared>()) {
  net::policy_server_config cfg;
  cfg.tls.role = net::tls_role::server;
  cfg.tls.chains.push_back(pki.chain(host_name(), opt.cert));
  cfg.policy_body = opt.body;
  cfg.script = [opt, d = domain_](net::policy_request const& req) { return policy_response(opt, d, req); };
  cfg.on_request = [s = shared_, &clock](net::http_request_record const& rec) {
    policy_fetch f;
    f.world_time = clock.now();
    f.wall_time = rec.time;
    f.method = rec.request.method;
    f.target = rec.request.target;
    f.host = rec.request.host;
    f.sni = rec.request.sni;
    f.remote = rec.remote.address().to_string() + ":" + std::to_string(rec.remote.port());
    f.status = rec.status;
    std::lock_guard lock(s->mu);
    s->log.push_back(std::move(f));
  };
  auto server = net::policy_server::start(ex, std::move(cfg), net::tcp::endpoint(address, port));
  if (!server) throw std::runtime_error("policy host " + host_name() + ": " + server.error().message());
  server_ = std::move(*server);
  endpoint_ = server_->local_endpoint();
}

policy_host::~policy_host() = default;

std::string policy_host::address() const {
  return endpoint_.address().to_string() + ":" + std::to_string(endpoint_.port());
}

std::vector<policy_fetch> policy_host::fetches() const {
  std::lock_guard lock(shared_->mu);
  return shared_->log;
}

void policy_host::stop() {
  if (server_) server_->stop();
}

}  // namespace mxtls::conformance
