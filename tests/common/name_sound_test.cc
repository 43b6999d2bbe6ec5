// Sudanese names as people write them, in Latin letters and in Arabic: the variants that
// must match, both ways, and the near names that must not.
#include "common/name_sound.h"

#include <doctest/doctest.h>

#include "common/person_match.h"

namespace amana::cases {
namespace {

bool alike(std::string_view a, std::string_view b) {
  return likely_same_person({std::string(a), "", std::nullopt, ""}, {std::string(b), "", std::nullopt, ""});
}

// Every pair of spellings in `group` is the same name, in both directions.
void check_all_alike(std::initializer_list<std::string_view> group) {
  for (std::string_view a : group) {
    for (std::string_view b : group) {
      CAPTURE(a);
      CAPTURE(b);
      CHECK(alike(a, b));
    }
  }
}

}  // namespace

TEST_CASE("names: the spellings of one Sudanese name match each other, across scripts, both ways") {
  check_all_alike({"Mohamed", "Mohammed", "Muhammad", "Mohammad", "محمد", "مُحَمَّد"});
  check_all_alike({"Abdallah", "Abdullah", "Abdalla", "Abd Allah", "Abd-Allah", "عبدالله", "عبد الله"});
  check_all_alike({"Ishag", "Ishaq", "Isehaq", "إسحاق", "اسحاق"});
  check_all_alike({"Fatima", "Fatma", "Fatimah", "فاطمة", "فاطمه"});
  check_all_alike({"Amira", "Ameera", "Amirah", "أميرة", "اميره"});
  check_all_alike({"Hawa", "Hawwa", "حواء", "حوا"});
  check_all_alike({"Adam", "آدم", "ادم"});
  check_all_alike({"Khadija", "Khadiga", "Khadeeja", "خديجة"});
  check_all_alike({"Osman", "Othman", "Uthman", "عثمان"});
  check_all_alike({"Zeinab", "Zainab", "Zaynab", "زينب"});
  check_all_alike({"Hussein", "Husain", "Hussain", "حسين"});
  check_all_alike({"Yousif", "Yusuf", "Yousef", "يوسف"});
  check_all_alike({"Aisha", "Aysha", "Aicha", "عائشة"});
  check_all_alike({"Abdelrahman", "Abdel Rahman", "Abdurrahman", "Abd al-Rahman", "عبدالرحمن", "عبد الرحمن"});
  check_all_alike({"Mariam", "Maryam", "Meriam", "مريم"});
  check_all_alike({"Saleh", "Salih", "صالح"});
  check_all_alike({"Alhassan", "Al-Hassan", "El Hassan", "الحسن"});
}

TEST_CASE("names: near names stay apart") {
  const std::pair<std::string_view, std::string_view> different[] = {
      {"Amira", "Amir"},      {"أميرة", "Amir"},     {"أميرة", "أمير"},    {"Hawa", "Hana"},
      {"حواء", "هناء"},        {"Hawa", "Haya"},       {"Hassan", "Hussein"}, {"حسن", "Hussein"},
      {"Hassan", "حسين"},      {"Mohamed", "Mahmoud"}, {"محمد", "محمود"},     {"Mohamed", "Ahmed"},
      {"Fatima", "Fatin"},    {"Ali", "Alia"},        {"Adam", "Adham"},     {"Khadija", "Khalid"},
      {"Zeinab", "Zeina"},    {"Osman", "Omar"},      {"Ishag", "Isa"},      {"Abdallah", "Abdelrahman"},
      {"عبدالله", "عبد الرحمن"}, {"Amina", "Amira"},   {"Salma", "Salim"},
  };
  for (const auto& [a, b] : different) {
    CAPTURE(a);
    CAPTURE(b);
    CHECK_FALSE(alike(a, b));
    CHECK_FALSE(alike(b, a));
  }
}

TEST_CASE("names: whole names match word by word in any order and script, with sex, age band and place") {
  CHECK(likely_same_person({"Amira Hassan Yousif", "female", 34, "Um Dukhun"}, {"أميرة حسن", "female", 36, "um dukhun"}));
  CHECK(likely_same_person({"Abdallah Ishag Adam", "male", 40, ""}, {"آدم عبد الله إسحاق", "male", 41, ""}));
  CHECK_FALSE(likely_same_person({"Amira Hassan", "female", 34, ""}, {"Amir Hassan", "female", 34, ""}));
  CHECK_FALSE(likely_same_person({"Hawa Adam", "female", 20, ""}, {"Hana Adam", "female", 20, ""}));
  CHECK_FALSE(likely_same_person({"Amira Hassan", "female", 34, ""}, {"أميرة حسن", "male", 34, ""}));
}

TEST_CASE("names: words are split and joined as they are compared") {
  CHECK(name_words("Abd Allah  Ishag") == std::vector<std::string>{"AbdAllah", "Ishag"});
  CHECK(name_words("عبد الله، آدم") == std::vector<std::string>{"عبدالله", "آدم"});
  CHECK(name_words("Abd al-Rahman") == std::vector<std::string>{"AbdalRahman"});
  CHECK(name_words("Al Hassan") == std::vector<std::string>{"AlHassan"});
  CHECK(name_sound("123").readings.empty());
}

}  // namespace amana::cases
