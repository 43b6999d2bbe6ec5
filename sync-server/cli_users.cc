// `sync-server users ...`: the people of the organisation, their roles and teams, and
// their office console accounts (invitations, unlocks, second factors).
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/cli.h"
#include "sync-server/admin.h"
#include "sync-server/cli_commands.h"
#include "sync-server/staff_accounts.h"
#include "sync-server/staff_totp.h"

namespace amana::server::cli {

using nlohmann::json;

Status run_users_add(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Role role, parse_role(args.role));
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_RETURN_IF_ERROR(register_user(*server.store, {args.user, role, args.team}, system_wall_clock()()));
  std::cout << "Added " << args.user << " (" << role_name(role) << (args.team.empty() ? "" : ", team " + args.team)
            << ")\n";
  return Status();
}

Status run_users_list(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_ASSIGN_OR_RETURN(auto users, list_users(*server.store));
  AMANA_ASSIGN_OR_RETURN(auto devices, server.store->devices());
  if (args.json) {
    json list = json::array();
    for (const User& u : users) {
      list.push_back({{"name", u.name}, {"role", role_name(u.role)}, {"team", u.team}, {"active", u.active}});
    }
    std::cout << list.dump(2) << "\n";
    return Status();
  }
  if (users.empty()) std::cout << "No users yet: `sync-server users add NAME --role R --team T`.\n";
  for (const User& u : users) {
    const auto enrolled = std::count_if(devices.begin(), devices.end(), [&](const Device& d) {
      return d.user == u.name && !d.revoked_at_ms;
    });
    std::string name = u.name;
    name.resize(std::max<std::size_t>(name.size(), 16), ' ');
    std::string role(role_name(u.role));
    role.resize(10, ' ');
    std::cout << name << "  " << role << "  " << (u.team.empty() ? "-" : u.team) << "  " << enrolled
              << (enrolled == 1 ? " device" : " devices") << (u.active ? "" : "  DEACTIVATED") << "\n";
  }
  return Status();
}

Status run_users_set(const Arguments& args) {
  UserChange change;
  if (args.new_role) {
    AMANA_ASSIGN_OR_RETURN(Role role, parse_role(*args.new_role));
    change.role = role;
  }
  change.team = args.new_team;
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_RETURN_IF_ERROR(change_user(*server.store, args.user, change, system_wall_clock()()));
  AMANA_ASSIGN_OR_RETURN(User user, server.store->user(args.user));
  std::cout << user.name << " is now " << role_name(user.role) << (user.team.empty() ? "" : ", team " + user.team)
            << ": their devices learn what they hold at their next sync\n";
  return Status();
}

Status run_users_invite(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  StaffAccounts accounts(*server.store);
  AMANA_ASSIGN_OR_RETURN(StaffInvitation invitation, accounts.invite(args.user, kOperator));
  std::cout << "Invitation for " << args.user << ": " << invitation.code << " (valid until "
            << format_time(invitation.expires_at_ms) << ", once)\n"
            << "They open the office console, choose \"I have an invitation\" and set their password with it.\n";
  return Status();
}

Status run_users_unlock(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  StaffAccounts accounts(*server.store);
  AMANA_RETURN_IF_ERROR(accounts.unlock(args.user, kOperator));
  std::cout << args.user << " may sign in to the console again.\n";
  return Status();
}

Status run_users_totp_remove(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_RETURN_IF_ERROR(remove_totp(*server.store, args.user, kOperator, system_wall_clock()()));
  std::cout << args.user << " signs in with their password alone until they set up a second factor again.\n";
  return Status();
}

Status run_users_totp_policy(const Arguments& args) {
  if (args.totp_policy != "required" && args.totp_policy != "optional") {
    return invalid_argument("say required or optional");
  }
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_RETURN_IF_ERROR(set_totp_required(*server.store, args.totp_policy == "required", kOperator, system_wall_clock()()));
  std::cout << "A second factor is now " << args.totp_policy << " for officers and administrators in the console.\n";
  return Status();
}

Status run_users_deactivate(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_ASSIGN_OR_RETURN(auto revoked, deactivate_user(*server.store, args.user, system_wall_clock()()));
  std::cout << "Deactivated " << args.user << "; revoked " << revoked.size()
            << (revoked.size() == 1 ? " device" : " devices") << " (each wipes itself at its next contact). "
            << "Reassign their cases: `sync-server cases review` lists them.\n";
  return Status();
}

}  // namespace amana::server::cli
