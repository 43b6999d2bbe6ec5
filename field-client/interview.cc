#include "field-client/interview.h"

#include <istream>
#include <ostream>
#include <string>

#include "common/message_catalogue.h"
#include "common/text_fold.h"

namespace amana::field {
namespace {

using forms::Answers;
using forms::Field;
using forms::FieldType;
using forms::Language;

std::optional<MessageKey> input_hint(const Field& field) {
  switch (field.type) {
    case FieldType::select_one: return MessageKey("interview.choose_one");
    case FieldType::select_multiple: return MessageKey("interview.choose_several");
    case FieldType::boolean: return MessageKey("interview.yes_no");
    case FieldType::date: return MessageKey("interview.date");
    case FieldType::datetime: return MessageKey("interview.datetime");
    case FieldType::geopoint: return MessageKey("interview.geopoint");
    case FieldType::integer: return MessageKey("interview.whole_number");
    case FieldType::decimal: return MessageKey("interview.number");
    case FieldType::text:
      if (field.numeric_text) return MessageKey("interview.digits");
      return std::nullopt;
    case FieldType::note: return std::nullopt;
  }
  return std::nullopt;
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

// The value a suggestion stands for, when the line is its number, name or label.
std::optional<std::string> picked(const std::vector<forms::Choice>& suggestions, const std::string& line) {
  const std::string folded = text::fold(line);
  for (std::size_t i = 0; i < suggestions.size(); ++i) {
    const forms::Choice& s = suggestions[i];
    if (text::ascii_digits(line) == std::to_string(i + 1) || line == s.name || folded == text::fold(s.label.en) ||
        (!s.label.ar.empty() && folded == text::fold(s.label.ar))) {
      return s.name;
    }
  }
  return std::nullopt;
}

class Walk {
 public:
  Walk(const forms::FormDefinition& form, const forms::ValidationOptions& options, std::istream& in,
       std::ostream& out, const InterviewHooks& hooks)
      : form_(form), options_(options), in_(in), out_(out), hooks_(hooks), answers_(hooks.given),
        passed_(hooks.passed) {}

  Result<Answers> run() {
    out_ << form_.title.in(language()) << "\n";
    if (!passed_.empty()) say(Message("interview.resumed", {{"count", static_cast<std::int64_t>(answers_.size())}}));
    while (true) {
      AMANA_RETURN_IF_ERROR(walk_once());
      // Answers were checked one by one; the whole-form pass catches rules that look
      // across questions. A refused question is asked again.
      FieldNames all;
      for (const auto& [name, value] : answers_) all.insert(name);
      auto complete = forms::validate_submission(form_, answers_, all, options_);
      if (complete.ok()) return complete;
      bool reopened = false;
      for (const Message& line : complete.status().lines()) {
        for (const MessageArg& arg : line.args()) {
          if (arg.name == "field" && form_.find_field(arg.value.en) != nullptr) {
            passed_.erase(arg.value.en);
            reopened = true;
          }
        }
        say(line);
      }
      if (!reopened) return complete.status();
    }
  }

 private:
  Language language() const { return options_.language; }
  void say(const Message& message) { out_ << message.in(language()) << "\n"; }

  Status walk_once() {
    int number = 0;
    for (const Field& field : form_.fields) {
      if (!forms::is_relevant(form_, field, answers_, options_.today)) {
        answers_.erase(field.name);
        continue;
      }
      ++number;
      if (field.type == FieldType::note) {
        // Read out once: a resumed draft does not repeat a note already read.
        if (passed_.insert(field.name).second) {
          out_ << "\n" << field.label.in(language()) << "\n";
          if (!field.hint.empty()) out_ << "   " << field.hint.in(language()) << "\n";
        }
        continue;
      }
      const bool required = forms::is_required(form_, field, answers_, options_.today);
      if (passed_.count(field.name) != 0 && still_valid(field, required)) continue;
      AMANA_RETURN_IF_ERROR(ask(field, required, number));
      passed_.insert(field.name);
      if (hooks_.on_progress) AMANA_RETURN_IF_ERROR(hooks_.on_progress(answers_, passed_));
    }
    return Status::success();
  }

  // Whether a question answered (or skipped) in a draft still stands as it is.
  bool still_valid(const Field& field, bool required) {
    auto answer = answers_.find(field.name);
    if (answer != answers_.end() && answer->second.empty()) {
      answers_.erase(answer);
      answer = answers_.end();
    }
    if (answer == answers_.end()) return !required;
    const Answers others = without(field.name);
    auto checked = forms::check_answer(form_, field, answer->second, others, options_);
    Status status = checked.ok() && hooks_.check ? hooks_.check(field, *checked, others) : checked.status();
    if (status.ok()) return true;
    out_ << "\n" << status.message_in(language()) << "\n";
    answers_.erase(field.name);
    return false;
  }

  Answers without(const std::string& name) const {
    Answers others = answers_;
    others.erase(name);
    return others;
  }

  Status ask(const Field& field, bool required, int number) {
    const std::optional<std::string> default_value = forms::default_answer(field, options_.today);
    const std::vector<forms::Choice> suggestions =
        hooks_.suggestions && field.type == FieldType::text ? hooks_.suggestions(field, without(field.name))
                                                            : std::vector<forms::Choice>{};
    out_ << "\n" << number << ". " << field.label.in(language()) << (required ? " *" : "") << "\n";
    if (!field.hint.empty()) out_ << "   " << field.hint.in(language()) << "\n";
    const auto offered = field.offered_choices();
    for (std::size_t i = 0; i < offered.size(); ++i) {
      out_ << "   " << (i + 1) << ") " << offered[i].label.in(language()) << "\n";
    }
    for (std::size_t i = 0; i < suggestions.size(); ++i) {
      out_ << "   " << (i + 1) << ") " << suggestions[i].label.in(language()) << "  [" << suggestions[i].name << "]\n";
    }
    if (!suggestions.empty()) out_ << "   " << Message("interview.pick_suggestion").in(language()) << "\n";
    if (auto hint = input_hint(field)) out_ << "   " << Message(*hint).in(language()) << "\n";
    if (default_value) out_ << "   " << Message("interview.default_is", {{"value", *default_value}}).in(language()) << "\n";
    else if (!required) out_ << "   " << Message("interview.optional").in(language()) << "\n";
    const Answers others = without(field.name);
    while (true) {
      out_ << "> " << std::flush;
      std::string line;
      if (!std::getline(in_, line)) return Status(ErrorCode::cancelled, Message("interview.ended"));
      line = trim(std::move(line));
      if (line.empty() && default_value) line = *default_value;
      if (line.empty()) {
        if (!required) {
          answers_.erase(field.name);
          return Status::success();
        }
        say(Message("interview.required"));
        continue;
      }
      if (auto value = picked(suggestions, line)) line = *value;
      auto checked = forms::check_answer(form_, field, line, others, options_);
      Status status = checked.ok() && hooks_.check ? hooks_.check(field, *checked, others) : checked.status();
      if (status.ok()) {
        answers_[field.name] = *checked;
        return Status::success();
      }
      out_ << status.message_in(language()) << "\n";
    }
  }

  const forms::FormDefinition& form_;
  const forms::ValidationOptions& options_;
  std::istream& in_;
  std::ostream& out_;
  const InterviewHooks& hooks_;
  Answers answers_;
  FieldNames passed_;
};

}  // namespace

Result<Answers> interview(const forms::FormDefinition& form, const forms::ValidationOptions& options,
                          std::istream& in, std::ostream& out, const InterviewHooks& hooks) {
  return Walk(form, options, in, out, hooks).run();
}

}  // namespace amana::field
