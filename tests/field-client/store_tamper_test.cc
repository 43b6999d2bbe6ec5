// The device store attacked as someone with the powered-off disk but not the passphrase
// would: SQLite's own tools on store.db, older rows put back, outbox rows removed or
// reordered (docs/security.md, "what the device store does and does not resist").
#include <doctest/doctest.h>

#include <filesystem>

#include "common/sqlite.h"
#include "field-client/store.h"
#include "tests/support.h"

using namespace amana;
using namespace amana::field;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPassphrase = "a long field passphrase";
constexpr const char* kChanged = "this store was changed outside Amana: ";

using testing::cheap_store_options;
using testing::contains;

forms::FormDefinition survey_form() {
  forms::FormDefinition form;
  form.id = "pdm-survey";
  form.version = 1;
  return form;
}

// A store that has been enrolled, synced (a lease, a cursor, a provider directory), has
// packed a changeset and has a duress passphrase: every kind of trusted meta is there.
void make_full_store(const fs::path& home) {
  auto store = Store::create(home, kPassphrase, "amina", cheap_store_options());
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  Enrollment enrollment;
  enrollment.server_url = "http://office.example:8443";
  enrollment.org_sign_public_key.fill(7);
  enrollment.org_box_public_key.fill(9);
  enrollment.user = "amina";
  enrollment.role = "caseworker";
  enrollment.team = "um-dukhun";
  enrollment.server_tls_key.emplace();
  enrollment.server_tls_key->fill(3);
  REQUIRE(store->save_enrollment(enrollment).ok());
  REQUIRE(store->add_record(survey_form(), {{"satisfaction", "4"}}).ok());
  REQUIRE(store->pending_changesets(100).ok());
  REQUIRE(store->add_record(survey_form(), {{"satisfaction", "2"}}).ok());
  pb::Provider provider;
  provider.set_id("clinic-1");
  provider.set_name("Clinic");
  provider.set_active(true);
  REQUIRE(store->replace_providers({provider}, 4).ok());
  REQUIRE(store->apply_pulled({}, {}, 17).ok());
  REQUIRE(store->record_sync(30LL * 86'400'000).ok());
  REQUIRE(store->set_duress_passphrase("the passphrase under duress").ok());
}

// A copy of `home` (closed) in `dir`/name, edited with plain SQL.
fs::path tampered_copy(const fs::path& home, const fs::path& dir, const std::string& name, const std::string& sql) {
  const fs::path copy = dir / name;
  fs::copy(home, copy, fs::copy_options::recursive);
  auto db = sql::Database::open(copy / "store.db", sql::OpenMode::existing);
  REQUIRE(db.ok());
  const Status edited = (*db)->exec(sql);
  REQUIRE_MESSAGE(edited.ok(), edited.message());
  REQUIRE((*db)->changes() > 0);
  return copy;
}

void check_refused_as_changed(const Result<Store>& opened, const std::string& what) {
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().code() == ErrorCode::corrupt);
  CHECK_MESSAGE(contains(opened.status().message(), kChanged + what), opened.status().message());
  CHECK(contains(opened.status().message_in(Language::ar), "تم تغيير هذا المخزن خارج أمانة"));
}

std::string blob_literal(const std::string& text) {
  return "CAST('" + text + "' AS BLOB)";
}

}  // namespace

