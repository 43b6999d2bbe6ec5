// The field-client binary driven as a user drives it: real process, real store on disk,
// the real Argon2id cost. Each refused command must exit non-zero with a specific message
// and leave the store exactly as it was.
#include <doctest/doctest.h>

#include "tests/support.h"

using namespace amana::testing;

namespace {

const std::string kBinary = AMANA_FIELD_CLIENT_BIN;
constexpr const char* kPassphrase = "correct horse battery staple";

// A device home with an initialised store, and a way to run commands against it.
class Device {
 public:
  Device() {
    const auto created = run({"init", "--user", "amina"});
    REQUIRE_MESSAGE(created.exit_code == 0, created.err);
  }

  CommandResult run(std::vector<std::string> args, const std::string& input = "",
                    const std::string& passphrase = kPassphrase) const {
    args.insert(args.begin(), {kBinary, "--home", home().string()});
    return run_command(args, {{"AMANA_PASSPHRASE", passphrase}}, input);
  }

  // Collects from a file and returns the new record id.
  std::string collect(const std::string& form, const std::string& answers_file) const {
    const auto result = run({"collect", form, "--answers", answers_file});
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);
    std::string id = result.out;
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
    REQUIRE(id.size() == 36);
    return id;
  }

  // The example identification, and the case opened from it.
  std::pair<std::string, std::string> open_case_from_example() const {
    const std::string identification =
        collect("outreach-identification", kExamples + "outreach-identification.answers.json");
    const auto opened = run({"case", "open", "--from", identification});
    REQUIRE_MESSAGE(opened.exit_code == 0, opened.err);
    return {identification, opened.out.substr(opened.out.find("Opened case ") + 12, 36)};
  }

  std::filesystem::path home() const { return dir_.path() / "home"; }
  std::filesystem::path file(const std::string& name) const { return dir_.path() / name; }

  // Everything a person could see in the store: must not move when a command is refused.
  std::string snapshot() const {
    const auto listing = run({"records", "--json"});
    const auto status = run({"status", "--json"});
    REQUIRE(listing.exit_code == 0);
    REQUIRE(status.exit_code == 0);
    return listing.out + status.out;
  }

 private:
  TempDir dir_;
};

// Runs a command that must be refused: non-zero exit, `message` on stderr, store unchanged.
void check_refused(const Device& device, const std::vector<std::string>& args, const std::string& message,
                   const std::string& passphrase = kPassphrase) {
  const std::string before = device.snapshot();
  const auto result = device.run(args, "", passphrase);
  CHECK(result.exit_code != 0);
  CHECK_MESSAGE(contains(result.err, message), "stderr was: " << result.err);
  CHECK((contains(result.err, "error: ") || contains(result.err, "خطأ: ")));
  CHECK(device.snapshot() == before);
}

}  // namespace

TEST_CASE("cli: each example answers file collects into a record that lists and shows") {
  Device device;
  for (const std::string form : {"outreach-identification", "rapid-protection-assessment", "pdm-survey"}) {
    CAPTURE(form);
    const std::string id = device.collect(form, kExamples + form + ".answers.json");
    const auto shown = device.run({"show", id.substr(28)});
    CHECK(shown.exit_code == 0);
    CHECK(contains(shown.out, id));
    CHECK(contains(shown.out, form));
    const auto json = device.run({"show", id, "--json"});
    CHECK(contains(json.out, "\"values\""));
  }
  const auto listed = device.run({"records"});
  CHECK(listed.exit_code == 0);
  CHECK(contains(listed.out, "3 records"));
  const auto status = device.run({"status"});
  CHECK(contains(status.out, "Waiting to sync: 3 operations"));
  const auto filtered = device.run({"records", "--form", "pdm-survey", "--json"});
  CHECK(contains(filtered.out, "pdm-survey"));
  CHECK_FALSE(contains(filtered.out, "outreach-identification"));
}

