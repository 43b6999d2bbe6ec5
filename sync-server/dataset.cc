#include "sync-server/dataset.h"

#include <algorithm>
#include <iterator>
#include <charconv>
#include <cstdio>
#include <sstream>

#include "common/case_fields.h"
#include "common/case_lifecycle.h"
#include "common/form_pack.h"
#include "common/hlc.h"
#include "common/person_match.h"
#include "sync-server/access.h"
#include "sync-server/admin.h"
#include "sync-server/case_values.h"
#include "sync-server/dataset_internal.h"
#include "sync-server/published_forms.h"

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

// Days since 1970-01-01 of a civil date, and back (Howard Hinnant's algorithms).
long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}
int year_of_days(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const long doe = z - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  const long m = mp < 10 ? mp + 3 : mp - 9;
  return static_cast<int>(yoe + era * 400 + (m <= 2));
}

bool parse_date(std::string_view text, int& y, int& m, int& d) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return false;
  auto number = [&](std::size_t at, std::size_t length, int& out) {
    return std::from_chars(text.data() + at, text.data() + at + length, out).ptr == text.data() + at + length;
  };
  return number(0, 4, y) && number(5, 2, m) && number(8, 2, d) && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

std::string age_band_of(const std::string& age) {
  int years = 0;
  const auto [end, error] = std::from_chars(age.data(), age.data() + age.size(), years);
  if (age.empty() || error != std::errc() || end != age.data() + age.size()) return "";
  return std::string(cases::age_band_name(years));
}

// A count below `top_code` as it is, the rest as "N+"; "" for what is not a whole number.
std::string top_coded_of(const std::string& value, std::uint32_t top_code) {
  double number = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  const bool whole = error == std::errc() && end == value.data() + value.size() && number >= 0 &&
                     number == static_cast<double>(static_cast<std::int64_t>(number));
  if (!whole) return "";
  if (number >= top_code) return std::to_string(top_code) + "+";
  return std::to_string(static_cast<std::int64_t>(number));
}

}  // namespace

namespace detail {

std::string disclose(const Shown& how, const std::string& value, const DatasetFilter& filter) {
  if (filter.identified || value.empty()) return value;
  switch (how.disclosure) {
    case forms::Disclosure::age_band: return age_band_of(value);
    case forms::Disclosure::period: return date_period(value, filter.dates);
    case forms::Disclosure::area: return area_of(value, *how.areas);
    case forms::Disclosure::top_coded: return top_coded_of(value, how.top_code);
    case forms::Disclosure::dropped: return "";
    case forms::Disclosure::as_collected: return value;
  }
  return "";
}

std::string disclosure_text(const Shown& how, const DatasetFilter& filter) {
  if (filter.identified) return "identified: as collected";
  switch (how.disclosure) {
    case forms::Disclosure::age_band: return "age band: 0-4, 5-11, 12-17, 18-59, 60+";
    case forms::Disclosure::period:
      return filter.dates == DatePeriod::month ? "month (YYYY-MM)" : "ISO week (YYYY-Www)";
    case forms::Disclosure::area: {
      std::string names;
      for (const forms::Area& area : *how.areas) names += area.name + "; ";
      return "area named: " + names + "other";
    }
    case forms::Disclosure::top_coded: {
      std::string below;
      if (how.top_code <= 10) {
        for (std::uint32_t n = 0; n < how.top_code; ++n) below += std::to_string(n) + ", ";
      } else {
        below = "0 to " + std::to_string(how.top_code - 1) + ", ";
      }
      return "top-coded: " + below + std::to_string(how.top_code) + "+";
    }
    case forms::Disclosure::dropped:
    case forms::Disclosure::as_collected: return "as collected";
  }
  return "";
}

// The codebook's type: what a transformed value is, so that a spreadsheet does not take
// an age band for a number.
std::string shown_type(const Shown& how, forms::FieldType type, const DatasetFilter& filter) {
  if (!filter.identified && how.disclosure != forms::Disclosure::as_collected) return "text";
  return std::string(forms::field_type_name(type));
}

std::string IdColumn::operator()(std::string_view kind, const std::string& id) const {
  return identified_ ? id : pseudonym(key_, kind, id);
}

std::vector<std::string> IdColumn::codebook(const std::string& variable, const std::string& en,
                                            const std::string& ar) const {
  return {variable, en + (identified_ ? " (id)" : " (pseudonym, stable across exports)"),
          ar + (identified_ ? " (المعرّف)" : " (اسم مستعار ثابت)"), "text", "", "",
          identified_ ? "identified: in clear" : "pseudonym: keyed hash, stable across exports"};
}

std::vector<std::string> field_codebook(const forms::Field& field, const Shown& how, const DatasetFilter& filter,
                                        const std::string& variable) {
  std::string choices, choices_ar;
  for (const forms::Choice& choice : field.choices) {
    choices += (choices.empty() ? "" : "; ") + choice.name + "=" + choice.label.en;
    choices_ar += (choices_ar.empty() ? "" : "; ") + choice.name + "=" + choice.label.in(Language::ar);
  }
  return {variable, field.label.en, field.label.ar, shown_type(how, field.type, filter), choices, choices_ar,
          disclosure_text(how, filter)};
}

std::string labelled(const forms::Field& field, const std::string& value, const DatasetFilter& filter) {
  if (!filter.labels || value.empty()) return value;
  auto label_of = [&](const std::string& name) {
    const forms::Choice* choice = field.find_choice(name);
    return choice == nullptr ? name : choice->label.in(*filter.labels);
  };
  if (field.type == forms::FieldType::select_one) return label_of(value);
  if (field.type != forms::FieldType::select_multiple) return value;
  // Labels have spaces, so a list of them is separated by "; ".
  std::istringstream chosen(value);
  std::string out;
  for (std::string name; chosen >> name;) out += (out.empty() ? "" : "; ") + label_of(name);
  return out;
}

Shown how_shown(const forms::Field& field) { return {field.disclosure, &field.areas, field.top_code}; }

}  // namespace detail

