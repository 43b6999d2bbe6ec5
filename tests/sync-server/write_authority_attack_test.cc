// Write authority through the real binaries, each finding played as the attacker would:
// a device owner forging their own device's changesets (tests/sync-server/forge.h) and
// posting them to a real `sync-server serve`, or carrying them as a bundle. For each: the
// operation is refused and kept aside, nothing of it is merged or reaches another device,
// the honest operations beside it merge, every device keeps syncing, /metrics counts it
// and the audit log names the rule.
#include <doctest/doctest.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "common/hlc.h"
#include "tests/support.h"
#include "tests/sync-server/forge.h"

using namespace amana;
using namespace amana::testing;

namespace {

// The survey answers as a forged create carries them.
DeviceOwner::Values survey() { return {survey_answers().begin(), survey_answers().end()}; }

std::string step_id_from(const CommandResult& result) { return result.out.substr(0, 36); }

// An organisation with two teams: Amina (um-dukhun) holds the case of a child, registered
// and assessed; Zara is an assistant of the zalingei team; Omar the um-dukhun officer;
// Mona the MEAL officer.
struct Office {
  ServerUnderTest server;
  FieldDevice amina{"amina", 0};
  FieldDevice zara{"zara", 0};
  std::string identification;
  std::string kase;

  Office() {
    for (const std::vector<std::string>& user :
         {std::vector<std::string>{"omar", "--role", "officer", "--team", "um-dukhun"},
          {"zara", "--role", "assistant", "--team", "zalingei"}, {"mona", "--role", "meal", "--team", "um-dukhun"}}) {
      std::vector<std::string> args{"users", "add"};
      args.insert(args.end(), user.begin(), user.end());
      REQUIRE(server.admin(args).exit_code == 0);
    }
    enroll(server, amina, "amina");
    enroll(server, zara, "zara");
    const auto collected = amina.run({"collect", "outreach-identification", "--answers",
                                      kExamples + "outreach-identification.answers.json"});
    REQUIRE_MESSAGE(collected.exit_code == 0, collected.err);
    identification = step_id_from(collected);
    const auto opened = amina.run({"case", "open", "--from", identification});
    REQUIRE_MESSAGE(opened.exit_code == 0, opened.err);
    kase = opened.out.substr(opened.out.find("Opened case ") + 12, 36);
    for (const auto& [verb, form] : {std::pair{"register", "case-registration"}, {"assess", "case-assessment"}}) {
      const auto step = amina.run({"case", verb, kase, "--answers", kExamples + form + ".answers.json"});
      REQUIRE_MESSAGE(step.exit_code == 0, verb, ": ", step.err);
    }
    sync(amina);
    sync(zara);
  }

  RecordId case_id() const { return *RecordId::parse(kase); }

  static CommandResult sync(const FieldDevice& device) {
    const auto synced = device.run({"sync"});
    REQUIRE_MESSAGE(synced.exit_code == 0, synced.err);
    return synced;
  }

  nlohmann::json the_case() const {
    const auto cases = nlohmann::json::parse(server.admin({"cases", "--json"}).out);
    REQUIRE(cases.size() == 1);
    return cases[0];
  }

  std::int64_t records() const { return server.status()["records"].get<std::int64_t>(); }

  // The refusal came back to the device, is counted and audited by rule, and kept aside.
  void check_refused(const pb::PushResponse& response, const std::string& rule, const std::string& record,
                     const std::string& user, std::uint64_t counted = 1) const {
    REQUIRE(response.refused_size() >= 1);
    bool reported = false;
    for (const auto& refused : response.refused()) {
      reported = reported || (refused.rule() == rule && RecordId::from_bytes(crypto::as_bytes(refused.record_id()))
                                                                ->to_string() == record);
    }
    CHECK_MESSAGE(reported, rule, " on ", record);
    CHECK(metric(server, "amana_operations_refused_total", "rule=\"" + rule + "\"") == counted);
    const auto audit = server.admin({"audit"});
    CHECK_MESSAGE(contains(audit.out, user + "  refused-write  " + record + "  rule " + rule + "; fields "), audit.out);
    CHECK(contains(server.admin({"refused"}).out, user + "  record " + record + "  " + rule + "  fields "));
  }

