// HTTPS policy fetch against the scriptable policy host, over loopback with the test PKI:
// 200 (STS-3.2-01, STS-7.1-02), other statuses (STS-3.3-04), redirects never followed
// (STS-3.3-05), 304 and no conditional headers (STS-3.3-06), 64 KiB static/chunked/
// close-delimited and the one-minute deadline (STS-3.3-08), Content-Type reported
// (STS-3.2-02/03), certificate failures → sts-webpki-invalid (STS-3.3-01/02, RPT-4.3-11).
#include "mxtls/net/https.hpp"
#include "mxtls/net/line_io.hpp"
#include "net_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mxtls::net::test {
namespace {

std::string const policy_text =
    "version: STSv1\r\nmode: enforce\r\nmx: mx.example.test\r\nmax_age: 86400\r\n";
std::string const policy_host = "mta-sts.example.test";

policy_server_config host_config(pki::issued const& leaf, std::string body = policy_text) {
  policy_server_config c;
  c.tls.chains.push_back(leaf.as_server_chain());
  c.policy_body = std::move(body);
  c.request_timeout = 2s;
  c.write_timeout = 5s;
  return c;
}

policy_server_config host_config() { return host_config(test_ca().issue(pki::cert_options::valid({policy_host}))); }

policy_server_config scripted(std::function<http_response(policy_request const&)> script) {
  auto c = host_config();
  c.script = std::move(script);
  return c;
}

std::unique_ptr<policy_server> start_host(asio::any_io_executor ex, policy_server_config c) {
  auto s = policy_server::start(ex, std::move(c), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  if (!s) throw std::runtime_error("policy_server::start: " + s.error().message());
  return std::move(*s);
}

policy_fetch_options fetch_options(tcp::endpoint where) {
  policy_fetch_options o;
  o.policy_domain = "example.test";
  o.addresses = {where};
  o.tls.system_trust = false;
  o.tls.trusted_ca_pem = {test_ca().root_pem()};
  o.timeout = 5s;
  return o;
}

// Fetches once from a host running `config`; returns the result and the host's log.
std::pair<result<fetched_policy>, std::vector<http_request_record>> fetch_from(policy_server_config config,
                                                                               std::chrono::steady_clock::duration
                                                                                   timeout = 5s) {
  std::pair<result<fetched_policy>, std::vector<http_request_record>> out{fetched_policy{}, {}};
  run_async([&]() -> asio::awaitable<void> {
    auto host = start_host(co_await asio::this_coro::executor, std::move(config));
    auto opts = fetch_options(host->local_endpoint());
    opts.timeout = timeout;
    out.first = co_await fetch_policy(std::move(opts));
    out.second = host->requests();
  });
  return out;
}

void expect_fetch_error(result<fetched_policy> const& r, errc code, std::string_view requirement,
                        tlsrpt_result_type type = tlsrpt_result_type::sts_policy_fetch_error) {
  ASSERT_FALSE(r) << "fetch unexpectedly succeeded";
  EXPECT_EQ(r.error().code, make_error_code(code)) << r.error().message();
  EXPECT_EQ(r.error().requirement, requirement);
  EXPECT_EQ(policy_fetch_result_type(r.error().code), type);
}

TEST(PolicyFetch, OkReturnsTheBodyFromTheWellKnownUrl) {
  auto [r, log] = fetch_from(host_config());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, policy_text);
  EXPECT_EQ(r->url, "https://mta-sts.example.test/.well-known/mta-sts.txt");
  EXPECT_EQ(r->content_type, "text/plain");
  EXPECT_TRUE(r->content_type_ok);
  EXPECT_TRUE(r->tls.verify.pkix_ok());
  ASSERT_EQ(log.size(), 1u);
  // [STS-3.2-01] GET of the well-known path with Host = policy host; [STS-7.1-02] SNI too.
  EXPECT_EQ(log[0].request.method, "GET");
  EXPECT_EQ(log[0].request.target, "/.well-known/mta-sts.txt");
  EXPECT_EQ(log[0].request.host, policy_host);
  EXPECT_EQ(log[0].request.sni, policy_host);
  EXPECT_EQ(log[0].status, 200u);
  // [STS-3.3-06] no conditional request headers; [STS-3.3-08] no Accept-Encoding.
  for (auto const& [name, value] : log[0].request.headers) {
    EXPECT_NE(name, "If-None-Match");
    EXPECT_NE(name, "If-Modified-Since");
    EXPECT_NE(name, "Accept-Encoding");
  }
}

TEST(PolicyFetch, PolicyDomainIsNormalised) {
  run_async([&]() -> asio::awaitable<void> {
    auto host = start_host(co_await asio::this_coro::executor, host_config());
    auto opts = fetch_options(host->local_endpoint());
    opts.policy_domain = "Example.TEST.";
    auto r = co_await fetch_policy(opts);
    CO_ASSERT_TRUE(r);
    EXPECT_EQ(host->requests().at(0).request.host, policy_host);
    opts.policy_domain = "not a domain";
    auto bad = co_await fetch_policy(opts);
    CO_ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, make_error_code(errc::config_invalid));
  });
}

