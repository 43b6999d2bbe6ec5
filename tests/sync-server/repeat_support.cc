#include "tests/sync-server/repeat_support.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/csv.h"
#include "common/repeat_keys.h"
#include "tests/xlsx_fixture.h"

namespace amana::testing::repeats {

std::string household_workbook(const TempDir& dir, bool version2) {
  Rows survey = {{"type", "name", "label::English (en)", "required", "repeat_count", "sensitive", "disclosure"},
                 {"integer", "hh_size", "Household size", "yes", "", "", ""}};
  if (version2) survey.push_back({"select_one yes_no", "water", "Is there water?", "yes", "", "", ""});
  survey.insert(survey.end(), {{"begin repeat", "members", "Household members", "", "${hh_size}", "", ""},
                               {"text", "m_name", "Name", "yes", "", "yes", ""},
                               {"integer", "m_age", "Age", "yes", "", "", "age_band"},
                               {"select_one disability", "m_disability", "Disability", "", "", "yes", ""},
                               {"select_multiple needs", "m_needs", "Needs", "", "", "", ""}});
  if (version2) survey.push_back({"select_one relation", "m_relation", "Relation to the head", "", "", "", ""});
  survey.insert(survey.end(), {{"begin repeat", "kids", "Children", "", "", "", ""},
                               {"text", "k_name", "Child's name", "", "", "yes", ""},
                               {"integer", "k_age", "Child's age", "", "", "", ""},
                               {"end repeat", "", "", "", "", "", ""},
                               {"end repeat", "", "", "", "", "", ""}});
  if (version2) {
    survey.insert(survey.end(), {{"begin repeat", "visits", "Visits", "", "", "", ""},
                                 {"integer", "v_day", "Day of the visit", "", "", "", ""},
                                 {"end repeat", "", "", "", "", "", ""}});
  }
  const Rows choices = {{"list_name", "name", "label::English (en)"},
                        {"yes_no", "yes", "Yes"},
                        {"yes_no", "no", "No"},
                        {"disability", "hearing_impaired", "Hearing"},
                        {"disability", "none_declared", "None"},
                        {"needs", "food", "Food"},
                        {"needs", "health", "Health"},
                        {"needs", "shelter", "Shelter"},
                        {"relation", "head", "Head"},
                        {"relation", "spouse", "Spouse"},
                        {"relation", "child", "Child"}};
  const auto path = dir.path() / (version2 ? "household-v2.xlsx" : "household-v1.xlsx");
  write_xlsx(path, {{"survey", survey},
                    {"choices", choices},
                    {"settings", {{"form_id", "form_title"}, {"household", "Household"}}}});
  return path.string();
}

std::string case_plan_workbook(const TempDir& dir) {
  const Rows survey = {{"type", "name", "label::English (en)", "required", "sensitive"},
                       {"date", "plan_date", "Date of the plan", "yes", ""},
                       {"text", "goals", "Goals of the plan", "yes", "yes"},
                       {"select_one responsible", "responsible", "Who is mainly responsible?", "yes", ""},
                       {"integer", "timeframe_days", "Timeframe (days)", "yes", ""},
                       {"date", "next_follow_up", "Date of the next follow-up", "yes", ""},
                       {"date", "review_date", "Date the plan is reviewed", "", ""},
                       {"begin repeat", "plan_steps", "Steps of the plan", "", ""},
                       {"text", "step_action", "What is done", "yes", "yes"},
                       {"select_one responsible", "step_owner", "Who does it", "yes", ""},
                       {"select_one step_status", "step_status", "Status", "yes", ""},
                       {"end repeat", "", "", "", ""}};
  const Rows choices = {{"list_name", "name", "label::English (en)"},
                        {"responsible", "case_worker", "Case worker"},
                        {"responsible", "client", "Client"},
                        {"responsible", "service_provider", "Service provider"},
                        {"step_status", "pending", "Pending"},
                        {"step_status", "done", "Done"},
                        {"step_status", "dropped", "Dropped"}};
  const auto path = dir.path() / "case-plan-v2.xlsx";
  write_xlsx(path, {{"survey", survey},
                    {"choices", choices},
                    {"settings", {{"form_id", "form_title"}, {"case-plan", "Case plan"}}}});
  return path.string();
}

std::string case_plan_answers(int steps) {
  nlohmann::json answers = {{"plan_date", "2026-11-22"},   {"goals", "Safe shelter and legal papers"},
                            {"responsible", "case_worker"}, {"timeframe_days", 30},
                            {"next_follow_up", "2026-11-29"}, {"review_date", "2026-12-20"}};
  answers["plan_steps"] = nlohmann::json::array();
  for (int i = 1; i <= steps; ++i) {
    answers["plan_steps"].push_back({{"step_action", "Private action " + std::to_string(i)},
                                     {"step_owner", i % 2 == 1 ? "case_worker" : "service_provider"},
                                     {"step_status", "pending"}});
  }
  return answers.dump();
}

std::string collect_answers(const FieldDevice& device, const TempDir& dir, const std::string& form,
                            const std::string& json) {
  static int made = 0;
  const auto path = dir.path() / ("answers-" + std::to_string(++made) + ".json");
  write_file(path, json);
  const auto result = device.run({"collect", form, "--answers", path.string()});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  std::string id = result.out;
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

void sync_ok(const FieldDevice& device) {
  const auto result = device.run({"sync"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
}

Rows read_table(const std::string& path) {
  auto rows = csv::parse(read_file(path));
  REQUIRE_MESSAGE(rows.ok(), path);
  return *rows;
}

bool has_column(const Rows& table, const std::string& name) {
  return !table.empty() && std::find(table[0].begin(), table[0].end(), name) != table[0].end();
}

std::vector<std::string> column_of(const Rows& table, const std::string& name) {
  REQUIRE_MESSAGE(has_column(table, name), name);
  const auto index = static_cast<std::size_t>(std::find(table[0].begin(), table[0].end(), name) - table[0].begin());
  std::vector<std::string> out;
  for (std::size_t r = 1; r < table.size(); ++r) out.push_back(table[r].at(index));
  return out;
}

std::vector<std::string> instance_ids(const FieldDevice& device, const std::string& record, const std::string& repeat) {
  const auto shown = device.run({"show", record, "--json"});
  REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  std::vector<std::pair<std::string, std::string>> live;  // position, id
  const nlohmann::json record_json = nlohmann::json::parse(shown.out);
  for (const auto& [key, value] : record_json["values"].items()) {
    const auto parsed = forms::repeat_keys::parse(key);
    if (!parsed || !parsed->is_marker() || parsed->path.size() != 1 || parsed->path[0].repeat != repeat) continue;
    if (!value.get<std::string>().empty()) live.emplace_back(value.get<std::string>(), parsed->path[0].instance);
  }
  std::sort(live.begin(), live.end(), [](const auto& a, const auto& b) {
    return forms::repeat_keys::position_before(a.first, a.second, b.first, b.second);
  });
  std::vector<std::string> ids;
  for (const auto& [position, id] : live) ids.push_back(id);
  return ids;
}

}  // namespace amana::testing::repeats
