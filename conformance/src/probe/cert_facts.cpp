// Bounded DER walk over X.509 certificates (RFC 5280 §4.1), FIPS 180-4 SHA-256/SHA-512,
// and TLSA association matching (DANE-3.1-03, DANE-3.1-04, DANE-3.1.1-01, DANE-3.1.2-01).
#include "probe/cert_facts.hpp"

#include <cstring>

namespace mxtls::conformance::probe {

namespace {

using bytes = std::span<std::uint8_t const>;

// One DER element: tag, content, and the whole encoding (header + content).
struct tlv {
  std::uint8_t tag = 0;
  bytes content;
  bytes whole;
};

// Reads one element at the start of `in`; advances `in` past it. Definite lengths only
// (DER), at most 4 length octets; nullopt on any truncation.
std::optional<tlv> next(bytes& in) {
  if (in.size() < 2) return std::nullopt;
  std::uint8_t const tag = in[0];
  if ((tag & 0x1f) == 0x1f) return std::nullopt;  // high tag numbers never occur here
  std::size_t len = in[1];
  std::size_t header = 2;
  if (len & 0x80) {
    std::size_t const n = len & 0x7f;
    if (n == 0 || n > 4 || in.size() < 2 + n) return std::nullopt;
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = (len << 8) | in[2 + i];
    header += n;
  }
  if (in.size() - header < len) return std::nullopt;
  tlv out{tag, in.subspan(header, len), in.subspan(0, header + len)};
  in = in.subspan(header + len);
  return out;
}

std::optional<tlv> expect(bytes& in, std::uint8_t tag) {
  auto t = next(in);
  if (!t || t->tag != tag) return std::nullopt;
  return t;
}

bool oid_is(bytes oid, std::initializer_list<std::uint8_t> want) {
  return oid.size() == want.size() && std::equal(oid.begin(), oid.end(), want.begin());
}

std::string oid_text(bytes oid) {
  if (oid.empty()) return "?";
  std::string out = std::to_string(oid[0] / 40) + "." + std::to_string(oid[0] % 40);
  std::uint64_t v = 0;
  for (std::size_t i = 1; i < oid.size(); ++i) {
    v = (v << 7) | (oid[i] & 0x7f);
    if (!(oid[i] & 0x80)) {
      out += "." + std::to_string(v);
      v = 0;
    }
  }
  return out;
}

std::string attribute_name(bytes oid) {
  if (oid_is(oid, {0x55, 0x04, 0x03})) return "CN";
  if (oid_is(oid, {0x55, 0x04, 0x06})) return "C";
  if (oid_is(oid, {0x55, 0x04, 0x07})) return "L";
  if (oid_is(oid, {0x55, 0x04, 0x08})) return "ST";
  if (oid_is(oid, {0x55, 0x04, 0x0a})) return "O";
  if (oid_is(oid, {0x55, 0x04, 0x0b})) return "OU";
  if (oid_is(oid, {0x55, 0x04, 0x05})) return "serialNumber";
  return oid_text(oid);
}

std::string text_of(bytes b) { return std::string(reinterpret_cast<char const*>(b.data()), b.size()); }

// Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue).
std::optional<std::string> name_text(bytes name) {
  std::string out;
  while (!name.empty()) {
    auto rdn = expect(name, 0x31);
    if (!rdn) return std::nullopt;
    bytes atvs = rdn->content;
    while (!atvs.empty()) {
      auto atv = expect(atvs, 0x30);
      if (!atv) return std::nullopt;
      bytes inner = atv->content;
      auto oid = expect(inner, 0x06);
      auto value = next(inner);
      if (!oid || !value) return std::nullopt;
      if (!out.empty()) out += ", ";
      out += attribute_name(oid->content) + "=" + text_of(value->content);
    }
  }
  return out;
}

// Extensions ::= SEQUENCE OF Extension; collects SAN dNSName values (2.5.29.17, [2]).
bool read_san(bytes extensions, std::vector<std::string>& dns_names) {
  auto seq = expect(extensions, 0x30);
  if (!seq) return false;
  bytes list = seq->content;
  while (!list.empty()) {
    auto ext = expect(list, 0x30);
    if (!ext) return false;
    bytes inner = ext->content;
    auto oid = expect(inner, 0x06);
    if (!oid) return false;
    auto value = next(inner);
    if (value && value->tag == 0x01) value = next(inner);  // critical BOOLEAN
    if (!value || value->tag != 0x04) return false;
    if (!oid_is(oid->content, {0x55, 0x1d, 0x11})) continue;
    bytes v = value->content;
    auto names = expect(v, 0x30);
    if (!names) return false;
    bytes general = names->content;
    while (!general.empty()) {
      auto gn = next(general);
      if (!gn) return false;
      if (gn->tag == 0x82) dns_names.push_back(text_of(gn->content));
    }
  }
  return true;
}

// ---- SHA-2 (FIPS 180-4) ----

constexpr std::uint32_t k256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::uint64_t k512[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
    0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
    0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
    0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
    0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
    0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
    0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
    0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
    0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
    0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817};

template <class W>
constexpr W rotr(W x, unsigned n) {
  return static_cast<W>((x >> n) | (x << (sizeof(W) * 8 - n)));
}

// Generic Merkle–Damgård driver: BlockBytes 64 (SHA-256) or 128 (SHA-512).
template <class W, std::size_t BlockBytes, class Compress>
void md_hash(bytes data, W (&state)[8], Compress compress) {
  std::uint8_t block[BlockBytes];
  std::size_t i = 0;
  for (; i + BlockBytes <= data.size(); i += BlockBytes) compress(state, data.data() + i);
  std::size_t const rest = data.size() - i;
  std::memset(block, 0, BlockBytes);
  if (rest) std::memcpy(block, data.data() + i, rest);
  block[rest] = 0x80;
  constexpr std::size_t len_bytes = BlockBytes / 8;  // 8 for SHA-256, 16 for SHA-512
  if (rest + 1 > BlockBytes - len_bytes) {
    compress(state, block);
    std::memset(block, 0, BlockBytes);
  }
  std::uint64_t const bits = static_cast<std::uint64_t>(data.size()) * 8;
  for (std::size_t b = 0; b < 8; ++b) block[BlockBytes - 1 - b] = static_cast<std::uint8_t>(bits >> (8 * b));
  compress(state, block);
}

void compress256(std::uint32_t (&h)[8], std::uint8_t const* p) {
  std::uint32_t w[64];
  for (int t = 0; t < 16; ++t)
    w[t] = (std::uint32_t{p[4 * t]} << 24) | (std::uint32_t{p[4 * t + 1]} << 16) | (std::uint32_t{p[4 * t + 2]} << 8) |
           std::uint32_t{p[4 * t + 3]};
  for (int t = 16; t < 64; ++t) {
    std::uint32_t const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    std::uint32_t const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int t = 0; t < 64; ++t) {
    std::uint32_t const t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k256[t] + w[t];
    std::uint32_t const t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

void compress512(std::uint64_t (&h)[8], std::uint8_t const* p) {
  std::uint64_t w[80];
  for (int t = 0; t < 16; ++t) {
    std::uint64_t v = 0;
    for (int b = 0; b < 8; ++b) v = (v << 8) | p[8 * t + b];
    w[t] = v;
  }
  for (int t = 16; t < 80; ++t) {
    std::uint64_t const s0 = rotr(w[t - 15], 1) ^ rotr(w[t - 15], 8) ^ (w[t - 15] >> 7);
    std::uint64_t const s1 = rotr(w[t - 2], 19) ^ rotr(w[t - 2], 61) ^ (w[t - 2] >> 6);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  std::uint64_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int t = 0; t < 80; ++t) {
    std::uint64_t const t1 = hh + (rotr(e, 14) ^ rotr(e, 18) ^ rotr(e, 41)) + ((e & f) ^ (~e & g)) + k512[t] + w[t];
    std::uint64_t const t2 = (rotr(a, 28) ^ rotr(a, 34) ^ rotr(a, 39)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

}  // namespace

std::optional<cert_facts> read_cert_facts(std::span<std::uint8_t const> der) {
  bytes in = der;
  auto cert = expect(in, 0x30);
  if (!cert) return std::nullopt;
  bytes c = cert->content;
  auto tbs = expect(c, 0x30);
  if (!tbs) return std::nullopt;
  bytes t = tbs->content;
  auto first = next(t);
  if (!first) return std::nullopt;
  if (first->tag == 0xa0) first = next(t);  // [0] EXPLICIT version; then the serial
  if (!first || first->tag != 0x02) return std::nullopt;
  auto sig_alg = expect(t, 0x30);
  auto issuer = expect(t, 0x30);
  auto validity = expect(t, 0x30);
  auto subject = expect(t, 0x30);
  auto spki = expect(t, 0x30);
  if (!sig_alg || !issuer || !validity || !subject || !spki) return std::nullopt;

  cert_facts out;
  auto issuer_text = name_text(issuer->content);
  auto subject_text = name_text(subject->content);
  if (!issuer_text || !subject_text) return std::nullopt;
  out.issuer = std::move(*issuer_text);
  out.subject = std::move(*subject_text);
  bytes v = validity->content;
  auto nb = next(v);
  auto na = next(v);
  if (!nb || !na) return std::nullopt;
  out.not_before = text_of(nb->content);
  out.not_after = text_of(na->content);
  out.spki_der.assign(spki->whole.begin(), spki->whole.end());
  // Optional issuerUniqueID [1], subjectUniqueID [2], extensions [3].
  while (!t.empty()) {
    auto opt = next(t);
    if (!opt) return std::nullopt;
    if (opt->tag == 0xa3 && !read_san(opt->content, out.dns_names)) return std::nullopt;
  }
  return out;
}

std::string describe(cert_facts const& f) {
  std::string san;
  for (auto const& n : f.dns_names) san += (san.empty() ? "" : ",") + n;
  return "subject=\"" + f.subject + "\" issuer=\"" + f.issuer + "\" SAN=" + (san.empty() ? "(none)" : san) +
         " notBefore=" + f.not_before + " notAfter=" + f.not_after;
}

std::array<std::uint8_t, 32> sha256(std::span<std::uint8_t const> data) {
  std::uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  md_hash<std::uint32_t, 64>(data, h, compress256);
  std::array<std::uint8_t, 32> out{};
  for (std::size_t i = 0; i < 8; ++i)
    for (std::size_t b = 0; b < 4; ++b) out[4 * i + b] = static_cast<std::uint8_t>(h[i] >> (24 - 8 * b));
  return out;
}

std::array<std::uint8_t, 64> sha512(std::span<std::uint8_t const> data) {
  std::uint64_t h[8] = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
                        0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
  md_hash<std::uint64_t, 128>(data, h, compress512);
  std::array<std::uint8_t, 64> out{};
  for (std::size_t i = 0; i < 8; ++i)
    for (std::size_t b = 0; b < 8; ++b) out[8 * i + b] = static_cast<std::uint8_t>(h[i] >> (56 - 8 * b));
  return out;
}

std::string hex(std::span<std::uint8_t const> data) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (auto b : data) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

std::optional<std::size_t> tlsa_match(spec::dane::tlsa_record const& record, std::vector<der_bytes> const& chain) {
  using namespace spec::dane;
  if (usability(record) != tlsa_usability::usable) return std::nullopt;
  auto matches = [&](der_bytes const& cert) {
    der_bytes selected;
    if (record.selector == tlsa_selector::cert) {
      selected = cert;
    } else {
      auto facts = read_cert_facts(cert);
      if (!facts) return false;
      selected = std::move(facts->spki_der);
    }
    switch (record.matching) {
      case tlsa_matching::full: return selected == record.data;
      case tlsa_matching::sha256: {
        auto d = sha256(selected);
        return std::equal(d.begin(), d.end(), record.data.begin(), record.data.end());
      }
      case tlsa_matching::sha512: {
        auto d = sha512(selected);
        return std::equal(d.begin(), d.end(), record.data.begin(), record.data.end());
      }
    }
    return false;
  };
  if (record.usage == tlsa_usage::dane_ee) {
    if (!chain.empty() && matches(chain.front())) return std::size_t{0};
    return std::nullopt;
  }
  for (std::size_t i = 1; i < chain.size(); ++i)
    if (matches(chain[i])) return i;
  return std::nullopt;
}

}  // namespace mxtls::conformance::probe
