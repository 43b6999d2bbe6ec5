// Internals of the device store (store.h), shared by its source files, which split it by
// aspect:
//   store.cc          creating, unlocking and protecting the store (KDF, failed unlocks,
//                     duress, lease, wipe)
//   store_records.cc  records, their history and the outbox
//   store_sync.cc     enrollment, changesets, the provider directory, pulled cases
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "common/crypto.h"
#include "common/hlc.h"
#include "common/sqlite.h"
#include "common/status.h"
#include "field-client/store.h"

namespace amana::field {

namespace store_detail {

using crypto::Bytes;
using crypto::ByteView;
using crypto::SecretBytes;

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

Bytes associated_data(std::string_view label, ByteView row_key);

// ---- meta table ----
Result<std::optional<Bytes>> read_meta(sql::Database& db, std::string_view key);
// corrupt when the entry is missing (or not a number).
Result<Bytes> require_meta(sql::Database& db, std::string_view key);
Result<std::uint64_t> require_meta_number(sql::Database& db, std::string_view key);
Status write_meta(sql::Database& db, sql::Transaction&, std::string_view key, ByteView value);
Status write_meta_number(sql::Database& db, sql::Transaction& txn, std::string_view key, std::uint64_t value);

}  // namespace store_detail

struct Store::State {
  std::filesystem::path home;
  std::unique_ptr<sql::Database> db;
  crypto::SecretBytes data_key;
  WallClock wall;
  HybridClock clock;
};

}  // namespace amana::field
