// amana-bench-dictionary: does a zstd dictionary trained on our own forms pay? (issue 6)
//
// Every push is one pb::PushRequest (a server nonce and encoded pb::Changesets), compressed
// with zstd level 3 and sealed (common/envelope.h). At 500 records a frame has context
// enough; a case worker syncing 1, 5 or 20 records sends a frame that has almost none, and
// a dictionary is the usual remedy. This program measures, without touching the protocol:
//   - the push payloads exactly as the field client makes them: records added to a real
//     field::Store (simulated clock: a few minutes between records), packed by
//     Store::pending_changesets, wrapped in the PushRequest that sync_device compresses;
//   - dictionaries of a few sizes (ZDICT_trainFromBuffer) trained on one-record pushes made
//     with one seed, one dictionary for the three field forms together (one per form pack);
//   - on pushes made with another seed (never the training data), compressed bytes per
//     record without a dictionary (what common/compress.cc sends today, checked byte for
//     byte) and with each one (ZSTD_compress_usingCDict, level 3), and compress +
//     decompress time per record, for each changeset size.
// Run through tools/bench (scenario `dict`), which builds it first.
#include <CLI/CLI.hpp>
#include <zdict.h>
#include <zstd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "common/compress.h"
#include "tools/bench_fleet.h"

namespace {

using namespace amana;
using namespace amana::bench;
namespace fs = std::filesystem;

constexpr int kLevel = compress::kDefaultLevel;
constexpr std::size_t kServerNonceBytes = 32;  // sync-server/service.cc kNonceBytes
// 2026-11-02 06:00 UTC: the first record of a simulated day in the field.
constexpr std::int64_t kFieldDayStartMs = 1793599200000;

// The push payloads of one device that collected `records` answers to `form` and packed
// them `per_push` at a time: each element is one serialized pb::PushRequest carrying one
// changeset, as sync_device builds it (max_changesets_per_push aside: one changeset each).
std::vector<std::string> field_pushes(const fs::path& home, const forms::FormPack& pack, const fs::path& examples,
                                      std::uint32_t seed, const char* form_id, int records, int per_push) {
  AnswerSource answers(pack, examples, seed);
  const forms::FormDefinition& form = answers.form(form_id);
  // Records minutes apart, not microseconds: ids, HLC stamps and creation times compress
  // as they do in the field, not better.
  auto now = std::make_shared<std::int64_t>(kFieldDayStartMs);
  std::mt19937 gaps(seed);
  field::StoreOptions options;
  options.kdf = kBenchKdf;
  options.clock = [now] { return *now; };
  field::Store store = must(field::Store::create(home, kPassphrase, "bench", options));
  for (int i = 0; i < records; ++i) {
    *now += std::uniform_int_distribution<std::int64_t>(2 * 60000, 20 * 60000)(gaps);
    must(store.add_record(form, answers.next(form)).status());
  }
  std::vector<std::string> pushes;
  for (const field::PendingChangeset& changeset : must(store.pending_changesets(static_cast<std::size_t>(per_push)))) {
    pb::PushRequest request;
    const crypto::Bytes nonce = crypto::random_bytes(kServerNonceBytes);
    request.set_server_nonce(nonce.data(), nonce.size());
    request.add_changesets(changeset.encoded);
    pushes.push_back(request.SerializeAsString());
  }
  if (pushes.size() * static_cast<std::size_t>(per_push) != static_cast<std::size_t>(records)) {
    fail(Status(ErrorCode::corrupt, "the store packed " + std::to_string(records) + " records into " +
                                        std::to_string(pushes.size()) + " changesets of " + std::to_string(per_push)));
  }
  return pushes;
}

struct Dictionary {
  int kib = 0;
  std::string content;
  std::unique_ptr<ZSTD_CDict, decltype(&ZSTD_freeCDict)> compress{nullptr, &ZSTD_freeCDict};
  std::unique_ptr<ZSTD_DDict, decltype(&ZSTD_freeDDict)> decompress{nullptr, &ZSTD_freeDDict};
};

Dictionary train(int kib, const std::vector<std::string>& samples) {
  std::string flat;
  std::vector<std::size_t> sizes;
  for (const std::string& sample : samples) {
    flat += sample;
    sizes.push_back(sample.size());
  }
  Dictionary dictionary;
  dictionary.kib = kib;
  dictionary.content.resize(static_cast<std::size_t>(kib) * 1024);
  const auto start = Clock::now();
  const std::size_t size = ZDICT_trainFromBuffer(dictionary.content.data(), dictionary.content.size(), flat.data(),
                                                 sizes.data(), static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(size)) {
    fail(Status(ErrorCode::invalid_argument, "training a " + std::to_string(kib) + " KiB dictionary on " +
                                                 std::to_string(samples.size()) + " samples failed: " +
                                                 ZDICT_getErrorName(size) + " (more --train-records?)"));
  }
  dictionary.content.resize(size);
  std::printf("dictionary %2d KiB: %zu B, trained in %.2f s on %zu one-record pushes (%.1f KB)\n", kib, size,
              seconds_since(start), samples.size(), static_cast<double>(flat.size()) / 1000);
  dictionary.compress.reset(ZSTD_createCDict(dictionary.content.data(), size, kLevel));
  dictionary.decompress.reset(ZSTD_createDDict(dictionary.content.data(), size));
  if (!dictionary.compress || !dictionary.decompress) fail(Status(ErrorCode::corrupt, "zstd refused a dictionary"));
  return dictionary;
}

struct Figures {
  double bytes_per_record = 0;
  double micros_per_record = 0;  // compress + decompress
};

class Codec {
 public:
  Codec() : compress_(ZSTD_createCCtx(), &ZSTD_freeCCtx), decompress_(ZSTD_createDCtx(), &ZSTD_freeDCtx) {
    if (!compress_ || !decompress_) throw std::bad_alloc();
  }

