// The office's decisions are checked like a device's answers, through the real
// sync-server binary where an officer types them: a refused decision writes nothing, a
// damaged value stops no command, and the devices keep syncing whatever the office does.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "common/hlc.h"
#include "sync-server/admin.h"
#include "sync-server/org_keys.h"
#include "tests/support.h"

using namespace amana::testing;

namespace {

// Everything the server holds about the case, as the officer would read it.
std::string dump(const ServerUnderTest& server, const std::string& kase) {
  const auto shown = server.admin({"cases", "show", kase, "--json"});
  REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  return shown.out;
}

void check_refused(const ServerUnderTest& server, const std::vector<std::string>& command, const std::string& why) {
  CAPTURE(command.back());
  const auto refused = server.admin(command);
  CHECK(refused.exit_code != 0);
  CHECK_MESSAGE(contains(refused.err, why), refused.err);
}

void check_syncs(const FieldDevice& device) {
  const auto synced = device.run({"sync"});
  CHECK_MESSAGE(synced.exit_code == 0, synced.err);
}

}  // namespace

TEST_CASE("office: a typo'd resolve, a resolve without a conflict and a MEAL assignment are refused and write nothing") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  REQUIRE(server.admin({"users", "add", "mona", "--role", "meal", "--team", "um-dukhun"}).exit_code == 0);
  FieldDevice amina("amina", 0);
  FieldDevice officer("omar", 0);
  enroll(server, amina, "amina");
  enroll(server, officer, "omar");
  const std::string kase = open_example_case(amina, {"register", "assess", "plan"});
  REQUIRE(officer.run({"sync"}).exit_code == 0);  // the team's officer holds the case too

  // Offline, each moves the case on without seeing the other: a conflict on its status.
  REQUIRE(amina.run({"case", "follow-up", kase, "--answers", example_answers("follow-up")}).exit_code == 0);
  REQUIRE(officer.run({"case", "close", kase, "--answers", example_answers("close")}).exit_code == 0);
  REQUIRE(amina.run({"sync"}).exit_code == 0);
  REQUIRE(officer.run({"sync"}).exit_code == 0);
  REQUIRE(contains(server.admin({"cases", "conflicts", kase}).out, kase + "  status: "));

  const std::string before = dump(server, kase);
  check_refused(server, {"cases", "resolve", kase, "--field", "status", "--value", "asessed", "--by", "omar"},
                "status: 'asessed' is not a case status; the statuses are identified, registered, assessed");
  check_refused(server, {"cases", "resolve", kase, "--field", "status", "--value", "registered", "--by", "omar"},
                "keep one of them");
  CHECK(dump(server, kase) == before);
  check_syncs(amina);

  // A value the form refuses, and a valid one on a field nobody disagrees about.
  check_refused(server, {"cases", "resolve", kase, "--field", "age", "--value", "500", "--by", "omar"},
                "age (Age in years): Age must be between 0 and 120");
  check_refused(server, {"cases", "resolve", kase, "--field", "age", "--value", "50", "--by", "omar"},
                "no open conflict on field 'age' of record " + kase + ", and its value is valid");
  check_refused(server, {"cases", "resolve", kase, "--field", "assigned_to", "--value", "hawa", "--by", "omar"},
                "assigned_to is the office's own record of a decision");
  check_refused(server, {"cases", "resolve", kase, "--field", "nickname", "--value", "x", "--by", "omar"},
                "a case has no field 'nickname'");
  CHECK(dump(server, kase) == before);
  check_syncs(amina);
  CHECK(contains(amina.run({"case", "show", kase}).out, "age: 14"));  // what registration said, still

  // A case assigned to someone who can never hold it would be held by no device.
  check_refused(server, {"cases", "assign", kase, "mona", "--by", "omar"},
                "cannot assign the case to mona, no device would hold it: mona is meal: only assistant or officer "
                "users may receive cases");
  REQUIRE(server.admin({"users", "add", "idris", "--role", "assistant", "--team", "um-dukhun"}).exit_code == 0);
  REQUIRE(server.admin({"users", "deactivate", "idris"}).exit_code == 0);
  check_refused(server, {"cases", "assign", kase, "idris", "--by", "omar"}, "idris is deactivated");
  CHECK(dump(server, kase) == before);
  check_syncs(amina);
  check_syncs(officer);

  // The right decision goes through, once, and reaches both devices.
  const auto resolved =
      server.admin({"cases", "resolve", kase.substr(28), "--field", "status", "--value", "in_progress", "--by", "omar"});
  REQUIRE_MESSAGE(resolved.exit_code == 0, resolved.err);
  CHECK(contains(server.admin({"cases", "conflicts", kase}).out, "No conflicting edits"));
  check_syncs(amina);
  check_syncs(officer);
  CHECK(contains(amina.run({"cases"}).out, kase + "  in_progress"));
  CHECK(contains(officer.run({"cases"}).out, kase + "  in_progress"));
  const auto log = server.admin({"audit"}).out;
  CHECK(contains(log, "omar  resolve-conflict  " + kase + "  record " + kase + " field status"));
  CHECK_FALSE(contains(log, "assign  " + kase));  // the refused assignments left no trace of a decision
}

TEST_CASE("office: an unknown stored status stops no listing, review, pull or correction") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  FieldDevice amina("amina", 0);
  enroll(server, amina, "amina");
  const std::string kase = open_example_case(amina, {"register", "assess"});

  // As a damaged store (or an older program) would have it, written with the store's API.
  {
    auto store = amana::server::open_server_store(server.data_dir());
    REQUIRE(store.ok());
    REQUIRE(amana::server::unlock_org_keys(**store, kPassphrases.at("AMANA_SERVER_PASSPHRASE")).ok());
    const auto id = amana::RecordId::parse(kase);
    REQUIRE(id.ok());
    REQUIRE((*store)->write_as_org(*id, {{"status", "asessed"}}, "damage", amana::system_wall_clock()()).ok());
  }

  const auto listed = server.admin({"cases"});
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
  CHECK(contains(listed.out, kase.substr(28) + "  ?asessed (not a known status)"));
  const auto review = server.admin({"cases", "review"});
  REQUIRE_MESSAGE(review.exit_code == 0, review.err);
  CHECK(contains(review.out, kase.substr(28) + ": status 'asessed' is not a known status"));
  const auto shown = server.admin({"cases", "show", kase});
  REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  CHECK(contains(shown.out, "status ?asessed (not a known status)"));
  CHECK(contains(shown.out, "Status (status): ?asessed (not a valid answer)  !"));
  check_syncs(amina);  // the device's pull is answered
  check_refused(server, {"cases", "approve-closure", kase, "--by", "omar"},
                "has status 'asessed', which is not a known status: correct it first with `sync-server cases resolve");

  // A damaged status goes back to an open one; closing is a decision of its own.
  check_refused(server, {"cases", "resolve", kase, "--field", "status", "--value", "closed", "--by", "omar"},
                "a damaged status is corrected to an open status");
  const auto corrected = server.admin({"cases", "resolve", kase, "--field", "status", "--value", "assessed", "--by", "omar"});
  REQUIRE_MESSAGE(corrected.exit_code == 0, corrected.err);
  CHECK(contains(server.admin({"cases"}).out, kase.substr(28) + "  assessed"));
  check_syncs(amina);
  CHECK(contains(amina.run({"cases"}).out, kase + "  assessed"));
  // Corrected, it is valid again: nothing left to resolve.
  check_refused(server, {"cases", "resolve", kase, "--field", "status", "--value", "assessed", "--by", "omar"},
                "no open conflict on field 'status'");
}
