#include "sync-server/providers.h"

#include <doctest/doctest.h>

#include "sync-server/admin.h"
#include "tests/support.h"

namespace amana::server {
namespace {

constexpr std::string_view kDirectory =
    "id,name,services,location,contact,hours,criteria,active\r\n"
    "amal-clinic,\"Al-Amal Clinic, Um Dukhun\",health;psychosocial,Um Dukhun town,+249 900 000 001,Sun-Thu 8-14,,yes\r\n"
    "legal-aid,مركز العون القانوني,legal,Zalingei,,,Documentation cases,\r\n"
    "old-shelter,Old Shelter,safehouse,Um Dukhun,,,,no\r\n";

}  // namespace

TEST_CASE("providers: entries are checked, naming the field and what is accepted") {
  auto ok = make_provider("amal-clinic", " Al-Amal ", "health; psychosocial;health", "Um Dukhun", "", "", "", true, 7);
  REQUIRE(ok.ok());
  CHECK(ok->name == "Al-Amal");
  CHECK(ok->services == std::vector<std::string>{"health", "psychosocial"});
  CHECK(ok->updated_at_ms == 7);
  CHECK(make_provider("Amal Clinic", "x", "health", "y", "", "", "", true, 0).status().message().find(
            "use 1-64 lower-case letters") != std::string::npos);
  CHECK(make_provider("a", "", "health", "y", "", "", "", true, 0).status().message() == "provider 'a': the name is empty");
  CHECK(make_provider("a", "x", "dentistry", "y", "", "", "", true, 0).status().message().find(
            "unknown service type 'dentistry' (known: safehouse, health,") != std::string::npos);
  CHECK(make_provider("a", "x", " ; ", "y", "", "", "", true, 0).status().message().find("list at least one service") !=
        std::string::npos);
  CHECK(make_provider("a", "x", "legal", "", "", "", "", true, 0).status().message() ==
        "provider 'a': the location is empty");
}

TEST_CASE("providers: service types are the referral form's vocabulary, old codes are mapped, unknown and retired ones refused") {
  auto mapped = make_provider("clinic", "Clinic", "Medical; shelter ;Health", "Um Dukhun", "", "", "", true, 1);
  REQUIRE_MESSAGE(mapped.ok(), mapped.status().message());
  CHECK(mapped->services == std::vector<std::string>{"health", "safehouse"});
  const std::string retired = make_provider("a", "x", "cash", "y", "", "", "", true, 0).status().message();
  CHECK(retired.find("provider 'a': 'cash' is no longer a service type: use one of safehouse, health, psychosocial") == 0);
  const std::string unknown = make_provider("a", "x", "medicine", "y", "", "", "", true, 0).status().message();
  CHECK(unknown.find("family_reunification, education, nfi, wash, registration, food, other)") != std::string::npos);
  CHECK(service_types().size() == 15);
}

TEST_CASE("providers: a CSV directory imports, and its mistakes are reported by row") {
  auto providers = providers_from_csv(kDirectory, 1);
  REQUIRE_MESSAGE(providers.ok(), providers.status().message());
  REQUIRE(providers->size() == 3);
  CHECK(providers->at(0).name == "Al-Amal Clinic, Um Dukhun");
  CHECK(providers->at(1).name == "مركز العون القانوني");
  CHECK(providers->at(1).active);
  CHECK_FALSE(providers->at(2).active);

  CHECK(providers_from_csv("id,name,services,location,phone\n", 1).status().message() ==
        "line 1: unknown column 'phone' (columns: id, name, services, location, contact, hours, criteria, active)");
  CHECK(providers_from_csv("id,name,services\n", 1).status().message() == "line 1: the header needs a 'location' column");
  CHECK(providers_from_csv("id,name,services,location\na,A,health,X\nb,B,cooking,Y\n", 1).status().message().find(
            "row 3: provider 'b': unknown service type 'cooking'") == 0);
  CHECK(providers_from_csv("id,name,services,location\na,A,health,X\na,B,legal,Y\n", 1).status().message() ==
        "row 3: provider 'a' appears twice in the file");
  CHECK(providers_from_csv("id,name,services,location,active\na,A,health,X,maybe\n", 1).status().message() ==
        "row 2: active: 'maybe' is not yes or no");
  CHECK(providers_from_csv("", 1).status().code() == ErrorCode::invalid_argument);
}

TEST_CASE("providers: the central store adds, updates, lists active ones and imports in one go") {
  testing::TempDir dir;
  REQUIRE(init_server(dir.path(), "operator passphrase", testing::kCheapKdf).ok());
  auto store = std::move(open_server_store(dir.path())).value();
  auto clinic = *make_provider("amal-clinic", "Al-Amal", "health", "Um Dukhun", "", "", "", true, 1);
  REQUIRE(store->add_provider(clinic).ok());
  CHECK(store->add_provider(clinic).code() == ErrorCode::already_exists);
  clinic.active = false;
  REQUIRE(store->update_provider(clinic).ok());
  CHECK(store->providers(false)->empty());
  CHECK(store->providers(true)->size() == 1);
  CHECK(*store->provider("amal-clinic") == clinic);
  auto missing = *make_provider("nobody", "N", "legal", "X", "", "", "", true, 1);
  CHECK(store->update_provider(missing).code() == ErrorCode::not_found);

  auto imported = store->import_providers(*providers_from_csv(kDirectory, 2));
  REQUIRE(imported.ok());
  CHECK(*imported == 2);  // amal-clinic existed and is replaced
  CHECK(store->providers(false)->size() == 2);
  CHECK(store->counts()->providers == 3);
}

TEST_CASE("providers: through the sync-server command line") {
  testing::TempDir dir;
  const std::string data = (dir.path() / "server").string();
  const std::map<std::string, std::string> env = {{"AMANA_SERVER_PASSPHRASE", "operator passphrase"}};
  auto server = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {AMANA_SYNC_SERVER_BIN, "--data", data});
    return testing::run_command(args, env);
  };
  REQUIRE(server({"init"}).exit_code == 0);
  const auto added = server({"providers", "add", "unicef-cfs", "--name", "Child-friendly space", "--services",
                             "child_protection;psychosocial", "--location", "Block C"});
  REQUIRE_MESSAGE(added.exit_code == 0, added.err);
  const auto bad = server({"providers", "add", "x", "--name", "X", "--services", "magic", "--location", "Y"});
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("unknown service type 'magic'") != std::string::npos);
  testing::write_file(dir.path() / "directory.csv", std::string(kDirectory));
  const auto imported = server({"providers", "import", (dir.path() / "directory.csv").string()});
  REQUIRE_MESSAGE(imported.exit_code == 0, imported.err);
  CHECK(imported.out.find("Imported 3 providers") != std::string::npos);
  REQUIRE(server({"providers", "update", "unicef-cfs", "--inactive"}).exit_code == 0);
  const auto listed = server({"providers", "list"});
  CHECK(listed.out.find("amal-clinic") != std::string::npos);
  CHECK(listed.out.find("unicef-cfs") == std::string::npos);
  CHECK(listed.out.find("old-shelter") == std::string::npos);
  CHECK(server({"providers", "list", "--all"}).out.find("unicef-cfs") != std::string::npos);
}

}  // namespace amana::server
