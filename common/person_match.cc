#include "common/person_match.h"

#include <algorithm>
#include <vector>

#include "common/name_sound.h"
#include "common/text_fold.h"

namespace amana::cases {
namespace {

std::vector<ComparableWord> comparable_words(std::string_view name) {
  std::vector<ComparableWord> out;
  for (const std::string& word : name_words(name)) {
    std::string folded = text::fold(word);
    if (folded.empty()) continue;
    out.push_back({std::move(folded), name_sound(word)});
  }
  return out;
}

bool same_word(const ComparableWord& a, const ComparableWord& b) {
  return a.folded == b.folded || sounds_alike(a.sound, b.sound);
}

// A place written in either script (أم دخن, Um Dukhun): the same words, in order. Unknown
// on either side is no objection.
bool same_place(const std::vector<ComparableWord>& words_a, const std::vector<ComparableWord>& words_b) {
  if (words_a.empty() || words_b.empty()) return true;
  if (words_a.size() != words_b.size()) return false;
  for (std::size_t i = 0; i < words_a.size(); ++i) {
    if (!same_word(words_a[i], words_b[i])) return false;
  }
  return true;
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

std::string_view age_band_name(int age) {
  static constexpr std::string_view kNames[] = {"0-4", "5-11", "12-17", "18-59", "60+"};
  return kNames[age_band(age)];
}

ComparablePerson comparable(const PersonKey& person) {
  return {comparable_words(person.name), comparable_words(person.location), person.sex, person.age};
}

bool likely_same_person(const PersonKey& a, const PersonKey& b) { return likely_same_person(comparable(a), comparable(b)); }

bool likely_same_person(const ComparablePerson& a, const ComparablePerson& b) {
  if (!a.sex.empty() && !b.sex.empty() && a.sex != b.sex) return false;
  if (a.age && b.age && age_band(*a.age) != age_band(*b.age)) return false;
  if (!same_place(a.place, b.place)) return false;
  const auto* shorter = &a.name;
  const auto* longer = &b.name;
  if (shorter->empty() || longer->empty()) return false;
  if (shorter->size() > longer->size()) std::swap(shorter, longer);
  // Every word of the shorter name is in the longer, written the same or sounding alike:
  // "Amira Hassan" matches "Hassan Amira Yousif" and "أميرة حسن" (names are written in
  // different orders, lengths and scripts).
  const bool contained = std::all_of(shorter->begin(), shorter->end(), [&](const ComparableWord& word) {
    return std::any_of(longer->begin(), longer->end(), [&](const ComparableWord& other) { return same_word(word, other); });
  });
  return contained && (shorter->size() >= 2 || longer->size() == 1);
}

}  // namespace amana::cases
