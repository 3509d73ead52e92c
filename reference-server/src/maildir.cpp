// Durable Maildir delivery: tmp/ → fsync → rename into new/ → fsync new/ (the 250 comes
// only after all four). Content is stored with LF line ends, as Maildir readers expect.
#include "maildir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace mxtls::server {
namespace {

std::error_code last_error() { return {errno, std::generic_category()}; }

// Keeps trace text a safe comment/atom: printable ASCII without parentheses or backslash.
std::string sanitize(std::string const& s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto const c = static_cast<unsigned char>(ch);
    out += (c > 0x20 && c < 0x7f && ch != '(' && ch != ')' && ch != '\\') ? ch : '_';
  }
  return out.empty() ? std::string("unknown") : out;
}

void mkdir_if_missing(std::string const& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    throw std::system_error(last_error(), "mkdir " + path);
}

bool write_all(int fd, char const* p, std::size_t n) {
  while (n > 0) {
    auto const w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

}  // namespace

std::string rfc5322_date(std::time_t when) {
  std::tm tm{};
  ::gmtime_r(&when, &tm);
  std::array<char, 64> buf{};
  auto const n = std::strftime(buf.data(), buf.size(), "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return std::string(buf.data(), n);
}

std::string received_header(envelope const& e, std::string const& hostname, std::time_t when) {
  std::string h = "Received: from " + sanitize(e.helo) + " ([" + sanitize(e.peer_address) + "])\r\n";
  if (e.tls)
    h += "\t(using " + sanitize(e.tls_info.version) + " with cipher " + sanitize(e.tls_info.cipher) +
         (e.tls_info.sni.empty() ? std::string() : " sni " + sanitize(e.tls_info.sni)) + ")\r\n";
  h += "\tby " + hostname + " (mxtls-serve) with " + with_keyword(e.with) + " id " + sanitize(e.session_id) +
       "\r\n";
  if (e.recipients.size() == 1) h += "\tfor <" + sanitize(e.recipients.front()) + ">";
  else h += "\t";
  h += (e.recipients.size() == 1 ? "; " : "") + rfc5322_date(when) + "\r\n";
  return h;
}

maildir::maildir(std::string root, std::string hostname, bool durable)
    : root_(std::move(root)), hostname_(std::move(hostname)), durable_(durable) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  mkdir_if_missing(root_);
  mkdir_if_missing(root_ + "/tmp");
  mkdir_if_missing(root_ + "/new");
  mkdir_if_missing(root_ + "/cur");
  new_dir_fd_ = ::open((root_ + "/new").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (new_dir_fd_ < 0) throw std::system_error(last_error(), "open " + root_ + "/new");
  // Maildir names must not contain '/' or ':'.
  for (char& ch : hostname_)
    if (ch == '/' || ch == ':') ch = '_';
}

maildir::~maildir() {
  if (new_dir_fd_ >= 0) ::close(new_dir_fd_);
}

std::string maildir::unique_name() {
  timeval tv{};
  ::gettimeofday(&tv, nullptr);
  auto const n = counter_.fetch_add(1, std::memory_order_relaxed);
  return std::to_string(tv.tv_sec) + ".M" + std::to_string(tv.tv_usec) + "P" + std::to_string(::getpid()) +
         "Q" + std::to_string(n) + "." + hostname_;
}

boost::system::result<std::string> maildir::deliver(envelope const& e) {
  auto const name = unique_name();
  auto const tmp_path = root_ + "/tmp/" + name;
  auto const new_path = root_ + "/new/" + name;

  std::string text;
  text.reserve(e.content.size() + 512);
  // CRLF → LF (Maildir convention); a lone CR stays.
  auto append_lf = [&text](std::string const& part) {
    for (std::size_t i = 0; i < part.size(); ++i) {
      if (part[i] == '\r' && i + 1 < part.size() && part[i + 1] == '\n') continue;
      text += part[i];
    }
  };
  append_lf("Return-Path: <" + e.mail_from + ">\r\n" + received_header(e, hostname_, ::time(nullptr)));
  append_lf(e.content);

  int const fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return boost::system::error_code(last_error());
  bool ok = write_all(fd, text.data(), text.size());
  if (ok && durable_) ok = ::fsync(fd) == 0;
  auto const err = last_error();
  if (::close(fd) != 0 && ok) ok = false;
  if (!ok) {
    ::unlink(tmp_path.c_str());
    return boost::system::error_code(err);
  }
  if (::rename(tmp_path.c_str(), new_path.c_str()) != 0) {
    auto const rerr = last_error();
    ::unlink(tmp_path.c_str());
    return boost::system::error_code(rerr);
  }
  // The rename is durable only once the directory entry is on disk.
  if (durable_ && ::fsync(new_dir_fd_) != 0) return boost::system::error_code(last_error());
  return name;
}

}  // namespace mxtls::server
