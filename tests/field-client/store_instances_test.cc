// A record whose answers hold repeat instances (common/repeat_keys.h) is stored, sealed,
// reopened and updated as flat answers like any other: the store needs nothing of repeats.
#include <doctest/doctest.h>

#include "common/answers.h"
#include "common/form.h"
#include "field-client/store.h"
#include "tests/support.h"

using namespace amana;

TEST_CASE("store: a record with repeat instances round-trips unchanged, and an edit of one member writes one key") {
  auto form = forms::parse_form_definition(R"~({"id": "roster", "version": 1, "title": "Roster", "fields": [
      {"name": "hh_size", "type": "integer", "label": "Household size", "required": true},
      {"name": "members", "type": "repeat", "label": "Members", "repeat_count": "${hh_size}", "fields": [
        {"name": "m_name", "type": "text", "label": "Name", "required": true},
        {"name": "m_age", "type": "integer", "label": "Age"}]},
      {"name": "total_age", "type": "calculate", "calculation": "sum(${m_age})"}]})~");
  REQUIRE_MESSAGE(form.ok(), form.status().message());
  auto given = forms::parse_answers_json(*form, R"({"hh_size": 2, "members": [{"m_name": "Amina", "m_age": 34},
                                                                             {"m_name": "Yusuf", "m_age": 9}]})");
  REQUIRE(given.ok());
  std::set<std::string, std::less<>> all;
  for (const auto& [key, value] : *given) all.insert(key);
  forms::ValidationOptions options;
  options.today = "2026-11-23";
  auto answers = forms::validate_submission(*form, *given, all, options);
  REQUIRE_MESSAGE(answers.ok(), answers.status().message());
  const auto members = forms::instances(*form, *form->find_group("members"), *answers);
  REQUIRE(members.size() == 2);
  const std::string yusuf_age = forms::answer_key(*form->find_field("m_age"), members[1]);

  testing::TempDir dir;
  RecordId id;
  {
    auto store = field::Store::create(dir.path() / "home", "a long field passphrase", "amina",
                                      testing::cheap_store_options());
    REQUIRE_MESSAGE(store.ok(), store.status().message());
    id = *store->add_record(*form, *answers);
    auto record = store->record(id);
    REQUIRE(record.ok());
    CHECK(record->values == *answers);
  }
  auto store = field::Store::open(dir.path() / "home", "a long field passphrase", testing::cheap_store_options());
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  auto reopened = store->record(id);
  REQUIRE(reopened.ok());
  CHECK(reopened->values == *answers);
  CHECK(reopened->values.at(yusuf_age) == "9");

  // One member's age changes: one key written, the other member's untouched.
  forms::Answers edited = reopened->values;
  edited[yusuf_age] = "10";
  auto revalidated = forms::validate_submission(*form, edited, {yusuf_age}, options);
  REQUIRE_MESSAGE(revalidated.ok(), revalidated.status().message());
  CHECK(revalidated->at("total_age") == "44");
  CHECK(*store->update_record(id, *revalidated));
  auto history = store->history(id);
  REQUIRE(history.ok());
  REQUIRE(history->size() == 2);
  std::set<std::string> changed;
  for (const auto& change : history->at(1).changes) changed.insert(change.field);
  CHECK(changed == std::set<std::string>{yusuf_age, "total_age"});
  CHECK(store->record(id)->values == *revalidated);
}
