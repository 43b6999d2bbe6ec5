// The field screens' JSON API with repeats and cascading selects, through Api::call (what
// the HTTP handlers of ui_app.h call) over a real store: instances added, removed, nested,
// bounded by a computed count, validated with the instance named, kept in a draft across a
// reopened store and saved in the record; an answer a changed earlier answer no longer
// allows cleared by the engine, with its note kept in the draft until answered again.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "common/form_pack.h"
#include "field-client/store.h"
#include "field-client/ui_api.h"
#include "tests/support.h"

namespace amana::field::ui {
namespace {

using nlohmann::json;
constexpr const char* kPassphrase = "a long field passphrase";

constexpr std::string_view kHousehold = R"~({
  "id": "household-visit", "version": 1, "title": {"en": "Household visit", "ar": "زيارة أسرة"},
  "fields": [
    {"name": "state", "type": "select_one", "label": "State", "required": true,
     "choices": [{"name": "central", "label": "Central Darfur"}, {"name": "south", "label": "South Darfur"}]},
    {"name": "locality", "type": "select_one", "label": "Locality", "required": true, "choice_filter": "state = ${state}",
     "choices": [{"name": "zalingei", "label": "Zalingei", "columns": {"state": "central"}},
                 {"name": "nyala", "label": "Nyala", "columns": {"state": "south"}}]},
    {"name": "members", "type": "repeat", "label": {"en": "Household members", "ar": "أفراد الأسرة"}, "fields": [
      {"name": "m_name", "type": "text", "label": "Name", "required": true},
      {"name": "m_age", "type": "integer", "label": "Age", "required": true},
      {"name": "m_school", "type": "boolean", "label": "At school", "relevant": "${m_age} < 18", "required": true},
      {"name": "phones", "type": "repeat", "label": "Phones", "fields": [
        {"name": "p_number", "type": "text", "label": "Phone number"}]}
    ]},
    {"name": "n_rooms", "type": "integer", "label": "Rooms"},
    {"name": "rooms", "type": "repeat", "label": {"en": "Rooms", "ar": "الغرف"}, "repeat_count": "${n_rooms}", "fields": [
      {"name": "r_use", "type": "text", "label": "Used for"}]}
  ]})~";

struct Device {
  testing::TempDir dir;
  forms::FormPack pack = std::move(forms::FormPack::builtin()).value();
  std::optional<Store> store;

  Device() {
    auto form = forms::parse_form_definition(kHousehold);
    REQUIRE_MESSAGE(form.ok(), form.status().message());
    pack.add_version(std::move(*form));
    auto made = Store::create(dir.path() / "home", kPassphrase, "amina", testing::cheap_store_options());
    REQUIRE_MESSAGE(made.ok(), made.status().message());
    store.emplace(std::move(*made));
  }
  // As `field-client ui` restarted: the store closed and opened again.
  void reopen() {
    store.reset();
    auto opened = Store::open(dir.path() / "home", kPassphrase, testing::cheap_store_options());
    REQUIRE_MESSAGE(opened.ok(), opened.status().message());
    store.emplace(std::move(*opened));
  }
  ApiReply call(const std::string& method, const std::string& path, json body = json::object(),
                Language language = Language::en) {
    Api api(*store, pack);
    ApiCall c;
    c.method = method;
    c.path = path;
    c.body = std::move(body);
    c.language = language;
    return api.call(c);
  }
  json ok(const std::string& method, const std::string& path, json body = json::object(),
          Language language = Language::en) {
    ApiReply reply = call(method, path, std::move(body), language);
    REQUIRE_MESSAGE(reply.status.ok(), reply.status.message());
    return reply.body;
  }
};

const json& question(const json& view, std::string_view name) {
  for (const json& q : view["questions"]) {
    if (q["name"] == name) return q;
  }
  FAIL("no question " << name << " in " << view["questions"].dump());
  static const json none;
  return none;
}

