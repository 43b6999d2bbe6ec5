// End to end with the real binaries: a sync-server on 127.0.0.1 with an ephemeral port,
// two enrolled field devices collecting and syncing, checked through the server's CLI.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "tests/support.h"

using namespace amana::testing;

namespace {

// How many requests the server answered on `route` with 200, from its /metrics.
int answered(const ServerUnderTest& server, const std::string& route) {
  const auto metrics = amana::http::request(*amana::http::Url::parse(server.url()), "GET", "/metrics", "");
  REQUIRE(metrics.ok());
  const std::string key = "amana_http_requests_total{route=\"" + route + "\",status=\"200\"} ";
  const auto at = metrics->body.find(key);
  return at == std::string::npos ? 0 : std::stoi(metrics->body.substr(at + key.size()));
}

}  // namespace

TEST_CASE("sync end to end: two devices enroll, collect, sync, and the central store has every record") {
  ServerUnderTest server;
  FieldDevice amina("amina");
  FieldDevice hawa("hawa");
  const auto enrolled = amina.run({"enroll", server.enrollment_code("amina"), "--server", server.url()});
  REQUIRE_MESSAGE(enrolled.exit_code == 0, enrolled.err);
  CHECK(contains(enrolled.out, "as amina (assistant, team um-dukhun)"));
  enroll(server, hawa, "hawa");

  amina.collect("outreach-identification");
  amina.collect("pdm-survey");
  hawa.collect("rapid-protection-assessment");
  const auto synced = amina.run({"sync"});
  REQUIRE_MESSAGE(synced.exit_code == 0, synced.err);
  CHECK(contains(synced.err, "sync: sending changesets 1-1 of 1"));
  CHECK(contains(synced.err, "sync: pulling what this device needs to know"));
  CHECK(contains(synced.out, "0 operations waiting to sync"));
  REQUIRE(hawa.run({"sync"}).exit_code == 0);
  CHECK(server.status()["records"] == 3);
  CHECK(server.status()["devices"] == 2);

  // Edits travel as new changesets; syncing again with nothing new sends nothing.
  const auto pdm = nlohmann::json::parse(amina.run({"records", "--form", "pdm-survey", "--json"}).out);
  REQUIRE(amina.run({"edit", pdm[0]["id"].get<std::string>(), "--set", "satisfaction=5"}).exit_code == 0);
  REQUIRE(amina.run({"sync"}).exit_code == 0);
  CHECK(contains(amina.run({"sync"}).err, "nothing to send"));
  CHECK(server.status()["records"] == 3);
  CHECK(server.status()["field_versions"] > 30);

  const auto devices = server.admin({"devices", "--json"});
  CHECK(contains(devices.out, "\"high_water\": 2"));
  // Four syncs, three with something to send: one nonce each, the pull's came with the
  // push's reply; and one for each of the two enrollments.
  CHECK(answered(server, "/v1/push") == 3);
  CHECK(answered(server, "/v1/pull") == 4);
  CHECK(answered(server, "/v1/nonce") == 2 + 4);
  CHECK(server.process().stop(SIGTERM) == 0);  // a clean stop on SIGTERM
}

