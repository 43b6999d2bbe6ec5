#include "field-client/cases.h"

#include <algorithm>
#include <charconv>
#include <set>

#include <nlohmann/json.hpp>

#include "common/case_sources.h"
#include "common/message_catalogue.h"
#include "common/service_types.h"

namespace amana::field {
namespace {

using cases::CaseEvent;
using cases::CaseStatus;
namespace field = cases::field;

// Values[name] for a case field name declared in common/case_fields.h.
std::string& at(forms::Answers& values, std::string_view name) { return values[std::string(name)]; }

const forms::FormDefinition& case_form() {
  static const forms::FormDefinition form = [] {
    forms::FormDefinition definition;
    definition.id = std::string(kCaseFormId);
    definition.version = 1;
    return definition;
  }();
  return form;
}

std::optional<int> parse_whole_number(const std::string& text) {
  int age = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), age);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return age;
}

std::string value_or_empty(const forms::Answers& values, std::string_view field) {
  auto found = values.find(field);
  return found == values.end() ? std::string() : found->second;
}

cases::PersonKey person_of_case(const forms::Answers& values) {
  return {value_or_empty(values, field::kName), value_or_empty(values, field::kSex),
          parse_whole_number(value_or_empty(values, field::kAge)), value_or_empty(values, field::kLocation)};
}

cases::PersonKey person_of_identification(const forms::Answers& values) {
  return {value_or_empty(values, "full_name"), value_or_empty(values, "sex"),
          parse_whole_number(value_or_empty(values, "age")), value_or_empty(values, "site")};
}

}  // namespace

CaseBook::CaseBook(Store& store, const forms::FormPack& pack, forms::ValidationOptions options)
    : store_(store), pack_(pack), options_(std::move(options)) {}

Result<std::vector<PossibleDuplicate>> CaseBook::possible_duplicates(const cases::PersonKey& person,
                                                                     std::optional<RecordId> except) {
  std::vector<PossibleDuplicate> found;
  const cases::ComparablePerson wanted = cases::comparable(person);  // read once, compared with everyone
  AMANA_ASSIGN_OR_RETURN(auto case_records, store_.records(kCaseFormId));
  std::set<std::string> identifications_with_a_case;
  for (const RecordSummary& summary : case_records) {
    AMANA_ASSIGN_OR_RETURN(Record record, store_.record(summary.id));
    identifications_with_a_case.insert(value_or_empty(record.values, field::kSourceRecord));
    if (cases::likely_same_person(wanted, cases::comparable(person_of_case(record.values)))) {
      found.push_back({summary.id, "case", value_or_empty(record.values, field::kName)});
    }
  }
  AMANA_ASSIGN_OR_RETURN(auto identifications, store_.records("outreach-identification"));
  for (const RecordSummary& summary : identifications) {
    if (summary.id == except || identifications_with_a_case.count(summary.id.to_string())) continue;
    AMANA_ASSIGN_OR_RETURN(Record record, store_.record(summary.id));
    if (cases::likely_same_person(wanted, cases::comparable(person_of_identification(record.values)))) {
      found.push_back({summary.id, "identification", value_or_empty(record.values, "full_name")});
    }
  }
  return found;
}

Result<std::optional<RecordId>> CaseBook::case_opened_from(RecordId identification) {
  AMANA_ASSIGN_OR_RETURN(auto case_records, store_.records(kCaseFormId));
  const std::string wanted = identification.to_string();
  for (const RecordSummary& summary : case_records) {
    AMANA_ASSIGN_OR_RETURN(Record record, store_.record(summary.id));
    if (value_or_empty(record.values, field::kSourceRecord) == wanted) return std::optional<RecordId>(summary.id);
  }
  return std::optional<RecordId>();
}