namespace {

using namespace detail;

// A status the code names (a case's, a referral's) as its label when asked.
template <typename Parse, typename Label>
std::string status_shown(const std::string& value, const DatasetFilter& filter, Parse parse, Label label) {
  if (!filter.labels || value.empty()) return value;
  auto parsed = parse(value);
  return parsed.ok() ? label(*parsed).in(*filter.labels) : value;
}

template <typename Statuses, typename Name, typename Label>
std::vector<std::string> status_codebook(const std::string& variable, const std::string& en, const std::string& ar,
                                         const Statuses& statuses, Name name, Label label,
                                         const DatasetFilter& filter) {
  std::string choices, choices_ar;
  for (auto status : statuses) {
    choices += (choices.empty() ? "" : "; ") + std::string(name(status)) + "=" + label(status).in(Language::en);
    choices_ar += (choices_ar.empty() ? "" : "; ") + std::string(name(status)) + "=" + label(status).in(Language::ar);
  }
  return {variable, en, ar, "text", choices, choices_ar, filter.identified ? "identified: as collected" : "as collected"};
}

bool kept(const forms::Field& field, const DatasetFilter& filter) {
  if (field.type == forms::FieldType::note) return false;
  return filter.identified || field.disclosure != forms::Disclosure::dropped;
}

// select_multiple: one 0/1 column per choice after the raw value.
void add_choice_columns(DatasetLayout& layout, const forms::Field& field, const DatasetFilter& filter) {
  for (const forms::Choice& choice : field.choices) {
    layout.columns.push_back(field.name + "/" + choice.name);
    layout.codebook.push_back({field.name + "/" + choice.name, field.label.en + ": " + choice.label.en,
                               field.label.ar + ": " + choice.label.ar, "0/1", "", "",
                               filter.identified ? "identified: as collected" : "as collected"});
  }
}

void add_choice_cells(std::vector<std::string>& row, const forms::Field& field, const std::string& value) {
  std::istringstream chosen(value);
  std::vector<std::string> names;
  for (std::string name; chosen >> name;) names.push_back(name);
  for (const forms::Choice& choice : field.choices) {
    if (value.empty()) row.push_back("");
    else row.push_back(std::find(names.begin(), names.end(), choice.name) != names.end() ? "1" : "0");
  }
}

}  // namespace

