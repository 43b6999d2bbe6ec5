// The field client's local web app, request by request through UiApp::handle: the
// security of a local web app (Host, Origin, the one-time key, the cookie, the CSRF
// token, the headers), the lock, and the JSON API over a real store (drafts, the forms
// engine's verdicts as the person types, case steps, consent at its question).
#include "field-client/ui_app.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "field-client/cases.h"
#include "field-client/drafts.h"
#include "field-client/shown_dates.h"
#include "field-client/ui_api.h"
#include "tests/support.h"

namespace amana::field::ui {
namespace {

using nlohmann::json;
constexpr std::uint16_t kPort = 47321;
const std::string kHost = "127.0.0.1:47321";
const std::string kOrigin = "http://127.0.0.1:47321";
constexpr const char* kPassphrase = "test passphrase";

std::string header_of(const server::HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

struct Browser {
  testing::TempDir dir;
  forms::FormPack pack = std::move(forms::FormPack::builtin()).value();
  std::int64_t now_ms = 1'800'000'000'000;
  std::unique_ptr<UiApp> app;
  std::string cookie;
  std::string csrf;

  Browser() {
    REQUIRE(Store::create(home(), kPassphrase, "amina", testing::cheap_store_options()).ok());
    restart();
  }
  std::filesystem::path home() const { return dir.path() / "home"; }

  void restart() {
    app.reset();
    UiOptions options;
    options.home = home();
    options.store = testing::cheap_store_options();
    options.idle_lock = std::chrono::minutes(5);
    options.clock = [this] { return now_ms; };
    app = std::make_unique<UiApp>(pack, options);
    app->set_port(kPort);
    cookie.clear();
    csrf.clear();
  }

  server::HttpResponse send(std::string method, std::string target, std::string body = {},
                            std::vector<std::pair<std::string, std::string>> headers = {}, bool defaults = true) {
    server::HttpRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.headers = std::move(headers);
    if (defaults) {
      r.headers.emplace_back("Host", kHost);
      if (!cookie.empty()) r.headers.emplace_back("Cookie", "amana_session=" + cookie);
      if (r.method == "POST") {
        r.headers.emplace_back("Origin", kOrigin);
        r.headers.emplace_back("X-Amana-CSRF", csrf);
      }
    }
    return app->handle(r);
  }

  // Opens the printed address as the browser does: the key becomes the cookie.
  void let_in() {
    const std::string url = app->launch_url();
    const std::string target = url.substr(url.find('/', 7));
    auto r = send("GET", target);
    REQUIRE(r.status == 303);
    const std::string set_cookie = header_of(r, "Set-Cookie");
    const auto start = set_cookie.find('=') + 1;
    cookie = set_cookie.substr(start, set_cookie.find(';') - start);
    auto session = json::parse(send("GET", "/api/session").body);
    csrf = session["csrf"].get<std::string>();
  }

  json call(std::string method, std::string target, json body = json::object(), int expected = 200) {
    auto r = send(std::move(method), std::move(target), body.dump());
    INFO(r.body);
    CHECK(r.status == expected);
    return json::parse(r.body);
  }

  void unlock() { call("POST", "/api/unlock", {{"passphrase", kPassphrase}}); }

  const json* question(const json& view, const std::string& name) {
    for (const json& q : view["questions"]) {
      if (q["name"] == name) return &q;
    }
    return nullptr;
  }
};

TEST_CASE("ui: the one-time key becomes an HttpOnly SameSite=Strict cookie and is then spent") {
  Browser b;
  const std::string url = b.app->launch_url();
  CHECK(url.rfind("http://127.0.0.1:47321/?k=", 0) == 0);
  const std::string target = url.substr(url.find('/', 7));
  auto first = b.send("GET", target);
  REQUIRE(first.status == 303);
  const std::string set_cookie = header_of(first, "Set-Cookie");
  CHECK(set_cookie.find("HttpOnly") != std::string::npos);
  CHECK(set_cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(header_of(first, "Location") == "/");
  // Another browser with the same address gets nothing: the key is spent.
  auto again = b.send("GET", target);
  CHECK(again.status == 403);
  CHECK(again.rejection == "key_spent");
  CHECK(b.send("GET", "/?k=0123").status == 403);
}

TEST_CASE("ui: without the session cookie nothing is served") {
  Browser b;
  CHECK(b.send("GET", "/").status == 403);
  CHECK(b.send("GET", "/app/app.js").status == 403);
  auto api = b.send("GET", "/api/home");
  CHECK(api.status == 403);
  CHECK(api.rejection == "no_session");
  b.let_in();
  auto page = b.send("GET", "/");
  CHECK(page.status == 200);
  CHECK(page.body.find("/app/app.js") != std::string::npos);
  CHECK(b.send("GET", "/app/app.js").status == 200);
  b.cookie = std::string(64, 'a');
  CHECK(b.send("GET", "/api/session").status == 403);
}

TEST_CASE("ui: a request addressed to another Host is refused, cookie or not (DNS rebinding)") {
  Browser b;
  b.let_in();
  for (const char* host : {"evil.example:47321", "127.0.0.1:80", "127.0.0.1", "", "localhost.evil:47321"}) {
    CAPTURE(host);
    auto r = b.send("GET", "/api/session", {}, {{"Host", host}, {"Cookie", "amana_session=" + b.cookie}}, false);
    CHECK(r.status == 403);
    CHECK(r.rejection == "wrong_host");
  }
  auto localhost = b.send("GET", "/api/session", {}, {{"Host", "localhost:47321"}, {"Cookie", "amana_session=" + b.cookie}}, false);
  CHECK(localhost.status == 200);
}

TEST_CASE("ui: another Origin is refused, and a write must name this one") {
  Browser b;
  b.let_in();
  auto get = b.send("GET", "/api/session", {}, {{"Origin", "http://evil.example"}});
  CHECK(get.status == 403);
  CHECK(get.rejection == "wrong_origin");
  server::HttpRequest post;
  post.method = "POST";
  post.target = "/api/unlock";
  post.body = json{{"passphrase", kPassphrase}}.dump();
  post.headers = {{"Host", kHost}, {"Cookie", "amana_session=" + b.cookie}, {"X-Amana-CSRF", b.csrf}};
  auto no_origin = b.app->handle(post);
  CHECK(no_origin.status == 403);
  post.headers.emplace_back("Origin", "http://127.0.0.1:9999");
  CHECK(b.app->handle(post).status == 403);
  CHECK_FALSE(b.app->unlocked());
  auto cross = b.send("GET", "/api/session", {}, {{"Sec-Fetch-Site", "cross-site"}});
  CHECK(cross.status == 403);
}

TEST_CASE("ui: a write without the CSRF token is refused") {
  Browser b;
  b.let_in();
  const std::string token = b.csrf;
  b.csrf = "";
  auto missing = b.send("POST", "/api/unlock", json{{"passphrase", kPassphrase}}.dump());
  CHECK(missing.status == 403);
  CHECK(missing.rejection == "missing_csrf");
  b.csrf = std::string(token.size(), '0');
  CHECK(b.send("POST", "/api/unlock", json{{"passphrase", kPassphrase}}.dump()).status == 403);
  CHECK_FALSE(b.app->unlocked());
  b.csrf = token;
  b.unlock();
  CHECK(b.app->unlocked());
}

TEST_CASE("ui: every answer forbids caching and carries the content security policy") {
  Browser b;
  b.let_in();
  for (const char* target : {"/", "/app/app.js", "/api/session"}) {
    CAPTURE(target);
    auto r = b.send("GET", target);
    CHECK(header_of(r, "Cache-Control") == "no-store");
    const std::string csp = header_of(r, "Content-Security-Policy");
    CHECK(csp.find("default-src 'none'") != std::string::npos);
    CHECK(csp.find("script-src 'self'") != std::string::npos);
    CHECK(csp.find("unsafe-inline") == std::string::npos);
    CHECK(header_of(r, "X-Content-Type-Options") == "nosniff");
  }
  // The refusal pages too.
  CHECK(header_of(b.send("GET", "/api/home", {}, {{"Host", "evil:1"}}, false), "Cache-Control") == "no-store");
}

TEST_CASE("ui: the store unlocks with its passphrase, refuses a wrong one, and locks after idle") {
  Browser b;
  b.let_in();
  auto wrong = b.call("POST", "/api/unlock", {{"passphrase", "not it"}}, 401);
  CHECK(wrong["error"]["code"] == "wrong_passphrase");
  b.call("GET", "/api/home", {}, 423);
  b.unlock();
  CHECK(b.call("GET", "/api/home")["user"] == "amina");
  b.now_ms += 4 * 60 * 1000;
  CHECK_FALSE(b.app->lock_if_idle());
  b.call("GET", "/api/home");  // activity
  b.now_ms += 4 * 60 * 1000;
  CHECK_FALSE(b.app->lock_if_idle());
  b.now_ms += 2 * 60 * 1000;
  CHECK(b.app->lock_if_idle());
  CHECK_FALSE(b.app->unlocked());
  CHECK(b.call("GET", "/api/home", {}, 423)["error"]["code"] == "locked_out");
}

TEST_CASE("ui: the duress passphrase opens an empty store, as in the CLI") {
  Browser b;
  {
    auto store = Store::open(b.home(), kPassphrase, testing::cheap_store_options());
    REQUIRE(store.ok());
    auto pack = forms::FormPack::builtin();
    forms::ValidationOptions options{Language::en, store->today()};
    REQUIRE(CaseBook(*store, *pack, options).open({{}, {"Amina Yousif", "female", 30, "Um Dukhun"}, false}).ok());
    REQUIRE(store->set_duress_passphrase("forced passphrase").ok());
  }
  b.let_in();
  b.call("POST", "/api/unlock", {{"passphrase", "forced passphrase"}});
  CHECK(b.call("GET", "/api/cases").empty());
}

TEST_CASE("ui: the forms engine decides relevance and constraints as the person types") {
  Browser b;
  b.let_in();
  b.unlock();
  const std::string draft = b.call("POST", "/api/drafts", {{"form", "pdm-survey"}})["draft"];
  // Skip logic: without consent, the survey ends at the consent question.
  auto declined = b.call("POST", "/api/drafts/" + draft + "/evaluate", {{"answers", {{"consent", "no"}}}});
  CHECK(declined["questions"].size() == 2);  // the introduction and the consent
  CHECK(b.question(declined, "site") == nullptr);
  auto agreed = b.call("POST", "/api/drafts/" + draft + "/evaluate", {{"answers", {{"consent", "yes"}}}});
  CHECK(b.question(agreed, "site") != nullptr);
  CHECK((*b.question(agreed, "consent"))["value"] == "true");
  // A constraint refused beside its question; Arabic-Indic digits read as digits.
  auto nine = b.call("POST", "/api/drafts/" + draft + "/evaluate",
                     {{"answers", {{"consent", "yes"}, {"satisfaction", "9"}}}});
  CHECK((*b.question(nine, "satisfaction")).contains("error"));
  auto four = b.call("POST", "/api/drafts/" + draft + "/evaluate",
                     {{"answers", {{"consent", "yes"}, {"satisfaction", "٤"}}}});
  CHECK((*b.question(four, "satisfaction"))["value"] == "4");
  CHECK_FALSE((*b.question(four, "satisfaction")).contains("error"));
  // A passed required question left empty says so; evaluate saved nothing.
  auto passed = b.call("POST", "/api/drafts/" + draft + "/evaluate",
                       {{"answers", {{"consent", "yes"}}}, {"passed", {"consent", "site"}}});
  CHECK((*b.question(passed, "site")).contains("error"));
  CHECK(b.call("GET", "/api/drafts/" + draft)["draft"]["answered"] == 0);
}

TEST_CASE("ui: a draft is kept in the store and resumes after the app restarts, then becomes a record") {
  Browser b;
  b.let_in();
  b.unlock();
  const std::string draft = b.call("POST", "/api/drafts", {{"form", "pdm-survey"}})["draft"];
  b.call("POST", "/api/drafts/" + draft,
         {{"answers", {{"consent", "yes"}, {"site", "Um Dukhun"}, {"satisfaction", "12"}}}, {"passed", {"consent", "site"}}});
  b.restart();
  b.let_in();
  b.unlock();
  auto home = b.call("GET", "/api/home");
  REQUIRE(home["drafts"].size() == 1);
  CHECK(home["drafts"][0]["id"] == draft);
  auto resumed = b.call("GET", "/api/drafts/" + draft);
  CHECK((*b.question(resumed, "site"))["raw"] == "Um Dukhun");
  CHECK_FALSE((*b.question(resumed, "satisfaction")).contains("raw"));  // refused answers are not kept
  // Finishing with answers missing is refused, each at its question, and the draft stays.
  auto refused = b.call("POST", "/api/drafts/" + draft + "/finish", {{"answers", {{"consent", "yes"}, {"site", "Um Dukhun"}}}}, 422);
  CHECK((*b.question(refused["view"], "assistance_type")).contains("error"));
  CHECK(b.call("GET", "/api/home")["drafts"].size() == 1);
  auto done = b.call("POST", "/api/drafts/" + draft + "/finish",
                     {{"answers", {{"consent", "no"}}}});
  const std::string record = done["record"];
  CHECK(b.call("GET", "/api/home")["drafts"].empty());
  auto shown = b.call("GET", "/api/records/" + record);
  CHECK(shown["form"] == "pdm-survey");
  CHECK(shown["history"].size() == 1);
}

TEST_CASE("ui: a case step is prefilled, and a referral is refused for consent at its question") {
  Browser b;
  b.let_in();
  b.unlock();
  const std::string kase =
      b.call("POST", "/api/cases", {{"name", "Fatima Abdelrahman"}, {"sex", "female"}, {"age", "٢٨"}, {"location", "Um Dukhun"}})["case"];
  // Found by the name in Arabic letters.
  CHECK(b.call("GET", "/api/cases?q=%D9%81%D8%A7%D8%B7%D9%85%D8%A9").size() == 1);  // فاطمة
  CHECK(b.call("GET", "/api/cases?q=Zainab").empty());
  auto file = b.call("GET", "/api/cases/" + kase);
  REQUIRE(file["next_steps"].size() >= 1);
  CHECK(file["next_steps"][0]["verb"] == "register");
  const std::string reg = b.call("POST", "/api/cases/" + kase + "/steps/register")["draft"];
  auto view = b.call("GET", "/api/drafts/" + reg);
  CHECK((*b.question(view, "full_name"))["raw"] == "Fatima Abdelrahman");
  CHECK((*b.question(view, "age"))["raw"] == "28");
  CHECK((*b.question(view, "consent_obtained_by"))["raw"] == "amina");
  json answers = {{"registration_date", b.call("GET", "/api/drafts/" + reg)["questions"][0]["default"]},
                  {"full_name", "Fatima Abdelrahman"}, {"sex", "female"}, {"age", "28"},
                  {"displacement_status", "idp"}, {"location", "Um Dukhun"},
                  {"consent_services", "true"}, {"consent_referral", "true"}, {"consent_information_sharing", "false"},
                  {"consent_obtained_by", "amina"}};
  answers["consent_date"] = answers["registration_date"];
  b.call("POST", "/api/drafts/" + reg + "/finish", {{"answers", answers}});
  CHECK(b.call("GET", "/api/cases/" + kase)["status"] == "registered");
  // Referral needs a plan first: refused before the first question.
  auto early = b.call("POST", "/api/cases/" + kase + "/steps/refer", json::object(), 422);
  CHECK(early["error"]["code"] == "invalid_argument");
  // Through assessment and plan with the library, then the referral's consent at its question.
  b.call("POST", "/api/lock");
  {
    auto store = Store::open(b.home(), kPassphrase, testing::cheap_store_options());
    REQUIRE(store.ok());
    auto pack = forms::FormPack::builtin();
    forms::ValidationOptions options{Language::en, store->today()};
    CaseBook book(*store, *pack, options);
    const RecordId id = *RecordId::parse(kase);
    const std::string today = store->today();
    REQUIRE(book.record_step(id, cases::CaseEvent::assess,
                             {{"assessment_date", today}, {"protection_threats", "physical_assault"},
                              {"specific_needs", "SP"}, {"risk_level", "high"}, {"immediate_safety_concern", "false"}})
                .ok());
    REQUIRE(book.record_step(id, cases::CaseEvent::plan,
                             {{"plan_date", today}, {"goals", "safety"}, {"actions", "refer"}, {"responsible", "case_worker"},
                              {"timeframe_days", "30"}, {"next_follow_up", today}, {"client_agreed", "true"}})
                .ok());
  }
  b.unlock();
  const std::string refer = b.call("POST", "/api/cases/" + kase + "/steps/refer")["draft"];
  auto shared = b.call("POST", "/api/drafts/" + refer + "/evaluate", {{"answers", {{"share_identifying_data", "yes"}}}});
  const json* question = b.question(shared, "share_identifying_data");
  REQUIRE(question != nullptr);
  CHECK((*question)["error"].get<std::string>().find("consent") != std::string::npos);
  auto withheld = b.call("POST", "/api/drafts/" + refer + "/evaluate", {{"answers", {{"share_identifying_data", "no"}}}});
  CHECK_FALSE((*b.question(withheld, "share_identifying_data")).contains("error"));
  // The follow-up's due date comes from the plan.
  CHECK(b.call("GET", "/api/cases/" + kase)["next_steps"].size() >= 2);
  const std::string follow = b.call("POST", "/api/cases/" + kase + "/steps/follow-up")["draft"];
  const std::string due = (*b.question(b.call("GET", "/api/drafts/" + follow), "due_date"))["raw"];
  // Home shows the same day as people read it.
  CHECK(b.call("GET", "/api/home")["followups_due"][0]["due"] == amana::field::shown_date(due, amana::Language::en));
  CHECK(amana::field::shown_date("2030-01-15", amana::Language::en) == "15 January 2030");
  CHECK(amana::field::shown_date("2030-01-15", amana::Language::ar) == "15 يناير 2030");
  CHECK(amana::field::shown_date("2030-01-15T09:05:00", amana::Language::en) == "15 January 2030, 09:05");
  CHECK(amana::field::shown_date("not a date", amana::Language::en) == "not a date");
}

TEST_CASE("ui: wipe needs the typed word, then nothing is left") {
  Browser b;
  b.let_in();
  b.unlock();
  auto refused = b.call("POST", "/api/wipe", {{"confirm", "wipe it"}}, 422);
  CHECK(refused["error"]["message"].get<std::string>().find("WIPE") != std::string::npos);
  CHECK(Store::exists(b.home()));
  b.call("POST", "/api/wipe", {{"confirm", "WIPE"}});
  CHECK_FALSE(Store::exists(b.home()));
  CHECK_FALSE(b.app->unlocked());
}

TEST_CASE("ui: the records search's index lives in the unlocked store's memory and is gone at every lock") {
  Browser b;
  {
    auto store = Store::open(b.home(), kPassphrase, testing::cheap_store_options());
    REQUIRE(store.ok());
    const forms::FormDefinition& form = **b.pack.find("outreach-identification");
    for (const char* name : {"Fāṭima AL-Hassan", "فاطِمة حسن", "Hawa Adam"}) REQUIRE(store->add_record(form, {{"full_name", name}}).ok());
    REQUIRE(store->set_duress_passphrase("forced passphrase").ok());
  }
  auto searched = [&b](const std::string& q) {
    return b.call("GET", "/api/records?q=" + q).size();  // builds what the background has not yet
  };
  b.let_in();
  CHECK(b.app->search_index_size().records == 0);  // locked: no store, no index
  b.unlock();
  CHECK(searched("fatima") == 1);
  CHECK(b.app->search_index_size().records == 3);
  CHECK(b.app->search_index_size().complete);
  CHECK(b.app->search_index_size().bytes > 0);

  b.call("POST", "/api/lock");  // the lock button
  CHECK(b.app->search_index_size().records == 0);
  b.unlock();
  CHECK(searched("hawa") == 1);
  CHECK(b.app->search_index_size().records == 3);

  b.now_ms += 6 * 60 * 1000;  // the idle lock
  REQUIRE(b.app->lock_if_idle());
  CHECK(b.app->search_index_size().records == 0);
  b.unlock();
  CHECK(searched("hawa") == 1);
  CHECK(b.app->search_index_size().records == 3);

  // The duress passphrase: the real store's index goes with it; the new one is empty.
  b.call("POST", "/api/unlock", {{"passphrase", "forced passphrase"}});
  CHECK(searched("hawa") == 0);
  CHECK(b.app->search_index_size().records == 0);
  CHECK(b.app->search_index_size().complete);
  b.call("POST", "/api/wipe", {{"confirm", "WIPE"}});
  CHECK(b.app->search_index_size().records == 0);
}

TEST_CASE("ui: the embedded screen files are served by name with their type, and nothing else") {
  Browser b;
  b.let_in();
  CHECK(b.send("GET", "/app/app.css").content_type.rfind("text/css", 0) == 0);
  CHECK(b.send("GET", "/app/i18n.js").content_type.rfind("text/javascript", 0) == 0);
  CHECK(b.send("GET", "/app/nothing.js").status == 404);
  CHECK(b.send("GET", "/app/../store.db").status == 404);
}

}  // namespace
}  // namespace amana::field::ui
