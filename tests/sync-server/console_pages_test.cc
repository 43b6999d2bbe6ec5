// The office console's supervision and office pages, called as their pages call them
// (tests/sync-server/console_client.h) against a real central store that devices push to:
// conflicts side by side and kept (an invalid choice refused, writing nothing), the weekly
// review, datasets (identified only for the roles allowed, every download audited), the
// provider directory (errors per line, nothing imported from a file with one) and forms
// (the converter's errors shown, versions, archive); the second factor at sign-in.
#include <doctest/doctest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "common/hlc.h"
#include "common/shown_dates.h"
#include "sync-server/admin.h"
#include "sync-server/conflict_queue.h"
#include "sync-server/console.h"
#include "sync-server/providers.h"
#include "sync-server/staff_accounts.h"
#include "sync-server/staff_totp.h"
#include "sync-server/totp.h"
#include "tests/support.h"
#include "tests/sync-server/console_client.h"
#include "tests/sync-server/in_process.h"
#include "tests/xlsx_fixture.h"

namespace amana::server {
namespace {

using nlohmann::json;
using testing::contains;

HlcTime at(std::int64_t ms) { return make_hlc(ms, 0); }

struct Device : testing::MessageDevice {
  pb::Operation write(const RecordId& record, const std::map<std::string, std::string>& values, HlcTime hlc,
                      HlcTime base, bool create, const std::string& form = "case",
                      const std::optional<RecordId>& case_id = std::nullopt) const {
    pb::Operation operation;
    operation.set_record_id(record.bytes.data(), record.bytes.size());
    operation.set_kind(create ? pb::Operation::CREATE : pb::Operation::UPDATE);
    operation.set_form_id(form);
    if (case_id) operation.set_case_id(case_id->bytes.data(), case_id->bytes.size());
    operation.set_form_version(form == "case" ? 1 : testing::builtin_form_version(form));
    operation.set_hlc(static_cast<std::uint64_t>(hlc));
    operation.set_device_id(id.bytes.data(), id.bytes.size());
    operation.set_author("amina");
    operation.set_created_at_ms(testing::InProcessServer::kStartMs);
    for (const auto& [field, value] : values) {
      auto* w = operation.add_writes();
      w->set_field(field);
      w->set_value(value);
      w->set_hlc(static_cast<std::uint64_t>(hlc));
      w->set_base_hlc(static_cast<std::uint64_t>(base));
    }
    return operation;
  }
};

struct Office : testing::InProcessServer {
  StaffAccounts accounts{*store, cheap(), [this] { return now; }};
  Console console{*store, accounts, keys, {.tls = true}, [this] { return now; }};
  testing::ConsoleClient client{console};
  Device a, b;

  static StaffPolicy cheap() {
    StaffPolicy policy;
    policy.kdf = testing::kCheapKdf;
    return policy;
  }

  Office() {
    for (const User& user : {User{"omar", Role::officer, "um-dukhun"}, User{"mona", Role::meal, ""},
                             User{"sara", Role::admin, ""}}) {
      REQUIRE(store->add_user(user).ok());
    }
    for (const char* user : {"amina", "omar", "mona", "sara"}) testing::give_password(accounts, user);
    a.enroll(*this);
    b.enroll(*this);
  }

  // A case of Amira's whose risk level amina's two devices changed concurrently.
  RecordId case_in_conflict(const std::string& name, std::int64_t offset_ms) {
    const RecordId kase = new_record_id(kStartMs + offset_ms);
    const std::int64_t t = kStartMs + offset_ms;
    REQUIRE(a.push(*this, {a.changeset({a.write(kase, {{"name", name}, {"status", "identified"}, {"risk_level", "low"}},
                                                at(t + 1), HlcTime{0}, true)})}).ok());
    REQUIRE(a.push(*this, {a.changeset({a.write(kase, {{"risk_level", "high"}}, at(t + 3), at(t + 1), false)})}).ok());
    REQUIRE(b.push(*this, {b.changeset({b.write(kase, {{"risk_level", "medium"}}, at(t + 2), at(t + 1), false)})}).ok());
    return kase;
  }

