#include "sync-server/forms_cli.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "common/cli.h"
#include "common/files.h"
#include "common/form.h"
#include "common/hlc.h"
#include "common/message_catalogue.h"
#include "common/passphrase.h"
#include "sync-server/admin.h"
#include "sync-server/published_forms.h"

namespace amana::server {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxAnswersBytes = 1 << 20;

std::string when(std::int64_t ms) { return format_local(ms, "%Y-%m-%d %H:%M"); }

void print_warnings(const std::vector<Message>& warnings, Language language) {
  for (const Message& warning : warnings) {
    std::cerr << Message("xlsform.warning", {{"message", warning}}).in(language) << "\n";
  }
}

LocalizedText questions(const forms::FormDefinition& form) {
  return counted(static_cast<std::int64_t>(form.fields.size()), "question");
}

Result<std::string> read_form_file(const std::string& path) {
  return read_file_bounded(path, xlsform::ImportLimits().max_file_bytes);
}

Status run_publish(const std::optional<std::string>& data, const std::string& file, bool draft, Language language) {
  AMANA_ASSIGN_OR_RETURN(std::string bytes, read_form_file(file));
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(resolve_data_dir(data)));
  if (draft) {
    AMANA_ASSIGN_OR_RETURN(PublishOutcome outcome, convert_next_version(*store, file, bytes));
    print_warnings(outcome.conversion.warnings, language);
    std::cout << Message("xlsform.draft", {{"form", outcome.form.form_id},
                                           {"version", static_cast<std::int64_t>(outcome.form.version)},
                                           {"title", outcome.conversion.form.title},
                                           {"questions", questions(outcome.conversion.form)},
                                           {"file", file}})
                     .in(language)
              << "\n";
    return Status();
  }
  // The signing key is sealed under the operator passphrase: publishing needs it.
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase, read_passphrase(kServerPassphraseVariable));
  AMANA_ASSIGN_OR_RETURN(OrgKeys keys, unlock_org_keys(*store, passphrase.as_string()));
  AMANA_ASSIGN_OR_RETURN(PublishOutcome outcome,
                         publish_form(*store, keys, file, bytes, kOperator, system_wall_clock()()));
  print_warnings(outcome.conversion.warnings, language);
  std::cout << Message("xlsform.published", {{"form", outcome.form.form_id},
                                             {"version", static_cast<std::int64_t>(outcome.form.version)},
                                             {"title", outcome.conversion.form.title},
                                             {"questions", questions(outcome.conversion.form)},
                                             {"file", outcome.form.source_name}})
                   .in(language)
            << "\nDigest " << crypto::to_hex(outcome.form.digest) << ", signed by the organisation\n";
  return Status();
}

json summary_json(const PublishedForm& form, const forms::FormDefinition* definition) {
  json out{{"id", form.form_id},
           {"version", form.version},
           {"published_at", when(form.published_at_ms)},
           {"published_by", form.published_by},
           {"source", form.source_name},
           {"source_version", form.source_version},
           {"digest", crypto::to_hex(form.digest)},
           {"archived", form.archived_at_ms.has_value()}};
  if (definition != nullptr) {
    out["title"] = definition->title.en;
    out["questions"] = definition->fields.size();
  }
  return out;
}

Status run_list(const std::optional<std::string>& data, bool as_json) {
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(resolve_data_dir(data)));
  AMANA_ASSIGN_OR_RETURN(auto newest, newest_versions(*store));
  json list = json::array();
  if (newest.empty() && !as_json) std::cout << "No published forms yet: `sync-server forms publish FILE.xlsx`.\n";
  for (const PublishedForm& form : newest) {
    auto definition = forms::parse_form_definition(form.definition);
    const forms::FormDefinition* parsed = definition.ok() ? &*definition : nullptr;
    if (as_json) {
      list.push_back(summary_json(form, parsed));
      continue;
    }
    std::string id = form.form_id;
    id.resize(std::max<std::size_t>(id.size(), 24), ' ');
    std::cout << id << "  v" << form.version << "  " << (parsed ? parsed->title.en : "?") << "  published "
              << when(form.published_at_ms) << (form.archived_at_ms ? "  ARCHIVED" : "") << "\n";
  }
  if (as_json) std::cout << list.dump(2) << "\n";
  return Status();
}

Status run_show(const std::optional<std::string>& data, const std::string& form_id,
                std::optional<std::uint32_t> version, bool as_json) {
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(resolve_data_dir(data)));
  AMANA_ASSIGN_OR_RETURN(PublishedForm form, find_published_form(*store, form_id, version));
  if (as_json) {
    std::cout << form.definition << "\n";
    return Status();
  }
  AMANA_ASSIGN_OR_RETURN(OrgPublicKeys keys, org_public_keys(*store));
  AMANA_ASSIGN_OR_RETURN(forms::FormDefinition definition, forms::parse_form_definition(form.definition));
  std::cout << "Form       " << form.form_id << "\n"
            << "Title      " << definition.title.en << (definition.title.ar.empty() ? "" : " / " + definition.title.ar)
            << "\nVersion    " << form.version << ", published " << when(form.published_at_ms) << " by "
            << form.published_by << "\n"
            << "From       " << form.source_name
            << (form.source_version.empty() ? "" : " (XLSForm version " + form.source_version + ")") << "\n"
            << "Digest     " << crypto::to_hex(form.digest) << "\n"
            << "Signature  " << (verify_published_form(form, keys.sign) ? "valid, the organisation's" : "INVALID")
            << "\n"
            << "Status     " << (form.archived_at_ms ? "archived " + when(*form.archived_at_ms) : "offered") << "\n"
            << "Questions:\n";
  for (std::size_t i = 0; i < definition.fields.size(); ++i) {
    const forms::Field& field = definition.fields[i];
    std::cout << "  " << i + 1 << ". " << field.name << " (" << forms::field_type_name(field.type) << ") "
              << field.label.en << (field.required ? "  [required]" : "")
              << (field.required_if ? "  [required if " + field.required_if->source() + "]" : "")
              << (field.relevant ? "  [asked if " + field.relevant->source() + "]" : "") << "\n";
  }
  if (!form.warnings.empty()) std::cout << "Warnings when it was imported:\n" << form.warnings << "\n";
  return Status();
}

