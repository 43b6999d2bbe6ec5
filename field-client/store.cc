// The device store: creating, unlocking and protecting it. See store_internal.h for how
// the store is split across files.
#include "field-client/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>

#include "common/message_catalogue.h"
#include "field-client/store_internal.h"
#include "field-client/store_schema.h"
#include "proto/sync.pb.h"

namespace amana::field {
namespace fs = std::filesystem;
using namespace store_detail;

namespace store_detail {

Bytes associated_data(std::string_view label, ByteView row_key) {
  Bytes ad(label.begin(), label.end());
  ad.push_back('|');
  ad.insert(ad.end(), row_key.begin(), row_key.end());
  return ad;
}

}  // namespace store_detail

namespace {

fs::path database_path(const fs::path& home) { return home / kDatabaseFile; }

Result<crypto::KdfParams> read_kdf_params(sql::Database& db) {
  AMANA_ASSIGN_OR_RETURN(std::uint64_t ops_limit, require_meta_number(db, "kdf_ops_limit"));
  AMANA_ASSIGN_OR_RETURN(std::uint64_t mem_limit, require_meta_number(db, "kdf_mem_limit"));
  return crypto::KdfParams{ops_limit, mem_limit};
}

Result<SecretBytes> derive(std::string_view passphrase, ByteView salt, crypto::KdfParams kdf,
                           const StoreOptions& options) {
  if (options.on_key_derivation) options.on_key_derivation();
  return crypto::derive_key(passphrase, salt, kdf);
}

std::optional<std::string> open_text(const SecretBytes& key, const std::optional<Bytes>& sealed,
                                     const Bytes& associated) {
  if (!sealed) return std::nullopt;
  auto plain = crypto::open(key, *sealed, associated);
  if (!plain.ok()) return std::nullopt;
  return std::string(plain->as_string());
}

// "31 days", "5 hours", "40 seconds": rounded down to the largest unit that fits twice.
std::string rough_duration(std::int64_t ms) {
  const std::int64_t seconds = ms / 1000;
  for (const auto& [unit, length] : {std::pair<const char*, std::int64_t>{"day", 86400}, {"hour", 3600}, {"minute", 60}}) {
    if (seconds >= 2 * length) return std::to_string(seconds / length) + " " + unit + "s";
  }
  return std::to_string(seconds) + (seconds == 1 ? " second" : " seconds");
}

// The count kept by stores before version 8, folded into store.db once (see
// kLegacyFailuresFile); 0 when there is none.
std::uint64_t read_legacy_failures(const fs::path& home) {
  std::ifstream in(home / kLegacyFailuresFile);
  long long count = 0;
  if (in >> count && count >= 0) return static_cast<std::uint64_t>(count);
  return 0;
}

// Overwrites the data key and device secrets so that nothing in the store can be opened
// again, and makes sure no copy survives in free pages or the WAL.
Status destroy_data_key(sql::Database& db) {
  {
    AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
    AMANA_RETURN_IF_ERROR(db.exec(
        "UPDATE meta SET value = zeroblob(length(value)) "
        "WHERE key IN ('wrapped_data_key', 'sealed_device_secrets');"
        "DELETE FROM meta WHERE key IN ('wrapped_data_key', 'sealed_device_secrets');"));
    AMANA_RETURN_IF_ERROR(txn.commit());
  }
  return db.checkpoint_truncate();
}

Status overwrite_and_remove(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return Status::success();
  const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    const auto size = static_cast<std::size_t>(fs::file_size(file, ec));
    Bytes noise(64 * 1024);
    for (std::size_t done = 0; done < size;) {
      crypto::fill_random(noise);
      const std::size_t chunk = std::min(noise.size(), size - done);
      const ssize_t written = ::write(fd, noise.data(), chunk);
      if (written <= 0) break;
      done += static_cast<std::size_t>(written);
    }
    ::fsync(fd);
    ::close(fd);
  }
  fs::remove(file, ec);
  if (ec) return io_error("cannot remove " + file.string() + ": " + ec.message());
  return Status::success();
}

// The attempt is counted, in store.db, before any key is derived: parallel guesses each
// take BEGIN IMMEDIATE in turn, so no more than the limit ever reach the KDF. Returns the
// count including this attempt, or locked_out (the key destroyed, now or before).
Result<std::uint64_t> count_attempt(const fs::path& home, sql::Database& db) {
  std::uint64_t failures = 0;
  {
    AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
    AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> wrapped, read_meta(db, "wrapped_data_key"));
    if (!wrapped) return Status(ErrorCode::locked_out, Message("store.destroyed"));
    AMANA_ASSIGN_OR_RETURN(std::uint64_t limit, require_meta_number(db, "max_failed_unlocks"));
    AMANA_ASSIGN_OR_RETURN(std::optional<std::uint64_t> counted, read_meta_number(db, kFailuresKey));
    failures = std::max(counted.value_or(0), read_legacy_failures(home)) + 1;
    if (failures > limit) {
      // Attempts already in flight reach the limit: this one cannot be allowed a guess.
      AMANA_RETURN_IF_ERROR(txn.commit());
      AMANA_RETURN_IF_ERROR(destroy_data_key(db));
      return Status(ErrorCode::locked_out, Message("store.destroyed"));
    }
    AMANA_RETURN_IF_ERROR(write_failures(db, txn, failures));
    AMANA_RETURN_IF_ERROR(txn.commit());
  }
  std::error_code ec;
  fs::remove(home / kLegacyFailuresFile, ec);  // counted in store.db from now on
  return failures;
}

}  // namespace

