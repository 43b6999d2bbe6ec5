// Changes pulled from the server (Store::apply_pulled): the device picks each field's
// winner by the server's rule (common/merge.h), keeps a cleared answer's stamp, and does
// not take in a change stamped far ahead of its own clock.
#include <doctest/doctest.h>

#include "common/hlc.h"
#include "field-client/store.h"
#include "tests/support.h"

using namespace amana;
using namespace amana::field;

namespace {

constexpr std::int64_t kWall = 1'800'000'000'000;

Store create_store(const testing::TempDir& dir, const std::string& name) {
  StoreOptions options = testing::cheap_store_options();
  options.clock = [] { return kWall; };
  auto store = Store::create(dir.path() / name, "a long field passphrase", "omar", options);
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  return std::move(store).value();
}

const RecordId kCase = new_record_id(kWall - 1000);

pb::Operation change(const DeviceId& writer, const std::string& field, const std::string& value, HlcTime hlc,
                     bool cleared = false) {
  pb::Operation operation;
  operation.set_record_id(kCase.bytes.data(), kCase.bytes.size());
  operation.set_kind(pb::Operation::UPDATE);
  operation.set_form_id("case");
  operation.set_form_version(1);
  operation.set_hlc(static_cast<std::uint64_t>(hlc));
  operation.set_device_id(writer.bytes.data(), writer.bytes.size());
  operation.set_author("amina");
  operation.set_created_at_ms(kWall - 1000);
  auto* write = operation.add_writes();
  write->set_field(field);
  write->set_value(value);
  write->set_cleared(cleared);
  write->set_hlc(static_cast<std::uint64_t>(hlc));
  return operation;
}

std::string value_of(Store& store, const std::string& field) {
  auto record = store.record(kCase);
  REQUIRE(record.ok());
  auto found = record->values.find(field);
  return found == record->values.end() ? "(none)" : found->second;
}

}  // namespace

TEST_CASE("device store: equal HLC stamps from two devices end with the greater device id, in either order") {
  const DeviceId low = *DeviceId::parse("00000000-0000-4000-8000-000000000001");
  const DeviceId high = *DeviceId::parse("ffffffff-0000-4000-8000-000000000001");
  const HlcTime stamp = make_hlc(kWall - 500, 3);
  testing::TempDir dir;
  Store first = create_store(dir, "a");
  Store second = create_store(dir, "b");
  REQUIRE(first.apply_pulled({change(low, "risk_level", "low", stamp), change(high, "risk_level", "high", stamp)}, {}, 1).ok());
  REQUIRE(second.apply_pulled({change(high, "risk_level", "high", stamp), change(low, "risk_level", "low", stamp)}, {}, 1).ok());
  CHECK(value_of(first, "risk_level") == "high");
  CHECK(value_of(second, "risk_level") == "high");  // as merge::winner picks it on the server
  // The writer survives the sealed record: a later tie against it is still decided by id.
  REQUIRE(second.apply_pulled({change(low, "risk_level", "again", stamp)}, {}, 2).ok());
  CHECK(value_of(second, "risk_level") == "high");
}

TEST_CASE("device store: a cleared answer keeps its stamp, so an older write arriving later does not bring it back") {
  const DeviceId office = DeviceId{};
  const DeviceId device = new_device_id();
  testing::TempDir dir;
  Store store = create_store(dir, "a");
  REQUIRE(store.apply_pulled({change(device, "phone", "+249 1", make_hlc(kWall - 900, 0))}, {}, 1).ok());
  REQUIRE(store.apply_pulled({change(office, "phone", "", make_hlc(kWall - 700, 0), true)}, {}, 2).ok());
  CHECK(value_of(store, "phone") == "(none)");
  REQUIRE(store.apply_pulled({change(device, "phone", "+249 2", make_hlc(kWall - 800, 0))}, {}, 3).ok());
  CHECK(value_of(store, "phone") == "(none)");
  // A local edit after the clear names the clear as what it saw (no false conflict).
  auto record = store.record(kCase);
  REQUIRE(record.ok());
  auto values = record->values;
  values["phone"] = "+249 3";
  REQUIRE(*store.update_record(kCase, values));
  auto outbox = store.outbox(0, 10);
  REQUIRE(outbox->size() == 1);
  CHECK(outbox->back().operation.writes(0).base_hlc() == static_cast<std::uint64_t>(make_hlc(kWall - 700, 0)));
}

