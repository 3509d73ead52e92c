// The Botan 2 seam: an Asio stream pumping a Botan::TLS::Channel (received_data() in,
// tls_emit_data / tls_record_received out), an SMTP-suited policy (TLS 1.2, AEAD, ECDHE),
// SNI-selected server chains with a fallback (STS-7.1-05, DANE-8.1-02) and client-side
// PKIX + SAN DNS-ID verification (STS-4.2-01/02, STS-3.3-01/02; CN never used).
#include "mxtls/net/tls.hpp"

#include "mxtls/spec/dns/name.hpp"

#include <botan/certstor.h>
#include <botan/certstor_system.h>
#include <botan/credentials_manager.h>
#include <botan/data_src.h>
#include <botan/pk_keys.h>
#include <botan/pkcs8.h>
#include <botan/system_rng.h>
#include <botan/tls_algos.h>
#include <botan/tls_callbacks.h>
#include <botan/tls_client.h>
#include <botan/tls_exceptn.h>
#include <botan/tls_policy.h>
#include <botan/tls_server.h>
#include <botan/tls_session_manager.h>
#include <botan/x509cert.h>
#include <botan/x509path.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace mxtls::net {

namespace {

using boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

error make_error(errc e, std::string detail = {}, std::string_view requirement = {}) {
  return error{make_error_code(e), requirement, 0, std::move(detail)};
}
error make_error(error_code ec, std::string detail = {}) {
  return error{ec, {}, 0, std::move(detail)};
}

// ---------------------------------------------------------------------------------------
// Policy: what an SMTP MTA (and an MTA-STS policy fetch) negotiates.
// ---------------------------------------------------------------------------------------
// Botan 2 declares group_param_from_string but does not export it. Only ECDHE groups:
// the policy allows no finite-field DH.
Botan::TLS::Group_Params group_from_name(std::string const& name) {
  using G = Botan::TLS::Group_Params;
  if (name == "x25519") return G::X25519;
  if (name == "secp256r1") return G::SECP256R1;
  if (name == "secp384r1") return G::SECP384R1;
  if (name == "secp521r1") return G::SECP521R1;
  if (name == "brainpool256r1") return G::BRAINPOOL256R1;
  if (name == "brainpool384r1") return G::BRAINPOOL384R1;
  if (name == "brainpool512r1") return G::BRAINPOOL512R1;
  return G::NONE;
}

class smtp_policy final : public Botan::TLS::Policy {
 public:
  explicit smtp_policy(tls_config const& c) : cfg_(c) {
    for (auto const& g : c.groups) {
      auto const p = group_from_name(g);
      if (p == Botan::TLS::Group_Params::NONE) throw std::invalid_argument("unknown key exchange group " + g);
      groups_.push_back(p);
    }
    if (groups_.empty())
      groups_ = {Botan::TLS::Group_Params::X25519, Botan::TLS::Group_Params::SECP256R1,
                 Botan::TLS::Group_Params::SECP384R1};
  }

  std::vector<std::string> allowed_ciphers() const override {
    if (!cfg_.ciphers.empty()) return cfg_.ciphers;
    // [STS-7.2-02] RFC 7525: AEAD suites only.
    return {"ChaCha20Poly1305", "AES-256/GCM", "AES-128/GCM"};
  }
  std::vector<std::string> allowed_macs() const override {
    if (!cfg_.ciphers.empty()) return {"AEAD", "SHA-384", "SHA-256", "SHA-1"};
    return {"AEAD"};
  }
  // [stack.md pitfall 2] ECDHE only: never Botan's experimental CECPQ1, no finite-field DH.
  std::vector<std::string> allowed_key_exchange_methods() const override { return {"ECDH"}; }
  std::vector<std::string> allowed_signature_methods() const override { return {"ECDSA", "RSA"}; }
  std::vector<Botan::TLS::Group_Params> key_exchange_groups() const override { return groups_; }
  // [STS-3.3-03][STS-4.2-03] revocation is optional; private CAs have no revocation data
  // (stack.md pitfall 1).
  bool require_cert_revocation_info() const override { return false; }
  // No session resumption state: no tickets issued, none needed.
  uint32_t session_ticket_lifetime() const override { return 0; }
  bool include_time_in_hello_random() const override { return false; }
  bool allow_client_initiated_renegotiation() const override { return false; }
  bool allow_server_initiated_renegotiation() const override { return false; }
  // [STS-7.2-01] TLS 1.2 or higher (Botan 2 tops out at 1.2); lower only on request.
  bool allow_tls10() const override { return in_range(tls_version::tls1_0); }
  bool allow_tls11() const override { return in_range(tls_version::tls1_1); }
  bool allow_tls12() const override { return in_range(tls_version::tls1_2); }
  bool allow_dtls10() const override { return false; }
  bool allow_dtls12() const override { return false; }