TEST_CASE("sync end to end: a used code, a wrong server and a revoked device are refused with clear errors") {
  ServerUnderTest server;
  FieldDevice first("amina");
  FieldDevice second("amina");
  const std::string code = server.enrollment_code("amina");
  REQUIRE(first.run({"enroll", code, "--server", server.url()}).exit_code == 0);
  const auto reused = second.run({"enroll", code, "--server", server.url()});
  CHECK(reused.exit_code != 0);
  CHECK(contains(reused.err, "enrollment code refused: unknown, expired or already used"));

  ServerUnderTest other;
  const auto wrong = second.run({"enroll", server.enrollment_code("amina"), "--server", other.url()});
  CHECK(wrong.exit_code != 0);
  CHECK(contains(wrong.err, "is not the one that issued this code"));

  const auto short_code = second.run({"enroll", "ABCD-EFGH", "--server", server.url()});
  CHECK(short_code.exit_code != 0);
  CHECK(contains(short_code.err, "an enrollment code has 43 characters"));

  // One character typed wrong is told as a typo, not as a wrong server, in the person's language.
  std::string typo = server.enrollment_code("amina");
  typo[6] = typo[6] == 'X' ? 'Y' : 'X';
  const auto mistyped = second.run({"enroll", typo, "--server", server.url()});
  CHECK(mistyped.exit_code != 0);
  CHECK(contains(mistyped.err, "mistyped: check the code"));
  CHECK_FALSE(contains(mistyped.err, "not the one that issued"));
  const auto arabic = second.run({"--lang", "ar", "enroll", typo, "--server", server.url()});
  CHECK(contains(arabic.err, "خطأ في الكتابة"));

  first.collect("pdm-survey");
  const auto devices = server.admin({"devices", "--json"});
  const auto id = nlohmann::json::parse(devices.out)[0]["id"].get<std::string>();
  // A refusal that is not the org's signed order (here: another org's server) wipes nothing.
  const auto elsewhere = first.run({"sync", "--server", other.url()});
  CHECK(elsewhere.exit_code != 0);
  CHECK(contains(elsewhere.err, "the server refused the push"));
  CHECK(contains(first.run({"status"}).out, "Waiting to sync: 1 operation"));

  REQUIRE(server.admin({"revoke", id}).exit_code == 0);
  const auto refused = first.run({"sync"});
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.err, "the office has revoked this device: its store has been wiped"));
  CHECK(server.status()["records"] == 0);
  CHECK_FALSE(std::filesystem::exists(first.home() / "store.db"));
  CHECK(contains(first.run({"status"}).err, "no store in"));
  CHECK(contains(server.admin({"audit"}).out, "refused  " + id + "  push from a revoked device; told to wipe"));

  const auto unreachable = second.run({"enroll", server.enrollment_code("amina"), "--server", "http://127.0.0.1:1"});
  CHECK(unreachable.exit_code != 0);
  CHECK(contains(unreachable.err, "cannot reach the server at 127.0.0.1:1"));
}

TEST_CASE("sync end to end: changes carried by bundle merge once, and the acknowledgement comes back") {
  ServerUnderTest server;
  FieldDevice device("hawa");
  enroll(server, device, "hawa");
  device.collect("pdm-survey");
  device.collect("rapid-protection-assessment");
  TempDir stick;
  const std::string outbound = (stick.path() / "to-office.amana").string();
  const auto exported = device.run({"bundle", "export", outbound});
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
  CHECK(contains(exported.out, "Wrote 1 changeset to"));
  CHECK_FALSE(contains(read_file(outbound), "Um Dukhun"));  // sealed: nothing readable on the stick

  const auto imported = server.admin({"import-bundle", outbound});
  REQUIRE_MESSAGE(imported.exit_code == 0, imported.err);
  CHECK(contains(imported.out, "changeset 1: merged"));
  const auto twice = server.admin({"import-bundle", outbound});
  CHECK(contains(twice.out, "changeset 1: already merged"));
  CHECK(server.status()["records"] == 2);

  std::string corrupted = read_file(outbound);
  corrupted[corrupted.size() / 2] ^= 0x01;
  write_file(stick.path() / "corrupted.amana", corrupted);
  const auto refused = server.admin({"import-bundle", (stick.path() / "corrupted.amana").string()});
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.err, "does not open"));

  const auto device_id = nlohmann::json::parse(server.admin({"devices", "--json"}).out)[0]["id"].get<std::string>();
  const std::string inbound = (stick.path() / "to-device.amana").string();
  REQUIRE(server.admin({"bundle", "export", "--device", device_id, inbound}).exit_code == 0);
  CHECK(contains(device.run({"status"}).out, "Waiting to sync: 2 operations"));
  const auto acknowledged = device.run({"bundle", "import", inbound});
  REQUIRE_MESSAGE(acknowledged.exit_code == 0, acknowledged.err);
  CHECK(contains(device.run({"status"}).out, "Waiting to sync: 0 operations"));
  // A bundle made for another device is refused.
  FieldDevice other("hawa");
  enroll(server, other, "hawa");
  CHECK(other.run({"bundle", "import", inbound}).exit_code != 0);
}

