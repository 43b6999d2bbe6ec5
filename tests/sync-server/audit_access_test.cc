// The audit log and the role table, through the real binaries: who may do what on the
// server, and that every such act leaves a tamper-evident trace.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <map>
#include <set>

#include "common/sqlite.h"
#include "sync-server/access.h"
#include "sync-server/audit_log.h"
#include "tests/support.h"

using namespace amana;
using namespace amana::testing;

namespace {

std::vector<server::AuditEntry> chain_of(int count) {
  std::vector<server::AuditEntry> entries;
  server::AuditHash previous{};
  for (int i = 1; i <= count; ++i) {
    server::AuditEntry entry{static_cast<std::uint64_t>(i), {1000 + i, "amina", "push", "device-1", "1 changesets"}, {}};
    entry.hash = server::audit_hash(previous, entry.seq, entry.event);
    previous = entry.hash;
    entries.push_back(entry);
  }
  return entries;
}

server::AuditHead head_of(const std::vector<server::AuditEntry>& entries) {
  return {entries.back().seq, entries.back().hash};
}

// Opens a case from an identification on `device` and syncs it; returns its id.
std::string open_case(const FieldDevice& device) {
  const auto identification = device.run({"collect", "outreach-identification", "--answers",
                                          kExamples + "outreach-identification.answers.json"});
  REQUIRE_MESSAGE(identification.exit_code == 0, identification.err);
  const auto opened = device.run({"case", "open", "--from", identification.out.substr(0, 36)});
  REQUIRE_MESSAGE(opened.exit_code == 0, opened.err);
  const auto synced = device.run({"sync"});
  REQUIRE_MESSAGE(synced.exit_code == 0, synced.err);
  return opened.out.substr(opened.out.find("Opened case ") + 12, 36);
}

void exec(const std::filesystem::path& db_path, const std::string& sql) {
  auto db = sql::Database::open(db_path, sql::OpenMode::existing);
  REQUIRE(db.ok());
  const Status done = (*db)->exec(sql);
  REQUIRE_MESSAGE(done.ok(), done.message());
}

}  // namespace

TEST_CASE("audit: the chain finds an entry edited, removed or reordered, and the newest ones cut off") {
  const auto entries = chain_of(5);
  CHECK(server::verify_audit_chain(entries, head_of(entries)).intact);
  CHECK(server::verify_audit_chain({}, {}).intact);

  auto edited = entries;
  edited[2].event.detail = "0 changesets";
  auto verdict = server::verify_audit_chain(edited, head_of(entries));
  CHECK_FALSE(verdict.intact);
  CHECK(verdict.problem == "entry 3 (push by amina) does not match its hash: it, or one before it, was changed");

  auto removed = entries;
  removed.erase(removed.begin() + 1);
  verdict = server::verify_audit_chain(removed, head_of(entries));
  CHECK_FALSE(verdict.intact);
  CHECK(verdict.problem == "entry 2 is missing (the next one is 3): entries were removed or reordered");

  auto reordered = entries;  // contents swapped, numbers kept
  std::swap(reordered[1].event, reordered[2].event);
  std::swap(reordered[1].hash, reordered[2].hash);
  CHECK_FALSE(server::verify_audit_chain(reordered, head_of(entries)).intact);

  auto cut = entries;
  cut.pop_back();
  verdict = server::verify_audit_chain(cut, head_of(entries));
  CHECK_FALSE(verdict.intact);
  CHECK(contains(verdict.problem, "the newest entries were removed"));
}

TEST_CASE("audit: pushes, pulls, exports, enrollments, revocations and assignments are logged, edits are found") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  FieldDevice amina("amina", 0);
  enroll(server, amina, "amina");
  const std::string kase = open_case(amina);
  REQUIRE(server.admin({"cases", "assign", kase, "hawa", "--by", "omar"}).exit_code == 0);
  TempDir out;
  REQUIRE(server.admin({"export", "--form", "outreach-identification", "--out", (out.path() / "a.csv").string()})
              .exit_code == 0);
  const auto identified = server.admin({"export", "--cases", "--identified", "--by", "omar", "--out",
                                        (out.path() / "cases.csv").string()});
  REQUIRE_MESSAGE(identified.exit_code == 0, identified.err);
  CHECK(contains(read_file(out.path() / "cases.csv"), "Amira Test-Person"));
  const auto devices = nlohmann::json::parse(server.admin({"devices", "--json"}).out);
  const std::string device = devices[0]["id"];
  REQUIRE(server.admin({"revoke", device}).exit_code == 0);

  const auto log = server.admin({"audit"});
  REQUIRE_MESSAGE(log.exit_code == 0, log.err);
  for (const std::string& line : std::vector<std::string>{"operator  add-user  omar  role officer, team um-dukhun",
                                 "operator  enrollment-code  amina",
                                 "amina  enroll  " + device + "  role assistant",
                                 "amina  push  " + device + "  1 changesets, 1 merged; high water 1",
                                 "amina  pull  " + device,
                                 "omar  assign  " + kase + "  to hawa",
                                 "operator  export  outreach-identification  1 rows, de-identified, file ",
                                 "omar  export  cases  1 rows, IDENTIFIED, file ",
                                 "operator  revoke  " + device}) {
    CHECK_MESSAGE(contains(log.out, line), line);
  }
  CHECK_FALSE(contains(log.out, "Amira"));  // the log names nobody
  const auto verified = server.admin({"audit", "verify"});
  CHECK(verified.exit_code == 0);
  CHECK(contains(verified.out, "The audit log is intact: "));

  server.process().stop(SIGTERM);
  const auto db = server.data_dir() / "central.db";
  auto verify_copy = [&](const std::string& tamper) {
    TempDir copy;
    std::filesystem::copy(server.data_dir(), copy.path() / "server", std::filesystem::copy_options::recursive);
    exec(copy.path() / "server" / "central.db", tamper);
    return run_command({kServerBin, "--data", (copy.path() / "server").string(), "audit", "verify"}, kPassphrases);
  };
  const auto edited = verify_copy("UPDATE audit_log SET actor = 'someone else' WHERE action = 'assign'");
  CHECK(edited.exit_code != 0);
  CHECK(contains(edited.err, "error: the audit log has been tampered with: entry "));
  CHECK(contains(edited.err, "(assign by someone else) does not match its hash"));
  const auto removed = verify_copy("DELETE FROM audit_log WHERE action = 'export'");
  CHECK(removed.exit_code != 0);
  CHECK(contains(removed.err, "is missing"));
  const auto reordered = verify_copy(
      "UPDATE audit_log SET seq = -seq WHERE seq IN (2, 3); UPDATE audit_log SET seq = 5 + seq WHERE seq IN (-2, -3)");
  CHECK(reordered.exit_code != 0);
  CHECK(contains(reordered.err, "entry 2 "));
  const auto cut = verify_copy("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)");
  CHECK(cut.exit_code != 0);
  CHECK(contains(cut.err, "the newest entries were removed"));
}

