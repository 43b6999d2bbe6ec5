// Judging a whole changeset (write_authority.h): what the rules read from the store for
// the records it touches, and how each operation admitted changes what the next one sees.
#include <map>
#include <optional>
#include <set>

#include "common/case_fields.h"
#include "sync-server/published_forms.h"
#include "sync-server/write_authority.h"

namespace amana::server {
namespace {

std::vector<std::string> field_names(const pb::Operation& operation) {
  std::vector<std::string> names;
  std::set<std::string_view> seen;
  std::size_t more = 0;
  for (const pb::FieldWrite& write : operation.writes()) {
    if (!seen.insert(write.field()).second) continue;
    if (names.size() < kMaxNamedFields) names.push_back(quoted_name(write.field()));
    else ++more;
  }
  if (more > 0) names.push_back("and " + std::to_string(more) + " more");
  return names;
}

std::optional<std::string> written_value(const pb::Operation& operation, std::string_view field) {
  std::optional<std::string> value;
  HlcTime latest{0};
  for (const pb::FieldWrite& write : operation.writes()) {
    if (write.field() != field || write.cleared() || (value && HlcTime{write.hlc()} < latest)) continue;
    value = write.value();
    latest = HlcTime{write.hlc()};
  }
  return value;
}

// The state of one changeset's judging: what the store holds, read once per record, and
// what the operations admitted so far have added to it.
class ChangesetView {
 public:
  ChangesetView(CentralStore& store, const Writer& writer) : store_(store), writer_(writer) {}

  Result<std::optional<RecordOrigin>> origin(const RecordId& id) {
    auto found = origins_.find(id);
    if (found == origins_.end()) {
      AMANA_ASSIGN_OR_RETURN(auto origin, store_.record_origin(id));
      found = origins_.emplace(id, std::move(origin)).first;
    }
    return found->second;
  }

  Result<std::optional<CaseState>> kase(const RecordId& id) {
    auto found = cases_.find(id);
    if (found == cases_.end()) {
      AMANA_ASSIGN_OR_RETURN(auto holding, store_.case_holding(id));
      std::optional<CaseState> state;
      if (holding) {
        state.emplace();
        state->holder = holding->assigned_to.empty() ? holding->author : holding->assigned_to;
        AMANA_ASSIGN_OR_RETURN(state->holder_team, team_of(state->holder));
        if (auto status = cases::parse_status(holding->status); status.ok()) state->status = *status;
      }
      found = cases_.emplace(id, std::move(state)).first;
    }
    return found->second;
  }

  // Whether the organisation published a form of this id: the catalogue, read once.
  Result<bool> published(std::string_view form_id) {
    if (!published_) {
      AMANA_ASSIGN_OR_RETURN(auto catalogue, store_.form_catalogue());
      published_.emplace();
      for (const FormCatalogueEntry& entry : catalogue) published_->insert(entry.form_id);
    }
    return published_->contains(form_id);
  }

  // Whether the server knows this version of the form, asked once per form and version.
  Result<bool> known_version(const std::string& form_id, std::uint32_t version) {
    auto found = known_versions_.find({form_id, version});
    if (found == known_versions_.end()) {
      AMANA_ASSIGN_OR_RETURN(bool known, is_known_version(store_, form_id, version));
      found = known_versions_.emplace(std::pair{form_id, version}, known).first;
    }
    return found->second;
  }

  // What an admitted operation adds: a new record, a new case held by its writer, a status.
  Status admit(const RecordId& id, const pb::Operation& operation, bool created) {
    if (created) {
      RecordOrigin origin{writer_.device, operation.form_id(), std::nullopt};
      if (operation.case_id().size() == 16) {
        AMANA_ASSIGN_OR_RETURN(origin.case_id, RecordId::from_bytes(crypto::as_bytes(operation.case_id())));
      }
      origins_[id] = std::move(origin);
      if (operation.form_id() == cases::kCaseForm) cases_[id] = CaseState{writer_.user, writer_.team, std::nullopt};
    }
    if (operation.form_id() != cases::kCaseForm) return Status();
    auto state = cases_.find(id);
    if (state == cases_.end() || !state->second) return Status();
    if (auto status = written_value(operation, cases::field::kStatus)) {
      if (auto parsed = cases::parse_status(*status); parsed.ok()) state->second->status = *parsed;
    }
    return Status();
  }

 private:
  Result<std::string> team_of(const std::string& user) {
    auto found = teams_.find(user);
    if (found == teams_.end()) {
      auto holder = store_.user(user);
      if (!holder.ok() && holder.status().code() != ErrorCode::not_found) return holder.status();
      found = teams_.emplace(user, holder.ok() ? holder->team : std::string()).first;
    }
    return found->second;
  }

  CentralStore& store_;
  const Writer& writer_;
  std::map<RecordId, std::optional<RecordOrigin>> origins_;
  std::map<RecordId, std::optional<CaseState>> cases_;
  std::map<std::string, std::string> teams_;
  std::optional<std::set<std::string, std::less<>>> published_;
  std::map<std::pair<std::string, std::uint32_t>, bool> known_versions_;
};

}  // namespace

Result<Writer> writer_of(CentralStore& store, const Device& device) {
  AMANA_ASSIGN_OR_RETURN(User user, store.user(device.user));
  return Writer{device.id, user.name, user.role, user.team};
}

Result<Judgement> judge_changeset(CentralStore& store, const Writer& writer, const pb::Changeset& changeset,
                                  std::int64_t now_ms) {
  Judgement judgement;
  ChangesetView view(store, writer);
  for (int index = 0; index < changeset.operations_size(); ++index) {
    const pb::Operation& operation = changeset.operations(index);
    AMANA_ASSIGN_OR_RETURN(RecordId id, RecordId::from_bytes(crypto::as_bytes(operation.record_id())));
    WriteInputs inputs;
    AMANA_ASSIGN_OR_RETURN(inputs.record, view.origin(id));
    AMANA_ASSIGN_OR_RETURN(inputs.published_form, view.published(operation.form_id()));
    AMANA_ASSIGN_OR_RETURN(inputs.known_version, view.known_version(operation.form_id(), operation.form_version()));
    if (const auto kase = deciding_case(operation, inputs.record)) {
      AMANA_ASSIGN_OR_RETURN(inputs.kase, view.kase(*kase));
    }
    // Admitted, the author is the enrolled user: judge refuses any other claim.
    if (auto refusal = judge(writer, operation, inputs, now_ms)) {
      judgement.refused.push_back({index, std::move(*refusal), field_names(operation)});
      continue;
    }
    AMANA_RETURN_IF_ERROR(view.admit(id, operation, !inputs.record.has_value()));
  }
  if (judgement.refused.empty()) return judgement;
  judgement.filtered.emplace();
  pb::Changeset& filtered = *judgement.filtered;
  filtered.set_device_id(changeset.device_id());
  filtered.set_number(changeset.number());
  filtered.set_previous_hash(changeset.previous_hash());
  filtered.set_first_sequence(changeset.first_sequence());
  filtered.set_last_sequence(changeset.last_sequence());
  std::size_t next_refused = 0;
  for (int index = 0; index < changeset.operations_size(); ++index) {
    if (next_refused < judgement.refused.size() && judgement.refused[next_refused].index == index) {
      ++next_refused;
      continue;
    }
    *filtered.add_operations() = changeset.operations(index);
  }
  return judgement;
}

}  // namespace amana::server
