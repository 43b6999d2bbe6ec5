// field-client: the command line of the field device. It parses arguments, calls the
// field-client library and prints; all behaviour lives in the library.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "common/cli.h"
#include "common/form_pack.h"
#include "common/passphrase.h"
#include "common/files.h"
#include "field-client/cases.h"
#include "field-client/collect.h"
#include "field-client/interview.h"
#include "field-client/render.h"
#include "field-client/store.h"
#include "field-client/sync_client.h"

namespace {

using namespace amana;
using namespace amana::field;

struct Arguments {
  std::optional<std::string> home;
  std::string language = "en";
  bool json = false;
  // init
  std::string user;
  int max_failed_unlocks = 10;
  // collect
  std::string form_id;
  std::optional<std::string> answers_file;
  // records / show / edit
  std::optional<std::string> records_form;
  std::string record_ref;
  bool history = false;
  std::vector<std::string> assignments;
  // enroll / sync
  std::string code;
  std::optional<std::string> server;
  std::string file;
  // providers
  std::optional<std::string> service;
  bool all_providers = false;
  // cases
  std::optional<std::string> from;
  std::optional<std::string> person_name, person_sex, person_location;
  std::optional<int> person_age;
  bool not_a_duplicate = false;
  std::string referral_status;
  std::string note;
  int open_days = 90;
  // dataset pull
  std::string dataset_form;
  bool dataset_cases = false;
  std::string from_date, to_date, dataset_format = "csv";
};

Result<forms::ValidationOptions> validation_options(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::Language language, forms::parse_language(args.language));
  return forms::ValidationOptions{language, local_date(system_wall_clock()())};
}

// For what a store locked by the offline lease still allows: syncing (which lifts the
// lock), by network or bundle, and the counts in `status`.
Result<Store> unlock_to_sync(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase, read_passphrase());
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
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase, read_new_passphrase());
  StoreOptions options;
  options.max_failed_unlocks = args.max_failed_unlocks;
  AMANA_ASSIGN_OR_RETURN(Store store, Store::create(home, passphrase.as_string(), args.user, options));
  std::cout << "Created the store in " << home.string() << " for " << store.user() << "\n"
            << "Device " << store.device().to_string() << "\n";
  return Status::success();
}

Status run_forms(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::Language language, forms::parse_language(args.language));
  std::cout << forms_text(pack, language);
  return Status::success();
}

Status run_collect(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, pack.find(args.form_id));
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  if (args.answers_file) {
    // Validate before unlocking: a bad file is reported without costing a key derivation.
    AMANA_ASSIGN_OR_RETURN(forms::Answers answers, answers_from_file(*form, *args.answers_file, validation));
    AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
    AMANA_ASSIGN_OR_RETURN(RecordId id, store.add_record(*form, answers));
    std::cout << id.to_string() << "\n";
    return Status::success();
  }
  // Unlock first: a passphrase typo should not cost the interviewer a whole form.
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  AMANA_ASSIGN_OR_RETURN(forms::Answers answers, interview(*form, validation, std::cin, std::cout));
  AMANA_ASSIGN_OR_RETURN(RecordId id, store.add_record(*form, answers));
  std::cout << "\nSaved record " << id.to_string() << "\n";
  return Status::success();
}

Status run_records(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  AMANA_ASSIGN_OR_RETURN(auto list, store.records(args.records_form));
  std::cout << (args.json ? records_json(list) : records_text(list));
  return Status::success();
}

Status run_show(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::Language language, forms::parse_language(args.language));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  AMANA_ASSIGN_OR_RETURN(RecordId id, store.resolve(args.record_ref));
  AMANA_ASSIGN_OR_RETURN(Record record, store.record(id));
  auto form = pack.find(record.summary.form_id);  // a form no longer on the device shows raw values
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
    return invalid_argument("a case changes through its steps, not by editing it: see `field-client case show " +
                            id.to_string().substr(28) + "`");
  }
  AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, pack.find(record.summary.form_id));
  AMANA_ASSIGN_OR_RETURN(bool changed, edit_record(store, *form, id, args.assignments, validation));
  std::cout << (changed ? "Updated record " : "No change to record ") << id.to_string() << "\n";
  return Status::success();
}

