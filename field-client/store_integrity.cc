// The device store's defence against changes made outside Amana (store_internal.h): what
// is not inside a seal is authenticated under a key derived from the data key, so that
// someone with the disk but not the passphrase cannot change what the device trusts.
//
//   meta_mac        keyed BLAKE2b over every meta entry (bar the failed-unlock count) and
//                   the device id: the server's address and keys, the lease, the counters
//   records_digest  XOR of a keyed hash of each record row's identity (its clear columns
//                   and the write number its sealed values are bound to). Kept in meta,
//                   so under meta_mac: an older row put back, or a row removed, no longer
//                   adds up. XOR keeps each write O(1); it is safe here because only the
//                   key holder can compute an element, and only digests that meta_mac
//                   vouches for are accepted.
//   outbox chain    each operation's `link` is a keyed hash of its content and the
//                   previous link; the base (at the acknowledged sequence) and the head
//                   are in meta
//   providers_digest  keyed hash of the whole provider directory
#include <algorithm>
#include <charconv>
#include <map>

#include "common/message_catalogue.h"
#include "field-client/store_internal.h"
#include "proto/sync.pb.h"

namespace amana::field::store_detail {

namespace {

using Digest = std::array<std::uint8_t, 32>;

void put_u64(Bytes& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

void put_field(Bytes& out, ByteView bytes) {
  put_u64(out, bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}

Bytes digest_bytes(const Digest& digest) { return Bytes(digest.begin(), digest.end()); }

Bytes keyed(const Store::State& state, std::string_view label, ByteView message) {
  Bytes input(label.begin(), label.end());
  input.push_back('|');
  input.insert(input.end(), message.begin(), message.end());
  return digest_bytes(crypto::keyed_hash(state.mac_key, input));
}

Status put_meta_raw(sql::Database& db, std::string_view key, std::optional<ByteView> value) {
  if (!value) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("DELETE FROM meta WHERE key = ?"));
    return q.bind(1, key).run();
  }
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"));
  return q.bind(1, key).bind(2, *value).run();
}

using MetaMap = std::map<std::string, Bytes, std::less<>>;

Result<MetaMap> load_meta(sql::Database& db) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("SELECT key, value FROM meta"));
  MetaMap out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    out.emplace(q.column_text(0), q.column_blob(1));
  }
  return out;
}

Bytes meta_mac(const Store::State& state, const MetaMap& entries) {
  Bytes message;
  put_field(message, state.device.view());
  for (const auto& [key, value] : entries) {  // std::map: in key order
    if (!is_authenticated_meta(key)) continue;
    put_field(message, crypto::as_bytes(key));
    put_field(message, value);
  }
  return keyed(state, "amana/meta/v1", message);
}

bool mac_holds(const Store::State& state, const MetaMap& entries) {
  auto stored = entries.find(kMetaMacKey);
  return stored != entries.end() && crypto::constant_time_equal(stored->second, meta_mac(state, entries));
}

Bytes zero_link() { return Bytes(32, 0); }

Bytes meta_or(const MetaMap& entries, std::string_view key, Bytes fallback) {
  auto found = entries.find(key);
  return found == entries.end() ? fallback : found->second;
}

void xor_into(Bytes& into, ByteView other) {
  for (std::size_t i = 0; i < into.size() && i < other.size(); ++i) into[i] ^= other[i];
}

Bytes record_element(const Store::State& state, const RecordRow& row) {
  return keyed(state, "amana/records/v1", record_identity(row));
}

Bytes outbox_link(const Store::State& state, std::int64_t sequence, ByteView record_id, std::int64_t hlc,
                  ByteView sealed, ByteView previous) {
  Bytes message;
  put_u64(message, static_cast<std::uint64_t>(sequence));
  put_field(message, record_id);
  put_u64(message, static_cast<std::uint64_t>(hlc));
  const Digest content = crypto::hash(sealed);
  put_field(message, content);
  put_field(message, previous);
  return keyed(state, "amana/outbox/v1", message);
}

constexpr std::string_view kRecordColumns = "id, form_id, form_version, created_at_ms, updated_hlc, case_id, version";

