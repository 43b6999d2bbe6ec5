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

std::vector<Conflict> conflicts(std::span<const Version> versions) {
  std::vector<Conflict> found;
  for (std::size_t i = 1; i < versions.size(); ++i) {
    const Version& earlier = versions[i - 1];
    const Version& later = versions[i];
    // A device's own successive writes always see each other, so only another device's
    // unseen value makes a conflict.
    if (later.base != earlier.stamp.hlc && later.stamp.device != earlier.stamp.device) {
      found.push_back({earlier, later});
    }
  }
  return found;
}

}  // namespace amana::merge
