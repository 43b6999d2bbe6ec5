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

// ---- meta table ----

Result<std::optional<Bytes>> read_meta(sql::Database& db, std::string_view key) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("SELECT value FROM meta WHERE key = ?"));
  q.bind(1, key);
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<Bytes>();
  return std::optional<Bytes>(q.column_blob(0));
}

Result<Bytes> require_meta(sql::Database& db, std::string_view key) {
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> value, read_meta(db, key));
  if (!value) return corrupt("the store is missing its '" + std::string(key) + "' entry");
  return *value;
}

Result<std::uint64_t> require_meta_number(sql::Database& db, std::string_view key) {
  AMANA_ASSIGN_OR_RETURN(Bytes raw, require_meta(db, key));
  std::uint64_t value = 0;
  const char* begin = reinterpret_cast<const char*>(raw.data());
  auto [end, ec] = std::from_chars(begin, begin + raw.size(), value);
  if (ec != std::errc() || end != begin + raw.size()) {
    return corrupt("the store's '" + std::string(key) + "' entry is not a number");
  }
  return value;
}

Status write_meta(sql::Database& db, sql::Transaction&, std::string_view key, ByteView value) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"));
  return q.bind(1, key).bind(2, value).run();
}

Status write_meta_number(sql::Database& db, sql::Transaction& txn, std::string_view key, std::uint64_t value) {
  return write_meta(db, txn, key, crypto::as_bytes(std::to_string(value)));
}

}  // namespace store_detail

namespace {

fs::path database_path(const fs::path& home) { return home / kDatabaseFile; }

Result<std::optional<std::uint64_t>> read_meta_number(sql::Database& db, std::string_view key) {
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> value, read_meta(db, key));
  if (!value) return std::optional<std::uint64_t>();
  AMANA_ASSIGN_OR_RETURN(std::uint64_t number, require_meta_number(db, key));
  return std::optional<std::uint64_t>(number);
}

Result<crypto::KdfParams> read_kdf_params(sql::Database& db) {
  AMANA_ASSIGN_OR_RETURN(std::uint64_t ops_limit, require_meta_number(db, "kdf_ops_limit"));
  AMANA_ASSIGN_OR_RETURN(std::uint64_t mem_limit, require_meta_number(db, "kdf_mem_limit"));
  return crypto::KdfParams{ops_limit, mem_limit};
}

// The data key, when `passphrase` is the one it is wrapped under; nullopt otherwise.
Result<std::optional<SecretBytes>> unwrap_data_key(std::string_view passphrase, const Bytes& salt,
                                                   crypto::KdfParams kdf, const Bytes& wrapped) {
  AMANA_ASSIGN_OR_RETURN(SecretBytes wrapping_key, crypto::derive_key(passphrase, salt, kdf));
  auto data_key = crypto::open(wrapping_key, wrapped, associated_data(kDataKeyLabel, salt));
  if (!data_key.ok()) return std::optional<SecretBytes>();
  return std::optional<SecretBytes>(std::move(data_key).value());
}

// The user's name when `passphrase` is the duress passphrase (see set_duress_passphrase):
// it opens the name sealed under a key derived from it with its own salt.
Result<std::optional<std::string>> open_duress(sql::Database& db, std::string_view passphrase,
                                               crypto::KdfParams params) {
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> salt, read_meta(db, "duress_salt"));
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> sealed_user, read_meta(db, "duress_sealed_user"));
  if (!salt || !sealed_user) return std::optional<std::string>();
  AMANA_ASSIGN_OR_RETURN(SecretBytes key, crypto::derive_key(passphrase, *salt, params));
  auto user = crypto::open(key, *sealed_user, associated_data(kDuressLabel, *salt));
  if (!user.ok()) return std::optional<std::string>();
  return std::optional<std::string>(std::string(user->as_string()));
}

// "31 days", "5 hours", "40 seconds": rounded down to the largest unit that fits twice.
std::string rough_duration(std::int64_t ms) {
  const std::int64_t seconds = ms / 1000;
  for (const auto& [unit, length] : {std::pair<const char*, std::int64_t>{"day", 86400}, {"hour", 3600}, {"minute", 60}}) {
    if (seconds >= 2 * length) return std::to_string(seconds / length) + " " + unit + "s";
  }
  return std::to_string(seconds) + (seconds == 1 ? " second" : " seconds");
}

// ---- failed-unlock counter (a file beside the store, see store.h) ----

int read_failures(const fs::path& home) {
  std::ifstream in(home / kFailuresFile);
  int count = 0;
  if (in >> count && count >= 0) return count;
  return 0;
}

