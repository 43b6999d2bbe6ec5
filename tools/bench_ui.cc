// amana-bench-ui: how fast the field client's screens answer with a large store, for
// docs/benchmarks.md. A store of --records PDM surveys and --cases cases (each registered,
// assessed and planned), then every screen's request through UiApp::handle, in process
// (the loopback socket adds well under a millisecond), --repeat times each: the median and
// the 95th percentile. The question round trip is one /evaluate of a half-filled survey,
// the request the page sends as the person types. Unlocking is excluded (one Argon2id
// derivation per unlock).
// Run through tools/bench (scenario `ui`), which builds it first.
#include <CLI/CLI.hpp>

#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/files.h"
#include "field-client/cases.h"
#include "field-client/ui_app.h"
#include "tools/bench_fleet.h"

namespace {

using namespace amana;
using bench::Clock;
using nlohmann::json;

constexpr std::uint16_t kPort = 40000;

struct Client {
  field::ui::UiApp& app;
  std::string cookie;
  std::string csrf;

  server::HttpResponse send(const std::string& method, const std::string& target, const std::string& body = {}) {
    server::HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.headers = {{"Host", "127.0.0.1:" + std::to_string(kPort)}};
    if (!cookie.empty()) r.headers.emplace_back("Cookie", "amana_session=" + cookie);
    if (method == "POST") {
      r.headers.emplace_back("Origin", "http://127.0.0.1:" + std::to_string(kPort));
      r.headers.emplace_back("X-Amana-CSRF", csrf);
    }
    return app.handle(r);
  }
  json call(const std::string& method, const std::string& target, const json& body = json::object()) {
    auto r = send(method, target, body.dump());
    if (r.status != 200) {
      std::cerr << method << " " << target << ": " << r.status << " " << r.body << "\n";
      std::exit(1);
    }
    return json::parse(r.body);
  }
};

void measure(Client& client, const std::string& label, int repeat, const std::string& method, const std::string& target,
             const json& body = json::object()) {
  std::vector<double> ms;
  for (int i = 0; i < repeat; ++i) {
    const auto start = Clock::now();
    client.call(method, target, body);
    ms.push_back(bench::seconds_since(start) * 1000);
  }
  std::cout << "  " << std::left << std::setw(44) << label << std::right << std::fixed << std::setprecision(2)
            << std::setw(9) << bench::percentile(ms, 0.5) << " ms median" << std::setw(9) << bench::percentile(ms, 0.95)
            << " ms p95\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"field client screens: answer times with a large store"};
  int records = 100'000;
  int case_count = 200;
  int repeat = 20;
  std::string examples = "forms/examples";
  std::size_t build_step = field::ui::UiOptions{}.search_build_step;
  cli.add_option("--records", records, "PDM surveys in the store");
  cli.add_option("--cases", case_count, "cases, each registered, assessed and planned");
  cli.add_option("--repeat", repeat, "requests per screen");
  cli.add_option("--examples", examples, "forms/examples");
  cli.add_option("--build-step", build_step, "records per step of the search index's build after unlock (0: none)");
  CLI11_PARSE(cli, argc, argv);

  const auto pack = bench::must(forms::FormPack::builtin());
  const auto dir = std::filesystem::temp_directory_path() / ("amana-bench-ui-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto home = dir / "home";
  field::StoreOptions options;
  options.kdf = bench::kBenchKdf;
  const auto build_start = Clock::now();
  {
    auto store = bench::must(field::Store::create(home, bench::kPassphrase, "amina", options));
    bench::AnswerSource source(pack, examples, 7);
    const auto& survey = source.form("pdm-survey");
    for (int i = 0; i < records; ++i) bench::must(store.add_record(survey, source.next(survey)));
    forms::ValidationOptions validation{Language::en, store.today()};
    field::CaseBook book(store, pack, validation);
    const std::string today = store.today();
    for (int i = 0; i < case_count; ++i) {
      const auto id = bench::must(book.open({{}, {"Person " + std::to_string(i), i % 2 ? "male" : "female", 20 + i % 40,
                                                  "Um Dukhun"}, true}));
      bench::must(book.record_step(id, cases::CaseEvent::reg,
                                   {{"registration_date", today}, {"full_name", "Person " + std::to_string(i)},
                                    {"sex", i % 2 ? "male" : "female"}, {"age", std::to_string(20 + i % 40)},
                                    {"displacement_status", "idp"}, {"location", "Um Dukhun"},
                                    {"consent_services", "true"}, {"consent_referral", "true"},
                                    {"consent_information_sharing", "true"}, {"consent_obtained_by", "amina"},
                                    {"consent_date", today}}));
      bench::must(book.record_step(id, cases::CaseEvent::assess,
                                   {{"assessment_date", today}, {"protection_threats", "physical_assault"},
                                    {"specific_needs", "SP"}, {"risk_level", "high"}, {"immediate_safety_concern", "false"}}));
      bench::must(book.record_step(id, cases::CaseEvent::plan,
                                   {{"plan_date", today}, {"goals", "safety"}, {"actions", "refer"},
                                    {"responsible", "case_worker"}, {"timeframe_days", "30"},
                                    {"next_follow_up", today}, {"client_agreed", "true"}}));
    }
  }
  std::cout << "== ui: " << records << " surveys and " << case_count << " cases (" << case_count * 3
            << " steps); store built in " << std::fixed << std::setprecision(0) << bench::seconds_since(build_start)
            << " s\n";

  field::ui::UiOptions ui_options;
  ui_options.home = home;
  ui_options.store = options;
  ui_options.search_build_step = build_step;
  field::ui::UiApp app(pack, ui_options);
  app.set_port(kPort);
  Client client{app, {}, {}};
  const std::string url = app.launch_url();
  auto exchange = client.send("GET", url.substr(url.find('/', 7)));
  for (const auto& [name, value] : exchange.headers) {
    if (name == "Set-Cookie") client.cookie = value.substr(value.find('=') + 1, value.find(';') - value.find('=') - 1);
  }
  client.csrf = client.call("GET", "/api/session")["csrf"];
  client.call("POST", "/api/unlock", {{"passphrase", std::string(bench::kPassphrase)}});
  // The records search's index (in memory only): the first search right after an unlock
  // builds what the background has not yet; then, unlocked again, how long the build in
  // steps between requests takes, and what home costs meanwhile.
  measure(client, "records: first search after unlock (builds)", 1, "GET", "/api/records?q=zzzz-none");
  const auto size = app.search_index_size();
  std::cout << "  search index: " << size.records << " records, " << size.bytes / 1024 << " KiB of folded answers\n";
  client.call("POST", "/api/lock");
  client.call("POST", "/api/unlock", {{"passphrase", std::string(bench::kPassphrase)}});
  if (build_step > 0) {
    const auto unlocked = Clock::now();
    std::vector<double> home_ms;
    do {
      const auto start = Clock::now();
      client.call("GET", "/api/home");
      home_ms.push_back(bench::seconds_since(start) * 1000);
    } while (!app.search_index_size().complete);
    std::cout << "  search index built in steps of " << build_step << " records in " << std::setprecision(2)
              << bench::seconds_since(unlocked) << " s after unlock; home meanwhile (" << home_ms.size()
              << " requests) " << bench::percentile(home_ms, 0.5) << " ms median, " << bench::percentile(home_ms, 0.95)
              << " ms p95\n";
  }

  const json cases = client.call("GET", "/api/cases");
  const json list = client.call("GET", "/api/records");
  const std::string a_case = cases.at(0)["id"];
  const std::string a_record = list.at(0)["id"];
  const std::string draft = client.call("POST", "/api/drafts", {{"form", "pdm-survey"}})["draft"];
  const json half = {{"answers", {{"consent", "yes"}, {"site", "Um Dukhun"}, {"assistance_type", "cash"},
                                  {"received_date", "٢٠/١١/٢٠٢٦"}, {"on_time", "yes"}, {"satisfaction", "9"}}},
                     {"passed", {"intro", "consent", "site", "assistance_type", "received_date", "on_time"}}};

  measure(client, "home (follow-ups, review, drafts, pending)", repeat, "GET", "/api/home");
  measure(client, "records: the newest 200", repeat, "GET", "/api/records");
  measure(client, "records: search matching the newest", repeat, "GET", "/api/records?q=Um%20Dukhun");
  measure(client, "records: search matching nothing (all)", repeat, "GET", "/api/records?q=zzzz-none");
  measure(client, "one record with its history", repeat, "GET", "/api/records/" + a_record);
  measure(client, "cases: list", repeat, "GET", "/api/cases");
  measure(client, "cases: search by name", repeat, "GET", "/api/cases?q=Person%2017");
  measure(client, "a case file", repeat, "GET", "/api/cases/" + a_case);
  measure(client, "a question's round trip (evaluate)", repeat * 5, "POST", "/api/drafts/" + draft + "/evaluate", half);
  measure(client, "save a draft after Next", repeat, "POST", "/api/drafts/" + draft, half);
  std::filesystem::remove_all(dir);
  return 0;
}