Store::Store(std::unique_ptr<State> state) : state_(std::move(state)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

bool Store::exists(const fs::path& home) {
  std::error_code ec;
  return fs::exists(database_path(home), ec);
}

Status Store::check_can_create(const fs::path& home) {
  if (!exists(home)) return Status::success();
  return {ErrorCode::already_exists, Message("store.exists", {{"home", home.string()}})};
}

Result<Store> Store::create(const fs::path& home, std::string_view passphrase, std::string_view user,
                            StoreOptions options) {
  if (passphrase.empty()) return invalid_argument("the passphrase must not be empty");
  if (user.empty()) return invalid_argument("the user name must not be empty");
  AMANA_RETURN_IF_ERROR(check_can_create(home));
  const Bytes salt = crypto::random_bytes(crypto::kSaltBytes);
  AMANA_ASSIGN_OR_RETURN(SecretBytes wrapping_key, derive(passphrase, salt, options.kdf, options));
  return create_new(home, salt, wrapping_key, user, options);
}

Result<Store> Store::create_new(const fs::path& home, const Bytes& salt, const SecretBytes& wrapping_key,
                                std::string_view user, const StoreOptions& options) {
  std::error_code ec;
  fs::create_directories(home, ec);
  if (ec) return io_error("cannot create " + home.string() + ": " + ec.message());
  fs::permissions(home, fs::perms::owner_all, ec);  // need-to-know starts at the file system

  AMANA_ASSIGN_OR_RETURN(auto db, sql::Database::open(database_path(home), sql::OpenMode::create_new));
  fs::permissions(database_path(home), fs::perms::owner_read | fs::perms::owner_write, ec);
  // A new store is written in a dozen small transactions: synced once, at the end, rather
  // than each (a duress unlock answers after this, and must not take longer for it).
  AMANA_RETURN_IF_ERROR(db->exec("PRAGMA synchronous=NORMAL"));
  AMANA_RETURN_IF_ERROR(sql::migrate(*db, store_migrations()));

  SecretBytes data_key = SecretBytes::random(crypto::kKeyBytes);
  const Bytes wrapped = crypto::seal(wrapping_key, data_key.view(), associated_data(kDataKeyLabel, salt));

  const DeviceId device = new_device_id();
  const auto signing = crypto::SigningKeyPair::generate();
  const auto box = crypto::BoxKeyPair::generate();
  pb::DeviceSecrets secrets;
  secrets.set_sign_secret_key(signing.secret_key.as_string().data(), signing.secret_key.size());
  secrets.set_box_secret_key(box.secret_key.as_string().data(), box.secret_key.size());
  SecretBytes serialized(secrets.ByteSizeLong());
  secrets.SerializeToArray(serialized.data(), static_cast<int>(serialized.size()));
  // The protobuf's own string buffers held the secret keys: clear them before they are freed.
  std::fill(secrets.mutable_sign_secret_key()->begin(), secrets.mutable_sign_secret_key()->end(), '\0');
  std::fill(secrets.mutable_box_secret_key()->begin(), secrets.mutable_box_secret_key()->end(), '\0');

  sql::Database& handle = *db;
  SecretBytes mac_key = derive_mac_key(data_key);
  auto state = std::make_unique<State>(State{home, std::move(db), std::move(data_key), options.clock,
                                             HybridClock(options.clock, HlcTime(0)), device, std::move(mac_key), {}, {}});
  {
    AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, handle.begin());
    // The first MAC covers only what the migrations wrote; every entry below renews it.
    AMANA_RETURN_IF_ERROR(seal_meta(*state, txn));
    AMANA_ASSIGN_OR_RETURN(Bytes providers, compute_providers_digest(*state));
    AMANA_RETURN_IF_ERROR(write_meta_entries(*state, txn, {
        {"kdf_salt", salt},
        {"kdf_ops_limit", number_text(options.kdf.ops_limit)},
        {"kdf_mem_limit", number_text(options.kdf.mem_limit)},
        {"wrapped_data_key", wrapped},
        {"max_failed_unlocks", number_text(static_cast<std::uint64_t>(std::max(1, options.max_failed_unlocks)))},
        {"device_id", Bytes(device.view().begin(), device.view().end())},
        {"device_sign_public_key", Bytes(signing.public_key.begin(), signing.public_key.end())},
        {"device_box_public_key", Bytes(box.public_key.begin(), box.public_key.end())},
        {"sealed_device_secrets", crypto::seal(state->data_key, serialized.view(),
                                               associated_data(kSecretsLabel, device.view()))},
        // Staff on a seized device are at risk too: their name is sealed like the answers.
        {"sealed_user", crypto::seal(state->data_key, crypto::as_bytes(user),
                                     associated_data(kUserLabel, device.view()))},
        {"hlc_last", number_text(0)},
        {"acknowledged_sequence", number_text(0)},
        {"providers_digest", providers},
    }));
    AMANA_RETURN_IF_ERROR(write_failures(handle, txn, 0));
    AMANA_RETURN_IF_ERROR(txn.commit());
  }
  AMANA_RETURN_IF_ERROR(handle.exec("PRAGMA synchronous=FULL"));
  Store store(std::move(state));
  store.device_ = device;
  store.user_ = std::string(user);
  return store;
}