TEST_CASE("device store: a pulled change stamped past the device's clock plus the bound is held back, and comes again") {
  const DeviceId device = new_device_id();
  testing::TempDir dir;
  Store store = create_store(dir, "a");
  REQUIRE(store.apply_pulled({change(device, "risk_level", "low", make_hlc(kWall - 100, 0))}, {}, 5).ok());
  CHECK(*store.pull_cursor() == 5);
  const HlcTime forged = kMaxHlc;
  const HlcTime past_bound = next_hlc(latest_acceptable_hlc(kWall));
  auto report = store.apply_pulled({change(device, "risk_level", "critical", forged),
                                    change(device, "urgency", "high", past_bound),
                                    change(device, "location", "block C", latest_acceptable_hlc(kWall))},
                                   {}, 9);
  REQUIRE(report.ok());
  CHECK(report->changes_held_back == 2);
  CHECK(report->changes_applied == 1);  // the one at the bound
  CHECK(value_of(store, "risk_level") == "low");
  CHECK(value_of(store, "urgency") == "(none)");
  CHECK(value_of(store, "location") == "block C");
  CHECK(*store.pull_cursor() == 5);  // the next pull asks for them again
  // Its clock did not take the forged stamp in: its own next write is stamped near now.
  auto record = store.record(kCase);
  auto values = record->values;
  values["risk_level"] = "medium";
  REQUIRE(*store.update_record(kCase, values));
  const auto outbox = store.outbox(0, 10);
  CHECK(HlcTime{outbox->back().operation.hlc()} < kMaxHlc);
  CHECK(hlc_millis(HlcTime{outbox->back().operation.hlc()}) <= kWall + kMaxClockAheadMs + 1);  // just after the bound it took in
}

#include "field-client/render.h"

TEST_CASE("device store: the history has the current values merged from another device and the office, with who made them") {
  const DeviceId hawa_device = *DeviceId::parse("3f9e20c1-0000-4000-8000-000000000001");
  const DeviceId office{};  // the office writes with the nil device id
  testing::TempDir dir;
  Store store = create_store(dir, "a");
  // A case made on another device, edited there twice, then decided at the office.
  pb::Operation made = change(hawa_device, "status", "identified", make_hlc(kWall - 900, 0));
  made.set_kind(pb::Operation::CREATE);
  made.set_author("hawa");
  auto* name = made.add_writes();
  name->set_field("name");
  name->set_value("Amira");
  name->set_hlc(made.hlc());
  pb::Operation renamed = change(hawa_device, "name", "Amira Hassan", make_hlc(kWall - 800, 0));
  renamed.set_author("hawa");
  pb::Operation superseded = change(hawa_device, "status", "registered", make_hlc(kWall - 700, 0));
  superseded.set_author("hawa");
  pb::Operation decided = change(office, "status", "closed", make_hlc(kWall - 600, 0));
  decided.set_author("omar");
  REQUIRE(store.apply_pulled({made, renamed, superseded, decided}, {}, 4).ok());

  auto history = store.history(kCase);
  REQUIRE_MESSAGE(history.ok(), history.status().message());
  // The current values, grouped by the write each came in: hawa's rename, the office's
  // status (hawa's "identified" and "registered" were superseded: the office has them).
  REQUIRE(history->size() == 2);
  CHECK(history->at(0).merged);
  CHECK(history->at(0).created);  // the first thing this device has of a record made elsewhere
  CHECK(history->at(0).author == "hawa");
  CHECK(history->at(0).writer == hawa_device);
  CHECK(history->at(0).changes.at(0).value == "Amira Hassan");
  CHECK(history->at(1).writer.is_nil());
  CHECK(history->at(1).author == "omar");
  CHECK(history->at(1).changes.at(0).value == "closed");

  const std::string text = history_text(*history, nullptr, forms::Language::en);
  CHECK(testing::contains(text, "created by hawa on device 3f9e20c1, merged at a sync"));
  CHECK(testing::contains(text, "changed by the office (omar), merged at a sync"));
  CHECK(testing::contains(history_text(*history, nullptr, forms::Language::ar), "المكتب (omar)"));
  CHECK(testing::contains(history_json(*history), "\"by\": \"office\""));

  // This device's own edit is its own revision, after; the office's value it replaced is
  // no longer current here (the office's `cases history` keeps every version).
  auto record = store.record(kCase);
  REQUIRE(record.ok());
  forms::Answers values = record->values;
  values["status"] = "registered";
  REQUIRE(store.update_record(kCase, values).ok());
  history = store.history(kCase);
  REQUIRE(history->size() == 2);
  CHECK(history->at(0).merged);
  CHECK_FALSE(history->at(1).merged);
  CHECK(history->at(1).author == "omar");  // this store's user
  // The author of the merged name is kept across reads of the sealed record.
  CHECK(store.record(kCase)->authors.at("name") == "hawa");
  CHECK(store.record(kCase)->authors.count("status") == 0);
}