TEST_CASE("cli: forms lists id, version and title in English and Arabic") {
  Device device;
  const auto en = device.run({"forms"});
  CHECK(en.exit_code == 0);
  for (const char* id : {"outreach-identification", "rapid-protection-assessment", "pdm-survey"}) {
    CHECK(contains(en.out, id));
  }
  const auto ar = device.run({"forms", "--lang", "ar"});
  CHECK(ar.exit_code == 0);
  CHECK(ar.out != en.out);
  CHECK(device.run({"forms", "--lang", "fr"}).exit_code != 0);
}

TEST_CASE("cli: a wrong passphrase is refused and changes nothing but the failure count") {
  Device device;
  device.collect("pdm-survey", kExamples + "pdm-survey.answers.json");
  check_refused(device, {"records"}, "wrong passphrase (failed attempt 1 of 10", "not the passphrase");
}

TEST_CASE("cli: an unknown form is refused, naming the forms that exist") {
  Device device;
  check_refused(device, {"collect", "household-census", "--answers", kExamples + "pdm-survey.answers.json"},
                "unknown form 'household-census'; the forms on this device are: ");
}

TEST_CASE("cli: a malformed answers file is refused, naming the file") {
  Device device;
  write_file(device.file("broken.json"), "{\"consent\": tru");
  check_refused(device, {"collect", "pdm-survey", "--answers", device.file("broken.json").string()},
                "broken.json");
  write_file(device.file("array.json"), "[1, 2]");
  check_refused(device, {"collect", "pdm-survey", "--answers", device.file("array.json").string()},
                "array.json");
  check_refused(device, {"collect", "pdm-survey", "--answers", device.file("missing.json").string()},
                "no such file");
}

TEST_CASE("cli: init refuses an existing store and a short passphrase") {
  Device device;
  const auto again = device.run({"init"});
  CHECK(again.exit_code != 0);
  CHECK(contains(again.err, "a store already exists"));
  TempDir other;
  const auto short_pass = run_command({kBinary, "--home", (other.path() / "h").string(), "init"},
                                      {{"AMANA_PASSPHRASE", "short"}});
  CHECK(short_pass.exit_code != 0);
  CHECK(contains(short_pass.err, "at least 8 characters"));
  CHECK_FALSE(std::filesystem::exists(other.path() / "h" / "store.db"));
}

TEST_CASE("cli: without AMANA_PASSPHRASE or a terminal, the passphrase is asked for and the error says how") {
  Device device;
  const auto result = run_command({kBinary, "--home", device.home().string(), "records"}, {{"AMANA_PASSPHRASE", ""}});
  CHECK(result.exit_code != 0);
  CHECK(contains(result.err, "set AMANA_PASSPHRASE or run this command in a terminal"));
}

TEST_CASE("cli: wipe destroys the store, afterwards nothing opens") {
  Device device;
  device.collect("pdm-survey", kExamples + "pdm-survey.answers.json");
  const auto refused = device.run({"wipe"});
  CHECK(refused.exit_code != 0);  // --yes is required
  CHECK(std::filesystem::exists(device.home() / "store.db"));
  const auto wiped = device.run({"wipe", "--yes"}, "", "");
  CHECK(wiped.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(device.home() / "store.db"));
  const auto after = device.run({"records"});
  CHECK(after.exit_code != 0);
  CHECK(contains(after.err, "no store"));
}

namespace {

// The PDM example with some answers replaced (or removed, with an empty value).
std::string pdm_answers(const Device& device, const std::string& name,
                        const std::vector<std::pair<std::string, std::string>>& changes) {
  std::string text = read_file(kExamples + "pdm-survey.answers.json");
  for (const auto& [field, json_value] : changes) {
    const std::string key = "\"" + field + "\": ";
    const auto at = text.find(key);
    if (at == std::string::npos) {
      text.insert(text.find('{') + 1, "\n  " + key + json_value + ",");
      continue;
    }
    const auto end = text.find_first_of(",\n}", text.find_first_of("\"[0123456789tf", at + key.size()) + 1);
    const auto stop = text[at + key.size()] == '[' ? text.find(']', at) + 1 : end;
    if (json_value.empty()) {
      text.erase(at, (text[stop] == ',' ? stop + 1 : stop) - at);
    } else {
      text.replace(at + key.size(), stop - at - key.size(), json_value);
    }
  }
  const auto path = device.file(name);
  write_file(path, text);
  return path.string();
}

}  // namespace