Result<Store> Store::open(const fs::path& home, std::string_view passphrase, StoreOptions options) {
  if (!exists(home)) {
    return not_found(Message("store.none", {{"home", home.string()}}));
  }
  // Left by a duress unlock that was cut short: its data key is already gone.
  AMANA_RETURN_IF_ERROR(overwrite_and_remove(home / kDiscardedFile));
  AMANA_ASSIGN_OR_RETURN(auto db, sql::Database::open(database_path(home), sql::OpenMode::existing));
  AMANA_ASSIGN_OR_RETURN(int version, sql::schema_version(*db));
  if (version == 0) return corrupt(database_path(home).string() + " is not an Amana store");

  AMANA_ASSIGN_OR_RETURN(std::uint64_t failures, count_attempt(home, *db));
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> wrapped, read_meta(*db, "wrapped_data_key"));
  AMANA_ASSIGN_OR_RETURN(Bytes salt, require_meta(*db, "kdf_salt"));
  AMANA_ASSIGN_OR_RETURN(crypto::KdfParams kdf, read_kdf_params(*db));
  AMANA_ASSIGN_OR_RETURN(std::uint64_t max_failures, require_meta_number(*db, "max_failed_unlocks"));
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> duress_sealed_user, read_meta(*db, "duress_sealed_user"));
  // A duress passphrase set before version 8 has its own salt: then every answer costs
  // both derivations, so that the real, the duress and a wrong passphrase cost the same.
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> legacy_duress_salt, read_meta(*db, "duress_salt"));

  AMANA_ASSIGN_OR_RETURN(SecretBytes wrapping_key, derive(passphrase, salt, kdf, options));
  std::optional<SecretBytes> legacy_duress_key;
  if (legacy_duress_salt) {
    AMANA_ASSIGN_OR_RETURN(SecretBytes key, derive(passphrase, *legacy_duress_salt, kdf, options));
    legacy_duress_key = std::move(key);
  }
  std::optional<SecretBytes> data_key;
  if (wrapped) {
    if (auto opened = crypto::open(wrapping_key, *wrapped, associated_data(kDataKeyLabel, salt)); opened.ok()) {
      data_key = std::move(opened).value();
    }
  }
  const std::optional<std::string> duress_user =
      legacy_duress_key
          ? open_text(*legacy_duress_key, duress_sealed_user, associated_data(kLegacyDuressLabel, *legacy_duress_salt))
          : open_text(wrapping_key, duress_sealed_user, associated_data(kDuressLabel, salt));

  if (!data_key && duress_user) {
    // Someone forces the user to unlock: the real store goes, silently, and what opens
    // is a new, empty store under the same name and passphrase. Only the key's
    // destruction happens before the answer; the overwrite of the rest runs after.
    AMANA_RETURN_IF_ERROR(destroy_data_key(*db));
    db.reset();
    const fs::path file = database_path(home);
    std::error_code ec;
    fs::rename(file, home / kDiscardedFile, ec);
    if (ec) return io_error("cannot move " + file.string() + ": " + ec.message());
    for (const char* suffix : {"-wal", "-shm"}) AMANA_RETURN_IF_ERROR(overwrite_and_remove(file.string() + suffix));
    StoreOptions fresh = std::move(options);
    fresh.kdf = kdf;
    fresh.max_failed_unlocks = static_cast<int>(max_failures);
    AMANA_ASSIGN_OR_RETURN(Store store, create_new(home, salt, wrapping_key, *duress_user, fresh));
    store.state_->discarding = std::jthread([discarded = home / kDiscardedFile] { (void)overwrite_and_remove(discarded); });
    return store;
  }
  if (!data_key) {
    if (failures >= max_failures) {
      AMANA_RETURN_IF_ERROR(destroy_data_key(*db));
      return Status(ErrorCode::locked_out,
                    Message("store.destroyed_now", {{"failures", static_cast<std::int64_t>(failures)}}));
    }
    return Status(ErrorCode::wrong_passphrase,
                  Message("store.wrong_passphrase", {{"failures", static_cast<std::int64_t>(failures)},
                                                     {"limit", static_cast<std::int64_t>(max_failures)}}));
  }
  {
    AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db->begin());
    // A parallel wrong guess may have reached the limit while this one was deriving.
    AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> still_wrapped, read_meta(*db, "wrapped_data_key"));
    if (!still_wrapped) return Status(ErrorCode::locked_out, Message("store.destroyed"));
    AMANA_RETURN_IF_ERROR(write_failures(*db, txn, 0));
    AMANA_RETURN_IF_ERROR(txn.commit());
  }
  AMANA_RETURN_IF_ERROR(sql::migrate(*db, store_migrations()));

  AMANA_ASSIGN_OR_RETURN(Bytes device_bytes, require_meta(*db, "device_id"));
  AMANA_ASSIGN_OR_RETURN(DeviceId device, DeviceId::from_bytes(device_bytes));
  AMANA_ASSIGN_OR_RETURN(std::uint64_t hlc_last, require_meta_number(*db, "hlc_last"));
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> mac, read_meta(*db, kMetaMacKey));
  AMANA_ASSIGN_OR_RETURN(Bytes sealed_user, require_meta(*db, "sealed_user"));
  SecretBytes mac_key = derive_mac_key(*data_key);
  auto state = std::make_unique<State>(State{home, std::move(db), std::move(data_key).value(), options.clock,
                                             HybridClock(options.clock, HlcTime(hlc_last)), device,
                                             std::move(mac_key), {}, {}});
  if (!mac) {
    // A store from before version 8 becomes authenticated now. Only such a store opens its
    // user's name under the old label: one whose MAC was removed does not pass for it.
    auto legacy_user = crypto::open(state->data_key, sealed_user, associated_data(kLegacyUserLabel, device.view()));
    if (!legacy_user.ok()) return tampered("settings");
    AMANA_RETURN_IF_ERROR(adopt_legacy_store(*state, *legacy_user));
    AMANA_ASSIGN_OR_RETURN(sealed_user, require_meta(*state->db, "sealed_user"));
  } else {
    AMANA_RETURN_IF_ERROR(verify_store(*state));
  }
  auto user = crypto::open(state->data_key, sealed_user, associated_data(kUserLabel, device.view()));
  if (!user.ok()) return tampered("settings");

  Store store(std::move(state));
  store.device_ = device;
  store.user_ = std::string(user->as_string());
  return store;
}

