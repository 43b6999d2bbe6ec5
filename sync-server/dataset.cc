#include "sync-server/dataset.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <map>
#include <sstream>

#include <xlsxwriter.h>

#include "common/csv.h"
#include "common/form_pack.h"
#include "common/hlc.h"
#include "common/person_match.h"
#include "sync-server/access.h"
#include "sync-server/admin.h"

namespace amana::server {
namespace {

std::string pseudonym(const crypto::SecretBytes& key, std::string_view kind, std::string_view id) {
  const std::string input = std::string(kind) + "|" + std::string(id);
  return crypto::to_hex(crypto::keyed_hash(key, crypto::as_bytes(input))).substr(0, 16);
}

bool in_period(const std::string& date, const DatasetFilter& filter) {
  return (!filter.from || date >= *filter.from) && (!filter.to || date <= *filter.to);
}

std::string value_of(const CentralRecord& record, std::string_view field) {
  auto found = record.values.find(field);
  return found == record.values.end() ? std::string() : found->second;
}

// An id as the export shows it: a stable pseudonym, or in clear when identified.
class IdColumn {
 public:
  IdColumn(const crypto::SecretBytes& key, bool identified) : key_(key), identified_(identified) {}
  std::string operator()(std::string_view kind, const std::string& id) const {
    return identified_ ? id : pseudonym(key_, kind, id);
  }
  std::string label_en(const std::string& what) const {
    return what + (identified_ ? " (id)" : " (pseudonym, stable across exports)");
  }
  std::string label_ar(const std::string& what) const {
    return what + (identified_ ? " (المعرّف)" : " (اسم مستعار ثابت)");
  }