  // `dictionary` null: level 3 without one, as common/compress.cc compresses today.
  Figures measure(const std::vector<std::string>& pushes, int records_per_push, const Dictionary* dictionary,
                  double min_seconds) {
    std::size_t compressed = 0;
    for (const std::string& push : pushes) {
      const std::size_t size = round_trip(push, dictionary, /*check=*/true);
      if (!dictionary && size != compress::compress(crypto::as_bytes(push)).size()) {
        fail(Status(ErrorCode::corrupt, "the plain frame differs from what common/compress.cc sends"));
      }
      compressed += size;
    }
    // Repeated until the figure is long enough to mean something; contexts are reused, as a
    // device syncing in a loop would (and as ZSTD_compress does internally, per call).
    int passes = 0;
    const auto start = Clock::now();
    double elapsed = 0;
    do {
      for (const std::string& push : pushes) round_trip(push, dictionary, /*check=*/false);
      ++passes;
      elapsed = seconds_since(start);
    } while (elapsed < min_seconds);
    const double records = static_cast<double>(pushes.size()) * records_per_push;
    return {static_cast<double>(compressed) / records, elapsed * 1e6 / (records * passes)};
  }

 private:
  std::size_t round_trip(const std::string& push, const Dictionary* dictionary, bool check) {
    frame_.resize(ZSTD_compressBound(push.size()));
    const std::size_t size =
        dictionary ? ZSTD_compress_usingCDict(compress_.get(), frame_.data(), frame_.size(), push.data(), push.size(),
                                              dictionary->compress.get())
                   : ZSTD_compressCCtx(compress_.get(), frame_.data(), frame_.size(), push.data(), push.size(), kLevel);
    if (ZSTD_isError(size)) fail(Status(ErrorCode::corrupt, std::string("zstd: ") + ZSTD_getErrorName(size)));
    plain_.resize(push.size());
    const std::size_t back =
        dictionary ? ZSTD_decompress_usingDDict(decompress_.get(), plain_.data(), plain_.size(), frame_.data(), size,
                                                dictionary->decompress.get())
                   : ZSTD_decompressDCtx(decompress_.get(), plain_.data(), plain_.size(), frame_.data(), size);
    if (check && (ZSTD_isError(back) || plain_.substr(0, back) != push)) {
      fail(Status(ErrorCode::corrupt, "a frame did not decompress to its push"));
    }
    return size;
  }

  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> compress_;
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> decompress_;
  std::string frame_, plain_;
};

double bytes_per_record(const std::vector<std::string>& pushes, int records_per_push) {
  std::size_t total = 0;
  for (const std::string& push : pushes) total += push.size();
  return static_cast<double>(total) / (static_cast<double>(pushes.size()) * records_per_push);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"zstd dictionary benchmark"};
  int train_records = 2000;
  int test_records = 1000;
  std::uint32_t train_seed = 20261201;
  std::uint32_t test_seed = 20261202;
  std::vector<int> sizes{1, 5, 20, 100, 500};
  std::vector<int> dictionary_kib{4, 16, 64};
  double min_seconds = 0.2;
  std::string examples = "forms/examples";
  app.add_option("--train-records", train_records, "Records per form to train on (one push each)")
      ->capture_default_str();
  app.add_option("--test-records", test_records, "Records per form to measure on, packed at each size")
      ->capture_default_str();
  app.add_option("--train-seed", train_seed, "Seed of the training answers")->capture_default_str();
  app.add_option("--test-seed", test_seed, "Seed of the test answers (not the training seed)")->capture_default_str();
  app.add_option("--sizes", sizes, "Records per sync (changeset) to measure")->delimiter(',')->capture_default_str();
  app.add_option("--dict-kib", dictionary_kib, "Dictionary sizes to train, KiB")->delimiter(',')->capture_default_str();
  app.add_option("--min-seconds", min_seconds, "Minimum time per timed figure")->capture_default_str();
  app.add_option("--examples", examples, "Directory of example answers files")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (train_seed == test_seed) {
    fail(Status(ErrorCode::invalid_argument, "the test seed must differ from the training seed"));
  }
  for (int size : sizes) {
    if (size <= 0 || size > test_records) {
      fail(Status(ErrorCode::invalid_argument, "each of --sizes must be in 1..--test-records (" +
                                                   std::to_string(test_records) + "), not " + std::to_string(size)));
    }
  }

