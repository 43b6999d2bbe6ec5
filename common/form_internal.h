// What the parts of the form loader share (form.cc reads the document and its groups,
// form_field.cc one field, form_checks.cc the checks across fields). Not part of the
// contract in form.h.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/form.h"

namespace amana::forms::detail {

using nlohmann::json;

bool is_identifier(std::string_view name);
bool is_form_id(std::string_view id);
// A choice's name: any UTF-8 without whitespace or control characters (form.h, Choice).
bool is_choice_name(std::string_view name);
bool is_metadata(FieldType type);
Status check_keys(const json& object, std::initializer_list<std::string_view> allowed, std::string_view where);
Result<std::string> get_string(const json& object, const char* key, std::string_view where);
// {"en": "...", "ar": "...", "fr": "..."}, or a plain string for English only.
Result<LocalizedText> get_text(const json& value, std::string_view where);
Result<expr::Expression> get_expression(const json& field, const char* key, std::string_view where,
                                        expr::Syntax syntax = expr::Syntax::standard);
// The field at `index` (0-based, for messages until its name is known), without its group.
Result<Field> parse_field(const json& object, std::size_t index);

// Every ${name} names a field that has a value, and what is decided while walking the
// form looks only back.
Status check_references(const FormDefinition& form);
// FormDefinition::evaluation_order, or the calculation cycle that prevents one.
Result<std::vector<std::size_t>> evaluation_order(const FormDefinition& form);

}  // namespace amana::forms::detail
