// What office staff do with a server's data directory, behind the sync-server CLI:
// create it, open it, issue enrollment codes.
//
// A data directory holds central.db (the SQLite central store, see central_store.h).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "common/crypto.h"
#include "common/status.h"
#include "sync-server/central_store.h"

namespace amana::server {

// --data, else $AMANA_SERVER_DATA, else ./amana-server-data.
std::filesystem::path resolve_data_dir(const std::optional<std::string>& flag);

// Creates the directory, the central store and the organisation keys.
// already_exists when the directory already holds a store.
Status init_server(const std::filesystem::path& dir, std::string_view passphrase,
                   crypto::KdfParams kdf = crypto::kDefaultKdf);

// not_found (saying to run init) when there is no store.
Result<std::unique_ptr<CentralStore>> open_server_store(const std::filesystem::path& dir);

// "24h", "90m", "7d", "3600s". invalid_argument otherwise, or when zero or over 30 days.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);

struct IssuedCode {
  std::string code;            // what the device types: 24 characters in groups of four
  std::int64_t expires_at_ms;
};

// A one-time code for `user`, valid for `lifetime`. not_found for an unknown user.
Result<IssuedCode> issue_enrollment_code(CentralStore& store, const std::string& user,
                                         std::chrono::milliseconds lifetime, std::int64_t now_ms);

}  // namespace amana::server
