// Finding the same person identified twice, before a second case is opened for them.
//
// Names are compared after normalisation, because the same name is written many ways:
// Arabic letter variants (أ إ آ ٱ -> ا, ى -> ي, ة -> ه, ؤ -> و, ئ -> ي), diacritics
// (harakat, shadda, sukun, dagger alef) and tatweel, Arabic-Indic digits, case, and
// punctuation such as hyphens. Then name tokens are compared in any order, and sex, age
// band and location must agree.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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

// Whether two identifications are probably the same person: the same name tokens after
// normalisation (one name's tokens all found in the other's, at least two of them, or an
// identical single token), the same sex, the same age band when both are known, and the
// same location when both are known.
bool likely_same_person(const PersonKey& a, const PersonKey& b);

}  // namespace amana::cases