Status run_archive(const std::optional<std::string>& data, const std::string& form_id, Language language) {
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(resolve_data_dir(data)));
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase, read_passphrase(kServerPassphraseVariable));
  AMANA_ASSIGN_OR_RETURN(OrgKeys keys, unlock_org_keys(*store, passphrase.as_string()));
  AMANA_ASSIGN_OR_RETURN(auto versions, store->form_versions(form_id));
  AMANA_RETURN_IF_ERROR(archive_published_form(*store, form_id, kOperator, system_wall_clock()()));
  std::cout << Message("xlsform.archived",
                       {{"form", form_id}, {"versions", counted(static_cast<std::int64_t>(versions.size()), "version")}})
                   .in(language)
            << "\n";
  return Status();
}

Status run_try(const std::string& file, const std::string& answers_path, Language language) {
  AMANA_ASSIGN_OR_RETURN(std::string bytes, read_form_file(file));
  AMANA_ASSIGN_OR_RETURN(xlsform::Conversion conversion, xlsform::convert_xlsform(bytes, file));
  print_warnings(conversion.warnings, language);
  AMANA_ASSIGN_OR_RETURN(std::string answers_json, read_file_bounded(answers_path, kMaxAnswersBytes));
  auto answers = try_answers(conversion.form, answers_json, local_date(system_wall_clock()()));
  if (!answers.ok()) return answers.status().with_context(answers_path);
  std::cout << Message("xlsform.answers_fit",
                       {{"form", conversion.form.id},
                        {"answers", counted(static_cast<std::int64_t>(answers->size()), "answer")}})
                   .in(language)
            << "\n";
  json saved = json::object();
  for (const auto& [name, value] : *answers) saved[name] = value;
  std::cout << saved.dump(2) << "\n";
  return Status();
}

// The built-in versions this binary carries that the store lacks (published_forms.h
// update_builtin_forms): what it published for each built-in form, or why not.
Status run_update_builtin(const std::optional<std::string>& data, Language language) {
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(resolve_data_dir(data)));
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase, read_passphrase(kServerPassphraseVariable));
  AMANA_ASSIGN_OR_RETURN(OrgKeys keys, unlock_org_keys(*store, passphrase.as_string()));
  AMANA_ASSIGN_OR_RETURN(auto updates, update_builtin_forms(*store, keys, kOperator, system_wall_clock()()));
  for (const BuiltinUpdate& update : updates) std::cout << update.message.in(language) << "\n";
  return Status();
}

}  // namespace

FormsCommands::FormsCommands(CLI::App& app, const std::optional<std::string>& data) : data_(data) {
  forms_ = app.add_subcommand("forms", "Forms written as XLSForm: publish, list, show, archive, try a draft");
  forms_->require_subcommand(1);
  forms_->add_option("--lang", lang_, "en or ar: the language of messages and warnings")
      ->check(CLI::IsMember({"en", "ar"}))
      ->capture_default_str();
  publish_ = forms_->add_subcommand("publish", "Publish an XLSForm (.xlsx) as the form's next version (audited)");
  publish_->add_option("FILE", file_, "The XLSForm workbook, .xlsx")->required();
  publish_->add_flag("--draft", draft_, "Check and convert only: show what would be published, store nothing");
  list_ = forms_->add_subcommand("list", "The published forms, newest version of each");
  list_->add_flag("--json", json_, "JSON output");
  show_ = forms_->add_subcommand("show", "One published version: its questions, digest and signature");
  show_->add_option("FORM", form_, "Form id")->required();
  show_->add_option("--version", version_, "The version (default: the newest)")->check(CLI::PositiveNumber);
  show_->add_flag("--json", json_, "Print the form definition as published");
  archive_ = forms_->add_subcommand("archive", "Stop offering a form; every version is kept (audited)");
  archive_->add_option("FORM", form_, "Form id")->required();
  try_ = forms_->add_subcommand("try", "Check example answers against an XLSForm without publishing it");
  try_->add_option("FILE", file_, "The XLSForm workbook, .xlsx")->required();
  try_->add_option("--answers", answers_, "Answers as JSON, as `field-client collect --answers` reads them")
      ->required();
  update_builtin_ = forms_->add_subcommand(
      "update-builtin", "Publish the built-in versions this binary brings that the store lacks (audited; "
                        "never over a version your organisation published)");
}

int FormsCommands::run() const {
  const Language language = lang_ == "ar" ? Language::ar : Language::en;
  Status result;
  if (publish_->parsed()) result = run_publish(data_, file_, draft_, language);
  else if (list_->parsed()) result = run_list(data_, json_);
  else if (show_->parsed()) result = run_show(data_, form_, version_, json_);
  else if (archive_->parsed()) result = run_archive(data_, form_, language);
  else if (try_->parsed()) result = run_try(file_, answers_, language);
  else if (update_builtin_->parsed()) result = run_update_builtin(data_, language);
  return cli::exit_code(result, language);
}

}  // namespace amana::server
