#include "common/person_match.h"

#include <doctest/doctest.h>

namespace amana::cases {

TEST_CASE("names: Arabic letter variants, diacritics, tatweel and digits normalise away") {
  CHECK(normalize_name("أحمد") == normalize_name("احمد"));
  CHECK(normalize_name("إبراهيم") == normalize_name("ابراهيم"));
  CHECK(normalize_name("آمنة") == normalize_name("امنه"));
  CHECK(normalize_name("فاطمة") == normalize_name("فاطمه"));
  CHECK(normalize_name("مُحَمَّد") == normalize_name("محمد"));
  CHECK(normalize_name("عيسى") == normalize_name("عيسي"));
  CHECK(normalize_name("مؤمن") == normalize_name("مومن"));
  CHECK(normalize_name("هــالة") == normalize_name("هالة"));
  CHECK(normalize_name("بلوك ٣") == "بلوك 3");
  CHECK(normalize_name("  Amira   Test-Person ") == "amira test person");
  CHECK(normalize_name("Fāṭima AL-Hassan") == "fatima al hassan");
  CHECK(normalize_name("أحمد") != normalize_name("محمد"));
}

TEST_CASE("duplicates: the same person written differently is found, different people are not") {
  const PersonKey amira{"أميرة حسن يوسف", "female", 34, "أم دخن"};
  CHECK(likely_same_person(amira, {"اميره حسن", "female", 36, "ام دخن"}));     // shorter, variant spelling
  CHECK(likely_same_person(amira, {"يوسف أميرة حسن", "female", 30, ""}));        // another order, no location
  CHECK(likely_same_person(amira, {"أميرة حسن يوسف", "", std::nullopt, ""}));   // little else known
  CHECK_FALSE(likely_same_person(amira, {"أميرة حسن", "male", 34, "أم دخن"}));   // other sex
  CHECK_FALSE(likely_same_person(amira, {"أميرة حسن", "female", 15, "أم دخن"})); // other age band
  CHECK_FALSE(likely_same_person(amira, {"أميرة حسن", "female", 34, "زالنجي"})); // other place
  CHECK_FALSE(likely_same_person(amira, {"أميرة", "female", 34, "أم دخن"}));     // one shared token is not enough
  CHECK_FALSE(likely_same_person(amira, {"", "female", 34, "أم دخن"}));
  CHECK(likely_same_person({"Amira", "female", 4, ""}, {"amira", "female", 2, ""}));  // a single name, both sides
  CHECK(age_band(4) == 0);
  CHECK(age_band(17) == 2);
  CHECK(age_band(60) == 4);
}

}  // namespace amana::cases
