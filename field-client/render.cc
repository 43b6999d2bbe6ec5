#include "field-client/render.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/message_catalogue.h"

namespace amana::field {
namespace {

using forms::FieldType;
using forms::Language;
using nlohmann::json;

// A value as a person reads it: choice labels instead of choice names.
std::string display_value(const forms::Field* field, const std::string& value, Language language) {
  if (field == nullptr) return value;
  switch (field->type) {
    case FieldType::select_one:
      if (const auto* choice = field->find_choice(value)) return choice->label.in(language);
      return value;
    case FieldType::select_multiple: {
      std::string shown;
      std::istringstream names(value);
      for (std::string name; names >> name;) {
        const auto* choice = field->find_choice(name);
        shown += (shown.empty() ? "" : "; ") + (choice ? choice->label.in(language) : name);
      }
      return shown;
    }
    case FieldType::boolean: return Message(value == "true" ? MessageKey("render.yes") : MessageKey("render.no")).in(language);
    default:
      return value;
  }
}

std::string field_label(const forms::FormDefinition* form, const std::string& name, Language language) {
  const forms::Field* field = form ? form->find_field(name) : nullptr;
  return field ? field->label.in(language) + " [" + name + "]" : name;
}

const forms::Field* find(const forms::FormDefinition* form, const std::string& name) {
  return form ? form->find_field(name) : nullptr;
}

// Field names in form order, which reads like the questionnaire; names the form no
// longer has come last, as they are.
std::vector<std::string> in_form_order(const forms::FormDefinition* form, std::vector<std::string> names) {
  auto position = [form](const std::string& name) -> std::size_t {
    const forms::Field* field = find(form, name);
    return field ? static_cast<std::size_t>(field - form->fields.data()) : SIZE_MAX;
  };
  std::stable_sort(names.begin(), names.end(),
                   [&](const std::string& a, const std::string& b) { return position(a) < position(b); });
  return names;
}

// Who made a revision: this device's user, or, for a change merged at a sync, the user
// of another device or the office.
Message revision_by(const Revision& revision) {
  if (!revision.merged) {
    return Message(revision.created ? MessageKey("render.created_by") : MessageKey("render.edited_by"),
                   {{"author", revision.author}});
  }
  const Message change(revision.created ? MessageKey("render.merged_created") : MessageKey("render.merged_edited"));
  if (revision.writer.is_nil()) return Message("render.merged_from_office", {{"change", change}, {"author", revision.author}});
  return Message("render.merged_from_device", {{"change", change},
                                               {"author", revision.author},
                                               {"device", revision.writer.to_string().substr(0, 8)}});
}

json summary_json(const RecordSummary& s) {
  return {{"id", s.id.to_string()},
          {"form", s.form_id},
          {"form_version", s.form_version},
          {"created_at", format_local_time(s.created_at_ms)},
          {"created_at_ms", s.created_at_ms},
          {"updated_hlc", format_hlc(s.updated)}};
}

}  // namespace

std::string format_local_time(std::int64_t unix_ms) { return format_local(unix_ms, "%Y-%m-%d %H:%M"); }

std::string forms_text(const forms::FormPack& pack, Language language) {
  std::ostringstream out;
  out << Message("render.forms_header").in(language) << "\n";
  for (const auto& form : pack.forms()) {
    std::string id = form.id;
    id.resize(std::max<std::size_t>(id.size(), 34), ' ');
    std::string version = std::to_string(form.version);
    version.resize(std::max<std::size_t>(version.size(), 9), ' ');
    out << id << version << form.title.in(language) << "\n";
  }
  return out.str();
}

std::string records_text(const std::vector<RecordSummary>& records, Language language) {
  std::ostringstream out;
  if (records.empty()) return Message("render.no_records").in(language) + "\n";
  out << Message("render.records_header").in(language) << "\n";
  for (const auto& r : records) {
    std::string form = r.form_id;
    form.resize(std::max<std::size_t>(form.size(), 30), ' ');
    out << r.id.to_string() << "  " << form << format_local_time(r.created_at_ms) << "  "
        << format_local_time(hlc_millis(r.updated)) << "\n";
  }
  out << Message("render.records", {{"count", counted(static_cast<std::int64_t>(records.size()), "record")}}).in(language)
      << "\n";
  return out.str();
}

std::string records_json(const std::vector<RecordSummary>& records) {
  json list = json::array();
  for (const auto& r : records) list.push_back(summary_json(r));
  return list.dump(2) + "\n";
}

std::string record_text(const Record& record, const forms::FormDefinition* form, Language language) {
  std::ostringstream out;
  const RecordSummary& s = record.summary;
  const std::string form_shown = s.form_id + " v" + std::to_string(s.form_version) +
                                 (form ? " (" + form->title.in(language) + ")" : std::string());
  out << Message("render.record_header", {{"id", s.id.to_string()},
                                          {"form", form_shown},
                                          {"created", format_local_time(s.created_at_ms)},
                                          {"author", record.author},
                                          {"updated", format_local_time(hlc_millis(s.updated))}})
             .in(language)
      << "\n\n";
  std::vector<std::string> names;
  for (const auto& [name, value] : record.values) names.push_back(name);
  const std::vector<std::string> order = in_form_order(form, std::move(names));
  for (const std::string& name : order) {
    out << "  " << field_label(form, name, language) << ": "
        << display_value(find(form, name), record.values.at(name), language) << "\n";
  }
  return out.str();
}

std::string record_json(const Record& record) {
  json out = summary_json(record.summary);
  out["author"] = record.author;
  json values = json::object();
  for (const auto& [name, value] : record.values) values[name] = value;
  out["values"] = std::move(values);
  return out.dump(2) + "\n";
}

std::string history_text(const std::vector<Revision>& history, const forms::FormDefinition* form,
                         Language language) {
  std::ostringstream out;
  std::map<std::string, std::string> current;
  int number = 0;
  for (const Revision& revision : history) {
    out << "#" << ++number << "  " << format_local_time(hlc_millis(revision.hlc)) << "  "
        << revision_by(revision).in(language) << "\n";
    std::vector<std::string> names;
    for (const FieldChange& change : revision.changes) names.push_back(change.field);
    names = in_form_order(form, std::move(names));
    for (const std::string& name : names) {
      const FieldChange& change =
          *std::find_if(revision.changes.begin(), revision.changes.end(),
                        [&](const FieldChange& c) { return c.field == name; });
      const forms::Field* field = find(form, change.field);
      out << "    " << field_label(form, change.field, language) << ": ";
      if (change.cleared) out << Message("render.cleared").in(language);
      else out << display_value(field, change.value, language);
      if (auto was = current.find(change.field); was != current.end() && !revision.created) {
        out << "   " << Message("render.was", {{"value", display_value(field, was->second, language)}}).in(language);
      }
      out << "\n";
      if (change.cleared) current.erase(change.field);
      else current[change.field] = change.value;
    }
  }
  return out.str();
}

std::string history_json(const std::vector<Revision>& history) {
  json list = json::array();
  for (const Revision& revision : history) {
    json changes = json::array();
    for (const FieldChange& change : revision.changes) {
      json item = {{"field", change.field}, {"cleared", change.cleared}};
      if (!change.cleared) item["value"] = change.value;
      changes.push_back(std::move(item));
    }
    json entry = {{"sequence", revision.sequence},
                  {"hlc", format_hlc(revision.hlc)},
                  {"author", revision.author},
                  {"kind", revision.created ? "create" : "update"},
                  {"changes", std::move(changes)}};
    if (revision.merged) {
      entry["merged"] = true;
      entry["by"] = revision.writer.is_nil() ? "office" : "device";
      if (!revision.writer.is_nil()) entry["device"] = revision.writer.to_string();
    }
    list.push_back(std::move(entry));
  }
  return list.dump(2) + "\n";
}

std::string status_text(const StoreStatus& status, Language language) {
  std::ostringstream out;
  out << Message("render.status", {{"device", status.device.to_string()}, {"user", status.user}}).in(language) << "\n";
  std::int64_t total = 0;
  for (const auto& [form, count] : status.records_per_form) {
    out << "  " << form << ": " << count << "\n";
    total += count;
  }
  if (status.records_per_form.empty()) out << Message("render.status_none").in(language) << "\n";
  out << Message("render.status_total", {{"count", total}}).in(language) << "\n"
      << Message("render.waiting", {{"count", counted(status.pending_operations, "operation")},
                                    {"sequence", status.last_sequence}})
             .in(language)
      << "\n";
  return out.str();
}

std::string status_json(const StoreStatus& status) {
  json per_form = json::object();
  for (const auto& [form, count] : status.records_per_form) per_form[form] = count;
  return json{{"device", status.device.to_string()},
              {"user", status.user},
              {"records", std::move(per_form)},
              {"pending_operations", status.pending_operations},
              {"last_sequence", status.last_sequence}}
             .dump(2) +
         "\n";
}

}  // namespace amana::field
