#include <nlohmann/json.hpp>

#include "common/answers.h"
#include "common/message_catalogue.h"

namespace amana::forms {
namespace {

using nlohmann::json;

// One answer as raw text for validate_submission.
Result<std::string> raw_answer(const std::string& name, const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return std::string(value.get<bool>() ? "true" : "false");
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (value.is_number()) return value.dump();
  if (value.is_array()) {
    std::string joined;
    for (const json& item : value) {
      if (!item.is_string()) return invalid_argument(Message("answer.file_list_items", {{"field", name}}));
      // Commas, not spaces: a list may hold labels, and labels have spaces.
      joined += (joined.empty() ? "" : ", ") + item.get<std::string>();
    }
    return joined;
  }
  return invalid_argument(Message("answer.file_value_type", {{"field", name}}));
}

// The answers of `object` read in `scope`: its fields are those whose innermost repeat is
// `repeat` (nullptr: the top level), and a repeat directly inside it takes a list of
// instances.
Status read_object(const FormDefinition& form, const json& object, const Group* repeat, const Scope& scope,
                   Answers& answers) {
  for (const auto& [name, value] : object.items()) {
    if (repeat == nullptr && name.find('/') != std::string::npos && repeat_keys::parse(name)) {
      // A flat key of an instance, as a record's answers hold it: validate_submission checks it.
      if (value.is_null()) continue;
      AMANA_ASSIGN_OR_RETURN(answers[name], raw_answer(name, value));
      continue;
    }
    const Group* inner = form.find_group(name);
    if (inner != nullptr && inner->repeat) {
      const auto outer = form.repeats_of(*inner);
      if (outer.empty() ? repeat != nullptr : outer.back() != repeat) {
        return invalid_argument(Message("answer.file_unknown_field", {{"field", name}, {"form", form.id}}));
      }
      if (value.is_null()) continue;
      if (!value.is_array()) return invalid_argument(Message("answer.file_instances", {{"field", name}}));
      if (value.size() > kMaxInstances) {
        return invalid_argument(Message("answer.file_too_many_instances",
                                        {{"field", name},
                                         {"count", static_cast<std::int64_t>(value.size())},
                                         {"limit", static_cast<std::int64_t>(kMaxInstances)}}));
      }
      std::int64_t position = 0;
      for (const json& instance : value) {
        if (!instance.is_object()) return invalid_argument(Message("answer.file_instances", {{"field", name}}));
        Scope at = scope;
        at.push_back({name, repeat_keys::new_instance_id()});
        // Positions 1, 2, ... in the list's order: position_before orders them so.
        answers[repeat_keys::compose(repeat_keys::Key{at, ""})] = std::to_string(++position);
        AMANA_RETURN_IF_ERROR(read_object(form, instance, inner, at, answers));
      }
      continue;
    }
    const Field* field = form.find_field(name);
    const auto holders = field ? form.repeats_of(*field) : std::vector<const Group*>{};
    if (field == nullptr || (holders.empty() ? repeat != nullptr : holders.back() != repeat)) {
      return invalid_argument(Message("answer.file_unknown_field", {{"field", name}, {"form", form.id}}));
    }
    if (value.is_null()) continue;
    AMANA_ASSIGN_OR_RETURN(answers[answer_key(*field, scope)], raw_answer(name, value));
  }
  return Status();
}

}  // namespace

Result<Answers> parse_answers_json(const FormDefinition& form, std::string_view json_text) {
  json document;
  try {
    document = json::parse(json_text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e999
    std::string what = e.what();
    if (auto at = what.find("] "); at != std::string::npos) what = what.substr(at + 2);
    return invalid_argument(Message("answer.file_not_json", {{"detail", what}}));
  }
  if (!document.is_object()) {
    return invalid_argument(Message("answer.file_not_object"));
  }
  Answers answers;
  AMANA_RETURN_IF_ERROR(read_object(form, document, nullptr, {}, answers));
  return answers;
}

}  // namespace amana::forms