namespace detail {

std::vector<const forms::Field*> union_of_fields(const std::vector<const forms::FormDefinition*>& versions,
                                                 const DatasetFilter& filter,
                                                 const std::function<bool(const forms::FormDefinition&,
                                                                          const forms::Field&)>& belongs) {
  std::vector<const forms::Field*> asked;
  for (auto version = versions.rbegin(); version != versions.rend(); ++version) {
    for (const forms::Field& field : (*version)->fields) {
      if (!belongs(**version, field)) continue;
      const bool seen = std::any_of(asked.begin(), asked.end(), [&](const forms::Field* f) { return f->name == field.name; });
      if (!seen) asked.push_back(&field);
    }
  }
  auto kept_in_every_version = [&](const forms::Field* field) {
    return std::all_of(versions.begin(), versions.end(), [&](const forms::FormDefinition* version) {
      const forms::Field* there = version->find_field(field->name);
      return there == nullptr || kept(*there, filter);
    });
  };
  std::vector<const forms::Field*> fields;
  std::copy_if(asked.begin(), asked.end(), std::back_inserter(fields), kept_in_every_version);
  return fields;
}

void add_field_columns(const std::vector<const forms::Field*>& fields, const DatasetFilter& filter,
                       std::vector<std::string>& columns, std::vector<std::vector<std::string>>& codebook) {
  DatasetLayout added;
  for (const forms::Field* field : fields) {
    added.columns.push_back(field->name);
    added.codebook.push_back(field_codebook(*field, how_shown(*field), filter, field->name));
    if (field->type == forms::FieldType::select_multiple) add_choice_columns(added, *field, filter);
  }
  columns.insert(columns.end(), added.columns.begin(), added.columns.end());
  codebook.insert(codebook.end(), added.codebook.begin(), added.codebook.end());
}

void add_field_cells(const std::vector<const forms::Field*>& fields, const DatasetFilter& filter,
                     const std::function<std::string(const forms::Field&)>& value_of, std::vector<std::string>& row) {
  for (const forms::Field* field : fields) {
    const std::string value = value_of(*field);
    row.push_back(labelled(*field, disclose(how_shown(*field), value, filter), filter));
    if (field->type == forms::FieldType::select_multiple) add_choice_cells(row, *field, value);
  }
}

}  // namespace detail

std::string date_period(std::string_view date, DatePeriod period) {
  int y = 0, m = 0, d = 0;
  if (!parse_date(date, y, m, d)) return "";
  char buffer[40];
  if (period == DatePeriod::month) {
    std::snprintf(buffer, sizeof buffer, "%04d-%02d", y, m);
    return buffer;
  }
  // ISO 8601: a week belongs to the year of its Thursday; weeks start on Monday.
  const long days = days_from_civil(y, m, d);
  const long weekday = ((days % 7) + 7 + 3) % 7;  // 1970-01-01 was a Thursday: Monday = 0
  const long thursday = days - weekday + 3;
  const int year = year_of_days(thursday);
  const long week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
  std::snprintf(buffer, sizeof buffer, "%04d-W%02ld", year, week);
  return buffer;
}

std::string area_of(std::string_view place, const std::vector<forms::Area>& areas) {
  if (place.empty()) return "";
  const std::string folded = " " + cases::normalize_name(place) + " ";
  for (const forms::Area& area : areas) {
    std::vector<std::string> names{area.name};
    names.insert(names.end(), area.spellings.begin(), area.spellings.end());
    for (const std::string& name : names) {
      const std::string wanted = cases::normalize_name(name);
      if (!wanted.empty() && folded.find(" " + wanted + " ") != std::string::npos) return area.name;
    }
  }
  return "other";
}

crypto::SecretBytes pseudonym_key(const crypto::SecretBytes& data_key) {
  const auto derived = crypto::keyed_hash(data_key, crypto::as_bytes("amana/pseudonyms/v1"));
  return crypto::SecretBytes::copy_of(derived);
}

std::string record_date(const CentralRecord& record, const forms::FormDefinition* form) {
  if (form != nullptr && !form->dated_by.empty()) {
    const std::string dated = value_of(record, form->dated_by);
    int y = 0, m = 0, d = 0;
    if (parse_date(dated, y, m, d)) return dated.substr(0, 10);
  }
  return local_date(record.created_at_ms);
}