Result<RecordId> CaseBook::open(const CaseOpening& opening) {
  cases::PersonKey person = opening.person;
  forms::Answers values{{std::string(field::kStatus), std::string(cases::status_name(CaseStatus::identified))}};
  if (opening.from_identification) {
    const RecordId from = *opening.from_identification;
    AMANA_ASSIGN_OR_RETURN(Record identification, store_.record(from));
    if (identification.summary.form_id != cases::kIdentificationForm) {
      return invalid_argument(Message("case.not_an_identification", {{"id", from.to_string()},
                                                                      {"form", identification.summary.form_id}}));
    }
    // One identification, one case, whatever the duplicate check concluded: a second case
    // would split the person's steps between two files.
    AMANA_ASSIGN_OR_RETURN(std::optional<RecordId> existing, case_opened_from(from));
    if (existing) {
      return Status(ErrorCode::already_exists,
                    Message("case.already_opened_from", {{"identification", from.to_string()},
                                                         {"case", existing->to_string()},
                                                         {"short", existing->to_string().substr(28)}}));
    }
    // What the identification established is carried over, so nobody asks twice.
    for (auto& [name, value] : cases::values_from_identification(identification.values)) values[name] = value;
    at(values, field::kSourceRecord) = from.to_string();
    const cases::PersonKey identified = person_of_identification(identification.values);
    if (value_or_empty(identification.values, "consent_recorded") != "true") {
      // Recorded without the person's consent: no name, no contact. The case needs both,
      // given by the person once they consent.
      if (person.name.empty()) {
        return invalid_argument(Message("case.identification_without_consent", {{"id", from.to_string()}}));
      }
      if (person.sex.empty()) person.sex = identified.sex;
      if (!person.age) person.age = identified.age;
      if (person.location.empty()) person.location = identified.location;
    } else {
      person = identified;
    }
  }
  if (person.name.empty()) {
    return invalid_argument(Message("case.needs_name"));
  }
  if (!opening.not_a_duplicate) {
    AMANA_ASSIGN_OR_RETURN(auto duplicates, possible_duplicates(person, opening.from_identification));
    if (!duplicates.empty()) {
      LocalizedText list;
      for (const PossibleDuplicate& d : duplicates) {
        const LocalizedText kind =
            Message(d.kind == "case" ? MessageKey("case.kind.case") : MessageKey("case.kind.identification")).localized();
        const std::string rest = " " + d.record.to_string() + "  " + d.name;
        list.en += "\n  " + kind.en + rest;
        list.ar += "\n  " + kind.ar + rest;
      }
      return Status(ErrorCode::already_exists, Message("case.maybe_known", {{"list", list}}));
    }
  }
  at(values, field::kName) = person.name;
  if (!person.sex.empty()) at(values, field::kSex) = person.sex;
  if (person.age) at(values, field::kAge) = std::to_string(*person.age);
  if (!person.location.empty()) at(values, field::kLocation) = person.location;
  return store_.add_record(case_form(), values);
}

Result<const forms::FormDefinition*> CaseBook::step_form(CaseEvent event) const {
  switch (event) {
    case CaseEvent::reg: return pack_.find(cases::kRegistrationForm);
    case CaseEvent::assess: return pack_.find(cases::kAssessmentForm);
    case CaseEvent::plan: return pack_.find(cases::kPlanForm);
    case CaseEvent::refer: return pack_.find(cases::kReferralForm);
    case CaseEvent::follow_up: return pack_.find(cases::kFollowUpForm);
    case CaseEvent::request_closure: return pack_.find(cases::kClosureForm);
    default:
      return invalid_argument(Message("case.office_step", {{"step", cases::event_label(event)}}));
  }
}

