// field-client: the command line of the field device. It parses arguments, calls the
// field-client library and prints; all behaviour lives in the library.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "common/case_fields.h"
#include "common/cli.h"
#include "common/form_pack.h"
#include "common/passphrase.h"
#include "common/files.h"
#include "common/message_catalogue.h"
#include "common/service_types.h"
#include "field-client/cases.h"
#include "field-client/cli_commands.h"
#include "field-client/collect.h"
#include "field-client/drafted_form.h"
#include "field-client/drafts.h"
#include "field-client/interview.h"
#include "field-client/published_forms.h"
#include "field-client/render.h"
#include "field-client/store.h"
#include "field-client/sync_client.h"

namespace amana::field::cli {

void say(const Arguments& args, const Message& message) { std::cout << message.in(args.lang) << "\n"; }


Result<forms::ValidationOptions> validation_options(const Arguments& args) {
  const std::int64_t now = system_wall_clock()();
  forms::ValidationOptions options{args.lang, local_date(now)};
  // The start and end metadata: local time with its offset, +HH:MM as a datetime answer has it.
  std::string stamp = format_local(now, "%Y-%m-%dT%H:%M:%S%z");
  if (stamp.size() >= 5 && (stamp[stamp.size() - 5] == '+' || stamp[stamp.size() - 5] == '-')) {
    stamp.insert(stamp.size() - 2, ":");
  }
  options.now = stamp;
  options.form_language = args.form_language;
  return options;
}

// For what a store locked by the offline lease still allows: syncing (which lifts the
// lock), by network or bundle, and the counts in `status`.
Result<Store> unlock_to_sync(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase, read_passphrase(kPassphraseVariable, args.lang));
  return Store::open(resolve_home(args.home), passphrase.as_string());
}

Result<Store> unlock(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock_to_sync(args));
  AMANA_RETURN_IF_ERROR(store.check_offline_lease());
  return store;
}

Status run_init(const Arguments& args) {
  const auto home = resolve_home(args.home);
  AMANA_RETURN_IF_ERROR(Store::check_can_create(home));
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase, read_new_passphrase(kPassphraseVariable, args.lang));
  StoreOptions options;
  options.max_failed_unlocks = args.max_failed_unlocks;
  AMANA_ASSIGN_OR_RETURN(Store store, Store::create(home, passphrase.as_string(), args.user, options));
  say(args, Message("cli.created_store",
                    {{"home", home.string()}, {"user", store.user()}, {"device", store.device().to_string()}}));
  return Status::success();
}

Status run_forms(const forms::FormPack& pack, const Arguments& args) {
  std::cout << forms_text(pack, args.lang);
  return Status::success();
}

// The draft `--resume` names, checked to belong to this command (`command` for a case
// step: the verb and the case), else a new draft for it.
Result<Draft> draft_for(Drafts& drafts, const Arguments& args, const forms::FormDefinition& form,
                        std::optional<RecordId> case_id, const std::string& step) {
  if (!args.resume) return Draft{{}, form.id, form.version, case_id, step, {}, {}, DraftReason::interrupted, 0};
  AMANA_ASSIGN_OR_RETURN(DraftId id, drafts.resolve(*args.resume));
  AMANA_ASSIGN_OR_RETURN(Draft draft, drafts.load(id));
  if (draft.form_id != form.id || draft.case_id != case_id || draft.step != step) {
    return invalid_argument(
        Message("drafts.other_command", {{"draft", short_id(id.to_string())}, {"command", resume_command(draft)}}));
  }
  return draft;
}

Status collect_interactively(Store& store, const forms::FormDefinition& form, const forms::ValidationOptions& validation,
                             Draft draft) {
  Drafts drafts(store);
  forms::ValidationOptions on_device = validation;
  on_device.device_id = store.device().to_string();
  AMANA_ASSIGN_OR_RETURN(forms::Answers answers, interview_keeping_draft(drafts, draft, form, on_device, {}));
  AMANA_ASSIGN_OR_RETURN(RecordId id, save_from_draft(drafts, draft, [&] { return store.add_record(form, answers); }));
  std::cout << "\n" << Message("cli.saved_record", {{"id", id.to_string()}}).in(validation.language) << "\n";
  return Status::success();
}

