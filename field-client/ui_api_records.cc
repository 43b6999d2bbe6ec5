// The JSON API (ui_api.h): records, their history, editing, and a referral's sheet.
#include "field-client/ui_api_internal.h"

#include <functional>

#include "common/message_catalogue.h"
#include "common/service_types.h"
#include "common/text_fold.h"
#include "field-client/record_search.h"
#include "field-client/render.h"

namespace amana::field::ui::detail {

Json Handler::summary_json(const RecordSummary& r) {
  auto form = pack_.find(r.form_id);
  Json out{{"id", r.id.to_string()},
           {"short", short_id(r.id.to_string())},
           {"form", r.form_id},
           {"title", form.ok() ? (*form)->title.in(language()) : r.form_id},
           {"created", shown_time(r.created_at_ms, language())}};
  if (r.case_id) out["case"] = r.case_id->to_string();
  return out;
}

Result<Json> Handler::records() {
  const std::string form = query("form");
  const std::string q = text::fold(trimmed(query("q")));
  Json out = Json::array();
  const auto form_id = form.empty() ? std::nullopt : std::optional<std::string_view>(form);
  if (q.empty()) {
    AMANA_RETURN_IF_ERROR(store_.visit_records(form_id, std::nullopt, [&](const RecordSummary& r) -> Result<bool> {
      if (r.form_id == kCaseFormId) return true;  // cases have their own screen
      out.push_back(summary_json(r));
      return out.size() < kListLimit;
    }));
    return out;
  }
  // Through the Store's index in memory (none on the disk: docs/security.md); the first
  // search of a session builds it, opening every record once, unless the app already did
  // between requests (ui_app.cc).
  AMANA_ASSIGN_OR_RETURN(auto found, search_records_by_index(store_, form_id, q, kListLimit));
  for (const RecordSummary& r : found) out.push_back(summary_json(r));
  return out;
}

Result<Json> Handler::record_show(RecordId id) {
  AMANA_ASSIGN_OR_RETURN(Record record, store_.record(id));
  auto form = pack_.find(record.summary.form_id);
  const forms::FormDefinition* definition = form.ok() ? *form : nullptr;
  Json out = summary_json(record.summary);
  out["author"] = record.author;
  out["editable"] = definition != nullptr && record.summary.form_id != kCaseFormId;
  Json values = Json::array();
  // A key in an instance ("members/<id>/m_age") is its field's, named with the instance.
  auto field = [&](const std::string& name) -> const Field* {
    const auto key = forms::repeat_keys::parse(name);
    return definition && key ? definition->find_field(key->field) : nullptr;
  };
  auto label = [&](const std::string& name) {
    const Field* f = field(name);
    const auto key = forms::repeat_keys::parse(name);
    if (definition && key && key->is_marker()) return instance_label(*definition, key->path, record.values, language());
    if (f == nullptr || !key) return name;
    if (key->path.empty()) return f->label.in(language());
    return instance_label(*definition, key->path, record.values, language()) + ": " + f->label.in(language());
  };
  if (definition) {
    // In form order; a repeat's instances one after the other where the repeat is, each
    // value of an instance with the instance's name ("Household members #2").
    std::function<void(std::size_t, std::size_t, const forms::Scope&)> walk = [&](std::size_t begin, std::size_t end,
                                                                                  const forms::Scope& scope) {
      for (std::size_t k = begin; k < end;) {
        const Field& f = definition->fields[k];
        const auto chain = definition->repeats_of(f);
        if (chain.size() > scope.size()) {
          const forms::Group* repeat = chain[scope.size()];
          std::size_t e = k;
          while (e < end) {
            const auto holders = definition->repeats_of(definition->fields[e]);
            if (holders.size() <= scope.size() || holders[scope.size()] != repeat) break;
            ++e;
          }
          for (const forms::Scope& instance : forms::instances(*definition, *repeat, record.values, scope)) {
            walk(k, e, instance);
          }
          k = e;
          continue;
        }
        const std::string key = forms::answer_key(f, scope);
        if (auto it = record.values.find(key); it != record.values.end()) {
          Json v{{"name", key}, {"label", f.label.in(language())},
                 {"value", shown_value(&f, it->second, language())}, {"raw", it->second}};
          if (!scope.empty()) v["instance"] = instance_label(*definition, scope, record.values, language());
          values.push_back(std::move(v));
        }
        ++k;
      }
    };
    walk(0, definition->fields.size(), {});
  } else {
    for (const auto& [name, value] : record.values) values.push_back({{"name", name}, {"label", name}, {"value", value}, {"raw", value}});
  }
  out["values"] = values;
  AMANA_ASSIGN_OR_RETURN(auto revisions, store_.history(id));
  Json history = Json::array();
  for (const Revision& r : revisions) {
    Json changes = Json::array();
    for (const FieldChange& c : r.changes) {
      changes.push_back({{"field", c.field}, {"label", label(c.field)}, {"cleared", c.cleared},
                         {"value", c.cleared ? "" : shown_value(field(c.field), c.value, language())}});
    }
    history.push_back({{"when", shown_time(hlc_millis(r.hlc), language())}, {"author", r.author}, {"created", r.created},
                       {"merged", r.merged}, {"changes", changes}});
  }
  out["history"] = history;
  return out;
}

Result<std::pair<Record, const forms::FormDefinition*>> Handler::editable(RecordId id) {
  AMANA_ASSIGN_OR_RETURN(Record record, store_.record(id));
  if (record.summary.form_id == kCaseFormId) {
    return invalid_argument(Message("cli.case_not_edited", {{"id", short_id(id.to_string())}}));
  }
  AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, pack_.find(record.summary.form_id));
  return std::pair{std::move(record), form};
}

