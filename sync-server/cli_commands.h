// The sync-server command line, split by command group: the parsed arguments every
// command reads, and the commands kept outside main.cc. Commands parse nothing and print
// what the library returns.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "sync-server/central_store.h"
#include "sync-server/http_server.h"
#include "sync-server/org_keys.h"

namespace amana::server::cli {

struct Arguments {
  std::optional<std::string> data;
  bool json = false;
  std::string listen = "127.0.0.1:8443";
  int threads = 2;
  std::string tls_cert, tls_key;
  bool plain_http = false;
  std::size_t max_connections_per_address = HttpOptions().max_connections_per_address;
  std::string user;
  std::string role;
  std::string team;
  std::string expires = "24h";
  std::string device;
  std::string file;
  std::string form;
  bool no_qr = false;
  // providers
  std::string provider_id;
  std::optional<std::string> name, services, location, contact, hours, criteria;
  bool inactive = false;
  bool make_active = false;
  bool all = false;
  // cases
  std::string case_ref;
  std::string officer;
  int open_days = 90;
  std::string organisation;
  std::string record_ref;
  std::string field;
  std::string value;
  // export
  std::string export_form;
  bool export_cases = false, export_referrals = false, export_followups = false;
  std::optional<std::string> from, to;
  std::string format = "csv";
  std::string out;
  bool identified = false;
  std::string dates = "month";
  std::string labels;  // empty: codes
  bool force = false;
  // identified views: names only when asked for
  bool names = false;
  std::string lang = "en";
  // users set
  std::optional<std::string> new_role, new_team;
  std::string totp_policy;  // users totp-policy: required or optional
  // audit, lease
  std::string lease;
  // report
  std::string period;
  std::string report_location;
  std::string report_format = "html";
  std::string narrative;  // a file the officer wrote for the period
  // refused
  bool values = false;
};

// The store with the org keys unlocked (asks for the operator passphrase).
struct Unlocked {
  std::unique_ptr<CentralStore> store;
  OrgKeys keys;
};

// Opens the store and unlocks the org keys (asks for the operator passphrase).
Result<Unlocked> unlock(const Arguments& args);
std::string format_time(std::int64_t ms);

// Users and their console accounts (cli_users.cc).
Status run_users_add(const Arguments& args);
Status run_users_list(const Arguments& args);
Status run_users_set(const Arguments& args);
Status run_users_invite(const Arguments& args);
Status run_users_unlock(const Arguments& args);
Status run_users_totp_remove(const Arguments& args);
Status run_users_totp_policy(const Arguments& args);
Status run_users_deactivate(const Arguments& args);

// Cases at the office (cli_cases.cc): listings and views are audited when they name people.
Status run_cases(const Arguments& args);
Status run_cases_review(const Arguments& args);
Status run_case_show(const Arguments& args);
Status run_case_history(const Arguments& args);
Status run_case_duplicates(const Arguments& args);
Status run_case_conflicts(const Arguments& args);
// assign, transfer, reopen, resolve, approve, reject.
Status run_case_decision(const Arguments& args, const std::string& what);

// The provider directory (cli_providers.cc).
Status run_providers_add(const Arguments& args);
Status run_providers_update(const Arguments& args);
Status run_providers_list(const Arguments& args);
Status run_providers_import(const Arguments& args);

// Datasets and the monthly report (cli_meal.cc).
Status run_export(const Arguments& args);
Status run_report(const Arguments& args);

}  // namespace amana::server::cli