TEST_CASE("cli: a missing required answer is refused, naming the field") {
  Device device;
  const auto file = pdm_answers(device, "no-satisfaction.json", {{"satisfaction", ""}});
  check_refused(device, {"collect", "pdm-survey", "--answers", file},
                "satisfaction (Overall, how satisfied are you with the assistance?): is required");
}

TEST_CASE("cli: a constraint violation is refused with the form's message, in the chosen language") {
  Device device;
  const auto file = pdm_answers(device, "nine.json", {{"satisfaction", "9"}});
  check_refused(device, {"collect", "pdm-survey", "--answers", file}, "Satisfaction must be between 1 and 5");
  check_refused(device, {"collect", "pdm-survey", "--answers", file, "--lang", "ar"}, "يجب أن يكون الرضا بين 1 و 5");
}

TEST_CASE("cli: an answer to a question whose relevance is false is refused") {
  Device device;
  // safety_details is only asked when safety_problem is yes; the example says no.
  const auto file = pdm_answers(device, "irrelevant.json", {{"safety_details", "\"stopped at a checkpoint\""}});
  check_refused(device, {"collect", "pdm-survey", "--answers", file},
                "safety_details (What happened? (no names)): is not asked here: its relevance condition "
                "(${safety_problem} = 'true') is false");
}

TEST_CASE("cli: an unknown field in an answers file or in --set is refused") {
  Device device;
  const auto file = pdm_answers(device, "colour.json", {{"colour", "\"red\""}});
  check_refused(device, {"collect", "pdm-survey", "--answers", file}, "unknown field 'colour' in form 'pdm-survey'");
  const std::string id = device.collect("pdm-survey", kExamples + "pdm-survey.answers.json");
  check_refused(device, {"edit", id, "--set", "colour=red"}, "form pdm-survey has no field 'colour'");
  check_refused(device, {"edit", id, "--set", "satisfaction"}, "expected field=value");
}

TEST_CASE("cli: edits are validated like collect, and show --history keeps every value") {
  Device device;
  const std::string id = device.collect("pdm-survey", kExamples + "pdm-survey.answers.json");
  check_refused(device, {"edit", id, "--set", "satisfaction=9"}, "Satisfaction must be between 1 and 5");
  check_refused(device, {"edit", id, "--set", "safety_details=x"}, "is not asked here");

  const auto edited = device.run({"edit", id.substr(28), "--set", "satisfaction=5", "--set", "comments="});
  REQUIRE_MESSAGE(edited.exit_code == 0, edited.err);
  CHECK(contains(edited.out, "Updated record " + id));
  const auto shown = device.run({"show", id});
  CHECK(contains(shown.out, "[satisfaction]: 5"));
  CHECK_FALSE(contains(shown.out, "[comments]"));
  const auto history = device.run({"show", id, "--history"});
  CHECK(contains(history.out, "#1"));
  CHECK(contains(history.out, "[satisfaction]: 5   (was: 4)"));
  CHECK(contains(history.out, "[comments]: (cleared)"));
  CHECK(contains(history.out, "The queue was long but staff were respectful."));

  // Withdrawing the safety problem clears its details, as ODK does with skip logic.
  const auto yes = device.run({"edit", id, "--set", "safety_problem=yes", "--set", "safety_details=pushed in the queue"});
  REQUIRE_MESSAGE(yes.exit_code == 0, yes.err);
  const auto no = device.run({"edit", id, "--set", "safety_problem=no"});
  REQUIRE_MESSAGE(no.exit_code == 0, no.err);
  CHECK_FALSE(contains(device.run({"show", id}).out, "[safety_details]"));
  CHECK(contains(device.run({"status"}).out, "Waiting to sync: 4 operations"));
  const auto unchanged = device.run({"edit", id, "--set", "satisfaction=5"});
  CHECK(contains(unchanged.out, "No change to record"));
}