TEST_CASE("sync end to end: the service provider directory comes down to devices, inactive ones withdrawn") {
  ServerUnderTest server;
  FieldDevice device("amina");
  enroll(server, device, "amina");
  CHECK(contains(device.run({"providers"}).out, "No service providers on this device yet"));
  REQUIRE(server.admin({"providers", "add", "amal-clinic", "--name", "Al-Amal Clinic", "--services",
                        "health;psychosocial", "--location", "Um Dukhun", "--hours", "Sun-Thu 8-14"})
              .exit_code == 0);
  REQUIRE(server.admin({"providers", "add", "legal-aid", "--name", "مركز العون القانوني", "--services", "legal",
                        "--location", "Zalingei"})
              .exit_code == 0);
  REQUIRE(device.run({"sync"}).exit_code == 0);
  const auto listed = device.run({"providers"});
  CHECK(contains(listed.out, "amal-clinic  Al-Amal Clinic  [health, psychosocial]  Um Dukhun  Sun-Thu 8-14"));
  CHECK(contains(listed.out, "legal-aid  مركز العون القانوني  [legal]  Zalingei"));
  const auto legal = device.run({"providers", "--service", "legal"});
  CHECK_FALSE(contains(legal.out, "amal-clinic"));
  // The referral form's old code, and a label in Arabic, find the same providers.
  CHECK(contains(device.run({"providers", "--service", "medical"}).out, "amal-clinic"));
  const auto arabic = device.run({"providers", "--service", "المساعدة القانونية", "--lang", "ar"});
  CHECK(contains(arabic.out, "legal-aid  مركز العون القانوني  [المساعدة القانونية]  Zalingei"));
  CHECK(contains(device.run({"providers", "--service", "dentistry"}).err, "unknown service type 'dentistry'"));

  REQUIRE(server.admin({"providers", "update", "amal-clinic", "--inactive"}).exit_code == 0);
  REQUIRE(device.run({"sync"}).exit_code == 0);
  CHECK_FALSE(contains(device.run({"providers"}).out, "amal-clinic"));
  CHECK(contains(device.run({"providers", "--all"}).out, "amal-clinic  Al-Amal Clinic  [health, psychosocial]  Um Dukhun  Sun-Thu 8-14  INACTIVE"));
}

