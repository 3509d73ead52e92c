// The run-time test PKI (see pki.hpp): certificates built field by field with
// X509_CA::make_cert, so a CN-only leaf really has no subjectAltName extension, and
// digests of the certificate and of the SubjectPublicKeyInfo for TLSA (DANE-3.1-03).
#include "mxtls/net/pki.hpp"

#include <botan/bigint.h>
#include <botan/ec_group.h>
#include <botan/ecdsa.h>
#include <botan/hash.h>
#include <botan/pk_keys.h>
#include <botan/pkcs8.h>
#include <botan/pkix_types.h>
#include <botan/pubkey.h>
#include <botan/system_rng.h>
#include <botan/x509_ca.h>
#include <botan/x509_ext.h>
#include <botan/x509cert.h>
#include <botan/x509_obj.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace mxtls::net::pki {

namespace {

using std::chrono::hours;

template <std::size_t N>
std::array<std::uint8_t, N> digest(char const* algo, std::vector<std::uint8_t> const& data) {
  auto h = Botan::HashFunction::create_or_throw(algo);
  auto const out = h->process(data);
  if (out.size() != N) throw std::runtime_error("unexpected digest size");
  std::array<std::uint8_t, N> a{};
  std::copy(out.begin(), out.end(), a.begin());
  return a;
}

std::unique_ptr<Botan::Private_Key> new_key() {
  // ECDSA P-256: a key and a signature take well under a millisecond.
  return std::make_unique<Botan::ECDSA_PrivateKey>(Botan::system_rng(), Botan::EC_Group("secp256r1"));
}

struct signer_ref {
  Botan::Private_Key const* key;
  Botan::X509_DN dn;
  std::vector<std::uint8_t> key_id;
};

Botan::X509_Certificate make_cert(signer_ref const& signer, Botan::Private_Key const& subject_key,
                                  std::string const& cn, std::vector<std::string> const& dns_names,
                                  time_point not_before, time_point not_after, bool is_ca) {
  auto& rng = Botan::system_rng();
  Botan::AlgorithmIdentifier sig_algo;
  auto pk_signer = Botan::X509_Object::choose_sig_format(sig_algo, *signer.key, rng, "SHA-256", "");

  Botan::X509_DN subject;
  subject.add_attribute("X520.CommonName", cn);
  subject.add_attribute("X520.Organization", "mxtls test PKI");

  auto const spki = subject_key.subject_public_key();
  auto const key_id = Botan::Cert_Extension::Subject_Key_ID(spki, "SHA-256").get_key_id();

  Botan::Extensions ext;
  ext.add(new Botan::Cert_Extension::Basic_Constraints(is_ca, is_ca ? 2 : 0), true);
  ext.add(new Botan::Cert_Extension::Key_Usage(
              is_ca ? Botan::Key_Constraints(Botan::KEY_CERT_SIGN | Botan::CRL_SIGN)
                    : Botan::Key_Constraints(Botan::DIGITAL_SIGNATURE)),
          true);
  if (!is_ca)
    ext.add(new Botan::Cert_Extension::Extended_Key_Usage(
        {Botan::OID::from_string("PKIX.ServerAuth"), Botan::OID::from_string("PKIX.ClientAuth")}));
  ext.add(new Botan::Cert_Extension::Subject_Key_ID(key_id));
  ext.add(new Botan::Cert_Extension::Authority_Key_ID(signer.key_id.empty() ? key_id : signer.key_id));
  if (!dns_names.empty()) {
    Botan::AlternativeName alt;
    for (auto const& d : dns_names) alt.add_attribute("DNS", d);
    ext.add(new Botan::Cert_Extension::Subject_Alternative_Name(alt));
  }

  Botan::BigInt serial(rng, 63);
  Botan::X509_DN const& issuer = signer.dn.empty() ? subject : signer.dn;
  return Botan::X509_CA::make_cert(pk_signer.get(), rng, serial, sig_algo, spki, Botan::X509_Time(not_before),
                                   Botan::X509_Time(not_after), issuer, subject, ext);
}

issued package(Botan::X509_Certificate const& cert, Botan::Private_Key const& key, std::string const& intermediates_pem) {
  issued out;
  out.cert_pem = cert.PEM_encode();
  out.key_pem = Botan::PKCS8::PEM_encode(key);
  out.chain_pem = out.cert_pem + intermediates_pem;
  out.cert_der = cert.BER_encode();
  out.spki_der = cert.subject_public_key_info();
  out.cert_sha256 = digest<32>("SHA-256", out.cert_der);
  out.spki_sha256 = digest<32>("SHA-256", out.spki_der);
  out.cert_sha512 = digest<64>("SHA-512", out.cert_der);
  out.spki_sha512 = digest<64>("SHA-512", out.spki_der);
  return out;
}

std::string pick_cn(cert_options const& o) {
  if (!o.common_name.empty()) return o.common_name;
  if (!o.dns_names.empty()) return o.dns_names.front();
  return "mxtls test";
}

time_point default_not_before() { return std::chrono::system_clock::now() - hours(1); }
time_point default_not_after() { return std::chrono::system_clock::now() + hours(24 * 30); }

}  // namespace