TEST_CASE("tamper: every trusted meta value changed with SQLite on a closed store is refused at unlock") {
  testing::TempDir dir;
  const fs::path home = dir.path() / "home";
  make_full_store(home);
  const struct {
    const char* name;
    std::string sql;
  } edits[] = {
      // A relay in the middle: another address and its own keys.
      {"server_url", "UPDATE meta SET value = " + blob_literal("http://relay.example:80") + " WHERE key = 'server_url'"},
      {"org_sign_public_key", "UPDATE meta SET value = zeroblob(32) WHERE key = 'org_sign_public_key'"},
      {"org_box_public_key", "UPDATE meta SET value = zeroblob(32) WHERE key = 'org_box_public_key'"},
      {"server_tls_key_pin", "DELETE FROM meta WHERE key = 'server_tls_key_pin'"},
      // The lease lifted, or its clock started again.
      {"offline_lease_ms", "UPDATE meta SET value = " + blob_literal("0") + " WHERE key = 'offline_lease_ms'"},
      {"last_sync_ms", "UPDATE meta SET value = " + blob_literal("99999999999999") + " WHERE key = 'last_sync_ms'"},
      {"latest_wall_ms", "UPDATE meta SET value = " + blob_literal("1") + " WHERE key = 'latest_wall_ms'"},
      // Counters: the pull cursor, the changeset numbering, the acknowledged point.
      {"pull_cursor", "UPDATE meta SET value = " + blob_literal("0") + " WHERE key = 'pull_cursor'"},
      {"changeset_number", "UPDATE meta SET value = " + blob_literal("0") + " WHERE key = 'changeset_number'"},
      {"acknowledged_sequence",
       "UPDATE meta SET value = " + blob_literal("2") + " WHERE key = 'acknowledged_sequence'"},
      {"providers_version", "UPDATE meta SET value = " + blob_literal("0") + " WHERE key = 'providers_version'"},
      // More guesses, or the duress passphrase taken away.
      {"max_failed_unlocks", "UPDATE meta SET value = " + blob_literal("1000000") + " WHERE key = 'max_failed_unlocks'"},
      {"duress", "DELETE FROM meta WHERE key = 'duress_sealed_user'"},
      // An entry that was never there.
      {"added", "INSERT INTO meta (key, value) VALUES ('server_url_override', x'00')"},
      // Taking the MAC away does not make it a store from before authentication.
      {"meta_mac", "DELETE FROM meta WHERE key = 'meta_mac'"},
  };
  for (const auto& edit : edits) {
    CAPTURE(edit.name);
    const fs::path copy = tampered_copy(home, dir.path(), edit.name, edit.sql);
    check_refused_as_changed(Store::open(copy, kPassphrase, cheap_store_options()), "its settings");
  }
  // The honest store, beside them, opens with everything it trusts.
  auto honest = Store::open(home, kPassphrase, cheap_store_options());
  REQUIRE_MESSAGE(honest.ok(), honest.status().message());
  CHECK(honest->enrollment()->value().server_url == "http://office.example:8443");
  CHECK(*honest->pull_cursor() == 17);
  CHECK(honest->check_offline_lease().ok());
}

TEST_CASE("tamper: a provider's entry changed in the clear directory is refused at unlock") {
  testing::TempDir dir;
  const fs::path home = dir.path() / "home";
  make_full_store(home);
  const fs::path copy = tampered_copy(home, dir.path(), "providers", "UPDATE providers SET active = 0");
  check_refused_as_changed(Store::open(copy, kPassphrase, cheap_store_options()), "its directory of service providers");
}

TEST_CASE("tamper: a meta value changed under a running store is caught by the next write and by the next sync") {
  testing::TempDir dir;
  const fs::path home = dir.path() / "home";
  make_full_store(home);
  auto store = Store::open(home, kPassphrase, cheap_store_options());
  REQUIRE(store.ok());
  {
    auto db = sql::Database::open(home / "store.db", sql::OpenMode::existing);
    REQUIRE(db.ok());
    REQUIRE((*db)->exec("UPDATE meta SET value = CAST('http://relay.example' AS BLOB) WHERE key = 'server_url'").ok());
  }
  const auto enrollment = store->enrollment();  // what every sync reads first
  REQUIRE_FALSE(enrollment.ok());
  CHECK(contains(enrollment.status().message(), std::string(kChanged) + "its settings"));
  const Status write = store->record_sync(0);  // and a write does not bless it
  CHECK(contains(write.message(), std::string(kChanged) + "its settings"));
}

