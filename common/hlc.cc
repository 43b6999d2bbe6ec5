#include "common/hlc.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace amana {

std::string format_hlc(HlcTime t) {
  const std::int64_t ms = hlc_millis(t);
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(ms % 1000));
  std::string out = buffer;
  if (hlc_counter(t) != 0) out += "+" + std::to_string(hlc_counter(t));
  return out;
}

std::string format_local(std::int64_t unix_ms, const char* format) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  char buffer[64];
  return std::string(buffer, std::strftime(buffer, sizeof buffer, format, &local));
}

WallClock system_wall_clock() {
  return [] {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  };
}

HybridClock::HybridClock(WallClock wall, HlcTime last) : wall_(std::move(wall)), last_(last) {}

HlcTime HybridClock::advance(std::int64_t wall_ms, HlcTime floor) {
  // The next stamp is the wall clock if that is ahead of everything seen; otherwise the
  // greatest stamp seen plus one tick of the logical counter. A full counter carries into
  // the millisecond field, which keeps stamps strictly increasing, up to kMaxHlc.
  const HlcTime from_wall = make_hlc(std::clamp<std::int64_t>(wall_ms, 0, hlc_millis(kMaxHlc)), 0);
  const HlcTime highest = std::min(std::max(last_, floor), kMaxHlc);
  last_ = from_wall > highest ? from_wall : next_hlc(highest);
  return last_;
}

HlcTime HybridClock::now() { return advance(wall_(), last_); }

HlcTime HybridClock::observe(HlcTime remote) { return advance(wall_(), remote); }

}  // namespace amana