TEST(PolicyFetch, StatusOtherThan200IsAFetchError) {
  // [STS-3.3-04] 404, 500, 204 with a valid body → sts-policy-fetch-error.
  for (unsigned status : {404u, 500u, 204u, 201u}) {
    auto [r, log] = fetch_from(scripted([status](policy_request const&) {
      http_response resp;
      resp.status = status;
      resp.body = status == 204 ? "" : policy_text;
      return resp;
    }));
    expect_fetch_error(r, errc::http_status, "STS-3.3-04");
    EXPECT_NE(r.error().detail.find(std::to_string(status)), std::string::npos) << r.error().detail;
  }
}

TEST(PolicyFetch, RedirectIsNeverFollowed) {
  // [STS-3.3-05] 301/302/303/307/308 to a host serving a valid policy: failure, and the
  // target is never contacted.
  for (unsigned status : {301u, 302u, 303u, 307u, 308u}) {
    run_async([&]() -> asio::awaitable<void> {
      auto ex = co_await asio::this_coro::executor;
      auto target = start_host(ex, host_config());
      std::string const location = "https://mta-sts.example.test:" + std::to_string(target->local_endpoint().port()) +
                                   "/.well-known/mta-sts.txt";
      auto redirector = start_host(ex, scripted([&](policy_request const&) {
                                     return http_response::redirect(status, location, policy_text);
                                   }));
      auto r = co_await fetch_policy(fetch_options(redirector->local_endpoint()));
      CO_ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, make_error_code(errc::http_redirect));
      EXPECT_EQ(r.error().requirement, "STS-3.3-05");
      EXPECT_NE(r.error().detail.find(location), std::string::npos);
      EXPECT_EQ(policy_fetch_result_type(r.error().code), tlsrpt_result_type::sts_policy_fetch_error);
      EXPECT_EQ(target->connections(), 0u);
      EXPECT_EQ(redirector->connections(), 1u);
    });
  }
}

TEST(PolicyFetch, NotModifiedIsAFailure) {
  // [STS-3.3-06] HTTP caching is not used; a 304 is a failure.
  auto [r, log] = fetch_from(scripted([](policy_request const&) {
    http_response resp;
    resp.status = 304;
    resp.body.clear();
    resp.headers.emplace_back("ETag", "\"v1\"");
    return resp;
  }));
  expect_fetch_error(r, errc::http_not_modified, "STS-3.3-06");
}

TEST(PolicyFetch, CacheHeadersAreIgnored) {
  // [STS-3.3-06][STS-8.2-03] Cache-Control / ETag / Expires change nothing.
  auto [r, log] = fetch_from(scripted([](policy_request const& req) {
    auto resp = policy_server::default_response(req, policy_text);
    resp.headers = {{"Cache-Control", "max-age=86400"}, {"ETag", "\"abc\""}, {"Expires", "Thu, 01 Jan 2099 00:00:00 GMT"}};
    return resp;
  }));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, policy_text);
}