// A row selected with kRecordColumns starting at `first`.
Result<RecordRow> record_row_from(const sql::Query& q, int first = 0) {
  RecordRow row;
  AMANA_ASSIGN_OR_RETURN(row.summary.id, RecordId::from_bytes(q.column_blob(first)));
  row.summary.form_id = q.column_text(first + 1);
  row.summary.form_version = static_cast<std::uint32_t>(q.column_int64(first + 2));
  row.summary.created_at_ms = q.column_int64(first + 3);
  row.summary.updated = HlcTime(static_cast<std::uint64_t>(q.column_int64(first + 4)));
  if (!q.column_is_null(first + 5)) {
    AMANA_ASSIGN_OR_RETURN(row.summary.case_id, RecordId::from_bytes(q.column_blob(first + 5)));
  }
  row.version = static_cast<std::uint64_t>(q.column_int64(first + 6));
  return row;
}

Result<std::optional<RecordRow>> find_record_row(sql::Database& db, ByteView id) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db.query("SELECT " + std::string(kRecordColumns) + " FROM records WHERE id = ?"));
  q.bind(1, id);
  AMANA_ASSIGN_OR_RETURN(bool found, q.step());
  if (!found) return std::optional<RecordRow>();
  AMANA_ASSIGN_OR_RETURN(RecordRow row, record_row_from(q));
  return std::optional<RecordRow>(std::move(row));
}

Result<Bytes> records_digest_of_rows(Store::State& state) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, state.db->query("SELECT " + std::string(kRecordColumns) + " FROM records"));
  Bytes digest = zero_link();
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    AMANA_ASSIGN_OR_RETURN(RecordRow record, record_row_from(q));
    xor_into(digest, record_element(state, record));
  }
  return digest;
}

Status write_row(sql::Database& db, const RecordRow& row, ByteView sealed, bool insert) {
  const RecordSummary& s = row.summary;
  if (insert) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query(
        "INSERT INTO records (id, form_id, form_version, created_at_ms, updated_hlc, sealed_values, case_id, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    if (s.case_id) q.bind(7, s.case_id->view());
    else q.bind_null(7);
    return q.bind(1, s.id.view())
        .bind(2, s.form_id)
        .bind(3, static_cast<std::int64_t>(s.form_version))
        .bind(4, s.created_at_ms)
        .bind(5, static_cast<std::int64_t>(s.updated))
        .bind(6, sealed)
        .bind(8, static_cast<std::int64_t>(row.version))
        .run();
  }
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db.query("UPDATE records SET updated_hlc = ?, sealed_values = ?, version = ? WHERE id = ?"));
  return q.bind(1, static_cast<std::int64_t>(s.updated))
      .bind(2, sealed)
      .bind(3, static_cast<std::int64_t>(row.version))
      .bind(4, s.id.view())
      .run();
}

}  // namespace

// ---- meta ----

bool is_authenticated_meta(std::string_view key) { return key != kMetaMacKey && key != kFailuresKey; }

Bytes number_text(std::uint64_t value) {
  const std::string text = std::to_string(value);
  return Bytes(text.begin(), text.end());
}

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

Result<std::optional<std::uint64_t>> read_meta_number(sql::Database& db, std::string_view key) {
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> value, read_meta(db, key));
  if (!value) return std::optional<std::uint64_t>();
  AMANA_ASSIGN_OR_RETURN(std::uint64_t number, require_meta_number(db, key));
  return std::optional<std::uint64_t>(number);
}

Status write_meta_entries(Store::State& state, sql::Transaction&,
                          const std::vector<std::pair<std::string_view, std::optional<Bytes>>>& entries) {
  sql::Database& db = *state.db;
  AMANA_ASSIGN_OR_RETURN(MetaMap all, load_meta(db));
  if (!mac_holds(state, all)) return tampered("settings");
  for (const auto& [key, value] : entries) {
    if (!is_authenticated_meta(key)) throw std::logic_error("write_meta: '" + std::string(key) + "' is not authenticated");
    AMANA_RETURN_IF_ERROR(put_meta_raw(db, key, value ? std::optional<ByteView>(*value) : std::nullopt));
    if (value) all.insert_or_assign(std::string(key), *value);
    else all.erase(std::string(key));
  }
  return put_meta_raw(db, kMetaMacKey, ByteView(meta_mac(state, all)));
}

Status write_meta(Store::State& state, sql::Transaction& txn, std::string_view key, ByteView value) {
  return write_meta_entries(state, txn, {{key, Bytes(value.begin(), value.end())}});
}

Status write_meta_number(Store::State& state, sql::Transaction& txn, std::string_view key, std::uint64_t value) {
  return write_meta_entries(state, txn, {{key, number_text(value)}});
}

