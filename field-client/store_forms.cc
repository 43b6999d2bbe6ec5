// The device store: the versions of published forms the office sent (store.h).
#include <algorithm>

#include "field-client/store_internal.h"

namespace amana::field {
using namespace store_detail;

namespace {

constexpr std::string_view kArchivedKey = "archived_forms";
constexpr int kFormsSchemaVersion = 9;

// Archived form ids, one a line (form ids have no newline: [a-z0-9-]).
std::vector<std::string> split_lines(const Bytes& bytes) {
  std::vector<std::string> out;
  std::string line;
  for (std::uint8_t c : bytes) {
    if (c == '\n') {
      if (!line.empty()) out.push_back(std::move(line));
      line.clear();
    } else {
      line.push_back(static_cast<char>(c));
    }
  }
  if (!line.empty()) out.push_back(std::move(line));
  return out;
}

Result<std::vector<pb::FormVersion>> read_versions(sql::Database& db) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("SELECT form_id, version, definition, digest, signature "
                                                "FROM published_forms ORDER BY form_id, version"));
  std::vector<pb::FormVersion> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    pb::FormVersion& version = out.emplace_back();
    version.set_form_id(q.column_text(0));
    version.set_version(static_cast<std::uint32_t>(q.column_int64(1)));
    version.set_definition(q.column_text(2));
    const Bytes digest = q.column_blob(3);
    const Bytes signature = q.column_blob(4);
    version.set_digest(digest.data(), digest.size());
    version.set_signature(signature.data(), signature.size());
  }
  return out;
}

}  // namespace

Status Store::keep_published_forms(const std::vector<pb::FormVersion>& versions,
                                   const std::optional<std::vector<std::string>>& archived) {
  sql::Database& db = *state_->db;
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  for (const pb::FormVersion& version : versions) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("INSERT OR IGNORE INTO published_forms "
                                                  "(form_id, version, definition, digest, signature) "
                                                  "VALUES (?, ?, ?, ?, ?)"));
    AMANA_RETURN_IF_ERROR(q.bind(1, version.form_id())
                              .bind(2, static_cast<std::int64_t>(version.version()))
                              .bind(3, version.definition())
                              .bind(4, crypto::as_bytes(version.digest()))
                              .bind(5, crypto::as_bytes(version.signature()))
                              .run());
  }
  if (archived) {
    std::vector<std::string> ids = *archived;
    std::sort(ids.begin(), ids.end());
    Bytes joined;
    for (const std::string& id : ids) {
      joined.insert(joined.end(), id.begin(), id.end());
      joined.push_back('\n');
    }
    AMANA_RETURN_IF_ERROR(write_meta(*state_, txn, kArchivedKey, joined));
  }
  return txn.commit();
}

Result<std::vector<pb::FormVersion>> Store::published_forms() { return read_versions(*state_->db); }

Result<std::vector<std::string>> Store::archived_forms() {
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> stored, read_meta(*state_->db, kArchivedKey));
  return stored ? split_lines(*stored) : std::vector<std::string>();
}

Result<Store::FormsOnDisk> Store::read_published_forms(const std::filesystem::path& home) {
  FormsOnDisk out;
  if (!exists(home)) return out;
  AMANA_ASSIGN_OR_RETURN(auto db, sql::Database::open(home / kDatabaseFile, sql::OpenMode::existing));
  AMANA_ASSIGN_OR_RETURN(int version, sql::schema_version(*db));
  if (version < kFormsSchemaVersion) return out;  // migrated at the next unlock
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> key, read_meta(*db, "org_sign_public_key"));
  if (key && key->size() == crypto::PublicKey().size()) {
    out.org_sign_key.emplace();
    std::copy(key->begin(), key->end(), out.org_sign_key->begin());
  }
  AMANA_ASSIGN_OR_RETURN(out.versions, read_versions(*db));
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> archived, read_meta(*db, kArchivedKey));
  if (archived) out.archived = split_lines(*archived);
  return out;
}

}  // namespace amana::field