 private:
  const crypto::SecretBytes& key_;
  bool identified_;
};

void add_meta_codebook(Dataset& dataset, const IdColumn& id) {
  dataset.codebook.push_back({"record", id.label_en("Record"), id.label_ar("السجل"), "text", ""});
  dataset.codebook.push_back({"form_version", "Form version", "إصدار الاستمارة", "integer", ""});
  dataset.codebook.push_back({"collected_on", "Date collected", "تاريخ الجمع", "date", ""});
  dataset.codebook.push_back({"device", id.label_en("Device"), id.label_ar("الجهاز"), "text", ""});
}

}  // namespace

crypto::SecretBytes pseudonym_key(const crypto::SecretBytes& data_key) {
  const auto derived = crypto::keyed_hash(data_key, crypto::as_bytes("amana/pseudonyms/v1"));
  return crypto::SecretBytes::copy_of(derived);
}

Result<Dataset> form_dataset(CentralStore& store, const forms::FormDefinition& form, const crypto::SecretBytes& key,
                             const DatasetFilter& filter) {
  const IdColumn id(key, filter.identified);
  Dataset dataset;
  dataset.columns = {"record", "form_version", "collected_on", "device"};
  add_meta_codebook(dataset, id);
  std::vector<const forms::Field*> fields;
  for (const forms::Field& field : form.fields) {
    if (field.type == forms::FieldType::note || (field.sensitive && !filter.identified)) continue;
    fields.push_back(&field);
    dataset.columns.push_back(field.name);
    std::string choices;
    for (const forms::Choice& choice : field.choices) {
      choices += (choices.empty() ? "" : "; ") + choice.name + "=" + choice.label.en;
    }
    dataset.codebook.push_back({field.name, field.label.en, field.label.ar, std::string(forms::field_type_name(field.type)),
                                choices});
    if (field.type == forms::FieldType::select_multiple) {
      for (const forms::Choice& choice : field.choices) {
        dataset.columns.push_back(field.name + "/" + choice.name);
        dataset.codebook.push_back({field.name + "/" + choice.name, field.label.en + ": " + choice.label.en,
                                    field.label.ar + ": " + choice.label.ar, "0/1", ""});
      }
    }
  }
  AMANA_ASSIGN_OR_RETURN(auto records, store.records(form.id));
  for (const CentralRecord& record : records) {
    const std::string collected = local_date(record.created_at_ms);
    if (!in_period(collected, filter)) continue;
    std::vector<std::string> row = {id("record", record.id.to_string()), std::to_string(record.form_version),
                                    collected, id("device", record.device.to_string())};
    for (const forms::Field* field : fields) {
      const std::string value = value_of(record, field->name);
      row.push_back(value);
      if (field->type == forms::FieldType::select_multiple) {
        std::istringstream chosen(value);
        std::vector<std::string> names;
        for (std::string name; chosen >> name;) names.push_back(name);
        for (const forms::Choice& choice : field->choices) {
          if (value.empty()) row.push_back("");
          else row.push_back(std::find(names.begin(), names.end(), choice.name) != names.end() ? "1" : "0");
        }
      }
    }
    dataset.rows.push_back(std::move(row));
  }
  return dataset;
}

Result<Dataset> case_dataset(CentralStore& store, const crypto::SecretBytes& key, const DatasetFilter& filter) {
  const IdColumn id(key, filter.identified);
  Dataset dataset;
  dataset.columns = {"case", "opened_on", "status", "risk_level", "sex", "age_band", "displacement_status",
                     "specific_needs", "closure_reason", "assigned_to"};
  dataset.codebook = {
      {"case", id.label_en("Case"), id.label_ar("الحالة"), "text", ""},
      {"opened_on", "Date opened", "تاريخ الفتح", "date", ""},
      {"status", "Status", "الوضع", "text", "identified; registered; assessed; planned; in_progress; "
                                            "closure_requested; closed; transferred"},
      {"risk_level", "Risk level", "مستوى الخطر", "text", "low; medium; high; critical"},
      {"sex", "Sex", "الجنس", "text", "female; male"},
      {"age_band", "Age band", "الفئة العمرية", "text", "0-4; 5-11; 12-17; 18-59; 60+"},
      {"displacement_status", "Displacement status", "وضع النزوح", "text", ""},
      {"specific_needs", "Specific needs (UNHCR codes)", "الاحتياجات الخاصة (رموز المفوضية)", "text", ""},
      {"closure_reason", "Closure reason", "سبب الإغلاق", "text", ""},
      {"assigned_to", id.label_en("Case worker"), id.label_ar("مسؤول الحالة"), "text", ""},
  };
  if (filter.identified) {
    dataset.columns.insert(dataset.columns.begin() + 1, {"name", "age"});
    dataset.codebook.insert(dataset.codebook.begin() + 1, {{"name", "Name", "الاسم", "text", ""},
                                                           {"age", "Age", "العمر", "integer", ""}});
  }
  static constexpr const char* kBands[] = {"0-4", "5-11", "12-17", "18-59", "60+"};
  AMANA_ASSIGN_OR_RETURN(auto records, store.records("case"));
  for (const CentralRecord& record : records) {
    const std::string opened = local_date(record.created_at_ms);
    if (!in_period(opened, filter)) continue;
    const std::string age = value_of(record, "age");
    std::string assigned = value_of(record, "assigned_to");
    if (assigned.empty()) assigned = record.author;
    std::vector<std::string> row = {id("record", record.id.to_string()), opened, value_of(record, "status"),
                                    value_of(record, "risk_level"), value_of(record, "sex"),
                                    age.empty() ? "" : kBands[cases::age_band(std::atoi(age.c_str()))],
                                    value_of(record, "displacement_status"), value_of(record, "specific_needs"),
                                    value_of(record, "closure_reason"), id("user", assigned)};
    if (filter.identified) row.insert(row.begin() + 1, {value_of(record, "name"), age});
    dataset.rows.push_back(std::move(row));
  }
  return dataset;
}

Result<Dataset> export_dataset(CentralStore& store, const crypto::SecretBytes& data_key, const DatasetRequest& request,
                               std::int64_t now_ms) {
  const std::string actor = request.requested_by.empty() ? kOperator : request.requested_by;
  if (!request.requested_by.empty()) AMANA_RETURN_IF_ERROR(store.user(request.requested_by).status());
  if (request.filter.identified) {
    if (request.requested_by.empty()) {
      return invalid_argument("an identified export names who asks for it: add --by USER (an officer or an admin)");
    }
    const Status may = authorize(store, request.requested_by, Operation::export_identified).status();
    if (!may.ok()) {
      AMANA_RETURN_IF_ERROR(store.append_audit({now_ms, actor, "refused", request.source,
                                                "identified export: " + may.message()}));
      return may;
    }
  }
  const crypto::SecretBytes key = pseudonym_key(data_key);
  Dataset dataset;
  if (request.source == kCasesSource) {
    AMANA_ASSIGN_OR_RETURN(dataset, case_dataset(store, key, request.filter));
  } else {
    AMANA_ASSIGN_OR_RETURN(auto pack, forms::FormPack::builtin());
    AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, pack.find(request.source));
    AMANA_ASSIGN_OR_RETURN(dataset, form_dataset(store, *form, key, request.filter));
  }
  std::string detail = std::to_string(dataset.rows.size()) + " rows, " +
                       (request.filter.identified ? "IDENTIFIED" : "de-identified");
  if (request.filter.from || request.filter.to) {
    detail += ", " + request.filter.from.value_or("") + ".." + request.filter.to.value_or("");
  }
  detail += ", " + request.channel;
  AMANA_RETURN_IF_ERROR(store.append_audit({now_ms, actor, "export", request.source, detail}));
  return dataset;
}