http_response sized_body(std::size_t size, http_response::framing framing) {
  http_response resp;
  resp.body = std::string(size, 'x');
  resp.body_framing = framing;
  return resp;
}

TEST(PolicyFetch, BodyOfExactly64KiBIsAccepted) {
  // [STS-3.3-08] 65536 octets after de-chunking is within the limit.
  for (auto framing : {http_response::framing::content_length, http_response::framing::chunked,
                       http_response::framing::close_delimited}) {
    auto [r, log] = fetch_from(scripted([framing](policy_request const&) { return sized_body(65536, framing); }));
    ASSERT_TRUE(r) << static_cast<int>(framing) << ": " << r.error().message();
    EXPECT_EQ(r->body.size(), 65536u);
  }
}

TEST(PolicyFetch, BodyAbove64KiBIsAFetchErrorWhateverTheFraming) {
  // [STS-3.3-08] 65537 octets: static (Content-Length), chunked and close-delimited.
  for (auto framing : {http_response::framing::content_length, http_response::framing::chunked,
                       http_response::framing::close_delimited}) {
    auto [r, log] = fetch_from(scripted([framing](policy_request const&) { return sized_body(65537, framing); }));
    expect_fetch_error(r, errc::body_too_large, "STS-3.3-08");
  }
  // A huge declared length is refused from the header alone.
  auto [r, log] = fetch_from(scripted([](policy_request const&) {
    http_response resp;
    resp.body = policy_text;
    resp.declared_length = std::size_t{1} << 40;
    resp.close_after_body_bytes = resp.body.size() - 1;
    return resp;
  }));
  expect_fetch_error(r, errc::body_too_large, "STS-3.3-08");
}

TEST(PolicyFetch, ChunkedBodyIsStoppedOnceItPassesTheLimit) {
  // A chunked body of 10 MiB: the fetch fails long before it all arrives.
  auto [r, log] = fetch_from(scripted([](policy_request const&) {
    auto resp = sized_body(10 << 20, http_response::framing::chunked);
    resp.chunk_size = 1024;
    return resp;
  }));
  expect_fetch_error(r, errc::body_too_large, "STS-3.3-08");
}

TEST(PolicyFetch, LenientTestModeBreaksTheFetchRulesOnPurpose) {
  // TEST ONLY (mxtls-send --test-misbehave sts-lenient-fetch): what the rules above refuse
  // (STS-3.3-04, STS-3.3-05, STS-3.3-08, STS-3.3-01) is returned as a policy.
  auto lenient = [](policy_server_config config) {
    result<fetched_policy> out{fetched_policy{}};
    run_async([&]() -> asio::awaitable<void> {
      auto host = start_host(co_await asio::this_coro::executor, std::move(config));
      auto opts = fetch_options(host->local_endpoint());
      opts.lenient = true;
      out = co_await fetch_policy(std::move(opts));
    });
    return out;
  };
  auto redirect = lenient(scripted([](policy_request const&) {
    return http_response::redirect(302, "https://elsewhere.test/", policy_text);
  }));
  ASSERT_TRUE(redirect) << redirect.error().message();
  EXPECT_EQ(redirect->body, policy_text);
  auto not_found = lenient(scripted([](policy_request const&) {
    http_response resp;
    resp.status = 404;
    resp.body = policy_text;
    return resp;
  }));
  ASSERT_TRUE(not_found) << not_found.error().message();
  EXPECT_EQ(not_found->body, policy_text);
  auto big = lenient(scripted([](policy_request const&) { return sized_body(65537, http_response::framing::chunked); }));
  ASSERT_TRUE(big) << big.error().message();
  EXPECT_EQ(big->body.size(), 65536u);
  auto untrusted = lenient(host_config(other_ca().issue(pki::cert_options::valid({policy_host}))));
  ASSERT_TRUE(untrusted) << untrusted.error().message();
  EXPECT_FALSE(untrusted->tls.verify.pkix_ok());
  EXPECT_EQ(untrusted->body, policy_text);
}

