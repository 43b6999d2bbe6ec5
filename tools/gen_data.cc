// amana-gen-data: realistic, seeded data for reports, demos and tests, pushed through the
// real sync path. It creates (or reuses) a server data directory, starts the sync server
// in this process on a loopback port, enrolls N field devices and, on each, collects
// outreach identifications (a third of them become cases that go through registration,
// assessment, plan, referral and follow-up, some to a closure request), PDM surveys and
// rapid assessments, then syncs every device. The same seed gives the same answers.
//
//   amana-gen-data --data DIR [--devices 10] [--records 300] [--seed 1]
// The operator passphrase comes from AMANA_SERVER_PASSPHRASE (as for sync-server).
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <chrono>
#include <cstdio>
#include <random>

#include "common/case_review.h"
#include "common/files.h"
#include "common/form_pack.h"
#include "common/hlc.h"
#include "common/passphrase.h"
#include "field-client/cases.h"
#include "field-client/store.h"
#include "field-client/sync_client.h"
#include "sync-server/admin.h"
#include "sync-server/http_server.h"
#include "sync-server/org_keys.h"
#include "sync-server/service.h"

namespace {

using namespace amana;
namespace fs = std::filesystem;

[[noreturn]] void fail(const Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  std::exit(1);
}
template <class T>
T must(Result<T> result) {
  if (!result.ok()) fail(result.status());
  return std::move(result).value();
}
void must(const Status& status) {
  if (!status.ok()) fail(status);
}

class Generator {
 public:
  Generator(const forms::FormPack& pack, unsigned seed) : pack_(pack), random_(seed) {}

  int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  template <class T, std::size_t N>
  const T& one_of(const T (&items)[N]) { return items[static_cast<std::size_t>(pick(0, N - 1))]; }

  std::string date_this_month() {
    const std::string today = local_date(system_wall_clock()());
    const int day = std::atoi(today.substr(8, 2).c_str());
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%s-%02d", today.substr(0, 7).c_str(), pick(1, std::max(1, day)));
    return buffer;
  }

  forms::Answers identification() {
    static const char* kFirst[] = {"أميرة", "فاطمة", "حواء", "زينب", "مريم", "Amina", "Khadija", "Salma", "آدم", "يوسف",
                                   "Ibrahim", "Musa", "عائشة", "Halima", "Nour"};
    static const char* kLast[] = {"حسن", "عبد الله", "Ahmed", "Osman", "إسحاق", "Yousif", "Adam", "محمد", "Bakhit"};
    static const char* kSites[] = {"Um Dukhun block A", "Um Dukhun block C", "Al-Salam gathering site", "Mukjar town",
                                   "Bindisi"};
    static const char* kSources[] = {"outreach_volunteer", "cbpn", "self_referral", "internal_referral"};
    static const char* kNeeds[] = {"CR", "SC", "WR", "ER", "SP", "DS", "SM", "PG", "FU", "TR", "SV", "LP"};
    forms::Answers a;
    a["identification_date"] = date_this_month();
    a["site"] = one_of(kSites);
    a["identified_by"] = one_of(kSources);
    a["consent_recorded"] = "yes";
    a["full_name"] = std::string(one_of(kFirst)) + " " + one_of(kLast) + " " + one_of(kLast);
    a["sex"] = pick(0, 2) ? "female" : "male";
    a["age"] = std::to_string(pick(0, 9) < 3 ? pick(1, 17) : pick(18, 80));
    a["displacement_status"] = std::to_string(pick(1, 4));
    a["household_size"] = std::to_string(pick(1, 12));
    std::string needs;
    for (int i = pick(1, 3); i > 0; --i) needs += std::string(one_of(kNeeds)) + " ";
    a["specific_needs"] = needs;
    a["urgency"] = std::to_string(pick(1, 3));
    a["consent_contact"] = pick(0, 4) ? "yes" : "no";
    a["consent_referral"] = pick(0, 4) ? "yes" : "no";
    return validated("outreach-identification", a);
  }