Status run_status(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock_to_sync(args));
  AMANA_ASSIGN_OR_RETURN(StoreStatus status, store.status());
  std::cout << (args.json ? status_json(status) : status_text(status));
  return Status::success();
}

Status run_enroll(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  AMANA_ASSIGN_OR_RETURN(Enrollment enrollment, enroll_device(store, args.code, *args.server));
  std::cout << "Enrolled device " << store.device().to_string() << " with " << enrollment.server_url << " as "
            << enrollment.user << " (" << enrollment.role << (enrollment.team.empty() ? "" : ", team " + enrollment.team)
            << ")\n";
  return Status::success();
}

Status run_sync(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock_to_sync(args));
  SyncOptions options;
  options.server_url = args.server;
  options.progress = [](const std::string& line) { std::cerr << "sync: " << line << std::endl; };
  AMANA_ASSIGN_OR_RETURN(SyncReport report, sync_device(store, options));
  AMANA_ASSIGN_OR_RETURN(StoreStatus status, store.status());
  std::cout << "Synced: " << report.changesets_acknowledged << " changeset"
            << (report.changesets_acknowledged == 1 ? "" : "s") << " acknowledged; " << status.pending_operations
            << " operation" << (status.pending_operations == 1 ? "" : "s") << " waiting to sync\n";
  return Status::success();
}

Status run_bundle_export(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock_to_sync(args));
  AMANA_ASSIGN_OR_RETURN(std::size_t changesets, export_bundle(store, args.file));
  std::cout << "Wrote " << changesets << " changeset" << (changesets == 1 ? "" : "s") << " to " << args.file
            << ", sealed for the office. Bring back the file they give you and run "
               "`field-client bundle import FILE`.\n";
  return Status::success();
}

Status run_bundle_import(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock_to_sync(args));
  AMANA_ASSIGN_OR_RETURN(std::uint64_t acknowledged, import_bundle(store, args.file));
  AMANA_ASSIGN_OR_RETURN(StoreStatus status, store.status());
  std::cout << "The office has merged this device's changesets up to number " << acknowledged << "; "
            << status.pending_operations << " operation" << (status.pending_operations == 1 ? "" : "s")
            << " waiting to sync\n";
  return Status::success();
}

Status run_providers(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  AMANA_ASSIGN_OR_RETURN(auto providers, store.providers(args.all_providers));
  std::size_t shown = 0;
  for (const pb::Provider& p : providers) {
    if (args.service && std::find(p.services().begin(), p.services().end(), *args.service) == p.services().end()) {
      continue;
    }
    std::string services;
    for (const std::string& service : p.services()) services += (services.empty() ? "" : ", ") + service;
    std::cout << p.id() << "  " << p.name() << "  [" << services << "]  " << p.location()
              << (p.contact().empty() ? "" : "  " + p.contact()) << (p.hours().empty() ? "" : "  " + p.hours())
              << (p.active() ? "" : "  INACTIVE") << "\n";
    ++shown;
  }
  if (shown == 0) {
    std::cout << (providers.empty() ? "No service providers on this device yet: they arrive with `field-client sync`.\n"
                                    : "No provider offers that service.\n");
  }
  return Status::success();
}

Status run_case_open(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  CaseBook book(store, pack, validation);
  CaseOpening opening;
  if (args.from) {
    AMANA_ASSIGN_OR_RETURN(opening.from_identification, store.resolve(*args.from));
  }
  opening.person = {args.person_name.value_or(""), args.person_sex.value_or(""), args.person_age,
                    args.person_location.value_or("")};
  opening.not_a_duplicate = args.not_a_duplicate;
  AMANA_ASSIGN_OR_RETURN(RecordId id, book.open(opening));
  std::cout << "Opened case " << id.to_string() << " (identified). Next: field-client case register "
            << id.to_string().substr(28) << " --answers FILE\n";
  return Status::success();
}

