#include "sync-server/case_file.h"

#include <algorithm>
#include <sstream>

#include "common/case_lifecycle.h"
#include "common/form_pack.h"
#include "common/hlc.h"
#include "common/shown_dates.h"
#include "sync-server/case_values.h"

namespace amana::server {
namespace {

using forms::Language;

// The few words of the layout, in each language.
struct Words {
  const char* status;
  const char* assigned;
  const char* opened;
  const char* steps;
  const char* history;
  const char* closure;
  const char* conflicts;
  const char* unheld;
  const char* by;
};
const Words& words(Language language) {
  static const Words en{"status", "assigned to", "opened", "Steps", "History", "Closure requested: for the officer's decision",
                        "conflicting edits await an officer", "no case worker can hold it", "by"};
  static const Words ar{"الوضع", "مسند إلى", "فُتحت", "الخطوات", "السجل", "طُلب الإغلاق: بانتظار قرار المسؤول",
                        "تعديلات متعارضة بانتظار المسؤول", "لا يمكن لأي عامل حالة حملها", "بواسطة"};
  return language == Language::ar ? ar : en;
}

std::string shown_answer(const forms::Field* field, const std::string& value, Language language) {
  if (field == nullptr || value.empty()) return value;
  const bool ar = language == Language::ar;
  switch (field->type) {
    case forms::FieldType::date:
    case forms::FieldType::datetime: return shown_date(value, language);  // "22 November 2026"
    case forms::FieldType::boolean:
      return value == "true" ? (ar ? "نعم" : "yes") : value == "false" ? (ar ? "لا" : "no") : value;
    case forms::FieldType::select_one:
      if (const forms::Choice* choice = field->find_choice(value)) return choice->label.in(language);
      return value;
    case forms::FieldType::select_multiple: {
      std::istringstream chosen(value);
      std::string out;
      for (std::string name; chosen >> name;) {
        const forms::Choice* choice = field->find_choice(name);
        out += (out.empty() ? "" : ", ") + (choice ? choice->label.in(language) : name);
      }
      return out;
    }
    default: return value;
  }
}

// The coded values no form defines: a case's statuses (the lifecycle's) and a referral's
// tracking status (the case code's, case_values.h), by their labels; nullopt for the rest.
std::optional<std::string> coded_label(const CentralRecord& record, const std::string& field, const std::string& value,
                                       Language language) {
  if (record.form_id == kCaseFormId) {
    const CaseField* declared = find_case_field(field);
    if (declared == nullptr || declared->kind != CaseFieldKind::lifecycle) return std::nullopt;
    auto status = cases::parse_status(value);
    return status.ok() ? std::optional<std::string>(cases::status_label(*status).in(language)) : std::nullopt;
  }
  if (record.form_id == cases::kReferralForm && field == "status") {
    auto status = cases::parse_referral_status(value);
    return status.ok() ? std::optional<std::string>(cases::referral_status_label(*status).in(language)) : std::nullopt;
  }
  return std::nullopt;
}

ShownValue show(const forms::FormPack& pack, const CentralRecord& record, const forms::Field* definition,
                const std::string& field, const std::string& value, Language language, const std::string& today) {
  const std::optional<std::string> coded = definition == nullptr ? coded_label(record, field, value, language) : std::nullopt;
  ShownValue shown{field, field_label(pack, record, field, language), value,
                   coded ? *coded : shown_answer(definition, value, language),
                   is_known_value(pack, record, field, value, today)};
  if (!shown.known) shown.shown = "?" + value + (language == Language::ar ? " (قيمة غير صالحة)" : " (not a valid answer)");
  return shown;
}

Result<CaseStep> read_step(CentralStore& store, const forms::FormPack& pack, const CentralRecord& record, Language language,
                   const std::string& today) {
  CaseStep step;
  step.id = record.id;
  step.form_id = record.form_id;
  step.created_at_ms = record.created_at_ms;
  step.author = record.author;
  auto form = pack.find(record.form_id);
  step.title = form.ok() ? (*form)->title.in(language) : record.form_id;
  std::vector<std::string> order;
  if (form.ok()) {
    for (const forms::Field& field : (*form)->fields) {
      if (record.values.count(field.name)) order.push_back(field.name);
    }
  }
  for (const auto& [field, value] : record.values) {
    if (std::find(order.begin(), order.end(), field) == order.end()) order.push_back(field);
  }
  for (const std::string& field : order) {
    const forms::Field* definition = form.ok() ? (*form)->find_field(field) : nullptr;
    step.answers.push_back(show(pack, record, definition, field, record.values.at(field), language, today));
  }
  AMANA_ASSIGN_OR_RETURN(step.open_conflicts, store.open_conflicts(record.id));
  return step;
}

}  // namespace

ShownValue shown_value(const forms::FormPack& pack, const CentralRecord& record, const std::string& field,
                       const std::string& value, Language language) {
  const forms::Field* definition = nullptr;
  if (record.form_id == kCaseFormId) {
    const CaseField* declared = find_case_field(field);
    definition = declared ? source_field(pack, *declared) : nullptr;
  } else if (auto form = pack.find(record.form_id); form.ok()) {
    definition = (*form)->find_field(field);
  }
  return show(pack, record, definition, field, value, language, local_date(system_wall_clock()()));
}

Result<CaseFile> read_case_file(CentralStore& store, const RecordId& case_id, Language language) {
  AMANA_ASSIGN_OR_RETURN(CentralRecord kase, store.record(case_id));
  if (kase.form_id != kCaseFormId) return invalid_argument("record " + case_id.to_string() + " is not a case");
  AMANA_ASSIGN_OR_RETURN(forms::FormPack pack, forms::FormPack::builtin());
  const std::string today = local_date(system_wall_clock()());
  CaseFile file;
  AMANA_ASSIGN_OR_RETURN(const std::vector<CentralRecord> records, store.records_of_case(case_id));
  std::vector<const CentralRecord*> step_records;
  for (const CentralRecord& record : records) step_records.push_back(&record);
  // The case as its steps establish it: a follow-up's risk, a registration's phone.
  kase.values = established_values(kase, step_records);
  file.view = case_view(kase, step_records);
  file.unheld = why_unheld(store, file.view.assigned_to);
  std::vector<std::string> order;
  for (const CaseField& field : case_fields()) {
    if (kase.values.count(field.name)) order.push_back(std::string(field.name));
  }
  for (const auto& [field, value] : kase.values) {
    if (std::find(order.begin(), order.end(), field) == order.end()) order.push_back(field);
  }
  for (const std::string& field : order) {
    const CaseField* declared = find_case_field(field);
    const forms::Field* definition = declared ? source_field(pack, *declared) : nullptr;
    file.values.push_back(show(pack, kase, definition, field, kase.values.at(field), language, today));
  }
  AMANA_ASSIGN_OR_RETURN(file.open_conflicts, store.open_conflicts(case_id));
  for (const CentralRecord* record : step_records) {
    AMANA_ASSIGN_OR_RETURN(CaseStep step, read_step(store, pack, *record, language, today));
    file.steps.push_back(std::move(step));
  }
  if (file.view.status == cases::CaseStatus::closure_requested) {
    for (auto step = file.steps.rbegin(); step != file.steps.rend(); ++step) {
      if (step->form_id == "case-closure") {
        file.closure_request = *step;
        break;
      }
    }
  }
  AMANA_ASSIGN_OR_RETURN(file.history, case_history(store, case_id));
  return file;
}

std::string render_case_file(const CaseFile& file, Language language) {
  const Words& w = words(language);
  std::ostringstream out;
  const CaseView& c = file.view;
  out << "Case " << c.id.to_string() << "  " << w.status << " " << shown_status(c) << "  " << w.assigned << " "
      << c.assigned_to << "  " << w.opened << " " << local_date(c.opened_at_ms) << "\n";
  if (!file.unheld.empty()) out << "  ! " << w.unheld << ": " << file.unheld << "\n";
  if (file.open_conflicts > 0) out << "  ! " << file.open_conflicts << " " << w.conflicts << "\n";
  auto answers = [&](const std::vector<ShownValue>& values, const char* indent) {
    for (const ShownValue& v : values) {
      out << indent << v.label << " (" << v.field << "): " << v.shown << (v.known ? "" : "  !") << "\n";
    }
  };
  answers(file.values, "  ");
  if (file.closure_request) {
    out << "\n" << w.closure << " (" << local_date(file.closure_request->created_at_ms) << ", " << w.by << " "
        << file.closure_request->author << ")\n";
    answers(file.closure_request->answers, "  ");
  }
  out << "\n" << w.steps << " (" << file.steps.size() << ")\n";
  for (const CaseStep& step : file.steps) {
    out << "  " << step.title << "  " << step.form_id << "  " << step.id.to_string() << "  "
        << format_local(step.created_at_ms, "%Y-%m-%d %H:%M") << "  " << w.by << " " << step.author << "\n";
    if (step.open_conflicts > 0) out << "    ! " << step.open_conflicts << " " << w.conflicts << "\n";
    answers(step.answers, "    ");
  }
  out << "\n" << w.history << "\n";
  for (const HistoryEntry& entry : file.history) {
    out << "  " << format_hlc(entry.version.stamp.hlc) << "  "
        << (entry.version.stamp.device == kOrgWriter ? std::string("office  ")
                                                      : entry.version.stamp.device.to_string().substr(0, 8))
        << "  " << entry.field << " = " << (entry.version.cleared ? "(cleared)" : entry.version.value) << "\n";
  }
  return out.str();
}

nlohmann::json case_file_json(const CaseFile& file) {
  using nlohmann::json;
  auto values = [](const std::vector<ShownValue>& list) {
    json out = json::array();
    for (const ShownValue& v : list) {
      out.push_back({{"field", v.field}, {"label", v.label}, {"value", v.value}, {"shown", v.shown}, {"known", v.known}});
    }
    return out;
  };
  auto step_json = [&](const CaseStep& step) {
    return json{{"id", step.id.to_string()},     {"form", step.form_id},   {"title", step.title},
                {"created_at_ms", step.created_at_ms}, {"author", step.author}, {"open_conflicts", step.open_conflicts},
                {"answers", values(step.answers)}};
  };
  json steps = json::array();
  for (const CaseStep& step : file.steps) steps.push_back(step_json(step));
  json history = json::array();
  for (const HistoryEntry& entry : file.history) {
    history.push_back({{"field", entry.field},
                       {"value", entry.version.value},
                       {"cleared", entry.version.cleared},
                       {"hlc", format_hlc(entry.version.stamp.hlc)},
                       {"by_office", entry.version.stamp.device == kOrgWriter}});
  }
  return json{{"id", file.view.id.to_string()},
              {"reference", case_reference(file.view.id)},
              {"status", file.view.status_text},
              {"status_known", file.view.status.has_value()},
              {"assigned_to", file.view.assigned_to},
              {"unheld", file.unheld},
              {"opened_at_ms", file.view.opened_at_ms},
              {"open_conflicts", file.open_conflicts},
              {"values", values(file.values)},
              {"closure_request", file.closure_request ? step_json(*file.closure_request) : json()},
              {"steps", steps},
              {"history", history}};
}

}  // namespace amana::server
