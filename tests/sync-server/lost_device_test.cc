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
