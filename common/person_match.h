// Finding the same person identified twice, before a second case is opened for them.
//
// Names are compared after normalisation, because the same name is written many ways:
// Arabic letter variants (أ إ آ ٱ -> ا, ى -> ي, ة -> ه, ؤ -> و, ئ -> ي), diacritics
// (harakat, shadda, sukun, dagger alef) and tatweel, Arabic-Indic digits, case, and
// punctuation such as hyphens. Two words of a name are the same when they fold the same
// or sound alike (name_sound.h: Ishag / Ishaq, عبدالله / عبد الله / Abdullah, أميرة /
// Amira). Then the words are compared in any order, and sex, age band and location must
// agree.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/name_sound.h"

namespace amana::cases {

// The comparable form of a name or place: normalised letters, single spaces, no
// punctuation. "  Fāṭima  AL-Hassan " and "fāṭima al hassan" give the same result;
// "فاطِمة" and "فاطمه" too.
std::string normalize_name(std::string_view text);

struct PersonKey {
  std::string name;
  std::string sex;                 // choice name, e.g. "female"
  std::optional<int> age;          // years
  std::string location;
};

// Age bands used when comparing (ages are often estimated): 0-4, 5-11, 12-17, 18-59, 60+.
int age_band(int age);
// The band's name, "0-4" ... "60+": what de-identified datasets and referral documents show.
std::string_view age_band_name(int age);

// Whether two identifications are probably the same person: the same name words (one
// name's words all found in the other's, the same or sounding alike, at least two of
// them, or a single word on both sides), the same sex, the same age band when both are
// known, and the same location when both are known.
bool likely_same_person(const PersonKey& a, const PersonKey& b);

// The same comparison with each person's words read once: for comparing one person with
// many (every case on a device when a case is opened), read each once and compare these.
// A comparison is then a few hundred nanoseconds; reading a person, a few microseconds.
struct ComparablePerson;
ComparablePerson comparable(const PersonKey& person);
bool likely_same_person(const ComparablePerson& a, const ComparablePerson& b);

struct ComparableWord {
  std::string folded;
  NameSound sound;
};
struct ComparablePerson {
  std::vector<ComparableWord> name;
  std::vector<ComparableWord> place;
  std::string sex;
  std::optional<int> age;
};

}  // namespace amana::cases
