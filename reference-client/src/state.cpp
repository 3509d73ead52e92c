// The state directory: load, journal, and atomic merge-on-commit of the MTA-STS cache and
// the strict-tls pins (BAN-18, BAN-24, STS-3.3-11). POSIX I/O: open/flock/fsync/rename.
#include "mxtls/client/state.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mxtls::client {

namespace {

error fail(errc e, std::string detail) { return spec::make_parse_error(make_error_code(e), "", 0, std::move(detail)); }

std::string sys_error(std::string const& what, std::string const& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

/// The file's content; nullopt when it does not exist.
result<std::optional<std::string>> read_optional(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) return std::optional<std::string>{};
    return fail(errc::state_unreadable, sys_error("cannot read", path));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return fail(errc::state_unreadable, sys_error("cannot read", path));
  return std::optional<std::string>(ss.str());
}

/// An exclusive flock on <dir>/lock, released on destruction.
class dir_lock {
 public:
  static result<dir_lock> take(std::string const& dir) {
    std::string const path = dir + "/" + state_store::lock_file;
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return fail(errc::state_unreadable, sys_error("cannot open", path));
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      auto e = fail(errc::state_unreadable, sys_error("cannot lock", path));
      ::close(fd);
      return e;
    }
    return dir_lock(fd);
  }
  dir_lock(dir_lock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  dir_lock& operator=(dir_lock&&) = delete;
  ~dir_lock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the flock
  }

 private:
  explicit dir_lock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace

result<void> write_file_atomically(std::string const& path, std::string const& content) {
  auto const slash = path.rfind('/');
  std::string const dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  std::random_device rd;
  std::string const tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail(errc::state_write_failed, sys_error("cannot create", tmp));
  std::size_t done = 0;
  while (done < content.size()) {
    auto n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto e = fail(errc::state_write_failed, sys_error("cannot write", tmp));
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto e = fail(errc::state_write_failed, sys_error("cannot fsync", tmp));
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = fail(errc::state_write_failed, sys_error("cannot rename to", path));
    ::unlink(tmp.c_str());
    return e;
  }
  // The rename is durable only once the directory entry is.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

result<std::pair<sts_cache, spec::banner::pin_store>> load_state_files(std::string const& dir) {
  std::pair<sts_cache, spec::banner::pin_store> out;
  auto sts_text = read_optional(dir + "/" + state_store::sts_file);
  if (!sts_text) return sts_text.error();
  if (*sts_text) {
    auto c = sts_cache::deserialize(**sts_text);
    if (!c) {
      auto e = c.error();
      e.detail = std::string(state_store::sts_file) + ": " + e.detail;
      return e;
    }
    out.first = std::move(*c);
  }
  auto pins_text = read_optional(dir + "/" + state_store::pins_file);
  if (!pins_text) return pins_text.error();
  if (*pins_text) {
    auto p = spec::banner::pin_store::deserialize(**pins_text);
    if (!p) return fail(errc::state_invalid, std::string(state_store::pins_file) + ": " + p.error().message());
    out.second = std::move(*p);
  }
  return out;
}

result<state_store> state_store::open(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir.empty()) return fail(errc::state_unreadable, "empty state directory name");
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return fail(errc::state_unreadable, sys_error("cannot create", dir));
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return fail(errc::state_unreadable, dir + " is not a directory");
  auto lock = dir_lock::take(dir);
  if (!lock) return lock.error();
  auto loaded = load_state_files(dir);
  if (!loaded) return loaded.error();
  state_store s;
  s.dir_ = std::move(dir);
  s.sts_ = std::move(loaded->first);
  s.pins_ = std::move(loaded->second);
  return s;
}

void state_store::record(change c) {
  c(sts_, pins_);
  if (persistent()) journal_.push_back(std::move(c));
}

void state_store::sts_store(sts_entry e, unix_seconds now) {
  record([e = std::move(e), now](sts_cache& c, spec::banner::pin_store&) { c.store(e, now); });
}

void state_store::sts_erase(std::string const& domain) {
  record([domain](sts_cache& c, spec::banner::pin_store&) { c.erase(domain); });
}

void state_store::sts_failed_fetch(std::string const& domain, std::string const& id, unix_seconds now) {
  record([domain, id, now](sts_cache& c, spec::banner::pin_store&) { c.note_failed_fetch(domain, id, now); });
}

spec::banner::apply_outcome state_store::pin_apply(spec::banner::strict_tls_directive const& d,
                                                   std::string const& host, unix_seconds now) {
  // The outcome for the caller is the one against this process's view; the replay on
  // commit applies the same directive at the same time to whatever the file holds then.
  auto outcome = pins_.apply(d, host, now);
  if (persistent())
    journal_.push_back([d, host, now](sts_cache&, spec::banner::pin_store& p) { (void)p.apply(d, host, now); });
  return outcome;
}

result<void> state_store::commit() {
  if (!persistent() || journal_.empty()) return {};
  auto lock = dir_lock::take(dir_);
  if (!lock) return lock.error();
  auto loaded = load_state_files(dir_);
  if (!loaded) return loaded.error();
  auto& [sts, pins] = *loaded;
  for (auto const& c : journal_) c(sts, pins);
  if (auto r = write_file_atomically(dir_ + "/" + sts_file, sts.serialize()); !r) return r;
  if (auto r = write_file_atomically(dir_ + "/" + pins_file, pins.serialize()); !r) return r;
  journal_.clear();
  sts_ = std::move(sts);
  pins_ = std::move(pins);
  return {};
}

}  // namespace mxtls::client
