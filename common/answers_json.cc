#include <nlohmann/json.hpp>

#include "common/answers.h"
#include "common/message_catalogue.h"

namespace amana::forms {

Result<Answers> parse_answers_json(const FormDefinition& form, std::string_view json_text) {
  using nlohmann::json;
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
  for (const auto& [name, value] : document.items()) {
    if (form.find_field(name) == nullptr) {
      return invalid_argument(Message("answer.file_unknown_field", {{"field", name}, {"form", form.id}}));
    }
    if (value.is_null()) continue;
    if (value.is_string()) {
      answers[name] = value.get<std::string>();
    } else if (value.is_boolean()) {
      answers[name] = value.get<bool>() ? "true" : "false";
    } else if (value.is_number_integer()) {
      answers[name] = std::to_string(value.get<std::int64_t>());
    } else if (value.is_number()) {
      answers[name] = value.dump();
    } else if (value.is_array()) {
      std::string joined;
      for (const json& item : value) {
        if (!item.is_string()) return invalid_argument(Message("answer.file_list_items", {{"field", name}}));
        // Commas, not spaces: a list may hold labels, and labels have spaces.
        joined += (joined.empty() ? "" : ", ") + item.get<std::string>();
      }
      answers[name] = joined;
    } else {
      return invalid_argument(Message("answer.file_value_type", {{"field", name}}));
    }
  }
  return answers;
}

}  // namespace amana::forms
