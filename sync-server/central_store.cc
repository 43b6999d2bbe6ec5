#include "sync-server/central_store.h"

namespace amana::server {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::assistant: return "assistant";
    case Role::officer: return "officer";
    case Role::meal: return "meal";
    case Role::admin: return "admin";
  }
  return "assistant";
}

Result<Role> parse_role(std::string_view name) {
  for (Role role : {Role::assistant, Role::officer, Role::meal, Role::admin}) {
    if (role_name(role) == name) return role;
  }
  return invalid_argument("unknown role '" + std::string(name) + "'; use assistant, officer, meal or admin");
}

}  // namespace amana::server
