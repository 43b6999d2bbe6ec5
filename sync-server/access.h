// Need-to-know, as one table: which role may do what on the server. Every operation done
// on behalf of a named user (a device's request, or an office command given `--by USER`)
// is checked here, so that the role matrix test exercises the one place that decides.
//
//                      assistant  officer  meal  admin
//   sync own records       x         x      x      x    push, pull acknowledgements
//   receive cases          x         x                  assigned to them / their team
//   pull a dataset                          x           de-identified, sealed to the device
//   decide on cases                  x             x    assign, closure, transfer, reopen, resolve
//   identified export                x             x    names and ids in clear; audited
//   console: cases                   x             x    dashboard, cases, case file, conflicts, review
//   console: staff                                 x    users, invitations, unlocks, devices
//   console: audit log                             x    the log and its verification
//   console: providers               x             x    the provider directory: edit, add, import
//   console: forms                                 x    publish XLSForms, versions, archive
//   console: MEAL outputs            x      x      x    de-identified datasets, the report
//   console: own account   x         x      x      x    everyone who signs in
//
// An assistant signs in to their own account page only; MEAL staff see datasets and
// reports only (the console's pages follow this table, and so does every API call).
//
// A de-identified export or report run on the server by the operator (who holds the
// operator passphrase) needs no user.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "sync-server/central_store.h"

namespace amana::server {

enum class Operation {
  sync_own_records,
  receive_cases,
  pull_dataset,
  decide_cases,
  export_identified,
  console_cases,
  console_staff,
  console_audit,
  console_providers,
  console_forms,
  console_meal,
  console_account,
};

std::string_view operation_name(Operation operation);

bool allowed(Role role, Operation operation);

// The user, when they exist and their role allows `operation`; not_found for an unknown
// user, permission_denied naming their role and the roles that may.
Result<User> authorize(CentralStore& store, const std::string& user, Operation operation);

}  // namespace amana::server