bool has_question(const json& view, std::string_view name) {
  for (const json& q : view["questions"]) {
    if (q["name"] == name) return true;
  }
  return false;
}

TEST_CASE("ui: instances are added, nested, removed and validated by the engine, kept in the draft, saved") {
  Device d;
  const std::string draft = d.ok("POST", "/api/drafts", {{"form", "household-visit"}})["draft"];
  const std::string at = "/api/drafts/" + draft;
  json answers = {{"state", "central"}, {"locality", "zalingei"}};
  json view;
  for (int i = 0; i < 3; ++i) {
    view = d.ok("POST", at, {{"answers", answers}, {"passed", json::array()}, {"add", "members"}});
    answers = view["answers"];
  }
  const json& list = question(view, "members");
  CHECK(list["type"] == "repeat");
  REQUIRE(list["instances"].size() == 3);
  CHECK(list["can_add"] == true);
  CHECK(list["instances"][1]["label"] == "Household members #2");
  std::vector<std::string> keys;
  for (const json& i : list["instances"]) keys.push_back(i["key"]);
  CHECK(answers[keys[0]] == "1");
  CHECK(answers[keys[2]] == "3");
  CHECK(question(view, keys[1] + "/m_name")["instance"] == "Household members #2");
  // Nothing answered yet: no summary, and the page says so.
  CHECK(list["instances"][1]["summary"] == "");
  CHECK(list["instances"][1]["answered"] == false);

  // The second removed, with everything in it; the third is now #2.
  answers[keys[1] + "/m_name"] = "Gone";
  view = d.ok("POST", at, {{"answers", answers}, {"passed", json::array()}, {"remove", keys[1]}});
  answers = view["answers"];
  CHECK_FALSE(answers.contains(keys[1]));
  CHECK_FALSE(answers.contains(keys[1] + "/m_name"));
  CHECK(question(view, "members")["instances"].size() == 2);
  CHECK(question(view, keys[2] + "/m_name")["instance"] == "Household members #2");
  // Removing it again: it is gone.
  CHECK(d.call("POST", at, {{"answers", answers}, {"remove", keys[1]}}).status.code() == ErrorCode::not_found);

  // Nested: a phone of the first member.
  view = d.ok("POST", at, {{"answers", answers}, {"add", keys[0] + "/phones"}});
  answers = view["answers"];
  const json& phones = question(view, keys[0] + "/phones");
  REQUIRE(phones["instances"].size() == 1);
  const std::string phone = phones["instances"][0]["key"];
  CHECK(phone.starts_with(keys[0] + "/phones/"));
  CHECK(question(view, phone + "/p_number")["instance"] == "Household members #1 › Phones #1");

  // The engine's relevance per instance, and an error naming the instance.
  answers[keys[0] + "/m_name"] = "Amina";
  answers[keys[0] + "/m_age"] = "34";
  answers[phone + "/p_number"] = "0912345678";
  answers[keys[2] + "/m_name"] = "Yusuf";
  answers[keys[2] + "/m_age"] = "9";
  json passed = json::array({keys[2] + "/m_school"});
  view = d.ok("POST", at + "/evaluate", {{"answers", answers}, {"passed", passed}});
  CHECK_FALSE(has_question(view, keys[0] + "/m_school"));
  // In plain words: the entry, the question's label, what is wrong; never a field's name.
  const json& school = question(view, keys[2] + "/m_school");
  CHECK(school["error"] == "Household members #2 · At school — an answer is required");
  CHECK(school["error_at"] == json{{"entry", "Household members #2"}, {"question", "At school"},
                                   {"problem", "an answer is required"}});
  CHECK(view["complete"] == false);
  CHECK(question(view, "members")["instances"][0]["summary"] == "Amina · 34");
  CHECK(question(view, "members")["instances"][0]["answered"] == true);
  view = d.ok("POST", at + "/evaluate", {{"answers", answers}, {"passed", passed}}, Language::ar);
  CHECK(question(view, keys[2] + "/m_school")["error"] == "أفراد الأسرة رقم 2 · At school — الإجابة مطلوبة");
  CHECK(question(view, keys[2] + "/m_school")["error_at"]["entry"] == "أفراد الأسرة رقم 2");
  CHECK(question(view, "members")["instances"][1]["label"] == "أفراد الأسرة رقم 2");
  // An answer the engine refuses, in a nested entry too: what is wrong without the field's name.
  json wrong = answers;
  wrong[keys[0] + "/m_age"] = "old";
  view = d.ok("POST", at + "/evaluate", {{"answers", wrong}, {"passed", passed}});
  CHECK(question(view, keys[0] + "/m_age")["error"] == "Household members #1 · Age — must be a whole number");
  for (const Language language : {Language::en, Language::ar}) {
    view = d.ok("POST", at + "/evaluate", {{"answers", wrong}, {"passed", passed}}, language);
    for (const json& q : view["questions"]) {
      if (!q.contains("error")) continue;
      const std::string error = q["error"];
      CHECK_MESSAGE(error.find("m_") == std::string::npos, error);
      CHECK_MESSAGE(!error.starts_with("members"), error);  // the repeat's name, not its label
    }
  }

  // Saved, the store reopened (the app restarted): the instances are in the draft.
  d.ok("POST", at, {{"answers", answers}, {"passed", passed}});
  d.reopen();
  view = d.ok("GET", at);
  CHECK(question(view, "members")["instances"].size() == 2);
  CHECK(question(view, keys[2] + "/m_age")["value"] == "9");
  CHECK(question(view, phone + "/p_number")["value"] == "0912345678");

  // Finishing is refused while the instance's question is unanswered, then saves the record.
  ApiReply refused = d.call("POST", at + "/finish", {{"answers", answers}, {"passed", passed}});
  CHECK(refused.status.code() == ErrorCode::invalid_argument);
  CHECK(question(refused.body["view"], keys[2] + "/m_school")["error"] ==
        "Household members #2 · At school — an answer is required");
  answers[keys[2] + "/m_school"] = "yes";
  const std::string record = d.ok("POST", at + "/finish", {{"answers", answers}, {"passed", passed}})["record"];
  const json shown = d.ok("GET", "/api/records/" + record);
  std::vector<std::string> lines;
  for (const json& v : shown["values"]) lines.push_back(v.value("instance", "") + "|" + v["label"].get<std::string>() + "|" + v["value"].get<std::string>());
  CHECK(std::find(lines.begin(), lines.end(), "Household members #2|Age|9") != lines.end());
  CHECK(std::find(lines.begin(), lines.end(), "Household members #1 › Phones #1|Phone number|0912345678") != lines.end());
  CHECK(std::find(lines.begin(), lines.end(), "Household members #2|At school|yes") != lines.end());

  // Editing the record: its instances are on the page, with their answers.
  view = d.ok("POST", "/api/records/" + record + "/evaluate");
  CHECK(question(view, "members")["instances"].size() == 2);
  // An entry's answer changed and the other entry removed: the history names them in
  // plain words, the removed one as removed (it has no number any more), never "#0".
  json edited = view["answers"];
  edited[keys[0] + "/m_age"] = "35";
  view = d.ok("POST", "/api/records/" + record + "/evaluate", {{"answers", edited}, {"remove", keys[2]}});
  d.ok("POST", "/api/records/" + record + "/edit", {{"answers", view["answers"]}});
  const json history = d.ok("GET", "/api/records/" + record)["history"];
  REQUIRE(history.size() == 2);
  std::vector<std::string> changes;
  for (const json& c : history[1]["changes"]) changes.push_back(c["label"].get<std::string>() + "|" + c["value"].get<std::string>());
  CHECK_MESSAGE(std::find(changes.begin(), changes.end(), "Household members #1: Age|35") != changes.end(), json(changes).dump());
  CHECK_MESSAGE(std::find(changes.begin(), changes.end(), "Household members (an entry removed): Name|") != changes.end(), json(changes).dump());
  for (const std::string& c : changes) CHECK_MESSAGE(c.find("#0") == std::string::npos, c);
}