Status write_failures(sql::Database& db, sql::Transaction&, std::uint64_t failures) {
  return put_meta_raw(db, kFailuresKey, ByteView(number_text(failures)));
}

Status seal_meta(Store::State& state, sql::Transaction&) {
  AMANA_ASSIGN_OR_RETURN(MetaMap all, load_meta(*state.db));
  return put_meta_raw(*state.db, kMetaMacKey, ByteView(meta_mac(state, all)));
}

Status verify_meta(Store::State& state) {
  AMANA_ASSIGN_OR_RETURN(MetaMap all, load_meta(*state.db));
  if (!mac_holds(state, all)) return tampered("settings");
  return Status::success();
}

// ---- integrity errors ----

Status tampered(std::string_view what) {
  if (what == "settings") return Status(ErrorCode::corrupt, Message("store.tampered_settings"));
  if (what == "records") return Status(ErrorCode::corrupt, Message("store.tampered_records"));
  if (what == "providers") return Status(ErrorCode::corrupt, Message("store.tampered_providers"));
  throw std::logic_error("tampered: unknown part '" + std::string(what) + "'");
}

SecretBytes derive_mac_key(const SecretBytes& data_key) {
  Digest key = crypto::keyed_hash(data_key, crypto::as_bytes("amana/store-integrity/v1"));
  SecretBytes out = SecretBytes::copy_of(key);
  std::fill(key.begin(), key.end(), std::uint8_t{0});
  return out;
}

// ---- records ----

Bytes record_identity(const RecordRow& row) {
  const RecordSummary& s = row.summary;
  Bytes out;
  put_field(out, s.id.view());
  put_u64(out, row.version);
  put_field(out, crypto::as_bytes(s.form_id));
  put_u64(out, s.form_version);
  put_u64(out, static_cast<std::uint64_t>(s.created_at_ms));
  put_u64(out, static_cast<std::uint64_t>(s.updated));
  if (s.case_id) put_field(out, s.case_id->view());
  else put_field(out, {});
  return out;
}

Status put_record_row(Store::State& state, sql::Transaction& txn, const RecordSummary& summary,
                      const Bytes& plain_values, bool insert) {
  sql::Database& db = *state.db;
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> stored_digest, read_meta(db, "records_digest"));
  Bytes digest = stored_digest.value_or(zero_link());
  AMANA_ASSIGN_OR_RETURN(std::optional<std::uint64_t> writes, read_meta_number(db, "record_writes"));
  RecordRow row{summary, writes.value_or(0) + 1};
  if (!insert) {
    AMANA_ASSIGN_OR_RETURN(std::optional<RecordRow> old, find_record_row(db, summary.id.view()));
    if (!old) throw std::logic_error("put_record_row: no row to update");
    xor_into(digest, record_element(state, *old));
    // The clear columns an update does not change stay as they were.
    row.summary.form_id = old->summary.form_id;
    row.summary.form_version = old->summary.form_version;
    row.summary.created_at_ms = old->summary.created_at_ms;
    row.summary.case_id = old->summary.case_id;
  }
  xor_into(digest, record_element(state, row));
  const Bytes sealed = crypto::seal(state.data_key, plain_values, associated_data(kRecordLabel, record_identity(row)));
  AMANA_RETURN_IF_ERROR(write_row(db, row, sealed, insert));
  return write_meta_entries(state, txn, {{"records_digest", digest}, {"record_writes", number_text(row.version)}});
}

Status delete_record_row(Store::State& state, sql::Transaction& txn, ByteView id) {
  sql::Database& db = *state.db;
  AMANA_ASSIGN_OR_RETURN(std::optional<RecordRow> old, find_record_row(db, id));
  if (!old) return Status::success();
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> stored, read_meta(db, "records_digest"));
  Bytes digest = stored.value_or(zero_link());
  xor_into(digest, record_element(state, *old));
  AMANA_ASSIGN_OR_RETURN(sql::Query drop, db.query("DELETE FROM records WHERE id = ?"));
  AMANA_RETURN_IF_ERROR(drop.bind(1, id).run());
  return write_meta_entries(state, txn, {{"records_digest", digest}});
}

Result<SecretBytes> open_record_values(Store::State& state, const RecordRow& row, ByteView sealed) {
  auto plain = crypto::open(state.data_key, sealed, associated_data(kRecordLabel, record_identity(row)),
                            crypto::Memory::wiped);
  if (!plain.ok()) {
    return Status(ErrorCode::corrupt, Message("store.tampered_record", {{"id", row.summary.id.to_string()}}));
  }
  return std::move(plain).value();
}

