// The central store's own contracts, apart from the sync protocol around it: a store
// written by an earlier schema opens with everything it held, and sealed values stay bound
// to their rows.
#include "sync-server/central_store.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <future>
#include <thread>

#include "common/sqlite.h"
#include "sync-server/admin.h"
#include "sync-server/org_keys.h"
#include "tests/support.h"

namespace amana::server {
namespace {

std::string hlc_text(HlcTime hlc) { return std::to_string(static_cast<std::uint64_t>(hlc)); }

// Everything the store answers about its records, as text.
std::string dump_store(CentralStore& store, const std::vector<std::string>& fields) {
  std::string out;
  auto records = store.records(std::nullopt);
  REQUIRE(records.ok());
  std::vector<RecordId> ids;
  for (const CentralRecord& r : *records) {
    ids.push_back(r.id);
    out += "record " + r.id.to_string() + " " + r.form_id + " v" + std::to_string(r.form_version) + " by " + r.author +
           " on " + r.device.to_string() + " at " + std::to_string(r.created_at_ms) +
           (r.case_id ? " case " + r.case_id->to_string() : std::string()) + "\n";
    for (const auto& [field, value] : r.values) out += "  " + field + " = " + value + "\n";
    for (const std::string& field : fields) {
      auto history = store.field_history(r.id, field);
      REQUIRE(history.ok());
      for (const merge::Version& v : *history) {
        out += "  history " + field + " " + hlc_text(v.stamp.hlc) + " " + v.stamp.device.to_string() + " base " +
               hlc_text(v.base) + (v.cleared ? " cleared" : "") + " '" + v.value + "'\n";
      }
    }
  }
  auto conflicts = store.open_conflict_list(ids);
  REQUIRE(conflicts.ok());
  for (const auto& c : *conflicts) {
    out += "conflict " + c.record.to_string() + " " + c.field + " '" + c.earlier.value + "' " +
           hlc_text(c.earlier.stamp.hlc) + " / '" + c.later.value + "' " + hlc_text(c.later.stamp.hlc) + "\n";
  }
  const StoreCounts counts = *store.counts();
  out += "counts records " + std::to_string(counts.records) + " versions " + std::to_string(counts.field_versions) +
         " conflicts " + std::to_string(counts.conflicts) + "\n";
  return out;
}

const std::filesystem::path kFixture = std::filesystem::path(AMANA_SOURCE_DIR) / "tests/data/central-v5";
const std::vector<std::string> kFixtureFields = {"satisfaction", "comments", "household_size",
                                                 "assigned_to",  "consent",  "notes"};

}  // namespace

// tests/data/central-v5 is a store written by schema version 5 (one row per field value,
// each sealed on its own), with its answers dumped by that version into expected.txt: an
// edit, a cleared value, a conflict between two devices, a case with a step, an office
// assignment.
TEST_CASE("central store: a store written by schema version 5 opens with every value, version and conflict") {
  testing::TempDir dir;
  std::filesystem::copy_file(kFixture / "central.db", dir.path() / "central.db");
  const std::string expected = testing::read_file(kFixture / "expected.txt");
  {
    auto store = open_server_store(dir.path());
    REQUIRE_MESSAGE(store.ok(), store.status().message());
    auto keys = unlock_org_keys(**store, "operator passphrase");
    REQUIRE_MESSAGE(keys.ok(), keys.status().message());
    CHECK(dump_store(**store, kFixtureFields) == expected);
    CHECK(testing::query_int(dir.path() / "central.db",
                             "SELECT count(*) FROM sqlite_schema WHERE name = 'legacy_field_versions'") == 0);
  }
  // Resealed once: opening it again changes nothing.
  auto again = open_server_store(dir.path());
  REQUIRE(again.ok());
  REQUIRE(unlock_org_keys(**again, "operator passphrase").ok());
  CHECK(dump_store(**again, kFixtureFields) == expected);
  CHECK(testing::integrity_check(dir.path() / "central.db") == "ok");
}

TEST_CASE("central store: values moved to another row, or stamps edited, no longer open") {
  testing::TempDir dir;
  std::filesystem::copy_file(kFixture / "central.db", dir.path() / "central.db");
  {
    auto store = open_server_store(dir.path());
    REQUIRE(store.ok());
    REQUIRE(unlock_org_keys(**store, "operator passphrase").ok());
  }
  auto tampered = [&](const std::string& edit) {
    testing::TempDir copy;
    std::filesystem::copy_file(dir.path() / "central.db", copy.path() / "central.db");
    auto db = sql::Database::open(copy.path() / "central.db", sql::OpenMode::existing);
    REQUIRE(db.ok());
    REQUIRE((*db)->exec(edit).ok());
    db->reset();
    auto store = open_server_store(copy.path());
    REQUIRE(store.ok());
    REQUIRE(unlock_org_keys(**store, "operator passphrase").ok());
    // Every version's value, current or superseded.
    auto records = (*store)->records(std::nullopt);
    if (!records.ok()) return records.status().code();
    for (const CentralRecord& record : *records) {
      for (const std::string& field : kFixtureFields) {
        auto history = (*store)->field_history(record.id, field);
        if (!history.ok()) return history.status().code();
      }
    }
    return ErrorCode::ok;
  };
  // Another row's sealed values, under this row's stamps.
  CHECK(tampered("UPDATE writes SET sealed_values = (SELECT sealed_values FROM writes WHERE seq = 2) "
                 "WHERE seq = 1") == ErrorCode::corrupt);
  // The same row's values, with a stamp changed in clear.
  CHECK(tampered("UPDATE writes SET stamps = replace(stamps, '\"comments\"', '\"commentz\"') "
                 "WHERE stamps LIKE '%comments%'") == ErrorCode::corrupt);
  CHECK(tampered("SELECT 1") == ErrorCode::ok);
}


TEST_CASE("central store: a store from before migration 11 knows who holds its cases once opened") {
  testing::TempDir dir;
  std::filesystem::copy_file(kFixture / "central.db", dir.path() / "central.db");
  auto store = open_server_store(dir.path());
  REQUIRE(store.ok());
  REQUIRE(unlock_org_keys(**store, "operator passphrase").ok());
  const auto kase = RecordId::parse("01a3185c-5000-7002-848b-e1b2c2a0d104");
  REQUIRE(kase.ok());
  // Assigned to hawa by the office: hers, no longer its author's.
  CHECK((*store)->cases_held_by({"hawa"}).value() == std::vector<RecordId>{*kase});
  CHECK((*store)->cases_held_by({"amina"})->empty());
  // Its creator's device is believed to hold it.
  auto record = (*store)->record(*kase);
  REQUIRE(record.ok());
  CHECK((*store)->device_cases(record->device).value() == std::vector<RecordId>{*kase});
  // The holder is kept as a keyed tag: no user name in clear in the table.
  CHECK(testing::query_int(dir.path() / "central.db", "SELECT count(*) FROM case_scope WHERE length(holder_tag) = 16") ==
        1);
  CHECK(testing::query_int(dir.path() / "central.db", "SELECT count(*) FROM case_scope WHERE holder_tag = 'hawa' OR "
                                                      "instr(holder_tag, 'hawa') > 0") == 0);
}

TEST_CASE("central store: reads do not wait for a transaction open on another thread, nor see its writes") {
  testing::TempDir dir;
  REQUIRE(init_server(dir.path(), "operator passphrase", testing::kCheapKdf).ok());
  auto store = open_server_store(dir.path());
  REQUIRE(store.ok());
  REQUIRE(unlock_org_keys(**store, "operator passphrase").ok());
  REQUIRE((*store)->add_user({"amina", Role::assistant, "um-dukhun"}).ok());
  std::promise<void> inside, release;
  std::thread writer([&] {
    const Status done = (*store)->in_one_transaction([&]() -> Status {
      AMANA_RETURN_IF_ERROR((*store)->add_user({"omar", Role::officer, "um-dukhun"}));
      inside.set_value();
      release.get_future().wait();  // held open until the reads below are done
      return Status();
    });
    CHECK(done.ok());
  });
  inside.get_future().wait();
  // The writer holds its transaction (and the writer connection's lock) open meanwhile:
  // were these reads serialised behind it, the test would never get past them.
  auto users = (*store)->users();
  REQUIRE(users.ok());
  CHECK(users->size() == 1);
  CHECK((*store)->counts()->users == 1);
  CHECK((*store)->cases_held_by({"amina"})->empty());
  release.set_value();
  writer.join();
  CHECK((*store)->users()->size() == 2);
}

}  // namespace amana::server
