#include "common/merge.h"

#include <algorithm>

namespace amana::merge {

Insertion insert(std::vector<Version>& versions, const Version& version) {
  auto position = std::lower_bound(versions.begin(), versions.end(), version.stamp,
                                   [](const Version& v, const Stamp& s) { return v.stamp < s; });
  if (position != versions.end() && position->stamp == version.stamp) {
    return *position == version ? Insertion::duplicate : Insertion::clash;
  }
  versions.insert(position, version);
  return Insertion::added;
}

const Version* winner(std::span<const Version> versions) {
  return versions.empty() ? nullptr : &versions.back();
}

namespace {
// A device's own successive writes always see each other, so only another device's
// unseen value can make a conflict.
bool concurrent(const Version& earlier, const Version& later) {
  return later.base != earlier.stamp.hlc && later.stamp.device != earlier.stamp.device;
}
}  // namespace

bool has_concurrent_writes(std::span<const Version> versions) {
  for (std::size_t i = 1; i < versions.size(); ++i) {
    if (concurrent(versions[i - 1], versions[i])) return true;
  }
  return false;
}

std::vector<Conflict> conflicts(std::span<const Version> versions) {
  std::vector<Conflict> found;
  for (std::size_t i = 1; i < versions.size(); ++i) {
    const Version& earlier = versions[i - 1];
    const Version& later = versions[i];
    // Two people who wrote the same thing without seeing each other agree: nothing to decide.
    const bool same = earlier.value == later.value && earlier.cleared == later.cleared;
    if (concurrent(earlier, later) && !same) found.push_back({earlier, later});
  }
  return found;
}

}  // namespace amana::merge