Result<RecordId> CaseBook::record_step(RecordId case_id, CaseEvent event, const forms::Answers& raw_answers) {
  AMANA_ASSIGN_OR_RETURN(Record kase, current_case(case_id));
  AMANA_ASSIGN_OR_RETURN(CaseStatus status, cases::parse_status(value_or_empty(kase.values, field::kStatus)));
  AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, step_form(event));
  // The order of checks is the order a case worker thinks in: may this step happen now,
  // are the answers right, does the client's consent allow it.
  AMANA_ASSIGN_OR_RETURN(CaseStatus next, cases::apply(status, event));
  std::set<std::string, std::less<>> given;
  for (const auto& [name, value] : raw_answers) given.insert(name);
  AMANA_ASSIGN_OR_RETURN(forms::Answers answers, forms::validate_submission(*form, raw_answers, given, options_));

  forms::Answers values = kase.values;
  at(values, field::kStatus) = std::string(cases::status_name(next));
  switch (event) {
    case CaseEvent::refer: {
      // The same rules the interview checks at their questions, for answers from a file.
      // Consent first, as the case worker thinks of it, then the directory.
      AMANA_RETURN_IF_ERROR(
          referral_consent(kase.values, value_or_empty(answers, "share_identifying_data") == "true"));
      for (const forms::Field& field : form->fields) {
        if (auto answer = answers.find(field.name); answer != answers.end()) {
          AMANA_RETURN_IF_ERROR(check_step_answer(case_id, event, field, answer->second, answers));
        }
      }
      // Tracking starts here; referral-update moves it on.
      answers["status"] = std::string(cases::referral_status_name(cases::ReferralStatus::pending));
      answers["status_date"] = value_or_empty(answers, "referral_date");
      break;
    }
    case CaseEvent::request_closure:
      at(values, field::kBeforeClosure) = std::string(cases::status_name(status));
      break;
    default:
      break;
  }
  // What the steps establish (the new one included, made last) goes into the case record
  // too, so that a reader of the record alone sees what `case show` shows.
  static const RecordId kBeingRecorded = [] {
    RecordId id;
    id.bytes.fill(0xff);
    return id;
  }();
  AMANA_ASSIGN_OR_RETURN(values, established_values(case_id, values, cases::StepRecord{kBeingRecorded, form->id, &answers}));
  return store_.add_case_step(*form, answers, case_id, values);
}

Status CaseBook::referral_consent(const forms::Answers& case_values, bool shares_identifying_data) const {
  const cases::Consent consent{value_or_empty(case_values, field::kConsentServices) == "true",
                               value_or_empty(case_values, field::kConsentReferral) == "true",
                               value_or_empty(case_values, field::kConsentInformationSharing) == "true"};
  return cases::check_referral_consent(consent, shares_identifying_data);
}

Status CaseBook::check_step_can_start(RecordId case_id, CaseEvent event) {
  AMANA_ASSIGN_OR_RETURN(Record kase, current_case(case_id));
  AMANA_ASSIGN_OR_RETURN(CaseStatus status, cases::parse_status(value_or_empty(kase.values, field::kStatus)));
  AMANA_RETURN_IF_ERROR(step_form(event).status());
  AMANA_RETURN_IF_ERROR(cases::apply(status, event).status());
  if (event == CaseEvent::refer) AMANA_RETURN_IF_ERROR(referral_consent(kase.values, false));
  return Status::success();
}

Status CaseBook::check_step_answer(RecordId case_id, CaseEvent event, const forms::Field& field,
                                   const std::string& answer, const forms::Answers& so_far) {
  if (event != CaseEvent::refer) return Status::success();
  if (field.name == "share_identifying_data" && answer == "true") {
    AMANA_ASSIGN_OR_RETURN(Record kase, current_case(case_id));
    return referral_consent(kase.values, true);
  }
  if (field.name != "provider_id") return Status::success();
  AMANA_ASSIGN_OR_RETURN(auto providers, store_.providers(true));
  const auto provider = std::find_if(providers.begin(), providers.end(), [&](const pb::Provider& p) { return p.id() == answer; });
  if (provider == providers.end()) return invalid_argument(Message("referral.unknown_provider", {{"provider", answer}}));
  if (!provider->active()) return invalid_argument(Message("referral.provider_inactive", {{"provider", answer}}));
  const std::string service = value_or_empty(so_far, "service_type");
  if (service.empty() || service == "other" || offers(*provider, service)) return Status::success();
  AMANA_ASSIGN_OR_RETURN(auto able, providers_of(service));
  std::string ids;
  for (const pb::Provider& p : able) ids += (ids.empty() ? "" : ", ") + p.id();
  return invalid_argument(Message("referral.provider_lacks_service",
                                  {{"provider", answer},
                                   {"service", services::label(service)},
                                   {"providers", ids.empty() ? Message("referral.nobody_offers").localized()
                                                             : LocalizedText{ids, {}}}}));
}

