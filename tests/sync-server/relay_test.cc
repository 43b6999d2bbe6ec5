// A relay in the other direction, through the real binaries: an insider whose own device
// is enrolled opens what the office sealed for it (its owner knows the passphrase, so the
// device's keys) and seals it again to another device, hoping to pass the office's signed
// words on as if they were that device's. The envelope names its recipient under the
// org's signature (common/envelope.h), so the other device refuses it and changes nothing.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "common/files.h"
#include "field-client/store.h"
#include "tests/support.h"

using namespace amana;
using namespace amana::testing;

namespace {

field::DeviceKeys keys_of(const FieldDevice& device) {
  auto store = field::Store::open(device.home(), kPassphrases.at("AMANA_PASSPHRASE"));
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  auto keys = store->device_keys();
  REQUIRE(keys.ok());
  return std::move(keys).value();
}

}  // namespace

TEST_CASE("relay: a bundle the office sealed for one device, sealed again by its owner to another, is refused") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "zara", "--role", "assistant", "--team", "um-dukhun"}).exit_code == 0);
  FieldDevice amina("amina", 1);
  FieldDevice zara("zara", 0);
  enroll(server, amina, "amina");
  enroll(server, zara, "zara");
  const auto devices = nlohmann::json::parse(server.admin({"devices", "--json"}).out);
  std::string zara_id;
  for (const auto& d : devices) {
    if (d["user"] == "zara") zara_id = d["id"];
  }
  REQUIRE_FALSE(zara_id.empty());

  TempDir usb;
  const auto for_zara = usb.path() / "zara.amana";
  REQUIRE(server.admin({"bundle", "export", "--device", zara_id, for_zara.string()}).exit_code == 0);
  const field::DeviceKeys zara_keys = keys_of(zara);
  const field::DeviceKeys amina_keys = keys_of(amina);
  auto sealed = read_file_bounded(for_zara, 1 << 20);
  REQUIRE(sealed.ok());
  auto inner = crypto::box_open(zara_keys.box_public_key, zara_keys.box_secret_key, crypto::as_bytes(*sealed));
  REQUIRE(inner.ok());  // the insider reads what was sealed to their own device
  const crypto::Bytes resealed = crypto::box_seal(amina_keys.box_public_key, *inner);
  const auto for_amina = usb.path() / "for-amina.amana";
  REQUIRE(write_file_atomically(for_amina, std::string(resealed.begin(), resealed.end())).ok());

  const auto imported = amina.run({"bundle", "import", for_amina.string()});
  CHECK(imported.exit_code != 0);
  CHECK(contains(imported.err, "is not a bundle for this device, or was changed"));
  CHECK(contains(imported.err, "signed for another recipient"));
  // Nothing changed: Amina's record still waits, and her own sync still works.
  CHECK(amina.pending_operations() == 1);
  const auto synced = amina.run({"sync"});
  REQUIRE_MESSAGE(synced.exit_code == 0, synced.err);
  CHECK(amina.pending_operations() == 0);
}
