// The records search through the Store's in-memory index (Store::search_records) against
// the scan that opens every record (record_search.h): the same queries, the same answers,
// after the index was built and through every way a record changes after it (an edit, a
// record and a case received by sync, an evicted case), and when it is built in steps with
// writes in between.
#include <doctest/doctest.h>

#include "common/hlc.h"
#include "common/text_fold.h"
#include "field-client/cases.h"
#include "field-client/record_search.h"
#include "field-client/store_search.h"
#include "tests/support.h"

namespace amana::field {
namespace {

constexpr std::int64_t kWall = 1'800'000'000'000;
// Latin (folded: case, accents), Arabic (letter variants, harakat), digits (Arabic-Indic
// typed, ASCII stored, and the other way), a word of several records, none.
const std::vector<std::string> kQueries = {
    "fatima", "FĀṬIMA al-hassan", "فاطمه", "فاطِمة حسن", "khadija", "خديجة", "um dukhun", "mukjar", "0912",
    "٠٩١٢", "2026", "cash came", "on time", "a", "e", "zzzz-none", "late"};

struct SearchStore {
  testing::TempDir dir;
  forms::FormPack pack = std::move(forms::FormPack::builtin()).value();
  Store store = open_store();
  const forms::FormDefinition& survey = **pack.find("pdm-survey");
  const forms::FormDefinition& identification = **pack.find("outreach-identification");

  Store open_store() {
    StoreOptions options = testing::cheap_store_options();
    options.clock = [] { return kWall; };
    auto opened = Store::create(dir.path() / "home", "test passphrase", "amina", options);
    REQUIRE_MESSAGE(opened.ok(), opened.status().message());
    return std::move(opened).value();
  }
  RecordId add(const forms::FormDefinition& form, const forms::Answers& answers) {
    auto id = store.add_record(form, answers);
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    return *id;
  }
  // Returns the last one's id (Hawa Adam).
  RecordId add_some() {
    add(identification, {{"full_name", "Fāṭima AL-Hassan"}, {"site", "Um Dukhun"}, {"phone", "0912 345 678"}});
    add(identification, {{"full_name", "فاطِمة حسن"}, {"site", "Mukjar"}, {"phone", "٠٩١٢٣٤٥٦٧٨"}});
    add(survey, {{"satisfaction", "4"}, {"comments", "The cash came late"}, {"received_date", "2026-11-20"}});
    add(survey, {{"satisfaction", "9"}, {"comments", "late again, in Um Dukhun"}});
    return add(identification, {{"full_name", "Hawa Adam"}, {"site", "Garsila"}});
  }
  void edit(RecordId id, const forms::Answers& answers) {
    auto changed = store.update_record(id, answers);
    REQUIRE_MESSAGE(changed.ok(), changed.status().message());
    REQUIRE(*changed);
  }