TEST(PolicyFetch, SlowDripTimesOut) {
  // [STS-3.3-08] the deadline covers the whole body (X-23 slow drip).
  auto const start = std::chrono::steady_clock::now();
  auto [r, log] = fetch_from(scripted([](policy_request const&) {
                               http_response resp;
                               resp.body = policy_text;
                               resp.drip_interval = 50ms;
                               resp.drip_bytes = 1;
                               return resp;
                             }),
                             300ms);
  auto const took = std::chrono::steady_clock::now() - start;
  expect_fetch_error(r, errc::fetch_timeout, "STS-3.3-08");
  EXPECT_LT(took, 3s);
}

TEST(PolicyFetch, SilentServerTimesOut) {
  auto [r, log] = fetch_from(scripted([](policy_request const& req) {
                               auto resp = policy_server::default_response(req, policy_text);
                               resp.delay = 2s;
                               return resp;
                             }),
                             200ms);
  expect_fetch_error(r, errc::fetch_timeout, "STS-3.3-08");
}

TEST(PolicyFetch, ConnectionClosedMidBodyIsAFetchError) {
  auto [r, log] = fetch_from(scripted([](policy_request const& req) {
    auto resp = policy_server::default_response(req, policy_text);
    resp.close_after_body_bytes = 10;
    return resp;
  }));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, make_error_code(errc::http_protocol_error)) << r.error().message();
  EXPECT_EQ(policy_fetch_result_type(r.error().code), tlsrpt_result_type::sts_policy_fetch_error);
}

TEST(PolicyFetch, ContentTypeIsReportedNotEnforced) {
  // [STS-3.2-02][STS-3.2-03] the policy code decides.
  struct row {
    std::optional<std::string> content_type;
    bool ok;
  };
  for (auto const& c : {row{"text/plain", true}, row{"TEXT/PLAIN", true}, row{"text/plain; charset=utf-8", true},
                        row{"text/html", false}, row{std::nullopt, false}}) {
    auto [r, log] = fetch_from(scripted([&](policy_request const& req) {
      auto resp = policy_server::default_response(req, policy_text);
      resp.content_type = c.content_type;
      return resp;
    }));
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->content_type_ok, c.ok) << c.content_type.value_or("(none)");
    EXPECT_EQ(r->body, policy_text);
  }
}

TEST(PolicyFetch, IsTextPlainTable) {
  struct row {
    char const* value;
    bool ok;
  };
  for (auto const& c : {row{"text/plain", true}, row{"Text/Plain", true}, row{" text/plain ; charset=us-ascii", true},
                        row{"text/plain;format=flowed", true}, row{"text/plainx", false}, row{"text/html", false},
                        row{"application/octet-stream", false}, row{"text", false}, row{"", false}}) {
    EXPECT_EQ(is_text_plain(c.value), c.ok) << c.value;
  }
}

TEST(PolicyFetch, ContentEncodingOtherThanIdentityIsRefused) {
  // [STS-3.3-08] mxtls-DECISION: no Accept-Encoding sent, only identity accepted.
  auto [r, log] = fetch_from(scripted([](policy_request const& req) {
    auto resp = policy_server::default_response(req, policy_text);
    resp.headers.emplace_back("Content-Encoding", "gzip");
    return resp;
  }));
  expect_fetch_error(r, errc::content_encoding, "STS-3.3-08");
}

