// Repeats in exports (issue 15, "exports write each repeat as its own table with the parent
// key"), through the real binaries: a household roster collected on a device and synced to
// a sync-server on 127.0.0.1 comes out as a table per repeat (a file per repeat in CSV and
// JSON lines, a sheet per repeat in XLSX, a table per repeat in a MEAL device's pull), each
// row keyed to its record and, nested, to its enclosing instance when identified; de-identified,
// each table is unlinked (no record, instance or position; rows sorted by their content) and a
// sensitive field inside a repeat never leaves.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/repeat_keys.h"
#include "tests/sync-server/repeat_support.h"

using namespace amana::testing;
using namespace amana::testing::repeats;

namespace {

const std::vector<std::string> kNames = {"Amina Yusufa", "Yusuf Adamo", "Halima Alia", "Omar Littleone",
                                         "Zahra Littleone"};

struct Household {
  Household() {
    REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
    const auto published = server.admin({"forms", "publish", household_workbook(dir, false)});
    REQUIRE_MESSAGE(published.exit_code == 0, published.err);
    enroll(server, device, "amina");
    sync_ok(device);
    record = collect_answers(device, dir, "household", kThreeMembers);
    collect_answers(device, dir, "household", R"({"hh_size": 0, "members": []})");
    sync_ok(device);
  }
  // The export of the household form into `name`, with `extra` arguments.
  std::string exported(const std::string& name, std::vector<std::string> extra = {}) const {
    const std::string path = (dir.path() / name).string();
    std::vector<std::string> args{"export", "--form", "household", "--out", path};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = server.admin(args);
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);
    return path;
  }
  ServerUnderTest server;
  FieldDevice device{"amina", 0};
  TempDir dir;
  std::string record;
};

std::string sibling(const std::string& path, const std::string& repeat) {
  return *amana::forms::repeat_keys::table_path(path, repeat);
}

}  // namespace

