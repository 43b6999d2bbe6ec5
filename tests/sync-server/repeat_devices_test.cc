// Repeat instances between devices (issue 15, "each repeat instance merges per instance and
// field like any value, so two devices editing different household members do not
// conflict; instances survive sync, bundles and eviction"), through the real binaries: a
// sync-server on 127.0.0.1 and field-client stores.
//
// Who may write: a record of a field form only its creating device (docs/security.md), so
// two devices editing one roster are a case worker's (the case's assignee) and an officer's
// of the same team, on a step of a case. The built-in case plan has no repeat, so the office
// publishes a version of it that adds one (repeat_support.h, case_plan_workbook).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "common/repeat_keys.h"
#include "tests/sync-server/forge.h"
#include "tests/sync-server/repeat_support.h"

using namespace amana::testing;
using namespace amana::testing::repeats;
using nlohmann::json;

namespace {

json values_of(const FieldDevice& device, const std::string& record) {
  const auto shown = device.run({"show", record, "--json"});
  REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  return json::parse(shown.out);
}

std::string value_of(const FieldDevice& device, const std::string& record, const std::string& key) {
  const json record_json = values_of(device, record);
  return record_json["values"].contains(key) ? record_json["values"][key].get<std::string>() : std::string();
}

// The answers of `record` that belong to `repeat` (markers and fields), key by key.
std::map<std::string, std::string> repeat_values(const FieldDevice& device, const std::string& record,
                                                 const std::string& repeat) {
  std::map<std::string, std::string> out;
  const json shown = values_of(device, record);
  for (const auto& [key, value] : shown["values"].items()) {
    if (starts_with(key, repeat + "/")) out[key] = value.get<std::string>();
  }
  return out;
}

void edit_ok(const FieldDevice& device, const std::string& record, const std::vector<std::string>& sets) {
  std::vector<std::string> args{"edit", record};
  for (const std::string& set : sets) args.insert(args.end(), {"--set", set});
  const auto edited = device.run(args);
  REQUIRE_MESSAGE(edited.exit_code == 0, edited.err);
}

// The id of the case's plan step, as the device's case file lists it.
std::string plan_of(const FieldDevice& device, const std::string& kase) {
  const auto shown = device.run({"case", "show", kase});
  REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  const auto at = shown.out.find("  case-plan  ");
  REQUIRE_MESSAGE(at != std::string::npos, shown.out);
  return shown.out.substr(at + 13, 36);
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::string device_id(const ServerUnderTest& server, const std::string& user) {
  for (const auto& d : json::parse(server.admin({"devices", "--json"}).out)) {
    if (d["user"] == user) return d["id"];
  }
  FAIL("no device of ", user);
  return "";
}

// A case of Amina's (team um-dukhun) registered, assessed and planned with the published
// version 2 of the case plan, with three steps; Omar is the team's officer.
struct PlannedCase {
  explicit PlannedCase(bool with_officer_device) {
    REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
    const auto published = server.admin({"forms", "publish", case_plan_workbook(dir)});
    REQUIRE_MESSAGE(published.exit_code == 0, published.err);
    enroll(server, amina, "amina");
    if (with_officer_device) enroll(server, omar, "omar");
    kase = open_example_case(amina, {"register", "assess"});  // its sync brings version 2
    const auto file = dir.path() / "plan.json";
    write_file(file, case_plan_answers(3));
    const auto planned = amina.run({"case", "plan", kase, "--answers", file.string()});
    REQUIRE_MESSAGE(planned.exit_code == 0, planned.err);
    sync_ok(amina);
    plan = plan_of(amina, kase);
    steps = instance_ids(amina, plan, "plan_steps");
    REQUIRE(steps.size() == 3);
    CHECK(values_of(amina, plan)["form_version"] == 2);
  }
  std::string key(std::size_t step, const std::string& field) const { return "plan_steps/" + steps.at(step) + "/" + field; }

  ServerUnderTest server;
  TempDir dir;
  FieldDevice amina{"amina", 0};
  FieldDevice omar{"omar", 0};
  std::string kase;
  std::string plan;
  std::vector<std::string> steps;
};

}  // namespace

TEST_CASE("repeat devices: the assignee's and the officer's device edit different steps of one plan offline without a conflict, the same step's field with one") {
  PlannedCase c(true);
  sync_ok(c.omar);  // the team's officer holds the case and its steps
  CHECK(instance_ids(c.omar, c.plan, "plan_steps") == c.steps);
  CHECK(values_of(c.omar, c.plan)["form_version"] == 2);

  // Offline on both: Amina marks the first step done, Omar the second dropped and its owner.
  edit_ok(c.amina, c.plan, {c.key(0, "step_status") + "=done"});
  edit_ok(c.omar, c.plan, {c.key(1, "step_status") + "=dropped", c.key(1, "step_owner") + "=client"});
  sync_ok(c.amina);
  sync_ok(c.omar);
  sync_ok(c.amina);
  const auto none = c.server.admin({"cases", "conflicts", c.kase});
  REQUIRE_MESSAGE(none.exit_code == 0, none.err);
  CHECK_MESSAGE(contains(none.out, "No conflicting edits"), none.out);
  for (const FieldDevice* device : {&c.amina, &c.omar}) {
    CHECK(value_of(*device, c.plan, c.key(0, "step_status")) == "done");
    CHECK(value_of(*device, c.plan, c.key(1, "step_status")) == "dropped");
    CHECK(value_of(*device, c.plan, c.key(1, "step_owner")) == "client");
    CHECK(value_of(*device, c.plan, c.key(2, "step_status")) == "pending");
    CHECK(instance_ids(*device, c.plan, "plan_steps") == c.steps);
  }
  const auto on_amina = repeat_values(c.amina, c.plan, "plan_steps");
  CHECK(on_amina.size() == 12);  // three markers and three fields each
  CHECK(on_amina == repeat_values(c.omar, c.plan, "plan_steps"));
  // The office's export has both edits, one row per step, keyed to the plan (identified: a
  // de-identified table is unlinked, its rows sorted by content, docs/meal.md).
  const std::string path = (c.dir.path() / "plans.csv").string();
  const auto exported = c.server.admin({"export", "--form", "case-plan", "--out", path});
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
  CHECK_FALSE(contains(read_file(*amana::forms::repeat_keys::table_path(path, "plan_steps")), "Private action"));
  const std::string named = (c.dir.path() / "plans-named.csv").string();
  const auto identified = c.server.admin({"export", "--form", "case-plan", "--out", named, "--identified", "--by", "omar"});
  REQUIRE_MESSAGE(identified.exit_code == 0, identified.err);
  const Rows table = read_table(*amana::forms::repeat_keys::table_path(named, "plan_steps"));
  CHECK(column_of(table, "position") == std::vector<std::string>{"1", "2", "3"});
  CHECK(column_of(table, "step_status") == std::vector<std::string>{"done", "dropped", "pending"});
  CHECK(column_of(table, "step_owner") == std::vector<std::string>{"case_worker", "client", "case_worker"});

  // Offline again, both change the third step's status: one key, so one conflict.
  edit_ok(c.amina, c.plan, {c.key(2, "step_status") + "=done"});
  edit_ok(c.omar, c.plan, {c.key(2, "step_status") + "=dropped"});
  sync_ok(c.amina);
  sync_ok(c.omar);
  sync_ok(c.amina);
  const auto one = c.server.admin({"cases", "conflicts", c.kase});
  REQUIRE_MESSAGE(one.exit_code == 0, one.err);
  CHECK_MESSAGE(count_of(one.out, "were written without seeing each other") == 1, one.out);
  CHECK_MESSAGE(contains(one.out, c.plan + "  " + c.key(2, "step_status") + ": 'done' ("), one.out);
  CHECK(contains(one.out, ") and 'dropped' ("));
  // The later write stands on both devices until an officer decides; the rest is as merged.
  for (const FieldDevice* device : {&c.amina, &c.omar}) {
    CHECK(value_of(*device, c.plan, c.key(2, "step_status")) == "dropped");
    CHECK(value_of(*device, c.plan, c.key(0, "step_status")) == "done");
  }
  const auto resolved = c.server.admin({"cases", "resolve", c.kase, "--record", c.plan, "--field",
                                        c.key(2, "step_status"), "--value", "done", "--by", "omar"});
  REQUIRE_MESSAGE(resolved.exit_code == 0, resolved.err);
  CHECK(contains(c.server.admin({"cases", "conflicts", c.kase}).out, "No conflicting edits"));
  sync_ok(c.amina);
  sync_ok(c.omar);
  CHECK(value_of(c.amina, c.plan, c.key(2, "step_status")) == "done");
  CHECK(value_of(c.omar, c.plan, c.key(2, "step_status")) == "done");
}

TEST_CASE("repeat devices: a roster carried by USB bundle reaches the office whole, and so does an edit removing a member") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  TempDir dir;
  const auto published = server.admin({"forms", "publish", household_workbook(dir, false)});
  REQUIRE_MESSAGE(published.exit_code == 0, published.err);
  FieldDevice amina("amina", 0);
  enroll(server, amina, "amina");
  sync_ok(amina);  // the form comes by network once; from here on, only the USB stick
  const std::string record = collect_answers(amina, dir, "household", R"({"hh_size": 3, "members": [
    {"m_name": "Amina Yusufa", "m_age": 34, "m_needs": ["food"], "kids": [{"k_name": "Omar Littleone", "k_age": 4}]},
    {"m_name": "Yusuf Adamo", "m_age": 9, "kids": []},
    {"m_name": "Halima Alia", "m_age": 70, "kids": []}]})");
  const auto members = instance_ids(amina, record, "members");
  REQUIRE(members.size() == 3);
  const std::string id = device_id(server, "amina");
  int carried = 0;
  const auto carry = [&] {
    const std::string up = (dir.path() / ("up-" + std::to_string(++carried) + ".amana")).string();
    const std::string down = (dir.path() / ("down-" + std::to_string(carried) + ".amana")).string();
    const auto exported = amina.run({"bundle", "export", up});
    REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
    const auto imported = server.admin({"import-bundle", up});
    REQUIRE_MESSAGE(imported.exit_code == 0, imported.err);
    REQUIRE(server.admin({"bundle", "export", "--device", id, down}).exit_code == 0);
    const auto acknowledged = amina.run({"bundle", "import", down});
    REQUIRE_MESSAGE(acknowledged.exit_code == 0, acknowledged.err);
    CHECK(amina.pending_operations() == 0);
  };
  const auto office_table = [&](const std::string& repeat) {
    const std::string path = (dir.path() / ("office-" + std::to_string(carried) + ".csv")).string();
    const auto exported = server.admin({"export", "--form", "household", "--out", path, "--identified", "--by", "omar",
                                        "--force"});
    REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
    return read_table(*amana::forms::repeat_keys::table_path(path, repeat));
  };

  carry();
  Rows table = office_table("members");
  CHECK(column_of(table, "instance") == members);  // the device's instance ids, in order
  CHECK(column_of(table, "m_name") == std::vector<std::string>{"Amina Yusufa", "Yusuf Adamo", "Halima Alia"});
  CHECK(column_of(table, "m_age") == std::vector<std::string>{"34", "9", "70"});
  CHECK(column_of(office_table("kids"), "k_name") == std::vector<std::string>{"Omar Littleone"});

  // Halima moved away: the household is two, her instance removed; Yusuf's age corrected.
  edit_ok(amina, record, {"hh_size=2", "members/" + members[2] + "=", "members/" + members[1] + "/m_age=10"});
  CHECK(instance_ids(amina, record, "members") == std::vector<std::string>{members[0], members[1]});
  carry();
  table = office_table("members");
  CHECK(column_of(table, "instance") == std::vector<std::string>{members[0], members[1]});
  CHECK(column_of(table, "m_age") == std::vector<std::string>{"34", "10"});
  CHECK(column_of(table, "position") == std::vector<std::string>{"1", "2"});
}

