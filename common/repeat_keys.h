// How the instances of a repeat (a household roster) live in a record's flat answers.
//
// A record's answers stay one flat map of key -> canonical value, so every instance field
// is stored, sealed, synced, merged, evicted and bundled exactly like any other field:
// two devices editing different household members write different keys and never
// conflict; the same member's same field is one key, and concurrent edits of it are a
// conflict as for any field. Keys:
//   <repeat>/<instance>                    the instance's marker; its value is its position
//                                          key (decimal); cleared when the instance is removed
//   <repeat>/<instance>/<field>            a field of that instance
//   <repeat>/<i>/<inner>/<j>/<field>       a field of an instance of a nested repeat
// <repeat> and <field> are form names (identifiers, so never '/'); <instance> is 16
// lowercase hex digits from 8 random bytes, made by the device that adds the instance, so
// instances added offline on two devices never collide. Instances are ordered by their
// position key as a number, then by instance id; a device adding one gives it one more
// than the greatest position it holds, so concurrent additions both survive, side by side.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace amana::forms::repeat_keys {

constexpr std::size_t kMaxDepth = 2;        // nested two levels, as the forms in use need
constexpr std::size_t kInstanceIdLength = 16;

struct Step {
  std::string repeat;    // the repeat's name in the form
  std::string instance;  // 16 lowercase hex digits
  bool operator==(const Step&) const = default;
};

struct Key {
  std::vector<Step> path;  // outermost first; empty for an ordinary field
  std::string field;       // empty for an instance's marker
  bool operator==(const Key&) const = default;
  bool is_marker() const { return !path.empty() && field.empty(); }
};

// The key's parts, or nullopt for a key that is not well formed (a bad instance id, an
// empty part, more than kMaxDepth levels). An ordinary field name parses as a Key with an
// empty path.
std::optional<Key> parse(std::string_view key);

// The flat key for `key` (the inverse of parse).
std::string compose(const Key& key);

// A fresh random instance id.
std::string new_instance_id();

bool is_instance_id(std::string_view text);

// Whether `key` lies inside the instance `path` (its marker, its fields, its nested
// instances): what removing that instance clears.
bool is_within(std::string_view key, std::span<const Step> path);

// Where a repeat's table goes beside a dataset file (an export, a MEAL device's pull): the
// repeat's name before the extension, as ODK Central names them (`hh.csv` -> `hh-members.csv`).
// nullopt when `repeat` is not a form name (letters, digits, '_'; at most 64), so that a
// name from elsewhere never reaches another directory.
std::optional<std::filesystem::path> table_path(const std::filesystem::path& dataset, std::string_view repeat);

// Orders two instances by position key (as a number; a malformed one sorts last), then id.
bool position_before(std::string_view position_a, std::string_view instance_a, std::string_view position_b,
                     std::string_view instance_b);

}  // namespace amana::forms::repeat_keys
