// What the repeat tests through the real binaries share: a household form with a roster
// (an XLSForm made with tests/xlsx_fixture.h), collecting with an answers file, and reading
// an export's tables.
#pragma once

#include <string>
#include <vector>

#include "tests/support.h"

namespace amana::testing::repeats {

using Rows = std::vector<std::vector<std::string>>;

// The household form `household`: a size, a roster `members` of that many (a name and a
// disability, both sensitive; an age, banded; needs, a select_multiple), each with an
// open-ended nested repeat `kids` (a name and an age). `version2` adds a question to the
// top level (`water`) and to each member (`m_relation`), and a repeat `visits`.
std::string household_workbook(const TempDir& dir, bool version2);

// A version of the built-in case form `case-plan` that keeps every question of it the case
// cycle reads (plan_date, next_follow_up) and adds a question (`review_date`) and an
// open-ended repeat `plan_steps` (an action, sensitive; who does it; its status), for the
// tests of two devices editing one case's roster: a case step may be written by its
// assignee's device and the team's officers' devices (docs/security.md).
std::string case_plan_workbook(const TempDir& dir);
// A case plan's answers with `steps` instances of plan_steps (their status `pending`).
std::string case_plan_answers(int steps);

// Answers to `household`: three members, the first with two kids (five names in all).
inline constexpr const char* kThreeMembers = R"({"hh_size": 3, "members": [
  {"m_name": "Amina Yusufa", "m_age": 34, "m_disability": "hearing_impaired", "m_needs": ["food", "health"],
   "kids": [{"k_name": "Omar Littleone", "k_age": 4}, {"k_name": "Zahra Littleone", "k_age": 2}]},
  {"m_name": "Yusuf Adamo", "m_age": 9, "kids": []},
  {"m_name": "Halima Alia", "m_age": 70, "m_needs": ["shelter"], "kids": []}]})";

// Writes `json` to a file in `dir` and collects it with `device`: the new record's id.
std::string collect_answers(const FieldDevice& device, const TempDir& dir, const std::string& form,
                            const std::string& json);

void sync_ok(const FieldDevice& device);

// A CSV file read as rows, the header first.
Rows read_table(const std::string& path);
// The values of the column `name` in `table` (a header row first).
std::vector<std::string> column_of(const Rows& table, const std::string& name);
bool has_column(const Rows& table, const std::string& name);

// The live instances of `repeat` in the record (its answers' flat keys), by position:
// their ids.
std::vector<std::string> instance_ids(const FieldDevice& device, const std::string& record, const std::string& repeat);

}  // namespace amana::testing::repeats
