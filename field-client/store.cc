#include "field-client/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>

#include "common/message_catalogue.h"
#include "field-client/store_schema.h"
#include "proto/sync.pb.h"

namespace amana::field {
namespace fs = std::filesystem;
using crypto::Bytes;
using crypto::ByteView;
using crypto::SecretBytes;

namespace {

constexpr std::string_view kDatabaseFile = "store.db";
constexpr std::string_view kFailuresFile = "unlock-failures";

// Associated-data labels: a sealed value only opens in the place it was written for.
constexpr std::string_view kDataKeyLabel = "amana/data-key/v1";
constexpr std::string_view kSecretsLabel = "amana/device-secrets/v1";
constexpr std::string_view kUserLabel = "amana/user/v1";
constexpr std::string_view kRecordLabel = "amana/record/v1";
constexpr std::string_view kOperationLabel = "amana/operation/v1";
constexpr std::string_view kChangesetLabel = "amana/changeset/v1";
constexpr std::string_view kDuressLabel = "amana/duress/v1";

Bytes associated_data(std::string_view label, ByteView row_key) {
  Bytes ad(label.begin(), label.end());
  ad.push_back('|');
  ad.insert(ad.end(), row_key.begin(), row_key.end());
  return ad;
}

fs::path database_path(const fs::path& home) { return home / kDatabaseFile; }

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

Result<pb::RecordValues> parse_record_values(const SecretBytes& plain) {
  pb::RecordValues values;
  if (!values.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
    return corrupt("a stored record does not decode");
  }
  return values;
}

}  // namespace

struct Store::State {
  fs::path home;
  std::unique_ptr<sql::Database> db;
  SecretBytes data_key;
  WallClock wall;
  HybridClock clock;
};

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

Status Store::record_sync(std::int64_t offline_lease_ms) {
  sql::Database& db = *state_->db;
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  const auto now = static_cast<std::uint64_t>(state_->wall());
  AMANA_RETURN_IF_ERROR(write_meta_number(db, txn, "last_sync_ms", now));
  AMANA_RETURN_IF_ERROR(write_meta_number(db, txn, "latest_wall_ms", now));
  AMANA_RETURN_IF_ERROR(
      write_meta_number(db, txn, "offline_lease_ms", static_cast<std::uint64_t>(std::max<std::int64_t>(0, offline_lease_ms))));
  return txn.commit();
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

Result<std::int64_t> Store::append_operation(sql::Transaction& txn, pb::Operation& operation) {
  sql::Database& db = *state_->db;
  const std::string plain = operation.SerializeAsString();
  const Bytes sealed =
      crypto::seal(state_->data_key, crypto::as_bytes(plain),
                   associated_data(kOperationLabel, crypto::as_bytes(operation.record_id())));
  {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query(
        "INSERT INTO operations (record_id, hlc, sealed_operation) VALUES (?, ?, ?)"));
    AMANA_RETURN_IF_ERROR(q.bind(1, crypto::as_bytes(operation.record_id()))
                              .bind(2, static_cast<std::int64_t>(operation.hlc()))
                              .bind(3, sealed)
                              .run());
  }
  AMANA_RETURN_IF_ERROR(write_meta_number(db, txn, "hlc_last", static_cast<std::uint64_t>(state_->clock.last())));
  return db.last_insert_rowid();
}

Status Store::write_record(sql::Transaction&, const Record& record, bool insert) {
  pb::RecordValues values;
  values.set_author(record.author);
  for (const auto& [field, value] : record.values) {
    pb::FieldWrite* write = values.add_values();
    write->set_field(field);
    write->set_value(value);
    write->set_hlc(static_cast<std::uint64_t>(record.stamps.at(field)));
  }
  const std::string plain = values.SerializeAsString();
  const RecordSummary& s = record.summary;
  const Bytes sealed =
      crypto::seal(state_->data_key, crypto::as_bytes(plain), associated_data(kRecordLabel, s.id.view()));
  sql::Database& db = *state_->db;
  if (insert) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query(
        "INSERT INTO records (id, form_id, form_version, created_at_ms, updated_hlc, sealed_values, case_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)"));
    if (s.case_id) q.bind(7, s.case_id->view());
    else q.bind_null(7);
    return q.bind(1, s.id.view())
        .bind(2, s.form_id)
        .bind(3, static_cast<std::int64_t>(s.form_version))
        .bind(4, s.created_at_ms)
        .bind(5, static_cast<std::int64_t>(s.updated))
        .bind(6, sealed)
        .run();
  }
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db.query("UPDATE records SET updated_hlc = ?, sealed_values = ? WHERE id = ?"));
  return q.bind(1, static_cast<std::int64_t>(s.updated)).bind(2, sealed).bind(3, s.id.view()).run();
}

