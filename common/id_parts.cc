#include "common/id_parts.h"

#include <algorithm>
#include <cctype>
#include <numeric>

#include "common/message_catalogue.h"

namespace amana {
namespace {

std::string hex_digits(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c != '-') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

std::size_t common_suffix(std::string_view a, std::string_view b) {
  std::size_t n = 0;
  while (n < a.size() && n < b.size() && a[a.size() - 1 - n] == b[b.size() - 1 - n]) ++n;
  return n;
}

}  // namespace

std::vector<std::string> distinguishing_parts(std::span<const std::string> ids) {
  std::vector<std::string> hex(ids.size());
  std::vector<std::string> reversed(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    hex[i] = hex_digits(ids[i]);
    reversed[i].assign(hex[i].rbegin(), hex[i].rend());
  }
  // Sorted by their reversed digits, the ids sharing the longest end with an id are its
  // neighbours: one pass finds how much of each end is shared.
  std::vector<std::size_t> order(ids.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return reversed[a] < reversed[b]; });
  std::vector<std::size_t> shared(ids.size(), 0);
  for (std::size_t k = 0; k + 1 < order.size(); ++k) {
    const std::size_t n = common_suffix(hex[order[k]], hex[order[k + 1]]);
    shared[order[k]] = std::max(shared[order[k]], n);
    shared[order[k + 1]] = std::max(shared[order[k + 1]], n);
  }
  std::vector<std::string> out(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::size_t length = std::min(hex[i].size(), std::max(kMinIdPart, shared[i] + 1));
    out[i] = hex[i].substr(hex[i].size() - length);
  }
  return out;
}

Result<std::string> resolve_id_text(std::string_view typed, std::span<const std::string> ids, const IdKind& kind) {
  const std::string part = hex_digits(typed);
  const bool hex = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (hex && part.size() == 32) {
    AMANA_ASSIGN_OR_RETURN(RecordId id, RecordId::parse(part));  // the same text for every kind of id
    return id.to_string();
  }
  if (!hex || part.size() < kMinIdPart || part.size() > 32) {
    return invalid_argument(Message("ids.not_a_part", {{"id", std::string(typed)}, {"what", kind.noun},
                                                       {"minimum", static_cast<std::int64_t>(kMinIdPart)}}));
  }
  std::vector<std::size_t> matches;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::string digits = hex_digits(ids[i]);
    if (digits.starts_with(part) || digits.ends_with(part)) matches.push_back(i);
  }
  if (matches.empty()) {
    return not_found(Message("ids.no_match", {{"id", std::string(typed)}, {"what", kind.noun}, {"listing", kind.listing}}));
  }
  if (matches.size() == 1) return ids[matches.front()];
  // What tells the matches apart, among every id: what to type back.
  const std::vector<std::string> parts = distinguishing_parts(ids);
  constexpr std::size_t kShown = 10;  // enough to see the pattern; the rest is a count
  LocalizedText list;
  for (std::size_t k = 0; k < matches.size() && k < kShown; ++k) {
    const std::string line = "\n  " + ids[matches[k]] + "  (" + parts[matches[k]] + ")";
    list.en += line;
    list.ar += line;
  }
  if (matches.size() > kShown) {
    const LocalizedText more =
        Message("ids.more", {{"count", static_cast<std::int64_t>(matches.size() - kShown)}}).localized();
    list.en += "\n  " + more.en;
    list.ar += "\n  " + more.ar;
  }
  return invalid_argument(Message("ids.ambiguous", {{"id", std::string(typed)},
                                                    {"what", kind.noun},
                                                    {"count", static_cast<std::int64_t>(matches.size())},
                                                    {"list", list}}));
}

}  // namespace amana
