#include "field-client/collect.h"

#include <cstdlib>

#include "common/files.h"
#include "common/message_catalogue.h"
#include "common/repeat_keys.h"

namespace amana::field {

std::filesystem::path resolve_home(const std::optional<std::string>& flag) {
  if (flag && !flag->empty()) return *flag;
  if (const char* env = std::getenv("AMANA_HOME"); env && *env) return env;
  const char* user_home = std::getenv("HOME");
  return std::filesystem::path(user_home && *user_home ? user_home : ".") / ".amana";
}

Result<forms::Answers> answers_from_file(const forms::FormDefinition& form, const std::filesystem::path& path,
                                         const forms::ValidationOptions& options) {
  AMANA_ASSIGN_OR_RETURN(std::string text, read_file_bounded(path, kMaxAnswersFileBytes));
  auto raw = forms::parse_answers_json(form, text);
  if (!raw.ok()) return raw.status().with_context(path.string());
  std::set<std::string, std::less<>> given;
  for (const auto& [name, value] : *raw) given.insert(name);
  auto answers = forms::validate_submission(form, *raw, given, options);
  if (!answers.ok()) return answers.status().with_context(path.string());
  return answers;
}

namespace {

// A field of the form, or an instance's field or marker (`members/<id>/m_age`,
// common/repeat_keys.h): validate_submission then checks that the instance's repeats are
// the form's and that the instance is live.
bool names_an_answer(const forms::FormDefinition& form, const std::string& name) {
  if (name.find('/') == std::string::npos) return form.find_field(name) != nullptr;
  const auto key = forms::repeat_keys::parse(name);
  return key && !key->path.empty() && (key->is_marker() || form.find_field(key->field) != nullptr);
}

}  // namespace

Result<bool> edit_record(Store& store, const forms::FormDefinition& form, RecordId id,
                         const std::vector<std::string>& assignments, const forms::ValidationOptions& options) {
  AMANA_ASSIGN_OR_RETURN(Record record, store.record(id));
  if (record.summary.form_id != form.id) {
    return invalid_argument(Message("edit.other_form", {{"id", id.to_string()}, {"form", record.summary.form_id}}));
  }
  forms::Answers merged = record.values;
  std::set<std::string, std::less<>> explicitly_set;
  for (const std::string& assignment : assignments) {
    const auto equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
      return invalid_argument(Message("edit.not_an_assignment", {{"assignment", assignment}}));
    }
    const std::string name = assignment.substr(0, equals);
    if (!names_an_answer(form, name)) {
      return invalid_argument(Message("edit.unknown_field", {{"form", form.id}, {"field", name}, {"id", id.to_string()}}));
    }
    const std::string value = assignment.substr(equals + 1);
    if (value.empty()) merged.erase(name);
    else merged[name] = value;
    explicitly_set.insert(name);
  }
  AMANA_ASSIGN_OR_RETURN(forms::Answers validated,
                         forms::validate_submission(form, merged, explicitly_set, options));
  return store.update_record(id, validated);
}

}  // namespace amana::field