Result<RecordId> Store::add_record(const forms::FormDefinition& form, const forms::Answers& answers) {
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, state_->db->begin());
  AMANA_ASSIGN_OR_RETURN(RecordId id, add_record_in(txn, form, answers, std::nullopt));
  AMANA_RETURN_IF_ERROR(txn.commit());
  return id;
}

Result<RecordId> Store::add_record_in(sql::Transaction& txn, const forms::FormDefinition& form,
                                      const forms::Answers& answers, std::optional<RecordId> case_id) {
  const std::int64_t now_ms = state_->wall();
  // The id takes the HLC stamp, which strictly increases on this device, so records made
  // within one millisecond still list in the order they were made.
  const HlcTime stamp = state_->clock.now();
  Record record;
  record.summary = {new_record_id(hlc_millis(stamp), hlc_counter(stamp)), form.id, form.version, now_ms, stamp,
                    case_id};
  record.author = user_;
  record.values = answers;

  pb::Operation operation;
  operation.set_record_id(std::string(record.summary.id.bytes.begin(), record.summary.id.bytes.end()));
  operation.set_kind(pb::Operation::CREATE);
  operation.set_form_id(form.id);
  operation.set_form_version(form.version);
  operation.set_hlc(static_cast<std::uint64_t>(record.summary.updated));
  operation.set_device_id(std::string(device_.bytes.begin(), device_.bytes.end()));
  operation.set_author(user_);
  operation.set_created_at_ms(now_ms);
  if (case_id) operation.set_case_id(std::string(case_id->bytes.begin(), case_id->bytes.end()));
  for (const auto& [field, value] : answers) {
    record.stamps[field] = record.summary.updated;
    pb::FieldWrite* write = operation.add_writes();
    write->set_field(field);
    write->set_value(value);
    write->set_hlc(operation.hlc());
  }

  AMANA_RETURN_IF_ERROR(write_record(txn, record, /*insert=*/true));
  AMANA_ASSIGN_OR_RETURN(std::int64_t sequence, append_operation(txn, operation));
  (void)sequence;
  return record.summary.id;
}

Result<bool> Store::update_record(RecordId id, const forms::Answers& answers) {
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, state_->db->begin());
  AMANA_ASSIGN_OR_RETURN(bool changed, update_record_in(txn, id, answers));
  if (changed) AMANA_RETURN_IF_ERROR(txn.commit());
  return changed;
}

Result<bool> Store::update_record_in(sql::Transaction& txn, RecordId id, const forms::Answers& answers) {
  AMANA_ASSIGN_OR_RETURN(Record record, this->record(id));
  std::vector<FieldChange> changes;
  for (const auto& [field, value] : answers) {
    auto old = record.values.find(field);
    if (old == record.values.end() || old->second != value) changes.push_back({field, value, false});
  }
  for (const auto& [field, value] : record.values) {
    if (!answers.contains(field)) changes.push_back({field, "", true});
  }
  if (changes.empty()) return false;

  const HlcTime stamp = state_->clock.now();
  pb::Operation operation;
  operation.set_record_id(std::string(id.bytes.begin(), id.bytes.end()));
  operation.set_kind(pb::Operation::UPDATE);
  operation.set_form_id(record.summary.form_id);
  operation.set_form_version(record.summary.form_version);
  operation.set_hlc(static_cast<std::uint64_t>(stamp));
  operation.set_device_id(std::string(device_.bytes.begin(), device_.bytes.end()));
  operation.set_author(user_);
  operation.set_created_at_ms(record.summary.created_at_ms);
  for (const FieldChange& change : changes) {
    pb::FieldWrite* write = operation.add_writes();
    write->set_field(change.field);
    write->set_value(change.value);
    write->set_hlc(operation.hlc());
    write->set_cleared(change.cleared);
    if (auto seen = record.stamps.find(change.field); seen != record.stamps.end()) {
      write->set_base_hlc(static_cast<std::uint64_t>(seen->second));
    }
    if (change.cleared) {
      record.values.erase(change.field);
      record.stamps.erase(change.field);
    } else {
      record.values[change.field] = change.value;
      record.stamps[change.field] = stamp;
    }
  }
  record.summary.updated = stamp;

  if (record.summary.case_id) {
    operation.set_case_id(std::string(record.summary.case_id->bytes.begin(), record.summary.case_id->bytes.end()));
  }
  AMANA_RETURN_IF_ERROR(write_record(txn, record, /*insert=*/false));
  AMANA_ASSIGN_OR_RETURN(std::int64_t sequence, append_operation(txn, operation));
  (void)sequence;
  return true;
}