Status run_case_step(const forms::FormPack& pack, const Arguments& args, cases::CaseEvent event) {
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  CaseBook book(store, pack, validation);
  AMANA_ASSIGN_OR_RETURN(RecordId case_id, store.resolve(args.record_ref));
  AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, book.step_form(event));
  forms::Answers answers;
  if (args.answers_file) {
    AMANA_ASSIGN_OR_RETURN(std::string text, read_file_bounded(*args.answers_file, kMaxAnswersFileBytes));
    auto parsed = forms::parse_answers_json(*form, text);
    if (!parsed.ok()) return parsed.status().with_context(*args.answers_file);
    answers = std::move(parsed).value();
  } else {
    AMANA_ASSIGN_OR_RETURN(answers, interview(*form, validation, std::cin, std::cout));
  }
  AMANA_ASSIGN_OR_RETURN(RecordId step, book.record_step(case_id, event, answers));
  AMANA_ASSIGN_OR_RETURN(CaseSummary summary, book.summary(case_id));
  std::cout << "Recorded " << form->id << " " << step.to_string() << "; case " << case_id.to_string() << " is now "
            << cases::status_name(summary.status) << "\n";
  return Status::success();
}

Status run_cases(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  CaseBook book(store, pack, validation);
  AMANA_ASSIGN_OR_RETURN(auto list, book.list());
  if (list.empty()) std::cout << "No cases yet. Open one with `field-client case open --from IDENTIFICATION`.\n";
  for (const CaseSummary& c : list) {
    std::string status(cases::status_name(c.status));
    status.resize(std::max<std::size_t>(status.size(), 18), ' ');
    std::string risk = c.risk_level.empty() ? "-" : c.risk_level;
    risk.resize(std::max<std::size_t>(risk.size(), 9), ' ');
    std::cout << c.id.to_string() << "  " << status << risk << format_local_time(c.opened_at_ms) << "  " << c.name
              << "\n";
  }
  return Status::success();
}

Status run_case_show(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  CaseBook book(store, pack, validation);
  AMANA_ASSIGN_OR_RETURN(RecordId case_id, store.resolve(args.record_ref));
  AMANA_ASSIGN_OR_RETURN(CaseSummary summary, book.summary(case_id));
  std::cout << "Case     " << case_id.to_string() << "\n"
            << "Status   " << cases::status_name(summary.status) << "\n"
            << "Opened   " << format_local_time(summary.opened_at_ms) << "\n";
  for (const auto& [field, value] : summary.values) {
    if (field != "status") std::cout << "  " << field << ": " << value << "\n";
  }
  std::string next;
  for (cases::CaseEvent event : cases::allowed_events(summary.status)) {
    if (!book.step_form(event).ok()) continue;  // decided at the office
    // The CLI verb: a device requests closure with `case close`.
    const std::string verb = event == cases::CaseEvent::request_closure ? "close" : std::string(cases::event_name(event));
    next += (next.empty() ? "" : ", ") + verb;
  }
  std::cout << "Next steps on this device: " << (next.empty() ? "none" : next) << "\nSteps, oldest first:\n";
  AMANA_ASSIGN_OR_RETURN(auto steps, store.records(std::nullopt, case_id));
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    std::cout << "  " << format_local_time(it->created_at_ms) << "  " << it->form_id << "  " << it->id.to_string()
              << "\n";
  }
  return Status::success();
}

Status run_referral_update(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(cases::ReferralStatus status, cases::parse_referral_status(args.referral_status));
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  CaseBook book(store, pack, validation);
  AMANA_ASSIGN_OR_RETURN(RecordId referral, store.resolve(args.record_ref));
  AMANA_RETURN_IF_ERROR(book.update_referral(referral, status, args.note));
  std::cout << "Referral " << referral.to_string() << " is now " << cases::referral_status_name(status) << "\n";
  return Status::success();
}

Status run_referral_export(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  CaseBook book(store, pack, validation);
  AMANA_ASSIGN_OR_RETURN(RecordId referral, store.resolve(args.record_ref));
  AMANA_ASSIGN_OR_RETURN(std::string document, book.referral_document(referral));
  AMANA_RETURN_IF_ERROR(write_file_atomically(args.file, document));
  std::cout << "Wrote the referral for the provider to " << args.file
            << (document.find("withheld") != std::string::npos ? " (identifying data withheld: no consent)" : "")
            << "\n";
  return Status::success();
}

Status run_case_review(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  CaseBook book(store, pack, validation);
  AMANA_ASSIGN_OR_RETURN(auto facts, book.review_facts());
  const auto findings = cases::review_cases(facts, {validation.today, args.open_days});
  if (findings.empty()) std::cout << "Nothing needs attention in the " << facts.size() << " cases on this device.\n";
  for (const cases::Finding& f : findings) {
    std::cout << f.case_id << "  " << f.name << ": " << f.what << "\n";
  }
  return Status::success();
}