TEST(PolicyFetch, BadPolicyHostCertificateIsWebPkiInvalid) {
  // [STS-3.3-01][STS-3.3-02] wrong name, CN-only, expired, untrusted, self-signed → no policy,
  // sts-webpki-invalid.
  struct row {
    char const* what;
    pki::issued leaf;
    errc code;
    char const* requirement;
  };
  std::vector<row> rows;
  rows.push_back({"wrong name", test_ca().issue(pki::cert_options::valid({"mta-sts.other.test"})),
                  errc::certificate_host_mismatch, "STS-3.3-02"});
  rows.push_back({"CN only", test_ca().issue(pki::cert_options::cn_only(policy_host)),
                  errc::certificate_host_mismatch, "STS-3.3-02"});
  rows.push_back({"expired", test_ca().issue(pki::cert_options::expired({policy_host})), errc::certificate_expired,
                  "STS-3.3-01"});
  rows.push_back({"not yet valid", test_ca().issue(pki::cert_options::not_yet_valid({policy_host})),
                  errc::certificate_not_yet_valid, "STS-3.3-01"});
  rows.push_back({"untrusted", other_ca().issue(pki::cert_options::valid({policy_host})),
                  errc::certificate_not_trusted, "STS-3.3-01"});
  rows.push_back({"self-signed", pki::self_signed(pki::cert_options::valid({policy_host})),
                  errc::certificate_not_trusted, "STS-3.3-01"});
  for (auto const& c : rows) {
    auto [r, log] = fetch_from(host_config(c.leaf));
    ASSERT_FALSE(r) << c.what;
    EXPECT_EQ(r.error().code, make_error_code(c.code)) << c.what << ": " << r.error().message();
    EXPECT_EQ(r.error().requirement, c.requirement) << c.what;
    EXPECT_EQ(policy_fetch_result_type(r.error().code), tlsrpt_result_type::sts_webpki_invalid) << c.what;
    EXPECT_TRUE(log.empty()) << c.what << ": no request is sent over an unverified session";
  }
}

TEST(PolicyFetch, WildcardCertificateCoversThePolicyHost) {
  // [STS-3.3-02] "*.example.test" is valid for mta-sts.example.test.
  auto [r, log] = fetch_from(host_config(test_ca().issue(pki::cert_options::valid({"*.example.test"}))));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, policy_text);
}

TEST(PolicyFetch, RefusedConnectionIsAFetchError) {
  run_async([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    tcp::endpoint closed;
    {
      tcp::acceptor a(ex, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
      closed = a.local_endpoint();
    }
    auto r = co_await fetch_policy(fetch_options(closed));
    CO_ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, make_error_code(errc::connect_failed));
    EXPECT_EQ(policy_fetch_result_type(r.error().code), tlsrpt_result_type::sts_policy_fetch_error);
  });
}

TEST(PolicyFetch, ResolverOverrideIsAskedForThePolicyHost) {
  run_async([&]() -> asio::awaitable<void> {
    auto host = start_host(co_await asio::this_coro::executor, host_config());
    auto opts = fetch_options(host->local_endpoint());
    opts.addresses.clear();
    std::vector<std::string> asked;
    auto const where = host->local_endpoint();
    opts.resolve = [&asked, where](std::string const& name) -> asio::awaitable<result<std::vector<tcp::endpoint>>> {
      asked.push_back(name);
      co_return std::vector<tcp::endpoint>{where};
    };
    auto r = co_await fetch_policy(opts);
    CO_ASSERT_TRUE(r);
    EXPECT_EQ(asked, std::vector<std::string>{policy_host});
    EXPECT_EQ(r->peer, where);
    // A failing resolver is a fetch error (RPT-4.3-09), with its reason kept.
    opts.resolve = [](std::string const&) -> asio::awaitable<result<std::vector<tcp::endpoint>>> {
      co_return error{asio::error::host_not_found, {}, 0, "NXDOMAIN"};
    };
    auto nx = co_await fetch_policy(opts);
    CO_ASSERT_FALSE(nx);
    EXPECT_EQ(nx.error().code, make_error_code(errc::resolve_failed));
    EXPECT_NE(nx.error().detail.find("NXDOMAIN"), std::string::npos) << nx.error().detail;
    EXPECT_EQ(policy_fetch_result_type(nx.error().code), tlsrpt_result_type::sts_policy_fetch_error);
  });
}

// --- the policy host on its own --------------------------------------------------------