  // Amina still holds the whole case; Zara, syncing as usual, got nothing of it.
  void check_case_stays_with_amina() const {
    const auto zara_synced = sync(zara);
    CHECK_FALSE(contains(zara_synced.err, "received"));
    CHECK(contains(zara.run({"cases"}).out, "No cases yet"));
    CHECK_FALSE(contains(zara.run({"records", "--json"}).out, "\"case"));
    const auto amina_synced = sync(amina);
    CHECK_FALSE(contains(amina_synced.err, "removed"));
    CHECK(contains(amina.run({"cases"}).out, kase + "  assessed"));
    CHECK_FALSE(contains(amina.run({"case", "show", kase}).out, "assigned_to"));
    CHECK(the_case()["assigned_to"] == "amina");
  }
};

}  // namespace

TEST_CASE("write authority: another team's assistant writing assigned_to on a child's case gets nothing of it") {
  Office office;
  const std::int64_t before = office.records();
  DeviceOwner zara(office.zara);
  const pb::Operation honest = zara.create("pdm-survey", survey());
  zara.changeset({zara.operation(pb::Operation::UPDATE, office.case_id(), "case", {{"assigned_to", "zara"}}), honest});
  const pb::PushResponse response = zara.push(office.server.url());
  REQUIRE(response.results_size() == 1);
  CHECK(response.results(0).outcome() == pb::PushResponse::MERGED);  // the changeset counts: never resent
  CHECK(response.refused_size() == 1);
  CHECK(office.records() == before + 1);  // the survey beside it merged
  office.check_refused(response, "case_not_held", office.kase, "zara");
  office.check_case_stays_with_amina();
  // Zara's device goes on as ever: its next change follows the forged changeset's chain.
  office.zara.add_surveys(1);
  const auto again = Office::sync(office.zara);
  CHECK(contains(again.err, "sending changesets 1-1 of 1"));
  CHECK(office.records() == before + 2);
  CHECK(office.server.status()["forks"] == 0);
}

TEST_CASE("write authority: the assignee writing status=closed and closure_decision=approved is refused") {
  Office office;
  const std::int64_t before = office.records();
  DeviceOwner amina(office.amina);
  const RecordId kase = office.case_id();
  amina.changeset({amina.operation(pb::Operation::UPDATE, kase, "case",
                                   {{"status", "closed"}, {"closure_decision", "approved"},
                                    {"closure_decided_by", "omar"}}),
                   amina.operation(pb::Operation::UPDATE, kase, "case", {{"transferred_to", "Elsewhere"}}),
                   amina.create("pdm-survey", survey())});
  const pb::PushResponse response = amina.push(office.server.url());
  CHECK(response.refused_size() == 2);
  office.check_refused(response, "office_owned_field", office.kase, "amina", 2);
  CHECK(office.records() == before + 1);  // the survey beside them merged
  CHECK(contains(office.server.admin({"audit"}).out, "fields closure_decided_by, closure_decision, status"));
  CHECK(office.the_case()["status"] == "assessed");
  office.check_case_stays_with_amina();
  // The honest way still works: she requests closure, the officer decides.
  REQUIRE(office.amina.run({"case", "plan", office.kase, "--answers", kExamples + "case-plan.answers.json"}).exit_code == 0);
  REQUIRE(office.amina.run({"case", "close", office.kase, "--answers", kExamples + "case-closure.answers.json"})
              .exit_code == 0);
  Office::sync(office.amina);
  CHECK(office.the_case()["status"] == "closure_requested");
  REQUIRE(office.server.admin({"cases", "approve-closure", office.kase, "--by", "omar"}).exit_code == 0);
  CHECK(office.the_case()["status"] == "closed");
  // Reopening is the office's too: a device writing an open status on the closed case.
  DeviceOwner again(office.amina);
  again.changeset({again.operation(pb::Operation::UPDATE, kase, "case", {{"status", "registered"}})});
  const auto reopened = again.push(office.server.url());
  REQUIRE(reopened.refused_size() == 1);
  CHECK(reopened.refused(0).rule() == "office_owned_field");
  CHECK(office.the_case()["status"] == "closed");
  Office::sync(office.amina);
}