TEST_CASE("cli: show prints choice labels and yes/no in Arabic") {
  Device device;
  const std::string id = device.collect("pdm-survey", kExamples + "pdm-survey.answers.json");
  const auto shown = device.run({"show", id, "--lang", "ar"});
  CHECK(contains(shown.out, "رصد ما بعد التوزيع"));
  CHECK(contains(shown.out, "[assistance_type]: نقد"));
  CHECK(contains(shown.out, "[consent]: نعم"));
}

TEST_CASE("cli: interactive collect through a pipe follows the skip logic and re-asks invalid answers") {
  Device device;
  // consent, site, assistance (by number), date, on time, sufficient, uses 1 and 7
  // ("other", which opens use_other), no safety problem (skips safety_details), skip the
  // optional question, knows feedback, an out-of-range satisfaction then a valid one,
  // no comment.
  const std::string script =
      "yes\nKass site\n1\n2026-11-10\nyes\nno\n1 7\nFirewood\nno\n\nyes\n9\n4\n\n";
  const auto result = device.run({"collect", "pdm-survey"}, script);
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  CHECK(contains(result.out, "Other use, please specify"));
  CHECK_FALSE(contains(result.out, "What happened? (no names)"));
  CHECK(contains(result.out, "Satisfaction must be between 1 and 5"));
  const auto saved = result.out.find("Saved record ");
  REQUIRE(saved != std::string::npos);
  const std::string id = result.out.substr(saved + 13, 36);
  const auto json = device.run({"show", id, "--json"});
  CHECK(contains(json.out, "\"use\": \"food other\""));
  CHECK(contains(json.out, "\"use_other\": \"Firewood\""));
  CHECK(contains(json.out, "\"satisfaction\": \"4\""));
  CHECK_FALSE(contains(json.out, "safety_details"));
  CHECK_FALSE(contains(json.out, "asked_to_pay"));

  // Without consent, every other question is skipped.
  const auto declined = device.run({"collect", "pdm-survey"}, "no\n");
  REQUIRE_MESSAGE(declined.exit_code == 0, declined.err);
  CHECK_FALSE(contains(declined.out, "Distribution site"));
  CHECK(contains(device.run({"records"}).out, "2 records"));
}

TEST_CASE("cli: interactive collect in Arabic, and input that ends early saves no record but keeps a draft") {
  Device device;
  const auto nothing = device.run({"collect", "pdm-survey", "--lang", "ar"}, "");
  CHECK(nothing.exit_code != 0);
  CHECK(contains(nothing.err, "لم تُدخل أي إجابة، فلم يُحفظ شيء"));
  const auto arabic = device.run({"collect", "pdm-survey", "--lang", "ar"}, "نعم\n");
  CHECK(arabic.exit_code != 0);
  CHECK(contains(arabic.out, "هل يوافق المستجيب على المشاركة؟"));
  CHECK(contains(arabic.err, "خطأ: انتهى الإدخال قبل اكتمال الاستمارة"));
  CHECK(contains(arabic.err, "إجاباتك محفوظة في المسودة"));
  CHECK(contains(device.run({"records"}).out, "No records yet"));
  CHECK(contains(device.run({"drafts"}).out, "Post-distribution monitoring"));
}

TEST_CASE("cli: a collected personal name appears nowhere in the store's files") {
  Device device;
  device.collect("outreach-identification", kExamples + "outreach-identification.answers.json");
  REQUIRE(contains(read_file(kExamples + "outreach-identification.answers.json"), "Amira Test-Person"));
  std::size_t scanned = 0;
  for (const auto& entry : std::filesystem::directory_iterator(device.home())) {
    const std::string bytes = read_file(entry.path());
    CAPTURE(entry.path());
    CHECK_FALSE(contains(bytes, "Amira"));
    CHECK_FALSE(contains(bytes, "Test-Person"));
    CHECK_FALSE(contains(bytes, "Um Dukhun, block C"));
    scanned += bytes.size();
  }
  CHECK(scanned > 0);
}

