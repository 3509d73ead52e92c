// key=value event log lines with a UTC millisecond timestamp.
#include "log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <ctime>
#include <stdexcept>

namespace mxtls::server {

std::string log_value(std::string_view v) {
  bool bare = !v.empty();
  for (char ch : v) {
    auto const c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || ch == '"' || ch == '\\' || ch == '=') bare = false;
  }
  if (bare) return std::string(v);
  std::string out = "\"";
  for (char ch : v) {
    auto const c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

logger::logger(std::string const& path) {
  if (!path.empty()) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd_ < 0) throw std::runtime_error(path + ": cannot open the log file");
    owned_ = true;
  }
}

logger::~logger() {
  if (owned_) ::close(fd_);
}

void logger::write(std::string_view sid, std::string_view fields) {
  auto const now = std::chrono::system_clock::now();
  auto const secs = std::chrono::system_clock::to_time_t(now);
  auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  std::array<char, 48> ts{};
  auto const n = std::strftime(ts.data(), ts.size(), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string line = "ts=";
  line.append(ts.data(), n);
  line += '.';
  line += static_cast<char>('0' + ms / 100);
  line += static_cast<char>('0' + ms / 10 % 10);
  line += static_cast<char>('0' + ms % 10);
  line += 'Z';
  if (!sid.empty()) {
    line += " sid=";
    line += sid;
  }
  line += ' ';
  line += fields;
  line += '\n';
  std::lock_guard lock(mu_);
  std::string_view rest(line);
  while (!rest.empty()) {
    auto const w = ::write(fd_, rest.data(), rest.size());
    if (w <= 0) return;  // a full disk must not stop mail; nothing better to do here
    rest.remove_prefix(static_cast<std::size_t>(w));
  }
}

}  // namespace mxtls::server
