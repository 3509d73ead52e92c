// Test helper: runs mxtls-serve as a child process on loopback with ephemeral ports
// (listen on port 0, ports read back from its log), and a tiny blocking socket client.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace mxtls::server::test {

inline std::string read_file(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A private directory removed at the end of the test.
struct temp_dir {
  std::string path;
  temp_dir() {
    std::string t = "/tmp/mxtls-serve-test-XXXXXX";
    if (::mkdtemp(t.data()) == nullptr) throw std::runtime_error("mkdtemp");
    path = t;
  }
  ~temp_dir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

class server_process {
 public:
  /// Starts `binary` with `args` plus --log-file; waits until both listeners are up.
  server_process(std::string const& binary, std::vector<std::string> args, std::string log_path)
      : log_(std::move(log_path)) {
    args.insert(args.begin(), binary);
    args.push_back("--log-file");
    args.push_back(log_);
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    auto const until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < until) {
      auto const text = read_file(log_);
      if (text.find("event=start ") != std::string::npos) {
        starttls_port = port_of(text, "listener=starttls");
        implicit_port = port_of(text, "listener=implicit");
        return;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("mxtls-serve exited at startup: " + text);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("mxtls-serve did not start");
  }
  ~server_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  server_process(server_process const&) = delete;
  server_process& operator=(server_process const&) = delete;

  /// Sends `sig` and waits for the exit status (or -1 after `limit`).
  int stop(int sig, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    auto const until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] std::string log() const { return read_file(log_); }

  /// Resident set size of the server in KiB (/proc/PID/status VmRSS).
  [[nodiscard]] long rss_kib() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
  }

  int starttls_port = 0;
  int implicit_port = 0;

 private:
  static int port_of(std::string const& log, std::string const& listener) {
    auto const at = log.find(listener);
    if (at == std::string::npos) return 0;
    auto const p = log.find("port=", at);
    return std::atoi(log.c_str() + p + 5);
  }
  std::string log_;
  pid_t pid_ = -1;
};

/// A blocking loopback client with receive deadlines.
class client {
 public:
  explicit client(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect");
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~client() {
    if (fd_ >= 0) ::close(fd_);
  }
  client(client&& o) noexcept : fd_(o.fd_), buf_(std::move(o.buf_)) { o.fd_ = -1; }
  client(client const&) = delete;

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      auto const n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  /// Reads until `needle` was received (returns everything up to and including the
  /// line holding it) or the deadline passes / the peer closes (returns what came).
  std::string read_until(std::string_view needle, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    auto const until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (auto at = buf_.find(needle); at != std::string::npos) {
        auto const eol = buf_.find("\r\n", at);
        auto const end = eol == std::string::npos ? buf_.size() : eol + 2;
        std::string out = buf_.substr(0, end);
        buf_.erase(0, end);
        return out;
      }
      if (!fill(until)) {
        std::string out = std::move(buf_);
        buf_.clear();
        return out;
      }
    }
  }
  /// Reads one complete reply (through the line "ddd " ...).
  std::string reply(std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    auto const until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      std::size_t start = 0;
      while (true) {
        auto const eol = buf_.find("\r\n", start);
        if (eol == std::string::npos) break;
        if (eol - start >= 4 && buf_[start + 3] == ' ') {
          std::string out = buf_.substr(0, eol + 2);
          buf_.erase(0, eol + 2);
          return out;
        }
        start = eol + 2;
      }
      if (!fill(until)) {
        std::string out = std::move(buf_);
        buf_.clear();
        return out;
      }
    }
  }
  /// True once the server closed the connection (EOF or reset) within `limit`.
  bool closed_within(std::chrono::milliseconds limit) {
    auto const until = std::chrono::steady_clock::now() + limit;
    while (fill(until)) buf_.clear();
    return eof_;
  }
  [[nodiscard]] int fd() const { return fd_; }

 private:
  bool fill(std::chrono::steady_clock::time_point until) {
    auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char tmp[8192];
    auto const n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  std::string buf_;
  bool eof_ = false;
};

}  // namespace mxtls::server::test