Status run_collect(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  if (args.resume) {
    // The form comes from the draft; the passphrase first, as the draft is sealed.
    AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
    Drafts drafts(store);
    AMANA_ASSIGN_OR_RETURN(DraftId id, drafts.resolve(*args.resume));
    AMANA_ASSIGN_OR_RETURN(Draft found, drafts.load(id));
    // A draft goes on with the version it was started with, as the record will keep it.
    auto form = pack.find(found.form_id, found.form_version);
    if (!form.ok() || found.case_id || (!args.form_id.empty() && args.form_id != found.form_id)) {
      if (!form.ok()) return not_found(Message("drafts.form_gone", {{"draft", short_id(id.to_string())}, {"form", found.form_id}}));
      return invalid_argument(
          Message("drafts.other_command", {{"draft", short_id(id.to_string())}, {"command", resume_command(found)}}));
    }
    return collect_interactively(store, **form, validation, std::move(found));
  }
  if (args.form_id.empty()) return invalid_argument(Message("cli.collect_what"));
  AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, pack.find(args.form_id));
  if (args.answers_file) {
    // Validate before unlocking: a bad file is reported without costing a key derivation.
    AMANA_ASSIGN_OR_RETURN(forms::Answers answers, answers_from_file(*form, *args.answers_file, validation));
    AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
    AMANA_ASSIGN_OR_RETURN(RecordId id, store.add_record(*form, answers));
    std::cout << id.to_string() << "\n";  // for scripts: the id alone
    return Status::success();
  }
  // Unlock first: a passphrase typo should not cost the interviewer a whole form.
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  return collect_interactively(store, *form, validation, Draft{{}, form->id, form->version, {}, {}, {}, {}, {}, 0});
}

Status run_records(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  AMANA_ASSIGN_OR_RETURN(auto list, store.records(args.records_form));
  std::cout << (args.json ? records_json(list) : records_text(list, args.lang));
  return Status::success();
}

Status run_show(const forms::FormPack& pack, const Arguments& args) {
  const Language language = args.lang;
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  AMANA_ASSIGN_OR_RETURN(RecordId id, store.resolve(args.record_ref));
  AMANA_ASSIGN_OR_RETURN(Record record, store.record(id));
  // The version it was collected with; a form no longer on the device shows raw values.
  auto form = pack.find(record.summary.form_id, record.summary.form_version);
  const forms::FormDefinition* definition = form.ok() ? *form : nullptr;
  if (args.history) {
    AMANA_ASSIGN_OR_RETURN(auto revisions, store.history(id));
    std::cout << (args.json ? history_json(revisions) : history_text(revisions, definition, language));
  } else {
    std::cout << (args.json ? record_json(record) : record_text(record, definition, language));
  }
  return Status::success();
}

Status run_edit(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  AMANA_ASSIGN_OR_RETURN(RecordId id, store.resolve(args.record_ref));
  AMANA_ASSIGN_OR_RETURN(Record record, store.record(id));
  if (record.summary.form_id == kCaseFormId) {
    return invalid_argument(Message("cli.case_not_edited", {{"id", id.to_string().substr(28)}}));
  }
  // An edit validates against the version the record was collected with.
  AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form,
                         pack.find(record.summary.form_id, record.summary.form_version));
  AMANA_ASSIGN_OR_RETURN(bool changed, edit_record(store, *form, id, args.assignments, validation));
  say(args, Message(changed ? MessageKey("cli.updated_record") : MessageKey("cli.unchanged_record"), {{"id", id.to_string()}}));
  return Status::success();
}

