// Hybrid logical clock (HLC): timestamps that follow wall-clock time where clocks agree
// and never go backwards where they do not.
//
// Merge is last-writer-wins by (HLC time, device id), so every write needs a stamp that is
// (1) strictly greater than every stamp this device has issued or seen, and (2) close to
// real time so that "last" means what people expect. A device whose clock is days off
// still orders correctly after it has seen another device's stamps.
//
// Layout of the 64 bits: the upper 48 are unix milliseconds (enough until the year
// 10889), the lower 16 a logical counter for events within one millisecond.
//
// Thread safety: a HybridClock is used from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace amana {

enum class HlcTime : std::uint64_t {};

inline constexpr int kHlcCounterBits = 16;

// The greatest stamp anything keeps. The central store writes stamps as SQLite integers,
// which are signed 64 bits: a stamp past this would read back negative and sort first.
inline constexpr HlcTime kMaxHlc = HlcTime(0x7fff'ffff'ffff'ffffULL);

// How far ahead of the receiver's clock a stamp may be and still be taken in: a server
// refuses a write stamped later than its own clock plus this, and a device will not
// apply a pulled one later than its clock plus this (docs/security.md).
//  - Devices in the field often have wrong clocks. The common large error is a laptop
//    showing the right local time under the wrong time zone: off by up to 14 hours
//    (UTC+14 is the farthest zone from UTC); an hour more covers drift and a missed
//    daylight-saving change. A device that is further ahead has its writes refused and
//    kept aside until its clock is put right; one that is behind is never refused (HLC
//    orders it correctly once it has seen other stamps).
//  - A forged future stamp wins every later edit of its field until real time passes
//    it, and drags every clock that observes it forward: the bound caps both at 15 h.
inline constexpr std::int64_t kMaxClockAheadMs = 15LL * 60 * 60 * 1000;

inline constexpr HlcTime make_hlc(std::int64_t unix_ms, std::uint16_t counter) {
  return HlcTime((static_cast<std::uint64_t>(unix_ms) << kHlcCounterBits) | counter);
}
inline constexpr std::int64_t hlc_millis(HlcTime t) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(t) >> kHlcCounterBits);
}
inline constexpr std::uint16_t hlc_counter(HlcTime t) {
  return static_cast<std::uint16_t>(static_cast<std::uint64_t>(t) & 0xffff);
}

// The stamp just after `t`, saturating at kMaxHlc so that stamp arithmetic never wraps
// (a stamp forged at the end of time must not make the next one the smallest).
inline constexpr HlcTime next_hlc(HlcTime t) {
  return t >= kMaxHlc ? kMaxHlc : HlcTime(static_cast<std::uint64_t>(t) + 1);
}

// The latest stamp a receiver whose clock reads `now_ms` takes in (see kMaxClockAheadMs).
inline constexpr HlcTime latest_acceptable_hlc(std::int64_t now_ms) {
  const std::int64_t limit_ms = now_ms < 0 ? kMaxClockAheadMs : now_ms + kMaxClockAheadMs;
  if (limit_ms >= hlc_millis(kMaxHlc)) return kMaxHlc;
  return make_hlc(limit_ms, 0xffff);
}
inline constexpr bool beyond_clock_bound(HlcTime stamp, std::int64_t now_ms) {
  return stamp > latest_acceptable_hlc(now_ms);
}

// "2026-11-22T10:15:30.123Z+2" (the logical counter after '+', omitted when zero).
std::string format_hlc(HlcTime t);

// `unix_ms` in the device's local time zone, formatted with strftime's `format`.
std::string format_local(std::int64_t unix_ms, const char* format);
// The local calendar date of `unix_ms` as YYYY-MM-DD: what today() means in a form.
inline std::string local_date(std::int64_t unix_ms) { return format_local(unix_ms, "%Y-%m-%d"); }

// Milliseconds since the Unix epoch; injectable so tests can skew and freeze time.
using WallClock = std::function<std::int64_t()>;
WallClock system_wall_clock();

class HybridClock {
 public:
  // `last` is the greatest stamp issued or seen before (persisted by the owner), so that
  // a restart with a clock set backwards still moves forward.
  explicit HybridClock(WallClock wall, HlcTime last = HlcTime{0});

  // A stamp for a local event: greater than every stamp before it (or kMaxHlc again once
  // a stamp at kMaxHlc has been seen: stamps saturate rather than wrap).
  HlcTime now();
  // Takes in a stamp received from elsewhere, so that later local stamps exceed it.
  // Returns the new local time.
  HlcTime observe(HlcTime remote);

  HlcTime last() const { return last_; }

 private:
  HlcTime advance(std::int64_t wall_ms, HlcTime floor);
  WallClock wall_;
  HlcTime last_;
};

}  // namespace amana
