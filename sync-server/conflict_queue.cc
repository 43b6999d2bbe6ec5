#include "sync-server/conflict_queue.h"

#include <map>

#include "common/form_pack.h"
#include "common/hlc.h"
#include "sync-server/case_admin.h"
#include "sync-server/case_file.h"
#include "sync-server/case_values.h"
#include "sync-server/published_forms.h"

namespace amana::server {

Result<ConflictQueuePage> conflict_queue(CentralStore& store, const std::optional<RecordId>& after, std::size_t records,
                                         forms::Language language) {
  // One more than asked: whether another page follows.
  AMANA_ASSIGN_OR_RETURN(auto ids, store.records_in_conflict(after, records + 1));
  ConflictQueuePage page;
  if (ids.size() > records) {
    ids.resize(records);
    page.next = ids.back();
  }
  AMANA_ASSIGN_OR_RETURN(auto devices, store.devices());
  std::map<DeviceId, std::string> user_of;
  for (const Device& d : devices) user_of[d.id] = d.user;
  // Every version the server keeps: a step of a published version (one with a repeat) is
  // shown with its own questions' labels, a repeat instance's field too.
  AMANA_ASSIGN_OR_RETURN(forms::FormPack pack, server_form_pack(store));
  AMANA_ASSIGN_OR_RETURN(auto open, store.open_conflict_list(ids));
  // Named as the case list names them: as the case's steps establish it (a registration's
  // name over the identification's).
  std::map<RecordId, std::string> name_of;
  if (!open.empty()) {
    AMANA_ASSIGN_OR_RETURN(auto cases, list_cases(store, StepCounts::skipped));
    for (const CaseView& v : cases) name_of[v.id] = v.name;
  }
  std::map<RecordId, CentralRecord> read;
  auto record = [&](const RecordId& id) -> Result<const CentralRecord*> {
    auto found = read.find(id);
    if (found == read.end()) {
      AMANA_ASSIGN_OR_RETURN(CentralRecord loaded, store.record(id));
      found = read.emplace(id, std::move(loaded)).first;
    }
    return &found->second;
  };
  for (const CentralStore::OpenConflict& conflict : open) {
    AMANA_ASSIGN_OR_RETURN(const CentralRecord* target, record(conflict.record));
    const RecordId case_id = target->case_id.value_or(target->id);
    auto version = [&](const merge::Version& v) {
      QueuedVersion out{v.value, v.cleared ? "" : shown_value(pack, *target, conflict.field, v.value, language).shown,
                        v.cleared, hlc_millis(v.stamp.hlc), "office"};
      if (v.stamp.device != kOrgWriter) {
        auto user = user_of.find(v.stamp.device);
        out.by = user == user_of.end() ? "?" : user->second;
      }
      return out;
    };
    auto form = pack.find(target->form_id, target->form_version);
    const std::string title = !target->case_id ? "" : form.ok() ? (*form)->title.in(language) : target->form_id;
    page.conflicts.push_back({case_id, name_of[case_id], target->id, title, conflict.field,
                              field_label(pack, *target, conflict.field, language), version(conflict.earlier),
                              version(conflict.later)});
  }
  return page;
}

}  // namespace amana::server
