#include "field-client/interview.h"

#include <algorithm>
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
    case FieldType::note:
    case FieldType::calculate:
    case FieldType::start:
    case FieldType::end:
    case FieldType::today:
    case FieldType::deviceid: return std::nullopt;
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
    out_ << form_.title.in(std::string_view(code_)) << "\n";
    if (!passed_.empty()) say(Message("interview.resumed", {{"count", static_cast<std::int64_t>(answers_.size())}}));
    while (true) {
      AMANA_RETURN_IF_ERROR(walk_once());
      // Answers were checked one by one; the whole-form pass catches rules that look
      // across questions. A refused question is asked again.
      FieldNames all;
      for (const auto& [name, value] : answers_) {
        if (const Field* field = form_.find_field(name); field != nullptr && field->asked()) all.insert(name);
      }
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
  // A form text in the collector's language, with the answers so far put in.
  std::string shown(const forms::LocalizedText& text) const { return forms::render_text(form_, text, answers_, code_); }

  // The headings of the groups a field opens, outermost first: a section's title once.
  void open_groups(const Field& field, std::vector<const forms::Group*>& open) {
    const std::vector<const forms::Group*> chain = form_.groups_of(field);
    std::size_t same = 0;
    while (same < chain.size() && same < open.size() && chain[same] == open[same]) ++same;
    for (std::size_t k = same; k < chain.size(); ++k) {
      if (!chain[k]->label.empty()) out_ << "\n== " << shown(chain[k]->label) << " ==\n";
    }
    open = chain;
  }

  Status walk_once() {
    int number = 0;
    std::vector<const forms::Group*> open;
    forms::recompute(form_, answers_, options_);
    for (const Field& field : form_.fields) {
      if (!forms::is_relevant(form_, field, answers_, options_.today)) {
        answers_.erase(field.name);
        continue;
      }
      // Calculations and metadata are kept up to date by recompute and never shown; a
      // question with a calculation is shown with its value, read-only.
      if (field.type == FieldType::calculate || (field.computed() && !field.calculation)) continue;
      open_groups(field, open);
      ++number;
      if (field.type == FieldType::note || !field.asked()) {
        // Read out once: a resumed draft does not repeat a note already read. A read-only
        // question is shown with its value.
        if (passed_.insert(field.name).second || !field.asked()) {
          out_ << "\n" << shown(field.label) << "\n";
          if (!field.hint.empty()) out_ << "   " << shown(field.hint) << "\n";
          if (field.type != FieldType::note) {
            if (!answers_.count(field.name)) {
              if (auto value = forms::default_answer(form_, field, answers_, options_)) answers_[field.name] = *value;
            }
            if (auto value = answers_.find(field.name); value != answers_.end()) out_ << "   = " << value->second << "\n";
          }
        }
        continue;
      }
      const bool required = forms::is_required(form_, field, answers_, options_.today);
      if (passed_.count(field.name) != 0 && still_valid(field, required)) continue;
      AMANA_RETURN_IF_ERROR(ask(field, required, number));
      passed_.insert(field.name);
      forms::recompute(form_, answers_, options_);
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
    // An answer given but not yet passed (a case step's prefill) is what Enter keeps.
    const auto offered_answer = answers_.find(field.name);
    const std::optional<std::string> default_value = offered_answer != answers_.end() && !offered_answer->second.empty()
                                                         ? std::optional<std::string>(offered_answer->second)
                                                         : forms::default_answer(form_, field, answers_, options_);
    const std::vector<forms::Choice> suggestions =
        hooks_.suggestions && field.type == FieldType::text ? hooks_.suggestions(field, without(field.name))
                                                            : std::vector<forms::Choice>{};
    out_ << "\n" << number << ". " << shown(field.label) << (required ? " *" : "") << "\n";
    if (!field.hint.empty()) out_ << "   " << shown(field.hint) << "\n";
    // Cascading selects offer only what the filter keeps, numbered as shown; choices named
    // by numbers are shown by their names, which are what the collector types.
    const std::vector<const forms::Choice*> offered = forms::available_choices(form_, field, answers_, options_.today);
    const bool named_by_numbers = std::any_of(offered.begin(), offered.end(), [](const forms::Choice* c) {
      return !c->name.empty() && std::all_of(c->name.begin(), c->name.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    });
    for (std::size_t i = 0; i < offered.size(); ++i) {
      out_ << "   " << (named_by_numbers ? offered[i]->name : std::to_string(i + 1)) << ") "
           << offered[i]->label.in(std::string_view(code_)) << "\n";
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
        if (!field.required_message.empty()) out_ << field.required_message.in(std::string_view(code_)) << "\n";
        else say(Message("interview.required"));
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
  std::string code_ = forms::text_language(options_);
};

}  // namespace

Result<Answers> interview(const forms::FormDefinition& form, const forms::ValidationOptions& options,
                          std::istream& in, std::ostream& out, const InterviewHooks& hooks) {
  return Walk(form, options, in, out, hooks).run();
}

}  // namespace amana::field