// ---- outbox ----

Result<std::int64_t> append_outbox_row(Store::State& state, sql::Transaction& txn, ByteView record_id,
                                       std::int64_t hlc, const Bytes& sealed,
                                       std::vector<std::pair<std::string_view, std::optional<Bytes>>> also) {
  sql::Database& db = *state.db;
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> head, read_meta(db, "outbox_head"));
  {
    AMANA_ASSIGN_OR_RETURN(sql::Query q,
                           db.query("INSERT INTO operations (record_id, hlc, sealed_operation) VALUES (?, ?, ?)"));
    AMANA_RETURN_IF_ERROR(q.bind(1, record_id).bind(2, hlc).bind(3, sealed).run());
  }
  const std::int64_t sequence = db.last_insert_rowid();
  const Bytes link = outbox_link(state, sequence, record_id, hlc, sealed, head.value_or(zero_link()));
  {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("UPDATE operations SET link = ? WHERE seq = ?"));
    AMANA_RETURN_IF_ERROR(q.bind(1, link).bind(2, sequence).run());
  }
  also.emplace_back("outbox_head", link);
  also.emplace_back("outbox_head_sequence", number_text(static_cast<std::uint64_t>(sequence)));
  AMANA_RETURN_IF_ERROR(write_meta_entries(state, txn, also));
  return sequence;
}

Result<Bytes> verify_outbox(Store::State& state, std::int64_t through) {
  sql::Database& db = *state.db;
  AMANA_ASSIGN_OR_RETURN(MetaMap meta, load_meta(db));
  AMANA_ASSIGN_OR_RETURN(std::uint64_t acknowledged, require_meta_number(db, "acknowledged_sequence"));
  AMANA_ASSIGN_OR_RETURN(std::optional<std::uint64_t> head_sequence, read_meta_number(db, "outbox_head_sequence"));
  const Bytes head = meta_or(meta, "outbox_head", zero_link());
  Bytes link = meta_or(meta, "outbox_base", zero_link());
  Bytes at_through = link;
  std::int64_t last = static_cast<std::int64_t>(acknowledged);
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query(
      "SELECT seq, record_id, hlc, sealed_operation, link FROM operations WHERE seq > ? ORDER BY seq"));
  q.bind(1, static_cast<std::int64_t>(acknowledged));
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    const std::int64_t sequence = q.column_int64(0);
    link = outbox_link(state, sequence, q.column_blob(1), q.column_int64(2), q.column_blob(3), link);
    if (q.column_is_null(4) || !crypto::constant_time_equal(q.column_blob(4), link)) {
      // This row, or the one before it, is not what was written after its predecessor.
      return Status(ErrorCode::corrupt, Message("store.tampered_outbox", {{"sequence", sequence}}));
    }
    if (sequence <= through) at_through = link;
    last = sequence;
  }
  const auto expected_last = static_cast<std::int64_t>(head_sequence.value_or(acknowledged));
  if (last != expected_last || !crypto::constant_time_equal(link, head)) {
    return Status(ErrorCode::corrupt, Message("store.tampered_outbox", {{"sequence", std::max(last, expected_last)}}));
  }
  return at_through;
}

Status verify_changesets(Store::State& state) {
  sql::Database& db = *state.db;
  AMANA_ASSIGN_OR_RETURN(std::uint64_t acknowledged, require_meta_number(db, "acknowledged_changeset"));
  AMANA_ASSIGN_OR_RETURN(std::uint64_t packed, require_meta_number(db, "changeset_number"));
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("SELECT number FROM changesets ORDER BY number"));
  std::uint64_t expected = acknowledged + 1;
  bool gap = false;
  while (!gap) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    gap = static_cast<std::uint64_t>(q.column_int64(0)) != expected;
    if (!gap) ++expected;
  }
  if (gap || expected != std::max(acknowledged, packed) + 1) {
    return Status(ErrorCode::corrupt, Message("store.tampered_changesets",
                                              {{"number", static_cast<std::int64_t>(std::min(expected, packed))}}));
  }
  return Status::success();
}

// ---- providers ----

Result<Bytes> compute_providers_digest(Store::State& state) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, state.db->query("SELECT id, active, encoded FROM providers ORDER BY id"));
  Bytes message;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    put_field(message, crypto::as_bytes(q.column_text(0)));
    put_u64(message, static_cast<std::uint64_t>(q.column_int64(1)));
    put_field(message, q.column_blob(2));
  }
  return keyed(state, "amana/providers/v1", message);
}