TEST_CASE("repeat devices: a case's plan steps leave the device with the case and come back whole") {
  PlannedCase c(false);
  edit_ok(c.amina, c.plan, {c.key(1, "step_status") + "=done"});
  sync_ok(c.amina);
  const auto before = repeat_values(c.amina, c.plan, "plan_steps");
  CHECK(before.size() == 12);  // three markers and three fields each

  // Assigned to Hawa: the case and its steps leave Amina's device.
  REQUIRE(c.server.admin({"cases", "assign", c.kase, "hawa", "--by", "omar"}).exit_code == 0);
  const auto evicted = c.amina.run({"sync"});
  REQUIRE_MESSAGE(evicted.exit_code == 0, evicted.err);
  CHECK(contains(evicted.err, "removed 1 case "));
  CHECK(c.amina.run({"show", c.plan}).exit_code != 0);

  // Back to Amina: the plan returns with every instance, its ids, positions and answers.
  REQUIRE(c.server.admin({"cases", "assign", c.kase, "amina", "--by", "omar"}).exit_code == 0);
  sync_ok(c.amina);
  CHECK(repeat_values(c.amina, c.plan, "plan_steps") == before);
  CHECK(instance_ids(c.amina, c.plan, "plan_steps") == c.steps);
  CHECK(values_of(c.amina, c.plan)["form_version"] == 2);
  // ... and is worked on as before.
  edit_ok(c.amina, c.plan, {c.key(2, "step_status") + "=done"});
  sync_ok(c.amina);
  const std::string path = (c.dir.path() / "back.csv").string();
  REQUIRE(c.server.admin({"export", "--form", "case-plan", "--out", path, "--identified", "--by", "omar"}).exit_code == 0);
  CHECK(column_of(read_table(*amana::forms::repeat_keys::table_path(path, "plan_steps")), "step_status") ==
        std::vector<std::string>{"pending", "done", "done"});
}

