// A case's values follow its steps on the device and at the office, through real syncs
// with a real server; and the device's history shows what was merged from elsewhere.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "common/case_sources.h"
#include "common/form_pack.h"
#include "sync-server/case_values.h"
#include "tests/support.h"

using namespace amana::testing;
using nlohmann::json;

namespace {

// An example answers file with some answers changed, written where the device can read it.
std::string answers_file(const TempDir& dir, const std::string& form, const json& changes) {
  json answers = json::parse(read_file(kExamples + form + ".answers.json"));
  for (const auto& [field, value] : changes.items()) answers[field] = value;
  const auto path = dir.path() / (form + "-" + std::to_string(std::hash<std::string>{}(changes.dump())) + ".json");
  write_file(path, answers.dump());
  return path.string();
}

void step(const FieldDevice& device, const std::string& kase, const std::string& verb, const std::string& file) {
  const auto result = device.run({"case", verb, kase, "--answers", file});
  REQUIRE_MESSAGE(result.exit_code == 0, verb, ": ", result.err);
}

void sync(const FieldDevice& device) {
  const auto result = device.run({"sync"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
}

std::string value_in(const json& file, const std::string& field) {
  for (const auto& v : file["values"]) {
    if (v["field"] == field) return v["value"];
  }
  return "";
}

}  // namespace

TEST_CASE("case values: a follow-up's risk and a registration's phone are the case's on both sides, in any order of arrival") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  TempDir files;
  FieldDevice amina("amina", 0);
  FieldDevice omar("omar", 0);
  enroll(server, amina, "amina");
  enroll(server, omar, "omar");

  const auto identification = amina.run(
      {"collect", "outreach-identification", "--answers", answers_file(files, "outreach-identification", {{"phone", "0912 345"}})});
  REQUIRE_MESSAGE(identification.exit_code == 0, identification.err);
  const auto opened = amina.run({"case", "open", "--from", identification.out.substr(0, 36)});
  REQUIRE_MESSAGE(opened.exit_code == 0, opened.err);
  const std::string kase = opened.out.substr(opened.out.find("Opened case ") + 12, 36);
  step(amina, kase, "register", answers_file(files, "case-registration", {{"phone", "0912345678"}}));
  step(amina, kase, "assess", answers_file(files, "case-assessment", {{"risk_level", "high"}}));  // 2026-11-21
  step(amina, kase, "plan", kExamples + "case-plan.answers.json");
  sync(amina);
  sync(omar);  // the team's officer holds the case too

  // Offline on both: Amina follows up (2026-11-22, risk now medium); the officer types in a
  // paper assessment of the same 21st saying critical, so his device writes critical into
  // the case record, later than Amina's medium. The follow-up is the latest step by date.
  step(amina, kase, "follow-up", answers_file(files, "follow-up", {{"risk_level_now", "medium"}, {"done_date", "2026-11-22"}, {"next_due", "2026-11-29"}}));
  step(omar, kase, "assess", answers_file(files, "case-assessment", {{"risk_level", "critical"}}));
  sync(amina);
  sync(omar);
  sync(amina);

  const auto listed = json::parse(server.admin({"cases", "--json"}).out);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["risk_level"] == "medium");
  CHECK(contains(server.admin({"cases"}).out, "medium"));
  const auto shown = server.admin({"cases", "show", kase, "--json"});
  REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  const json file = json::parse(shown.out);
  CHECK(value_in(file, "risk_level") == "medium");
  CHECK(value_in(file, "phone") == "0912345678");

  // Both devices show what the steps established, though each holds the officer's later
  // write of critical in the case record.
  for (const FieldDevice* device : {&amina, &omar}) {
    CHECK(contains(device->run({"cases"}).out, "medium"));
    const auto on_device = device->run({"case", "show", kase});
    CHECK(contains(on_device.out, "risk_level: medium"));
    CHECK(contains(on_device.out, "phone: 0912345678"));
    CHECK_FALSE(contains(on_device.out, "0912 345\n"));
  }

  // Amina's history of the case has the officer's write, merged at a sync, marked as his.
  const auto history = amina.run({"show", kase, "--history"});
  REQUIRE_MESSAGE(history.exit_code == 0, history.err);
  CHECK(contains(history.out, "changed by omar on device "));
  CHECK(contains(history.out, "merged at a sync"));
  const auto as_json = json::parse(amina.run({"show", kase, "--history", "--json"}).out);
  bool officer_write = false;
  for (const auto& revision : as_json) {
    if (revision.value("merged", false) && revision["author"] == "omar" && revision["by"] == "device") {
      for (const auto& change : revision["changes"]) officer_write = officer_write || change["field"] == "risk_level";
    }
  }
  CHECK(officer_write);

  // The office decides; the device's history says the office did, and by whom.
  step(amina, kase, "close", kExamples + "case-closure.answers.json");
  sync(amina);
  REQUIRE(server.admin({"cases", "approve-closure", kase, "--by", "omar"}).exit_code == 0);
  sync(amina);
  const auto decided = amina.run({"show", kase, "--history"}).out;
  CHECK(contains(decided, "changed by the office (omar), merged at a sync"));
  CHECK(contains(decided.substr(decided.rfind("the office (omar)")), "closed"));
  const auto ar = run_command(amina.command({"--lang", "ar", "show", kase, "--history"}), kPassphrases);
  CHECK(contains(ar.out, "المكتب (omar)، دُمج عند المزامنة"));
}

TEST_CASE("case values: the office's table of where case values come from agrees with the steps that set them") {
  auto pack = amana::forms::FormPack::builtin();
  REQUIRE(pack.ok());
  for (const amana::cases::OwnedField& owned : amana::cases::owned_fields()) {
    CAPTURE(owned.field);
    const amana::server::CaseField* declared = amana::server::find_case_field(owned.field);
    REQUIRE(declared != nullptr);
    REQUIRE(declared->kind == amana::server::CaseFieldKind::from_step);
    // The office validates a case value as the answer it declares; every step answer the
    // rule may put there must pass as that answer: the same type and no choice it lacks.
    const amana::forms::Field* checked_as = amana::server::source_field(*pack, *declared);
    REQUIRE(checked_as != nullptr);
    std::vector<amana::cases::FieldSource> sources{owned.steps[0], owned.steps[1], owned.opening};
    for (const auto& source : sources) {
      if (source.empty()) continue;
      CAPTURE(source.form);
      const auto* form = *pack->find(source.form);
      const amana::forms::Field* answer = form->find_field(source.form_field);
      REQUIRE(answer != nullptr);
      CHECK(answer->type == checked_as->type);
      for (const auto& choice : answer->choices) {
        CAPTURE(choice.name);
        CHECK((checked_as->find_choice(choice.name) != nullptr));
      }
    }
  }
}