TEST_CASE("sync end to end: a case opened on a device reaches the office, which assigns it and approves its closure") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  FieldDevice device("amina");
  enroll(server, device, "amina");
  const auto identification = device.run({"collect", "outreach-identification", "--answers",
                                          kExamples + "outreach-identification.answers.json"});
  const auto opened = device.run({"case", "open", "--from", identification.out.substr(0, 36)});
  REQUIRE_MESSAGE(opened.exit_code == 0, opened.err);
  const std::string kase = opened.out.substr(opened.out.find("Opened case ") + 12, 36);
  for (const auto& [verb, form] : std::vector<std::pair<std::string, std::string>>{
           {"register", "case-registration"}, {"assess", "case-assessment"}, {"plan", "case-plan"},
           {"close", "case-closure"}}) {
    const auto step = device.run({"case", verb, kase, "--answers", kExamples + form + ".answers.json"});
    REQUIRE_MESSAGE(step.exit_code == 0, verb, ": ", step.err);
  }
  REQUIRE(device.run({"sync"}).exit_code == 0);

  auto cases = nlohmann::json::parse(server.admin({"cases", "--json"}).out);
  REQUIRE(cases.size() == 1);
  CHECK(cases[0]["id"] == kase);
  CHECK(cases[0]["status"] == "closure_requested");
  CHECK(cases[0]["assigned_to"] == "amina");
  CHECK(cases[0]["steps"] == 4);
  CHECK(cases[0]["risk_level"] == "high");

  const auto review = server.admin({"cases", "review"});
  REQUIRE_MESSAGE(review.exit_code == 0, review.err);
  // The closure awaits an officer: the review lists it, by reference, without the name.
  CHECK(contains(review.out, kase.substr(28) + ": closure requested (goals_met): awaiting an officer's approval"));
  CHECK_FALSE(contains(review.out, "Amira"));

  const auto by_assistant = server.admin({"cases", "approve-closure", kase, "--by", "amina"});
  CHECK(by_assistant.exit_code != 0);
  CHECK(contains(by_assistant.err, "amina is assistant: only officer or admin users may decide on cases"));
  const auto reassigned = server.admin({"cases", "assign", kase.substr(28), "hawa", "--by", "omar"});
  REQUIRE_MESSAGE(reassigned.exit_code == 0, reassigned.err);
  CHECK(contains(server.admin({"cases", "assign", kase, "nobody", "--by", "omar"}).err, "no user 'nobody'"));
  const auto approved = server.admin({"cases", "approve-closure", kase, "--by", "omar"});
  REQUIRE_MESSAGE(approved.exit_code == 0, approved.err);
  cases = nlohmann::json::parse(server.admin({"cases", "--json"}).out);
  CHECK(cases[0]["status"] == "closed");
  CHECK(cases[0]["assigned_to"] == "hawa");
  const auto again = server.admin({"cases", "approve-closure", kase, "--by", "omar"});
  CHECK(again.exit_code != 0);
  CHECK(contains(again.err, "cannot approve closure of a case that is 'closed': no closure has been requested"));
}