 private:
  bool in_range(tls_version v) const { return cfg_.min_version <= v && v <= cfg_.max_version; }
  tls_config const& cfg_;
  std::vector<Botan::TLS::Group_Params> groups_;
};

struct loaded_chain {
  std::vector<std::string> names;
  std::vector<Botan::X509_Certificate> certs;
  std::unique_ptr<Botan::Private_Key> key;
};

result<std::vector<Botan::X509_Certificate>> parse_pem_certs(std::string_view pem) {
  std::vector<Botan::X509_Certificate> out;
  try {
    Botan::DataSource_Memory src(reinterpret_cast<uint8_t const*>(pem.data()), pem.size());
    while (!src.end_of_data()) {
      // Skip white space between PEM blocks; stop when only white space remains.
      uint8_t b = 0;
      if (src.peek_byte(b) == 0) break;
      if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
        src.discard_next(1);
        continue;
      }
      out.emplace_back(src);
    }
  } catch (std::exception const& e) {
    return make_error(errc::pem_invalid, e.what());
  }
  if (out.empty()) return make_error(errc::pem_invalid, "no certificate in PEM");
  return out;
}

result<std::string> read_text_file(std::string const& path) {
  try {
    Botan::DataSource_Stream src(path);
    std::string out;
    std::array<uint8_t, 4096> buf{};
    while (std::size_t n = src.read(buf.data(), buf.size())) out.append(reinterpret_cast<char const*>(buf.data()), n);
    return out;
  } catch (std::exception const& e) {
    return make_error(errc::pem_invalid, "cannot read " + path + ": " + e.what());
  }
}