TEST_CASE("repeat export: a CSV file per repeat, a row per instance, keyed to its record only when identified") {
  Household h;
  const std::string main_path = h.exported("household.csv");
  const Rows records = read_table(main_path);
  REQUIRE(records.size() == 3);  // the header and two records
  CHECK_FALSE(has_column(records, "m_age"));  // a member's fields are in the members table
  // De-identified, the roster is unlinked: no column ties a member to the household, whose
  // size its rows would otherwise count (hh_size is the form's own question here).
  const Rows members = read_table(sibling(main_path, "members"));
  CHECK(members[0] == std::vector<std::string>{"form_version", "m_age", "m_needs", "m_needs/food", "m_needs/health",
                                               "m_needs/shelter"});
  REQUIRE(members.size() == 4);  // three members of the first household, none of the second
  CHECK(column_of(members, "form_version") == std::vector<std::string>(3, "1"));
  CHECK(column_of(members, "m_age") == std::vector<std::string>{"18-59", "5-11", "60+"});  // sorted by content
  CHECK(column_of(members, "m_needs/food") == std::vector<std::string>{"1", "", "0"});
  const Rows kids = read_table(sibling(main_path, "kids"));
  CHECK(kids[0] == std::vector<std::string>{"form_version", "k_age"});
  REQUIRE(kids.size() == 3);
  CHECK(column_of(kids, "k_age") == std::vector<std::string>{"2", "4"});  // sorted, not in the member's order

  // Nothing sensitive in any of the files: no name, no disability, not even its column.
  for (const std::string& file : {main_path, sibling(main_path, "members"), sibling(main_path, "kids"),
                                  main_path + ".codebook.csv"}) {
    CAPTURE(file);
    const std::string text = read_file(file);
    for (const std::string& name : kNames) CHECK_FALSE(contains(text, name));
    CHECK_FALSE(contains(text, "m_disability"));
    CHECK_FALSE(contains(text, "hearing_impaired"));
    CHECK_FALSE(contains(text, "m_name"));
    CHECK_FALSE(contains(text, h.record));
  }
  const std::string codebook = read_file(main_path + ".codebook.csv");
  CHECK(contains(codebook, "\nmembers/m_age,Age,"));
  CHECK(contains(codebook, "age band"));
  CHECK(contains(codebook, "\nmembers,Table: one row per instance of Household members,"));
  CHECK(contains(codebook, "unlinked: no column ties a row to its record"));
  CHECK_FALSE(contains(codebook, "/parent_instance,"));
  CHECK_FALSE(contains(codebook, "members/record,"));

  // Identified: the names and the disability are there, each row keyed to its record and,
  // nested, to its member, the keys in clear.
  const std::string identified = h.exported("identified.csv", {"--identified", "--by", "omar"});
  const Rows named = read_table(sibling(identified, "members"));
  CHECK(named[0] == std::vector<std::string>{"record", "form_version", "instance", "position", "m_name", "m_age",
                                             "m_disability", "m_needs", "m_needs/food", "m_needs/health",
                                             "m_needs/shelter"});
  CHECK(column_of(named, "position") == std::vector<std::string>{"1", "2", "3"});
  CHECK(column_of(named, "m_age") == std::vector<std::string>{"34", "9", "70"});
  const auto member_keys = column_of(named, "instance");
  const Rows named_kids = read_table(sibling(identified, "kids"));
  CHECK(named_kids[0] == std::vector<std::string>{"record", "form_version", "parent_instance", "instance", "position",
                                                  "k_name", "k_age"});
  CHECK(column_of(named_kids, "parent_instance") == std::vector<std::string>(2, member_keys[0]));
  CHECK(column_of(named_kids, "position") == std::vector<std::string>{"1", "2"});
  CHECK(column_of(named_kids, "k_age") == std::vector<std::string>{"4", "2"});
  CHECK(contains(read_file(identified + ".codebook.csv"), "\nkids/parent_instance,"));
  CHECK(column_of(named, "m_name") == std::vector<std::string>{"Amina Yusufa", "Yusuf Adamo", "Halima Alia"});
  CHECK(column_of(named, "m_disability") == std::vector<std::string>{"hearing_impaired", "", ""});
  CHECK(column_of(named, "record") == std::vector<std::string>(3, h.record));
  CHECK(column_of(named, "instance") == instance_ids(h.device, h.record, "members"));
  CHECK(column_of(read_table(sibling(identified, "kids")), "k_name") ==
        std::vector<std::string>{"Omar Littleone", "Zahra Littleone"});

  // JSON lines: one file per repeat too.
  const std::string jsonl = h.exported("household.jsonl", {"--format", "jsonl"});
  const std::string lines = read_file(sibling(jsonl, "members"));
  CHECK(std::count(lines.begin(), lines.end(), '\n') == 3);
  CHECK(nlohmann::json::parse(lines.substr(0, lines.find('\n')))["m_age"] == "18-59");
  for (const std::string& name : kNames) CHECK_FALSE(contains(lines, name));

  // A file in the way of a repeat's table is not written over without --force.
  const std::string again = (h.dir.path() / "again.csv").string();
  write_file(sibling(again, "kids"), "someone's file\n");
  CHECK(h.server.admin({"export", "--form", "household", "--out", again}).exit_code != 0);
  CHECK(read_file(sibling(again, "kids")) == "someone's file\n");
}

