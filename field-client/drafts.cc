#include "field-client/drafts.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "common/id_parts.h"
#include "common/message_catalogue.h"

namespace amana::field {
namespace {

using nlohmann::json;

// Associated data: a sealed draft opens only as the draft it was written for.
constexpr std::string_view kDraftLabel = "amana/draft/v1";

std::string encode(const Draft& draft) {
  json out = {{"form", draft.form_id},
              {"form_version", draft.form_version},
              {"step", draft.step},
              {"reason", draft.reason == DraftReason::refused ? "refused" : "interrupted"},
              {"answers", json::object()},
              {"passed", json::array()}};
  if (draft.case_id) out["case"] = draft.case_id->to_string();
  for (const auto& [name, value] : draft.answers) out["answers"][name] = value;
  for (const std::string& name : draft.passed) out["passed"].push_back(name);
  if (!draft.cleared.empty()) out["cleared"] = draft.cleared;
  return out.dump();
}

Result<Draft> decode(DraftId id, std::int64_t updated_at_ms, std::string_view text) {
  const json in = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!in.is_object() || !in.contains("form") || !in["form"].is_string() || !in.contains("answers") ||
      !in["answers"].is_object() || !in.contains("passed") || !in["passed"].is_array()) {
    return Status(ErrorCode::corrupt, Message("drafts.corrupt"));
  }
  Draft draft;
  draft.id = id;
  draft.updated_at_ms = updated_at_ms;
  draft.form_id = in["form"].get<std::string>();
  draft.form_version = in.value("form_version", 0u);
  draft.step = in.value("step", "");
  draft.reason = in.value("reason", "") == "refused" ? DraftReason::refused : DraftReason::interrupted;
  if (in.contains("case") && in["case"].is_string()) {
    AMANA_ASSIGN_OR_RETURN(draft.case_id, RecordId::parse(in["case"].get<std::string>()));
  }
  for (const auto& [name, value] : in["answers"].items()) {
    if (!value.is_string()) return Status(ErrorCode::corrupt, Message("drafts.corrupt"));
    draft.answers[name] = value.get<std::string>();
  }
  for (const json& name : in["passed"]) {
    if (!name.is_string()) return Status(ErrorCode::corrupt, Message("drafts.corrupt"));
    draft.passed.insert(name.get<std::string>());
  }
  if (in.contains("cleared") && in["cleared"].is_array()) {
    for (const json& name : in["cleared"]) {
      if (name.is_string()) draft.cleared.insert(name.get<std::string>());
    }
  }
  return draft;
}

}  // namespace

Drafts::Drafts(Store& store) : store_(store) {}

Status Drafts::save(Draft& draft) {
  if (draft.id.is_nil()) draft.id.bytes = new_record_id(store_.now_ms()).bytes;
  sql::Database& db = store_.local_database();
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  {
    // Newest first needs a later save to sort later, even within one millisecond.
    AMANA_ASSIGN_OR_RETURN(sql::Query latest, db.query("SELECT coalesce(max(updated_at_ms), 0) FROM drafts"));
    AMANA_ASSIGN_OR_RETURN(bool row, latest.step());
    draft.updated_at_ms = std::max(store_.now_ms(), row ? latest.column_int64(0) + 1 : 0);
  }
  const std::string plain = encode(draft);
  const crypto::Bytes sealed = store_.seal_local(kDraftLabel, draft.id.view(), crypto::as_bytes(plain));
  {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query(
        "INSERT OR REPLACE INTO drafts (id, updated_at_ms, sealed_draft) VALUES (?, ?, ?)"));
    AMANA_RETURN_IF_ERROR(q.bind(1, draft.id.view()).bind(2, draft.updated_at_ms).bind(3, sealed).run());
  }
  return txn.commit();
}

Result<Draft> Drafts::load(DraftId id) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         store_.local_database().query("SELECT updated_at_ms, sealed_draft FROM drafts WHERE id = ?"));
  q.bind(1, id.view());
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return not_found(Message("drafts.not_found", {{"draft", id.to_string()}}));
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes plain, store_.open_local(kDraftLabel, id.view(), q.column_blob(1)));
  return decode(id, q.column_int64(0), plain.as_string());
}

Result<DraftId> Drafts::resolve(std::string_view id_or_part) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, store_.local_database().query("SELECT id FROM drafts"));
  std::vector<DraftId> ids;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    AMANA_ASSIGN_OR_RETURN(DraftId id, DraftId::from_bytes(q.column_blob(0)));
    ids.push_back(id);
  }
  return resolve_id<DraftId>(id_or_part, ids, {Message("ids.noun.draft"), "field-client drafts"});
}

Result<std::vector<Draft>> Drafts::list() {
  std::vector<DraftId> ids;
  {
    AMANA_ASSIGN_OR_RETURN(sql::Query q,
                           store_.local_database().query("SELECT id FROM drafts ORDER BY updated_at_ms DESC, id DESC"));
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      AMANA_ASSIGN_OR_RETURN(DraftId id, DraftId::from_bytes(q.column_blob(0)));
      ids.push_back(id);
    }
  }
  std::vector<Draft> out;
  for (DraftId id : ids) {
    AMANA_ASSIGN_OR_RETURN(Draft draft, load(id));
    out.push_back(std::move(draft));
  }
  return out;
}

Status Drafts::discard(DraftId id) {
  sql::Database& db = store_.local_database();
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("DELETE FROM drafts WHERE id = ?"));
    AMANA_RETURN_IF_ERROR(q.bind(1, id.view()).run());
  }
  if (db.changes() == 0) return not_found(Message("drafts.not_found", {{"draft", id.to_string()}}));
  return txn.commit();
}

}  // namespace amana::field