TEST_CASE("repeat devices: a device owner who may not write the plan signs an edit of one of its steps, and it is refused") {
  PlannedCase c(false);
  REQUIRE(c.server.admin({"users", "add", "zara", "--role", "assistant", "--team", "zalingei"}).exit_code == 0);
  FieldDevice zara("zara", 0);
  enroll(c.server, zara, "zara");
  const std::string path = (c.dir.path() / "plan.csv").string();
  auto step_statuses = [&] {
    REQUIRE(c.server.admin({"export", "--form", "case-plan", "--out", path, "--force"}).exit_code == 0);
    return column_of(read_table(*amana::forms::repeat_keys::table_path(path, "plan_steps")), "step_status");
  };
  const auto before = step_statuses();
  REQUIRE(before == std::vector<std::string>{"pending", "pending", "pending"});
  const amana::RecordId plan = *amana::RecordId::parse(c.plan);
  const amana::RecordId kase = *amana::RecordId::parse(c.kase);
  auto forged_edit = [&](DeviceOwner& owner) {
    amana::pb::Operation edit = owner.operation(amana::pb::Operation::UPDATE, plan, "case-plan",
                                                {{c.key(1, "step_status"), "done"}}, kase);
    edit.set_form_version(2);
    owner.changeset({edit});
    return owner.push(c.server.url());
  };

  // Zara, of another team, edits a step of Amina's plan.
  DeviceOwner stranger(zara);
  const amana::pb::PushResponse by_stranger = forged_edit(stranger);
  REQUIRE(by_stranger.refused_size() == 1);
  CHECK(by_stranger.refused(0).rule() == "case_not_held");

  // Amina, once the case is Hawa's, edits a step of it from her old device.
  REQUIRE(c.server.admin({"cases", "assign", c.kase, "hawa", "--by", "omar"}).exit_code == 0);
  sync_ok(c.amina);
  DeviceOwner former(c.amina);
  const amana::pb::PushResponse by_former = forged_edit(former);
  REQUIRE(by_former.refused_size() == 1);
  CHECK(by_former.refused(0).rule() == "case_not_held");

  CHECK(step_statuses() == before);
}