  static std::vector<std::string> ids(const std::vector<RecordSummary>& found) {
    std::vector<std::string> out;
    for (const RecordSummary& r : found) out.push_back(r.id.to_string());
    return out;
  }
  std::vector<std::string> by_index(const std::string& q, std::optional<std::string_view> form = std::nullopt,
                                    std::size_t limit = 200) {
    auto found = search_records_by_index(store, form, text::fold(q), limit);
    REQUIRE_MESSAGE(found.ok(), found.status().message());
    return ids(*found);
  }
  std::vector<std::string> by_scan(const std::string& q, std::optional<std::string_view> form = std::nullopt,
                                   std::size_t limit = 200) {
    auto found = search_records_by_scan(store, form, text::fold(q), limit);
    REQUIRE_MESSAGE(found.ok(), found.status().message());
    return ids(*found);
  }
  // Every query, whole, one form's, and a short page: the index answers as the scan does.
  void same_answers(std::vector<std::string> queries) {
    const auto records = store.records();  // kept: a range-for over *store.records() outlives the temporary
    REQUIRE(records.ok());
    for (const auto& record : *records) queries.push_back(record.id.to_string().substr(28));
    for (const std::string& q : queries) {
      INFO("query: " << q);
      CHECK(by_index(q) == by_scan(q));
      CHECK(by_index(q, "outreach-identification") == by_scan(q, "outreach-identification"));
      CHECK(by_index(q, std::nullopt, 2) == by_scan(q, std::nullopt, 2));
    }
  }
  std::size_t record_count() { return store.records()->size(); }
};

pb::Operation created(const RecordId& id, const std::string& form, const forms::Answers& values, HlcTime hlc,
                      std::optional<RecordId> case_id = std::nullopt) {
  const DeviceId writer = *DeviceId::parse("0a0a0a0a-0000-4000-8000-000000000001");
  pb::Operation operation;
  operation.set_record_id(id.bytes.data(), id.bytes.size());
  operation.set_kind(pb::Operation::CREATE);
  operation.set_form_id(form);
  operation.set_form_version(1);
  operation.set_hlc(static_cast<std::uint64_t>(hlc));
  operation.set_device_id(writer.bytes.data(), writer.bytes.size());
  operation.set_author("omar");
  operation.set_created_at_ms(hlc_millis(hlc));
  if (case_id) operation.set_case_id(case_id->bytes.data(), case_id->bytes.size());
  for (const auto& [field, value] : values) {
    auto* write = operation.add_writes();
    write->set_field(field);
    write->set_value(value);
    write->set_hlc(static_cast<std::uint64_t>(hlc));
  }
  return operation;
}

TEST_CASE("record search: the index answers as the scan does, after an edit, a sync and an eviction") {
  SearchStore s;
  const RecordId hawa = s.add_some();
  CaseBook book(s.store, s.pack, {Language::en, s.store.today()});
  REQUIRE(book.open({{}, {"Fatima Case", "female", 30, "Um Dukhun"}, true}).ok());
  CHECK(s.store.search_index_size().records == 0);  // nothing before the first search

  s.same_answers(kQueries);
  CHECK(s.store.search_index_size().records == s.record_count());  // every record, the case's too
  CHECK(s.store.search_index_size().complete);
  CHECK(s.by_index("fatima").size() == 1);  // not the case
  CHECK(s.by_index("فاطمه").size() == 1);
  CHECK(s.by_index("٠٩١٢").size() == 2);  // the phone typed either way

  // Edited after the index was built: found by its new value, not its old; a cleared
  // answer is not found.
  s.edit(hawa, {{"full_name", "Hawa Adam Khadija"}, {"site", "Nertiti"}});
  CHECK(s.by_index("khadija") == std::vector<std::string>{hawa.to_string()});
  CHECK(s.by_index("garsila").empty());
  s.same_answers(kQueries);

  // Received by sync, older than every record here (so in the middle of the order), and a
  // case with its step.
  const RecordId pulled = new_record_id(kWall - 50'000);
  const RecordId kase = new_record_id(kWall - 40'000);
  const RecordId step = new_record_id(kWall - 30'000);
  auto applied = s.store.apply_pulled(
      {created(pulled, "outreach-identification", {{"full_name", "خديجة موسى"}, {"site", "Um Dukhun"}},
               make_hlc(kWall - 50'000, 0)),
       created(kase, "case", {{"name", "Zahra Idris"}, {"status", "open"}}, make_hlc(kWall - 40'000, 0)),
       created(step, "outreach-identification", {{"full_name", "Zahra Idris"}, {"site", "Mukjar"}},
               make_hlc(kWall - 30'000, 0), kase)},
      {}, 1);
  REQUIRE_MESSAGE(applied.ok(), applied.status().message());
  CHECK(s.by_index("خديجه") == std::vector<std::string>{pulled.to_string()});  // ة typed as ه
  CHECK(s.by_index("zahra") == std::vector<std::string>{step.to_string()});  // the step, never the case
  s.same_answers({"zahra", "idris", "خديجة", "mukjar"});
  s.same_answers(kQueries);
  CHECK(s.store.search_index_size().records == s.record_count());

  // An edit received by sync.
  pb::Operation renamed = created(pulled, "outreach-identification", {{"full_name", "Khadija Musa"}},
                                  make_hlc(kWall - 20'000, 0));
  renamed.set_kind(pb::Operation::UPDATE);
  REQUIRE(s.store.apply_pulled({renamed}, {}, 2).ok());
  CHECK(s.by_index("خديجه").empty());
  CHECK(s.by_index("khadija musa") == std::vector<std::string>{pulled.to_string()});
  s.same_answers(kQueries);

  // The case evicted (moved to another team): its step goes from the index with it.
  REQUIRE(s.store.apply_pulled({}, {kase}, 3).ok());
  CHECK(s.by_index("zahra").empty());
  s.same_answers({"zahra", "idris"});
  s.same_answers(kQueries);
  CHECK(s.store.search_index_size().records == s.record_count());
}

TEST_CASE("record search: an index built in steps, with writes between the steps, answers as the scan does") {
  SearchStore s;
  s.add_some();
  for (int i = 0; i < 6; ++i) s.add(s.survey, {{"comments", "on time " + std::to_string(i)}});
  const std::vector<RecordSummary> before = *s.store.records();  // newest first
  REQUIRE(before.size() == 11);

  auto step = s.store.build_search_index(3);
  REQUIRE(step.ok());
  CHECK_FALSE(*step);
  CHECK(s.store.search_index_size().records == 3);

  // Above the build's cursor (already read) and below it (not yet): an edit of each, a
  // new record, one received by sync with an old id.
  s.edit(before[1].id, {{"comments", "cash came late, said Khadija"}});
  s.edit(before[8].id, {{"full_name", "خديجة آدم"}, {"site", "Garsila"}});
  s.add(s.identification, {{"full_name", "Mariam Khadija"}});
  REQUIRE(s.store.apply_pulled({created(new_record_id(kWall - 90'000), "outreach-identification",
                                        {{"full_name", "Khadija Osman"}}, make_hlc(kWall - 90'000, 0))},
                               {}, 1)
              .ok());
  CHECK_FALSE(*s.store.build_search_index(3));
  CHECK_FALSE(s.store.search_index_size().complete);
  s.edit(before[6].id, {{"comments", "late 6, Khadija"}});

  for (int steps = 0; !*s.store.build_search_index(3); ++steps) REQUIRE(steps < 10);
  CHECK(s.store.search_index_size().records == s.record_count());
  CHECK(s.by_index("khadija").size() == 4);
  s.same_answers(kQueries);
  s.same_answers({"khadija", "خديجه", "mariam", "osman"});
}

TEST_CASE("record search: a match runs within one answer, and a write that does not commit drops the index") {
  SearchStore s;
  // Two answers one after the other in the index's text: "late" + "cash" holds "tec",
  // which neither answer does.
  const RecordId id = s.add(s.survey, {{"comments", "late"}, {"site", "cash"}});
  CHECK(s.by_index("tec").empty());
  CHECK(s.by_scan("tec").empty());
  CHECK(s.by_index("ec").empty());
  CHECK(s.by_index("tecash").empty());
  CHECK(s.by_index("ash") == std::vector<std::string>{id.to_string()});
  CHECK(s.by_index("ate") == std::vector<std::string>{id.to_string()});

  store_detail::SearchIndex index;
  const RecordSummary summary{id, "pdm-survey", 1, kWall, HlcTime(1), std::nullopt};
  index.put(summary, {"late"});
  CHECK(index.size() == 0);  // nothing before the build starts
  index.start();
  {
    store_detail::SearchIndex::WriteGuard guard(index);
    index.put(summary, {"late"});
    guard.committed();
  }
  CHECK(index.size() == 1);
  { store_detail::SearchIndex::WriteGuard untouched(index); }  // no write: kept
  CHECK(index.size() == 1);
  {
    store_detail::SearchIndex::WriteGuard guard(index);
    index.erase(id);  // then the transaction rolls back
  }
  CHECK(index.size() == 0);
  CHECK_FALSE(index.started());  // built again from the disk at the next search
}

}  // namespace
}  // namespace amana::field
