// The office's case list kept at merge time (CentralStore::case_listing, migration 19) and
// a case's steps read by case (records_of_case): on generated data merged by devices, after
// office writes (reassignment, a transfer, a closure, a changed risk), and after the list
// is rebuilt as for a store made before it was kept, every view equals the one made the old
// way, from every record on the server (case_view over steps_by_case); and so do the pairs
// duplicate_cases finds from the list, against every case compared with every other.
#include <doctest/doctest.h>

#include <algorithm>

#include "common/person_match.h"
#include "common/sqlite.h"
#include "sync-server/admin.h"
#include "sync-server/case_admin.h"
#include "sync-server/org_keys.h"
#include "tests/support.h"

namespace amana::server {
namespace {

std::string shown(const CaseView& v) {
  return v.id.to_string() + "|" + v.status_text + "|" + v.name + "|" + v.risk_level + "|" + v.assigned_to + "|" +
         std::to_string(v.opened_at_ms) + "|" + std::to_string(v.steps);
}

// Every case as list_cases showed it before the list was kept: from every record.
std::vector<std::string> from_every_record(CentralStore& store) {
  auto records = store.records(std::nullopt);
  REQUIRE(records.ok());
  const StepsByCase by_case = steps_by_case(*records);
  std::vector<std::string> out;
  for (const CentralRecord& r : *records) {
    if (r.form_id != kCaseFormId) continue;
    auto found = by_case.find(r.id);
    out.push_back(shown(found == by_case.end() ? case_view(r, {}) : case_view(r, found->second)));
  }
  return out;
}

std::vector<std::string> listed(CentralStore& store) {
  auto cases = list_cases(store, StepCounts::counted);
  REQUIRE(cases.ok());
  std::vector<std::string> out;
  for (const CaseView& v : *cases) out.push_back(shown(v));
  return out;
}

// The list read in pages of 7, filtered as asked, against the whole list filtered here.
void check_pages(CentralStore& store, const CasePageQuery& filter, const std::function<bool(const CaseView&)>& wanted) {
  auto all = list_cases(store, StepCounts::counted);
  REQUIRE(all.ok());
  std::vector<std::string> expected, paged;
  for (const CaseView& v : *all) {
    if (wanted(v)) expected.push_back(shown(v));
  }
  CasePageQuery query = filter;
  query.limit = 7;
  for (int pages = 0; pages < 1000; ++pages) {
    auto page = list_case_page(store, query);
    REQUIRE(page.ok());
    CHECK(page->cases.size() <= 7);
    for (const CaseView& v : page->cases) paged.push_back(shown(v));
    if (!page->next) break;
    query.after = page->next;
  }
  CHECK(paged == expected);
}

// The pairs duplicate_cases found before it read the list: every case's values established
// from every record, every case compared with every other.
std::vector<std::string> duplicates_from_every_record(CentralStore& store) {
  auto records = store.records(std::nullopt);
  REQUIRE(records.ok());
  const StepsByCase by_case = steps_by_case(*records);
  std::vector<CaseView> views;
  std::vector<cases::ComparablePerson> people;
  for (const CentralRecord& r : *records) {
    if (r.form_id != kCaseFormId) continue;
    auto found = by_case.find(r.id);
    const std::span<const CentralRecord* const> steps =
        found == by_case.end() ? std::span<const CentralRecord* const>() : found->second;
    forms::Answers values = established_values(r, steps);
    const std::string age = values["age"];
    people.push_back(cases::comparable({values["name"], values["sex"],
                                        age.empty() ? std::nullopt : std::optional<int>(std::atoi(age.c_str())),
                                        values["location"]}));
    views.push_back(case_view(r, steps));
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < people.size(); ++i) {
    for (std::size_t j = i + 1; j < people.size(); ++j) {
      if (cases::likely_same_person(people[i], people[j])) out.push_back(shown(views[i]) + " = " + shown(views[j]));
    }
  }
  return out;
}

void check_duplicates(CentralStore& store) {
  const auto expected = duplicates_from_every_record(store);
  auto pairs = duplicate_cases(store);
  REQUIRE(pairs.ok());
  std::vector<std::string> found;
  for (const auto& [a, b] : *pairs) found.push_back(shown(a) + " = " + shown(b));
  CHECK(found == expected);
}

void check_all(CentralStore& store) {
  check_duplicates(store);
  const auto expected = from_every_record(store);
  CHECK(!expected.empty());
  CHECK(listed(store) == expected);
  check_pages(store, {}, [](const CaseView&) { return true; });
  CasePageQuery in_progress;
  in_progress.status = "in_progress";
  check_pages(store, in_progress, [](const CaseView& v) { return v.status_text == "in_progress"; });
  CasePageQuery high;
  high.risk_level = "high";
  check_pages(store, high, [](const CaseView& v) { return v.risk_level == "high"; });
  CasePageQuery held;
  held.assigned_to = "gen-assistant-2";
  check_pages(store, held, [](const CaseView& v) { return v.assigned_to == "gen-assistant-2"; });
  CasePageQuery named;
  named.keep = [](const CaseView& v) { return !v.name.empty() && v.name[0] < 'M'; };
  check_pages(store, named, named.keep);
  // A case's steps by case are those naming it among every record, in the same order.
  auto records = store.records(std::nullopt);
  REQUIRE(records.ok());
  const StepsByCase by_case = steps_by_case(*records);
  int compared = 0;
  for (const auto& [case_id, steps] : by_case) {
    if (compared++ == 20) break;
    auto read = store.records_of_case(case_id);
    REQUIRE(read.ok());
    REQUIRE(read->size() == steps.size());
    for (std::size_t i = 0; i < steps.size(); ++i) {
      CHECK((*read)[i].id == steps[i]->id);
      CHECK((*read)[i].values == steps[i]->values);
    }
  }
}

// The store of a data directory, unlocked.
std::unique_ptr<CentralStore> open_unlocked(const std::filesystem::path& data) {
  auto store = open_server_store(data);
  REQUIRE(store.ok());
  REQUIRE(unlock_org_keys(**store, testing::kPassphrases.at("AMANA_SERVER_PASSPHRASE")).ok());
  return std::move(*store);
}

}  // namespace

TEST_CASE("case list: the rows kept at merge show what every record shows, through office writes, reassignment "
          "and a rebuild") {
  testing::TempDir dir;
  const auto data = dir.path() / "server";
  const auto generated =
      testing::run_command({AMANA_GEN_DATA_BIN, "--data", data.string(), "--devices", "3", "--records", "30",
                            "--device-homes", (dir.path() / "devices").string()},
                           testing::kPassphrases);
  REQUIRE_MESSAGE(generated.exit_code == 0, generated.err);
  {
    auto store = open_unlocked(data);
    check_all(*store);

    auto cases = list_cases(*store, StepCounts::counted);
    REQUIRE(cases.ok());
    REQUIRE(cases->size() >= 6);
    const std::int64_t now = system_wall_clock()();
    int changed = 0;
    for (const CaseView& v : *cases) {
      if (!v.status || !cases::is_open(*v.status) || *v.status == cases::CaseStatus::closure_requested) continue;
      if (changed == 0) REQUIRE(assign_case(*store, v.id, "gen-assistant-2", "gen-officer-1", now).ok());
      if (changed == 1) REQUIRE(transfer_case(*store, v.id, "another org", "gen-officer-1", now).ok());
      if (changed == 2) REQUIRE(store->write_as_org(v.id, {{"risk_level", "high"}}, "gen-officer-1", now).ok());
      if (changed == 3) REQUIRE(store->write_as_org(v.id, {{"status", "closed"}}, "gen-officer-1", now).ok());
      if (++changed == 4) break;
    }
    CHECK(changed == 4);
    // People written alike on their registrations, pairs to find: in two scripts; a name
    // repeating a word, contained in a name holding that word once; a name of one word.
    const std::vector<std::string> names{"Amira Hassan", "أميرة حسن", "Adam Adam", "Adam Ali", "Hawa", "حواء"};
    std::size_t alike = 0;
    for (const CaseView& v : *cases) {
      auto steps = store->records_of_case(v.id);
      REQUIRE(steps.ok());
      for (const CentralRecord& step : *steps) {
        if (step.form_id != "case-registration" || alike == names.size()) continue;
        REQUIRE(store->write_as_org(step.id, {{"full_name", names[alike]}, {"sex", "female"},
                                              {"age", "30"}, {"location", "Um Dukhun"}},
                                    "gen-officer-1", now).ok());
        ++alike;
      }
    }
    CHECK(alike == names.size());
    check_all(*store);
    const auto pairs = duplicates_from_every_record(*store);
    for (const char* name : {"|Amira Hassan|", "|Adam Adam|", "|Hawa|"}) {
      CHECK_MESSAGE(std::any_of(pairs.begin(), pairs.end(), [&](const std::string& p) { return p.find(name) != std::string::npos; }),
                    name);
    }
  }
  {  // as a store made before the list was kept: built from the records on opening
    auto db = sql::Database::open(data / "central.db", sql::OpenMode::existing);
    REQUIRE(db.ok());
    REQUIRE((*db)->exec("DELETE FROM case_listing; INSERT INTO meta (key, value) VALUES ('case_listing_pending', x'01')").ok());
  }
  auto store = open_unlocked(data);
  check_all(*store);

  // No name in clear: every listed name is absent from the table's clear columns.
  auto cases = list_cases(*store, StepCounts::counted);
  REQUIRE(cases.ok());
  auto db = sql::Database::open(data / "central.db", sql::OpenMode::existing);
  REQUIRE(db.ok());
  auto rows = (*db)->query("SELECT status, risk_level FROM case_listing");
  REQUIRE(rows.ok());
  std::set<std::string> clear;
  while (*rows->step()) {
    clear.insert(rows->column_text(0));
    clear.insert(rows->column_text(1));
  }
  for (const CaseView& v : *cases) {
    if (!v.name.empty()) CHECK(clear.count(v.name) == 0);
    CHECK(clear.count(v.assigned_to) == 0);
  }
}

}  // namespace amana::server