  forms::Answers pdm() {
    forms::Answers a;
    a["consent"] = "yes";
    a["site"] = "Distribution point " + std::to_string(pick(1, 6));
    a["assistance_type"] = std::to_string(pick(1, 3));
    a["received_date"] = date_this_month();
    a["on_time"] = pick(0, 3) ? "yes" : "no";
    a["sufficient"] = pick(0, 2) ? "yes" : "no";
    a["use"] = std::to_string(pick(1, 6));
    a["safety_problem"] = pick(0, 9) ? "no" : "yes";
    if (a["safety_problem"] == "yes") a["safety_details"] = "Harassed on the road back";
    a["knows_feedback"] = pick(0, 2) ? "yes" : "no";
    a["satisfaction"] = std::to_string(pick(1, 5));
    return validated("pdm-survey", a);
  }

  forms::Answers assessment() {
    static const char* kLocations[] = {"Um Dukhun", "Mukjar", "Bindisi", "Zalingei"};
    forms::Answers a;
    a["assessment_date"] = date_this_month();
    a["location"] = one_of(kLocations);
    a["informant_type"] = std::to_string(pick(1, 7));
    a["population_groups"] = "1 4";
    a["main_risks"] = std::to_string(pick(1, 9)) + " " + std::to_string(pick(1, 9));
    a["incidents_last_30_days"] = std::to_string(pick(0, 20));
    if (a["incidents_last_30_days"] != "0") a["incident_summary"] = "Harassment at water points";
    a["services_available"] = std::to_string(pick(1, 8));
    a["priority_needs"] = std::to_string(pick(1, 8));
    return validated("rapid-protection-assessment", a);
  }

  // Raw answers for a case step, from its example with a few things varied.
  forms::Answers step(const std::string& form_id) {
    const forms::FormDefinition& form = *must(pack_.find(form_id));
    auto raw = must(forms::parse_answers_json(form, must(read_example(form_id))));
    if (form_id == "case-assessment") raw["risk_level"] = std::to_string(pick(1, 4));
    move_dates_to_today(form, raw);
    return raw;
  }

 private:
  static Result<std::string> read_example(const std::string& form_id);

  // The examples are dated the day they were written; a step generated today must fall in
  // this month's report. Every date moves by the same number of days, so that the latest
  // "today" date lands on today and the order between dates (due after done) holds.
  static void move_dates_to_today(const forms::FormDefinition& form, forms::Answers& raw) {
    const std::string today = local_date(system_wall_clock()());
    std::string latest;
    for (const forms::Field& field : form.fields) {
      if (field.type == forms::FieldType::date && field.default_value == "today" && raw.contains(field.name)) {
        latest = std::max(latest, raw[field.name]);
      }
    }
    if (latest.empty()) return;
    const std::chrono::days shift{cases::days_between(latest, today)};
    for (const forms::Field& field : form.fields) {
      if (field.type != forms::FieldType::date || !raw.contains(field.name)) continue;
      int y = 0;
      unsigned m = 0, d = 0;
      if (std::sscanf(raw[field.name].c_str(), "%d-%u-%u", &y, &m, &d) != 3) continue;
      const std::chrono::year_month_day moved{std::chrono::sys_days{std::chrono::year{y} / m / d} + shift};
      char buffer[16];
      std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(moved.year()),
                    static_cast<unsigned>(moved.month()), static_cast<unsigned>(moved.day()));
      raw[field.name] = buffer;
    }
  }

  forms::Answers validated(const std::string& form_id, const forms::Answers& raw) {
    const forms::FormDefinition& form = *must(pack_.find(form_id));
    std::set<std::string, std::less<>> given;
    for (const auto& [name, value] : raw) given.insert(name);
    return must(forms::validate_submission(form, raw, given, {forms::Language::en, local_date(system_wall_clock()())}));
  }

  const forms::FormPack& pack_;
  std::mt19937 random_;
};

std::string examples_dir = "forms/examples";