Result<std::vector<pb::Provider>> CaseBook::providers_of(std::string_view service) {
  AMANA_ASSIGN_OR_RETURN(auto providers, store_.providers(false));
  std::vector<pb::Provider> able;
  for (pb::Provider& p : providers) {
    if (service.empty() || offers(p, service)) able.push_back(std::move(p));
  }
  return able;
}

std::vector<forms::Choice> CaseBook::step_suggestions(CaseEvent event, const forms::Field& field,
                                                      const forms::Answers& so_far) {
  if (event != CaseEvent::refer || field.name != "provider_id") return {};
  std::string service = value_or_empty(so_far, "service_type");
  if (service == "other") service.clear();
  auto able = providers_of(service);
  std::vector<forms::Choice> out;
  if (!able.ok()) return out;
  for (const pb::Provider& p : *able) {
    std::string label = p.name() + (p.location().empty() ? "" : ", " + p.location());
    out.push_back({p.id(), {label, {}}, {}, false});
  }
  return out;
}

bool offers(const pb::Provider& provider, std::string_view service) {
  const services::ServiceType* wanted = services::find(service);
  for (const std::string& offered : provider.services()) {
    if (offered == service) return true;
    const services::ServiceType* type = services::find(offered);
    if (wanted != nullptr && type == wanted) return true;  // an old code of the same type
  }
  return false;
}

Status CaseBook::update_referral(RecordId referral, cases::ReferralStatus status, const std::string& note) {
  AMANA_ASSIGN_OR_RETURN(Record record, store_.record(referral));
  if (record.summary.form_id != "referral") {
    return invalid_argument(Message("case.not_a_referral", {{"id", referral.to_string()}, {"form", record.summary.form_id}}));
  }
  const std::string current = value_or_empty(record.values, "status");
  AMANA_ASSIGN_OR_RETURN(cases::ReferralStatus from,
                         cases::parse_referral_status(current.empty() ? "pending" : current));
  AMANA_ASSIGN_OR_RETURN(cases::ReferralStatus next, cases::update_referral(from, status));
  forms::Answers values = record.values;
  values["status"] = std::string(cases::referral_status_name(next));
  values["status_date"] = options_.today;
  if (!note.empty()) values["feedback"] = note;
  return store_.update_record(referral, values).status();
}

Result<std::string> CaseBook::referral_document(RecordId referral_id) {
  AMANA_ASSIGN_OR_RETURN(Record referral, store_.record(referral_id));
  if (referral.summary.form_id != "referral" || !referral.summary.case_id) {
    return invalid_argument(Message("case.not_a_case_referral", {{"id", referral_id.to_string()}}));
  }
  AMANA_ASSIGN_OR_RETURN(Record kase, current_case(*referral.summary.case_id));
  nlohmann::json document;
  document["referral"] = referral_id.to_string();
  document["case_reference"] = referral.summary.case_id->to_string().substr(28);
  for (std::string_view field : {"referral_date", "service_type", "service_type_other", "urgency", "provider_id",
                                 "reason", "expected_response_days"}) {
    if (auto v = value_or_empty(referral.values, field); !v.empty()) document[std::string(field)] = v;
  }
  // A referral made before the service vocabulary names its service by the old code.
  if (const services::ServiceType* type = services::find(value_or_empty(referral.values, "service_type"))) {
    document["service_type"] = std::string(type->code);
    document["service"] = std::string(type->en);
  }
  const bool share = value_or_empty(referral.values, "share_identifying_data") == "true" &&
                     value_or_empty(kase.values, field::kConsentInformationSharing) == "true";
  nlohmann::json client;
  if (auto sex = value_or_empty(kase.values, field::kSex); !sex.empty()) client["sex"] = sex;
  if (auto age = parse_whole_number(value_or_empty(kase.values, field::kAge))) {
    static constexpr const char* kBands[] = {"0-4", "5-11", "12-17", "18-59", "60+"};
    client["age_band"] = kBands[cases::age_band(*age)];
  }
  if (share) {
    for (std::string_view name : {field::kName, field::kAge, field::kPhone, field::kLocation}) {
      if (auto v = value_or_empty(kase.values, name); !v.empty()) client[std::string(name)] = v;
    }
  } else {
    client["identifying_data"] = "withheld: the client did not consent to sharing it";
  }
  document["client"] = client;
  return document.dump(2) + "\n";
}