Result<Json> Handler::record_evaluate(RecordId id) {
  AMANA_ASSIGN_OR_RETURN(auto found, editable(id));
  const auto& [record, form] = found;
  Json view;
  if (call_.body.contains("answers")) {
    AMANA_ASSIGN_OR_RETURN(auto given, answers_of(call_.body));
    std::vector<Removed> removed;
    AMANA_RETURN_IF_ERROR(change_instances(*form, given.first, call_.body, options_, false, &removed));
    FieldNames notes = notes_of(call_.body);
    view = form_view(*form, given.first, given.second, options_, nullptr, nullptr, &notes);
    note_removed(view, removed, language());
  } else {
    const FieldNames all = all_questions(form_view(*form, record.values, {}, options_, nullptr));
    view = form_view(*form, record.values, all, options_, nullptr);
    view["passed"] = all;
  }
  view["record"] = summary_json(record.summary);
  return view;
}

ApiReply Handler::record_edit(RecordId id) {
  auto found = editable(id);
  if (!found.ok()) return {found.status(), {}};
  const forms::FormDefinition& form = *found->second;
  auto given = answers_of(call_.body);
  if (!given.ok()) return {given.status(), {}};
  const FieldNames all = all_questions(form_view(form, given->first, given->second, options_, nullptr));
  Answers valid;
  Json view = form_view(form, given->first, all, options_, nullptr, &valid);
  if (!view["complete"].get<bool>()) return {invalid_argument(Message("ui.form_has_errors")), Json{{"view", view}}};
  FieldNames set;
  for (const auto& [name, value] : valid) set.insert(name);
  auto checked = forms::validate_submission(form, valid, set, options_);
  if (!checked.ok()) return {checked.status(), Json{{"view", view}}};
  auto changed = store_.update_record(id, *checked);
  if (!changed.ok()) return {changed.status(), {}};
  return {Status::success(), Json{{"record", id.to_string()}, {"changed", *changed}}};
}

// The referral as the provider gets it: what CaseBook::referral_document allows (the
// client's identity only with their consent to share it), with the provider's details.
Result<Json> Handler::referral_sheet(RecordId id) {
  AMANA_ASSIGN_OR_RETURN(std::string text, book_.referral_document(id));
  Json document = Json::parse(text, nullptr, false);
  if (document.is_discarded()) return corrupt("the referral document is not JSON");
  const std::string provider_id = document.value("provider_id", std::string());
  AMANA_ASSIGN_OR_RETURN(auto providers, store_.providers(true));
  for (const pb::Provider& p : providers) {
    if (p.id() == provider_id) {
      document["provider"] = {{"name", p.name()}, {"location", p.location()}, {"contact", p.contact()},
                              {"hours", p.hours()}};
    }
  }
  if (document.contains("service_type")) {
    document["service_label"] = services::label(document["service_type"].get<std::string>()).in(language());
  }
  if (document.contains("referral_date")) {
    document["referral_date"] = shown_date(document["referral_date"].get<std::string>(), language());
  }
  document["withheld"] = document["client"].contains("identifying_data");
  return document;
}

}  // namespace amana::field::ui::detail
