// The field-client command line, split by command group: the parsed arguments every
// command reads, how a command unlocks the store, and the commands kept outside main.cc.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/form_pack.h"
#include "common/status.h"
#include "field-client/cases.h"
#include "field-client/drafts.h"
#include "field-client/store.h"

namespace amana::field::cli {

struct Arguments {
  std::optional<std::string> home;
  std::string language = "en";
  Language lang = Language::en;  // parsed from `language` before any command runs
  // The language of the forms' own texts when it is neither (fr, prs, ...): questions and
  // choices in it where the form has them, else English; messages stay in `lang`.
  std::string form_language;
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
  bool dataset_cases = false, dataset_referrals = false, dataset_followups = false;
  std::string dataset_labels;
  std::string from_date, to_date, dataset_format = "csv";
  // drafts
  std::optional<std::string> resume;
  std::string draft_ref;
};

void say(const Arguments& args, const Message& message);
Result<forms::ValidationOptions> validation_options(const Arguments& args);
// The draft `--resume` names, checked to belong to this command, else a new one.
Result<Draft> draft_for(Drafts& drafts, const Arguments& args, const forms::FormDefinition& form,
                        std::optional<RecordId> case_id, const std::string& step);
// The store unlocked, refused while the offline lease has run out.
Result<Store> unlock(const Arguments& args);

// Protection cases on the device (cli_cases.cc).
Status run_case_open(const forms::FormPack& pack, const Arguments& args);
Status run_case_step(const forms::FormPack& pack, const Arguments& args, cases::CaseEvent event);
Status run_cases(const forms::FormPack& pack, const Arguments& args);
Status run_case_show(const forms::FormPack& pack, const Arguments& args);
Status run_referral_update(const forms::FormPack& pack, const Arguments& args);
Status run_referral_export(const forms::FormPack& pack, const Arguments& args);
Status run_case_review(const forms::FormPack& pack, const Arguments& args);

// The local web screens on 127.0.0.1 until Ctrl-C (cli_ui.cc); port 0 picks a free one.
Status run_ui(const forms::FormPack& pack, const Arguments& args, int port, bool no_open);

}  // namespace amana::field::cli