  std::string audit_text() { return testing::audit_text(*store); }
};

// An error's text as a page in Arabic shows it (i18n.js serverMessage: message[lang]); the
// English one is there too, for a page in English.
std::string arabic_message(const HttpResponse& response) {
  return json::parse(response.body)["message"]["ar"].get<std::string>();
}

}  // namespace

TEST_CASE("console conflicts: both versions side by side with who wrote them, and an invalid choice is refused and writes nothing") {
  Office office;
  const RecordId kase = office.case_in_conflict("Amira", 0);
  const auto omar = office.client.sign_in("omar");
  const auto listed = office.client.get(omar, "/console/api/conflicts");
  REQUIRE_MESSAGE(listed.status == 200, listed.body);
  const json page = json::parse(listed.body);
  REQUIRE(page["conflicts"].size() == 1);
  const json& c = page["conflicts"][0];
  CHECK(c["name"] == "Amira");
  CHECK(c["field"] == "risk_level");
  CHECK(c["label"] != "risk_level");  // the form's label, not the field's name
  CHECK(c["earlier"]["by"] == "amina");
  CHECK(c["later"]["by"] == "amina");
  CHECK(page["next"].is_null());
  CHECK(contains(office.audit_text(), "omar view conflicts all"));

  // A value no version holds and no form accepts: 409, nothing written, still open.
  const std::string before = office.store->record(kase)->values.at("risk_level");
  const auto refused = office.client.post(
      omar, "/console/api/case/resolve",
      json{{"id", kase.to_string()}, {"record", c["record"]}, {"field", "risk_level"}, {"value", "extreme"}}.dump());
  CHECK(refused.status == 409);
  CHECK_MESSAGE(contains(json::parse(refused.body)["message"]["en"].get<std::string>(), "risk"), refused.body);
  CHECK(office.store->record(kase)->values.at("risk_level") == before);
  CHECK(office.store->counts()->conflicts == 1);
  CHECK_FALSE(contains(office.audit_text(), "omar resolve-conflict"));

  // Keeping one version closes it, as a change by the office the devices pull.
  const std::string kept = c["earlier"]["value"];
  const auto resolved = office.client.post(
      omar, "/console/api/case/resolve",
      json{{"id", kase.to_string()}, {"record", c["record"]}, {"field", "risk_level"}, {"value", kept}}.dump());
  CHECK_MESSAGE(resolved.status == 200, resolved.body);
  CHECK(office.store->record(kase)->values.at("risk_level") == kept);
  CHECK(json::parse(office.client.get(omar, "/console/api/conflicts").body)["conflicts"].empty());
  CHECK(contains(office.audit_text(), "omar resolve-conflict " + kase.to_string()));
}

TEST_CASE("console conflicts: a referral's outcome and a case's status by their labels, times as people read them, in Arabic") {
  Office office;
  const RecordId kase = office.case_in_conflict("Amira", 0);
  // Two devices record the referral's outcome offline: one accepted, the other declined.
  const std::int64_t t = Office::kStartMs + 100;
  const RecordId referral = new_record_id(t);
  REQUIRE(office.a.push(office, {office.a.changeset({office.a.write(referral, {{"status", "pending"}, {"referral_date", "2026-01-15"}}, at(t + 1), HlcTime{0},
                                                                    true, "referral", kase)})}).ok());
  REQUIRE(office.a.push(office, {office.a.changeset({office.a.write(referral, {{"status", "declined"}}, at(t + 3), at(t + 1),
                                                                    false, "referral", kase)})}).ok());
  REQUIRE(office.b.push(office, {office.b.changeset({office.b.write(referral, {{"status", "accepted"}}, at(t + 2), at(t + 1),
                                                                    false, "referral", kase)})}).ok());
  const auto omar = office.client.sign_in("omar");
  const auto listed = office.client.get(omar, "/console/api/conflicts?lang=ar");
  REQUIRE_MESSAGE(listed.status == 200, listed.body);
  const json rows = json::parse(listed.body)["conflicts"];
  const json* row = nullptr;
  for (const json& r : rows) {
    if (r["record"] == referral.to_string()) row = &r;
  }
  REQUIRE(row != nullptr);
  CHECK((*row)["label"] == "حالة الإحالة");
  const std::set<std::string> shown{(*row)["earlier"]["shown"], (*row)["later"]["shown"]};
  CHECK(shown == std::set<std::string>{"مقبولة", "مرفوضة"});  // not "accepted", "declined"
  const std::set<std::string> kept{(*row)["earlier"]["value"], (*row)["later"]["value"]};
  CHECK(kept == std::set<std::string>{"accepted", "declined"});  // what case/resolve is given
  // The time as people read it, in the page's language; the ISO one stays for scripts.
  const json& earlier = (*row)["earlier"];
  CHECK(earlier["at_shown"] == shown_time(t + 2, Language::ar));
  CHECK(contains(earlier["at_shown"].get<std::string>(), " 20"));
  CHECK_FALSE(contains(earlier["at_shown"].get<std::string>(), "-"));
  CHECK(earlier["at"] == format_local(t + 2, "%Y-%m-%d %H:%M:%S"));
  const auto english = json::parse(office.client.get(omar, "/console/api/conflicts?lang=en").body)["conflicts"];
  CHECK(english[0]["earlier"]["at_shown"] == shown_time(hlc_millis(at(Office::kStartMs + 2)), Language::en));

  // The case file: its conflicts and history by labels, its status in Arabic, its steps' times.
  const auto file_response = office.client.get(omar, "/console/api/case?id=" + kase.to_string() + "&lang=ar");
  REQUIRE_MESSAGE(file_response.status == 200, file_response.body);
  const json file = json::parse(file_response.body);
  CHECK(file["status"] == "identified");
  CHECK(file["status_shown"] == "محدَّدة");
  bool referral_conflict = false;
  for (const json& c : file["conflicts"]) {
    if (c["record"] != referral.to_string()) continue;
    referral_conflict = true;
    CHECK(c["label"] == "حالة الإحالة");
    CHECK(std::set<std::string>{c["earlier"]["shown"], c["later"]["shown"]} == std::set<std::string>{"مقبولة", "مرفوضة"});
    CHECK(c["earlier"]["at_shown"] == shown_time(t + 2, Language::ar));
  }
  CHECK(referral_conflict);
  bool status_in_history = false;
  for (const json& e : file["history"]) {
    if (e["field"] != "status") continue;
    status_in_history = true;
    CHECK(e["shown"] == "محدَّدة");
    CHECK(e["label"] == "الوضع");
  }
  CHECK(status_in_history);
  bool status_value = false;
  for (const json& v : file["values"]) {
    if (v["field"] == "status") status_value = v["shown"] == "محدَّدة";
  }
  CHECK(status_value);
  REQUIRE(file["steps"].size() == 1);
  CHECK(file["steps"][0]["created_shown"] == shown_time(Office::kStartMs, Language::ar));
  const json& answers = file["steps"][0]["answers"];
  REQUIRE(answers.size() == 2);
  CHECK(answers[0]["field"] == "referral_date");  // the form's own fields first
  CHECK(answers[0]["value"] == "2026-01-15");
  CHECK(answers[0]["shown"] == "15 يناير 2026");
  CHECK(answers[1]["shown"] == "مرفوضة");  // the referral's status as the store keeps it now

  // Keeping the Arabic-labelled version keeps its code.
  const auto resolved = office.client.post(
      omar, "/console/api/case/resolve",
      json{{"id", kase.to_string()}, {"record", referral.to_string()}, {"field", "status"}, {"value", "accepted"}}.dump());
  CHECK_MESSAGE(resolved.status == 200, resolved.body);
  CHECK(office.store->record(referral)->values.at("status") == "accepted");

  // The other pages' times, as people read them.
  const auto devices = json::parse(office.client.get(office.client.sign_in("sara"), "/console/api/devices?lang=ar").body);
  CHECK(devices["devices"][0]["enrolled_shown"] == shown_time(devices["devices"][0]["enrolled_at_ms"].get<std::int64_t>(), Language::ar));
  const auto audit = json::parse(office.client.get(office.client.sign_in("sara"), "/console/api/audit?lang=en").body);
  CHECK_FALSE(contains(audit["entries"][0]["at_shown"].get<std::string>(), "-"));
  const auto cases = json::parse(office.client.get(omar, "/console/api/cases?lang=ar").body)["cases"];
  CHECK(cases[0]["status_shown"] == "محدَّدة");
  CHECK(cases[0]["opened_shown"] == shown_date(cases[0]["opened"].get<std::string>(), Language::ar));
}

TEST_CASE("console conflicts: the queue is paged by record, every conflict reached, none cut off") {
  Office office;
  std::set<std::string> cases;
  for (int i = 0; i < 3; ++i) cases.insert(office.case_in_conflict("Case " + std::to_string(i), i * 1000).to_string());
  std::set<std::string> seen;
  std::optional<RecordId> after;
  int pages = 0;
  do {
    auto page = conflict_queue(*office.store, after, 2, Language::en);
    REQUIRE(page.ok());
    for (const auto& c : page->conflicts) seen.insert(c.case_id.to_string());
    after = page->next;
    ++pages;
  } while (after && pages < 5);
  CHECK(pages == 2);
  CHECK(seen == cases);
  // Through the console, a cursor that is not an id is refused, not read as the start.
  const auto omar = office.client.sign_in("omar");
  CHECK(office.client.get(omar, "/console/api/conflicts?after=nonsense").status == 400);
}

TEST_CASE("console cases: the list comes a page at a time, the next page reached by its cursor, a name search paged too") {
  Office office;
  std::vector<pb::Operation> creates;
  for (int i = 0; i < 101; ++i) {
    const std::int64_t t = office.kStartMs + i;
    creates.push_back(office.a.write(new_record_id(t), {{"name", i == 57 ? "Amira Ishaq" : "Case " + std::to_string(i)},
                                                        {"status", "identified"}, {"risk_level", "low"}},
                                     at(t), HlcTime{0}, true));
  }
  REQUIRE(office.a.push(office, {office.a.changeset(creates)}).ok());
  const auto omar = office.client.sign_in("omar");
  const auto first = office.client.get(omar, "/console/api/cases");
  REQUIRE_MESSAGE(first.status == 200, first.body);
  const json one = json::parse(first.body);
  CHECK(one["cases"].size() == 100);
  REQUIRE(one["next"].is_string());
  const json two = json::parse(office.client.get(omar, "/console/api/cases?after=" + one["next"].get<std::string>()).body);
  REQUIRE(two["cases"].size() == 1);
  CHECK(two["next"].is_null());
  std::set<std::string> seen;
  for (const json& page : {one, two}) {
    for (const json& c : page["cases"]) seen.insert(c["id"].get<std::string>());
  }
  CHECK(seen.size() == 101);
  const json found = json::parse(office.client.get(omar, "/console/api/cases?q=ishaq").body);
  REQUIRE(found["cases"].size() == 1);
  CHECK(found["cases"][0]["name"] == "Amira Ishaq");
  CHECK(found["next"].is_null());
  // The status filter is the store's, before the page is cut.
  CHECK(json::parse(office.client.get(omar, "/console/api/cases?status=identified").body)["cases"].size() == 100);
  CHECK(json::parse(office.client.get(omar, "/console/api/cases?status=closed").body)["cases"].empty());
  CHECK(office.client.get(omar, "/console/api/cases?after=nonsense").status == 400);
}

TEST_CASE("console review: the weekly review names the cases and what each needs") {
  Office office;
  office.case_in_conflict("Amira", 0);
  const auto sara = office.client.sign_in("sara");
  const auto answer = office.client.get(sara, "/console/api/review?lang=ar");
  REQUIRE_MESSAGE(answer.status == 200, answer.body);
  const json review = json::parse(answer.body);
  CHECK(review["cases"] == 1);
  REQUIRE(review["findings"].size() >= 1);
  CHECK(review["findings"][0]["name"] == "Amira");
  CHECK(review["closures"].empty());
  CHECK(contains(office.audit_text(), "sara view review all"));
}

TEST_CASE("console exports: de-identified for MEAL, identified only for officers, each download audited") {
  Office office;
  office.case_in_conflict("Amira", 0);
  const auto mona = office.client.sign_in("mona");
  const auto sources = json::parse(office.client.get(mona, "/console/api/exports").body);
  CHECK(sources["identified"] == false);
  CHECK(sources["sources"][0]["id"] == "cases");
  const auto plain = office.client.get(mona, "/console/api/export?source=cases");
  REQUIRE_MESSAGE(plain.status == 200, plain.body);
  CHECK_FALSE(contains(plain.body, "Amira"));
  const auto refused = office.client.get(mona, "/console/api/export?source=cases&identified=1");
  CHECK(refused.status == 403);
  CHECK(arabic_message(refused) == "دورك (meal) يسمح بتنزيل البيانات غير المعرِّفة فقط: اطلب البيانات المعرِّفة من موظف حماية أو من المسؤول");
  CHECK(contains(json::parse(refused.body)["message"]["en"].get<std::string>(), "de-identified datasets only"));
  const auto omar = office.client.sign_in("omar");
  const auto identified = office.client.get(omar, "/console/api/export?source=cases&identified=1");
  REQUIRE_MESSAGE(identified.status == 200, identified.body);
  CHECK(contains(identified.body, "Amira"));
  const auto codebook = office.client.get(omar, "/console/api/export?source=cases&part=codebook");
  CHECK(codebook.status == 200);
  CHECK(contains(codebook.body, "variable"));
  CHECK(office.client.get(omar, "/console/api/export?source=no-such-form").status == 404);
  const std::string audit = office.audit_text();
  CHECK(contains(audit, "mona export cases 1 rows, de-identified"));
  CHECK(contains(audit, "omar export cases 1 rows, IDENTIFIED"));
  CHECK(contains(audit, "console download"));
}

TEST_CASE("console providers: add and edit audited, a CSV with wrong lines lists each and imports nothing") {
  Office office;
  const auto omar = office.client.sign_in("omar");
  const json clinic = {{"new", true}, {"id", "clinic-1"}, {"name", "Clinic"}, {"services", "health"},
                       {"location", "Um Dukhun"}, {"active", true}};
  CHECK(office.client.post(omar, "/console/api/providers/save", clinic.dump()).status == 200);
  CHECK(office.client.post(omar, "/console/api/providers/save", clinic.dump()).status == 409);  // the id is taken
  json edited = clinic;
  edited["new"] = false;
  edited["services"] = "";
  const auto refused = office.client.post(omar, "/console/api/providers/save", edited.dump());
  CHECK(refused.status == 400);
  CHECK(contains(json::parse(refused.body)["message"]["en"].get<std::string>(), "at least one service"));
  edited["services"] = "health;education";
  CHECK(office.client.post(omar, "/console/api/providers/save", edited.dump()).status == 200);
  CHECK(office.store->provider("clinic-1")->value().services.size() == 2);
  CHECK(contains(office.audit_text(), "omar provider-add clinic-1"));
  CHECK(contains(office.audit_text(), "omar provider-update clinic-1"));

  const std::string wrong = "id,name,services,location\nok-1,Fine,health,X\nBad Id,Wrong,health,X\nno-2,Nothing,,X\n";
  const auto import = office.client.call("POST", "/console/api/providers/import?name=list.csv", wrong, omar.cookie, omar.csrf);
  CHECK(import.status == 400);
  const json problems = json::parse(import.body)["problems"];
  REQUIRE(problems.size() == 2);
  CHECK(problems[0]["line"] == 3);
  CHECK(problems[1]["line"] == 4);
  CHECK_FALSE(office.store->provider("ok-1")->has_value());

  const std::string right = "id,name,services,location\nok-1,Fine,health,X\nclinic-1,Clinic,health,Y\n";
  const auto imported = office.client.call("POST", "/console/api/providers/import?name=list.csv", right, omar.cookie, omar.csrf);
  REQUIRE_MESSAGE(imported.status == 200, imported.body);
  CHECK(json::parse(imported.body)["added"] == 1);
  CHECK(contains(office.audit_text(), "omar provider-import list.csv 2 providers, 1 new"));

  const std::string huge(kMaxProvidersCsvBytes + 1, 'x');
  const auto too_large = office.client.call("POST", "/console/api/providers/import?name=big.csv", huge, omar.cookie, omar.csrf);
  CHECK(too_large.status == 413);
  CHECK(arabic_message(too_large) == "الملف أكبر من 8 ميغابايت: قسّمه أو صغّره ثم حاول مرة أخرى");
  const auto mona = office.client.sign_in("mona");
  CHECK(office.client.post(mona, "/console/api/providers/save", clinic.dump()).status == 403);
}

TEST_CASE("console forms: an administrator publishes an XLSForm, sees its versions, archives it, and sees the errors") {
  Office office;
  testing::TempDir dir;
  const std::vector<std::vector<std::string>> choices = {{"list_name", "name", "label::English (en)", "label::Arabic (ar)"},
                                                         {"yes_no", "yes", "Yes", "نعم"}, {"yes_no", "no", "No", "لا"}};
  const std::string good = testing::write_xlsx(
      dir.path() / "site.xlsx",
      {{"survey", {{"type", "name", "label::English (en)", "label::Arabic (ar)"}, {"select_one yes_no", "safe", "Safe?", "آمن؟"}}},
       {"choices", choices},
       {"settings", {{"form_id", "form_title"}, {"site-check", "Site check"}}}});
  const std::string broken = testing::write_xlsx(
      dir.path() / "broken.xlsx",
      {{"survey", {{"type", "name", "label::English (en)"}, {"select_one no_such_list", "safe", "Safe?"}}},
       {"settings", {{"form_id"}, {"broken-form"}}}});
  const auto sara = office.client.sign_in("sara");
  auto publish = [&](const std::string& name, const std::string& bytes) {
    return office.client.call("POST", "/console/api/forms/publish?name=" + name, bytes, sara.cookie, sara.csrf);
  };
  const auto refused = publish("broken.xlsx", broken);
  CHECK(refused.status == 400);
  CHECK(contains(json::parse(refused.body)["message"]["en"].get<std::string>(), "no_such_list"));
  const auto published = publish("site.xlsx", good);
  REQUIRE_MESSAGE(published.status == 200, published.body);
  CHECK(json::parse(published.body)["form"] == "site-check");
  CHECK(publish("site.xlsx", good).status == 409);  // nothing changed since version 1

  json forms = json::parse(office.client.get(sara, "/console/api/forms").body)["forms"];
  auto site = std::find_if(forms.begin(), forms.end(), [](const json& f) { return f["id"] == "site-check"; });
  REQUIRE(site != forms.end());
  CHECK((*site)["title"] == "Site check");
  CHECK((*site)["versions"][0]["by"] == "sara");
  CHECK(office.client.post(sara, "/console/api/forms/archive", R"({"form":"site-check"})").status == 200);
  forms = json::parse(office.client.get(sara, "/console/api/forms").body)["forms"];
  site = std::find_if(forms.begin(), forms.end(), [](const json& f) { return f["id"] == "site-check"; });
  CHECK((*site)["archived"] == true);
  CHECK(contains(office.audit_text(), "sara form-publish site-check"));
  CHECK(contains(office.audit_text(), "sara form-archive site-check"));
  const auto too_large = publish("huge.xlsx", std::string((20u << 20) + 1, 'x'));
  CHECK(too_large.status == 413);
  CHECK(arabic_message(too_large) == "الملف أكبر من 20 ميغابايت: قسّمه أو صغّره ثم حاول مرة أخرى");
  const auto omar = office.client.sign_in("omar");
  CHECK(office.client.call("POST", "/console/api/forms/publish?name=site.xlsx", good, omar.cookie, omar.csrf).status == 403);
}

TEST_CASE("console second factor: enrolment by QR, asked at sign-in, a code used once, required by the organisation") {
  Office office;
  const auto sara = office.client.sign_in("sara");
  const auto begun = office.client.post(sara, "/console/api/account/totp-begin", "{}");
  REQUIRE_MESSAGE(begun.status == 200, begun.body);
  const json enrolment = json::parse(begun.body);
  CHECK(enrolment["uri"].get<std::string>().starts_with("otpauth://totp/Amana%20office:sara?secret="));
  CHECK(enrolment["secret"].get<std::string>().size() == 32);
  CHECK(enrolment["qr"].size() > 20);
  const auto stored = office.store->staff_totp("sara");
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  const std::string secret((*stored)->secret.as_string());
  auto code_at = [&](std::int64_t ms) { return hotp(crypto::as_bytes(secret), totp_step(ms)); };
  // Not yet asked at sign-in: it is not confirmed.
  office.client.sign_in("sara");
  CHECK(office.client.post(sara, "/console/api/account/totp-confirm", R"({"code":"000000"})").status == 400);
  const std::string first = code_at(office.now);
  CHECK(office.client.post(sara, "/console/api/account/totp-confirm", json{{"code", first}}.dump()).status == 200);
  CHECK(office.client.post(sara, "/console/api/account/totp-begin", "{}").status == 409);

  auto sign_in = [&](const std::string& code) {
    return office.client.call("POST", "/console/api/sign-in",
                              json{{"user", "sara"}, {"password", testing::kConsolePassword}, {"code", code}}.dump());
  };
  CHECK(sign_in("").status == 401);
  CHECK(sign_in(first).status == 401);  // the step the enrolment used
  office.now += kTotpStepMs;
  const std::string next = code_at(office.now);
  CHECK(sign_in(next).status == 200);
  CHECK(sign_in(next).status == 401);  // once only
  CHECK(contains(office.audit_text(), "sara console-totp-enrolled sara"));
  CHECK(contains(office.audit_text(), "wrong or used second-factor code"));
  // Sealed at rest: the secret's bytes are nowhere in the store's files.
  for (const char* file : {"central.db", "central.db-wal"}) {
    const auto path = office.dir.path() / file;
    if (std::filesystem::exists(path)) CHECK_FALSE(contains(testing::read_file(path), secret));
  }

  // Required by the organisation: an officer without one reaches their account page only.
  REQUIRE(set_totp_required(*office.store, true, kOperator, office.now).ok());
  const auto omar = office.client.sign_in("omar");
  const json me = json::parse(office.client.get(omar, "/console/api/me").body);
  CHECK(me["pages"] == json::array({"account"}));
  CHECK(me["totp"]["setup_needed"] == true);
  const auto setup_first = office.client.get(omar, "/console/api/cases");
  CHECK(setup_first.status == 403);
  CHECK(arabic_message(setup_first) == "تطلب مؤسستك من موظفي الحماية والمسؤولين عاملًا ثانيًا للدخول: أعدّه أولًا من صفحة حسابك");
  const auto mona = office.client.sign_in("mona");
  CHECK(json::parse(office.client.get(mona, "/console/api/me").body)["pages"] == json::array({"reports", "account"}));
  CHECK(office.client.post(mona, "/console/api/account/totp-begin", "{}").status == 403);

  REQUIRE(remove_totp(*office.store, "sara", kOperator, office.now).ok());
  CHECK(contains(office.audit_text(), "operator console-totp-removed sara"));
  CHECK(remove_totp(*office.store, "sara", kOperator, office.now).code() == ErrorCode::not_found);
}

}  // namespace amana::server
