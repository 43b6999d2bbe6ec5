// The UI's home (GET /api/home) against a store whose contents are known: which cases it
// lists as follow-ups due and as review items, its drafts, and the operations waiting to
// sync, counted apart from the store (the outbox rows themselves). Home reads the outbox
// count from the authenticated meta and opens only the cases it shows; this checks that
// what it answers is still what the store holds.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/sqlite.h"
#include "field-client/cases.h"
#include "field-client/drafts.h"
#include "field-client/shown_dates.h"
#include "field-client/ui_api.h"
#include "tests/support.h"

namespace amana::field::ui {
namespace {

using nlohmann::json;

struct KnownStore {
  testing::TempDir dir;
  forms::FormPack pack = std::move(forms::FormPack::builtin()).value();
  Store store = std::move(Store::create(dir.path() / "home", "test passphrase", "amina",
                                        testing::cheap_store_options()))
                    .value();
  forms::ValidationOptions options{Language::en, store.today()};
  CaseBook book{store, pack, options};

  RecordId open_case(const std::string& name) {
    auto id = book.open({{}, {name, "female", 30, "Um Dukhun"}, true});
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    return *id;
  }
  void step(RecordId id, cases::CaseEvent event, const forms::Answers& answers) {
    auto recorded = book.record_step(id, event, answers);
    REQUIRE_MESSAGE(recorded.ok(), recorded.status().message());
  }
  void register_and_assess(RecordId id, const std::string& name, const std::string& risk) {
    const std::string today = store.today();
    step(id, cases::CaseEvent::reg,
         {{"registration_date", today}, {"full_name", name}, {"sex", "female"}, {"age", "30"},
          {"displacement_status", "idp"}, {"location", "Um Dukhun"}, {"consent_services", "true"},
          {"consent_referral", "true"}, {"consent_information_sharing", "true"}, {"consent_obtained_by", "amina"},
          {"consent_date", today}});
    step(id, cases::CaseEvent::assess,
         {{"assessment_date", today}, {"protection_threats", "physical_assault"}, {"specific_needs", "SP"},
          {"risk_level", risk}, {"immediate_safety_concern", "false"}});
  }
  void plan(RecordId id, const std::string& plan_date, const std::string& follow_up) {
    step(id, cases::CaseEvent::plan,
         {{"plan_date", plan_date}, {"goals", "safety"}, {"actions", "refer"}, {"responsible", "case_worker"},
          {"timeframe_days", "30"}, {"next_follow_up", follow_up}, {"client_agreed", "true"}});
  }

  json home(Language language = Language::en) {
    Api api(store, pack);
    ApiCall call{"GET", "/api/home", {}, json::object(), language};
    ApiReply reply = api.call(call);
    REQUIRE_MESSAGE(reply.status.ok(), reply.status.message());
    return reply.body;
  }

