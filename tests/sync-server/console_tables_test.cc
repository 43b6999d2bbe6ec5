// The console's dataset downloads, a table at a time, from a real `sync-server serve` over
// HTTP: a household form with a roster collected on a device and synced; each of its
// tables (the form's own, the roster's, the nested children's) and the codebook downloaded
// through the console, streamed (chunked), are byte for byte the files `sync-server export`
// writes. Identified tables only for an officer, MEAL refused, every download audited.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "common/repeat_keys.h"
#include "tests/sync-server/console_over_http.h"
#include "tests/sync-server/repeat_support.h"

using namespace amana::testing;
using namespace amana::testing::repeats;

namespace {

std::string sibling(const std::string& path, const std::string& repeat) {
  return *amana::forms::repeat_keys::table_path(path, repeat);
}

}  // namespace

TEST_CASE("console tables: each table of a form with repeats downloads streamed, as sync-server export writes it") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  REQUIRE(server.admin({"users", "add", "mona", "--role", "meal"}).exit_code == 0);
  TempDir dir;
  const auto published = server.admin({"forms", "publish", household_workbook(dir, false)});
  REQUIRE_MESSAGE(published.exit_code == 0, published.err);
  FieldDevice device{"amina", 0};
  enroll(server, device, "amina");
  sync_ok(device);
  collect_answers(device, dir, "household", kThreeMembers);
  collect_answers(device, dir, "household", R"({"hh_size": 1, "members": [{"m_name": "Idris Hamid", "m_age": 41, "kids": []}]})");
  sync_ok(device);

  const std::string plain = (dir.path() / "household.csv").string();
  const auto exported = server.admin({"export", "--form", "household", "--out", plain});
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
  const std::string identified = (dir.path() / "identified.csv").string();
  const auto named = server.admin({"export", "--form", "household", "--out", identified, "--identified", "--by", "omar"});
  REQUIRE_MESSAGE(named.exit_code == 0, named.err);

  const ConsoleOverHttp omar(server, "omar");
  // The reports page is offered each table of the form.
  const auto sources = nlohmann::json::parse(omar.get("/console/api/exports").body)["sources"];
  nlohmann::json tables;
  for (const auto& source : sources) {
    if (source["id"] == "household") tables = source["tables"];
  }
  CHECK(tables == nlohmann::json::array({"members", "kids"}));

  // Each table, as the export's file.
  const auto main_table = omar.get("/console/api/export?source=household");
  REQUIRE_MESSAGE(main_table.status == 200, main_table.body);
  CHECK(main_table.chunked);
  CHECK(main_table.body == read_file(plain));
  for (const std::string repeat : {"members", "kids"}) {
    CAPTURE(repeat);
    const auto table = omar.get("/console/api/export?source=household&table=" + repeat);
    REQUIRE_MESSAGE(table.status == 200, table.body);
    CHECK(table.chunked);
    CHECK(table.body == read_file(sibling(plain, repeat)));
    const auto clear = omar.get("/console/api/export?source=household&identified=1&table=" + repeat);
    REQUIRE_MESSAGE(clear.status == 200, clear.body);
    CHECK(clear.body == read_file(sibling(identified, repeat)));
  }
  CHECK(read_table(sibling(plain, "members")).size() == 5);  // a header and four members
  // De-identified, a roster's rows are unlinked (no record, instance or position), as in the export.
  CHECK(read_table(sibling(plain, "members"))[0].front() == "form_version");
  CHECK(read_table(sibling(identified, "members"))[0].front() == "record");
  CHECK_FALSE(contains(read_file(sibling(plain, "members")), "Amina Yusufa"));
  CHECK(contains(read_file(sibling(identified, "members")), "Amina Yusufa"));
  CHECK(omar.get("/console/api/export?source=household&part=codebook").body == read_file(plain + ".codebook.csv"));
  // A table the form does not have, or one of a source without repeats: 404, before anything is sent.
  CHECK(omar.get("/console/api/export?source=household&table=visits").status == 404);
  CHECK(omar.get("/console/api/export?source=cases&table=members").status == 404);

  // MEAL: the de-identified roster, and the identified one refused.
  const ConsoleOverHttp mona(server, "mona");
  const auto meal = mona.get("/console/api/export?source=household&table=members");
  REQUIRE_MESSAGE(meal.status == 200, meal.body);
  CHECK(meal.body == read_file(sibling(plain, "members")));
  const auto refused = mona.get("/console/api/export?source=household&identified=1&table=members");
  CHECK(refused.status == 403);
  CHECK_FALSE(contains(refused.body, "Amina Yusufa"));

  const std::string audit = server.admin({"audit"}).out;
  CHECK(contains(audit, "omar  export  household  2 rows, IDENTIFIED, console download"));
  CHECK(contains(audit, "mona  export  household  2 rows, de-identified, console download"));
}
