#include "sync-server/access.h"

namespace amana::server {
namespace {

constexpr Role kRoles[] = {Role::assistant, Role::officer, Role::meal, Role::admin};

}  // namespace

std::string_view operation_name(Operation operation) {
  switch (operation) {
    case Operation::sync_own_records: return "sync their own records";
    case Operation::receive_cases: return "receive cases";
    case Operation::pull_dataset: return "pull datasets";
    case Operation::decide_cases: return "decide on cases";
    case Operation::export_identified: return "export identified data";
    case Operation::console_cases: return "see and decide on cases in the console";
    case Operation::console_staff: return "manage users and devices";
    case Operation::console_audit: return "read the audit log";
    case Operation::console_providers: return "edit the provider directory";
    case Operation::console_forms: return "publish and archive forms";
    case Operation::console_meal: return "download datasets and reports";
    case Operation::console_account: return "see their own account";
  }
  return "?";
}

bool allowed(Role role, Operation operation) {
  switch (operation) {
    case Operation::sync_own_records: return true;
    case Operation::receive_cases: return role == Role::assistant || role == Role::officer;
    case Operation::pull_dataset: return role == Role::meal;
    case Operation::decide_cases:
    case Operation::export_identified:
    case Operation::console_cases:
    case Operation::console_providers: return role == Role::officer || role == Role::admin;
    case Operation::console_staff:
    case Operation::console_audit:
    case Operation::console_forms: return role == Role::admin;
    case Operation::console_meal: return role != Role::assistant;
    case Operation::console_account: return true;
  }
  return false;
}

Result<User> authorize(CentralStore& store, const std::string& name, Operation operation) {
  AMANA_ASSIGN_OR_RETURN(User user, store.user(name));
  if (allowed(user.role, operation)) return user;
  std::string who;
  for (Role role : kRoles) {
    if (allowed(role, operation)) who += std::string(who.empty() ? "" : " or ") + std::string(role_name(role));
  }
  return Status(ErrorCode::permission_denied, name + " is " + std::string(role_name(user.role)) + ": only " + who +
                                                  " users may " + std::string(operation_name(operation)));
}

}  // namespace amana::server