Status write_failures(const fs::path& home, int count) {
  const fs::path target = home / kFailuresFile;
  const fs::path temporary = home / (std::string(kFailuresFile) + ".tmp");
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << count << '\n';
    if (!out.flush()) return io_error("cannot write " + temporary.string());
  }
  std::error_code ec;
  fs::rename(temporary, target, ec);
  if (ec) return io_error("cannot write " + target.string() + ": " + ec.message());
  return Status::success();
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
  std::error_code ec;
  fs::create_directories(home, ec);
  if (ec) return io_error("cannot create " + home.string() + ": " + ec.message());
  fs::permissions(home, fs::perms::owner_all, ec);  // need-to-know starts at the file system

  AMANA_ASSIGN_OR_RETURN(auto db, sql::Database::open(database_path(home), sql::OpenMode::create_new));
  fs::permissions(database_path(home), fs::perms::owner_read | fs::perms::owner_write, ec);
  AMANA_RETURN_IF_ERROR(sql::migrate(*db, store_migrations()));

  const Bytes salt = crypto::random_bytes(crypto::kSaltBytes);
  AMANA_ASSIGN_OR_RETURN(SecretBytes wrapping_key, crypto::derive_key(passphrase, salt, options.kdf));
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

  {
    AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db->begin());
    AMANA_RETURN_IF_ERROR(write_meta(*db, txn, "kdf_salt", salt));
    AMANA_RETURN_IF_ERROR(write_meta_number(*db, txn, "kdf_ops_limit", options.kdf.ops_limit));
    AMANA_RETURN_IF_ERROR(write_meta_number(*db, txn, "kdf_mem_limit", options.kdf.mem_limit));
    AMANA_RETURN_IF_ERROR(write_meta(*db, txn, "wrapped_data_key", wrapped));
    AMANA_RETURN_IF_ERROR(write_meta_number(*db, txn, "max_failed_unlocks",
                                            static_cast<std::uint64_t>(options.max_failed_unlocks)));
    AMANA_RETURN_IF_ERROR(write_meta(*db, txn, "device_id", device.view()));
    AMANA_RETURN_IF_ERROR(write_meta(*db, txn, "device_sign_public_key", signing.public_key));
    AMANA_RETURN_IF_ERROR(write_meta(*db, txn, "device_box_public_key", box.public_key));
    AMANA_RETURN_IF_ERROR(write_meta(*db, txn, "sealed_device_secrets",
                                     crypto::seal(data_key, serialized.view(),
                                                  associated_data(kSecretsLabel, device.view()))));
    // Staff on a seized device are at risk too: their name is sealed like the answers.
    AMANA_RETURN_IF_ERROR(write_meta(*db, txn, "sealed_user",
                                     crypto::seal(data_key, crypto::as_bytes(user),
                                                  associated_data(kUserLabel, device.view()))));
    AMANA_RETURN_IF_ERROR(write_meta_number(*db, txn, "hlc_last", 0));
    AMANA_RETURN_IF_ERROR(write_meta_number(*db, txn, "acknowledged_sequence", 0));
    AMANA_RETURN_IF_ERROR(txn.commit());
  }
  db.reset();
  return open(home, passphrase, std::move(options));
}