Result<std::string> Generator::read_example(const std::string& form_id) {
  return read_file_bounded(fs::path(examples_dir) / (form_id + ".answers.json"), 1 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Seeded, realistic data pushed through the real sync path"};
  std::string data;
  int devices = 10;
  int records = 300;
  unsigned seed = 1;
  app.add_option("--data", data, "Server data directory (created if missing)")->required();
  app.add_option("--devices", devices, "Field devices")->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--records", records, "Identifications per device")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--seed", seed, "Random seed")->capture_default_str();
  app.add_option("--examples", examples_dir, "Directory of example answers")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto passphrase = must(read_passphrase(kServerPassphraseVariable));
  if (!fs::exists(fs::path(data) / "central.db")) must(server::init_server(data, passphrase.as_string()));
  auto store = must(server::open_server_store(data));
  auto keys = must(server::unlock_org_keys(*store, passphrase.as_string()));
  for (const char* provider : {"legal-aid-um-dukhun"}) {
    if (!must(store->provider(provider))) {
      must(store->add_provider({provider, "Legal aid", {"legal"}, "Um Dukhun", "", "", "", true, 1}));
    }
  }
  auto add_user = [&](const server::User& user) {
    const Status added = store->add_user(user);
    if (!added.ok() && added.code() != ErrorCode::already_exists) fail(added);
  };
  add_user({"gen-officer", server::Role::officer, "generated"});
  auto metrics = std::make_shared<server::Metrics>();
  server::SyncService service(*store, keys, metrics);
  server::HttpOptions options;
  options.listen = "127.0.0.1:0";
  options.log_requests = false;
  auto http = must(server::HttpServer::start(options, [&](const server::HttpRequest& r) { return service.handle(r); },
                                             metrics));
  const std::string url = "http://127.0.0.1:" + std::to_string(http->port());

  auto pack = must(forms::FormPack::builtin());
  Generator generate(pack, seed);
  const fs::path homes = fs::path(data) / "generated-devices";
  long identifications = 0, cases = 0, surveys = 0;
  for (int d = 0; d < devices; ++d) {
    const std::string user = "gen-assistant-" + std::to_string(d + 1);
    add_user({user, server::Role::assistant, "generated"});
    field::StoreOptions store_options;
    store_options.kdf = {1, 8192};  // generated devices only: unlocking is not what they are for
    const fs::path home = homes / user;
    fs::remove_all(home);
    auto device = must(field::Store::create(home, "generated device passphrase", user, store_options));
    const auto code = must(server::issue_enrollment_code(*store, user, std::chrono::hours(1), system_wall_clock()()));
    must(field::enroll_device(device, code.code, url).status());
    must(field::sync_device(device, {}).status());  // the provider directory
    field::CaseBook book(device, pack, {forms::Language::en, local_date(system_wall_clock()())});
    for (int i = 0; i < records; ++i) {
      const RecordId id = must(device.add_record(*must(pack.find("outreach-identification")), generate.identification()));
      ++identifications;
      if (i % 3 == 0) {
        const RecordId kase = must(book.open({id, {}, true}));
        ++cases;
        using cases::CaseEvent;
        must(book.record_step(kase, CaseEvent::reg, generate.step("case-registration")).status());
        if (generate.pick(0, 4) == 0) continue;
        must(book.record_step(kase, CaseEvent::assess, generate.step("case-assessment")).status());
        must(book.record_step(kase, CaseEvent::plan, generate.step("case-plan")).status());
        must(book.record_step(kase, CaseEvent::refer, generate.step("referral")).status());
        must(book.record_step(kase, CaseEvent::follow_up, generate.step("follow-up")).status());
        if (generate.pick(0, 3) == 0) {
          must(book.record_step(kase, CaseEvent::request_closure, generate.step("case-closure")).status());
        }
      }
      if (i % 4 == 0) {
        must(device.add_record(*must(pack.find("pdm-survey")), generate.pdm()).status());
        ++surveys;
      }
      if (i % 10 == 0) must(device.add_record(*must(pack.find("rapid-protection-assessment")), generate.assessment()).status());
    }
    must(field::sync_device(device, {}).status());
    std::cout << "device " << d + 1 << "/" << devices << " synced" << std::endl;
  }
  http->stop();
  std::cout << "Generated " << identifications << " identifications, " << cases << " cases and " << surveys
            << " PDM surveys on " << devices << " devices, merged into " << data << "\n";
  return 0;
}
