// Namespaces for the sender suite (see sandbox.hpp).
#include "runner/sandbox.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace mxtls::conformance::sandbox {

namespace {

std::string sys_error(std::string const& what) { return what + ": " + std::strerror(errno); }

bool write_proc(char const* path, std::string const& text) {
  int const fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  auto const n = ::write(fd, text.data(), text.size());
  ::close(fd);
  return n == static_cast<ssize_t>(text.size());
}

std::optional<std::string> loopback_up() {
  int const fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return sys_error("socket");
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  std::optional<std::string> err;
  if (::ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
    err = sys_error("SIOCGIFFLAGS lo");
  } else {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
    if (::ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) err = sys_error("SIOCSIFFLAGS lo");
  }
  ::close(fd);
  return err;
}

}  // namespace

std::optional<std::string> enter() {
  auto const uid = ::geteuid();
  auto const gid = ::getegid();
  int flags = CLONE_NEWNET | CLONE_NEWNS;
  if (uid != 0) flags |= CLONE_NEWUSER;  // unprivileged: become root of a user namespace
  if (::unshare(flags) != 0)
    return sys_error(uid == 0 ? "unshare(CLONE_NEWNET|CLONE_NEWNS)"
                              : "unshare(CLONE_NEWUSER|CLONE_NEWNET|CLONE_NEWNS) (run as root, or enable "
                                "unprivileged user namespaces)");
  if (uid != 0) {
    if (!write_proc("/proc/self/setgroups", "deny") ||
        !write_proc("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
        !write_proc("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1"))
      return sys_error("user namespace id maps");
  }
  // Mounts made from here on must not propagate back to the host's namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return sys_error("make / private");
  return loopback_up();
}

std::optional<std::string> bind_file(std::string const& source, std::string const& target) {
  std::error_code ec;
  auto const real = std::filesystem::canonical(target, ec);
  if (ec) return target + ": " + ec.message() + " (a file must exist there to be replaced in the namespace)";
  if (::mount(source.c_str(), real.c_str(), nullptr, MS_BIND, nullptr) != 0)
    return sys_error("bind " + source + " over " + real.string());
  return std::nullopt;
}

std::string system_ca_bundle() {
  for (char const* p : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"})
    if (std::filesystem::exists(p)) return p;
  return {};
}

}  // namespace mxtls::conformance::sandbox
