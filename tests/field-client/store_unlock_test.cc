// Unlocking a device store against someone who guesses: the count taken before the key
// derivation, parallel guesses, an old count put back, the same work on every path, and a
// store from before authentication (version 7) becoming authenticated.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "common/sqlite.h"
#include "field-client/store.h"
#include "tests/support.h"

using namespace amana;
using namespace amana::field;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPassphrase = "a long field passphrase";
constexpr const char* kDuress = "the passphrase under duress";

using testing::cheap_store_options;
using testing::contains;

forms::FormDefinition survey_form() {
  forms::FormDefinition form;
  form.id = "pdm-survey";
  form.version = 1;
  return form;
}

// Options that count the key derivations made with them.
StoreOptions counting(std::atomic<int>& derivations) {
  StoreOptions options = cheap_store_options();
  options.on_key_derivation = [&derivations] { ++derivations; };
  return options;
}

void make_store(const fs::path& home, int max_failed_unlocks) {
  StoreOptions options = cheap_store_options();
  options.max_failed_unlocks = max_failed_unlocks;
  auto store = Store::create(home, kPassphrase, "amina", options);
  REQUIRE(store.ok());
  REQUIRE(store->add_record(survey_form(), {{"satisfaction", "4"}}).ok());
}

const fs::path kV7Fixture = fs::path(AMANA_SOURCE_DIR) / "tests/data/field-store-v7";
constexpr const char* kV7Passphrase = "correct horse battery staple";
constexpr const char* kV7Duress = "the passphrase under duress";

}  // namespace

TEST_CASE("unlock: six parallel wrong guesses against a limit of three: only three reach the key derivation") {
  testing::TempDir dir;
  const fs::path home = dir.path() / "home";
  make_store(home, 3);
  std::atomic<int> derivations{0};
  std::vector<Status> answers(6);
  {
    std::vector<std::jthread> guessers;
    for (std::size_t i = 0; i < answers.size(); ++i) {
      guessers.emplace_back([&, i] {
        answers[i] = Store::open(home, "guess number " + std::to_string(i), counting(derivations)).status();
      });
    }
  }
  CHECK(derivations == 3);
  int wrong = 0, locked = 0;
  for (const Status& answer : answers) {
    if (answer.code() == ErrorCode::wrong_passphrase) ++wrong;
    if (answer.code() == ErrorCode::locked_out) ++locked;
  }
  CHECK(wrong == 2);   // attempts 1 and 2
  CHECK(locked == 4);  // attempt 3 destroyed the key after its guess; 4 to 6 got no guess
  derivations = 0;
  CHECK(Store::open(home, kPassphrase, counting(derivations)).status().code() == ErrorCode::locked_out);
  CHECK(derivations == 0);  // a destroyed store spends nothing on a guess
}

TEST_CASE("unlock: parallel wrong guesses through the real field-client binary stop at the limit") {
  testing::TempDir dir;
  const fs::path home = dir.path() / "home";
  const auto init = testing::run_command({testing::kClientBin, "--home", home.string(), "init", "--user", "amina",
                                          "--max-failed-unlocks", "3"},
                                         {{"AMANA_PASSPHRASE", kPassphrase}});
  REQUIRE_MESSAGE(init.exit_code == 0, init.err);
  std::vector<std::unique_ptr<testing::BackgroundProcess>> guessers;
  for (int i = 0; i < 6; ++i) {
    guessers.push_back(std::make_unique<testing::BackgroundProcess>(
        std::vector<std::string>{testing::kClientBin, "--home", home.string(), "records"},
        std::map<std::string, std::string>{{"AMANA_PASSPHRASE", "guess number " + std::to_string(i)}}));
  }
  int wrong = 0, destroyed = 0;
  for (auto& guesser : guessers) {
    CHECK(guesser->wait() != 0);
    const std::string err = guesser->err();
    if (contains(err, "wrong passphrase (failed attempt")) ++wrong;
    if (contains(err, "data key has been destroyed") || contains(err, "data key was destroyed")) ++destroyed;
  }
  CHECK(wrong == 2);
  CHECK(destroyed == 4);
  const auto right = testing::run_command({testing::kClientBin, "--home", home.string(), "records"},
                                          {{"AMANA_PASSPHRASE", kPassphrase}});
  CHECK(right.exit_code != 0);
  CHECK(contains(right.err, "data key was destroyed"));
}

TEST_CASE("unlock: the count is in store.db, so an old count file put back does not lower it") {
  testing::TempDir dir;
  const fs::path home = dir.path() / "home";
  make_store(home, 3);
  CHECK(Store::open(home, "wrong-1", cheap_store_options()).status().code() == ErrorCode::wrong_passphrase);
  CHECK(Store::open(home, "wrong-2", cheap_store_options()).status().code() == ErrorCode::wrong_passphrase);
  // Where the count used to live, a copy from before the guesses: it is not believed.
  testing::write_file(home / "unlock-failures", "0\n");
  const auto third = Store::open(home, "wrong-3", cheap_store_options());
  CHECK(third.status().code() == ErrorCode::locked_out);
  CHECK(contains(third.status().message(), "wrong passphrase, 3 times in a row"));
  CHECK(Store::open(home, kPassphrase, cheap_store_options()).status().code() == ErrorCode::locked_out);
}