Status run_status(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock_to_sync(args));
  AMANA_ASSIGN_OR_RETURN(StoreStatus status, store.status());
  std::cout << (args.json ? status_json(status) : status_text(status, args.lang));
  return Status::success();
}

Status run_enroll(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  AMANA_ASSIGN_OR_RETURN(Enrollment enrollment, enroll_device(store, args.code, *args.server));
  say(args, Message(enrollment.team.empty() ? MessageKey("cli.enrolled") : MessageKey("cli.enrolled_team"),
                    {{"device", store.device().to_string()},
                     {"server", enrollment.server_url},
                     {"user", enrollment.user},
                     {"role", enrollment.role},
                     {"team", enrollment.team}}));
  return Status::success();
}

Status run_sync(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock_to_sync(args));
  SyncOptions options;
  options.server_url = args.server;
  options.progress = [](const std::string& line) { std::cerr << "sync: " << line << std::endl; };
  AMANA_ASSIGN_OR_RETURN(SyncReport report, sync_device(store, options));
  AMANA_ASSIGN_OR_RETURN(StoreStatus status, store.status());
  say(args, Message("cli.synced",
                    {{"changesets", counted(static_cast<std::int64_t>(report.changesets_acknowledged), "changeset")},
                     {"pending", counted(status.pending_operations, "operation")}}));
  if (report.forms_received > 0) {
    say(args, Message("forms.received", {{"versions", counted(static_cast<std::int64_t>(report.forms_received),
                                                              "new form version")}}));
  }
  return Status::success();
}

Status run_bundle_export(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock_to_sync(args));
  AMANA_ASSIGN_OR_RETURN(std::size_t changesets, export_bundle(store, args.file));
  say(args, Message("cli.bundle_written",
                    {{"changesets", counted(static_cast<std::int64_t>(changesets), "changeset")}, {"file", args.file}}));
  return Status::success();
}

Status run_bundle_import(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock_to_sync(args));
  AMANA_ASSIGN_OR_RETURN(std::uint64_t acknowledged, import_bundle(store, args.file));
  AMANA_ASSIGN_OR_RETURN(StoreStatus status, store.status());
  say(args, Message("cli.bundle_imported", {{"number", static_cast<std::int64_t>(acknowledged)},
                                            {"pending", counted(status.pending_operations, "operation")}}));
  // A bundle made long before it was carried here counts from when the office made it.
  return store.check_offline_lease();
}

Status run_providers(const Arguments& args) {
  // The service by its code, an old code (medical) or its label, before the passphrase.
  std::optional<std::string> service;
  if (args.service) {
    AMANA_ASSIGN_OR_RETURN(service, services::parse(*args.service));
  }
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  AMANA_ASSIGN_OR_RETURN(auto providers, store.providers(args.all_providers));
  std::size_t shown = 0;
  for (const pb::Provider& p : providers) {
    if (service && !offers(p, *service)) continue;
    std::string offered;
    // The codes in English (what --service and the office's directory file use), the
    // labels in Arabic; an old code shows as the type it stands for.
    for (const std::string& code : p.services()) {
      const services::ServiceType* type = services::find(code);
      const std::string name = args.lang == Language::ar ? services::label(code).in(Language::ar)
                                : type != nullptr         ? std::string(type->code)
                                                          : code;
      offered += (offered.empty() ? "" : args.lang == Language::ar ? "، " : ", ") + name;
    }
    std::cout << p.id() << "  " << p.name() << "  [" << offered << "]  " << p.location()
              << (p.contact().empty() ? "" : "  " + p.contact()) << (p.hours().empty() ? "" : "  " + p.hours())
              << (p.active() ? "" : "  " + Message("cli.inactive").in(args.lang)) << "\n";
    ++shown;
  }
  if (shown == 0) {
    if (providers.empty()) say(args, Message("cli.no_providers"));
    else say(args, Message("cli.no_provider_offers", {{"service", services::label(service.value_or(""))}}));
  }
  return Status::success();
}

