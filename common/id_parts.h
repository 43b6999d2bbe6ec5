// Ids as people type them back and read them in listings: a whole id, or a part of one
// from its start or its end, the same on the device and at the office.
//
// Record ids begin with their creation time (common/ids.h), so records made within a
// minute share their first 8 hex digits; their last 62 bits are random, so the end tells
// them apart. Any part of at least kMinIdPart hex digits (dashes ignored, any case) from
// either end is accepted when exactly one id has it; listings show each id's
// distinguishing part, its last kMinIdPart digits or more where two ids share them, which
// is always enough to type back.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/message.h"
#include "common/status.h"

namespace amana {

inline constexpr std::size_t kMinIdPart = 8;

// What kind of thing the ids name, for messages: its noun and the command that lists them.
struct IdKind {
  Message noun;          // "record", "case", "device", ...
  std::string listing;   // "field-client records"
};

// The one of `ids` (canonical texts) that `typed` names. A whole id (32 hex digits) is
// returned as typed, canonical, whether or not it is among `ids` (the caller says what is
// not there). Otherwise invalid_argument for a part that is not hex or shorter than
// kMinIdPart; not_found naming `kind.listing` when no id starts or ends with it;
// invalid_argument listing each id that does, with its distinguishing part, when several do.
Result<std::string> resolve_id_text(std::string_view typed, std::span<const std::string> ids, const IdKind& kind);

template <class Id>
Result<Id> resolve_id(std::string_view typed, std::span<const Id> ids, const IdKind& kind) {
  std::vector<std::string> texts;
  texts.reserve(ids.size());
  for (const Id& id : ids) texts.push_back(id.to_string());
  AMANA_ASSIGN_OR_RETURN(std::string found, resolve_id_text(typed, texts, kind));
  return Id::parse(found);
}

// For each of `ids` (canonical texts, distinct), in the same order, the shortest end of
// its hex digits, at least kMinIdPart long, that no other of `ids` ends with.
std::vector<std::string> distinguishing_parts(std::span<const std::string> ids);

template <class Id>
std::vector<std::string> distinguishing_parts_of(std::span<const Id> ids) {
  std::vector<std::string> texts;
  texts.reserve(ids.size());
  for (const Id& id : ids) texts.push_back(id.to_string());
  return distinguishing_parts(texts);
}

}  // namespace amana