Result<RecordId> Store::add_case_step(const forms::FormDefinition& step_form, const forms::Answers& step_answers,
                                      RecordId case_id, const forms::Answers& case_values) {
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, state_->db->begin());
  AMANA_ASSIGN_OR_RETURN(RecordId step, add_record_in(txn, step_form, step_answers, case_id));
  AMANA_ASSIGN_OR_RETURN(bool changed, update_record_in(txn, case_id, case_values));
  (void)changed;
  AMANA_RETURN_IF_ERROR(txn.commit());
  return step;
}

Result<Record> Store::record(RecordId id) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, state_->db->query(
      "SELECT form_id, form_version, created_at_ms, updated_hlc, sealed_values, case_id FROM records WHERE id = ?"));
  q.bind(1, id.view());
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return not_found(Message("store.no_record", {{"id", id.to_string()}}));
  Record record;
  record.summary = {id, q.column_text(0), static_cast<std::uint32_t>(q.column_int64(1)), q.column_int64(2),
                    HlcTime(static_cast<std::uint64_t>(q.column_int64(3))), std::nullopt};
  if (!q.column_is_null(5)) {
    AMANA_ASSIGN_OR_RETURN(record.summary.case_id, RecordId::from_bytes(q.column_blob(5)));
  }
  AMANA_ASSIGN_OR_RETURN(SecretBytes plain, crypto::open(state_->data_key, q.column_blob(4),
                                                         associated_data(kRecordLabel, id.view())));
  AMANA_ASSIGN_OR_RETURN(pb::RecordValues values, parse_record_values(plain));
  record.author = values.author();
  for (const pb::FieldWrite& value : values.values()) {
    record.values[value.field()] = value.value();
    record.stamps[value.field()] = HlcTime(value.hlc());
  }
  return record;
}

Result<RecordId> Store::resolve(std::string_view id_or_part) {
  std::string hex;
  for (char c : id_or_part) {
    if (c == '-') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return RecordId::parse(id_or_part);
    hex.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  if (hex.size() == 32) return RecordId::parse(id_or_part);
  if (hex.size() < 8) {
    return invalid_argument(Message("store.id_too_short", {{"id", std::string(id_or_part)}}));
  }
  // Ids begin with their creation time, so records made together share a prefix; the
  // random end tells them apart. Either end of the id is accepted.
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         state_->db->query("SELECT id FROM records WHERE hex(id) LIKE ?1 OR hex(id) LIKE ?2 LIMIT 2"));
  q.bind(1, hex + "%");
  q.bind(2, "%" + hex);
  std::vector<RecordId> matches;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    AMANA_ASSIGN_OR_RETURN(RecordId id, RecordId::from_bytes(q.column_blob(0)));
    matches.push_back(id);
  }
  if (matches.empty()) {
    return not_found(Message("store.no_match", {{"id", std::string(id_or_part)}}));
  }
  if (matches.size() > 1) {
    return invalid_argument(Message("store.ambiguous", {{"id", std::string(id_or_part)}}));
  }
  return matches.front();
}