Status run_dataset_pull(const Arguments& args) {
  const int chosen = !args.dataset_form.empty() + args.dataset_cases + args.dataset_referrals + args.dataset_followups;
  if (chosen != 1) return invalid_argument(Message("cli.dataset_choose"));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  const std::string source = args.dataset_cases       ? "cases"
                             : args.dataset_referrals ? std::string(cases::kReferralForm)
                             : args.dataset_followups ? std::string(cases::kFollowUpForm)
                                                      : args.dataset_form;
  const DatasetQuery query{source, args.from_date, args.to_date, args.dataset_format, args.dataset_labels};
  AMANA_ASSIGN_OR_RETURN(std::uint64_t rows, pull_dataset(store, query, args.file));
  say(args, Message("cli.dataset_written", {{"rows", static_cast<std::int64_t>(rows)}, {"file", args.file}}));
  return Status::success();
}

Status run_duress_set(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  say(args, Message("cli.duress_explained"));
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes duress, read_new_passphrase(kDuressPassphraseVariable, args.lang));
  AMANA_RETURN_IF_ERROR(store.set_duress_passphrase(duress.as_string()));
  say(args, Message("cli.duress_set"));
  return Status::success();
}

Status run_drafts(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  Drafts drafts(store);
  AMANA_ASSIGN_OR_RETURN(auto list, drafts.list());
  if (list.empty()) {
    say(args, Message("drafts.none"));
    return Status::success();
  }
  say(args, Message("drafts.header"));
  for (const Draft& draft : list) {
    auto form = pack.find(draft.form_id);
    std::string count = std::to_string(draft.answers.size());
    count.resize(std::max<std::size_t>(count.size(), 9), ' ');
    std::cout << short_id(draft.id.to_string()) << "  " << format_local_time(draft.updated_at_ms) << "  " << count
              << (form.ok() ? (*form)->title.in(args.lang) : draft.form_id);
    if (draft.case_id) std::cout << ", " << Message("drafts.case_of", {{"case", short_id(draft.case_id->to_string())}}).in(args.lang);
    std::cout << " ("
              << Message(draft.reason == DraftReason::refused ? MessageKey("drafts.refused") : MessageKey("drafts.interrupted"))
                     .in(args.lang)
              << ")\n";
    say(args, Message("drafts.resume_with", {{"command", resume_command(draft)}}));
  }
  return Status::success();
}

Status run_drafts_discard(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  Drafts drafts(store);
  AMANA_ASSIGN_OR_RETURN(DraftId id, drafts.resolve(args.draft_ref));
  AMANA_RETURN_IF_ERROR(drafts.discard(id));
  say(args, Message("drafts.discarded", {{"draft", short_id(id.to_string())}}));
  return Status::success();
}

Status run_wipe(const Arguments& args) {
  const auto home = resolve_home(args.home);
  AMANA_RETURN_IF_ERROR(Store::wipe(home));
  say(args, Message("cli.wiped", {{"home", home.string()}}));
  return Status::success();
}

}  // namespace amana::field::cli