TEST_CASE("ui: a computed repeat_count creates its instances when saved, and add and remove stop at it") {
  Device d;
  const std::string at = "/api/drafts/" + d.ok("POST", "/api/drafts", {{"form", "household-visit"}})["draft"].get<std::string>();
  json answers = {{"state", "south"}, {"locality", "nyala"}, {"n_rooms", "2"}};
  json view = d.ok("POST", at + "/evaluate", {{"answers", answers}});
  CHECK(question(view, "rooms")["instances"].empty());  // as the person types, nothing is made
  view = d.ok("POST", at, {{"answers", answers}});
  answers = view["answers"];
  const json& rooms = question(view, "rooms");
  CHECK(rooms["count"] == 2);
  REQUIRE(rooms["instances"].size() == 2);
  CHECK(rooms["can_add"] == false);
  CHECK(rooms["can_remove"] == false);
  ApiReply full = d.call("POST", at, {{"answers", answers}, {"add", "rooms"}});
  CHECK(full.status.code() == ErrorCode::invalid_argument);
  CHECK(full.status.message() == "Rooms has 2 entries, as many as the form asks for: no more can be added");
  const std::string first = rooms["instances"][0]["key"];
  CHECK(d.call("POST", at, {{"answers", answers}, {"remove", first}}).status.code() == ErrorCode::invalid_argument);
  // Saved again, none more is made; a larger count makes the one missing.
  view = d.ok("POST", at, {{"answers", answers}});
  CHECK(question(view, "rooms")["instances"].size() == 2);
  answers = view["answers"];
  answers["n_rooms"] = "3";
  view = d.ok("POST", at, {{"answers", answers}});
  CHECK(question(view, "rooms")["instances"].size() == 3);
  // A smaller count: nothing changes as the person types.
  answers = view["answers"];
  std::vector<std::string> keys;
  for (const json& i : question(view, "rooms")["instances"]) keys.push_back(i["key"]);
  answers[keys[0] + "/r_use"] = "sleeping";
  answers[keys[2] + "/r_use"] = "cooking";
  answers["n_rooms"] = "1";
  view = d.ok("POST", at + "/evaluate", {{"answers", answers}});
  CHECK(question(view, "rooms")["instances"].size() == 3);
  // Saved: the room with no answer goes (the last empty first, as Enketo removes the last
  // ones), and the list says so, naming it; the two with answers stay (as ODK Collect keeps
  // them), and the list says the person should choose which to remove.
  view = d.ok("POST", at, {{"answers", answers}});
  const json& fitted = question(view, "rooms");
  REQUIRE(fitted["instances"].size() == 2);
  CHECK(fitted["instances"][0]["key"] == keys[0]);
  CHECK(fitted["instances"][1]["key"] == keys[2]);
  CHECK(fitted["removed"] == "Rooms: the form now asks for 1, so these entries, which had no answers, were removed: Rooms #2");
  CHECK(fitted["notice"].get<std::string>().starts_with("Rooms: the form now asks for 1, and there are 2."));
  CHECK_FALSE(fitted.contains("error"));  // not passed yet: a notice, not an error
  CHECK(fitted["can_remove"] == true);
  CHECK(view["complete"] == false);
  answers = view["answers"];
  CHECK(answers[keys[2] + "/r_use"] == "cooking");
  // Saved again: nothing more goes; Arabic says the same.
  view = d.ok("POST", at, {{"answers", answers}}, Language::ar);
  CHECK(question(view, "rooms")["instances"].size() == 2);
  CHECK_FALSE(question(view, "rooms").contains("removed"));
  CHECK(question(view, "rooms")["notice"].get<std::string>().starts_with("الغرف: تطلب الاستمارة الآن 1، وفيها 2."));
  json passed = json::array({"rooms"});
  view = d.ok("POST", at, {{"answers", answers}, {"passed", passed}});
  CHECK(question(view, "rooms")["error"] == question(view, "rooms")["notice"]);
  // The person removes the one they choose (the first): the list fits, nothing more is said.
  view = d.ok("POST", at, {{"answers", answers}, {"passed", passed}, {"remove", keys[0]}});
  CHECK(question(view, "rooms")["instances"].size() == 1);
  CHECK(view["answers"][keys[2] + "/r_use"] == "cooking");
  CHECK_FALSE(question(view, "rooms").contains("error"));
  CHECK_FALSE(question(view, "rooms").contains("notice"));
  // A note in Arabic, naming the entries removed.
  answers = view["answers"];
  answers["n_rooms"] = "3";
  view = d.ok("POST", at, {{"answers", answers}});
  answers = view["answers"];
  answers["n_rooms"] = "1";
  view = d.ok("POST", at, {{"answers", answers}}, Language::ar);
  CHECK(question(view, "rooms")["instances"].size() == 1);
  CHECK(question(view, "rooms")["removed"] ==
        "الغرف: تطلب الاستمارة الآن 1، فحُذفت هذه الإدخالات إذ لم تكن فيها إجابات: الغرف رقم 2، الغرف رقم 3");
}