Result<std::vector<RecordSummary>> Store::records(std::optional<std::string_view> form_id,
                                                  std::optional<RecordId> case_id) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, state_->db->query(
      "SELECT id, form_id, form_version, created_at_ms, updated_hlc, case_id FROM records "
      "WHERE (?1 IS NULL OR form_id = ?1) AND (?2 IS NULL OR case_id = ?2) ORDER BY id DESC"));
  if (form_id) q.bind(1, *form_id);
  else q.bind_null(1);
  if (case_id) q.bind(2, case_id->view());
  else q.bind_null(2);
  std::vector<RecordSummary> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    AMANA_ASSIGN_OR_RETURN(RecordId id, RecordId::from_bytes(q.column_blob(0)));
    RecordSummary summary{id, q.column_text(1), static_cast<std::uint32_t>(q.column_int64(2)), q.column_int64(3),
                          HlcTime(static_cast<std::uint64_t>(q.column_int64(4))), std::nullopt};
    if (!q.column_is_null(5)) {
      AMANA_ASSIGN_OR_RETURN(summary.case_id, RecordId::from_bytes(q.column_blob(5)));
    }
    out.push_back(std::move(summary));
  }
  return out;
}

Result<std::vector<OutboxEntry>> Store::outbox(std::int64_t after_sequence, std::size_t limit) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, state_->db->query(
      "SELECT seq, record_id, sealed_operation FROM operations WHERE seq > ? ORDER BY seq LIMIT ?"));
  q.bind(1, after_sequence).bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  std::vector<OutboxEntry> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    OutboxEntry entry;
    entry.sequence = q.column_int64(0);
    AMANA_ASSIGN_OR_RETURN(SecretBytes plain, crypto::open(state_->data_key, q.column_blob(2),
                                                           associated_data(kOperationLabel, q.column_blob(1))));
    if (!entry.operation.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
      return corrupt("operation " + std::to_string(entry.sequence) + " does not decode");
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Result<std::vector<Revision>> Store::history(RecordId id) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, state_->db->query(
      "SELECT seq, sealed_operation FROM operations WHERE record_id = ? ORDER BY seq"));
  q.bind(1, id.view());
  std::vector<Revision> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    AMANA_ASSIGN_OR_RETURN(SecretBytes plain, crypto::open(state_->data_key, q.column_blob(1),
                                                           associated_data(kOperationLabel, id.view())));
    pb::Operation operation;
    if (!operation.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
      return corrupt("an operation of record " + id.to_string() + " does not decode");
    }
    Revision revision{q.column_int64(0), HlcTime(operation.hlc()), operation.author(),
                      operation.kind() == pb::Operation::CREATE, {}};
    for (const pb::FieldWrite& write : operation.writes()) {
      revision.changes.push_back({write.field(), write.value(), write.cleared()});
    }
    out.push_back(std::move(revision));
  }
  if (out.empty()) return not_found("no record " + id.to_string() + " on this device");
  return out;
}

Result<StoreStatus> Store::status() {
  sql::Database& db = *state_->db;
  StoreStatus status;
  status.device = device_;
  status.user = user_;
  {
    AMANA_ASSIGN_OR_RETURN(sql::Query q,
                           db.query("SELECT form_id, count(*) FROM records GROUP BY form_id ORDER BY form_id"));
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      status.records_per_form.emplace_back(q.column_text(0), q.column_int64(1));
    }
  }
  AMANA_ASSIGN_OR_RETURN(std::uint64_t acknowledged, require_meta_number(db, "acknowledged_sequence"));
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query(
      "SELECT (SELECT count(*) FROM operations WHERE seq > ?), (SELECT coalesce(max(seq), 0) FROM operations)"));
  q.bind(1, static_cast<std::int64_t>(acknowledged));
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (row) {
    status.pending_operations = q.column_int64(0);
    status.last_sequence = q.column_int64(1);
  }
  return status;
}

// ---- sync ----

namespace {

Bytes number_bytes(std::uint64_t number) {
  const std::string text = std::to_string(number);
  return Bytes(text.begin(), text.end());
}

crypto::PublicKey key_from(const Bytes& bytes) {
  crypto::PublicKey key{};
  if (bytes.size() == key.size()) std::copy(bytes.begin(), bytes.end(), key.begin());
  return key;
}

}  // namespace