// ---- the whole store ----

Status verify_store(Store::State& state) {
  sql::Database& db = *state.db;
  AMANA_RETURN_IF_ERROR(verify_meta(state));
  AMANA_ASSIGN_OR_RETURN(Bytes records, records_digest_of_rows(state));
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> stored_records, read_meta(db, "records_digest"));
  if (!crypto::constant_time_equal(records, stored_records.value_or(zero_link()))) return tampered("records");
  AMANA_ASSIGN_OR_RETURN(Bytes providers, compute_providers_digest(state));
  AMANA_ASSIGN_OR_RETURN(Bytes stored_providers, require_meta(db, "providers_digest"));
  if (!crypto::constant_time_equal(providers, stored_providers)) return tampered("providers");
  AMANA_RETURN_IF_ERROR(verify_changesets(state));
  return verify_outbox(state).status();
}

Status adopt_legacy_store(Store::State& state, const SecretBytes& legacy_user) {
  sql::Database& db = *state.db;
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  // Records: opened under the old binding (the record id only), sealed again under the
  // new one with a write number each.
  std::vector<std::pair<RecordRow, Bytes>> rows;
  {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("SELECT " + std::string(kRecordColumns) +
                                                  ", sealed_values FROM records ORDER BY id"));
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      AMANA_ASSIGN_OR_RETURN(RecordRow record, record_row_from(q));
      rows.emplace_back(std::move(record), q.column_blob(7));
    }
  }
  Bytes digest = zero_link();
  std::uint64_t writes = 0;
  for (auto& [row, sealed] : rows) {
    auto plain = crypto::open(state.data_key, sealed, associated_data(kLegacyRecordLabel, row.summary.id.view()));
    if (!plain.ok()) {
      return Status(ErrorCode::corrupt, Message("store.tampered_record", {{"id", row.summary.id.to_string()}}));
    }
    row.version = ++writes;
    xor_into(digest, record_element(state, row));
    const Bytes resealed =
        crypto::seal(state.data_key, plain->view(), associated_data(kRecordLabel, record_identity(row)));
    AMANA_RETURN_IF_ERROR(write_row(db, row, resealed, /*insert=*/false));
  }
  // The outbox: chained from its first row; the base is the link at the acknowledged
  // sequence.
  AMANA_ASSIGN_OR_RETURN(std::uint64_t acknowledged, require_meta_number(db, "acknowledged_sequence"));
  Bytes link = zero_link();
  Bytes base = link;
  std::int64_t last = static_cast<std::int64_t>(acknowledged);
  std::vector<std::pair<std::int64_t, Bytes>> links;
  {
    AMANA_ASSIGN_OR_RETURN(sql::Query q,
                           db.query("SELECT seq, record_id, hlc, sealed_operation FROM operations ORDER BY seq"));
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      const std::int64_t sequence = q.column_int64(0);
      link = outbox_link(state, sequence, q.column_blob(1), q.column_int64(2), q.column_blob(3), link);
      links.emplace_back(sequence, link);
      if (sequence <= static_cast<std::int64_t>(acknowledged)) base = link;
      else last = sequence;
    }
  }
  for (const auto& [sequence, row_link] : links) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("UPDATE operations SET link = ? WHERE seq = ?"));
    AMANA_RETURN_IF_ERROR(q.bind(1, row_link).bind(2, sequence).run());
  }
  AMANA_ASSIGN_OR_RETURN(Bytes providers, compute_providers_digest(state));
  const Bytes user_sealed =
      crypto::seal(state.data_key, legacy_user.view(), associated_data(kUserLabel, state.device.view()));
  const std::pair<std::string_view, Bytes> entries[] = {
      {"records_digest", digest},
      {"record_writes", number_text(writes)},
      {"outbox_base", base},
      {"outbox_head", link},
      {"outbox_head_sequence", number_text(static_cast<std::uint64_t>(last))},
      {"providers_digest", providers},
      {"sealed_user", user_sealed},
  };
  for (const auto& [key, value] : entries) AMANA_RETURN_IF_ERROR(put_meta_raw(db, key, ByteView(value)));
  AMANA_RETURN_IF_ERROR(seal_meta(state, txn));
  return txn.commit();
}

}  // namespace amana::field::store_detail
