// The UI's records screen (GET /api/records): the newest first, and a search through what
// the records say (every sealed record opened once, in one pass: Store::visit_record_values)
// or by a part of a record's id. Cases are not listed here (they have their own screen).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "field-client/cases.h"
#include "field-client/ui_api.h"
#include "tests/support.h"

namespace amana::field::ui {
namespace {

using nlohmann::json;

struct RecordsScreen {
  testing::TempDir dir;
  forms::FormPack pack = std::move(forms::FormPack::builtin()).value();
  Store store = std::move(Store::create(dir.path() / "home", "test passphrase", "amina",
                                        testing::cheap_store_options()))
                    .value();
  const forms::FormDefinition& survey = **pack.find("pdm-survey");
  const forms::FormDefinition& identification = **pack.find("outreach-identification");

  RecordId add(const forms::FormDefinition& form, const forms::Answers& answers) {
    auto id = store.add_record(form, answers);
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    return *id;
  }
  json list(const std::map<std::string, std::string, std::less<>>& query = {}) {
    Api api(store, pack);
    ApiReply reply = api.call({"GET", "/api/records", query, json::object(), Language::en});
    REQUIRE_MESSAGE(reply.status.ok(), reply.status.message());
    return reply.body;
  }
  std::vector<std::string> found(const std::string& q) {
    std::vector<std::string> ids;
    for (const json& r : list({{"q", q}})) ids.push_back(r["id"]);
    return ids;
  }
};

TEST_CASE("ui records: a search finds what the records say, folded, and by a part of the id, never a case") {
  RecordsScreen s;
  const RecordId fatima = s.add(s.identification, {{"full_name", "Fāṭima AL-Hassan"}, {"site", "Um Dukhun"}});
  const RecordId arabic = s.add(s.identification, {{"full_name", "فاطِمة حسن"}, {"site", "Mukjar"}});
  const RecordId survey = s.add(s.survey, {{"satisfaction", "4"}, {"comments", "The cash came late"}});
  CaseBook book(s.store, s.pack, {Language::en, s.store.today()});
  auto kase = book.open({{}, {"Fatima Case", "female", 30, "Um Dukhun"}, true});
  REQUIRE(kase.ok());

  // Newest first, the case left out.
  const json all = s.list();
  REQUIRE(all.size() == 3);
  CHECK(all[0]["id"] == survey.to_string());
  CHECK(all[2]["id"] == fatima.to_string());

  CHECK(s.found("fatima al hassan") == std::vector<std::string>{fatima.to_string()});
  CHECK(s.found("FATIMA") == std::vector<std::string>{fatima.to_string()});
  CHECK(s.found("فاطمه") == std::vector<std::string>{arabic.to_string()});  // the same name as typed differently
  CHECK(s.found("cash came") == std::vector<std::string>{survey.to_string()});
  CHECK(s.found("dukhun") == std::vector<std::string>{fatima.to_string()});  // not the case's
  CHECK(s.found("zzzz-none").empty());
  const std::string id = arabic.to_string();
  CHECK(s.found(id.substr(id.size() - 8)) == std::vector<std::string>{id});
  // One form's only.
  CHECK(s.list({{"q", "a"}, {"form", "pdm-survey"}}).size() == 1);

  // An answer changed is found by its new value, not its old; a cleared one is not found.
  REQUIRE(s.store.update_record(survey, {{"satisfaction", "4"}, {"comments", "On time after all"}}).ok());
  CHECK(s.found("cash came").empty());
  CHECK(s.found("on time") == std::vector<std::string>{survey.to_string()});
  REQUIRE(s.store.update_record(survey, {{"satisfaction", "4"}}).ok());
  CHECK(s.found("on time").empty());
}

TEST_CASE("ui records: a search answers with at most one page, the newest matches first") {
  RecordsScreen s;
  std::vector<RecordId> ids;
  for (std::size_t i = 0; i < kListLimit + 5; ++i) ids.push_back(s.add(s.survey, {{"comments", "late " + std::to_string(i)}}));
  const json page = s.list({{"q", "late"}});
  REQUIRE(page.size() == kListLimit);
  CHECK(page[0]["id"] == ids.back().to_string());
  CHECK(s.found("late 204") == std::vector<std::string>{ids[204].to_string()});
}

}  // namespace
}  // namespace amana::field::ui