// The system store is parsed once per process (about 140 roots).
result<std::shared_ptr<Botan::Certificate_Store>> system_store() {
  static std::mutex mu;
  static std::shared_ptr<Botan::Certificate_Store> store;
  static std::string failure;
  std::lock_guard lock(mu);
  if (!store && failure.empty()) {
    try {
      store = std::make_shared<Botan::System_Certificate_Store>();
    } catch (std::exception const& e) {
      failure = e.what();
    }
  }
  if (!store) return make_error(errc::trust_store_unavailable, failure);
  return store;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// tls_context
// ---------------------------------------------------------------------------------------
struct tls_context::impl {
  tls_config config;
  std::unique_ptr<smtp_policy> policy;
  std::vector<loaded_chain> chains;
  std::vector<std::shared_ptr<Botan::Certificate_Store>> stores;
  std::vector<Botan::Certificate_Store*> store_ptrs;

  // [STS-7.1-05][DANE-8.1-02] the chain for `sni`: one whose names match it, else the
  // fallback (first chain without names, else the first chain); never "no chain" unless
  // the conformance world asks for an SNI-enforcing server.
  loaded_chain const* select(std::string const& sni) const {
    if (!sni.empty()) {
      for (auto const& c : chains)
        if (!c.names.empty() && dns_ids_match(c.names, sni)) return &c;
    }
    if (config.require_sni_match) return nullptr;
    for (auto const& c : chains)
      if (c.names.empty()) return &c;
    return chains.empty() ? nullptr : &chains.front();
  }
};

tls_context::tls_context(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
tls_context::~tls_context() = default;
tls_config const& tls_context::config() const noexcept { return impl_->config; }

result<std::shared_ptr<tls_context const>> tls_context::create(tls_config config) {
  auto im = std::make_unique<impl>();
  im->config = std::move(config);
  auto& cfg = im->config;
  if (cfg.min_version > cfg.max_version) return make_error(errc::config_invalid, "min_version > max_version");
  try {
    im->policy = std::make_unique<smtp_policy>(cfg);
  } catch (std::exception const& e) {
    return make_error(errc::config_invalid, std::string("TLS policy: ") + e.what());
  }

  if (cfg.role == tls_role::server) {
    if (cfg.chains.empty()) return make_error(errc::config_invalid, "server without a certificate chain");
    for (auto const& sc : cfg.chains) {
      std::string chain_pem = sc.chain_pem, key_pem = sc.key_pem;
      if (chain_pem.empty() && !sc.chain_file.empty()) {
        auto text = read_text_file(sc.chain_file);
        if (!text) return text.error();
        chain_pem = std::move(*text);
      }
      if (key_pem.empty() && !sc.key_file.empty()) {
        auto text = read_text_file(sc.key_file);
        if (!text) return text.error();
        key_pem = std::move(*text);
      }
      auto certs = parse_pem_certs(chain_pem);
      if (!certs) return certs.error();
      loaded_chain lc;
      lc.names = sc.names;
      lc.certs = std::move(*certs);
      try {
        Botan::DataSource_Memory src(key_pem);
        lc.key = Botan::PKCS8::load_key(src);
      } catch (std::exception const& e) {
        return make_error(errc::pem_invalid, std::string("private key: ") + e.what());
      }
      if (!lc.key) return make_error(errc::pem_invalid, "private key: none in PEM");
      if (lc.key->subject_public_key() != lc.certs.front().subject_public_key_info())
        return make_error(errc::config_invalid, "private key does not belong to the leaf certificate");
      im->chains.push_back(std::move(lc));
    }
  } else {
    if (cfg.system_trust) {
      auto sys = system_store();
      if (!sys) return sys.error();
      im->stores.push_back(*sys);
    }
    auto extra = std::make_shared<Botan::Certificate_Store_In_Memory>();
    bool have_extra = false;
    auto add_pem = [&](std::string_view pem) -> result<void> {
      auto certs = parse_pem_certs(pem);
      if (!certs) return certs.error();
      for (auto const& c : *certs) extra->add_certificate(c);
      have_extra = true;
      return {};
    };
    for (auto const& pem : cfg.trusted_ca_pem)
      if (auto r = add_pem(pem); !r) return r.error();
    if (!cfg.ca_file.empty()) {
      auto text = read_text_file(cfg.ca_file);
      if (!text) return make_error(errc::trust_store_unavailable, text.error().detail);
      if (auto r = add_pem(*text); !r) return r.error();
    }
    if (have_extra) im->stores.push_back(extra);
    if (cfg.reference_identity.empty()) cfg.reference_identity = cfg.sni;
  }
  for (auto const& s : im->stores) im->store_ptrs.push_back(s.get());
  return std::shared_ptr<tls_context const>(std::make_shared<tls_context>(std::move(im)));
}

// ---------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------
bool dns_ids_match(std::vector<std::string> const& dns_ids, std::string_view reference_identity) {
  // [NAME-6.2.1-01] the reference identity is the host name the client meant to reach; it
  // must itself be a host name (an IP literal never matches a dNSName, NAME-6.4.4-02);
  // [NAME-3.1-02] one trailing dot is stripped.
  auto ref = spec::dns::parse_hostname(reference_identity, {.allow_trailing_dot = true, .min_labels = 1});
  if (!ref) return false;
  for (auto const& id : dns_ids) {
    // [NAME-6.4.3-01][NAME-6.4.3-03] "*" only as the whole left-most label; [NAME-6.4.1-01]
    // a dNSName with a trailing dot, an empty label or a non-ASCII octet never matches;
    // [NAME-6.4.3-04] at least two labels after "*." (no "*.com").
    auto pat = spec::dns::parse_name_pattern(
        id, {.min_wildcard_base_labels = 2, .min_exact_labels = 1, .allow_trailing_dot = false});
    if (!pat) continue;
    // [NAME-6.4.3-02] one label for "*", case-insensitive, whole-name equality otherwise.
    if (spec::dns::matches(*pat, *ref)) return true;
  }
  return false;
}

namespace {

verify_result verify_certs(tls_context::impl const& ctx, std::vector<Botan::X509_Certificate> const& chain,
                           std::string_view reference_identity) {
  verify_result v;
  v.performed = true;
  if (chain.empty()) {
    v.reason = "no certificate presented";
    v.result_type = tlsrpt_result_type::validation_failure;
    return v;
  }
  auto const now = ctx.config.validation_time.value_or(std::chrono::system_clock::now());
  auto const& leaf = chain.front();

  // [STS-4.2-02][STS-3.3-02][NAME-6.4.4-01] SAN dNSName only: a CN-only certificate has
  // no DNS-ID and never matches (Botan's own hostname check would fall back to the CN, so it is not used).
  v.dns_ids = leaf.subject_alt_name().get_attribute("DNS");
  v.name_matched = dns_ids_match(v.dns_ids, reference_identity);

  // [STS-4.2-01][STS-3.3-01] a path to a trusted root; revocation not required
  // (STS-4.2-03). The host name is checked above, not by Botan.
  std::string trust_reason;
  try {
    Botan::Path_Validation_Restrictions restrictions(false, 110);
    auto res = Botan::x509_path_validate(chain, restrictions, ctx.store_ptrs, "",
                                         Botan::Usage_Type::TLS_SERVER_AUTH, now);
    bool other_error = false;
    for (auto const& statuses : res.all_statuses()) {
      for (auto code : statuses) {
        if (code < Botan::Certificate_Status_Code::FIRST_ERROR_STATUS) continue;
        if (code == Botan::Certificate_Status_Code::CERT_HAS_EXPIRED) {
          v.expired = true;
        } else if (code == Botan::Certificate_Status_Code::CERT_NOT_YET_VALID) {
          v.not_yet_valid = true;
        } else if (code >= Botan::Certificate_Status_Code::OCSP_NOT_YET_VALID &&
                   code <= Botan::Certificate_Status_Code::OCSP_IS_TOO_OLD) {
          continue;  // revocation data is not used
        } else {
          other_error = true;
          if (trust_reason.empty()) trust_reason = Botan::Path_Validation_Result::status_string(code);
        }
      }
    }
    if (res.all_statuses().empty() && !res.successful_validation()) {
      other_error = true;
      trust_reason = res.result_string();
    }
    v.trusted = !other_error;
  } catch (std::exception const& e) {
    v.trusted = false;
    trust_reason = e.what();
  }
  // Time checks of the leaf itself, also when no path could be built.
  if (now > leaf.not_after().to_std_timepoint()) v.expired = true;
  if (now < leaf.not_before().to_std_timepoint()) v.not_yet_valid = true;

  // One result type per session: trust, then time, then name (RPT-4.3-02..05).
  if (!v.trusted) {
    v.result_type = tlsrpt_result_type::certificate_not_trusted;  // RPT-4.3-04
    v.reason = "certificate not trusted: " + trust_reason;
  } else if (v.expired) {
    v.result_type = tlsrpt_result_type::certificate_expired;  // RPT-4.3-03
    v.reason = "certificate expired";
  } else if (v.not_yet_valid) {
    // [RPT-4.3-15] no result type of its own: validation-failure.
    v.result_type = tlsrpt_result_type::validation_failure;
    v.reason = "certificate not yet valid";
  } else if (!v.name_matched) {
    v.result_type = tlsrpt_result_type::certificate_host_mismatch;  // RPT-4.3-02
    v.reason = "no SAN dNSName matches " + std::string(reference_identity);
  }
  if (!v.trusted && v.expired) v.reason += "; also expired";
  if (v.trusted && !v.name_matched && (v.expired || v.not_yet_valid))
    v.reason += "; no SAN dNSName matches " + std::string(reference_identity);
  return v;
}

errc pkix_failure_code(verify_result const& v) {
  if (!v.trusted) return errc::certificate_not_trusted;
  if (v.expired) return errc::certificate_expired;
  if (v.not_yet_valid) return errc::certificate_not_yet_valid;
  return errc::certificate_host_mismatch;
}

std::vector<std::vector<std::uint8_t>> to_der(std::vector<Botan::X509_Certificate> const& chain) {
  std::vector<std::vector<std::uint8_t>> out;
  out.reserve(chain.size());
  for (auto const& c : chain) out.push_back(c.BER_encode());
  return out;
}

}  // namespace

verify_result verify_chain(tls_context const& ctx, std::vector<std::vector<std::uint8_t>> const& chain_der,
                           std::string_view reference_identity) {
  std::vector<Botan::X509_Certificate> chain;
  try {
    for (auto const& der : chain_der) chain.emplace_back(der);
  } catch (std::exception const& e) {
    verify_result v;
    v.performed = true;
    v.reason = std::string("undecodable certificate: ") + e.what();
    v.result_type = tlsrpt_result_type::validation_failure;
    return v;
  }
  return verify_certs(ctx.get(), chain, reference_identity);
}

result<std::vector<std::vector<std::uint8_t>>> pem_to_der_chain(std::string_view pem) {
  auto certs = parse_pem_certs(pem);
  if (!certs) return certs.error();
  return to_der(*certs);
}

// ---------------------------------------------------------------------------------------
// The stream
// ---------------------------------------------------------------------------------------
namespace {

// Per-connection credentials: the server chain chosen by SNI; trust stores for the client.
class stream_credentials final : public Botan::Credentials_Manager {
 public:
  explicit stream_credentials(tls_context::impl const& ctx) : ctx_(ctx) {}

  std::vector<Botan::Certificate_Store*> trusted_certificate_authorities(std::string const&,
                                                                        std::string const&) override {
    return ctx_.store_ptrs;
  }

  std::vector<Botan::X509_Certificate> cert_chain(std::vector<std::string> const& key_types,
                                                  std::string const& type,
                                                  std::string const& sni) override {
    if (type != "tls-server") return {};
    auto const* chain = ctx_.select(sni);
    if (chain == nullptr) return {};
    auto const algo = chain->key->algo_name();
    if (std::find(key_types.begin(), key_types.end(), algo) == key_types.end()) return {};
    return chain->certs;
  }

  Botan::Private_Key* private_key_for(Botan::X509_Certificate const& cert, std::string const&,
                                      std::string const&) override {
    for (auto const& c : ctx_.chains)
      if (c.certs.front() == cert) return c.key.get();
    return nullptr;
  }

 private:
  tls_context::impl const& ctx_;
};

}  // namespace

struct tls_stream::impl final : Botan::TLS::Callbacks {
  impl(tcp::socket s, std::shared_ptr<tls_context const> c)
      : socket(std::move(s)), ctx(std::move(c)), creds(ctx->get()), rx(17 * 1024) {}

  tcp::socket socket;
  std::shared_ptr<tls_context const> ctx;
  stream_credentials creds;
  Botan::TLS::Session_Manager_Noop sessions;
  std::unique_ptr<Botan::TLS::Channel> channel;  // constructed last, destroyed first

  std::vector<std::uint8_t> rx;             // ciphertext read from the socket
  std::vector<std::uint8_t> plain;          // decrypted, not yet handed to the reader
  std::size_t plain_off = 0;
  std::vector<std::uint8_t> tx;             // ciphertext waiting to be written
  std::vector<std::uint8_t> tx_inflight;    // ciphertext being written
  bool writing = false;

  bool active = false;       // handshake finished, not closed
  bool peer_closed = false;  // close_notify received
  bool local_closed = false;
  error_code fatal;          // sticky error after which nothing is read or written
  std::string fatal_detail;

  // Handshake outcome.
  std::string version, cipher, sni;
  verify_result verify;
  error_code verify_error;  // set when verify_mode::require refused the chain
  std::string alert_text;   // a fatal alert received from the peer

  tls_config const& config() const { return ctx->get().config; }

  // --- Botan::TLS::Callbacks -------------------------------------------------------
  void tls_emit_data(uint8_t const data[], std::size_t size) override { tx.insert(tx.end(), data, data + size); }

  void tls_record_received(uint64_t, uint8_t const data[], std::size_t size) override {
    if (plain_off == plain.size()) {
      plain.clear();
      plain_off = 0;
    }
    plain.insert(plain.end(), data, data + size);
  }

  void tls_alert(Botan::TLS::Alert alert) override {
    if (alert.type() == Botan::TLS::Alert::CLOSE_NOTIFY) {
      peer_closed = true;
      active = false;
      return;
    }
    if (alert.is_fatal()) {
      alert_text = alert.type_string();
      active = false;
      if (!fatal) {
        fatal = make_error_code(errc::alert_received);
        fatal_detail = alert_text;
      }
    }
  }

  bool tls_session_established(Botan::TLS::Session const& session) override {
    version = session.version().to_string();
    cipher = session.ciphersuite().to_string();
    if (config().role == tls_role::server) sni = session.server_info().hostname();
    return false;  // nothing is cached: no resumption
  }

  void tls_session_activated() override { active = true; }

  void tls_verify_cert_chain(std::vector<Botan::X509_Certificate> const& chain,
                             std::vector<std::shared_ptr<Botan::OCSP::Response const>> const&,
                             std::vector<Botan::Certificate_Store*> const&, Botan::Usage_Type,
                             std::string const&, Botan::TLS::Policy const&) override {
    auto const& cfg = config();
    verify = verify_certs(ctx->get(), chain, cfg.reference_identity);
    if (cfg.dane) {
      verify.dane = cfg.dane(to_der(chain));
      if (verify.dane->outcome == dane_outcome::failed) {
        verify.result_type = tlsrpt_result_type::tlsa_invalid;  // RPT-4.3-06
        verify.reason = "DANE: " + verify.dane->reason + (verify.reason.empty() ? "" : "; PKIX: " + verify.reason);
        // [DANE-3.2-02][STS-2-01] a failed DANE check is never overridden, in any mode
        // that requires authentication.
        if (cfg.verify == verify_mode::require) {
          verify_error = make_error_code(errc::dane_mismatch);
          throw Botan::TLS::TLS_Exception(Botan::TLS::Alert::BAD_CERTIFICATE, verify.reason);
        }
        return;
      }
      // [DANE-3.2-01][DANE-3.1.1-01/02] a matched DANE-EE record authenticates the
      // server whatever the names and dates say.
      if (verify.dane->outcome == dane_outcome::authenticated) {
        verify.result_type = tlsrpt_result_type::none;
        verify.reason.clear();
        return;
      }
    }
    if (cfg.verify == verify_mode::require && !verify.pkix_ok()) {
      // [stack.md pitfall 5] refused certificates end the handshake with alert 42.
      verify_error = make_error_code(pkix_failure_code(verify));
      throw Botan::TLS::TLS_Exception(Botan::TLS::Alert::BAD_CERTIFICATE, verify.reason);
    }
  }

  // --- helpers ---------------------------------------------------------------------
  bool have_plain() const { return plain_off < plain.size(); }

  std::size_t take_plain(asio::mutable_buffer buf) {
    std::size_t const n = std::min(buf.size(), plain.size() - plain_off);
    std::memcpy(buf.data(), plain.data() + plain_off, n);
    plain_off += n;
    if (plain_off == plain.size()) {
      plain.clear();
      plain_off = 0;
    }
    return n;
  }

  // Feeds ciphertext to Botan; protocol errors become the sticky `fatal`.
  void feed(std::size_t n) {
    try {
      channel->received_data(rx.data(), n);
    } catch (Botan::TLS::TLS_Exception const& e) {
      set_fatal(verify_error ? verify_error : make_error_code(active ? errc::tls_error : errc::handshake_failed),
                e.what());
    } catch (std::exception const& e) {
      set_fatal(make_error_code(active ? errc::tls_error : errc::handshake_failed), e.what());
    }
    if (channel->is_closed() && !peer_closed && !fatal) set_fatal(make_error_code(errc::tls_error), "TLS channel closed");
  }

  void set_fatal(error_code ec, std::string detail) {
    active = false;
    if (fatal) return;
    fatal = ec;
    fatal_detail = std::move(detail);
  }

  error_code ready_error() const {
    if (fatal) return fatal;
    if (!active || local_closed) return make_error_code(errc::not_connected);
    return {};
  }

  asio::awaitable<error_code> flush_handshake() {
    while (!tx.empty()) {
      tx_inflight.swap(tx);
      auto [ec, n] = co_await asio::async_write(socket, asio::buffer(tx_inflight), use_tuple);
      (void)n;
      tx_inflight.clear();
      if (ec) co_return ec;
    }
    co_return error_code{};
  }

  asio::awaitable<result<handshake_info>> run_handshake() {
    for (;;) {
      if (auto ec = co_await flush_handshake()) {
        set_fatal(ec, "write during handshake");
        co_return make_error(ec, "write during handshake");
      }
      if (fatal) {
        error e = make_error(fatal, fatal_detail);
        if (fatal == make_error_code(errc::alert_received)) e.detail = "peer sent fatal alert " + alert_text;
        // [STS-4.2-01/02] the requirement behind a refused certificate.
        if (verify_error == make_error_code(errc::certificate_host_mismatch)) e.requirement = "STS-4.2-02";
        else if (verify_error == make_error_code(errc::dane_mismatch)) e.requirement = "DANE-3.2-02";
        else if (verify_error) e.requirement = "STS-4.2-01";
        co_return e;
      }
      if (active) break;
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(rx), use_tuple);
      if (ec) {
        if (ec == asio::error::eof || ec == asio::error::connection_reset) {
          set_fatal(make_error_code(errc::connection_closed), ec.message());
          co_return make_error(errc::connection_closed, ec.message());
        }
        set_fatal(ec, "read during handshake");
        co_return make_error(ec, "read during handshake");
      }
      feed(n);
    }
    handshake_info info;
    info.version = version;
    info.cipher = cipher;
    info.verify = verify;
    if (config().role == tls_role::client) {
      info.sni = config().sni;
      info.peer_chain_der = to_der(channel->peer_cert_chain());
    } else {
      info.sni = sni;
    }
    co_return info;
  }
};

tls_stream::tls_stream(tcp::socket socket, std::shared_ptr<tls_context const> context)
    : impl_(std::make_unique<impl>(std::move(socket), std::move(context))) {}
tls_stream::~tls_stream() = default;
tls_stream::tls_stream(tls_stream&&) noexcept = default;
tls_stream& tls_stream::operator=(tls_stream&&) noexcept = default;

tls_stream::executor_type tls_stream::get_executor() noexcept { return impl_->socket.get_executor(); }
tcp::socket& tls_stream::next_layer() noexcept { return impl_->socket; }
tls_context const& tls_stream::context() const noexcept { return *impl_->ctx; }
verify_result const& tls_stream::verification() const noexcept { return impl_->verify; }
bool tls_stream::is_established() const noexcept { return impl_->active && !impl_->fatal && !impl_->local_closed; }

asio::awaitable<result<handshake_info>> tls_stream::async_handshake() {
  impl& s = *impl_;
  if (s.channel) co_return make_error(errc::not_connected, "handshake already started");
  auto const& ctx = s.ctx->get();
  try {
    if (ctx.config.role == tls_role::client) {
      // [STS-7.1-01..03][DANE-8.1-01] SNI is the configured server name (the policy host,
      // the MX host name or the TLSA base domain, chosen by the caller).
      s.channel = std::make_unique<Botan::TLS::Client>(
          s, s.sessions, s.creds, *ctx.policy, Botan::system_rng(),
          Botan::TLS::Server_Information(ctx.config.sni), ctx.policy->latest_supported_version(false));
    } else {
      s.channel = std::make_unique<Botan::TLS::Server>(s, s.sessions, s.creds, *ctx.policy, Botan::system_rng());
    }
  } catch (std::exception const& e) {
    s.set_fatal(make_error_code(errc::config_invalid), e.what());
    co_return make_error(errc::config_invalid, e.what());
  }

  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(s.socket.get_executor());
  timer.expires_after(ctx.config.handshake_timeout);
  auto outcome = co_await (s.run_handshake() || timer.async_wait(use_tuple));
  if (outcome.index() == 1) {
    s.set_fatal(make_error_code(errc::handshake_timeout), "handshake timed out");
    co_return make_error(errc::handshake_timeout);
  }
  co_return std::get<0>(std::move(outcome));
}

asio::awaitable<void> tls_stream::async_shutdown() {
  impl& s = *impl_;
  if (!s.channel || !s.active || s.fatal || s.local_closed) co_return;
  s.local_closed = true;
  try {
    s.channel->close();
  } catch (std::exception const&) {
    co_return;
  }
  if (s.writing) co_return;  // the write in flight sends close_notify after its own data
  s.writing = true;
  (void)co_await s.flush_handshake();
  s.writing = false;
}

namespace {

// The read operation: hand out decrypted bytes; otherwise read ciphertext, feed Botan,
// flush whatever Botan wants sent (alerts, close_notify replies) if no write is in flight.
struct read_op {
  tls_stream::impl* s;
  asio::mutable_buffer buf;
  enum class state { start, reading, flushing, posted } st = state::start;
  bool went_async = false;
  error_code result_ec;
  std::size_t result_n = 0;

  template <class Self>
  void operator()(Self& self, error_code ec = {}, std::size_t n = 0) {
    switch (st) {
      case state::start:
        if (buf.size() == 0) return finish(self, {}, 0);
        break;
      case state::posted:
        return self.complete(result_ec, result_n);
      case state::reading:
        if (ec) {
          if (ec == asio::error::eof) {
            s->set_fatal(make_error_code(errc::stream_truncated), "transport closed without close_notify");
            return finish(self, s->fatal, 0);
          }
          if (ec != asio::error::operation_aborted) s->set_fatal(ec, ec.message());
          return finish(self, ec, 0);
        }
        s->feed(n);
        if (!s->tx.empty() && !s->writing) return start_flush(self);
        break;
      case state::flushing:
        s->tx_inflight.clear();
        if (ec) {
          s->writing = false;
          s->set_fatal(ec, ec.message());
          return finish(self, ec, 0);
        }
        if (!s->tx.empty()) return start_flush(self);
        s->writing = false;
        break;
    }
    // Deliver, report, or read more.
    if (s->have_plain()) return finish(self, {}, s->take_plain(buf));
    if (s->peer_closed) return finish(self, asio::error::eof, 0);
    if (auto e = s->ready_error()) return finish(self, e, 0);
    st = state::reading;
    went_async = true;
    s->socket.async_read_some(asio::buffer(s->rx), std::move(self));
  }

  template <class Self>
  void start_flush(Self& self) {
    st = state::flushing;
    went_async = true;
    s->writing = true;
    s->tx_inflight.swap(s->tx);
    asio::async_write(s->socket, asio::buffer(s->tx_inflight), std::move(self));
  }

  // Never complete inside the initiating call: post first.
  template <class Self>
  void finish(Self& self, error_code ec, std::size_t n) {
    if (went_async) return self.complete(ec, n);
    st = state::posted;
    result_ec = ec;
    result_n = n;
    asio::post(s->socket.get_executor(), std::move(self));
  }
};

// The write operation: encrypt, then write unless another write is in flight (which
// then also carries these records before it completes).
struct write_op {
  tls_stream::impl* s;
  asio::const_buffer buf;
  enum class state { start, writing, posted } st = state::start;
  std::size_t taken = 0;
  error_code result_ec;
  std::size_t result_n = 0;

  template <class Self>
  void operator()(Self& self, error_code ec = {}, std::size_t = 0) {
    switch (st) {
      case state::posted:
        return self.complete(result_ec, result_n);
      case state::start: {
        if (buf.size() == 0) return post_complete(self, {}, 0);
        if (auto e = s->ready_error()) return post_complete(self, e, 0);
        taken = std::min<std::size_t>(buf.size(), 64 * 1024);
        try {
          s->channel->send(static_cast<uint8_t const*>(buf.data()), taken);
        } catch (std::exception const& e) {
          s->set_fatal(make_error_code(errc::tls_error), e.what());
          return post_complete(self, s->fatal, 0);
        }
        if (s->writing) return post_complete(self, {}, taken);
        s->writing = true;
        return next(self);
      }
      case state::writing:
        s->tx_inflight.clear();
        if (ec) {
          s->writing = false;
          s->set_fatal(ec, ec.message());
          return self.complete(ec, 0);
        }
        if (!s->tx.empty()) return next(self);
        s->writing = false;
        return self.complete({}, taken);
    }
  }

  template <class Self>
  void next(Self& self) {
    st = state::writing;
    s->tx_inflight.swap(s->tx);
    asio::async_write(s->socket, asio::buffer(s->tx_inflight), std::move(self));
  }

  template <class Self>
  void post_complete(Self& self, error_code ec, std::size_t n) {
    st = state::posted;
    result_ec = ec;
    result_n = n;
    asio::post(s->socket.get_executor(), std::move(self));
  }
};

}  // namespace

void tls_stream::start_read(asio::mutable_buffer buf, asio::any_completion_handler<completion_signature> handler) {
  asio::async_compose<asio::any_completion_handler<completion_signature>, completion_signature>(
      read_op{impl_.get(), buf, read_op::state::start, false, {}, 0}, handler, impl_->socket);
}

void tls_stream::start_write(asio::const_buffer buf, asio::any_completion_handler<completion_signature> handler) {
  asio::async_compose<asio::any_completion_handler<completion_signature>, completion_signature>(
      write_op{impl_.get(), buf, write_op::state::start, 0, {}, 0}, handler, impl_->socket);
}

}  // namespace mxtls::net