TEST_CASE("ui: an answer the changed state no longer offers is cleared by the engine, its note kept with the draft") {
  Device d;
  const std::string at = "/api/drafts/" + d.ok("POST", "/api/drafts", {{"form", "household-visit"}})["draft"].get<std::string>();
  json passed = json::array({"state", "locality"});
  json view = d.ok("POST", at, {{"answers", {{"state", "central"}, {"locality", "zalingei"}}}, {"passed", passed}});
  CHECK(question(view, "locality")["value"] == "zalingei");
  CHECK_FALSE(question(view, "locality").contains("note"));

  // The state changes: Zalingei is not a locality of South Darfur.
  view = d.ok("POST", at + "/evaluate", {{"answers", {{"state", "south"}, {"locality", "zalingei"}}}, {"passed", passed}});
  CHECK_FALSE(view["answers"].contains("locality"));
  CHECK(view["cleared"] == json::array({"locality"}));
  CHECK(question(view, "locality")["note"] ==
        "the answer given here was cleared: it is not among the choices for the answers before it; choose again");
  CHECK_FALSE(question(view, "locality").contains("error"));  // the note says it, not "required"
  view = d.ok("POST", at, {{"answers", {{"state", "south"}, {"locality", "zalingei"}}}, {"passed", passed}},
              Language::ar);
  CHECK(question(view, "locality")["note"] ==
        "مُسحت الإجابة المعطاة هنا: لم تعد من الخيارات المتاحة للإجابات السابقة؛ اختر من جديد");

  // Reopened later: the note is still there, until the question is answered again.
  d.reopen();
  view = d.ok("GET", at);
  CHECK(question(view, "locality").contains("note"));
  CHECK(view["cleared"] == json::array({"locality"}));
  view = d.ok("POST", at, {{"answers", {{"state", "south"}}}, {"passed", passed}, {"cleared", view["cleared"]}});
  CHECK(question(view, "locality").contains("note"));
  view = d.ok("POST", at, {{"answers", {{"state", "south"}, {"locality", "nyala"}}}, {"passed", passed},
                           {"cleared", view["cleared"]}});
  CHECK_FALSE(question(view, "locality").contains("note"));
  CHECK(view["cleared"].empty());
  d.reopen();
  CHECK_FALSE(question(d.ok("GET", at), "locality").contains("note"));
}

}  // namespace
}  // namespace amana::field::ui
