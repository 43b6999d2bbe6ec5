// The merge rules: how versions of one field written on different devices become one
// value. Pure functions over values and stamps: no I/O, no clock. The central store keeps
// every version it receives and asks these functions what the current value is and which
// pairs are conflicts.
//
// Rules (docs/architecture.md, sync contract 4):
//  1. Last writer wins by the stamp (HLC time, then device id as the tie-break): a total
//     order, so every replica picks the same winner.
//  2. A version whose base (the stamp of the value its writer had seen) is not the version
//     just before it in stamp order was written without seeing that value: unless both
//     say the same, the two form a conflict for a supervisor to review. The winner still
//     wins; nothing is discarded.
//  3. The state is a function of the *set* of versions only, so merging is commutative,
//     associative and idempotent: the same versions in any order, any number of times,
//     give the same current value, history and conflicts.
#pragma once

#include <compare>
#include <span>
#include <string>
#include <vector>

#include "common/hlc.h"
#include "common/ids.h"

namespace amana::merge {

struct Stamp {
  HlcTime hlc{0};
  DeviceId device;
  auto operator<=>(const Stamp&) const = default;
};

struct Version {
  std::string value;
  bool cleared = false;
  Stamp stamp;
  HlcTime base{0};  // hlc of the value the writer saw; 0 when it saw none
  bool operator==(const Version&) const = default;
};

struct Conflict {
  Version earlier;  // not seen by `later`'s writer
  Version later;    // the concurrent write
};

enum class Insertion {
  added,      // a new version
  duplicate,  // the same version again (a replay): nothing changes
  clash,      // another version with the same stamp but different content: refused, kept aside
};

// Inserts `version` into `versions` (kept sorted by stamp). A clash leaves `versions` as it was.
Insertion insert(std::vector<Version>& versions, const Version& version);

// The current value: the version with the greatest stamp, or nullptr when there is none.
const Version* winner(std::span<const Version> versions);

// Conflicts in stamp order (rule 2). `versions` must be sorted by stamp and carry their
// values (equal concurrent values are no conflict).
std::vector<Conflict> conflicts(std::span<const Version> versions);

// Whether any two adjacent versions were written concurrently, from stamps alone: a cheap
// test before loading values to call conflicts().
bool has_concurrent_writes(std::span<const Version> versions);

}  // namespace amana::merge