TEST_CASE("sync end to end: a case moves from A to B by reassignment, only the assignee holds it, and A lets go") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  REQUIRE(server.admin({"users", "add", "zara", "--role", "assistant", "--team", "zalingei"}).exit_code == 0);
  REQUIRE(server.admin({"providers", "add", "legal-aid-um-dukhun", "--name", "Legal aid", "--services", "legal",
                        "--location", "Um Dukhun"})
              .exit_code == 0);
  FieldDevice a("amina");
  FieldDevice b("hawa");
  FieldDevice elsewhere("zara");
  FieldDevice officer("omar");
  enroll(server, a, "amina");
  enroll(server, b, "hawa");
  enroll(server, elsewhere, "zara");
  enroll(server, officer, "omar");
  REQUIRE(a.run({"sync"}).exit_code == 0);  // the provider directory

  // On A: identification -> case opened, registered, assessed, planned, referred, followed up.
  const auto identification = a.run({"collect", "outreach-identification", "--answers",
                                     kExamples + "outreach-identification.answers.json"});
  const auto opened = a.run({"case", "open", "--from", identification.out.substr(0, 36)});
  REQUIRE_MESSAGE(opened.exit_code == 0, opened.err);
  const std::string kase = opened.out.substr(opened.out.find("Opened case ") + 12, 36);
  auto step = [&](const FieldDevice& device, const std::string& verb, const std::string& form) {
    const auto result = device.run({"case", verb, kase, "--answers", kExamples + form + ".answers.json"});
    REQUIRE_MESSAGE(result.exit_code == 0, verb, ": ", result.err);
  };
  step(a, "register", "case-registration");
  step(a, "assess", "case-assessment");
  step(a, "plan", "case-plan");
  step(a, "refer", "referral");
  step(a, "follow-up", "follow-up");
  REQUIRE(a.run({"sync"}).exit_code == 0);
  CHECK(contains(officer.run({"sync"}).err, "received"));  // the team's officer sees the team's cases
  CHECK(contains(officer.run({"cases"}).out, kase + "  in_progress"));

  // The officer reassigns it to B; B pulls it whole; nobody outside the team ever gets it.
  REQUIRE(server.admin({"cases", "assign", kase, "hawa", "--by", "omar"}).exit_code == 0);
  const auto pulled = b.run({"sync"});
  REQUIRE_MESSAGE(pulled.exit_code == 0, pulled.err);
  CHECK(contains(pulled.err, "received"));
  CHECK(contains(b.run({"cases"}).out, kase + "  in_progress"));
  const auto shown = b.run({"case", "show", kase});
  CHECK(contains(shown.out, "assigned_to: hawa"));
  CHECK(contains(shown.out, "case-registration"));
  CHECK(contains(shown.out, "referral"));
  REQUIRE(elsewhere.run({"sync"}).exit_code == 0);
  CHECK(contains(elsewhere.run({"cases"}).out, "No cases yet"));
  CHECK(contains(elsewhere.run({"records"}).out, "No records yet"));

  // A lets go at its next sync: nothing of the case stays on it.
  const auto released = a.run({"sync"});
  REQUIRE_MESSAGE(released.exit_code == 0, released.err);
  CHECK(contains(released.err, "removed 1 case no longer assigned here"));
  CHECK(contains(a.run({"cases"}).out, "No cases yet"));
  CHECK_FALSE(contains(a.run({"records", "--json"}).out, "case-"));
  CHECK_FALSE(contains(a.run({"records", "--json"}).out, "\"referral\""));

  // B requests closure; the officer approves; B learns it.
  step(b, "close", "case-closure");
  REQUIRE(b.run({"sync"}).exit_code == 0);
  REQUIRE(server.admin({"cases", "approve-closure", kase, "--by", "omar"}).exit_code == 0);
  REQUIRE(b.run({"sync"}).exit_code == 0);
  CHECK(contains(b.run({"cases"}).out, kase + "  closed"));

  // The central store holds the whole case: the case and its six steps.
  const auto cases = nlohmann::json::parse(server.admin({"cases", "--json"}).out);
  REQUIRE(cases.size() == 1);
  CHECK(cases[0]["status"] == "closed");
  CHECK(cases[0]["steps"] == 6);
  // ... and every status it went through, in order, the superseded ones kept.
  const std::string history = server.admin({"cases", "history", kase}).out;
  std::vector<std::string> statuses;
  const std::string key = "  status = ";  // not displacement_status
  for (std::size_t at = history.find(key); at != std::string::npos; at = history.find(key, at + 1)) {
    statuses.push_back(history.substr(at + key.size(), history.find('\n', at) - at - key.size()));
  }
  const std::vector<std::string> expected{"identified", "registered", "assessed", "planned", "in_progress",
                                          "closure_requested", "closed"};
  CHECK_MESSAGE(statuses == expected, history);
  CHECK(contains(history, "office    assigned_to = hawa"));
}