Status Store::wipe(const fs::path& home) {
  if (!exists(home)) return not_found(Message("store.no_store_to_wipe", {{"home", home.string()}}));
  const fs::path db = database_path(home);
  for (const fs::path& file : {fs::path(db.string() + "-wal"), fs::path(db.string() + "-shm"), db,
                               home / kLegacyFailuresFile, home / kDiscardedFile}) {
    AMANA_RETURN_IF_ERROR(overwrite_and_remove(file));
  }
  std::error_code ec;
  fs::remove(home, ec);  // only succeeds when nothing else lives there, which is what we want
  return Status::success();
}

std::string Store::today() const { return local_date(state_->wall()); }

Status Store::set_duress_passphrase(std::string_view duress) {
  sql::Database& db = *state_->db;
  if (duress.size() < kMinDuressLength) {
    return invalid_argument("a duress passphrase needs at least " + std::to_string(kMinDuressLength) + " characters");
  }
  AMANA_ASSIGN_OR_RETURN(Bytes salt, require_meta(db, "kdf_salt"));
  AMANA_ASSIGN_OR_RETURN(crypto::KdfParams kdf, read_kdf_params(db));
  AMANA_ASSIGN_OR_RETURN(Bytes wrapped, require_meta(db, "wrapped_data_key"));
  // Under the store's own salt: one derivation at unlock answers for both passphrases.
  AMANA_ASSIGN_OR_RETURN(SecretBytes key, crypto::derive_key(duress, salt, kdf));
  if (crypto::open(key, wrapped, associated_data(kDataKeyLabel, salt)).ok()) {
    return invalid_argument("the duress passphrase must differ from the store's passphrase");
  }
  const Bytes sealed_user = crypto::seal(key, crypto::as_bytes(user_), associated_data(kDuressLabel, salt));
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  AMANA_RETURN_IF_ERROR(write_meta_entries(*state_, txn, {{"duress_sealed_user", sealed_user}, {"duress_salt", std::nullopt}}));
  return txn.commit();
}