Status run_dataset_pull(const Arguments& args) {
  if (args.dataset_form.empty() == !args.dataset_cases) return invalid_argument("choose one of --form F or --cases");
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  const DatasetQuery query{args.dataset_cases ? "cases" : args.dataset_form, args.from_date, args.to_date,
                           args.dataset_format};
  AMANA_ASSIGN_OR_RETURN(std::uint64_t rows, pull_dataset(store, query, args.file));
  std::cout << "Wrote " << rows << " rows to " << args.file << " (de-identified) and its codebook\n";
  return Status::success();
}

Status run_duress_set(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  std::cout << "The duress passphrase: give it instead of yours if you are ever forced to open this store. It opens "
               "an empty store and silently wipes this one.\n";
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes duress, read_new_passphrase(kDuressPassphraseVariable));
  AMANA_RETURN_IF_ERROR(store.set_duress_passphrase(duress.as_string()));
  std::cout << "Duress passphrase set.\n";
  return Status::success();
}

Status run_wipe(const Arguments& args) {
  const auto home = resolve_home(args.home);
  AMANA_RETURN_IF_ERROR(Store::wipe(home));
  std::cout << "Wiped the store in " << home.string() << ": it cannot be recovered.\n";
  return Status::success();
}

int run(int argc, char** argv) {
  CLI::App app{"Amana field client: offline collection into an encrypted local store"};
  app.require_subcommand(1);
  Arguments args;
  const char* login = std::getenv("USER");
  args.user = login && *login ? login : "field-user";
  app.add_option("--home", args.home, "Store directory (default: $AMANA_HOME, else ~/.amana)");

  auto* init = app.add_subcommand("init", "Create the encrypted store (asks for a passphrase twice)");
  init->add_option("--user", args.user, "The user collecting on this device")->capture_default_str();
  init->add_option("--max-failed-unlocks", args.max_failed_unlocks,
                   "Failed unlocks in a row after which the store destroys its data key")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();

  auto* forms_cmd = app.add_subcommand("forms", "List the forms on this device: id, version, title");
  forms_cmd->add_option("--lang", args.language, "Language of titles: en or ar");

  auto* collect = app.add_subcommand("collect", "Collect a record: interactively, or from an answers file");
  collect->add_option("FORM", args.form_id, "Form id (see `field-client forms`)")->required();
  collect->add_option("--answers", args.answers_file, "JSON file of answers (field -> value)");
  collect->add_option("--lang", args.language, "Language of questions and messages: en or ar");

  auto* records = app.add_subcommand("records", "List records, newest first");
  records->add_option("--form", args.records_form, "Only records of this form");
  records->add_flag("--json", args.json, "Machine-readable output");

  auto* show = app.add_subcommand("show", "Show one record");
  show->add_option("ID", args.record_ref, "Record id, or 8 or more of its first or last characters")->required();
  show->add_flag("--json", args.json, "Machine-readable output");
  show->add_flag("--history", args.history, "Every change to the record, oldest first");
  show->add_option("--lang", args.language, "Language of labels: en or ar");

  auto* edit = app.add_subcommand("edit", "Change answers of a record (validated like collect)");
  edit->add_option("ID", args.record_ref, "Record id, or 8 or more of its first or last characters")->required();
  edit->add_option("--set", args.assignments, "field=value (repeatable; an empty value clears the answer)")
      ->required();
  edit->add_option("--lang", args.language, "Language of messages: en or ar");

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
    command->add_option("--lang", args.language, "Language of questions and messages: en or ar");
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

  auto* wipe = app.add_subcommand("wipe", "Panic wipe: destroy the store beyond recovery (no passphrase)");
  bool confirmed = false;
  wipe->add_flag("--yes", confirmed, "Confirm: the store cannot be recovered afterwards")->required();

  CLI11_PARSE(app, argc, argv);

  auto pack = forms::FormPack::builtin();
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
    else if (wipe->parsed()) outcome = run_wipe(args);
  }
  for (const auto& [command, event] : step_commands) {
    if (pack.ok() && command->parsed()) outcome = run_case_step(*pack, args, event);
  }
  return cli::exit_code(outcome);
}

}  // namespace

int main(int argc, char** argv) { return amana::cli::guarded_main(run, argc, argv); }
