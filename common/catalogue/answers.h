// Messages of the forms engine: reading and checking answers (common/answers.h).
#pragma once

#include "common/message.h"

namespace amana::catalogue {

inline constexpr CatalogueEntry kAnswers[] = {
    {"answer.whole_number", "{field} ({label}): must be a whole number",
     "{field} ({label}): يجب أن يكون عددًا صحيحًا"},
    {"answer.decimal_number", "{field} ({label}): must be a number", "{field} ({label}): يجب أن يكون رقمًا"},
    {"answer.date",
     "{field} ({label}): must be a real date, written 2026-11-20 (year first) or 20/11/2026 (day first, also "
     "20-11-2026 or 20.11.2026), with a four-digit year",
     "{field} ({label}): يجب أن يكون تاريخًا صحيحًا، يُكتب 2026-11-20 (السنة أولًا) أو 20/11/2026 (اليوم أولًا، "
     "أو 20-11-2026 أو 20.11.2026)، والسنة بأربعة أرقام"},
    {"answer.datetime",
     "{field} ({label}): must be a date and time written YYYY-MM-DDTHH:MM:SS with Z or a +HH:MM offset",
     "{field} ({label}): يجب أن يكون تاريخًا ووقتًا بالصيغة YYYY-MM-DDTHH:MM:SS مع Z أو فرق التوقيت"},
    {"answer.choice", "{field} ({label}): must be one of: {choices} (its number, name or label)",
     "{field} ({label}): يجب أن يكون أحد الخيارات: {choices} (رقمه أو اسمه أو عنوانه)"},
    {"answer.choices",
     "{field} ({label}): must be choices from: {choices} (numbers, names or labels, separated by commas)",
     "{field} ({label}): يجب أن تكون من الخيارات: {choices} (أرقام أو أسماء أو عناوين، تفصل بينها فواصل)"},
    {"answer.boolean", "{field} ({label}): must be yes or no", "{field} ({label}): يجب أن يكون نعم أو لا"},
    {"answer.geopoint",
     "{field} ({label}): must be 'latitude longitude' with latitude in [-90, 90] and longitude in [-180, 180]",
     "{field} ({label}): يجب أن يكون 'خط العرض خط الطول' ضمن الحدود"},
    {"answer.note", "{field} ({label}): is a note and takes no answer", "{field} ({label}): ملاحظة لا تقبل إجابة"},
    {"answer.too_long", "{field} ({label}): is longer than {limit} bytes", "{field} ({label}): النص أطول من {limit} بايت"},
    {"answer.required", "{field} ({label}): is required", "{field} ({label}): إجابة مطلوبة"},
    {"answer.required_message", "{field} ({label}): {message}", "{field} ({label}): {message}"},
    {"answer.computed", "{field} ({label}): is computed by the form and takes no answer",
     "{field} ({label}): تحسبه الاستمارة ولا يقبل إجابة"},
    {"answer.read_only", "{field} ({label}): is read-only and takes no answer",
     "{field} ({label}): للقراءة فقط ولا يقبل إجابة"},
    {"answer.not_relevant", "{field} ({label}): is not asked here: its relevance condition ({condition}) is false",
     "{field} ({label}): هذا السؤال لا يُطرح هنا: شرط ظهوره ({condition}) غير متحقق"},
    {"answer.constraint_failed", "{field} ({label}): does not satisfy {constraint}",
     "{field} ({label}): لا يستوفي الشرط {constraint}"},
    {"answer.constraint_message", "{field} ({label}): {message}", "{field} ({label}): {message}"},
    {"answer.unknown_field", "unknown field '{field}' in form '{form}'", "الحقل '{field}' غير موجود في الاستمارة '{form}'"},
    {"answer.file_unknown_field", "unknown field '{field}' in form '{form}' (see `field-client forms` for its fields)",
     "الحقل '{field}' غير موجود في الاستمارة '{form}' (انظر حقولها في `field-client forms`)"},
    {"answer.file_not_json", "answers are not valid JSON: {detail}", "ملف الإجابات ليس JSON صالحًا: {detail}"},
    {"answer.file_not_object", "answers must be a JSON object of field name -> answer",
     "يجب أن يكون ملف الإجابات كائن JSON: اسم الحقل -> الإجابة"},
    {"answer.file_list_items", "field '{field}': a list answer may only hold choice names (strings)",
     "الحقل '{field}': القائمة لا تحوي إلا أسماء خيارات (نصوص)"},
    {"answer.file_value_type", "field '{field}': an answer must be a string, number, boolean, list of choices or null",
     "الحقل '{field}': يجب أن تكون الإجابة نصًا أو رقمًا أو نعم/لا أو قائمة خيارات أو null"},
    {"form.unknown_language", "unknown language '{language}'; use en or ar", "اللغة '{language}' غير معروفة؛ استخدم en أو ar"},
    {"form.unknown_form", "unknown form '{form}'; the forms on this device are: {forms} (see `field-client forms`)",
     "الاستمارة '{form}' غير موجودة؛ الاستمارات على هذا الجهاز: {forms} (انظر `field-client forms`)"},
};

}  // namespace amana::catalogue
