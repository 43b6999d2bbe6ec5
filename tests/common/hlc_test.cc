#include "common/hlc.h"

#include <doctest/doctest.h>

using namespace amana;

TEST_CASE("HLC stamps strictly increase while the wall clock stands still") {
  std::int64_t wall = 1'700'000'000'000;
  HybridClock clock([&] { return wall; });
  HlcTime previous = clock.now();
  for (int i = 0; i < 1000; ++i) {
    const HlcTime next = clock.now();
    CHECK(next > previous);
    CHECK(hlc_millis(next) == wall);
    previous = next;
  }
  CHECK(hlc_counter(previous) == 1000);
}

TEST_CASE("HLC follows the wall clock when it moves ahead") {
  std::int64_t wall = 1'700'000'000'000;
  HybridClock clock([&] { return wall; });
  clock.now();
  clock.now();
  wall += 5;
  const HlcTime t = clock.now();
  CHECK(hlc_millis(t) == wall);
  CHECK(hlc_counter(t) == 0);
}

TEST_CASE("HLC keeps moving forward when the wall clock goes back") {
  std::int64_t wall = 1'700'000'000'000;
  HybridClock clock([&] { return wall; });
  const HlcTime before = clock.now();
  wall -= 86'400'000;  // a day back: the device's clock was reset
  const HlcTime after = clock.now();
  CHECK(after > before);
  CHECK(hlc_millis(after) == hlc_millis(before));
}

TEST_CASE("a restarted clock resumes above its persisted high-water mark") {
  const HlcTime persisted = make_hlc(1'800'000'000'000, 7);
  HybridClock clock([] { return std::int64_t{1'700'000'000'000}; }, persisted);
  CHECK(clock.now() > persisted);
}

TEST_CASE("observing a remote stamp from a device days ahead orders later local writes after it") {
  std::int64_t wall = 1'700'000'000'000;
  HybridClock clock([&] { return wall; });
  const HlcTime remote = make_hlc(wall + 3 * 86'400'000, 42);
  const HlcTime seen = clock.observe(remote);
  CHECK(seen > remote);
  CHECK(clock.now() > seen);
  // An older remote stamp does not pull the clock back.
  const HlcTime current = clock.last();
  CHECK(clock.observe(make_hlc(wall - 1000, 0)) > current);
}

TEST_CASE("a full logical counter carries into the millisecond field") {
  const std::int64_t wall = 1'700'000'000'000;
  HybridClock clock([&] { return wall; }, make_hlc(wall, 0xffff));
  const HlcTime t = clock.now();
  CHECK(hlc_millis(t) == wall + 1);
  CHECK(hlc_counter(t) == 0);
}

TEST_CASE("format_hlc prints UTC time with the counter") {
  CHECK(format_hlc(make_hlc(0, 0)) == "1970-01-01T00:00:00.000Z");
  CHECK(format_hlc(make_hlc(1'700'000'000'123, 2)) == "2023-11-14T22:13:20.123Z+2");
}

TEST_CASE("HLC stamps saturate at the greatest stamp a store keeps instead of wrapping round") {
  CHECK(next_hlc(HlcTime{5}) == HlcTime{6});
  CHECK(next_hlc(kMaxHlc) == kMaxHlc);
  CHECK(next_hlc(HlcTime{~0ULL}) == kMaxHlc);
  // A clock that has seen a forged end-of-time stamp stays there: never back at zero,
  // where its next write would lose to everything.
  std::int64_t wall = 1'700'000'000'000;
  HybridClock clock([&] { return wall; });
  CHECK(clock.observe(kMaxHlc) == kMaxHlc);
  CHECK(clock.now() == kMaxHlc);
  CHECK(clock.observe(HlcTime{~0ULL}) == kMaxHlc);
  HybridClock restored([&] { return wall; }, HlcTime{~0ULL});
  CHECK(restored.now() == kMaxHlc);
}

TEST_CASE("HLC: the bound on stamps ahead of the receiver's clock is 15 hours, inclusive") {
  const std::int64_t now = 1'800'000'000'000;
  const HlcTime bound = latest_acceptable_hlc(now);
  CHECK(hlc_millis(bound) == now + 15LL * 3'600'000);
  CHECK_FALSE(beyond_clock_bound(bound, now));
  CHECK(beyond_clock_bound(next_hlc(bound), now));
  CHECK_FALSE(beyond_clock_bound(make_hlc(now + 14LL * 3'600'000, 0), now));  // the wrong time zone
  CHECK(beyond_clock_bound(make_hlc(now + 3LL * 86'400'000, 0), now));        // three days ahead
  CHECK_FALSE(beyond_clock_bound(make_hlc(now - 30LL * 86'400'000, 0), now));  // behind: never
  CHECK(beyond_clock_bound(kMaxHlc, now));
  CHECK(latest_acceptable_hlc(std::int64_t{1} << 50) == kMaxHlc);  // no overflow near the end of time
}
