#include "field-client/store.h"

#include <doctest/doctest.h>

#include "tests/support.h"

using namespace amana;
using namespace amana::field;

namespace {

constexpr const char* kPassphrase = "a long field passphrase";

using testing::cheap_store_options;
using testing::contains;

forms::FormDefinition test_form() {
  forms::FormDefinition form;
  form.id = "outreach-identification";
  form.version = 3;
  return form;
}

Store create_store(const testing::TempDir& dir, int max_failed_unlocks = 10) {
  StoreOptions options = cheap_store_options();
  options.max_failed_unlocks = max_failed_unlocks;
  auto store = Store::create(dir.path() / "home", kPassphrase, "amina", options);
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  return std::move(store).value();
}

}  // namespace

TEST_CASE("a new store opens with its passphrase and keeps its device id and user") {
  testing::TempDir dir;
  DeviceId device;
  {
    Store store = create_store(dir);
    device = store.device();
    CHECK(store.user() == "amina");
  }
  auto reopened = Store::open(dir.path() / "home", kPassphrase, cheap_store_options());
  REQUIRE(reopened.ok());
  CHECK(reopened->device() == device);
  CHECK(reopened->user() == "amina");
}

TEST_CASE("create refuses an existing store and an empty passphrase") {
  testing::TempDir dir;
  create_store(dir);
  CHECK(Store::create(dir.path() / "home", kPassphrase, "x", cheap_store_options()).status().code() ==
        ErrorCode::already_exists);
  CHECK(Store::create(dir.path() / "other", "", "x", cheap_store_options()).status().code() ==
        ErrorCode::invalid_argument);
  CHECK(Store::open(dir.path() / "none", kPassphrase, cheap_store_options()).status().code() == ErrorCode::not_found);
}

TEST_CASE("a wrong passphrase is a clear error and leaves the records as they were") {
  testing::TempDir dir;
  { create_store(dir).add_record(test_form(), {{"name", "Halima"}}).value(); }
  auto wrong = Store::open(dir.path() / "home", "not the passphrase", cheap_store_options());
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().code() == ErrorCode::wrong_passphrase);
  CHECK(contains(wrong.status().message(), "wrong passphrase (failed attempt 1 of 10"));
  auto right = Store::open(dir.path() / "home", kPassphrase, cheap_store_options());
  REQUIRE(right.ok());
  CHECK(right->records()->size() == 1);
  CHECK(right->record(right->records()->at(0).id)->values.at("name") == "Halima");
}

TEST_CASE("after the configured number of failed unlocks in a row the data key is destroyed") {
  testing::TempDir dir;
  const auto home = dir.path() / "home";
  { create_store(dir, 3).add_record(test_form(), {{"name", "Halima"}}).value(); }
  CHECK(Store::open(home, "wrong-1", cheap_store_options()).status().code() == ErrorCode::wrong_passphrase);
  CHECK(Store::open(home, "wrong-2", cheap_store_options()).status().code() == ErrorCode::wrong_passphrase);
  auto third = Store::open(home, "wrong-3", cheap_store_options());
  CHECK(third.status().code() == ErrorCode::locked_out);
  CHECK(contains(third.status().message(), "data key has been destroyed"));
  // Even the right passphrase cannot open it now.
  auto right = Store::open(home, kPassphrase, cheap_store_options());
  CHECK(right.status().code() == ErrorCode::locked_out);
  CHECK(contains(right.status().message(), "field-client wipe --yes"));
}

TEST_CASE("a successful unlock resets the failure count") {
  testing::TempDir dir;
  const auto home = dir.path() / "home";
  create_store(dir, 2);
  CHECK(Store::open(home, "wrong", cheap_store_options()).status().code() == ErrorCode::wrong_passphrase);
  REQUIRE(Store::open(home, kPassphrase, cheap_store_options()).ok());
  CHECK(Store::open(home, "wrong", cheap_store_options()).status().code() == ErrorCode::wrong_passphrase);
  CHECK(Store::open(home, kPassphrase, cheap_store_options()).ok());
}

TEST_CASE("adding a record appends one operation to the outbox with the next sequence number") {
  testing::TempDir dir;
  Store store = create_store(dir);
  const RecordId first = *store.add_record(test_form(), {{"name", "Halima"}, {"age", "34"}});
  const RecordId second = *store.add_record(test_form(), {{"name", "Yousif"}});
  auto outbox = store.outbox(0, 100);
  REQUIRE(outbox.ok());
  REQUIRE(outbox->size() == 2);
  CHECK(outbox->at(0).sequence == 1);
  CHECK(outbox->at(1).sequence == 2);
  const pb::Operation& op = outbox->at(0).operation;
  CHECK(op.kind() == pb::Operation::CREATE);
  CHECK(op.form_id() == "outreach-identification");
  CHECK(op.form_version() == 3);
  CHECK(op.author() == "amina");
  CHECK(op.record_id() == std::string(first.bytes.begin(), first.bytes.end()));
  CHECK(op.device_id() == std::string(store.device().bytes.begin(), store.device().bytes.end()));
  REQUIRE(op.writes_size() == 2);
  CHECK(op.writes(0).field() == "age");
  CHECK(op.writes(0).value() == "34");
  CHECK(outbox->at(1).operation.hlc() > op.hlc());
  CHECK(store.outbox(1, 100)->size() == 1);
  CHECK(second > first);

  auto status = store.status();
  REQUIRE(status.ok());
  CHECK(status->pending_operations == 2);
  CHECK(status->last_sequence == 2);
  REQUIRE(status->records_per_form.size() == 1);
  CHECK(status->records_per_form[0].second == 2);
}

