// amana-bench-merge: merge throughput, in process and without HTTP, beside its baseline.
//   amana:    records per second from sealed pushes (sync bundles: the same sealed,
//             signed, compressed changesets a device pushes) to committed rows in the
//             central store, through SyncService::import_bundle: unseal, verify,
//             decompress, parse, merge, each changeset durable before the next;
//   baseline: the same answers as a plain bulk INSERT into a bare SQLite table (one row
//             per field value: record id, field, HLC, device id, value; no index, no
//             sealing), in one transaction, on a connection opened the same way
//             (WAL, synchronous=FULL).
// Run through tools/bench, which builds it first.
#include <CLI/CLI.hpp>

#include <iostream>

#include "common/files.h"
#include "common/sqlite.h"
#include "field-client/sync_client.h"
#include "tools/bench_fleet.h"

namespace {

using namespace amana;
using namespace amana::bench;
namespace fs = std::filesystem;

// One record's answers, flat ("name\0value\0..."): a map per record for 100,000 records
// would weigh more than the store being measured.
using FlatAnswers = std::string;

FlatAnswers flatten(const forms::Answers& answers) {
  FlatAnswers flat;
  for (const auto& [name, value] : answers) (flat += name) += '\0', (flat += value) += '\0';
  return flat;
}

struct Elapsed {
  double wall = 0;
  double cpu = 0;
};

Elapsed bulk_insert(const fs::path& path, const std::vector<FlatAnswers>& records, int records_per_device,
                    std::size_t* rows) {
  auto db = must(sql::Database::open(path, sql::OpenMode::create_new));
  must(db->exec("CREATE TABLE field_values (record_id BLOB NOT NULL, field TEXT NOT NULL, hlc INTEGER NOT NULL, "
                "device_id BLOB NOT NULL, value TEXT NOT NULL)"));
  const auto start = Clock::now();
  const double cpu_start = cpu_seconds();
  auto transaction = must(db->begin());
  std::uint8_t record_id[16] = {};
  std::uint8_t device_id[16] = {};
  for (std::size_t r = 0; r < records.size(); ++r) {
    // Time-ordered ids, as the real ones are (big-endian counter).
    for (int b = 0; b < 8; ++b) record_id[15 - b] = static_cast<std::uint8_t>(r >> (8 * b));
    device_id[0] = static_cast<std::uint8_t>(r / static_cast<std::size_t>(records_per_device));
    const std::string& flat = records[r];
    for (std::size_t at = 0; at < flat.size();) {
      const std::string_view name(flat.data() + at);
      at += name.size() + 1;
      const std::string_view value(flat.data() + at);
      at += value.size() + 1;
      auto insert = must(db->query("INSERT INTO field_values VALUES (?1, ?2, ?3, ?4, ?5)"));
      insert.bind(1, std::span<const std::uint8_t>(record_id))
          .bind(2, name)
          .bind(3, static_cast<std::int64_t>(r))
          .bind(4, std::span<const std::uint8_t>(device_id))
          .bind(5, value);
      must(insert.run());
      ++*rows;
    }
  }
  must(transaction.commit());
  return {seconds_since(start), cpu_seconds() - cpu_start};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Merge throughput benchmark"};
  int devices = 10;
  int records_per_device = 10000;
  std::string examples = "forms/examples";
  app.add_option("--devices", devices, "Devices whose pushes are merged")->capture_default_str();
  app.add_option("--records", records_per_device, "Records per device (at most 32,000: one bundle each)")
      ->capture_default_str()
      ->check(CLI::Range(1, static_cast<int>(field::kMaxBundleChangesets) * 500));
  app.add_option("--examples", examples, "Directory of example answers files")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto pack = must(forms::FormPack::builtin());
  AnswerSource answers(pack, examples, 20261124);
  const fs::path dir = fs::temp_directory_path() / ("amana-bench-merge-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const auto total = static_cast<std::int64_t>(devices) * records_per_device;
  std::cout << "== merge: " << devices << " devices x " << records_per_device
            << " records (the three field forms in turn), sealed pushes to committed rows, no HTTP\n"
            << "preparing pushes..." << std::endl;

  std::vector<FlatAnswers> flat;
  flat.reserve(static_cast<std::size_t>(total));
  std::vector<std::string> bundles;
  {
    Fleet fleet(dir / "fleet");
    for (int d = 0; d < devices; ++d) {
      field::Store device = fleet.enrolled_device("device-" + std::to_string(d));
      for (int r = 0; r < records_per_device; ++r) {
        const forms::FormDefinition& form = answers.form(kFieldForms[r % 3]);
        const forms::Answers record = answers.next(form);
        flat.push_back(flatten(record));
        must(device.add_record(form, record).status());
      }
      const fs::path file = dir / ("device-" + std::to_string(d) + ".bundle");
      must(field::export_bundle(device, file).status());
      bundles.push_back(must(read_file_bounded(file, 64u << 20)));
    }
    fleet.http->stop();

    const auto start = Clock::now();
    const double cpu_start = cpu_seconds();
    for (const std::string& bundle : bundles) must(fleet.service->import_bundle(crypto::as_bytes(bundle)).status());
    const Elapsed amana{seconds_since(start), cpu_seconds() - cpu_start};
    const auto counts = must(fleet.store->counts());
    if (counts.records != total) {
      fail(Status(ErrorCode::corrupt, "the server holds " + std::to_string(counts.records) + " records, not " +
                                          std::to_string(total)));
    }
    std::size_t rows = 0;
    const Elapsed baseline = bulk_insert(dir / "baseline.db", flat, records_per_device, &rows);
    const double n = static_cast<double>(total);
    std::printf("merge amana %.0f records/s (%lld records in %.2f s, %.2f s CPU) | bulk insert %.0f records/s (%zu "
                "rows, one per field value, in %.2f s, %.2f s CPU) | amana takes %.2fx the bulk insert's time (wall), "
                "%.2fx (CPU)\n",
                n / amana.wall, static_cast<long long>(total), amana.wall, amana.cpu, n / baseline.wall, rows,
                baseline.wall, baseline.cpu, amana.wall / baseline.wall, amana.cpu / baseline.cpu);
  }
  fs::remove_all(dir);
  return 0;
}