Result<forms::Answers> CaseBook::step_prefill(RecordId case_id, CaseEvent event) {
  AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, step_form(event));
  AMANA_ASSIGN_OR_RETURN(Record kase, current_case(case_id));
  forms::Answers offered;
  if (event == CaseEvent::reg) {
    const std::pair<std::string_view, std::string_view> kFromCase[] = {
        {"full_name", field::kName},   {"sex", field::kSex},     {"age", field::kAge},
        {"location", field::kLocation}, {"displacement_status", field::kDisplacementStatus},
        {"phone", field::kPhone},
    };
    for (const auto& [step_field, case_field] : kFromCase) {
      if (auto v = value_or_empty(kase.values, case_field); !v.empty()) offered[std::string(step_field)] = v;
    }
    AMANA_ASSIGN_OR_RETURN(std::optional<Enrollment> enrollment, store_.enrollment());
    offered["consent_obtained_by"] = enrollment && !enrollment->user.empty() ? enrollment->user : store_.user();
  } else if (event == CaseEvent::follow_up) {
    AMANA_ASSIGN_OR_RETURN(auto steps, store_.records(std::nullopt, case_id));  // newest first
    for (const RecordSummary& step : steps) {
      if (step.form_id != cases::kPlanForm && step.form_id != cases::kFollowUpForm) continue;
      AMANA_ASSIGN_OR_RETURN(Record record, store_.record(step.id));
      const std::string due = value_or_empty(record.values, step.form_id == cases::kPlanForm ? "next_follow_up" : "next_due");
      if (!due.empty()) offered["due_date"] = due;
      break;
    }
  }
  // A value the step's form would refuse (an identification's displacement status the
  // registration does not list) is not offered.
  forms::Answers valid;
  for (const auto& [name, value] : offered) {
    const forms::Field* field = form->find_field(name);
    if (field == nullptr) continue;
    if (auto canonical = forms::canonicalize(*field, value); canonical.ok()) valid[name] = *canonical;
  }
  return valid;
}

