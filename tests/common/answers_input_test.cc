// How answers are read as people in Central Darfur type them: Arabic labels, the Arabic
// comma, Arabic-Indic and Persian digits, day-first dates, and the shared list of service
// types with its old codes.
#include <doctest/doctest.h>

#include "common/answers.h"
#include "common/form.h"
#include "common/form_pack.h"

namespace amana::forms {
namespace {

const FormDefinition& pack_form(std::string_view id) {
  static const FormPack pack = std::move(FormPack::builtin()).value();
  return **pack.find(id);
}

Result<std::string> read(std::string_view form, std::string_view field, std::string_view raw) {
  const Field* f = pack_form(form).find_field(field);
  REQUIRE(f != nullptr);
  return canonicalize(*f, raw);
}

std::string read_ok(std::string_view form, std::string_view field, std::string_view raw) {
  auto result = read(form, field, raw);
  REQUIRE_MESSAGE(result.ok(), result.status().message());
  return *result;
}

}  // namespace

TEST_CASE("input: a choice is taken by its label in English or Arabic, as well as by name or number") {
  CHECK(read_ok("pdm-survey", "assistance_type", "نقد") == "cash");
  CHECK(read_ok("pdm-survey", "assistance_type", " نَقد ") == "cash");  // a haraka typed by habit
  CHECK(read_ok("pdm-survey", "assistance_type", "Cash") == "cash");
  CHECK(read_ok("pdm-survey", "assistance_type", "٢") == "in_kind");
  CHECK(read_ok("pdm-survey", "assistance_type", "مساعدة حماية فردية") == "ipa");
  // Refused in the reader's language, with the labels first.
  const auto refused = read("pdm-survey", "assistance_type", "ذهب");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message_in(Language::ar).find("نقد (cash)") != std::string::npos);
  CHECK(refused.status().message().find("cash (Cash)") != std::string::npos);
}

TEST_CASE("input: several choices are separated by commas, Arabic ones too, or by spaces") {
  CHECK(read_ok("pdm-survey", "use", "١، ٣، ٧") == "food health other");
  CHECK(read_ok("pdm-survey", "use", "١ ٣ ٧") == "food health other");
  CHECK(read_ok("pdm-survey", "use", "1,3,7") == "food health other");
  CHECK(read_ok("pdm-survey", "use", "غذاء، رعاية صحية أو أدوية") == "food health");
  CHECK(read_ok("pdm-survey", "use", "Rent or shelter, Food") == "food rent");
  CHECK_FALSE(read("pdm-survey", "use", "١، ٩").ok());
  CHECK_FALSE(read("pdm-survey", "use", "،").ok());
}

TEST_CASE("input: numbers, decimals, dates and phone numbers in Arabic-Indic or Persian digits") {
  CHECK(read_ok("outreach-identification", "age", "٣٤") == "34");
  CHECK(read_ok("outreach-identification", "age", "۳۴") == "34");  // Eastern (Persian) digits
  CHECK(read_ok("outreach-identification", "household_size", "٠٧") == "7");
  CHECK(read_ok("outreach-identification", "identification_date", "٢٠٢٦-١١-٢٠") == "2026-11-20");
  CHECK(read_ok("outreach-identification", "phone", "+٢٤٩ ٩١٢ ٣٤٥ ٦٧٨") == "+249 912 345 678");
  CHECK(read_ok("case-registration", "phone", "۰۹۱۲۳۴۵۶۷۸") == "0912345678");
  // Free text keeps what was written.
  CHECK(read_ok("outreach-identification", "site", "بلوك ٣") == "بلوك ٣");
}

TEST_CASE("input: dates day first with a four-digit year, stored as YYYY-MM-DD") {
  for (std::string_view typed : {"20/11/2026", "20-11-2026", "20.11.2026", "٢٠/١١/٢٠٢٦", "۲۰.۱۱.۲۰۲۶", "2026-11-20"}) {
    CAPTURE(typed);
    CHECK(read_ok("outreach-identification", "identification_date", typed) == "2026-11-20");
  }
  CHECK(read_ok("outreach-identification", "identification_date", "5/3/2026") == "2026-03-05");
  CHECK(read_ok("outreach-identification", "identification_date", "29/02/2024") == "2024-02-29");
  for (std::string_view typed : {"29/02/2026", "31/04/2026", "20/11/26", "11/20/2026", "20/11-2026", "2026/11/20",
                                 "20//2026", "120/1/2026"}) {
    CAPTURE(typed);
    CHECK_FALSE(read("outreach-identification", "identification_date", typed).ok());
  }
  // The refusal says which ways of writing a date are accepted.
  const auto refused = read("outreach-identification", "identification_date", "20/11/26");
  CHECK(refused.status().message().find("2026-11-20 (year first) or 20/11/2026 (day first") != std::string::npos);
  CHECK(refused.status().message_in(Language::ar).find("20/11/2026 (اليوم أولًا") != std::string::npos);
}

TEST_CASE("input: the referral asks for a service type from the one vocabulary, and old codes still read") {
  const Field& service = *pack_form("referral").find_field("service_type");
  CHECK(service.choice_list == "service_types");
  CHECK(service.offered_choices().size() == 15);
  CHECK(read_ok("referral", "service_type", "health") == "health");
  CHECK(read_ok("referral", "service_type", "medical") == "health");          // the form's old code
  CHECK(read_ok("referral", "service_type", "shelter") == "safehouse");
  CHECK(read_ok("referral", "service_type", "الغذاء") == "food");
  CHECK(read_ok("referral", "service_type", "material_cash_ipa") == "material_cash_ipa");  // retired, kept
  CHECK_FALSE(read("referral", "service_type", "16").ok());  // retired choices have no number
  CHECK(service.find_choice("medical")->label.en == "Health or medical");
  CHECK(service.find_choice("material_cash_ipa")->retired);
}

TEST_CASE("input: an answers file may list choices by label, with spaces inside") {
  const auto raw = parse_answers_json(pack_form("pdm-survey"), R"({"use": ["Rent or shelter", "Food"]})");
  REQUIRE(raw.ok());
  CHECK(read_ok("pdm-survey", "use", raw->at("use")) == "food rent");
}

}  // namespace amana::forms
