// The field-client binary driven as a user drives it: real process, real store on disk,
// the real Argon2id cost. Each refused command must exit non-zero with a specific message
// and leave the store exactly as it was.
#include <doctest/doctest.h>

#include "tests/support.h"

using namespace amana::testing;

namespace {

const std::string kBinary = AMANA_FIELD_CLIENT_BIN;
const std::string kExamples = std::string(AMANA_SOURCE_DIR) + "/forms/examples/";
constexpr const char* kPassphrase = "correct horse battery staple";

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

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
  CHECK(contains(result.err, "error: "));
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

TEST_CASE("cli: a wrong passphrase is refused and changes nothing") {
  Device device;
  device.collect("pdm-survey", kExamples + "pdm-survey.answers.json");
  const std::string db_before = read_file(device.home() / "store.db");
  check_refused(device, {"records"}, "wrong passphrase", "not the passphrase");
  CHECK(read_file(device.home() / "store.db") == db_before);
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

TEST_CASE("cli: wipe destroys the store; afterwards nothing opens") {
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