TEST_CASE("updates write only what changed, record clears, and keep the full history") {
  testing::TempDir dir;
  Store store = create_store(dir);
  const RecordId id = *store.add_record(test_form(), {{"name", "Halima"}, {"age", "34"}, {"phone", "0912"}});
  CHECK(*store.update_record(id, {{"name", "Halima"}, {"age", "35"}, {"phone", "0912"}}));
  CHECK(*store.update_record(id, {{"name", "Halima"}, {"age", "35"}}));
  CHECK_FALSE(*store.update_record(id, {{"name", "Halima"}, {"age", "35"}}));  // no change, no operation

  auto record = store.record(id);
  REQUIRE(record.ok());
  CHECK(record->values == forms::Answers{{"age", "35"}, {"name", "Halima"}});
  CHECK(record->stamps.at("age") > record->stamps.at("name"));

  auto history = store.history(id);
  REQUIRE(history.ok());
  REQUIRE(history->size() == 3);
  CHECK(history->at(0).created);
  CHECK(history->at(0).changes.size() == 3);
  REQUIRE(history->at(1).changes.size() == 1);
  CHECK(history->at(1).changes[0].field == "age");
  CHECK(history->at(1).changes[0].value == "35");
  REQUIRE(history->at(2).changes.size() == 1);
  CHECK(history->at(2).changes[0].field == "phone");
  CHECK(history->at(2).changes[0].cleared);
  CHECK(history->at(2).hlc > history->at(1).hlc);
  CHECK(store.status()->pending_operations == 3);
}

TEST_CASE("records are listed newest first and resolved by a unique start or end of their id") {
  testing::TempDir dir;
  Store store = create_store(dir);
  const RecordId a = *store.add_record(test_form(), {{"name", "A"}});
  forms::FormDefinition pdm;
  pdm.id = "pdm-survey";
  const RecordId b = *store.add_record(pdm, {{"satisfaction", "4"}});
  auto all = store.records();
  REQUIRE(all->size() == 2);
  CHECK(all->at(0).id == b);
  CHECK(store.records("pdm-survey")->size() == 1);
  CHECK(store.records("none")->empty());

  CHECK(*store.resolve(a.to_string()) == a);
  CHECK(*store.resolve(b.to_string().substr(28)) == b);  // the random end
  if (a.to_string().substr(0, 8) != b.to_string().substr(0, 8)) {
    CHECK(*store.resolve(b.to_string().substr(0, 8)) == b);
  } else {
    CHECK(store.resolve(b.to_string().substr(0, 8)).status().message().find("more than one record") !=
          std::string::npos);
  }
  CHECK(store.resolve("0000").status().code() == ErrorCode::invalid_argument);
  CHECK(store.resolve("ffffffff").status().code() == ErrorCode::not_found);
  CHECK(store.record(new_record_id(1)).status().code() == ErrorCode::not_found);
}

TEST_CASE("no answer appears in clear in the database or its WAL") {
  testing::TempDir dir;
  const std::string name = "Zubeida Qatranji-Uniquename";
  Store store = create_store(dir);
  const RecordId id = *store.add_record(test_form(), {{"name", name}, {"notes", "سلمى الفريدة"}});
  REQUIRE(store.update_record(id, {{"name", name + " Adam"}, {"notes", "سلمى الفريدة"}}).ok());
  const auto home = dir.path() / "home";
  const std::string db = testing::read_file(home / "store.db");
  const std::string wal = testing::read_file(home / "store.db-wal");
  CHECK(wal.size() > 0);  // the store is open: its latest writes are still in the WAL
  for (const std::string& secret : {name, std::string("Qatranji"), std::string("سلمى الفريدة"), std::string("amina")}) {
    CHECK_FALSE(contains(db, secret));
    CHECK_FALSE(contains(wal, secret));
  }
  // The form id is meant to stay queryable in clear: proves the scan reads real content.
  CHECK((contains(db, "outreach-identification") || contains(wal, "outreach-identification")));
}

TEST_CASE("wipe destroys every store file and needs no passphrase") {
  testing::TempDir dir;
  const auto home = dir.path() / "home";
  { create_store(dir).add_record(test_form(), {{"name", "Halima"}}).value(); }
  REQUIRE(Store::wipe(home).ok());
  CHECK_FALSE(Store::exists(home));
  CHECK_FALSE(std::filesystem::exists(home / "store.db-wal"));
  CHECK(Store::open(home, kPassphrase, cheap_store_options()).status().code() == ErrorCode::not_found);
  CHECK(Store::wipe(home).code() == ErrorCode::not_found);
}