Result<std::uint64_t> form_dataset(CentralStore& store, const std::vector<const forms::FormDefinition*>& versions,
                                   const crypto::SecretBytes& key, const DatasetFilter& filter, DatasetSink& sink) {
  if (versions.empty()) return invalid_argument("form_dataset needs a version of the form");
  const forms::FormDefinition& form = *versions.back();
  auto version_of = [&](const CentralRecord& record) {
    for (const forms::FormDefinition* version : versions) {
      if (version->version == record.form_version) return version;
    }
    return versions.back();
  };
  const IdColumn id(key, filter.identified);
  const Shown collected_on{forms::Disclosure::period, nullptr};
  const bool step = cases::is_step_form(form.id);
  const bool referral = form.id == cases::kReferralForm;
  DatasetLayout layout;
  layout.identified = filter.identified;
  layout.columns = {"record", "form_version", "collected_on", "device"};
  layout.codebook.push_back(id.codebook("record", "Record", "السجل"));
  layout.codebook.push_back({"form_version", "Form version", "إصدار الاستمارة", "integer", "", "", "as collected"});
  layout.codebook.push_back({"collected_on", "Date saved on the device", "تاريخ الحفظ على الجهاز",
                             filter.identified ? "date" : "text", "", "", disclosure_text(collected_on, filter)});
  layout.codebook.push_back(id.codebook("device", "Device", "الجهاز"));
  if (step) {
    layout.columns.push_back("case");
    layout.codebook.push_back(id.codebook("case", "Case (joins the case dataset)", "الحالة (للربط بملف الحالات)"));
  }
  // The record's own questions; a repeat's are in its table, one row per instance.
  const std::vector<const forms::Field*> fields =
      union_of_fields(versions, filter, [](const forms::FormDefinition& version, const forms::Field& field) {
        return version.repeats_of(field).empty();
      });
  add_field_columns(fields, filter, layout.columns, layout.codebook);
  if (referral) {
    // Kept by the referral's own tracking (common/case_lifecycle.h), not a question.
    layout.columns.push_back("status");
    layout.codebook.push_back(status_codebook("status", "Referral status", "حالة الإحالة", cases::kReferralStatuses,
                                              cases::referral_status_name, cases::referral_status_label, filter));
    layout.columns.push_back("status_date");
    layout.codebook.push_back({"status_date", "Date of the status", "تاريخ الحالة", filter.identified ? "date" : "text",
                               "", "", disclosure_text(collected_on, filter)});
  }
  RepeatTables repeats(versions, filter, id);
  repeats.add_layouts(layout);
  AMANA_RETURN_IF_ERROR(sink.begin(layout));
  std::uint64_t rows = 0;
  std::vector<std::string> row;
  AMANA_RETURN_IF_ERROR(store.visit_records(form.id, [&](const CentralRecord& record) -> Status {
    const forms::FormDefinition& version = *version_of(record);
    if (!in_period(record_date(record, &version), filter)) return Status();
    const std::string collected = local_date(record.created_at_ms);
    row = {id("record", record.id.to_string()), std::to_string(record.form_version),
           disclose(collected_on, collected, filter), id("device", record.device.to_string())};
    if (step) row.push_back(record.case_id ? id("record", record.case_id->to_string()) : std::string());
    add_field_cells(fields, filter, [&](const forms::Field& field) { return value_of(record, field.name); }, row);
    if (referral) {
      row.push_back(status_shown(value_of(record, "status"), filter, cases::parse_referral_status,
                                 cases::referral_status_label));
      row.push_back(disclose(collected_on, value_of(record, "status_date"), filter));
    }
    ++rows;
    const Status written = sink.row(row);
    return written.ok() ? repeats.write(record, version, sink) : written;
  }));
  AMANA_RETURN_IF_ERROR(repeats.finish(sink));
  return rows;
}