namespace {

using namespace amana;
using namespace amana::field;
using namespace amana::field::cli;

int run(int argc, char** argv) {
  CLI::App app{"Amana field client: offline collection into an encrypted local store"};
  app.require_subcommand(1);
  Arguments args;
  const char* login = std::getenv("USER");
  args.user = login && *login ? login : "field-user";
  app.add_option("--home", args.home, "Store directory (default: $AMANA_HOME, else ~/.amana)");
  // One option for every command, before or after its name: the language of everything
  // printed, questions and errors included. AMANA_LANG sets it for a device used in Arabic.
  app.add_option("--lang", args.language, "Language of questions, labels and messages: en or ar")
      ->envname("AMANA_LANG");
  app.add_option("--form-lang", args.form_language,
                 "Language of the forms' own texts when it is another (fr, prs, ...); English where a form lacks it")
      ->envname("AMANA_FORM_LANG");
  app.fallthrough();

  auto* init = app.add_subcommand("init", "Create the encrypted store (asks for a passphrase twice)");
  init->add_option("--user", args.user, "The user collecting on this device")->capture_default_str();
  init->add_option("--max-failed-unlocks", args.max_failed_unlocks,
                   "Failed unlocks in a row after which the store destroys its data key")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();

  auto* forms_cmd = app.add_subcommand("forms", "List the forms on this device: id, version, title");

  auto* collect = app.add_subcommand("collect", "Collect a record: interactively, or from an answers file");
  collect->add_option("FORM", args.form_id, "Form id (see `field-client forms`)");
  collect->add_option("--answers", args.answers_file, "JSON file of answers (field -> value)");
  collect->add_option("--resume", args.resume, "Go on with a draft (see `field-client drafts`)")->excludes("--answers");

  auto* records = app.add_subcommand("records", "List records, newest first");
  records->add_option("--form", args.records_form, "Only records of this form");
  records->add_flag("--json", args.json, "Machine-readable output");

  auto* show = app.add_subcommand("show", "Show one record");
  show->add_option("ID", args.record_ref, "Record id, or 8 or more of its first or last characters")->required();
  show->add_flag("--json", args.json, "Machine-readable output");
  show->add_flag("--history", args.history, "Every change to the record, oldest first");

  auto* edit = app.add_subcommand("edit", "Change answers of a record (validated like collect)");
  edit->add_option("ID", args.record_ref, "Record id, or 8 or more of its first or last characters")->required();
  edit->add_option("--set", args.assignments, "field=value (repeatable; an empty value clears the answer)")
      ->required();

  auto* status = app.add_subcommand("status", "Records per form and operations waiting to sync");
  status->add_flag("--json", args.json, "Machine-readable output");

  auto* enroll = app.add_subcommand("enroll", "Join the organisation with a code from the office");
  enroll->add_option("CODE", args.code, "The enrollment code, e.g. 7K2Q-9XHD-...")->required();
  enroll->add_option("--server", args.server, "The sync server, e.g. http://10.0.0.5:8443")->required();

  auto* sync = app.add_subcommand("sync", "Send everything collected to the server (resumes where it stopped)");
  sync->add_option("--server", args.server, "Use this server address instead of the enrolled one");

  auto* cases_cmd = app.add_subcommand("cases", "List the protection cases on this device");
  auto* case_cmd = app.add_subcommand("case", "Open a case, or record a step of one (register, assess, plan, ...)");
  case_cmd->require_subcommand(1);
  auto* case_open = case_cmd->add_subcommand("open", "Open a case: --from an identification, or --name ...");
  case_open->add_option("--from", args.from, "The outreach identification the case starts from");
  case_open->add_option("--name", args.person_name, "The person's name (without --from)");
  case_open->add_option("--sex", args.person_sex, "female or male");
  case_open->add_option("--age", args.person_age, "Age in years")->check(CLI::Range(0, 120));
  case_open->add_option("--location", args.person_location, "Site or village");
  case_open->add_flag("--not-a-duplicate", args.not_a_duplicate,
                      "Open even though someone alike is already known here (after checking with the person)");
  auto* case_show = case_cmd->add_subcommand("show", "A case: its status, what it holds, its steps");
  case_show->add_option("CASE", args.record_ref, "Case id, or 8 or more of its first or last characters")->required();
  auto* referral_update = case_cmd->add_subcommand("referral-update", "Record what became of a referral");
  referral_update->add_option("REFERRAL", args.record_ref, "The referral record (as `case show` lists it)")->required();
  referral_update->add_option("--status", args.referral_status, "accepted, service_provided, declined or no_response")
      ->required();
  referral_update->add_option("--note", args.note, "The provider's feedback");
  auto* referral_export = case_cmd->add_subcommand("referral-export", "Write a referral for the provider, as consent allows");
  referral_export->add_option("REFERRAL", args.record_ref, "The referral record")->required();
  referral_export->add_option("FILE", args.file, "Where to write it (JSON)")->required();
  auto* case_review = case_cmd->add_subcommand("review", "The weekly review: what needs attention");
  case_review->add_option("--days", args.open_days, "List cases open longer than this")->capture_default_str();
  const std::pair<const char*, cases::CaseEvent> kSteps[] = {
      {"register", cases::CaseEvent::reg},          {"assess", cases::CaseEvent::assess},
      {"plan", cases::CaseEvent::plan},             {"refer", cases::CaseEvent::refer},
      {"follow-up", cases::CaseEvent::follow_up},   {"close", cases::CaseEvent::request_closure},
  };
  std::vector<std::pair<CLI::App*, cases::CaseEvent>> step_commands;
  for (const auto& [verb, event] : kSteps) {
    auto* command = case_cmd->add_subcommand(
        verb, std::string("Record the ") + (event == cases::CaseEvent::request_closure ? "closure request (an officer approves it)"
                                                                                        : verb + std::string(" step")));
    command->add_option("CASE", args.record_ref, "Case id, or 8 or more of its first or last characters")->required();
    command->add_option("--answers", args.answers_file, "JSON file of answers (otherwise asked question by question)");
    command->add_option("--resume", args.resume, "Go on with this step's draft (see `field-client drafts`)")
        ->excludes("--answers");
    step_commands.emplace_back(command, event);
  }

  auto* providers = app.add_subcommand("providers", "The service provider directory (synced from the office)");
  providers->add_option("--service", args.service, "Only providers of this service type, e.g. health");
  providers->add_flag("--all", args.all_providers, "Include providers no longer offered");

  auto* dataset_cmd = app.add_subcommand("dataset", "De-identified datasets from the server (MEAL users)");
  dataset_cmd->require_subcommand(1);
  auto* dataset_pull = dataset_cmd->add_subcommand("pull", "Fetch a dataset, sealed to this device");
  dataset_pull->add_option("--form", args.dataset_form, "One row per record of this form");
  dataset_pull->add_flag("--cases", args.dataset_cases, "One row per case");
  dataset_pull->add_flag("--referrals", args.dataset_referrals, "One row per referral, with its status and case");
  dataset_pull->add_flag("--followups", args.dataset_followups, "One row per follow-up, with its case");
  dataset_pull->add_option("--labels", args.dataset_labels, "Choice answers as labels in this language (en or ar)")
      ->check(CLI::IsMember({"en", "ar"}));
  dataset_pull->add_option("--from", args.from_date, "First date, YYYY-MM-DD");
  dataset_pull->add_option("--to", args.to_date, "Last date, YYYY-MM-DD");
  dataset_pull->add_option("--format", args.dataset_format, "csv or jsonl")
      ->check(CLI::IsMember({"csv", "jsonl"}))->capture_default_str();
  dataset_pull->add_option("--out", args.file, "Where to write it")->required();

  auto* duress = app.add_subcommand("duress", "A passphrase that, if you are forced to unlock, wipes the store");
  duress->require_subcommand(1);
  auto* duress_set = duress->add_subcommand("set", "Set the duress passphrase (asked twice; from "
                                                   "AMANA_DURESS_PASSPHRASE in scripts)");

  auto* bundle = app.add_subcommand("bundle", "Sync without a network, by a file on a USB stick");
  bundle->require_subcommand(1);
  auto* bundle_export = bundle->add_subcommand("export", "Write everything not yet synced to a sealed file");
  bundle_export->add_option("FILE", args.file, "The bundle file to write")->required();
  auto* bundle_import = bundle->add_subcommand("import", "Apply a bundle the office made for this device");
  bundle_import->add_option("FILE", args.file, "The bundle file")->required();

  auto* drafts_cmd = app.add_subcommand("drafts", "Forms not finished on this device, and how to resume each");
  auto* drafts_discard = drafts_cmd->add_subcommand("discard", "Throw a draft away (its answers are overwritten)");
  drafts_discard->add_option("DRAFT", args.draft_ref, "The draft, as `field-client drafts` lists it")->required();

  auto* ui_cmd = app.add_subcommand("ui", "The screens in a web browser, on this computer only (offline)");
  int ui_port = 0;
  bool ui_no_open = false;
  ui_cmd->add_option("--store", args.home, "Store directory (as --home)");
  ui_cmd->add_option("--port", ui_port, "Port on 127.0.0.1 (default: a free one)")->check(CLI::Range(0, 65535));
  ui_cmd->add_flag("--no-open", ui_no_open, "Print the address without opening a browser");
  ui_cmd->add_option("--server", args.server, "Sync with this server address instead of the enrolled one");

  auto* wipe = app.add_subcommand("wipe", "Panic wipe: destroy the store beyond recovery (no passphrase)");
  bool confirmed = false;
  wipe->add_flag("--yes", confirmed, "Confirm: the store cannot be recovered afterwards")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    // The language may be the one thing that parsed; the detail is CLI11's, in English.
    args.lang = forms::parse_language(args.language).ok() ? *forms::parse_language(args.language) : Language::en;
    return amana::cli::exit_code(invalid_argument(Message("cli.usage", {{"detail", std::string(e.what())}})), args.lang);
  }
  auto language = forms::parse_language(args.language);
  if (!language.ok()) return amana::cli::exit_code(language.status());
  args.lang = *language;