Result<std::optional<Enrollment>> Store::enrollment() {
  sql::Database& db = *state_->db;
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> sealed, read_meta(db, "sealed_enrollment"));
  if (!sealed) return std::optional<Enrollment>();
  AMANA_ASSIGN_OR_RETURN(SecretBytes plain,
                         crypto::open(state_->data_key, *sealed, associated_data("amana/enrollment/v1", device_.view())));
  pb::EnrollResponse identity;
  if (!identity.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
    return corrupt("the stored enrollment does not decode");
  }
  AMANA_ASSIGN_OR_RETURN(Bytes url, require_meta(db, "server_url"));
  AMANA_ASSIGN_OR_RETURN(Bytes org_sign, require_meta(db, "org_sign_public_key"));
  AMANA_ASSIGN_OR_RETURN(Bytes org_box, require_meta(db, "org_box_public_key"));
  return std::optional<Enrollment>(Enrollment{std::string(url.begin(), url.end()), key_from(org_sign),
                                              key_from(org_box), identity.user(), identity.role(), identity.team()});
}

Status Store::save_enrollment(const Enrollment& enrollment) {
  sql::Database& db = *state_->db;
  pb::EnrollResponse identity;  // the same fields the server confirmed
  identity.set_user(enrollment.user);
  identity.set_role(enrollment.role);
  identity.set_team(enrollment.team);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  AMANA_RETURN_IF_ERROR(write_meta(db, txn, "server_url", crypto::as_bytes(enrollment.server_url)));
  AMANA_RETURN_IF_ERROR(write_meta(db, txn, "org_sign_public_key", enrollment.org_sign_public_key));
  AMANA_RETURN_IF_ERROR(write_meta(db, txn, "org_box_public_key", enrollment.org_box_public_key));
  AMANA_RETURN_IF_ERROR(write_meta(db, txn, "sealed_enrollment",
                                   crypto::seal(state_->data_key, crypto::as_bytes(identity.SerializeAsString()),
                                                associated_data("amana/enrollment/v1", device_.view()))));
  return txn.commit();
}

Result<DeviceKeys> Store::device_keys() {
  sql::Database& db = *state_->db;
  DeviceKeys keys;
  AMANA_ASSIGN_OR_RETURN(Bytes sign_public, require_meta(db, "device_sign_public_key"));
  AMANA_ASSIGN_OR_RETURN(Bytes box_public, require_meta(db, "device_box_public_key"));
  AMANA_ASSIGN_OR_RETURN(Bytes sealed, require_meta(db, "sealed_device_secrets"));
  AMANA_ASSIGN_OR_RETURN(SecretBytes plain,
                         crypto::open(state_->data_key, sealed, associated_data(kSecretsLabel, device_.view())));
  pb::DeviceSecrets secrets;
  if (!secrets.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
    return corrupt("the device secrets do not decode");
  }
  keys.sign_public_key = key_from(sign_public);
  keys.box_public_key = key_from(box_public);
  keys.sign_secret_key = SecretBytes::copy_of(crypto::as_bytes(secrets.sign_secret_key()));
  keys.box_secret_key = SecretBytes::copy_of(crypto::as_bytes(secrets.box_secret_key()));
  // The parsed message held copies of the secrets in ordinary memory: wipe them.
  secrets.mutable_sign_secret_key()->assign(secrets.sign_secret_key().size(), '\0');
  secrets.mutable_box_secret_key()->assign(secrets.box_secret_key().size(), '\0');
  return keys;
}

