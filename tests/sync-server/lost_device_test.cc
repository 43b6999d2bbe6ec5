// A lost or seized device, through the real binaries: revocation wipes it at its next
// contact (by network or by bundle), the offline lease locks it, the duress passphrase
// wipes it.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "tests/support.h"

using namespace amana::testing;

namespace {

std::string device_id(const ServerUnderTest& server) {
  return nlohmann::json::parse(server.admin({"devices", "--json"}).out)[0]["id"];
}

}  // namespace

TEST_CASE("lost device: a bundle carried back to a revoked device wipes it") {
  ServerUnderTest server;
  FieldDevice device("amina", 1);
  enroll(server, device, "amina");
  const std::string id = device_id(server);
  REQUIRE(server.admin({"revoke", id}).exit_code == 0);
  TempDir usb;
  const std::string bundle = (usb.path() / "ack.amana").string();
  REQUIRE(server.admin({"bundle", "export", "--device", id, bundle}).exit_code == 0);
  const auto imported = device.run({"bundle", "import", bundle});
  CHECK(imported.exit_code != 0);
  CHECK(contains(imported.err, "the office has revoked this device: its store has been wiped"));
  CHECK_FALSE(std::filesystem::exists(device.home() / "store.db"));
}

TEST_CASE("lost device: past the offline lease the store is locked until it syncs") {
  ServerUnderTest server;
  const auto set = server.admin({"lease", "1s"});
  REQUIRE_MESSAGE(set.exit_code == 0, set.err);
  CHECK(contains(server.admin({"lease"}).out, "Offline lease: a device that has not synced for 1 second locks its store"));
  FieldDevice device("amina", 1);
  enroll(server, device, "amina");
  REQUIRE(device.run({"sync"}).exit_code == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // past the lease, not a timing assertion

  for (const char* command : {"records", "cases", "providers"}) {
    const auto locked = device.run({command});
    CHECK(locked.exit_code != 0);
    CHECK(contains(locked.err, "its store is locked until it syncs. Connect and run `field-client sync`"));
  }
  CHECK(device.run({"status"}).exit_code == 0);  // counts only, allowed while locked

  REQUIRE(server.admin({"lease", "none"}).exit_code == 0);
  const auto synced = device.run({"sync"});
  REQUIRE_MESSAGE(synced.exit_code == 0, synced.err);
  const auto records = device.run({"records"});
  CHECK(records.exit_code == 0);
  CHECK(contains(records.out, "pdm-survey"));
  CHECK(contains(server.admin({"audit"}).out, "operator  offline-lease  all devices  none"));
}

TEST_CASE("lost device: the duress passphrase, given at the prompt, opens an empty store and wipes the real one") {
  FieldDevice device("amina", 2);
  auto env = kPassphrases;
  env["AMANA_DURESS_PASSPHRASE"] = env["AMANA_PASSPHRASE"];
  const auto same = run_command(device.command({"duress", "set"}), env);
  CHECK(same.exit_code != 0);
  CHECK(contains(same.err, "the duress passphrase must differ from the store's passphrase"));
  env["AMANA_DURESS_PASSPHRASE"] = "say this if they make you";
  const auto set = run_command(device.command({"duress", "set"}), env);
  REQUIRE_MESSAGE(set.exit_code == 0, set.err);
  CHECK(contains(device.run({"records"}).out, "pdm-survey"));

  env["AMANA_PASSPHRASE"] = "say this if they make you";
  const auto under_duress = run_command(device.command({"records"}), env);
  CHECK(under_duress.exit_code == 0);
  CHECK(contains(under_duress.out, "No records yet"));
  CHECK(under_duress.err.empty());  // nothing tells the one watching
  CHECK(device.run({"records"}).exit_code != 0);  // the real passphrase opens nothing now
}

TEST_CASE("lost device: an old acknowledgement bundle carried back again lifts no lease, a new one does") {
  ServerUnderTest server;
  REQUIRE(server.admin({"lease", "1h"}).exit_code == 0);
  FieldDevice device("amina", 1);
  enroll(server, device, "amina");
  REQUIRE(device.run({"sync"}).exit_code == 0);
  const std::string id = device_id(server);
  TempDir usb;
  const std::string old_bundle = (usb.path() / "old.amana").string();
  REQUIRE(server.admin({"bundle", "export", "--device", id, old_bundle}).exit_code == 0);
  const auto first = device.run({"bundle", "import", old_bundle});
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);

  // The office shortens the lease; the device syncs, then stays away past it.
  REQUIRE(server.admin({"lease", "1s"}).exit_code == 0);
  REQUIRE(device.run({"sync"}).exit_code == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // past the lease, not a timing assertion
  REQUIRE(device.run({"records"}).exit_code != 0);

  // The old bundle, signed by the org and saying "lease 1 hour", is carried back again.
  const auto replayed = device.run({"bundle", "import", old_bundle});
  CHECK(replayed.exit_code != 0);
  CHECK(contains(replayed.err, "this bundle is an older message from the office than one this device already "
                               "accepted"));
  const auto still = device.run({"records"});
  CHECK(still.exit_code != 0);
  CHECK(contains(still.err, "its store is locked until it syncs"));
  const auto arabic = device.run({"--lang", "ar", "bundle", "import", old_bundle});
  CHECK(contains(arabic.err, "هذه الحزمة رسالة من المكتب أقدم"));

  // A bundle the office makes now unlocks it.
  REQUIRE(server.admin({"lease", "1h"}).exit_code == 0);
  const std::string new_bundle = (usb.path() / "new.amana").string();
  REQUIRE(server.admin({"bundle", "export", "--device", id, new_bundle}).exit_code == 0);
  const auto fresh = device.run({"bundle", "import", new_bundle});
  REQUIRE_MESSAGE(fresh.exit_code == 0, fresh.err);
  const auto records = device.run({"records"});
  CHECK(records.exit_code == 0);
  CHECK(contains(records.out, "pdm-survey"));
}

TEST_CASE("lost device: a bundle made before the lease ran out, imported after, counts from when the office made it") {
  ServerUnderTest server;
  REQUIRE(server.admin({"lease", "1s"}).exit_code == 0);
  FieldDevice device("amina", 1);
  enroll(server, device, "amina");
  REQUIRE(device.run({"sync"}).exit_code == 0);
  TempDir usb;
  const std::string bundle = (usb.path() / "ack.amana").string();
  REQUIRE(server.admin({"bundle", "export", "--device", device_id(server), bundle}).exit_code == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // the bundle sat in a drawer past the lease

  const auto imported = device.run({"bundle", "import", bundle});
  CHECK(imported.exit_code != 0);
  CHECK(contains(imported.out, "The office has merged this device's changesets"));  // it was applied
  CHECK(contains(imported.err, "its store is locked until it syncs"));
  CHECK(device.run({"records"}).exit_code != 0);
}