Result<std::vector<cases::CaseFacts>> CaseBook::review_facts() {
  AMANA_ASSIGN_OR_RETURN(auto case_rows, store_.records(kCaseFormId));
  std::vector<cases::CaseFacts> out;
  out.reserve(case_rows.size());
  for (const RecordSummary& row : case_rows) {
    AMANA_ASSIGN_OR_RETURN(Record kase, store_.record(row.id));
    cases::CaseFacts facts;
    facts.id = row.id.to_string();
    // The status is the case record's own (no step owns it): known before any step is read.
    AMANA_ASSIGN_OR_RETURN(facts.status, cases::parse_status(value_or_empty(kase.values, field::kStatus)));
    facts.opened_date = local_date(kase.summary.created_at_ms);
    if (!cases::is_open(facts.status)) {
      // The review passes over a closed or transferred case, and home does not show it:
      // its steps are not opened (a device's closed cases pile up over the years).
      facts.name = value_or_empty(kase.values, field::kName);
      facts.risk_level = value_or_empty(kase.values, field::kRiskLevel);
      out.push_back(std::move(facts));
      continue;
    }
    // Each step opened once, for the case's values (list()'s rule) and for the facts.
    AMANA_ASSIGN_OR_RETURN(auto step_rows, store_.records(std::nullopt, row.id));  // newest first
    std::vector<Record> steps;
    steps.reserve(step_rows.size());
    for (const RecordSummary& step : step_rows) {
      AMANA_ASSIGN_OR_RETURN(Record record, store_.record(step.id));
      steps.push_back(std::move(record));
    }
    std::vector<cases::StepRecord> sources;
    sources.reserve(steps.size());
    for (const Record& r : steps) sources.push_back({r.summary.id, r.summary.form_id, &r.values});
    const forms::Answers values = cases::case_values(kase.values, sources).values;
    facts.name = value_or_empty(values, field::kName);
    facts.risk_level = value_or_empty(values, field::kRiskLevel);
    bool due_decided = false;  // the newest plan or follow-up says what is due next
    for (const Record& record : steps) {
      const std::string& form_id = record.summary.form_id;
      if (form_id == cases::kPlanForm || form_id == cases::kFollowUpForm) {
        if (form_id == cases::kPlanForm) facts.has_plan = true;
        if (!due_decided) {
          facts.next_due = value_or_empty(record.values, form_id == cases::kPlanForm ? "next_follow_up" : "next_due");
          due_decided = true;
        }
      } else if (form_id == cases::kReferralForm) {
        const std::string status = value_or_empty(record.values, "status");
        const auto expected = parse_whole_number(value_or_empty(record.values, "expected_response_days"));
        facts.referrals.push_back({record.summary.id.to_string(), value_or_empty(record.values, "referral_date"),
                                   status.empty() ? "pending" : status, expected.value_or(7)});
      }
    }
    out.push_back(std::move(facts));
  }
  return out;
}

Result<forms::Answers> CaseBook::established_values(RecordId case_id, const forms::Answers& stored,
                                                   std::optional<cases::StepRecord> being_recorded) {
  AMANA_ASSIGN_OR_RETURN(auto summaries, store_.records(std::nullopt, case_id));
  std::vector<Record> records;
  records.reserve(summaries.size());
  for (const RecordSummary& step : summaries) {
    if (!cases::sets_case_values(step.form_id)) continue;  // a plan or a referral: not read
    AMANA_ASSIGN_OR_RETURN(Record record, store_.record(step.id));
    records.push_back(std::move(record));
  }
  std::vector<cases::StepRecord> steps;
  for (const Record& r : records) steps.push_back({r.summary.id, r.summary.form_id, &r.values});
  if (being_recorded) steps.push_back(*being_recorded);
  return cases::case_values(stored, steps).values;
}

Result<Record> CaseBook::current_case(RecordId case_id) {
  AMANA_ASSIGN_OR_RETURN(Record record, store_.record(case_id));
  if (record.summary.form_id != kCaseFormId) return invalid_argument(Message("case.not_a_case", {{"id", case_id.to_string()}}));
  AMANA_ASSIGN_OR_RETURN(record.values, established_values(case_id, record.values, std::nullopt));
  return record;
}

Result<CaseSummary> CaseBook::summary(RecordId case_id) {
  AMANA_ASSIGN_OR_RETURN(Record record, current_case(case_id));
  CaseSummary summary;
  summary.id = case_id;
  summary.values = record.values;
  AMANA_ASSIGN_OR_RETURN(summary.status, cases::parse_status(value_or_empty(summary.values, field::kStatus)));
  summary.name = value_or_empty(summary.values, field::kName);
  summary.risk_level = value_or_empty(summary.values, field::kRiskLevel);
  summary.opened_at_ms = record.summary.created_at_ms;
  return summary;
}

Result<std::vector<CaseSummary>> CaseBook::list() {
  AMANA_ASSIGN_OR_RETURN(auto records, store_.records(kCaseFormId));
  std::vector<CaseSummary> out;
  for (const RecordSummary& record : records) {
    AMANA_ASSIGN_OR_RETURN(CaseSummary summary, this->summary(record.id));
    out.push_back(std::move(summary));
  }
  return out;
}

}  // namespace amana::field