TEST_CASE("unlock: a wrong guess changes the failure count and nothing else, and a right one sets it back") {
  testing::TempDir dir;
  const fs::path home = dir.path() / "home";
  make_store(home, 3);
  const auto wrong = Store::open(home, "wrong", cheap_store_options());
  CHECK(contains(wrong.status().message(), "wrong passphrase (failed attempt 1 of 3"));
  {
    auto db = sql::Database::open(home / "store.db", sql::OpenMode::existing);
    REQUIRE(db.ok());
    auto q = (*db)->query("SELECT value FROM meta WHERE key = 'unlock_failures'");
    REQUIRE(q.ok());
    REQUIRE(*q->step());
    CHECK(q->column_text(0) == "1");
  }
  auto right = Store::open(home, kPassphrase, cheap_store_options());  // all its seals still hold
  REQUIRE_MESSAGE(right.ok(), right.status().message());
  CHECK(right->records()->size() == 1);
  CHECK(contains(Store::open(home, "wrong", cheap_store_options()).status().message(), "failed attempt 1 of 3"));
}

TEST_CASE("unlock: the real, the duress and a wrong passphrase each cost one key derivation") {
  testing::TempDir dir;
  const fs::path home = dir.path() / "home";
  DeviceId real_device;
  {
    auto store = Store::create(home, kPassphrase, "amina", cheap_store_options());
    REQUIRE(store.ok());
    real_device = store->device();
    REQUIRE(store->add_record(survey_form(), {{"comments", "a survivor's words"}}).ok());
    REQUIRE(store->set_duress_passphrase(kDuress).ok());
  }
  std::atomic<int> derivations{0};
  REQUIRE(Store::open(home, kPassphrase, counting(derivations)).ok());
  CHECK(derivations == 1);
  derivations = 0;
  CHECK(Store::open(home, "neither of the two", counting(derivations)).status().code() == ErrorCode::wrong_passphrase);
  CHECK(derivations == 1);
  derivations = 0;
  {
    auto duress = Store::open(home, kDuress, counting(derivations));
    REQUIRE_MESSAGE(duress.ok(), duress.status().message());
    CHECK(derivations == 1);  // the new, empty store reuses the derivation
    CHECK(duress->records()->empty());
    CHECK(duress->user() == "amina");
  }
  // Once the session ends, nothing of the real store is left in any file.
  const std::string real_id(real_device.bytes.begin(), real_device.bytes.end());
  for (const auto& entry : fs::directory_iterator(home)) {
    CHECK_FALSE(contains(testing::read_file(entry.path()), real_id));
  }
  CHECK_FALSE(fs::exists(home / ".discarded"));
  derivations = 0;
  auto empty = Store::open(home, kDuress, counting(derivations));
  REQUIRE(empty.ok());  // the duress passphrase is now this store's passphrase
  CHECK(derivations == 1);
}

TEST_CASE("upgrade: a version 7 store opens, keeps its records and becomes authenticated at its first unlock") {
  testing::TempDir dir;
  const fs::path home = dir.path() / "home";
  fs::create_directories(home);
  for (const char* file : {"store.db", "unlock-failures"}) fs::copy_file(kV7Fixture / file, home / file);
  {
    std::atomic<int> derivations{0};
    const StoreOptions options = counting(derivations);
    // Its duress passphrase has a salt of its own: every answer costs both derivations.
    const auto wrong = Store::open(home, "not the passphrase", options);
    CHECK(contains(wrong.status().message(), "failed attempt 2 of 10"));  // the old file's 1 counts
    CHECK(derivations == 2);
    derivations = 0;
    auto store = Store::open(home, kV7Passphrase, options);
    REQUIRE_MESSAGE(store.ok(), store.status().message());
    CHECK(derivations == 2);
    CHECK(store->user() == "amina");
    const auto records = store->records();
    REQUIRE(records->size() == 2);
    const auto outreach = store->record(*store->resolve("01a23509-fbb0-7000-89b5-8b58d4fde212"));
    REQUIRE_MESSAGE(outreach.ok(), outreach.status().message());
    CHECK(outreach->values.at("full_name") == "Amira Test-Person");
    CHECK(store->status()->pending_operations == 2);
    CHECK(store->pending_changesets(100)->size() == 1);
  }
  CHECK_FALSE(fs::exists(home / "unlock-failures"));
  // From now on it is authenticated like a new store: an edit is refused.
  {
    auto store = Store::open(home, kV7Passphrase, cheap_store_options());
    REQUIRE_MESSAGE(store.ok(), store.status().message());
  }
  const fs::path copy = dir.path() / "edited";
  fs::copy(home, copy, fs::copy_options::recursive);
  {
    auto db = sql::Database::open(copy / "store.db", sql::OpenMode::existing);
    REQUIRE(db.ok());
    REQUIRE((*db)->exec("UPDATE meta SET value = CAST('5' AS BLOB) WHERE key = 'pull_cursor'").ok());
  }
  const auto edited = Store::open(copy, kV7Passphrase, cheap_store_options());
  CHECK_MESSAGE(contains(edited.status().message(), "this store was changed outside Amana: its settings"),
                edited.status().message());
  // And its old duress passphrase still works as one.
  auto duress = Store::open(home, kV7Duress, cheap_store_options());
  REQUIRE_MESSAGE(duress.ok(), duress.status().message());
  CHECK(duress->records()->empty());
}
