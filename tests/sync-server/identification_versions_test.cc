// The built-in identification's two versions through the real binaries: a sync-server on
// 127.0.0.1 publishes both at init (version 1 from forms/earlier/, version 2 with the
// location cascade and the household roster); a device collects with version 2 and syncs
// its roster; a record of version 1 (as a device running the earlier binary made it)
// still shows, edits against version 1, syncs, and is exported beside version 2's records,
// the roster in its own table with nothing personal in it.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/answers.h"
#include "common/form_pack.h"
#include "common/repeat_keys.h"
#include "field-client/store.h"
#include "tests/sync-server/repeat_support.h"

using namespace amana;
using namespace amana::testing;
using namespace amana::testing::repeats;
using nlohmann::json;

namespace {

// The example answers as version 1 asked them: no state, locality, site choice or roster.
json version1_answers() {
  json answers = json::parse(read_file(kExamples + "outreach-identification.answers.json"));
  for (const char* added : {"state", "locality", "site_choice", "household_members"}) answers.erase(added);
  answers["full_name"] = "Rahma Old-Version";
  return answers;
}

// Saves a version 1 identification in the device's store, as the earlier binary did.
std::string add_version1_record(const FieldDevice& device) {
  auto store = field::Store::open(device.home(), kPassphrases.at("AMANA_PASSPHRASE"));
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  auto pack = forms::FormPack::builtin();
  REQUIRE(pack.ok());
  const forms::FormDefinition* v1 = *pack->find("outreach-identification", 1);
  REQUIRE(v1->version == 1);
  auto given = forms::parse_answers_json(*v1, version1_answers().dump());
  REQUIRE_MESSAGE(given.ok(), given.status().message());
  std::set<std::string, std::less<>> keys;
  for (const auto& [key, value] : *given) keys.insert(key);
  auto answers = forms::validate_submission(*v1, *given, keys, {forms::Language::en, "2026-11-23"});
  REQUIRE_MESSAGE(answers.ok(), answers.status().message());
  auto id = store->add_record(*v1, *answers);
  REQUIRE_MESSAGE(id.ok(), id.status().message());
  return id->to_string();
}

}  // namespace

TEST_CASE("built-in identification: version 2's roster syncs and exports as a table, and a version 1 record still shows, edits and exports") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  // Both built-in versions are published at init, signed.
  const auto v1 = server.admin({"forms", "show", "outreach-identification", "--version", "1"});
  REQUIRE_MESSAGE(v1.exit_code == 0, v1.err);
  const auto v2 = server.admin({"forms", "show", "outreach-identification", "--json"});
  REQUIRE_MESSAGE(v2.exit_code == 0, v2.err);
  CHECK(json::parse(v2.out)["version"] == 2);

  TempDir dir;
  FieldDevice amina("amina", 0);
  enroll(server, amina, "amina");
  const std::string old = add_version1_record(amina);
  sync_ok(amina);
  const auto collected = amina.run({"collect", "outreach-identification", "--answers",
                                    kExamples + "outreach-identification.answers.json"});
  REQUIRE_MESSAGE(collected.exit_code == 0, collected.err);
  const std::string current = collected.out.substr(0, 36);
  const json shown_current = json::parse(amina.run({"show", current, "--json"}).out);
  CHECK(shown_current["form_version"] == 2);
  CHECK(shown_current["values"]["members_under_18"] == "4");
  CHECK(shown_current["values"]["members_with_needs"] == "3");
  const auto members = instance_ids(amina, current, "household_members");
  CHECK(members.size() == 6);

  // The old record shows with version 1, and edits validate against it: the household size
  // changes without a roster, and version 2's questions cannot be set on it.
  const auto shown = amina.run({"show", old});
  REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  CHECK(contains(shown.out, "Household size"));
  CHECK(json::parse(amina.run({"show", old, "--json"}).out)["form_version"] == 1);
  const auto edited = amina.run({"edit", old, "--set", "household_size=7"});
  REQUIRE_MESSAGE(edited.exit_code == 0, edited.err);
  CHECK(amina.run({"edit", old, "--set", "state=central_darfur"}).exit_code != 0);
  // A member of the new record is edited alone.
  const auto member = amina.run({"edit", current, "--set", "household_members/" + members[1] + "/m_age=17"});
  REQUIRE_MESSAGE(member.exit_code == 0, member.err);
  sync_ok(amina);

  // The office's export: both versions' rows, the roster as its own table.
  const std::string path = (dir.path() / "identifications.csv").string();
  const auto exported = server.admin({"export", "--form", "outreach-identification", "--out", path});
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
  const Rows records = read_table(path);
  REQUIRE(records.size() == 3);
  auto versions = column_of(records, "form_version");
  std::sort(versions.begin(), versions.end());
  CHECK(versions == std::vector<std::string>{"1", "2"});
  CHECK(has_column(records, "locality"));
  CHECK(has_column(records, "members_under_18"));
  CHECK_FALSE(has_column(records, "m_sex"));
  const std::string roster_path = forms::repeat_keys::table_path(path, "household_members")->string();
  const Rows roster = read_table(roster_path);
  REQUIRE(roster.size() == 7);  // six members of the version 2 record, none of version 1's
  CHECK(column_of(roster, "form_version") == std::vector<std::string>(6, "2"));
  // Unlinked (docs/meal.md "Repeats"): no column ties a member to the record, and the rows are
  // sorted by their content, so the members are compared as sets.
  CHECK_FALSE(has_column(roster, "record"));
  CHECK_FALSE(has_column(roster, "position"));
  auto sorted = [](std::vector<std::string> cells) {
    std::sort(cells.begin(), cells.end());
    return cells;
  };
  CHECK(column_of(roster, "m_relationship") ==
        std::vector<std::string>{"child", "child", "child", "child", "parent", "self"});
  CHECK(sorted(column_of(roster, "m_age")) == std::vector<std::string>{"", "", "0-4", "12-17", "18-59", "5-11"});
  CHECK_FALSE(has_column(roster, "m_specific_needs"));  // sensitive
  for (const std::string& file : {path, roster_path}) {
    const std::string text = read_file(file);
    CHECK_FALSE(contains(text, "Amira Test-Person"));
    CHECK_FALSE(contains(text, "Rahma Old-Version"));
  }

  // Identified, for the office: the old record's edit is there.
  const std::string named = (dir.path() / "named.csv").string();
  REQUIRE(server.admin({"export", "--form", "outreach-identification", "--out", named, "--identified", "--by", "omar"})
              .exit_code == 0);
  const Rows named_rows = read_table(named);
  const auto names = column_of(named_rows, "full_name");
  const auto sizes = column_of(named_rows, "household_size");
  const auto at = static_cast<std::size_t>(std::find(names.begin(), names.end(), "Rahma Old-Version") - names.begin());
  REQUIRE(at < names.size());
  CHECK(sizes[at] == "7");
  CHECK(column_of(read_table(*forms::repeat_keys::table_path(named, "household_members")), "m_age")[1] == "17");
}