Result<std::vector<PendingChangeset>> Store::pending_changesets(std::size_t max_operations) {
  if (max_operations == 0) throw std::logic_error("pending_changesets: max_operations must be positive");
  sql::Database& db = *state_->db;
  {
    AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
    AMANA_ASSIGN_OR_RETURN(std::uint64_t packed, require_meta_number(db, "packed_sequence"));
    AMANA_ASSIGN_OR_RETURN(std::uint64_t number, require_meta_number(db, "changeset_number"));
    AMANA_ASSIGN_OR_RETURN(Bytes previous_hash, require_meta(db, "changeset_hash"));
    while (true) {
      AMANA_ASSIGN_OR_RETURN(auto entries, outbox(static_cast<std::int64_t>(packed), max_operations));
      if (entries.empty()) break;
      pb::Changeset changeset;
      changeset.set_device_id(device_.bytes.data(), device_.bytes.size());
      changeset.set_number(++number);
      changeset.set_previous_hash(previous_hash.data(), previous_hash.size());
      changeset.set_first_sequence(static_cast<std::uint64_t>(entries.front().sequence));
      changeset.set_last_sequence(static_cast<std::uint64_t>(entries.back().sequence));
      for (OutboxEntry& entry : entries) *changeset.add_operations() = std::move(entry.operation);
      const std::string encoded = changeset.SerializeAsString();
      const auto hash = crypto::hash(crypto::as_bytes(encoded));
      previous_hash.assign(hash.begin(), hash.end());
      packed = changeset.last_sequence();
      AMANA_ASSIGN_OR_RETURN(sql::Query insert, db.query(
          "INSERT INTO changesets (number, last_sequence, sealed_changeset) VALUES (?, ?, ?)"));
      AMANA_RETURN_IF_ERROR(insert.bind(1, static_cast<std::int64_t>(number))
                                .bind(2, static_cast<std::int64_t>(packed))
                                .bind(3, crypto::seal(state_->data_key, crypto::as_bytes(encoded),
                                                      associated_data(kChangesetLabel, number_bytes(number))))
                                .run());
    }
    AMANA_RETURN_IF_ERROR(write_meta_number(db, txn, "packed_sequence", packed));
    AMANA_RETURN_IF_ERROR(write_meta_number(db, txn, "changeset_number", number));
    AMANA_RETURN_IF_ERROR(write_meta(db, txn, "changeset_hash", previous_hash));
    AMANA_RETURN_IF_ERROR(txn.commit());
  }
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query(
      "SELECT number, last_sequence, sealed_changeset FROM changesets ORDER BY number"));
  std::vector<PendingChangeset> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    PendingChangeset pending;
    pending.number = static_cast<std::uint64_t>(q.column_int64(0));
    pending.last_sequence = q.column_int64(1);
    AMANA_ASSIGN_OR_RETURN(SecretBytes plain,
                           crypto::open(state_->data_key, q.column_blob(2),
                                        associated_data(kChangesetLabel, number_bytes(pending.number))));
    pending.encoded = std::string(plain.as_string());
    out.push_back(std::move(pending));
  }
  return out;
}

Status Store::acknowledge_changesets(std::uint64_t high_water) {
  sql::Database& db = *state_->db;
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  AMANA_ASSIGN_OR_RETURN(sql::Query last, db.query(
      "SELECT max(last_sequence) FROM changesets WHERE number <= ?"));
  last.bind(1, static_cast<std::int64_t>(high_water));
  AMANA_ASSIGN_OR_RETURN(bool row, last.step());
  if (!row || last.column_is_null(0)) return Status();  // nothing new acknowledged
  const auto sequence = static_cast<std::uint64_t>(last.column_int64(0));
  AMANA_ASSIGN_OR_RETURN(sql::Query drop, db.query("DELETE FROM changesets WHERE number <= ?"));
  AMANA_RETURN_IF_ERROR(drop.bind(1, static_cast<std::int64_t>(high_water)).run());
  AMANA_RETURN_IF_ERROR(write_meta_number(db, txn, "acknowledged_sequence", sequence));
  AMANA_RETURN_IF_ERROR(write_meta_number(db, txn, "acknowledged_changeset", high_water));
  return txn.commit();
}

// ---- service provider directory ----

Result<std::int64_t> Store::providers_version() {
  AMANA_ASSIGN_OR_RETURN(std::uint64_t version, require_meta_number(*state_->db, "providers_version"));
  return static_cast<std::int64_t>(version);
}

Status Store::replace_providers(const std::vector<pb::Provider>& list, std::int64_t version) {
  sql::Database& db = *state_->db;
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  AMANA_RETURN_IF_ERROR(db.exec("DELETE FROM providers"));
  for (const pb::Provider& provider : list) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("INSERT INTO providers (id, active, encoded) VALUES (?, ?, ?)"));
    AMANA_RETURN_IF_ERROR(q.bind(1, provider.id())
                              .bind(2, std::int64_t{provider.active() ? 1 : 0})
                              .bind(3, crypto::as_bytes(provider.SerializeAsString()))
                              .run());
  }
  AMANA_RETURN_IF_ERROR(write_meta_number(db, txn, "providers_version", static_cast<std::uint64_t>(version)));
  return txn.commit();
}

Result<std::vector<pb::Provider>> Store::providers(bool include_inactive) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         state_->db->query("SELECT encoded FROM providers WHERE ?1 OR active = 1 ORDER BY id"));
  q.bind(1, std::int64_t{include_inactive ? 1 : 0});
  std::vector<pb::Provider> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    const Bytes encoded = q.column_blob(0);
    pb::Provider provider;
    if (!provider.ParseFromArray(encoded.data(), static_cast<int>(encoded.size()))) {
      return corrupt("a provider in the local directory does not decode");
    }
    out.push_back(std::move(provider));
  }
  return out;
}

