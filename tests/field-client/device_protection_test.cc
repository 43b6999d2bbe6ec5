// A lost or seized device: the duress passphrase and the offline lease, through the store.
#include <doctest/doctest.h>

#include "field-client/store.h"
#include "tests/support.h"

using namespace amana;
using namespace amana::field;

namespace {

constexpr const char* kPassphrase = "a long field passphrase";
constexpr const char* kDuress = "the passphrase under duress";
constexpr std::int64_t kDay = 86'400'000;

using testing::cheap_store_options;

forms::FormDefinition survey_form() {
  forms::FormDefinition form;
  form.id = "pdm-survey";
  form.version = 1;
  return form;
}

}  // namespace

TEST_CASE("duress: the duress passphrase opens an empty store for the same user and the real one is gone") {
  testing::TempDir dir;
  const auto home = dir.path() / "home";
  DeviceId real_device;
  {
    auto store = Store::create(home, kPassphrase, "amina", cheap_store_options());
    REQUIRE(store.ok());
    real_device = store->device();
    REQUIRE(store->add_record(survey_form(), {{"comments", "a survivor's words"}}).ok());
    const Status same = store->set_duress_passphrase(kPassphrase);
    CHECK(same.code() == ErrorCode::invalid_argument);
    CHECK(same.message() == "the duress passphrase must differ from the store's passphrase");
    CHECK(store->set_duress_passphrase("short").code() == ErrorCode::invalid_argument);
    REQUIRE(store->set_duress_passphrase(kDuress).ok());
  }
  {
    // The real passphrase still opens the real store, with its record.
    auto store = Store::open(home, kPassphrase, cheap_store_options());
    REQUIRE(store.ok());
    CHECK(store->records()->size() == 1);
  }
  {
    auto opened = Store::open(home, kDuress, cheap_store_options());
    REQUIRE_MESSAGE(opened.ok(), opened.status().message());
    CHECK(opened->user() == "amina");
    CHECK(opened->records()->empty());
    CHECK(opened->device() != real_device);
    CHECK_FALSE(opened->enrollment()->has_value());
  }
  // Once that session ends, nothing of the real store is left (its device id, kept in
  // clear, is in no file), and its passphrase opens nothing now.
  const std::string real_id(real_device.bytes.begin(), real_device.bytes.end());
  for (const auto& entry : std::filesystem::directory_iterator(home)) {
    CHECK_FALSE(testing::contains(testing::read_file(entry.path()), real_id));
  }
  CHECK(Store::open(home, kPassphrase, cheap_store_options()).status().code() == ErrorCode::wrong_passphrase);
}

TEST_CASE("duress: a wrong passphrase is still only a failed unlock when a duress passphrase is set") {
  testing::TempDir dir;
  const auto home = dir.path() / "home";
  {
    auto store = Store::create(home, kPassphrase, "amina", cheap_store_options());
    REQUIRE(store.ok());
    REQUIRE(store->add_record(survey_form(), {{"comments", "kept"}}).ok());
    REQUIRE(store->set_duress_passphrase(kDuress).ok());
  }
  CHECK(Store::open(home, "neither of the two", cheap_store_options()).status().code() == ErrorCode::wrong_passphrase);
  auto store = Store::open(home, kPassphrase, cheap_store_options());
  REQUIRE(store.ok());
  CHECK(store->records()->size() == 1);
}

TEST_CASE("lease: a store not synced for longer than its lease is locked until it syncs, whatever the clock says") {
  testing::TempDir dir;
  std::int64_t now = 1'780'000'000'000;
  auto clock = [&now] { return now; };
  StoreOptions options = cheap_store_options();
  options.clock = clock;
  auto store = Store::create(dir.path() / "home", kPassphrase, "amina", options);
  REQUIRE(store.ok());
  CHECK(store->check_offline_lease().ok());  // never synced, no lease known yet

  REQUIRE(store->record_sync(30 * kDay).ok());
  now += 30 * kDay;
  CHECK(store->check_offline_lease().ok());
  now += kDay;
  const Status locked = store->check_offline_lease();
  CHECK(locked.code() == ErrorCode::lease_expired);
  CHECK(locked.message() == "this device has not synced for 31 days (the office allows 30 days): its store is locked until "
                            "it syncs. Connect and run `field-client sync`");

  now -= 20 * kDay;  // setting the clock back does not lift the lock
  CHECK(store->check_offline_lease().code() == ErrorCode::lease_expired);

  REQUIRE(store->record_sync(30 * kDay).ok());
  CHECK(store->check_offline_lease().ok());
  REQUIRE(store->record_sync(0).ok());  // the office lifted the lease
  now += 400 * kDay;
  CHECK(store->check_offline_lease().ok());
}