TEST_CASE("repeat export: an XLSX sheet per repeat, and a MEAL device's pull carries each repeat's table") {
  Household h;
  const std::string xlsx = h.exported("household.xlsx", {"--format", "xlsx"});
  const auto workbook = run_command({"/usr/bin/unzip", "-p", xlsx, "xl/workbook.xml"});
  REQUIRE(workbook.exit_code == 0);
  CHECK(contains(workbook.out, "name=\"data\""));
  CHECK(contains(workbook.out, "name=\"members\""));
  CHECK(contains(workbook.out, "name=\"kids\""));
  CHECK(contains(workbook.out, "name=\"codebook\""));
  const auto members = run_command({"/usr/bin/unzip", "-p", xlsx, "xl/worksheets/sheet2.xml"});
  REQUIRE(members.exit_code == 0);
  CHECK(contains(members.out, ">18-59<"));
  CHECK(contains(members.out, ">60+<"));
  CHECK(contains(members.out, "<row r=\"4\""));        // three members
  CHECK_FALSE(contains(members.out, "<row r=\"5\""));
  const auto kids = run_command({"/usr/bin/unzip", "-p", xlsx, "xl/worksheets/sheet3.xml"});
  CHECK(contains(kids.out, "<v>4</v>"));  // an age kept as collected is a number
  const auto everything = run_command({"/usr/bin/unzip", "-p", xlsx});
  for (const std::string& name : kNames) CHECK_FALSE(contains(everything.out, name));
  CHECK_FALSE(contains(everything.out, "hearing_impaired"));

  // A MEAL device pulls the dataset with each repeat's table beside it, de-identified.
  REQUIRE(h.server.admin({"users", "add", "mona", "--role", "meal", "--team", "um-dukhun"}).exit_code == 0);
  FieldDevice meal("mona", 0);
  enroll(h.server, meal, "mona");
  const std::string pulled = (h.dir.path() / "pulled.csv").string();
  const auto pull = meal.run({"dataset", "pull", "--form", "household", "--out", pulled});
  REQUIRE_MESSAGE(pull.exit_code == 0, pull.err);
  const Rows pulled_members = read_table(sibling(pulled, "members"));
  CHECK_FALSE(has_column(pulled_members, "record"));  // unlinked over the wire too
  CHECK(column_of(pulled_members, "m_age") == std::vector<std::string>{"18-59", "5-11", "60+"});
  CHECK(read_table(sibling(pulled, "kids")).size() == 3);
  CHECK(pulled_members == read_table(sibling(h.exported("same.csv"), "members")));  // the same pseudonyms
  for (const std::string& file : {pulled, sibling(pulled, "members"), sibling(pulled, "kids")}) {
    for (const std::string& name : kNames) CHECK_FALSE(contains(read_file(file), name));
  }
}

TEST_CASE("repeat export: a version adding a question and a repeat, and old records still show, edit and export") {
  Household h;  // two records of version 1
  const auto published = h.server.admin({"forms", "publish", household_workbook(h.dir, true)});
  REQUIRE_MESSAGE(published.exit_code == 0, published.err);
  sync_ok(h.device);
  const std::string added = collect_answers(h.device, h.dir, "household", R"({"hh_size": 3, "water": "yes",
    "members": [{"m_name": "Adam Musa", "m_age": 40, "m_relation": "head", "kids": []},
                {"m_name": "Fatima Musa", "m_age": 38, "m_relation": "spouse", "kids": []},
                {"m_name": "Ali Musa", "m_age": 12, "m_relation": "child", "kids": []}],
    "visits": [{"v_day": 3}]})");
  // The old record shows, and an edit of one member's age validates against version 1.
  const auto shown = h.device.run({"show", h.record});
  REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  CHECK(contains(shown.out, "Household size"));
  const std::string second = instance_ids(h.device, h.record, "members").at(1);
  CHECK(h.device.run({"edit", h.record, "--set", "members/" + second + "/m_relation=child"}).exit_code != 0);
  const auto edited = h.device.run({"edit", h.record, "--set", "members/" + second + "/m_age=19"});
  REQUIRE_MESSAGE(edited.exit_code == 0, edited.err);
  sync_ok(h.device);

  const std::string path = h.exported("versions.csv");
  const Rows members = read_table(sibling(path, "members"));
  REQUIRE(members.size() == 7);  // three members of each household of three
  CHECK(has_column(members, "m_relation"));
  auto versions = column_of(members, "form_version");
  std::sort(versions.begin(), versions.end());
  CHECK(versions == std::vector<std::string>{"1", "1", "1", "2", "2", "2"});
  const auto ages = column_of(members, "m_age");
  CHECK(std::count(ages.begin(), ages.end(), "18-59") == 4);  // the edited 9 is 19 now, and two adults added
  CHECK(std::count(ages.begin(), ages.end(), "12-17") == 1);
  const Rows visits = read_table(sibling(path, "visits"));
  REQUIRE(visits.size() == 2);
  CHECK(column_of(visits, "v_day") == std::vector<std::string>{"3"});
  CHECK(contains(read_file(path), "water"));
  CHECK(added != h.record);
}