TEST_CASE("write authority: another device's record, a step of a case not held, and a record moved are refused") {
  Office office;
  office.zara.collect("pdm-survey");
  Office::sync(office.zara);
  const auto zara_records = nlohmann::json::parse(office.zara.run({"records", "--json"}).out);
  REQUIRE(zara_records.size() == 1);
  const RecordId own_survey = *RecordId::parse(zara_records[0]["id"].get<std::string>());
  const std::int64_t before = office.records();
  const int steps_before = office.the_case()["steps"].get<int>();

  DeviceOwner zara(office.zara);
  const RecordId identification = *RecordId::parse(office.identification);
  const pb::Operation others = zara.operation(pb::Operation::UPDATE, identification, "outreach-identification",
                                              {{"full_name", "Someone Else"}});
  const pb::Operation step = zara.create("referral", {{"referral_date", "2026-11-22"}, {"reason", "forged"}},
                                         office.case_id());
  const pb::Operation into_case = zara.operation(pb::Operation::UPDATE, own_survey, "pdm-survey",
                                                 {{"comments", "now part of a case"}}, office.case_id());
  const pb::Operation into_form = zara.operation(pb::Operation::UPDATE, own_survey, "case", {{"status", "identified"}});
  zara.changeset({others, step, into_case, into_form, zara.create("pdm-survey", survey())});
  const pb::PushResponse response = zara.push(office.server.url());
  CHECK(response.refused_size() == 4);
  office.check_refused(response, "not_own_record", office.identification, "zara");
  office.check_refused(response, "case_not_held", RecordId::from_bytes(crypto::as_bytes(step.record_id()))->to_string(),
                       "zara");
  office.check_refused(response, "record_identity", own_survey.to_string(), "zara", 2);
  CHECK(office.records() == before + 1);
  CHECK(office.the_case()["steps"] == steps_before);
  const auto records = office.server.admin({"records", "--json"});
  CHECK_FALSE(contains(records.out, "Someone Else"));
  CHECK_FALSE(contains(records.out, "now part of a case"));
  office.check_case_stays_with_amina();
  // Amina's device received no forged step and no moved survey with the case.
  CHECK_FALSE(contains(office.amina.run({"records", "--json"}).out, "pdm-survey"));
  const std::string step_id = RecordId::from_bytes(crypto::as_bytes(step.record_id()))->to_string();
  CHECK_FALSE(contains(office.amina.run({"case", "show", office.kase}).out, step_id));
  CHECK_FALSE(contains(office.amina.run({"records", "--json"}).out, step_id));
}

TEST_CASE("write authority: a record claiming another author is refused, the enrolled user is what is stored") {
  Office office;
  DeviceOwner zara(office.zara);
  pb::Operation claimed = zara.create("pdm-survey", survey());
  claimed.set_author("amina");
  const pb::Operation honest = zara.create("pdm-survey", survey());
  zara.changeset({claimed, honest});
  const pb::PushResponse response = zara.push(office.server.url());
  office.check_refused(response, "claimed_author", RecordId::from_bytes(crypto::as_bytes(claimed.record_id()))->to_string(),
                       "zara");
  const auto records = nlohmann::json::parse(office.server.admin({"records", "--form", "pdm-survey", "--json"}).out);
  REQUIRE(records.size() == 1);
  CHECK(records[0]["author"] == "zara");
  CHECK(records[0]["id"] == RecordId::from_bytes(crypto::as_bytes(honest.record_id()))->to_string());
  office.check_case_stays_with_amina();
}

