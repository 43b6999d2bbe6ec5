// The versions of published forms (CentralStore's published forms, migration 13).
#include <algorithm>

#include "sync-server/sqlite_central_store_internal.h"

namespace amana::server::sqlite_store {
namespace {

std::array<std::uint8_t, 32> to_digest(const Bytes& bytes) {
  std::array<std::uint8_t, 32> digest{};
  if (bytes.size() == digest.size()) std::copy(bytes.begin(), bytes.end(), digest.begin());
  return digest;
}

}  // namespace

Status SqliteCentralStore::add_form_version(const PublishedForm& form) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_ASSIGN_OR_RETURN(sql::Query exists,
                         db_->query("SELECT 1 FROM form_versions WHERE form_id = ? AND version = ?"));
  exists.bind(1, form.form_id).bind(2, std::int64_t{form.version});
  AMANA_ASSIGN_OR_RETURN(bool found, exists.step());
  if (found) {
    return Status(ErrorCode::already_exists, "form '" + form.form_id + "' already has version " +
                                                 std::to_string(form.version) + ": publish again");
  }
  AMANA_ASSIGN_OR_RETURN(sql::Query upsert, db_->query("INSERT INTO forms (id, archived_at_ms) VALUES (?, NULL) "
                                                       "ON CONFLICT (id) DO UPDATE SET archived_at_ms = NULL"));
  AMANA_RETURN_IF_ERROR(upsert.bind(1, form.form_id).run());
  AMANA_ASSIGN_OR_RETURN(sql::Query insert,
                         db_->query("INSERT INTO form_versions (form_id, version, definition, digest, signature, "
                                    "source_name, source_digest, source_version, warnings, published_at_ms, "
                                    "published_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  AMANA_RETURN_IF_ERROR(insert.bind(1, form.form_id)
                            .bind(2, std::int64_t{form.version})
                            .bind(3, form.definition)
                            .bind(4, form.digest)
                            .bind(5, form.signature)
                            .bind(6, form.source_name)
                            .bind(7, form.source_digest)
                            .bind(8, form.source_version)
                            .bind(9, form.warnings)
                            .bind(10, form.published_at_ms)
                            .bind(11, form.published_by)
                            .run());
  return txn.commit();
}

Result<std::vector<PublishedForm>> SqliteCentralStore::form_versions(std::string_view form_id) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(
      sql::Query q,
      db_->query("SELECT v.form_id, v.version, v.definition, v.digest, v.signature, v.source_name, v.source_digest, "
                 "v.source_version, v.warnings, v.published_at_ms, v.published_by, f.archived_at_ms "
                 "FROM form_versions v JOIN forms f ON f.id = v.form_id WHERE ?1 = '' OR v.form_id = ?1 "
                 "ORDER BY v.form_id, v.version"));
  q.bind(1, form_id);
  std::vector<PublishedForm> versions;
  for (;;) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    PublishedForm form;
    form.form_id = q.column_text(0);
    form.version = static_cast<std::uint32_t>(q.column_int64(1));
    form.definition = q.column_text(2);
    form.digest = to_digest(q.column_blob(3));
    form.signature = q.column_blob(4);
    form.source_name = q.column_text(5);
    form.source_digest = to_digest(q.column_blob(6));
    form.source_version = q.column_text(7);
    form.warnings = q.column_text(8);
    form.published_at_ms = q.column_int64(9);
    form.published_by = q.column_text(10);
    if (!q.column_is_null(11)) form.archived_at_ms = q.column_int64(11);
    versions.push_back(std::move(form));
  }
  return versions;
}

Status SqliteCentralStore::archive_form(std::string_view form_id, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("UPDATE forms SET archived_at_ms = ? WHERE id = ?"));
  AMANA_RETURN_IF_ERROR(q.bind(1, now_ms).bind(2, form_id).run());
  if (db_->changes() == 0) {
    return not_found("no published form '" + std::string(form_id) + "' (see `sync-server forms list`)");
  }
  return txn.commit();
}

Result<std::vector<FormCatalogueEntry>> SqliteCentralStore::form_catalogue() {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT f.id, MAX(v.version), f.archived_at_ms IS NOT NULL "
                                                  "FROM forms f JOIN form_versions v ON v.form_id = f.id "
                                                  "GROUP BY f.id ORDER BY f.id"));
  std::vector<FormCatalogueEntry> catalogue;
  for (;;) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    catalogue.push_back({q.column_text(0), static_cast<std::uint32_t>(q.column_int64(1)), q.column_int64(2) != 0});
  }
  return catalogue;
}

}  // namespace amana::server::sqlite_store
