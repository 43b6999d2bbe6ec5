// Short ids on both binaries: any unique start or end of an id where an id is taken,
// refusals that list what a part matches, and listings that show what tells ids apart.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/support.h"

using namespace amana::testing;
using nlohmann::json;

namespace {

std::string hex_of(const std::string& id) {
  std::string out;
  for (char c : id) {
    if (c != '-') out += c;
  }
  return out;
}

std::size_t shared_start(const std::string& a, const std::string& b) {
  std::size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

}  // namespace

TEST_CASE("short ids: the device takes a unique start or end of a record id, and says what an ambiguous one matches") {
  FieldDevice device("amina", 2);  // two surveys made within the same second
  const auto records = json::parse(device.run({"records", "--json"}).out);
  REQUIRE(records.size() == 2);
  const std::string a = records[0]["id"], b = records[1]["id"];
  const std::string ha = hex_of(a), hb = hex_of(b);

  // The end of an id (random) names it; so does enough of its start.
  CHECK(contains(device.run({"show", ha.substr(24)}).out, a));
  CHECK(contains(device.run({"show", b.substr(28)}).out, b));
  const std::size_t common = shared_start(ha, hb);
  CHECK(contains(device.run({"show", ha.substr(0, std::max<std::size_t>(8, common + 1))}).out, a));
  if (common >= 8) {  // made in the same 65 seconds, as nearly always
    const auto ambiguous = device.run({"show", ha.substr(0, 8)});
    CHECK(ambiguous.exit_code != 0);
    CHECK(contains(ambiguous.err, "matches more than one record (2):"));
    CHECK(contains(ambiguous.err, a + "  ("));
    CHECK(contains(ambiguous.err, b + "  ("));
    CHECK(contains(ambiguous.err, "give more of the id, such as the part in brackets"));
  }
  const auto unknown = device.run({"show", "ffffffffff"});
  CHECK(unknown.exit_code != 0);
  CHECK(contains(unknown.err, "no record id starts or ends with 'ffffffffff' (see `field-client records`)"));
  const auto too_short = device.run({"edit", "12ab", "--set", "x=1"});
  CHECK(too_short.exit_code != 0);
  CHECK(contains(too_short.err, "at least 8 of its characters"));
  const auto ar = run_command(device.command({"--lang", "ar", "show", "ffffffffff"}), kPassphrases);
  CHECK(contains(ar.err, "لا يوجد معرّف سجل يبدأ أو ينتهي بـ 'ffffffffff'"));
}

TEST_CASE("short ids: the office takes a unique start or end of case, step and device ids, and lists what tells cases apart") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  FieldDevice amina("amina", 0);
  FieldDevice hawa("hawa", 0);
  enroll(server, amina, "amina");
  enroll(server, hawa, "hawa");
  const std::string first = open_example_case(amina, {"register"});
  const std::string second = open_example_case(amina);

  // The listing shows each case by the end of its id, which the commands take back.
  const auto listed = server.admin({"cases"}).out;
  CHECK(contains(listed, first.substr(28) + "  registered"));
  CHECK(contains(listed, second.substr(28) + "  identified"));
  const auto shown = server.admin({"cases", "show", hex_of(first).substr(20), "--json"});
  REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  CHECK(json::parse(shown.out)["id"] == first);
  const std::size_t common = shared_start(hex_of(first), hex_of(second));
  CHECK(json::parse(server.admin({"cases", "show", hex_of(second).substr(0, std::max<std::size_t>(8, common + 1)),
                                  "--json"}).out)["id"] == second);
  if (common >= 8) {
    const auto ambiguous = server.admin({"cases", "show", first.substr(0, 8)});
    CHECK(ambiguous.exit_code != 0);
    CHECK(contains(ambiguous.err, "matches more than one case (2):"));
    CHECK(contains(ambiguous.err, first + "  (" + first.substr(28) + ")"));
    CHECK(contains(ambiguous.err, second + "  (" + second.substr(28) + ")"));
  }
  const auto unknown = server.admin({"cases", "show", "ffffffff"});
  CHECK(unknown.exit_code != 0);
  CHECK(contains(unknown.err, "no case id starts or ends with 'ffffffff' (see `sync-server cases`)"));

  // resolve --record: a step of the case by a part of its id (here it has nothing to
  // resolve, which is the next check: the record was found).
  const auto file = json::parse(server.admin({"cases", "show", first, "--json"}).out);
  REQUIRE(file["steps"].size() == 1);
  const std::string registration = file["steps"][0]["id"];
  const auto resolved = server.admin({"cases", "resolve", first.substr(28), "--record", registration.substr(28), "--field",
                                      "age", "--value", "30", "--by", "omar"});
  CHECK(resolved.exit_code != 0);
  CHECK(contains(resolved.err, "no open conflict on field 'age' of record " + registration));
  const auto not_a_step = server.admin({"cases", "resolve", first.substr(28), "--record", second.substr(28), "--field",
                                        "age", "--value", "30", "--by", "omar"});
  CHECK(not_a_step.exit_code != 0);
  CHECK(contains(not_a_step.err, "no record of the case id starts or ends with '" + second.substr(28) + "'"));

  // Devices: bundle export and revoke take a part of the id too.
  const auto devices = json::parse(server.admin({"devices", "--json"}).out);
  REQUIRE(devices.size() == 2);
  std::string hawa_device;
  for (const auto& d : devices) {
    if (d["user"] == "hawa") hawa_device = d["id"];
  }
  TempDir out;
  const auto bundle = (out.path() / "hawa.bundle").string();
  const auto exported = server.admin({"bundle", "export", "--device", hawa_device.substr(28), bundle});
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
  CHECK(contains(exported.out, "for device " + hawa_device));
  const auto revoked = server.admin({"revoke", hex_of(hawa_device).substr(0, 10)});
  REQUIRE_MESSAGE(revoked.exit_code == 0, revoked.err);
  CHECK(contains(revoked.out, "Revoked device " + hawa_device));
  const auto no_device = server.admin({"revoke", "ffffffffff"});
  CHECK(no_device.exit_code != 0);
  CHECK(contains(no_device.err, "no device id starts or ends with 'ffffffffff' (see `sync-server devices`)"));
}