cert_options cert_options::valid(std::vector<std::string> names) {
  cert_options o;
  o.dns_names = std::move(names);
  return o;
}

cert_options cert_options::expired(std::vector<std::string> names) {
  cert_options o;
  o.dns_names = std::move(names);
  auto const now = std::chrono::system_clock::now();
  o.not_before = now - hours(24 * 30);
  o.not_after = now - hours(24);
  return o;
}

cert_options cert_options::not_yet_valid(std::vector<std::string> names) {
  cert_options o;
  o.dns_names = std::move(names);
  auto const now = std::chrono::system_clock::now();
  o.not_before = now + hours(24);
  o.not_after = now + hours(24 * 30);
  return o;
}

cert_options cert_options::cn_only(std::string cn) {
  cert_options o;
  o.common_name = std::move(cn);
  return o;
}

server_chain issued::as_server_chain(std::vector<std::string> sni_names) const {
  server_chain c;
  c.names = std::move(sni_names);
  c.chain_pem = chain_pem;
  c.key_pem = key_pem;
  return c;
}

result<void> issued::write(std::string const& dir, std::string const& basename) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return error{ec, {}, 0, "cannot create " + dir};
  auto put = [&](std::string const& name, std::string const& text) -> result<void> {
    auto const path = std::filesystem::path(dir) / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return error{std::make_error_code(std::errc::io_error), {}, 0, "cannot write " + path.string()};
    return {};
  };
  if (auto r = put(basename + ".crt", cert_pem); !r) return r;
  if (auto r = put(basename + ".key", key_pem); !r) return r;
  std::filesystem::permissions(std::filesystem::path(dir) / (basename + ".key"),
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace, ec);
  return put(basename + ".chain.pem", chain_pem);
}

struct authority::impl {
  std::unique_ptr<Botan::Private_Key> key;
  Botan::X509_Certificate cert;
  std::string intermediates_pem;  // this CA's cert if it is an intermediate, then its parents'
  std::string root_pem;
  issued self;
};

authority::authority(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
authority::authority(authority&&) noexcept = default;
authority& authority::operator=(authority&&) noexcept = default;
authority::~authority() = default;

authority authority::create_root(std::string name) {
  auto i = std::make_unique<impl>();
  i->key = new_key();
  auto const now = std::chrono::system_clock::now();
  i->cert = make_cert(signer_ref{i->key.get(), {}, {}}, *i->key, name, {}, now - hours(24 * 365),
                      now + hours(24 * 365 * 5), true);
  i->self = package(i->cert, *i->key, "");
  i->root_pem = i->self.cert_pem;
  return authority(std::move(i));
}

authority authority::create_intermediate(std::string name) const {
  auto i = std::make_unique<impl>();
  i->key = new_key();
  auto const now = std::chrono::system_clock::now();
  i->cert = make_cert(signer_ref{impl_->key.get(), impl_->cert.subject_dn(), impl_->cert.subject_key_id()}, *i->key,
                      name, {}, now - hours(24 * 365), now + hours(24 * 365 * 4), true);
  i->intermediates_pem = i->cert.PEM_encode() + impl_->intermediates_pem;
  i->self = package(i->cert, *i->key, impl_->intermediates_pem);
  i->root_pem = impl_->root_pem;
  return authority(std::move(i));
}

issued authority::issue(cert_options const& o) const {
  auto key = new_key();
  auto cert = make_cert(signer_ref{impl_->key.get(), impl_->cert.subject_dn(), impl_->cert.subject_key_id()}, *key,
                        pick_cn(o), o.dns_names, o.not_before.value_or(default_not_before()),
                        o.not_after.value_or(default_not_after()), false);
  return package(cert, *key, impl_->intermediates_pem);
}

issued const& authority::certificate() const noexcept { return impl_->self; }
std::string const& authority::root_pem() const noexcept { return impl_->root_pem; }

issued self_signed(cert_options const& o) {
  auto key = new_key();
  auto cert = make_cert(signer_ref{key.get(), {}, {}}, *key, pick_cn(o), o.dns_names,
                        o.not_before.value_or(default_not_before()), o.not_after.value_or(default_not_after()),
                        false);
  return package(cert, *key, "");
}

std::string to_hex(std::vector<std::uint8_t> const& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0x0f];
  }
  return out;
}

}  // namespace mxtls::net::pki
