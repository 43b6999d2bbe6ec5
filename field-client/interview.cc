#include "field-client/interview.h"

#include <istream>
#include <ostream>
#include <string>

namespace amana::field {
namespace {

using forms::Answers;
using forms::Field;
using forms::FieldType;
using forms::Language;

struct Phrases {
  const char* required;
  const char* choose_one;
  const char* choose_several;
  const char* yes_no;
  const char* date;
  const char* datetime;
  const char* geopoint;
  const char* whole_number;
  const char* number;
  const char* default_is;
  const char* optional;
  const char* cancelled;
  const char* saved_prompt;
};

constexpr Phrases kEnglish{
    "An answer is required.",
    "(type the number or name of one choice)",
    "(type the numbers or names of all that apply, separated by spaces)",
    "(yes / no)",
    "(date, YYYY-MM-DD)",
    "(date and time, YYYY-MM-DDTHH:MM)",
    "(latitude longitude, e.g. 12.05 24.88)",
    "(a whole number)",
    "(a number)",
    "Press Enter for: ",
    "optional: press Enter to skip",
    "input ended before the form was complete; nothing was saved",
    "> ",
};

constexpr Phrases kArabic{
    "هذا السؤال يتطلب إجابة.",
    "(اكتب رقم أو اسم خيار واحد)",
    "(اكتب أرقام أو أسماء كل ما ينطبق، مفصولة بمسافات)",
    "(نعم / لا)",
    "(تاريخ، YYYY-MM-DD)",
    "(تاريخ ووقت، YYYY-MM-DDTHH:MM)",
    "(خط العرض خط الطول، مثال: 12.05 24.88)",
    "(عدد صحيح)",
    "(رقم)",
    "اضغط Enter لاختيار: ",
    "اختياري: اضغط Enter للتخطي",
    "انتهى الإدخال قبل اكتمال الاستمارة؛ لم يُحفظ شيء",
    "> ",
};

const Phrases& phrases(Language language) { return language == Language::ar ? kArabic : kEnglish; }

const char* input_hint(const Field& field, const Phrases& p) {
  switch (field.type) {
    case FieldType::select_one: return p.choose_one;
    case FieldType::select_multiple: return p.choose_several;
    case FieldType::boolean: return p.yes_no;
    case FieldType::date: return p.date;
    case FieldType::datetime: return p.datetime;
    case FieldType::geopoint: return p.geopoint;
    case FieldType::integer: return p.whole_number;
    case FieldType::decimal: return p.number;
    case FieldType::text:
    case FieldType::note: return "";
  }
  return "";
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

void print_question(const Field& field, bool required, const std::optional<std::string>& default_value,
                    int number, Language language, std::ostream& out) {
  const Phrases& p = phrases(language);
  out << "\n" << number << ". " << field.label.in(language) << (required ? " *" : "") << "\n";
  if (!field.hint.empty()) out << "   " << field.hint.in(language) << "\n";
  for (std::size_t i = 0; i < field.choices.size(); ++i) {
    out << "   " << (i + 1) << ") " << field.choices[i].label.in(language) << "\n";
  }
  const char* hint = input_hint(field, p);
  if (*hint != '\0') out << "   " << hint << "\n";
  if (default_value) out << "   " << p.default_is << *default_value << "\n";
  else if (!required) out << "   (" << p.optional << ")\n";
}

}  // namespace

Result<Answers> interview(const forms::FormDefinition& form, const forms::ValidationOptions& options,
                          std::istream& in, std::ostream& out) {
  const Phrases& p = phrases(options.language);
  out << form.title.in(options.language) << "\n";
  Answers answers;
  int number = 0;
  for (const Field& field : form.fields) {
    if (!forms::is_relevant(form, field, answers, options.today)) {
      answers.erase(field.name);
      continue;
    }
    ++number;
    if (field.type == FieldType::note) {
      out << "\n" << field.label.in(options.language) << "\n";
      if (!field.hint.empty()) out << "   " << field.hint.in(options.language) << "\n";
      continue;
    }
    const bool required = forms::is_required(form, field, answers, options.today);
    const std::optional<std::string> default_value = forms::default_answer(field, options.today);
    print_question(field, required, default_value, number, options.language, out);
    while (true) {
      out << p.saved_prompt << std::flush;
      std::string line;
      if (!std::getline(in, line)) return Status(ErrorCode::cancelled, p.cancelled);
      line = trim(std::move(line));
      if (line.empty() && default_value) line = *default_value;
      if (line.empty()) {
        if (!required) {
          answers.erase(field.name);
          break;
        }
        out << p.required << "\n";
        continue;
      }
      auto checked = forms::check_answer(form, field, line, answers, options);
      if (checked.ok()) {
        answers[field.name] = *checked;
        break;
      }
      out << checked.status().message() << "\n";
    }
  }
  // Answers were checked one by one; the whole-form pass catches rules that look ahead
  // (a relevance that depends on a later answer).
  std::set<std::string, std::less<>> all;
  for (const auto& [name, value] : answers) all.insert(name);
  return forms::validate_submission(form, answers, all, options);
}

}  // namespace amana::field