Status Store::record_sync(std::int64_t offline_lease_ms, std::int64_t issued_at_ms, std::uint64_t update_number) {
  sql::Database& db = *state_->db;
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  const std::int64_t wall = state_->wall();
  // The offline time counts from when the office made the update, if that is earlier than
  // this device's clock (a bundle carried for days, a clock set ahead).
  const auto since = static_cast<std::uint64_t>(issued_at_ms > 0 ? std::min(wall, issued_at_ms) : wall);
  std::vector<std::pair<std::string_view, std::optional<Bytes>>> entries{
      {"last_sync_ms", number_text(since)},
      {"latest_wall_ms", number_text(static_cast<std::uint64_t>(wall))},
      {"offline_lease_ms", number_text(static_cast<std::uint64_t>(std::max<std::int64_t>(0, offline_lease_ms)))}};
  if (update_number > 0) entries.emplace_back("accepted_update_number", number_text(update_number));
  AMANA_RETURN_IF_ERROR(write_meta_entries(*state_, txn, entries));
  return txn.commit();
}

Result<std::uint64_t> Store::accepted_update_number() {
  AMANA_ASSIGN_OR_RETURN(std::optional<std::uint64_t> number, read_meta_number(*state_->db, "accepted_update_number"));
  return number.value_or(0);
}

Status Store::check_offline_lease() {
  sql::Database& db = *state_->db;
  AMANA_ASSIGN_OR_RETURN(std::optional<std::uint64_t> lease, read_meta_number(db, "offline_lease_ms"));
  AMANA_ASSIGN_OR_RETURN(std::optional<std::uint64_t> last_sync, read_meta_number(db, "last_sync_ms"));
  if (!lease || *lease == 0 || !last_sync) return Status::success();
  // The clock may be set back to dodge the lease: the store remembers the latest time its
  // own clock showed (not the HLC, which other devices' skewed clocks can push ahead).
  AMANA_ASSIGN_OR_RETURN(std::optional<std::uint64_t> latest, read_meta_number(db, "latest_wall_ms"));
  const std::int64_t wall = state_->wall();
  const std::int64_t now = std::max(wall, static_cast<std::int64_t>(latest.value_or(0)));
  constexpr std::int64_t kHour = 3'600'000;
  if (!latest || wall > static_cast<std::int64_t>(*latest) + kHour) {  // a write an hour at most
    AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
    AMANA_RETURN_IF_ERROR(write_meta_number(*state_, txn, "latest_wall_ms", static_cast<std::uint64_t>(wall)));
    AMANA_RETURN_IF_ERROR(txn.commit());
  }
  const std::int64_t offline = now - static_cast<std::int64_t>(*last_sync);
  if (offline <= static_cast<std::int64_t>(*lease)) return Status::success();
  return Status(ErrorCode::lease_expired, "this device has not synced for " + rough_duration(offline) +
                                             " (the office allows " + rough_duration(static_cast<std::int64_t>(*lease)) +
                                             "): its store is locked until it syncs. Connect and run `field-client sync`");
}

Status Store::wipe_self() {
  const fs::path home = state_->home;
  state_.reset();
  return wipe(home);
}

// ---- device-local data that never syncs (drafts.h) ----

sql::Database& Store::local_database() { return *state_->db; }

Bytes Store::seal_local(std::string_view label, ByteView row, ByteView plain) {
  return crypto::seal(state_->data_key, plain, associated_data(label, row));
}

Result<SecretBytes> Store::open_local(std::string_view label, ByteView row, ByteView sealed) {
  return crypto::open(state_->data_key, sealed, associated_data(label, row));
}

std::int64_t Store::now_ms() const { return state_->wall(); }

}  // namespace amana::field
