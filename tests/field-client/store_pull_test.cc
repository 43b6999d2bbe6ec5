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