TEST_CASE("tamper: an older copy of a record's sealed values put back does not bring the earlier answer back") {
  testing::TempDir dir;
  const fs::path home = dir.path() / "home";
  RecordId id;
  std::vector<std::uint8_t> old_values;
  std::int64_t old_version = 0, old_updated = 0;
  {
    auto store = Store::create(home, kPassphrase, "amina", cheap_store_options());
    REQUIRE(store.ok());
    id = *store->add_record(survey_form(), {{"consent", "yes"}, {"satisfaction", "4"}});
    auto q = store->local_database().query("SELECT sealed_values, version, updated_hlc FROM records WHERE id = ?");
    REQUIRE(q.ok());
    q->bind(1, id.view());
    REQUIRE(*q->step());
    old_values = q->column_blob(0);
    old_version = q->column_int64(1);
    old_updated = q->column_int64(2);
    REQUIRE(*store->update_record(id, {{"consent", "no"}, {"satisfaction", "4"}}));  // consent withdrawn
  }
  auto restore = [&](const std::string& name, bool with_columns) {
    const fs::path copy = dir.path() / name;
    fs::copy(home, copy, fs::copy_options::recursive);
    auto db = sql::Database::open(copy / "store.db", sql::OpenMode::existing);
    REQUIRE(db.ok());
    auto q = (*db)->query(with_columns ? "UPDATE records SET sealed_values = ?1, version = ?2, updated_hlc = ?3 WHERE id = ?4"
                                       : "UPDATE records SET sealed_values = ?1 WHERE id = ?4");
    REQUIRE(q.ok());
    q->bind(1, old_values).bind(4, id.view());
    if (with_columns) q->bind(2, old_version).bind(3, old_updated);
    REQUIRE(q->run().ok());
    return copy;
  };
  SUBCASE("the blob alone: that record does not open, and says why") {
    auto store = Store::open(restore("blob", false), kPassphrase, cheap_store_options());
    REQUIRE(store.ok());
    const auto record = store->record(id);
    REQUIRE_FALSE(record.ok());
    CHECK(record.status().code() == ErrorCode::corrupt);
    CHECK(contains(record.status().message(), std::string(kChanged) + "record " + id.to_string() +
                                                  " does not open as it was last written"));
  }
  SUBCASE("the blob with its write number and stamp: the store does not open") {
    check_refused_as_changed(Store::open(restore("row", true), kPassphrase, cheap_store_options()), "its records");
  }
  SUBCASE("a record removed: the store does not open") {
    const fs::path copy = tampered_copy(home, dir.path(), "removed", "DELETE FROM records");
    check_refused_as_changed(Store::open(copy, kPassphrase, cheap_store_options()), "its records");
  }
  SUBCASE("a step moved to another case in the clear column: the store does not open") {
    const fs::path copy = tampered_copy(home, dir.path(), "moved", "UPDATE records SET case_id = zeroblob(16)");
    check_refused_as_changed(Store::open(copy, kPassphrase, cheap_store_options()), "its records");
  }
  auto honest = Store::open(home, kPassphrase, cheap_store_options());
  REQUIRE(honest.ok());
  CHECK(honest->record(id)->values.at("consent") == "no");
}

TEST_CASE("tamper: an outbox operation removed, reordered or changed is refused before the next sync") {
  testing::TempDir dir;
  const fs::path home = dir.path() / "home";
  {
    auto store = Store::create(home, kPassphrase, "amina", cheap_store_options());
    REQUIRE(store.ok());
    for (const char* value : {"1", "2", "3", "4"}) REQUIRE(store->add_record(survey_form(), {{"satisfaction", value}}).ok());
  }
  const struct {
    const char* name;
    const char* sql;
    const char* at;
  } edits[] = {
      {"middle removed", "DELETE FROM operations WHERE seq = 2", "at operation 3"},
      {"last removed", "DELETE FROM operations WHERE seq = 4", "at operation 4"},
      {"reordered",
       "UPDATE operations SET seq = 100 WHERE seq = 2; UPDATE operations SET seq = 2 WHERE seq = 3;"
       "UPDATE operations SET seq = 3 WHERE seq = 100",
       "at operation 2"},
      {"content swapped",
       "UPDATE operations SET sealed_operation = (SELECT sealed_operation FROM operations WHERE seq = 1) WHERE seq = 3",
       "at operation 3"},
  };
  for (const auto& edit : edits) {
    CAPTURE(edit.name);
    const fs::path copy = tampered_copy(home, dir.path(), edit.name, edit.sql);
    const auto opened = Store::open(copy, kPassphrase, cheap_store_options());
    check_refused_as_changed(opened, "the changes waiting to be sent are not the ones it wrote");
    CHECK(contains(opened.status().message(), edit.at));
  }
  auto honest = Store::open(home, kPassphrase, cheap_store_options());
  REQUIRE(honest.ok());
  auto pending = honest->pending_changesets(100);
  REQUIRE(pending.ok());
  CHECK(pending->size() == 1);
}