Result<Store> Store::open(const fs::path& home, std::string_view passphrase, StoreOptions options) {
  if (!exists(home)) {
    return not_found(Message("store.none", {{"home", home.string()}}));
  }
  AMANA_ASSIGN_OR_RETURN(auto db, sql::Database::open(database_path(home), sql::OpenMode::existing));
  AMANA_ASSIGN_OR_RETURN(int version, sql::schema_version(*db));
  if (version == 0) return corrupt(database_path(home).string() + " is not an Amana store");

  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> wrapped, read_meta(*db, "wrapped_data_key"));
  if (!wrapped) {
    return Status(ErrorCode::locked_out, Message("store.destroyed"));
  }
  AMANA_ASSIGN_OR_RETURN(Bytes salt, require_meta(*db, "kdf_salt"));
  AMANA_ASSIGN_OR_RETURN(crypto::KdfParams kdf, read_kdf_params(*db));
  AMANA_ASSIGN_OR_RETURN(std::uint64_t max_failures, require_meta_number(*db, "max_failed_unlocks"));
  AMANA_ASSIGN_OR_RETURN(std::optional<SecretBytes> data_key, unwrap_data_key(passphrase, salt, kdf, *wrapped));
  if (!data_key) {
    AMANA_ASSIGN_OR_RETURN(std::optional<std::string> duress_user, open_duress(*db, passphrase, kdf));
    if (duress_user) {
      // Someone forces the user to unlock: the real store goes, silently, and what opens
      // is a new, empty store under the same name and passphrase.
      db.reset();
      AMANA_RETURN_IF_ERROR(wipe(home));
      StoreOptions fresh = std::move(options);
      fresh.kdf = kdf;
      fresh.max_failed_unlocks = static_cast<int>(max_failures);
      return create(home, passphrase, *duress_user, std::move(fresh));
    }
    const int failures = read_failures(home) + 1;
    if (failures >= static_cast<int>(max_failures)) {
      AMANA_RETURN_IF_ERROR(destroy_data_key(*db));
      AMANA_RETURN_IF_ERROR(write_failures(home, failures));
      return Status(ErrorCode::locked_out, Message("store.destroyed_now", {{"failures", failures}}));
    }
    AMANA_RETURN_IF_ERROR(write_failures(home, failures));
    return Status(ErrorCode::wrong_passphrase,
                  Message("store.wrong_passphrase",
                          {{"failures", failures}, {"limit", static_cast<std::int64_t>(max_failures)}}));
  }
  if (read_failures(home) != 0) AMANA_RETURN_IF_ERROR(write_failures(home, 0));
  AMANA_RETURN_IF_ERROR(sql::migrate(*db, store_migrations()));

  AMANA_ASSIGN_OR_RETURN(Bytes device_bytes, require_meta(*db, "device_id"));
  AMANA_ASSIGN_OR_RETURN(DeviceId device, DeviceId::from_bytes(device_bytes));
  AMANA_ASSIGN_OR_RETURN(Bytes sealed_user, require_meta(*db, "sealed_user"));
  AMANA_ASSIGN_OR_RETURN(SecretBytes user,
                         crypto::open(*data_key, sealed_user, associated_data(kUserLabel, device.view())));
  AMANA_ASSIGN_OR_RETURN(std::uint64_t hlc_last, require_meta_number(*db, "hlc_last"));

  auto state = std::make_unique<State>(State{home, std::move(db), std::move(data_key).value(), options.clock,
                                             HybridClock(options.clock, HlcTime(hlc_last))});
  Store store(std::move(state));
  store.device_ = device;
  store.user_ = std::string(user.as_string());
  return store;
}

Status Store::wipe(const fs::path& home) {
  if (!exists(home)) return not_found(Message("store.no_store_to_wipe", {{"home", home.string()}}));
  const fs::path db = database_path(home);
  for (const fs::path& file : {fs::path(db.string() + "-wal"), fs::path(db.string() + "-shm"), db,
                               home / kFailuresFile}) {
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
  AMANA_ASSIGN_OR_RETURN(std::optional<SecretBytes> as_real, unwrap_data_key(duress, salt, kdf, wrapped));
  if (as_real) return invalid_argument("the duress passphrase must differ from the store's passphrase");
  const Bytes duress_salt = crypto::random_bytes(salt.size());
  AMANA_ASSIGN_OR_RETURN(SecretBytes key, crypto::derive_key(duress, duress_salt, kdf));
  const Bytes sealed_user = crypto::seal(key, crypto::as_bytes(user_), associated_data(kDuressLabel, duress_salt));
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  AMANA_RETURN_IF_ERROR(write_meta(db, txn, "duress_salt", duress_salt));
  AMANA_RETURN_IF_ERROR(write_meta(db, txn, "duress_sealed_user", sealed_user));
  return txn.commit();
}

Status Store::record_sync(std::int64_t offline_lease_ms, std::int64_t issued_at_ms, std::uint64_t update_number) {
  sql::Database& db = *state_->db;
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  const std::int64_t wall = state_->wall();
  const auto now = static_cast<std::uint64_t>(wall);
  const auto since = static_cast<std::uint64_t>(issued_at_ms > 0 ? std::min(wall, issued_at_ms) : wall);
  AMANA_RETURN_IF_ERROR(write_meta_number(db, txn, "last_sync_ms", since));
  AMANA_RETURN_IF_ERROR(write_meta_number(db, txn, "latest_wall_ms", now));
  AMANA_RETURN_IF_ERROR(
      write_meta_number(db, txn, "offline_lease_ms", static_cast<std::uint64_t>(std::max<std::int64_t>(0, offline_lease_ms))));
  if (update_number > 0) AMANA_RETURN_IF_ERROR(write_meta_number(db, txn, "accepted_update_number", update_number));
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
    AMANA_RETURN_IF_ERROR(write_meta_number(db, txn, "latest_wall_ms", static_cast<std::uint64_t>(wall)));
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