TEST_CASE("access: each role tries every operation on behalf of a user, only the allowed ones succeed") {
  using server::Operation;
  using server::Role;
  // The table itself, as access.h documents it.
  const std::map<Operation, std::set<Role>> expected = {
      {Operation::sync_own_records, {Role::assistant, Role::officer, Role::meal, Role::admin}},
      {Operation::receive_cases, {Role::assistant, Role::officer}},
      {Operation::pull_dataset, {Role::meal}},
      {Operation::decide_cases, {Role::officer, Role::admin}},
      {Operation::export_identified, {Role::officer, Role::admin}},
  };
  for (const auto& [operation, roles] : expected) {
    for (Role role : {Role::assistant, Role::officer, Role::meal, Role::admin}) {
      CAPTURE(server::operation_name(operation));
      CAPTURE(server::role_name(role));
      CHECK(server::allowed(role, operation) == roles.contains(role));
    }
  }

  // And every one of them done for real, by a user of each role.
  ServerUnderTest server;
  FieldDevice amina("amina", 0);
  enroll(server, amina, "amina");
  const std::string kase = open_case(amina);
  TempDir out;
  int surveys_merged = 0;
  const std::map<std::string, Role> users = {
      {"hawa", Role::assistant}, {"omar", Role::officer}, {"mona", Role::meal}, {"ada", Role::admin}};
  for (const auto& [name, role] : users) {
    if (name != "hawa") {
      REQUIRE(server.admin({"users", "add", name, "--role", std::string(server::role_name(role)), "--team",
                            "um-dukhun"}).exit_code == 0);
    }
  }
  for (const auto& [name, role] : users) {
    CAPTURE(name);
    const auto decided = server.admin({"cases", "assign", kase, "hawa", "--by", name});
    CHECK((decided.exit_code == 0) == server::allowed(role, Operation::decide_cases));
    if (decided.exit_code != 0) CHECK(contains(decided.err, "only officer or admin users may decide on cases"));

    const auto exported = server.admin({"export", "--form", "outreach-identification", "--identified", "--by", name,
                                        "--out", (out.path() / (name + ".csv")).string()});
    CHECK((exported.exit_code == 0) == server::allowed(role, Operation::export_identified));
    if (exported.exit_code != 0) {
      CHECK(contains(exported.err, "only officer or admin users may export identified data"));
      CHECK(contains(server.admin({"audit"}).out, name + "  refused  outreach-identification  identified export: "));
      CHECK_FALSE(std::filesystem::exists(out.path() / (name + ".csv")));
    }

    FieldDevice device(name, 2);
    enroll(server, device, name);
    const auto synced = device.run({"sync"});
    CHECK((synced.exit_code == 0) == server::allowed(role, Operation::sync_own_records));
    if (synced.exit_code == 0) surveys_merged += 2;
    CHECK(device.pending_operations() == 0);
    const bool holds_case = !contains(device.run({"cases"}).out, "No cases");
    CHECK(holds_case == server::allowed(role, Operation::receive_cases));

    const auto dataset = (out.path() / (name + "-pdm.csv")).string();
    const auto pulled = device.run({"dataset", "pull", "--form", "pdm-survey", "--out", dataset});
    CHECK((pulled.exit_code == 0) == server::allowed(role, Operation::pull_dataset));
    if (pulled.exit_code == 0) {
      CHECK(contains(pulled.out, "Wrote " + std::to_string(surveys_merged) + " rows to " + dataset + " (de-identified)"));
      const std::string csv = read_file(dataset);
      CHECK(contains(csv, "record,form_version,collected_on,device,"));
      CHECK_FALSE(contains(csv, "The queue was long"));  // comments: sensitive
      CHECK(contains(read_file(dataset + ".codebook.csv"), "satisfaction"));
    } else {
      CHECK(contains(pulled.err, "only meal users may pull datasets"));
      CHECK(contains(server.admin({"audit"}).out, name + "  refused  "));
      CHECK_FALSE(std::filesystem::exists(dataset));
    }
  }
  // The users go in name order: ada, hawa and mona had each merged 2 surveys when mona pulled.
  CHECK(contains(server.admin({"audit"}).out, "mona  export  pdm-survey  6 rows, de-identified, device "));
}