TEST_CASE("tamper: a packed changeset removed before it was sent is refused, and acknowledged ones move the chain on") {
  testing::TempDir dir;
  const fs::path home = dir.path() / "home";
  {
    auto store = Store::create(home, kPassphrase, "amina", cheap_store_options());
    REQUIRE(store.ok());
    for (const char* value : {"1", "2", "3"}) REQUIRE(store->add_record(survey_form(), {{"satisfaction", value}}).ok());
    REQUIRE(store->pending_changesets(1)->size() == 3);
    REQUIRE(store->acknowledge_changesets(1).ok());
    REQUIRE(store->add_record(survey_form(), {{"satisfaction", "5"}}).ok());
  }
  const fs::path copy = tampered_copy(home, dir.path(), "unsent", "DELETE FROM changesets WHERE number = 3");
  const auto opened = Store::open(copy, kPassphrase, cheap_store_options());
  check_refused_as_changed(opened, "changeset 3, packed and waiting to be sent, is missing");

  auto honest = Store::open(home, kPassphrase, cheap_store_options());
  REQUIRE_MESSAGE(honest.ok(), honest.status().message());
  auto pending = honest->pending_changesets(1);
  REQUIRE(pending.ok());
  CHECK(pending->size() == 3);  // 2, 3 and the new one
  REQUIRE(honest->acknowledge_changesets(4).ok());
  CHECK(honest->status()->pending_operations == 0);
  CHECK(honest->pending_changesets(1)->empty());
}

TEST_CASE("tamper end to end: a device pointed at a relay, or missing an outbox row, refuses to sync") {
  testing::ServerUnderTest server;
  testing::FieldDevice relayed("amina", 1);
  testing::FieldDevice gapped("hawa", 3);
  testing::enroll(server, relayed, "amina");
  testing::enroll(server, gapped, "hawa");
  const auto first = relayed.run({"sync"});
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  relayed.add_surveys(1);
  auto edit = [](const testing::FieldDevice& device, const std::string& sql) {
    auto db = sql::Database::open(device.home() / "store.db", sql::OpenMode::existing);
    REQUIRE(db.ok());
    REQUIRE((*db)->exec(sql).ok());
  };
  // The relay's own address and key, as someone with the powered-off laptop would set them.
  edit(relayed, "UPDATE meta SET value = CAST('http://127.0.0.1:1' AS BLOB) WHERE key = 'server_url';"
                "UPDATE meta SET value = zeroblob(32) WHERE key = 'org_box_public_key'");
  for (const std::vector<std::string>& args : {std::vector<std::string>{"sync"},
                                               std::vector<std::string>{"sync", "--server", server.url()}}) {
    const auto refused = relayed.run(args);
    CHECK(refused.exit_code != 0);
    CHECK_MESSAGE(contains(refused.err, "this store was changed outside Amana: its settings"), refused.err);
  }
  edit(gapped, "DELETE FROM operations WHERE seq = 2");
  const auto gap = gapped.run({"sync"});
  CHECK(gap.exit_code != 0);
  CHECK_MESSAGE(contains(gap.err, "the changes waiting to be sent are not the ones it wrote (at operation 3"), gap.err);
  // An honest device beside them collects and syncs as before.
  testing::FieldDevice honest("amina", 2);
  testing::enroll(server, honest, "amina");
  const auto synced = honest.run({"sync"});
  CHECK_MESSAGE(synced.exit_code == 0, synced.err);
  CHECK(honest.pending_operations() == 0);
}