TEST_CASE("cli: a case opened from an identification moves only by the allowed steps") {
  Device device;
  const auto [identification, kase] = device.open_case_from_example();
  check_refused(device, {"case", "assess", kase, "--answers", kExamples + "case-assessment.answers.json"},
                "cannot assess a case that is 'identified': register the case, with consent, first");
  // One identification opens one case, even when told the person is no duplicate.
  check_refused(device, {"case", "open", "--from", identification, "--not-a-duplicate"},
                "identification " + identification + " is already case " + kase);
  const auto registered = device.run({"case", "register", kase, "--answers", kExamples + "case-registration.answers.json"});
  REQUIRE_MESSAGE(registered.exit_code == 0, registered.err);
  CHECK(contains(registered.out, "is now registered"));
  const auto listed = device.run({"cases"});
  CHECK(contains(listed.out, kase + "  registered"));
  const auto shown = device.run({"case", "show", kase.substr(28)});
  CHECK(contains(shown.out, "Next steps on this device: assess, close"));
  CHECK(contains(shown.out, "case-registration"));
  check_refused(device, {"edit", kase, "--set", "status=closed"}, "a case changes through its steps");

  // An identification made without the person's consent holds no name: the refusal says
  // so and what to do, not "give --name" as though --from had not been given.
  write_file(device.file("no-consent.json"),
             R"({"identification_date": "2026-11-20", "state": "central_darfur", "locality": "um_dukhun",
                 "site_choice": "um_dukhun_town", "site": "Um Dukhun, block C", "location_type": "camp",
                 "identified_by": "outreach_volunteer", "consent_recorded": false, "sex": "female", "age": 30,
                 "displacement_status": "idp", "household_size": 3, "urgency": "high"})");
  const std::string without_consent = device.collect("outreach-identification", device.file("no-consent.json").string());
  const auto refused = device.run({"case", "open", "--from", without_consent});
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.err, "identification " + without_consent + " was recorded without the person's consent"));
  CHECK(contains(refused.err, "`field-client case open --from " + without_consent + " --name NAME`"));
  CHECK_FALSE(contains(refused.err, "give --name"));
  const auto consented = device.run({"case", "open", "--from", without_consent, "--name", "Hawa Adam", "--not-a-duplicate"});
  CHECK_MESSAGE(consented.exit_code == 0, consented.err);
}

TEST_CASE("cli: the interactive registration is prefilled from the identification, as on the screens") {
  Device device;
  const std::string kase = device.open_case_from_example().second;
  // Enter at every question but the three consents: registration date, name, sex, date of
  // birth, age, displacement, location, phone, then who obtained consent and its date.
  const std::string input = "\n\n\n\n\n\n\n\nyes\nyes\nyes\n\n\n";
  const auto registered = device.run({"case", "register", kase}, input);
  REQUIRE_MESSAGE(registered.exit_code == 0, std::string(registered.out + registered.err));
  CHECK(contains(registered.out, "Amira Test-Person"));  // offered at its question
  CHECK(contains(registered.out, "is now registered"));
  const auto shown = device.run({"case", "show", kase});
  REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  CHECK(contains(shown.out, "Amira Test-Person"));
  CHECK(contains(shown.out, "+249 912 345 678"));  // the identification's phone, kept at Enter
  const auto records = device.run({"records", "--form", "case-registration", "--json"});
  REQUIRE(records.exit_code == 0);
  const std::string id = records.out.substr(records.out.find("\"id\": \"") + 7, 36);
  const auto registration = device.run({"show", id});
  REQUIRE_MESSAGE(registration.exit_code == 0, registration.err);
  CHECK(contains(registration.out, "Amira Test-Person"));
  CHECK(contains(registration.out, "amina"));  // who obtained consent: the device's user
  CHECK(contains(registration.out, "34"));
}
