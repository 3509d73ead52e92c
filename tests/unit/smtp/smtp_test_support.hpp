// Helpers for the SMTP unit tests: JSON vector access and the "parsegrind" drivers that
// feed the incremental reply parser and line reader an input split at every byte.
#pragma once

#include "mxtls/spec/smtp/errc.hpp"
#include "mxtls/spec/smtp/line_reader.hpp"
#include "mxtls/spec/smtp/reply.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace smtp_test {

namespace smtp = mxtls::spec::smtp;

/// The UTF-8 bytes of a JSON string.
inline std::string bytes(boost::json::value const& v) {
  auto const& s = v.as_string();
  return std::string(s.data(), s.size());
}

/// "errc enumerator name" of an error code from the smtp category.
inline std::string errc_name(boost::system::error_code const& ec) {
  if (ec.category() != smtp::smtp_category()) return "foreign:" + ec.message();
  return smtp::to_string(static_cast<smtp::errc>(ec.value()));
}

/// Everything observable about feeding one byte stream to a reply_parser.
struct reply_outcome {
  std::vector<smtp::reply> replies;
  std::vector<std::size_t> buffered_after_each;  ///< buffered() right after each reply
  std::size_t buffered = 0;                      ///< after the last chunk and drain
  std::size_t taken = 0;
  std::optional<mxtls::spec::parse_error> error;
};

inline bool same_result(reply_outcome const& a, reply_outcome const& b) {
  return a.replies == b.replies && a.buffered == b.buffered && a.taken == b.taken && a.error == b.error;
}

inline std::ostream& operator<<(std::ostream& os, reply_outcome const& o) {
  os << o.replies.size() << " replies, buffered " << o.buffered << ", taken " << o.taken;
  if (o.error) os << ", error " << errc_name(o.error->code) << " " << o.error->requirement << " @" << o.error->offset;
  return os;
}

/// Feeds `chunks` in order, pulling every available reply after each feed.
inline reply_outcome run_reply_parser(std::vector<std::string_view> const& chunks, smtp::reply_limits limits = {}) {
  smtp::reply_parser p(limits);
  reply_outcome out;
  auto drain = [&] {
    while (true) {
      auto r = p.next();
      if (!r) {
        out.error = r.error();
        return false;
      }
      if (!*r) return true;
      out.replies.push_back(std::move(**r));
      out.buffered_after_each.push_back(p.buffered());
    }
  };
  for (auto chunk : chunks) {
    std::size_t const n = p.feed(chunk);
    bool const ok = drain();
    if (!ok || n < chunk.size()) {
      EXPECT_TRUE(p.failed());
      break;
    }
  }
  out.buffered = p.buffered();
  out.taken = p.bytes_taken();
  return out;
}

/// Runs the whole input, then every two-way split and a byte-by-byte feed, and expects
/// each of them to give the same replies, error and buffered count as the whole input.
inline reply_outcome grind_reply_parser(std::string_view input, smtp::reply_limits limits = {}) {
  reply_outcome const whole = run_reply_parser({input}, limits);
  for (std::size_t i = 0; i <= input.size(); ++i) {
    auto const split = run_reply_parser({input.substr(0, i), input.substr(i)}, limits);
    EXPECT_TRUE(same_result(whole, split)) << "split at " << i << ": " << split << " vs whole " << whole;
  }
  std::vector<std::string_view> singles;
  for (std::size_t i = 0; i < input.size(); ++i) singles.push_back(input.substr(i, 1));
  auto const bytewise = run_reply_parser(singles, limits);
  EXPECT_TRUE(same_result(whole, bytewise)) << "byte by byte: " << bytewise << " vs whole " << whole;
  return whole;
}

/// One event of a line_reader: a line, or an error.
struct line_event {
  std::optional<std::string> line;
  std::optional<mxtls::spec::parse_error> error;
  friend bool operator==(line_event const&, line_event const&) = default;
};

inline std::ostream& operator<<(std::ostream& os, line_event const& e) {
  if (e.line) return os << "line(" << e.line->size() << " octets: " << e.line->substr(0, 40) << ")";
  return os << "error(" << errc_name(e.error->code) << " " << e.error->requirement << " @" << e.error->offset << ")";
}

struct line_outcome {
  std::vector<line_event> events;
  std::size_t buffered = 0;
  std::size_t taken = 0;
  friend bool operator==(line_outcome const&, line_outcome const&) = default;
};

inline std::ostream& operator<<(std::ostream& os, line_outcome const& o) {
  os << "[";
  for (auto const& e : o.events) os << e << " ";
  return os << "] buffered " << o.buffered << " taken " << o.taken;
}

/// Feeds `chunks` as a server would: a line "DATA" switches to data mode, the line "."
/// in data mode back to command mode. Drains after every feed; re-feeds what the buffer
/// did not take.
inline line_outcome run_line_reader(std::vector<std::string_view> const& chunks, smtp::line_limits limits = {}) {
  smtp::line_reader r(limits);
  line_outcome out;
  auto drain = [&] {
    while (true) {
      auto l = r.next();
      if (!l) {
        out.events.push_back(line_event{std::nullopt, l.error()});
        continue;
      }
      if (!*l) return;
      if (r.mode() == smtp::line_mode::command && **l == "DATA") r.set_mode(smtp::line_mode::data);
      else if (r.mode() == smtp::line_mode::data && **l == ".") r.set_mode(smtp::line_mode::command);
      out.events.push_back(line_event{std::move(**l), std::nullopt});
    }
  };
  for (auto chunk : chunks) {
    while (true) {
      std::size_t const n = r.feed(chunk);
      chunk.remove_prefix(n);
      drain();
      if (chunk.empty()) break;
      if (n == 0 && r.buffered() >= r.limits().max_buffer) {
        ADD_FAILURE() << "line_reader made no progress";
        break;
      }
    }
  }
  out.buffered = r.buffered();
  out.taken = r.bytes_taken();
  return out;
}

inline line_outcome grind_line_reader(std::string_view input, smtp::line_limits limits = {}) {
  line_outcome const whole = run_line_reader({input}, limits);
  for (std::size_t i = 0; i <= input.size(); ++i) {
    auto const split = run_line_reader({input.substr(0, i), input.substr(i)}, limits);
    EXPECT_EQ(whole, split) << "split at " << i;
  }
  std::vector<std::string_view> singles;
  for (std::size_t i = 0; i < input.size(); ++i) singles.push_back(input.substr(i, 1));
  EXPECT_EQ(whole, run_line_reader(singles, limits)) << "byte by byte";
  return whole;
}

}  // namespace smtp_test
