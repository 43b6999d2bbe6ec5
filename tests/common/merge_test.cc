#include "common/merge.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>

using namespace amana;
using namespace amana::merge;

namespace {

DeviceId device(std::uint8_t n) {
  DeviceId id;
  id.bytes.fill(n);
  return id;
}

Version write(const std::string& value, std::int64_t ms, std::uint8_t dev, std::int64_t base_ms = 0) {
  return {value, false, {make_hlc(ms, 0), device(dev)}, base_ms ? make_hlc(base_ms, 0) : HlcTime{0}};
}

std::vector<Version> merge_in_order(const std::vector<Version>& arrivals) {
  std::vector<Version> state;
  for (const Version& v : arrivals) CHECK(insert(state, v) != Insertion::clash);
  return state;
}

bool same_conflicts(const std::vector<Conflict>& a, const std::vector<Conflict>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!(a[i].earlier == b[i].earlier && a[i].later == b[i].later)) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("the greatest stamp wins, equal times are ordered by device id") {
  std::vector<Version> state;
  insert(state, write("Halima", 100, 1));
  insert(state, write("Halime", 200, 2));
  CHECK(winner(state)->value == "Halime");
  insert(state, write("Halim", 200, 3));  // same time, greater device id
  CHECK(winner(state)->value == "Halim");
  CHECK(state.size() == 3);  // superseded values stay in history
  CHECK(winner(std::vector<Version>{}) == nullptr);
}

TEST_CASE("a replayed version is a duplicate and changes nothing, a different one with its stamp is a clash") {
  std::vector<Version> state;
  CHECK(insert(state, write("a", 100, 1)) == Insertion::added);
  CHECK(insert(state, write("a", 100, 1)) == Insertion::duplicate);
  CHECK(insert(state, write("forged", 100, 1)) == Insertion::clash);
  REQUIRE(state.size() == 1);
  CHECK(state[0].value == "a");
}

TEST_CASE("sequential edits that saw each other make no conflict") {
  // A writes, B pulls it and edits on top, A pulls that and edits again.
  const auto state = merge_in_order({write("x", 100, 1), write("y", 200, 2, 100), write("z", 300, 1, 200)});
  CHECK(conflicts(state).empty());
  CHECK(winner(state)->value == "z");
}

TEST_CASE("concurrent edits of one field leave a conflict whatever the arrival order") {
  const Version original = write("34", 100, 1);
  const Version from_a = write("35", 200, 1, 100);
  const Version from_b = write("36", 250, 2, 100);  // B had also only seen the original
  std::vector<Version> arrivals = {original, from_a, from_b};
  std::sort(arrivals.begin(), arrivals.end(), [](const Version& l, const Version& r) { return l.stamp < r.stamp; });
  const auto reference = merge_in_order(arrivals);
  const auto reference_conflicts = conflicts(reference);
  REQUIRE(reference_conflicts.size() == 1);
  CHECK(reference_conflicts[0].earlier.value == "35");
  CHECK(reference_conflicts[0].later.value == "36");
  CHECK(winner(reference)->value == "36");
  do {
    const auto state = merge_in_order(arrivals);
    CHECK(state == reference);
    CHECK(same_conflicts(conflicts(state), reference_conflicts));
  } while (std::next_permutation(arrivals.begin(), arrivals.end(),
                                 [](const Version& l, const Version& r) { return l.stamp < r.stamp; }));
}

TEST_CASE("a device's own successive writes never conflict with each other") {
  const auto state = merge_in_order({write("a", 100, 1), write("b", 200, 1)});  // base lost: same device
  CHECK(conflicts(state).empty());
}

TEST_CASE("merge is commutative, associative and idempotent over random histories") {
  std::mt19937 random(20261122);
  for (int round = 0; round < 200; ++round) {
    std::vector<Version> versions;
    std::int64_t last_seen = 0;
    const int count = 2 + static_cast<int>(random() % 6);
    for (int i = 0; i < count; ++i) {
      const auto ms = static_cast<std::int64_t>(100 + random() % 50);
      const auto dev = static_cast<std::uint8_t>(1 + random() % 3);
      const std::int64_t base = random() % 2 ? last_seen : 0;
      Version v = write("v" + std::to_string(ms) + "-" + std::to_string(dev), ms, dev, base);
      if (std::any_of(versions.begin(), versions.end(), [&](const Version& o) { return o.stamp == v.stamp; })) continue;
      versions.push_back(v);
      last_seen = ms;
    }
    const auto reference = merge_in_order(versions);
    for (int shuffle = 0; shuffle < 10; ++shuffle) {
      std::vector<Version> arrivals = versions;
      std::shuffle(arrivals.begin(), arrivals.end(), random);
      // Idempotence: some versions arrive twice (a retried push, a bundle imported again).
      arrivals.push_back(arrivals[random() % arrivals.size()]);
      const auto state = merge_in_order(arrivals);
      CHECK(state == reference);
      CHECK(same_conflicts(conflicts(state), conflicts(reference)));
      // Associativity: merging two replicas' states gives the same as merging everything.
      std::vector<Version> left;
      std::vector<Version> right;
      for (std::size_t i = 0; i < arrivals.size(); ++i) insert(i % 2 ? left : right, arrivals[i]);
      for (const Version& v : right) insert(left, v);
      CHECK(left == reference);
    }
  }
}

TEST_CASE("two devices writing the same value without seeing each other agree: no conflict") {
  const auto state = merge_in_order({write("3", 1, 1), write("5", 2, 1, 1), write("5", 3, 2, 1)});
  CHECK(has_concurrent_writes(state));
  CHECK(conflicts(state).empty());
  const auto differing = merge_in_order({write("3", 1, 1), write("5", 2, 1, 1), write("4", 3, 2, 1)});
  CHECK(conflicts(differing).size() == 1);
  CHECK_FALSE(has_concurrent_writes(merge_in_order({write("3", 1, 1), write("5", 2, 2, 1)})));
}