  // The built-in pack with the office's published forms over it (published_forms.h): read
  // before the passphrase is asked for, as forms are in clear and each version is signed.
  // A store that cannot be read leaves the built-in pack, so that wipe and status still run.
  auto pack = forms::FormPack::builtin();
  if (pack.ok()) {
    if (auto with_published = device_form_pack(resolve_home(args.home)); with_published.ok()) {
      pack = std::move(with_published);
    }
  }
  Status outcome = pack.status();
  if (pack.ok()) {
    if (init->parsed()) outcome = run_init(args);
    else if (forms_cmd->parsed()) outcome = run_forms(*pack, args);
    else if (collect->parsed()) outcome = run_collect(*pack, args);
    else if (records->parsed()) outcome = run_records(args);
    else if (show->parsed()) outcome = run_show(*pack, args);
    else if (edit->parsed()) outcome = run_edit(*pack, args);
    else if (status->parsed()) outcome = run_status(args);
    else if (enroll->parsed()) outcome = run_enroll(args);
    else if (sync->parsed()) outcome = run_sync(args);
    else if (providers->parsed()) outcome = run_providers(args);
    else if (dataset_pull->parsed()) outcome = run_dataset_pull(args);
    else if (duress_set->parsed()) outcome = run_duress_set(args);
    else if (cases_cmd->parsed()) outcome = run_cases(*pack, args);
    else if (case_open->parsed()) outcome = run_case_open(*pack, args);
    else if (case_show->parsed()) outcome = run_case_show(*pack, args);
    else if (referral_update->parsed()) outcome = run_referral_update(*pack, args);
    else if (case_review->parsed()) outcome = run_case_review(*pack, args);
    else if (referral_export->parsed()) outcome = run_referral_export(*pack, args);
    else if (bundle_export->parsed()) outcome = run_bundle_export(args);
    else if (bundle_import->parsed()) outcome = run_bundle_import(args);
    else if (drafts_discard->parsed()) outcome = run_drafts_discard(args);
    else if (drafts_cmd->parsed()) outcome = run_drafts(*pack, args);
    else if (wipe->parsed()) outcome = run_wipe(args);
    else if (ui_cmd->parsed()) outcome = run_ui(*pack, args, ui_port, ui_no_open);
  }
  for (const auto& [command, event] : step_commands) {
    if (pack.ok() && command->parsed()) outcome = run_case_step(*pack, args, event);
  }
  return amana::cli::exit_code(outcome, args.lang);
}

}  // namespace

int main(int argc, char** argv) { return amana::cli::guarded_main(run, argc, argv); }