Result<std::uint64_t> case_dataset(CentralStore& store, const crypto::SecretBytes& key, const DatasetFilter& filter,
                                   DatasetSink& sink) {
  AMANA_ASSIGN_OR_RETURN(forms::FormPack pack, forms::FormPack::builtin());
  const IdColumn id(key, filter.identified);
  const Shown opened_on{forms::Disclosure::period, nullptr};
  DatasetLayout layout;
  layout.identified = filter.identified;
  layout.columns = {"case", "opened_on", "status"};
  layout.codebook = {
      id.codebook("case", "Case", "الحالة"),
      {"opened_on", "Date opened", "تاريخ الفتح", filter.identified ? "date" : "text", "", "",
       disclosure_text(opened_on, filter)},
      status_codebook("status", "Status", "الوضع", cases::kCaseStatuses, cases::status_name, cases::status_label,
                      filter),
  };
  // The person and the case's course, each disclosed as the step field it comes from: a
  // field the forms mark sensitive never reaches a de-identified case dataset either.
  struct Column {
    std::string variable;
    std::string case_field;
    const forms::Field* source;
    Shown how;
  };
  std::vector<Column> columns;
  auto add = [&](const std::string& variable, const std::string& case_field, std::optional<forms::Disclosure> as) {
    const CaseField* declared = find_case_field(case_field);
    const forms::Field* source = declared ? source_field(pack, *declared) : nullptr;
    if (source == nullptr) return;  // the pack no longer has it: nothing to say what it holds
    Shown how = how_shown(*source);
    if (as && how.disclosure != forms::Disclosure::dropped) how.disclosure = *as;
    if (!filter.identified && how.disclosure == forms::Disclosure::dropped) return;
    columns.push_back({variable, case_field, source, how});
    layout.columns.push_back(variable);
    layout.codebook.push_back(field_codebook(*source, how, filter, variable));
  };
  if (filter.identified) {
    add("name", "name", std::nullopt);
    add("age", "age", std::nullopt);
  }
  add("risk_level", "risk_level", std::nullopt);
  add("sex", "sex", std::nullopt);
  add("age_band", "age", forms::Disclosure::age_band);
  add("displacement_status", "displacement_status", std::nullopt);
  add("specific_needs", "specific_needs", std::nullopt);
  add("closure_reason", "closure_reason", std::nullopt);
  layout.columns.push_back("assigned_to");
  layout.codebook.push_back(id.codebook("assigned_to", "Case worker", "مسؤول الحالة"));
  AMANA_RETURN_IF_ERROR(sink.begin(layout));

  std::uint64_t rows = 0;
  std::vector<std::string> row;
  AMANA_RETURN_IF_ERROR(store.visit_records(kCaseFormId, [&](const CentralRecord& record) -> Status {
    // A case is dated by its opening: the case record has no date question of its own.
    const std::string opened = record_date(record, nullptr);
    if (!in_period(opened, filter)) return Status();
    std::string assigned = value_of(record, "assigned_to");
    if (assigned.empty()) assigned = record.author;
    row = {id("record", record.id.to_string()), disclose(opened_on, opened, filter),
           status_shown(value_of(record, "status"), filter, cases::parse_status, cases::status_label)};
    for (const Column& column : columns) {
      const std::string value = value_of(record, column.case_field);
      // The band is made here even in an identified export, which has the exact age too.
      row.push_back(column.variable == "age_band" ? age_band_of(value)
                                                  : labelled(*column.source, disclose(column.how, value, filter), filter));
    }
    row.push_back(id("user", assigned));
    ++rows;
    return sink.row(row);
  }));
  return rows;
}

Result<std::uint64_t> export_dataset(CentralStore& store, const crypto::SecretBytes& data_key,
                                     const DatasetRequest& request, std::int64_t now_ms, DatasetSink& sink) {
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
  std::uint64_t rows = 0;
  if (request.source == kCasesSource) {
    AMANA_ASSIGN_OR_RETURN(rows, case_dataset(store, key, request.filter, sink));
  } else {
    // Every version the server keeps: records of any of them are rows.
    AMANA_ASSIGN_OR_RETURN(auto pack, export_form_pack(store));
    auto versions = pack.versions(request.source);
    if (versions.empty()) return pack.find(request.source).status();
    AMANA_ASSIGN_OR_RETURN(rows, form_dataset(store, versions, key, request.filter, sink));
  }
  std::string detail = std::to_string(rows) + " rows, " + (request.filter.identified ? "IDENTIFIED" : "de-identified");
  if (request.filter.from || request.filter.to) {
    detail += ", " + request.filter.from.value_or("") + ".." + request.filter.to.value_or("");
  }
  if (request.filter.labels) detail += ", labels " + std::string(language_code(*request.filter.labels));
  detail += ", " + request.channel;
  AMANA_RETURN_IF_ERROR(store.append_audit({now_ms, actor, "export", request.source, detail}));
  return rows;
}

}  // namespace amana::server