  // The outbox as rows, not as the meta's arithmetic: what is still to be acknowledged.
  std::int64_t outbox_rows() {
    auto db = sql::Database::open(dir.path() / "home" / "store.db", sql::OpenMode::existing);
    REQUIRE(db.ok());
    auto q = (*db)->query(
        "SELECT count(*) FROM operations WHERE seq > "
        "(SELECT CAST(CAST(value AS TEXT) AS INTEGER) FROM meta WHERE key = 'acknowledged_sequence')");
    REQUIRE(q.ok());
    REQUIRE(*q->step());
    return q->column_int64(0);
  }
};

std::vector<std::string> names_of(const json& list) {
  std::vector<std::string> names;
  for (const json& item : list) names.push_back(item["name"]);
  return names;
}

TEST_CASE("ui home: follow-ups due, review items, drafts and operations waiting match a store with known contents") {
  KnownStore s;
  CHECK(s.home()["pending_operations"] == 0);
  CHECK(s.home()["followups_due"].empty());

  // Records that are no case's: counted as waiting to sync, shown nowhere else.
  const forms::FormDefinition& survey = **s.pack.find("pdm-survey");
  for (int i = 0; i < 5; ++i) REQUIRE(s.store.add_record(survey, {{"satisfaction", "4"}}).ok());

  // Overdue: planned long ago, its follow-up long past.
  const RecordId overdue = s.open_case("Amal Overdue");
  s.register_and_assess(overdue, "Amal Overdue", "medium");
  s.plan(overdue, "2020-01-01", "2020-02-01");
  // Due later, and not a review item.
  const RecordId later = s.open_case("Bahja Later");
  s.register_and_assess(later, "Bahja Later", "low");
  s.plan(later, s.store.today(), "2099-06-30");
  // High risk and no plan yet: a review item, no follow-up due.
  const RecordId unplanned = s.open_case("Dalia Unplanned");
  s.register_and_assess(unplanned, "Dalia Unplanned", "high");
  // Closed (by the office, as a pull would bring it): neither listed nor reviewed.
  const RecordId closed = s.open_case("Hawa Closed");
  s.register_and_assess(closed, "Hawa Closed", "high");
  s.plan(closed, "2020-01-01", "2020-02-01");
  {
    auto record = s.store.record(closed);
    REQUIRE(record.ok());
    forms::Answers values = record->values;
    values[std::string(cases::field::kStatus)] = "closed";
    REQUIRE(s.store.update_record(closed, values).ok());
  }

  Drafts drafts(s.store);
  for (const char* form : {"pdm-survey", "outreach-identification"}) {
    Draft d;
    d.form_id = form;
    d.form_version = (*s.pack.find(form))->version;
    d.answers = {{"consent", "yes"}};
    REQUIRE(drafts.save(d).ok());
  }

  const json home = s.home();
  // 5 surveys; 4 cases opened; 11 steps, each with its case's new values; 1 closure.
  CHECK(home["pending_operations"] == 5 + 4 + 11 * 2 + 1);
  CHECK(home["pending_operations"] == s.outbox_rows());
  CHECK(home["user"] == "amina");
  CHECK(home["enrolled"] == false);

  // Every open case with a due date, soonest first; the closed one is not there.
  const json& due = home["followups_due"];
  REQUIRE(due.size() == 2);
  CHECK(names_of(due) == std::vector<std::string>{"Amal Overdue", "Bahja Later"});
  CHECK(due[0]["case"] == overdue.to_string());
  CHECK(due[0]["due"] == shown_date("2020-02-01", Language::en));
  CHECK(due[0]["overdue"] == true);
  CHECK(due[1]["case"] == later.to_string());
  CHECK(due[1]["overdue"] == false);

  // The review's findings, in case order (newest case first), each named.
  const json& review = home["review"];
  REQUIRE(review.size() == 2);
  CHECK(review[0]["case"] == unplanned.to_string());
  CHECK(review[0]["name"] == "Dalia Unplanned");
  CHECK(review[0]["what"].get<std::string>().find("no case plan") != std::string::npos);
  CHECK(review[1]["case"] == overdue.to_string());
  CHECK(review[1]["what"].get<std::string>().find("2020-02-01") != std::string::npos);
  for (const json& item : review) CHECK(item["case"] != closed.to_string());

  const json& listed = home["drafts"];
  REQUIRE(listed.size() == 2);

  // The same counts in Arabic, the dates as people there read them.
  const json arabic = s.home(Language::ar);
  CHECK(arabic["pending_operations"] == home["pending_operations"]);
  CHECK(arabic["followups_due"].size() == 2);
  CHECK(arabic["followups_due"][0]["due"] == shown_date("2020-02-01", Language::ar));
  CHECK(arabic["review"].size() == 2);

  // A draft discarded and a record added move home's counts by exactly that.
  REQUIRE(drafts.discard(*DraftId::parse(listed[0]["id"].get<std::string>())).ok());
  REQUIRE(s.store.add_record(survey, {{"satisfaction", "5"}}).ok());
  const json after = s.home();
  CHECK(after["drafts"].size() == 1);
  CHECK(after["pending_operations"] == home["pending_operations"].get<std::int64_t>() + 1);
  CHECK(after["pending_operations"] == s.outbox_rows());
}

}  // namespace
}  // namespace amana::field::ui