std::string to_csv(const Dataset& dataset) {
  std::string out = csv::format_row(dataset.columns);
  for (const auto& row : dataset.rows) out += csv::format_row(row);
  return out;
}

std::string to_jsonl(const Dataset& dataset) {
  std::string out;
  for (const auto& row : dataset.rows) {
    nlohmann::json object = nlohmann::json::object();
    for (std::size_t i = 0; i < dataset.columns.size() && i < row.size(); ++i) object[dataset.columns[i]] = row[i];
    out += object.dump() + "\n";
  }
  return out;
}

std::string codebook_csv(const Dataset& dataset) {
  std::string out = csv::format_row({"variable", "label_en", "label_ar", "type", "choices"});
  for (const auto& row : dataset.codebook) out += csv::format_row(row);
  return out;
}

Status write_xlsx(const Dataset& dataset, const std::filesystem::path& path) {
  constexpr std::size_t kMaxRows = 1'048'575;  // Excel's limit, less the header
  if (dataset.rows.size() > kMaxRows) {
    return invalid_argument("the dataset has " + std::to_string(dataset.rows.size()) +
                            " rows, more than a spreadsheet holds: export it as csv or jsonl, or a shorter period");
  }
  std::map<std::string, std::string, std::less<>> type_of;
  for (const auto& entry : dataset.codebook) type_of[entry[0]] = entry[3];
  const std::filesystem::path temporary = path.string() + ".partial";
  lxw_workbook* workbook = workbook_new(temporary.c_str());
  if (workbook == nullptr) return io_error("cannot write " + temporary.string());
  lxw_format* bold = workbook_add_format(workbook);
  format_set_bold(bold);
  lxw_worksheet* data = workbook_add_worksheet(workbook, "data");
  lxw_worksheet* codebook = workbook_add_worksheet(workbook, "codebook");
  lxw_error failure = LXW_NO_ERROR;
  auto check = [&](lxw_error e) {
    if (failure == LXW_NO_ERROR) failure = e;
  };
  for (std::size_t c = 0; c < dataset.columns.size(); ++c) {
    check(worksheet_write_string(data, 0, static_cast<lxw_col_t>(c), dataset.columns[c].c_str(), bold));
  }
  for (std::size_t r = 0; r < dataset.rows.size(); ++r) {
    const auto& row = dataset.rows[r];
    for (std::size_t c = 0; c < row.size() && c < dataset.columns.size(); ++c) {
      const auto row_index = static_cast<lxw_row_t>(r + 1);
      const auto col_index = static_cast<lxw_col_t>(c);
      const std::string& type = type_of[dataset.columns[c]];
      char* end = nullptr;
      const double number = std::strtod(row[c].c_str(), &end);
      const bool numeric = (type == "integer" || type == "decimal" || type == "0/1") && !row[c].empty() &&
                           end == row[c].c_str() + row[c].size();
      if (row[c].empty()) continue;
      check(numeric ? worksheet_write_number(data, row_index, col_index, number, nullptr)
                    : worksheet_write_string(data, row_index, col_index, row[c].c_str(), nullptr));
    }
  }
  const char* headings[] = {"variable", "label_en", "label_ar", "type", "choices"};
  for (lxw_col_t c = 0; c < 5; ++c) check(worksheet_write_string(codebook, 0, c, headings[c], bold));
  for (std::size_t r = 0; r < dataset.codebook.size(); ++r) {
    for (std::size_t c = 0; c < dataset.codebook[r].size(); ++c) {
      check(worksheet_write_string(codebook, static_cast<lxw_row_t>(r + 1), static_cast<lxw_col_t>(c),
                                   dataset.codebook[r][c].c_str(), nullptr));
    }
  }
  check(workbook_close(workbook));  // writes the file and frees the workbook, whatever happened above
  if (failure != LXW_NO_ERROR) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    return io_error("cannot write " + path.string() + ": " + lxw_strerror(failure));
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) return io_error("cannot move " + temporary.string() + " to " + path.string() + ": " + ec.message());
  return Status();
}

}  // namespace amana::server