TEST_CASE("sync end to end: concurrent edits become a conflict an officer resolves, transfer and reopen move the case") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  REQUIRE(server.admin({"providers", "add", "legal-aid-um-dukhun", "--name", "Legal aid", "--services", "legal",
                        "--location", "Um Dukhun"})
              .exit_code == 0);
  FieldDevice a("amina");
  FieldDevice officer("omar");
  enroll(server, a, "amina");
  enroll(server, officer, "omar");
  REQUIRE(a.run({"sync"}).exit_code == 0);
  const auto identification = a.run({"collect", "outreach-identification", "--answers",
                                     kExamples + "outreach-identification.answers.json"});
  const auto opened = a.run({"case", "open", "--from", identification.out.substr(0, 36)});
  const std::string kase = opened.out.substr(opened.out.find("Opened case ") + 12, 36);
  for (const auto& [verb, form] : std::vector<std::pair<std::string, std::string>>{
           {"register", "case-registration"}, {"assess", "case-assessment"}, {"plan", "case-plan"},
           {"refer", "referral"}}) {
    REQUIRE(a.run({"case", verb, kase, "--answers", kExamples + form + ".answers.json"}).exit_code == 0);
  }
  REQUIRE(a.run({"sync"}).exit_code == 0);
  REQUIRE(officer.run({"sync"}).exit_code == 0);
  const auto shown = officer.run({"case", "show", kase});
  const auto at = shown.out.find("referral  ");
  REQUIRE(at != std::string::npos);
  const std::string referral = shown.out.substr(at + 10, 36);

  // Both record an outcome for the referral offline, without seeing each other's.
  REQUIRE(a.run({"case", "referral-update", referral, "--status", "declined"}).exit_code == 0);
  REQUIRE(officer.run({"case", "referral-update", referral, "--status", "accepted"}).exit_code == 0);
  REQUIRE(a.run({"sync"}).exit_code == 0);
  REQUIRE(officer.run({"sync"}).exit_code == 0);
  const auto conflicts = server.admin({"cases", "conflicts", kase});
  CHECK(contains(conflicts.out, referral + "  status: "));
  CHECK(contains(server.admin({"cases", "review"}).out, "conflicting edits await an officer"));
  const auto resolved = server.admin({"cases", "resolve", kase, "--record", referral, "--field", "status", "--value",
                                      "accepted", "--by", "omar"});
  REQUIRE_MESSAGE(resolved.exit_code == 0, resolved.err);
  const auto after_resolution = server.admin({"cases", "conflicts", kase});
  CHECK_MESSAGE(contains(after_resolution.out, "No conflicting edits"), after_resolution.out);
  REQUIRE(a.run({"sync"}).exit_code == 0);  // the decision reaches the devices
  REQUIRE(officer.run({"sync"}).exit_code == 0);
  CHECK(contains(a.run({"show", referral, "--json"}).out, "\"status\": \"accepted\""));
  CHECK(contains(officer.run({"show", referral, "--json"}).out, "\"status\": \"accepted\""));

  // Transferred to another organisation: it leaves every device; reopened: it comes back.
  REQUIRE(server.admin({"cases", "transfer", kase, "--to", "Partner NGO", "--by", "omar"}).exit_code == 0);
  CHECK(contains(a.run({"sync"}).err, "removed 1 case "));
  CHECK(contains(a.run({"cases"}).out, "No cases yet"));
  const auto reopen_twice = server.admin({"cases", "transfer", kase, "--to", "X", "--by", "omar"});
  CHECK(contains(reopen_twice.err, "cannot transfer a case that is 'transferred'"));
  REQUIRE(server.admin({"cases", "reopen", kase, "--by", "omar"}).exit_code == 0);
  REQUIRE(a.run({"sync"}).exit_code == 0);
  CHECK(contains(a.run({"cases"}).out, kase + "  registered"));
}

TEST_CASE("sync end to end: the same person opened as a case on two devices is flagged on the server") {
  ServerUnderTest server;
  FieldDevice a("amina");
  FieldDevice b("hawa");
  for (const FieldDevice* device : {&a, &b}) {
    REQUIRE(device->run({"enroll", server.enrollment_code(device == &a ? "amina" : "hawa"), "--server", server.url()})
                .exit_code == 0);
    const auto identification = device->run({"collect", "outreach-identification", "--answers",
                                             kExamples + "outreach-identification.answers.json"});
    REQUIRE(device->run({"case", "open", "--from", identification.out.substr(0, 36)}).exit_code == 0);
    REQUIRE(device->run({"sync"}).exit_code == 0);
  }
  CHECK(contains(server.admin({"cases", "duplicates"}).out, "may be the same person"));
}
