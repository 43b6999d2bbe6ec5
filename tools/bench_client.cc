// amana-bench-client: field client figures for docs/benchmarks.md.
//   time per collected record (validate + seal + insert + outbox, one transaction each;
//   the passphrase derivation is excluded: it happens once per unlock), store bytes per
//   record, time to open (unlock, with the real Argon2id cost) a store of that many records
//   and list them all, and this process's peak RSS.
// Run through tools/bench, which builds it first.
#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>

#include "common/files.h"
#include "common/form_pack.h"
#include "field-client/collect.h"
#include "field-client/render.h"
#include "field-client/store.h"
#include "tools/bench_fleet.h"

namespace {

using namespace amana;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::uintmax_t store_bytes(const std::filesystem::path& home) {
  std::uintmax_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(home)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

int fail(const Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Field client benchmark"};
  int records = 100000;
  std::string examples = "forms/examples";
  app.add_option("--records", records, "Records to collect")->capture_default_str();
  app.add_option("--examples", examples, "Directory of example answers files")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto pack = forms::FormPack::builtin();
  if (!pack.ok()) return fail(pack.status());
  const forms::ValidationOptions validation{forms::Language::en, local_date(system_wall_clock()())};

  std::vector<std::pair<const forms::FormDefinition*, forms::Answers>> samples;
  for (const auto& form : pack->forms()) {
    auto answers = field::answers_from_file(form, std::filesystem::path(examples) / (form.id + ".answers.json"),
                                            validation);
    if (!answers.ok()) return fail(answers.status());
    samples.emplace_back(&form, *answers);
  }

  const auto home = std::filesystem::temp_directory_path() / ("amana-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(home);
  const std::string passphrase = "benchmark passphrase";

  auto start = Clock::now();
  auto created = field::Store::create(home, passphrase, "bench");
  if (!created.ok()) return fail(created.status());
  const double create_seconds = seconds_since(start);

  {
    field::Store store = std::move(created).value();
    start = Clock::now();
    for (int i = 0; i < records; ++i) {
      const auto& [form, answers] = samples[static_cast<std::size_t>(i) % samples.size()];
      std::set<std::string, std::less<>> all;
      for (const auto& [name, value] : answers) all.insert(name);
      auto validated = forms::validate_submission(*form, answers, all, validation);
      if (!validated.ok()) return fail(validated.status());
      auto id = store.add_record(*form, *validated);
      if (!id.ok()) return fail(id.status());
    }
    const double collect_seconds = seconds_since(start);
    std::cout << "records collected          " << records << "\n"
              << "time per collected record  " << collect_seconds * 1000.0 / records << " ms"
              << " (validate + seal + insert + outbox, one durable transaction each)\n"
              << "store bytes per record     " << store_bytes(home) / static_cast<double>(records)
              << " B (store.db + WAL, all files)\n";
  }

  start = Clock::now();
  auto opened = field::Store::open(home, passphrase);
  if (!opened.ok()) return fail(opened.status());
  const double unlock_seconds = seconds_since(start);
  // What `field-client records` does after unlocking: query the summaries and render them.
  start = Clock::now();
  auto list = opened->records();
  if (!list.ok()) return fail(list.status());
  const std::string listing = field::records_text(*list);
  const double list_seconds = seconds_since(start);
  std::cout << "list " << list->size() << " records         " << list_seconds * 1000.0 << " ms"
            << " (query + render " << listing.size() << " bytes of text)\n"
            << "create store (Argon2id)    " << create_seconds * 1000.0 << " ms\n"
            << "unlock store (Argon2id)    " << unlock_seconds * 1000.0 << " ms\n"
            << "open and list " << list->size() << " records " << (unlock_seconds + list_seconds) * 1000.0
            << " ms (unlock + query + render)\n"
            << "client peak RSS            " << static_cast<double>(bench::peak_rss_kib()) / 1024.0
            << " MiB (VmHWM, collecting, reopening and listing)\n";
  std::filesystem::remove_all(home);
  return 0;
}
