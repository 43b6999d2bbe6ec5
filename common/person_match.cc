#include "common/person_match.h"

#include "common/text_fold.h"

#include <algorithm>
#include <sstream>
#include <vector>

namespace amana::cases {
namespace {

std::vector<std::string> tokens(const std::string& normalized) {
  std::vector<std::string> out;
  std::istringstream in(normalized);
  for (std::string token; in >> token;) out.push_back(token);
  return out;
}

}  // namespace

std::string normalize_name(std::string_view text) { return text::fold(text); }

int age_band(int age) {
  if (age < 5) return 0;
  if (age < 12) return 1;
  if (age < 18) return 2;
  if (age < 60) return 3;
  return 4;
}

bool likely_same_person(const PersonKey& a, const PersonKey& b) {
  if (!a.sex.empty() && !b.sex.empty() && a.sex != b.sex) return false;
  if (a.age && b.age && age_band(*a.age) != age_band(*b.age)) return false;
  const std::string place_a = normalize_name(a.location);
  const std::string place_b = normalize_name(b.location);
  if (!place_a.empty() && !place_b.empty() && place_a != place_b) return false;

  auto name_a = tokens(normalize_name(a.name));
  auto name_b = tokens(normalize_name(b.name));
  if (name_a.empty() || name_b.empty()) return false;
  if (name_a.size() > name_b.size()) std::swap(name_a, name_b);
  // Every token of the shorter name appears in the longer: "Amira Hassan" matches
  // "Hassan Amira Yousif" (names are written in different orders and lengths).
  const bool contained = std::all_of(name_a.begin(), name_a.end(), [&](const std::string& token) {
    return std::find(name_b.begin(), name_b.end(), token) != name_b.end();
  });
  return contained && (name_a.size() >= 2 || name_b.size() == 1);
}

}  // namespace amana::cases
