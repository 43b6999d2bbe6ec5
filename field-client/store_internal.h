// Internals of the device store (store.h), shared by its source files, which split it by
// aspect:
//   store.cc            creating, unlocking and protecting the store (KDF, failed unlocks,
//                       duress, lease, wipe)
//   store_integrity.cc  what makes a change made outside Amana visible: the meta MAC, the
//                       records digest, the outbox chain, the provider digest
//   store_records.cc    records, their history and the outbox
//   store_sync.cc       enrollment, changesets, the provider directory, pulled cases
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/crypto.h"
#include "common/hlc.h"
#include "common/sqlite.h"
#include "common/status.h"
#include "field-client/store.h"
#include "field-client/store_search.h"

namespace amana::field {

struct Store::State {
  std::filesystem::path home;
  std::unique_ptr<sql::Database> db;
  crypto::SecretBytes data_key;
  WallClock wall;
  HybridClock clock;
  DeviceId device;
  // Keyed BLAKE2b key for everything authenticated outside a seal (store_integrity.cc),
  // derived from the data key.
  crypto::SecretBytes mac_key;
  // A duress unlock's overwrite of the old store, run after open() has answered; joined
  // when the Store goes.
  std::jthread discarding;
  // The records search's index, in memory only (store_search.h): gone with the State.
  store_detail::SearchIndex search;
};

namespace store_detail {

using crypto::Bytes;
using crypto::ByteView;
using crypto::SecretBytes;

constexpr std::string_view kDatabaseFile = "store.db";
// Where failed unlocks were counted before version 8 (now in store.db): an old copy put
// back can only raise the count, never lower it.
constexpr std::string_view kLegacyFailuresFile = "unlock-failures";
// The real store, its data key already destroyed, while a duress unlock overwrites it.
constexpr std::string_view kDiscardedFile = ".discarded";

// Associated-data labels: a sealed value only opens in the place it was written for.
constexpr std::string_view kDataKeyLabel = "amana/data-key/v1";
constexpr std::string_view kSecretsLabel = "amana/device-secrets/v1";
// v2: sealed again when the store became authenticated (version 8), so that a store that
// is authenticated cannot pass for one that is not yet (see adopt_legacy_store).
constexpr std::string_view kLegacyUserLabel = "amana/user/v1";
constexpr std::string_view kUserLabel = "amana/user/v2";
constexpr std::string_view kLegacyRecordLabel = "amana/record/v1";
constexpr std::string_view kRecordLabel = "amana/record/v2";
constexpr std::string_view kOperationLabel = "amana/operation/v1";
constexpr std::string_view kChangesetLabel = "amana/changeset/v1";
constexpr std::string_view kLegacyDuressLabel = "amana/duress/v1";
constexpr std::string_view kDuressLabel = "amana/duress/v2";

Bytes associated_data(std::string_view label, ByteView row_key);

// ---- meta table ----
// Every entry but the two below is authenticated: one MAC (meta_mac) over all of them and
// the store's identity. Reads are plain (the MAC was checked at unlock, and is checked
// again before sync); every write checks the MAC still holds, then renews it, so a value
// changed under a running store is not blessed by its next write either.
constexpr std::string_view kMetaMacKey = "meta_mac";
constexpr std::string_view kFailuresKey = "unlock_failures";  // written before the data key is known
bool is_authenticated_meta(std::string_view key);

Result<std::optional<Bytes>> read_meta(sql::Database& db, std::string_view key);
// corrupt when the entry is missing (or not a number).
Result<Bytes> require_meta(sql::Database& db, std::string_view key);
Result<std::uint64_t> require_meta_number(sql::Database& db, std::string_view key);
Result<std::optional<std::uint64_t>> read_meta_number(sql::Database& db, std::string_view key);

// Authenticated writes (std::nullopt deletes the entry). One MAC renewal for the lot.
Status write_meta_entries(Store::State& state, sql::Transaction& txn,
                          const std::vector<std::pair<std::string_view, std::optional<Bytes>>>& entries);
Status write_meta(Store::State& state, sql::Transaction& txn, std::string_view key, ByteView value);
Status write_meta_number(Store::State& state, sql::Transaction& txn, std::string_view key, std::uint64_t value);
Bytes number_text(std::uint64_t value);  // how numbers are stored: decimal text
// The failed-unlock count, the one entry written without the data key.
Status write_failures(sql::Database& db, sql::Transaction& txn, std::uint64_t failures);

// ---- integrity (store_integrity.cc) ----
// "this store was changed outside Amana: <what>", keyed, code corrupt.
Status tampered(std::string_view what);
SecretBytes derive_mac_key(const SecretBytes& data_key);

// Renews meta_mac over what is there now, without checking the old one: for create() and
// for a store becoming authenticated.
Status seal_meta(Store::State& state, sql::Transaction& txn);
Status verify_meta(Store::State& state);

// A record row's clear columns and write number, as bound into its sealed values and
// into the records digest.
struct RecordRow {
  RecordSummary summary;
  std::uint64_t version = 0;  // the store-wide write number of its last write
};
Bytes record_identity(const RecordRow& row);
// Inserts or replaces the row, with the next write number, keeping the records digest
// (the XOR of a keyed hash of every row's identity, in authenticated meta) in step.
Status put_record_row(Store::State& state, sql::Transaction& txn, const RecordSummary& summary,
                      const Bytes& plain_values, bool insert);
Status delete_record_row(Store::State& state, sql::Transaction& txn, ByteView id);
Result<SecretBytes> open_record_values(Store::State& state, const RecordRow& row, ByteView sealed);

// Each record's clear columns and current (not cleared) answers, newest first: of
// `form_id` only, of the records below `before` only, at most `limit`, each record opened
// once in one pass over the table (Store::visit_record_values). The views are valid
// during the call only.
Status visit_values(Store::State& state, std::optional<std::string_view> form_id, std::optional<RecordId> before,
                    std::size_t limit,
                    const std::function<Result<bool>(const RecordSummary&, const std::vector<std::string_view>&)>& visit);

// Appends one sealed operation, linked to the outbox head. Returns its sequence number.
Result<std::int64_t> append_outbox_row(Store::State& state, sql::Transaction& txn, ByteView record_id,
                                       std::int64_t hlc, const Bytes& sealed,
                                       std::vector<std::pair<std::string_view, std::optional<Bytes>>> also);
// Walks the unacknowledged outbox from its authenticated base: every row present, in
// order, unchanged, up to the authenticated head. Returns the link at `through` (a
// sequence number; for moving the base when changesets are acknowledged).
Result<Bytes> verify_outbox(Store::State& state, std::int64_t through = INT64_MAX);
// Every changeset between the acknowledged one and the last packed is there.
Status verify_changesets(Store::State& state);
Result<Bytes> compute_providers_digest(Store::State& state);
// All of the above, at unlock.
Status verify_store(Store::State& state);
// A store from before version 8: its values become authenticated (sealed again under the
// v2 labels, digests and chain computed). corrupt when it is not such a store.
Status adopt_legacy_store(Store::State& state, const SecretBytes& legacy_sealed_user);

}  // namespace store_detail

}  // namespace amana::field
