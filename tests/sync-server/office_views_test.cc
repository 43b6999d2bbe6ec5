// Who may change who receives cases, and who sees names, at the server's command line:
// the operator passphrase for both, an audit entry for each, and listings that show what
// the review needs without the people's names.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "common/hlc.h"
#include "tests/support.h"

using namespace amana::testing;

namespace {

const std::map<std::string, std::string> kNoOperatorPassphrase = {{"AMANA_SERVER_PASSPHRASE", ""}};

CommandResult without_passphrase(const ServerUnderTest& server, std::vector<std::string> args) {
  args.insert(args.begin(), {kServerBin, "--data", server.data_dir().string()});
  return run_command(args, kNoOperatorPassphrase);
}

}  // namespace

TEST_CASE("users: adding, changing and deactivating users and enrolling need the operator passphrase and are audited") {
  ServerUnderTest server;
  for (const auto& command : std::vector<std::vector<std::string>>{
           {"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"},
           {"users", "set", "hawa", "--role", "officer"},
           {"users", "deactivate", "hawa"},
           {"enroll", "amina"}}) {
    CAPTURE(command[1]);
    const auto refused = without_passphrase(server, command);
    CHECK(refused.exit_code != 0);
    CHECK(contains(refused.err, "AMANA_SERVER_PASSPHRASE"));
  }
  const auto listed = nlohmann::json::parse(server.admin({"users", "list", "--json"}).out);
  CHECK(listed.size() == 2);  // amina and hawa, as ServerUnderTest made them: nothing was added
  CHECK(listed[1]["role"] == "assistant");
  CHECK(contains(server.admin({"audit"}).out, "enrollment-code") == false);

  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  CHECK(contains(server.admin({"users", "add", "bad\nname", "--role", "officer"}).err, "use 1 to 64 letters"));
  FieldDevice hawa("hawa", 0);
  enroll(server, hawa, "hawa");
  const std::string kase = open_example_case(hawa, {"register"});

  // A new role takes effect at the next pull: hawa, now MEAL, holds no case any more, and
  // the review says that no case worker holds it.
  const auto changed = server.admin({"users", "set", "hawa", "--role", "meal"});
  REQUIRE_MESSAGE(changed.exit_code == 0, changed.err);
  CHECK(contains(server.admin({"users", "set", "hawa", "--role", "meal"}).err, "nothing to change"));
  CHECK(contains(hawa.run({"sync"}).err, "removed 1 case"));
  CHECK(contains(server.admin({"cases", "review"}).out,
                 kase.substr(28) + ": no case worker can hold it: assigned to hawa, whose role (meal) cannot hold cases"));
  REQUIRE(server.admin({"users", "set", "hawa", "--role", "assistant"}).exit_code == 0);

  // Deactivated: the devices are revoked (and wipe at their next contact), no code is issued.
  const auto deactivated = server.admin({"users", "deactivate", "hawa"});
  REQUIRE_MESSAGE(deactivated.exit_code == 0, deactivated.err);
  CHECK(contains(deactivated.out, "revoked 1 device"));
  CHECK(contains(hawa.run({"sync"}).err, "the office has revoked this device"));
  CHECK(contains(server.admin({"enroll", "hawa"}).err, "user 'hawa' is deactivated"));
  CHECK(contains(server.admin({"users", "list"}).out, "DEACTIVATED"));
  CHECK(contains(server.admin({"cases", "review"}).out, "assigned to hawa, who is deactivated"));

  const auto log = server.admin({"audit"}).out;
  for (const std::string line : {"operator  add-user  omar  role officer, team um-dukhun",
                                  "operator  change-user  hawa  was role assistant, team um-dukhun, now role meal, team "
                                  "um-dukhun",
                                  "operator  revoke  ", "operator  deactivate-user  hawa  1 devices revoked",
                                  "operator  enrollment-code  hawa"}) {
    CHECK_MESSAGE(contains(log, line), line);
  }
}

TEST_CASE("views: listings carry no client name, and names, a case's file, history, conflicts and duplicates are audited") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  FieldDevice amina("amina", 0);
  enroll(server, amina, "amina");
  const std::string kase = open_example_case(amina, {"register", "assess", "plan", "close"});
  open_example_case(amina);  // Amira again, not yet registered: a likely duplicate of nobody yet
  const std::string name = "Salma Test-Child";  // the registration's name for the first case

  // What the weekly review needs, without who the person is.
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"cases"}, {"cases", "--json"}, {"cases", "review"}, {"cases", "duplicates"},
        {"records"}}) {
    CAPTURE(command.back());
    const auto shown = server.admin(command);
    REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
    CHECK_FALSE(contains(shown.out, name));
    CHECK_FALSE(contains(shown.out, "Amira"));
  }
  const auto listed = server.admin({"cases"}).out;
  CHECK(contains(listed, kase.substr(28) + "  closure_requested "));
  CHECK(contains(listed, "amina  opened " + amana::local_date(amana::system_wall_clock()())));
  CHECK(contains(server.admin({"cases", "review"}).out,
                 kase.substr(28) + ": closure requested (goals_met): awaiting an officer's approval"));

  // Names when asked for.
  CHECK(contains(server.admin({"cases", "--names"}).out, name));
  CHECK(contains(server.admin({"cases", "review", "--names", "--by", "omar"}).out, name));
  CHECK(contains(server.admin({"cases", "review", "--names", "--by", "amina"}).err,
                 "amina is assistant: only officer or admin users"));

  // The case file: the person, each step under its form's labels, the closure request.
  const auto file = server.admin({"cases", "show", kase.substr(28), "--by", "omar"});
  REQUIRE_MESSAGE(file.exit_code == 0, file.err);
  CHECK(contains(file.out, "Full name (name): " + name));
  CHECK(contains(file.out, "Closure requested: for the officer's decision"));
  CHECK(contains(file.out, "Shelter dispute resolved through legal aid"));  // the closure summary
  CHECK(contains(file.out, "Reason for closure (reason): "));
  CHECK(contains(file.out, "Consent obtained by (case worker) (consent_obtained_by): Case worker 07"));
  const auto arabic = server.admin({"cases", "show", kase, "--lang", "ar"});
  CHECK(contains(arabic.out, "الاسم الكامل (name): " + name));
  CHECK(contains(arabic.out, "طُلب الإغلاق"));
  CHECK(server.admin({"cases", "history", kase}).exit_code == 0);
  CHECK(server.admin({"cases", "conflicts", kase}).exit_code == 0);
  CHECK(server.admin({"cases", "duplicates", "--names"}).exit_code == 0);
  CHECK(server.admin({"records", "--json"}).exit_code == 0);

  const auto log = server.admin({"audit"}).out;
  for (const std::string& line : std::vector<std::string>{
           "operator  view cases  all  2 rows, IDENTIFIED", "omar  view review  all  ",
        "omar  view case  " + kase + "  5 rows, IDENTIFIED", "operator  view case  " + kase,
        "operator  view history  " + kase, "operator  view conflicts  " + kase + "  0 rows, IDENTIFIED",
        "operator  view duplicates  all  ", "operator  view records  all  ", "rows, references only"}) {
    CHECK_MESSAGE(contains(log, line), line);
  }
  CHECK_FALSE(contains(log, name));  // the log says what was shown, never whom
  CHECK_FALSE(contains(log, "Amira"));
}
