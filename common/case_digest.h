// The digest of a set of case ids, as a pull names the cases a device holds (protocol
// version 5, docs/protocol.md): BLAKE2b-256 of the 16-byte ids in ascending byte order,
// concatenated. Both sides compute it the same way from their own list, so the order
// either keeps them in does not matter; the empty set has a digest too.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "common/crypto.h"
#include "common/ids.h"

namespace amana {

inline std::array<std::uint8_t, 32> held_cases_digest(std::vector<RecordId> ids) {
  std::sort(ids.begin(), ids.end(), [](const RecordId& a, const RecordId& b) { return a.bytes < b.bytes; });
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  crypto::Bytes joined;
  joined.reserve(ids.size() * 16);
  for (const RecordId& id : ids) joined.insert(joined.end(), id.bytes.begin(), id.bytes.end());
  return crypto::hash(joined);
}

}  // namespace amana