// ---- cases pulled from the server ----

Result<std::vector<RecordId>> Store::held_cases() {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, state_->db->query("SELECT id FROM records WHERE form_id = 'case' ORDER BY id"));
  std::vector<RecordId> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    AMANA_ASSIGN_OR_RETURN(RecordId id, RecordId::from_bytes(q.column_blob(0)));
    out.push_back(id);
  }
  return out;
}

Result<std::uint64_t> Store::pull_cursor() { return require_meta_number(*state_->db, "pull_cursor"); }

Result<Store::PullReport> Store::apply_pulled(const std::vector<pb::Operation>& changes,
                                              const std::vector<RecordId>& evicted, std::uint64_t cursor) {
  sql::Database& db = *state_->db;
  PullReport report;
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  for (const pb::Operation& operation : changes) {
    AMANA_ASSIGN_OR_RETURN(RecordId id, RecordId::from_bytes(crypto::as_bytes(operation.record_id())));
    const HlcTime stamp{operation.hlc()};
    state_->clock.observe(stamp);
    auto existing = record(id);
    Record target;
    const bool insert = !existing.ok();
    if (insert) {
      if (existing.status().code() != ErrorCode::not_found) return existing.status();
      std::optional<RecordId> case_id;
      if (operation.case_id().size() == 16) {
        AMANA_ASSIGN_OR_RETURN(case_id, RecordId::from_bytes(crypto::as_bytes(operation.case_id())));
      }
      target.summary = {id, operation.form_id(), operation.form_version(), operation.created_at_ms(), stamp, case_id};
      target.author = operation.author();
    } else {
      target = std::move(existing).value();
    }
    bool changed = insert;
    for (const pb::FieldWrite& write : operation.writes()) {
      auto seen = target.stamps.find(write.field());
      if (seen != target.stamps.end() && static_cast<std::uint64_t>(seen->second) >= write.hlc()) continue;
      if (write.cleared()) {
        target.values.erase(write.field());
        target.stamps.erase(write.field());
      } else {
        target.values[write.field()] = write.value();
        target.stamps[write.field()] = HlcTime{write.hlc()};
      }
      changed = true;
    }
    if (!changed) continue;
    if (target.summary.updated < stamp) target.summary.updated = stamp;
    AMANA_RETURN_IF_ERROR(write_record(txn, target, insert));
    ++report.changes_applied;
  }
  AMANA_ASSIGN_OR_RETURN(std::uint64_t acknowledged, require_meta_number(db, "acknowledged_sequence"));
  for (const RecordId& case_id : evicted) {
    // The case and its steps, except a record with changes still to push: that stays
    // until the server has it.
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query(
        "SELECT r.id FROM records r WHERE (r.id = ?1 OR r.case_id = ?1) AND NOT EXISTS "
        "(SELECT 1 FROM operations o WHERE o.record_id = r.id AND o.seq > ?2)"));
    q.bind(1, case_id.view()).bind(2, static_cast<std::int64_t>(acknowledged));
    std::vector<Bytes> removable;
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      removable.push_back(q.column_blob(0));
    }
    for (const Bytes& id : removable) {
      AMANA_ASSIGN_OR_RETURN(sql::Query drop_operations, db.query("DELETE FROM operations WHERE record_id = ?"));
      AMANA_RETURN_IF_ERROR(drop_operations.bind(1, id).run());
      AMANA_ASSIGN_OR_RETURN(sql::Query drop_record, db.query("DELETE FROM records WHERE id = ?"));
      AMANA_RETURN_IF_ERROR(drop_record.bind(1, id).run());
    }
    ++report.cases_evicted;
  }
  AMANA_ASSIGN_OR_RETURN(std::uint64_t current, pull_cursor());
  if (cursor > current) AMANA_RETURN_IF_ERROR(write_meta_number(db, txn, "pull_cursor", cursor));
  AMANA_RETURN_IF_ERROR(write_meta_number(db, txn, "hlc_last", static_cast<std::uint64_t>(state_->clock.last())));
  AMANA_RETURN_IF_ERROR(txn.commit());
  return report;
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