// Sends raw request bytes over a verified TLS session and returns the status line.
asio::awaitable<std::string> raw_exchange(tcp::endpoint where, std::string request) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket s(ex);
  co_await s.async_connect(where, asio::use_awaitable);
  tls_config c = client_config(policy_host);
  tls_stream stream(std::move(s), make_context(c));
  auto hs = co_await stream.async_handshake();
  if (!hs) co_return "handshake failed: " + hs.error().message();
  if (auto ec = co_await write_all(stream, std::string_view(request), 5s)) co_return "write failed: " + ec.message();
  line_reader<tls_stream> reader(stream, 1000);
  auto line = co_await reader.read_line(5s);
  if (line.status != line_status::line) co_return "no status line";
  co_return line.line;
}

TEST(PolicyHost, AnswersByMethodAndPath) {
  run_async([&]() -> asio::awaitable<void> {
    auto host = start_host(co_await asio::this_coro::executor, host_config());
    auto const ep = host->local_endpoint();
    EXPECT_EQ(co_await raw_exchange(ep, "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.example.test\r\n\r\n"),
              "HTTP/1.1 200 OK");
    EXPECT_EQ(co_await raw_exchange(ep, "GET /other HTTP/1.1\r\nHost: mta-sts.example.test\r\n\r\n"),
              "HTTP/1.1 404 Not Found");
    EXPECT_EQ(co_await raw_exchange(ep, "POST /.well-known/mta-sts.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab"),
              "HTTP/1.1 405 Method Not Allowed");
    EXPECT_EQ(co_await raw_exchange(ep, "HEAD /.well-known/mta-sts.txt HTTP/1.1\r\nHost: x\r\n\r\n"),
              "HTTP/1.1 405 Method Not Allowed");
    EXPECT_EQ(co_await raw_exchange(ep, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(10000, 'a') + "\r\n\r\n"),
              "HTTP/1.1 431 Request Header Fields Too Large");
    EXPECT_EQ(co_await raw_exchange(ep, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
                                            std::string(5000, 'b')),
              "HTTP/1.1 413 Payload Too Large");
    EXPECT_EQ(co_await raw_exchange(ep, "NOT HTTP AT ALL\r\n\r\n"), "HTTP/1.1 400 Bad Request");
    auto const log = host->requests();
    CO_ASSERT_TRUE(log.size() == 7u);
    EXPECT_EQ(log[0].status, 200u);
    EXPECT_EQ(log[1].request.target, "/other");
    EXPECT_EQ(log[2].request.method, "POST");
    EXPECT_EQ(log[4].status, 431u);
    EXPECT_EQ(log[5].status, 413u);
    EXPECT_EQ(log[6].status, 400u);
    for (auto const& r : log) EXPECT_EQ(r.request.sni, policy_host);
  });
}

TEST(PolicyHost, IdleClientIsDisconnectedAfterTheRequestTimeout) {
  run_async([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto cfg = host_config();
    cfg.request_timeout = 200ms;
    auto host = start_host(ex, cfg);
    tcp::socket s(ex);
    co_await s.async_connect(host->local_endpoint(), asio::use_awaitable);
    tls_stream stream(std::move(s), make_context(client_config(policy_host)));
    auto hs = co_await stream.async_handshake();
    CO_ASSERT_TRUE(hs);
    auto const start = std::chrono::steady_clock::now();
    line_reader<tls_stream> reader(stream, 1000);
    auto line = co_await reader.read_line(5s);
    EXPECT_TRUE(line.status == line_status::eof || line.status == line_status::io_error);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_TRUE(host->requests().empty());
  });
}

TEST(PolicyHost, OnRequestHookSeesEveryRequest) {
  std::vector<std::string> seen;
  auto cfg = host_config();
  cfg.on_request = [&](http_request_record const& r) { seen.push_back(r.request.target + " " + r.request.sni); };
  auto [r, log] = fetch_from(cfg);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(seen, std::vector<std::string>{"/.well-known/mta-sts.txt mta-sts.example.test"});
}

}  // namespace
}  // namespace mxtls::net::test
