// amana-gen-data: realistic, seeded data for reports, demos, tests and the scale benchmark,
// pushed through the real sync path. It creates (or reuses) a server data directory,
// starts the sync server in this process on a loopback port, enrolls N field devices in
// several teams (an officer each) and, on each, collects outreach identifications (a
// third of them become cases that go through registration, assessment, plan, referral and
// follow-up, some to a closure request), PDM surveys and rapid assessments, then syncs
// every device. The people vary (Arabic and Latin names, sexes, ages, sites, needs,
// displacement, services) and so do the dates, over the last twelve months. The same seed
// gives the same answers. The example answers it starts from are compiled in: it runs
// from any directory. A data directory it created is removed again when it fails.
//
//   amana-gen-data --data DIR [--devices 10] [--records 300] [--teams N] [--months 12] [--seed 1]
//                  [--device-homes DIR]
// Device stores make one durable commit per record, as in the field: for a large store,
// --device-homes on a RAM disk (/dev/shm) spares the disk those syncs, while the central
// store still merges through its real, durable path.
// The operator passphrase comes from AMANA_SERVER_PASSPHRASE (as for sync-server).
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <chrono>
#include <cstdio>
#include <random>

#include "common/case_review.h"
#include "common/embedded.h"
#include "common/service_types.h"
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

namespace amana::forms {
std::vector<EmbeddedFile> builtin_example_files();  // generated from forms/examples/*.answers.json
}

