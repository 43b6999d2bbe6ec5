// amana-bench-forms: the form engine on a large form, for docs/benchmarks.md.
//   A 500-question form in 20 groups (each group with its own relevance, every question
//   with a constraint, one calculation per group over its answers, a cascading select) and
//   a household roster repeat of 100 instances (its count computed, five fields each with
//   relevance, a constraint and a calculation per instance, sums over the instances):
//   time to load and check the definition, then per record the time to validate a full
//   submission (relevance, constraints, calculations in evaluation order) and to save it
//   (validate + seal + insert + outbox, one durable transaction each).
// Run through tools/bench, which builds it first.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "common/answers.h"
#include "common/form.h"
#include "common/repeat_keys.h"
#include "field-client/store.h"

namespace {

using namespace amana;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

int fail(const Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  return 1;
}

constexpr int kGroups = 20;
constexpr int kPerGroup = 25;  // 500 questions
constexpr int kMembers = 100;  // instances of the roster repeat

// The definition, and a submission answering every question.
std::pair<std::string, forms::Answers> large_form() {
  json fields = json::array();
  forms::Answers answers;
  fields.push_back({{"name", "state"}, {"type", "select_one"}, {"label", "State"}, {"required", true},
                    {"choices", json::array({{{"name", "cd"}, {"label", "Central Darfur"}},
                                             {{"name", "sd"}, {"label", "South Darfur"}}})}});
  json localities = json::array();
  for (int i = 0; i < 40; ++i) {
    localities.push_back({{"name", "l" + std::to_string(i)}, {"label", "Locality " + std::to_string(i)},
                          {"columns", {{"state", i % 2 == 0 ? "cd" : "sd"}}}});
  }
  fields.push_back({{"name", "locality"}, {"type", "select_one"}, {"label", "Locality"}, {"required", true},
                    {"choice_filter", "state = ${state}"}, {"choices", localities}});
  answers["state"] = "cd";
  answers["locality"] = "l10";
  int asked = 2;
  for (int g = 0; g < kGroups; ++g) {
    json inner = json::array();
    std::string sum;
    for (int q = 0; q < kPerGroup && asked < kGroups * kPerGroup; ++q, ++asked) {
      const std::string name = "g" + std::to_string(g) + "_q" + std::to_string(q);
      if (q % 5 == 0) {
        inner.push_back({{"name", name}, {"type", "select_one"}, {"label", "Choice " + name},
                         {"choices", json::array({{{"name", "yes"}, {"label", "Yes"}}, {{"name", "no"}, {"label", "No"}}})}});
        answers[name] = "yes";
      } else if (q % 5 == 1) {
        inner.push_back({{"name", name}, {"type", "text"}, {"label", "Text " + name},
                         {"constraint", "string-length(.) <= 200"}});
        answers[name] = "An answer of a few words to " + name;
      } else {
        inner.push_back({{"name", name}, {"type", "integer"}, {"label", "How many " + name},
                         {"constraint", ". >= 0 and . <= 1000"}, {"required", true}});
        answers[name] = std::to_string(q * 3);
        sum += (sum.empty() ? "" : " + ") + std::string("${") + name + "}";
      }
    }
    inner.push_back({{"name", "g" + std::to_string(g) + "_total"}, {"type", "calculate"}, {"calculation", sum}});
    json group{{"name", "group_" + std::to_string(g)}, {"type", "group"}, {"label", "Section " + std::to_string(g)},
               {"fields", inner}};
    if (g > 0) group["relevant"] = "${g" + std::to_string(g - 1) + "_total} >= 0 and ${state} != ''";
    fields.push_back(group);
  }
  fields.push_back({{"name", "hh_size"}, {"type", "integer"}, {"label", "Household size"}, {"required", true}});
  answers["hh_size"] = std::to_string(kMembers);
  json roster = json::array();
  roster.push_back({{"name", "m_name"}, {"type", "text"}, {"label", "Name"}, {"required", true}});
  roster.push_back({{"name", "m_age"}, {"type", "integer"}, {"label", "Age of ${m_name}"}, {"required", true},
                    {"constraint", ". >= 0 and . <= 120"}});
  roster.push_back({{"name", "m_sex"}, {"type", "select_one"}, {"label", "Sex"},
                    {"choices", json::array({{{"name", "f"}, {"label", "Female"}}, {{"name", "m"}, {"label", "Male"}}})}});
  roster.push_back({{"name", "m_child"}, {"type", "calculate"}, {"calculation", "if(${m_age} < 18, 'child', 'adult')"}});
  roster.push_back({{"name", "m_school"}, {"type", "boolean"}, {"label", "At school"}, {"relevant", "${m_age} < 18"},
                    {"required", true}});
  fields.push_back({{"name", "members"}, {"type", "repeat"}, {"label", "Household members"},
                    {"repeat_count", "${hh_size}"}, {"fields", roster}});
  fields.push_back({{"name", "total_age"}, {"type", "calculate"}, {"calculation", "sum(${m_age})"}});
  fields.push_back({{"name", "n_members"}, {"type", "calculate"}, {"calculation", "count(${members})"}});
  for (int i = 0; i < kMembers; ++i) {
    const std::string instance = "members/" + forms::repeat_keys::new_instance_id();
    answers[instance] = std::to_string(i + 1);
    answers[instance + "/m_name"] = "Member " + std::to_string(i);
    answers[instance + "/m_age"] = std::to_string(i % 80);
    answers[instance + "/m_sex"] = i % 2 == 0 ? "f" : "m";
    if (i % 80 < 18) answers[instance + "/m_school"] = "true";
  }
  json form{{"id", "bench-large"}, {"version", 1}, {"title", "A 500-question form"}, {"fields", fields}};
  return {form.dump(), answers};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Form engine benchmark"};
  int records = 2000;
  app.add_option("--records", records, "Records to validate and save")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto [definition, answers] = large_form();
  auto start = Clock::now();
  auto form = forms::parse_form_definition(definition);
  if (!form.ok()) return fail(form.status());
  const double load_ms = seconds_since(start) * 1000.0;
  std::set<std::string, std::less<>> all;
  for (const auto& [name, value] : answers) all.insert(name);
  forms::ValidationOptions options;
  options.today = "2026-11-23";
  options.now = "2026-11-23T10:00:00Z";

  start = Clock::now();
  for (int i = 0; i < records; ++i) {
    auto validated = forms::validate_submission(*form, answers, all, options);
    if (!validated.ok()) return fail(validated.status());
  }
  const double validate_ms = seconds_since(start) * 1000.0 / records;

  const auto home = std::filesystem::temp_directory_path() / ("amana-bench-forms-" + std::to_string(::getpid()));
  std::filesystem::remove_all(home);
  auto store = field::Store::create(home, "benchmark passphrase", "bench");
  if (!store.ok()) return fail(store.status());
  start = Clock::now();
  for (int i = 0; i < records; ++i) {
    auto validated = forms::validate_submission(*form, answers, all, options);
    if (!validated.ok()) return fail(validated.status());
    auto id = store->add_record(*form, *validated);
    if (!id.ok()) return fail(id.status());
  }
  const double save_ms = seconds_since(start) * 1000.0 / records;
  std::filesystem::remove_all(home);
  std::cout << "form: " << form->fields.size() << " fields (" << kGroups * kPerGroup << " questions and "
            << kGroups << " calculations in " << kGroups << " groups, and a roster repeat of 5 fields), "
            << definition.size() << " bytes of JSON; each record " << kMembers << " roster instances, "
            << answers.size() << " answers\n"
            << "load and check the definition  " << load_ms << " ms\n"
            << "validate a submission          " << validate_ms << " ms per record (" << records << " records)\n"
            << "validate and save              " << save_ms << " ms per record (seal + insert + outbox, one "
            << "durable transaction each)\n";
  return 0;
}