TEST_CASE("write authority: stamps at INT64_MAX or past the bound are refused, one at the bound still loses to the office") {
  Office office;
  const std::int64_t before = office.records();
  DeviceOwner amina(office.amina);
  const RecordId kase = office.case_id();
  const std::int64_t now = system_wall_clock()();
  const pb::Operation end_of_time = amina.operation(pb::Operation::UPDATE, kase, "case", {{"risk_level", "low"}},
                                                    std::nullopt, HlcTime{0x7fff'ffff'ffff'ffffULL});
  const pb::Operation past = amina.operation(pb::Operation::UPDATE, kase, "case", {{"risk_level", "medium"}},
                                             std::nullopt, make_hlc(now + kMaxClockAheadMs + 10 * 60'000, 0));
  amina.changeset({end_of_time, past, amina.create("pdm-survey", survey())});
  const pb::PushResponse response = amina.push(office.server.url());
  CHECK(response.refused_size() == 2);
  office.check_refused(response, "future_stamp", office.kase, "amina", 2);
  CHECK(office.records() == before + 1);
  CHECK(contains(response.refused(0).reason(), "check this device's date, time and time zone"));
  CHECK(office.the_case()["risk_level"] == "high");
  office.check_case_stays_with_amina();

  // A closure request stamped just inside the bound merges; the officer's decision is
  // stamped after it and wins (an office stamp of latest + 1 cannot wrap).
  DeviceOwner later(office.amina);
  later.changeset({later.operation(pb::Operation::UPDATE, kase, "case",
                                   {{"status", "closure_requested"}, {"before_closure", "assessed"}},
                                   std::nullopt, make_hlc(now + kMaxClockAheadMs - 60'000, 0))});
  const pb::PushResponse at_bound = later.push(office.server.url());
  CHECK(at_bound.refused_size() == 0);
  CHECK(office.the_case()["status"] == "closure_requested");
  const auto approved = office.server.admin({"cases", "approve-closure", office.kase, "--by", "omar"});
  REQUIRE_MESSAGE(approved.exit_code == 0, approved.err);
  CHECK(office.the_case()["status"] == "closed");
  // Amina's device takes the decision in (it is within its own bound) and syncs on.
  const auto synced = Office::sync(office.amina);
  CHECK_FALSE(contains(synced.err, "not applied"));
  CHECK(contains(office.amina.run({"cases"}).out, office.kase + "  closed"));
}

TEST_CASE("write authority: a MEAL device writing case data is refused, by push or bundle, and its person is told") {
  Office office;
  FieldDevice mona("mona", 0);
  enroll(office.server, mona, "mona");
  Office::sync(mona);
  DeviceOwner forger(mona);
  const pb::Operation kase = forger.create("case", {{"status", "identified"}, {"name", "Invented"}});
  const pb::Operation step = forger.create("case-assessment", {{"risk_level", "low"}},
                                           *RecordId::from_bytes(crypto::as_bytes(kase.record_id())));
  const pb::Operation into_real = forger.create("follow-up", {{"outcome", "forged"}}, office.case_id());
  const pb::Operation identification = forger.create("outreach-identification", {{"full_name", "Invented"}});
  forger.changeset({kase, step, into_real, identification, forger.create("pdm-survey", survey())});
  TempDir stick;
  forger.write_bundle(stick.path() / "mona.amana");
  const std::int64_t before = office.records();
  const auto imported = office.server.admin({"import-bundle", (stick.path() / "mona.amana").string()});
  REQUIRE_MESSAGE(imported.exit_code == 0, imported.err);
  CHECK(contains(imported.out, "changeset 1: merged"));
  CHECK(contains(imported.out, "4 operations refused by write authority"));
  CHECK(office.records() == before + 1);
  CHECK(nlohmann::json::parse(office.server.admin({"cases", "--json"}).out).size() == 1);
  CHECK(office.the_case()["steps"] == 2);
  const auto audit = office.server.admin({"audit"}).out;
  CHECK(contains(audit, "mona  refused-write  " + RecordId::from_bytes(crypto::as_bytes(into_real.record_id()))->to_string() +
                            "  rule role_not_allowed; fields outcome"));
  CHECK(contains(audit, "rule role_not_allowed; fields name, status"));
  CHECK(contains(audit, "mona  import-bundle  "));
  CHECK(contains(office.server.admin({"refused"}).out, "mona  record "));
  office.check_case_stays_with_amina();
  CHECK(contains(mona.run({"cases"}).out, "No cases yet"));  // nor did Mona's device receive any

  // Through the field client as a person would: the case is opened on the device, the
  // office does not take it, and the sync says so in plain words, once.
  const auto opened = mona.run({"case", "open", "--name", "Asha", "--sex", "female", "--age", "30", "--location", "X"});
  REQUIRE_MESSAGE(opened.exit_code == 0, opened.err);
  const auto synced = Office::sync(mona);
  CHECK_MESSAGE(contains(synced.err, "the office did not accept 1 change from this device; it is kept at the office "
                                     "for an officer to review, and everything else was merged"),
                synced.err);
  CHECK(contains(synced.err, "devices of meal users may not create case records"));
  CHECK(contains(Office::sync(mona).err, "nothing to send"));
  CHECK(office.server.status()["refused_writes"] == 5);
  CHECK(metric(office.server, "amana_operations_refused_total", "rule=\"role_not_allowed\"") == 1);
  // The operator sees what was attempted, values only with the passphrase.
  CHECK_FALSE(contains(office.server.admin({"refused"}).out, "Asha"));
  CHECK(contains(office.server.admin({"refused", "--values"}).out, "name = Asha"));
}

TEST_CASE("write authority: equal HLC stamps from two devices end with the same winner on server and device, both orders") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  FieldDevice amina("amina", 0);
  FieldDevice omar("omar", 0);
  FieldDevice hawa("hawa", 0);
  enroll(server, amina, "amina");
  enroll(server, omar, "omar");
  enroll(server, hawa, "hawa");
  const auto opened = amina.run({"case", "open", "--name", "Amira", "--sex", "female", "--age", "12", "--location", "X"});
  REQUIRE_MESSAGE(opened.exit_code == 0, opened.err);
  const std::string kase = opened.out.substr(opened.out.find("Opened case ") + 12, 36);
  for (const FieldDevice* device : {&amina, &omar, &hawa}) REQUIRE(device->run({"sync"}).exit_code == 0);
  REQUIRE(server.process().stop(SIGTERM) == 0);

  TempDir copy;
  const auto recursive = std::filesystem::copy_options::recursive;
  std::filesystem::copy(server.data_dir(), copy.path() / "server", recursive);
  for (const auto& [device, name] : {std::pair{&amina, "amina"}, {&omar, "omar"}, {&hawa, "hawa"}}) {
    std::filesystem::copy(device->home(), copy.path() / name, recursive);
  }
  // The same two writes of one field, one stamp, by the assignee and by her officer.
  const HlcTime stamp = make_hlc(system_wall_clock()(), 7);
  DeviceOwner a(amina);
  DeviceOwner o(omar);
  const RecordId id = *RecordId::parse(kase);
  const pb::Operation by_amina = a.operation(pb::Operation::UPDATE, id, "case", {{"risk_level", "low"}}, std::nullopt, stamp);
  const pb::Operation by_omar = o.operation(pb::Operation::UPDATE, id, "case", {{"risk_level", "medium"}}, std::nullopt, stamp);
  const std::string expected = a.device() > o.device() ? "low" : "medium";

  auto run_order = [&](const std::filesystem::path& data, const std::filesystem::path& hawa_home, bool amina_first,
                       DeviceOwner& first_owner, DeviceOwner& second_owner) {
    std::string url;
    auto process = serve(data, url);
    first_owner.changeset({amina_first ? by_amina : by_omar});
    CHECK(first_owner.push(url).refused_size() == 0);
    second_owner.changeset({amina_first ? by_omar : by_amina});
    CHECK(second_owner.push(url).refused_size() == 0);
    const auto cases = nlohmann::json::parse(
        run_command({kServerBin, "--data", data.string(), "cases", "--json"}, kPassphrases).out);
    REQUIRE(cases.size() == 1);
    // Hawa takes the case over: her device receives it whole, both writes in merge order.
    REQUIRE(run_command({kServerBin, "--data", data.string(), "cases", "assign", kase, "hawa", "--by", "omar"},
                        kPassphrases).exit_code == 0);
    const auto synced = run_command({kClientBin, "--home", hawa_home.string(), "sync", "--server", url}, kPassphrases);
    REQUIRE_MESSAGE(synced.exit_code == 0, synced.err);
    const auto shown = run_command({kClientBin, "--home", hawa_home.string(), "case", "show", kase}, kPassphrases);
    CHECK(process->stop(SIGTERM) == 0);
    return std::pair{cases[0]["risk_level"].get<std::string>(), contains(shown.out, "risk_level: " + expected)};
  };
  const auto [server_a_first, device_a_first] = run_order(server.data_dir(), hawa.home(), true, a, o);
  DeviceOwner a_copy(copy.path() / "amina");
  DeviceOwner o_copy(copy.path() / "omar");
  const auto [server_o_first, device_o_first] = run_order(copy.path() / "server", copy.path() / "hawa", false, o_copy, a_copy);
  // The greater (HLC, device id) wins everywhere, whatever came first.
  CHECK(server_a_first == expected);
  CHECK(server_o_first == expected);
  CHECK(device_a_first);
  CHECK(device_o_first);
}