namespace {

using namespace amana;
namespace fs = std::filesystem;

// The data directory this run created: removed on failure, so that no half-made server
// directory is left behind (a second run would take it for a server).
fs::path created_dir;

[[noreturn]] void fail(const Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  if (!created_dir.empty()) {
    std::error_code ignored;
    fs::remove_all(created_dir, ignored);
    std::cerr << "removed " << created_dir.string() << ", which this run had created\n";
  }
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

  // A day in the last `months` months, as days before today: the day a record's story
  // happens. One month is this calendar month so far (a report of this month holds all).
  void set_months(int months) { months_ = months; }
  int days_back() {
    if (months_ > 1) return pick(0, months_ * 365 / 12 - 1);
    const std::string today = date_days_ago(0);
    return pick(0, std::atoi(today.substr(8, 2).c_str()) - 1);
  }
  static std::string date_days_ago(int days) {
    const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    const std::chrono::year_month_day day{today - std::chrono::days{days}};
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(day.year()),
                  static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
    return buffer;
  }

  // The person an identification found, carried into their case's registration.
  struct Person {
    std::string name, sex, site;
    int age = 0;
  };

  forms::Answers identification(int days, Person& person) {
    static const char* kFemale[] = {"أميرة", "فاطمة", "حواء", "زينب", "مريم", "Amina", "Khadija", "Salma", "عائشة",
                                    "Halima", "Nour", "Amira", "Fatima", "Hawa", "مكة", "Asha", "رحمة", "Sara"};
    static const char* kMale[] = {"آدم", "يوسف", "Ibrahim", "Musa", "Ishag", "Ishaq", "عبدالله", "Abdallah", "محمد",
                                  "Mohamed", "Yahya", "عثمان", "Osman", "Hamid", "إسماعيل", "Adam"};
    static const char* kLast[] = {"حسن", "عبد الله", "Ahmed", "Osman", "إسحاق", "Yousif", "Adam", "محمد", "Bakhit",
                                  "Abakar", "هارون", "Haroun", "Omer", "Abdelrahman", "بشير", "Ali"};
    // A site as written, and where it is in the form's state > locality > site cascade.
    struct Site {
      const char* written;
      const char* locality;
      const char* choice;
    };
    static const Site kSites[] = {{"Um Dukhun block A", "um_dukhun", "um_dukhun_town"},
                                  {"Um Dukhun block C", "um_dukhun", "um_dukhun_town"},
                                  {"Al-Salam gathering site", "um_dukhun", "other"},
                                  {"Mukjar town", "mukjar", "mukjar_town"},
                                  {"Bindisi", "bindisi", "bindisi_town"},
                                  {"Zalingei Hamidiya camp", "zalingei", "hamidiya"},
                                  {"Garsila market", "wadi_salih", "garsila"},
                                  {"Deleig", "wadi_salih", "deleig"},
                                  {"Nertiti", "nertiti", "nertiti_town"},
                                  {"Azum riverbank", "azum", "other"}};
    static const char* kSources[] = {"outreach_volunteer", "cbpn", "self_referral", "internal_referral"};
    static const char* kNeeds[] = {"CR", "SC", "WR", "ER", "SP", "DS", "SM", "PG", "FU", "TR", "SV", "LP"};
    forms::Answers a;
    person.sex = pick(0, 2) ? "female" : "male";
    person.name = std::string(person.sex == "female" ? one_of(kFemale) : one_of(kMale)) + " " + one_of(kLast) + " " +
                  one_of(kLast);
    person.age = pick(0, 9) < 3 ? pick(1, 17) : pick(18, 80);
    const Site& site = one_of(kSites);
    person.site = site.written;
    a["identification_date"] = date_days_ago(days);
    a["state"] = "central_darfur";
    a["locality"] = site.locality;
    a["site_choice"] = site.choice;
    a["site"] = person.site;
    a["identified_by"] = one_of(kSources);
    a["consent_recorded"] = "yes";
    a["full_name"] = person.name;
    a["sex"] = person.sex;
    a["age"] = std::to_string(person.age);
    a["displacement_status"] = std::to_string(pick(1, 4));
    const int household = pick(1, 12);
    a["household_size"] = std::to_string(household);
    std::string needs;
    for (int i = pick(1, 3); i > 0; --i) needs += std::string(one_of(kNeeds)) + " ";
    a["specific_needs"] = needs;
    household_roster(a, person, household, kNeeds);
    a["urgency"] = std::to_string(pick(1, 3));
    a["consent_contact"] = pick(0, 4) ? "yes" : "no";
    a["consent_referral"] = pick(0, 4) ? "yes" : "no";
    return validated("outreach-identification", a);
  }

  // The household roster (common/repeat_keys.h): the person first, then the others, ids
  // drawn from the generator so that a seed gives the same data.
  template <std::size_t N>
  void household_roster(forms::Answers& a, const Person& person, int household, const char* const (&needs)[N]) {
    static const char* kRelations[] = {"spouse", "child", "child", "child", "parent", "sibling", "grandchild",
                                       "other_relative"};
    static const char* kBands[] = {"age_0_4", "age_5_11", "age_12_17", "age_18_59", "age_60_plus"};
    for (int m = 1; m <= household; ++m) {
      char id[17];
      std::snprintf(id, sizeof id, "%08x%08x", static_cast<unsigned>(pick(0, 0x7fffffff)),
                    static_cast<unsigned>(pick(0, 0x7fffffff)));
      const std::string at = "household_members/" + std::string(id);
      a[at] = std::to_string(m);
      a[at + "/m_relationship"] = m == 1 ? "self" : one_of(kRelations);
      a[at + "/m_sex"] = m == 1 ? person.sex : (pick(0, 1) ? "female" : "male");
      const bool known = m == 1 || pick(0, 3) > 0;
      a[at + "/m_age_known"] = known ? "yes" : "no";
      if (known) a[at + "/m_age"] = std::to_string(m == 1 ? person.age : pick(0, 80));
      else a[at + "/m_age_band"] = one_of(kBands);
      a[at + "/m_specific_needs"] = pick(0, 3) ? "none" : one_of(needs);
    }
  }

  forms::Answers pdm(int days) {
    forms::Answers a;
    a["consent"] = "yes";
    a["site"] = "Distribution point " + std::to_string(pick(1, 6));
    a["assistance_type"] = std::to_string(pick(1, 3));
    a["received_date"] = date_days_ago(days);
    a["on_time"] = pick(0, 3) ? "yes" : "no";
    a["sufficient"] = pick(0, 2) ? "yes" : "no";
    a["use"] = std::to_string(pick(1, 6));
    a["safety_problem"] = pick(0, 9) ? "no" : "yes";
    if (a["safety_problem"] == "yes") a["safety_details"] = "Harassed on the road back";
    a["knows_feedback"] = pick(0, 2) ? "yes" : "no";
    a["satisfaction"] = std::to_string(pick(1, 5));
    return validated("pdm-survey", a);
  }

  forms::Answers assessment(int days) {
    static const char* kLocations[] = {"Um Dukhun", "Mukjar", "Bindisi", "Zalingei"};
    forms::Answers a;
    a["assessment_date"] = date_days_ago(days);
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

  // Raw answers for a case step of `person`, from its example with what varies varied,
  // dated `days` ago (its latest "today" date lands there; the others keep their order).
  forms::Answers step(const std::string& form_id, const Person& person, int days,
                      const std::vector<std::string>& services) {
    static const char* kDisplacement[] = {"idp", "refugee", "returnee", "host", "asylum_seeker", "idp", "idp"};
    static const char* kCaregivers[] = {"فاطمة آدم", "Hawa Ishag", "Mariam Osman", "آمنة محمد", "Yahya Bakhit"};
    static const char* kOutcomes[] = {
        "Attended the appointment; reports feeling safer at home.", "Not reached: the family had moved to another block.",
        "Service received; needs a second session next month.", "Provider had no capacity; referred again elsewhere.",
        "تلقت الخدمة وتشعر بأمان أكبر", "Children enrolled at school; the threats have stopped."};
    static const char* kReasons[] = {"goals_met", "goals_met", "client_request", "relocated"};
    const forms::FormDefinition& form = *must(pack_.find(form_id));
    auto raw = must(forms::parse_answers_json(form, must(read_example(form_id))));
    if (form_id == "case-registration") {
      raw["full_name"] = person.name;
      raw["sex"] = person.sex;
      raw["age"] = std::to_string(person.age);
      // Where the person lives, more precisely than the site (sensitive: never exported).
      raw["location"] = person.site + ", shelter " + std::to_string(pick(1, 400));
      raw["displacement_status"] = one_of(kDisplacement);
      raw["phone"] = "+249 9" + std::to_string(pick(10, 99)) + " " + std::to_string(pick(100, 999)) + " " +
                     std::to_string(pick(100, 999));
      raw.erase("date_of_birth");
      if (person.age < 18) {
        raw["caregiver_name"] = one_of(kCaregivers);
      } else {
        raw.erase("caregiver_name");
        raw.erase("caregiver_consent");
      }
    }
    if (form_id == "case-assessment") raw["risk_level"] = std::to_string(pick(1, 4));
    if (form_id == "referral") {
      raw["service_type"] = services[static_cast<std::size_t>(pick(0, static_cast<int>(services.size()) - 1))];
      raw["provider_id"] = provider_for(raw["service_type"]);
      raw["urgency"] = std::to_string(pick(1, 3));
    }
    if (form_id == "follow-up") {
      if (pick(0, 4) != 0) {
        raw["outcome"] = one_of(kOutcomes);
        raw["risk_level_now"] = std::to_string(pick(1, 4));
      } else {  // not reached: how often it was tried instead
        raw["client_reached"] = "false";
        raw.erase("outcome");
        raw.erase("risk_level_now");
        raw["attempts"] = std::to_string(pick(1, 4));
      }
    }
    if (form_id == "case-closure") raw["reason"] = one_of(kReasons);
    move_dates(form, raw, date_days_ago(days));
    return raw;
  }

  // One provider per offered service type, so that every referral finds one.
  static std::string provider_for(const std::string& service) {
    std::string id = "gen-" + service;
    std::replace(id.begin(), id.end(), '_', '-');
    return id;
  }

 private:
  static Result<std::string> read_example(const std::string& form_id);

  // Every date moves by the same number of days, so that the latest "today" date lands on
  // `target` and the order between dates (due after done) holds.
  static void move_dates(const forms::FormDefinition& form, forms::Answers& raw, const std::string& target) {
    std::string latest;
    for (const forms::Field& field : form.fields) {
      if (field.type == forms::FieldType::date && field.default_value == "today" && raw.contains(field.name)) {
        latest = std::max(latest, raw[field.name]);
      }
    }
    if (latest.empty()) return;
    const std::chrono::days shift{cases::days_between(latest, target)};
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
  int months_ = 12;
};

std::string examples_dir;  // empty: the built-in examples

Result<std::string> Generator::read_example(const std::string& form_id) {
  if (!examples_dir.empty()) return read_file_bounded(fs::path(examples_dir) / (form_id + ".answers.json"), 1 << 20);
  static const std::vector<EmbeddedFile> examples = forms::builtin_example_files();
  const std::string name = form_id + ".answers.json";
  for (const EmbeddedFile& file : examples) {
    if (file.name == name) return std::string(file.contents);
  }
  return not_found("no example answers for form " + form_id + " are built in");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Seeded, realistic data pushed through the real sync path"};
  std::string data;
  int devices = 10;
  int records = 300;
  int teams = 0;
  int months = 12;
  unsigned seed = 1;
  app.add_option("--data", data, "Server data directory (created if missing)")->required();
  app.add_option("--devices", devices, "Field devices")->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--records", records, "Identifications per device")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--teams", teams, "Teams, an officer each (default: one per 10 devices)")->check(CLI::Range(1, 1000));
  app.add_option("--months", months, "Months the dates spread over (1: this month so far)")
      ->capture_default_str()
      ->check(CLI::Range(1, 36));
  std::string device_homes;
  app.add_option("--seed", seed, "Random seed")->capture_default_str();
  app.add_option("--device-homes", device_homes, "Where the generated device stores go (default: DATA/generated-devices)");
  app.add_option("--examples", examples_dir, "Directory of example answers (default: the built-in ones)");
  CLI11_PARSE(app, argc, argv);
  if (teams == 0) teams = std::max(1, devices / 10);

  const auto started = std::chrono::steady_clock::now();
  const auto passphrase = must(read_passphrase(kServerPassphraseVariable));
  if (!fs::exists(fs::path(data) / "central.db")) {
    if (!fs::exists(data)) created_dir = data;
    must(server::init_server(data, passphrase.as_string()));
  }
  auto store = must(server::open_server_store(data));
  auto keys = must(server::unlock_org_keys(*store, passphrase.as_string()));
  std::vector<std::string> services;
  for (const services::ServiceType& type : services::all()) {
    if (type.retired || type.code == "other") continue;  // "other" needs words of its own
    services.emplace_back(type.code);
    const std::string id = Generator::provider_for(services.back());
    if (!must(store->provider(id))) {
      must(store->add_provider({id, std::string(type.en) + " (generated)", {services.back()}, "Um Dukhun", "", "", "",
                                true, 1}));
    }
  }
  auto add_user = [&](const server::User& user) {
    const Status added = store->add_user(user);
    if (!added.ok() && added.code() != ErrorCode::already_exists) fail(added);
  };
  auto team_of = [&](int device) { return "generated-" + std::to_string(device % teams + 1); };
  for (int t = 0; t < teams; ++t) add_user({"gen-officer-" + std::to_string(t + 1), server::Role::officer, team_of(t)});
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
  generate.set_months(months);
  const fs::path homes = device_homes.empty() ? fs::path(data) / "generated-devices" : fs::path(device_homes);
  long identifications = 0, cases = 0, surveys = 0;
  for (int d = 0; d < devices; ++d) {
    const std::string user = "gen-assistant-" + std::to_string(d + 1);
    add_user({user, server::Role::assistant, team_of(d)});
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
      const int days = generate.days_back();
      Generator::Person person;
      const RecordId id =
          must(device.add_record(*must(pack.find("outreach-identification")), generate.identification(days, person)));
      ++identifications;
      if (i % 3 == 0) {
        // People who look alike are meant to be found as duplicates: they are generated.
        const RecordId kase = must(book.open({id, {}, true}));
        ++cases;
        using cases::CaseEvent;
        // Each step a few days after the one before, never past today.
        int day = days;
        auto next = [&](const char* form) {
          day = std::max(0, day - generate.pick(0, 6));
          return generate.step(form, person, day, services);
        };
        must(book.record_step(kase, CaseEvent::reg, next("case-registration")).status());
        if (generate.pick(0, 4) == 0) continue;
        must(book.record_step(kase, CaseEvent::assess, next("case-assessment")).status());
        must(book.record_step(kase, CaseEvent::plan, next("case-plan")).status());
        must(book.record_step(kase, CaseEvent::refer, next("referral")).status());
        must(book.record_step(kase, CaseEvent::follow_up, next("follow-up")).status());
        if (generate.pick(0, 3) == 0) {
          must(book.record_step(kase, CaseEvent::request_closure, next("case-closure")).status());
        }
      }
      if (i % 4 == 0) {
        must(device.add_record(*must(pack.find("pdm-survey")), generate.pdm(days)).status());
        ++surveys;
      }
      if (i % 10 == 0) {
        must(device.add_record(*must(pack.find("rapid-protection-assessment")), generate.assessment(days)).status());
      }
    }
    must(field::sync_device(device, {}).status());
    std::cout << "device " << d + 1 << "/" << devices << " synced" << std::endl;
  }
  http->stop();
  // What the run cost the disk: with --device-homes on a RAM disk, the central store's
  // writes alone (its WAL frames and their checkpoints), the figure of docs/benchmarks.md.
  {
    std::ifstream io("/proc/self/io");
    std::string key;
    std::uint64_t value = 0, written = 0;
    while (io >> key >> value) {
      if (key == "write_bytes:") written = value;
    }
    const auto counts = must(store->counts());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double per_record = counts.records > 0 ? static_cast<double>(written) / static_cast<double>(counts.records) : 0;
    std::printf("Wrote %llu bytes to disk for %lld records (%.0f per record) in %.0f s (%.0f records/s)\n",
                static_cast<unsigned long long>(written), static_cast<long long>(counts.records), per_record, seconds,
                static_cast<double>(counts.records) / seconds);
    // For tools/bench's table.
    std::printf("@ generate_s %.1f\n@ generate_records_per_s %.0f\n@ generate_disk_bytes_per_record %.0f\n", seconds,
                static_cast<double>(counts.records) / seconds, per_record);
    std::fflush(stdout);
  }
  std::cout << "Generated " << identifications << " identifications, " << cases << " cases and " << surveys
            << " PDM surveys on " << devices << " devices in " << teams << " teams, merged into " << data << "\n";
  return 0;
}