  const auto pack = must(forms::FormPack::builtin());
  const fs::path dir = fs::temp_directory_path() / ("amana-bench-dictionary-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::cout << "== dictionary: zstd level " << kLevel << " per push payload, without and with a dictionary trained on "
            << train_records << " records per form (seed " << train_seed << "), measured on " << test_records
            << " other records per form (seed " << test_seed << ")" << std::endl;

  std::vector<std::string> samples;
  for (const char* id : kFieldForms) {
    auto pushes = field_pushes(dir / (std::string("train-") + id), pack, examples, train_seed, id, train_records, 1);
    samples.insert(samples.end(), pushes.begin(), pushes.end());
  }
  std::vector<Dictionary> dictionaries;
  for (int kib : dictionary_kib) dictionaries.push_back(train(kib, samples));

  // pushes[form][size]: every size packs the same records (same seed), so rows compare.
  std::vector<std::vector<std::vector<std::string>>> pushes;
  for (const char* id : kFieldForms) {
    pushes.emplace_back();
    for (int size : sizes) {
      const int records = test_records / size * size;
      pushes.back().push_back(field_pushes(dir / ("test-" + std::string(id) + "-" + std::to_string(size)), pack,
                                           examples, test_seed, id, records, size));
    }
  }
  fs::remove_all(dir);

  for (std::size_t f = 0; f < std::size(kFieldForms); ++f) {
    std::printf("serialized %-28s", kFieldForms[f]);
    for (std::size_t s = 0; s < sizes.size(); ++s) {
      std::printf("%s %d-record push %.1f B/record", s ? "," : "", sizes[s], bytes_per_record(pushes[f][s], sizes[s]));
    }
    std::printf(" (protobuf, before zstd)\n");
  }

  std::printf("records: per push (one changeset); B/rec: zstd frame bytes per record; ratio: with / none;\n"
              "best saves: bytes per push of the best dictionary; us/rec: compress + decompress per record\n");
  std::printf("dict %-28s %7s %6s | %10s |", "form", "records", "pushes", "none B/rec");
  for (const Dictionary& d : dictionaries) std::printf(" %2d KiB B/rec  ratio |", d.kib);
  std::printf(" best saves B/push | us/rec none");
  for (const Dictionary& d : dictionaries) std::printf(" %2d KiB", d.kib);
  std::printf("\n");
  Codec codec;
  for (std::size_t f = 0; f < std::size(kFieldForms); ++f) {
    for (std::size_t s = 0; s < sizes.size(); ++s) {
      const auto& set = pushes[f][s];
      const Figures none = codec.measure(set, sizes[s], nullptr, min_seconds);
      std::vector<Figures> with;
      double best = none.bytes_per_record;
      for (const Dictionary& d : dictionaries) {
        with.push_back(codec.measure(set, sizes[s], &d, min_seconds));
        best = std::min(best, with.back().bytes_per_record);
      }
      std::printf("dict %-28s %7d %6zu | %10.1f |", kFieldForms[f], sizes[s], set.size(), none.bytes_per_record);
      for (const Figures& w : with) std::printf(" %12.1f %6.3f |", w.bytes_per_record, w.bytes_per_record / none.bytes_per_record);
      std::printf(" %17.1f | %11.2f", (none.bytes_per_record - best) * sizes[s], none.micros_per_record);
      for (const Figures& w : with) std::printf(" %6.2f", w.micros_per_record);
      std::printf("\n");
    }
  }
  return 0;
}
