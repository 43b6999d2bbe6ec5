// `sync-server providers ...`: the service provider directory devices refer to.
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/cli.h"
#include "common/files.h"
#include "common/form_pack.h"
#include "sync-server/admin.h"
#include "sync-server/cli_commands.h"
#include "sync-server/dataset.h"
#include "sync-server/output_files.h"
#include "sync-server/providers.h"
#include "sync-server/report.h"

namespace amana::server::cli {

using nlohmann::json;

Status run_providers_add(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Provider provider,
                         make_provider(args.provider_id, args.name.value_or(""), args.services.value_or(""),
                                       args.location.value_or(""), args.contact.value_or(""),
                                       args.hours.value_or(""), args.criteria.value_or(""), true,
                                       system_wall_clock()()));
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(resolve_data_dir(args.data)));
  AMANA_RETURN_IF_ERROR(save_provider(*store, provider, true, kOperator));
  std::cout << "Added provider " << provider.id << " (" << provider.name << ")\n";
  return Status();
}

Status run_providers_update(const Arguments& args) {
  if (args.inactive && args.make_active) return invalid_argument("--active and --inactive contradict each other");
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(resolve_data_dir(args.data)));
  AMANA_ASSIGN_OR_RETURN(auto existing, store->provider(args.provider_id));
  if (!existing) return not_found("no provider '" + args.provider_id + "' (see `sync-server providers list --all`)");
  std::string services;
  for (const std::string& service : existing->services) services += service + ";";
  const bool active = args.inactive ? false : args.make_active ? true : existing->active;
  AMANA_ASSIGN_OR_RETURN(Provider updated,
                         make_provider(existing->id, args.name.value_or(existing->name), args.services.value_or(services),
                                       args.location.value_or(existing->location),
                                       args.contact.value_or(existing->contact), args.hours.value_or(existing->hours),
                                       args.criteria.value_or(existing->criteria), active, system_wall_clock()()));
  AMANA_RETURN_IF_ERROR(save_provider(*store, updated, false, kOperator));
  std::cout << "Updated provider " << updated.id << (updated.active ? "" : " (inactive: no longer offered)") << "\n";
  return Status();
}

Status run_providers_list(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(resolve_data_dir(args.data)));
  AMANA_ASSIGN_OR_RETURN(auto providers, store->providers(args.all));
  if (args.json) {
    json list = json::array();
    for (const Provider& p : providers) {
      list.push_back({{"id", p.id}, {"name", p.name}, {"services", p.services}, {"location", p.location},
                      {"contact", p.contact}, {"hours", p.hours}, {"criteria", p.criteria}, {"active", p.active}});
    }
    std::cout << list.dump(2) << "\n";
    return Status();
  }
  if (providers.empty()) std::cout << "No providers yet: `sync-server providers add` or `providers import FILE.csv`.\n";
  for (const Provider& p : providers) {
    std::string services;
    for (const std::string& service : p.services) services += (services.empty() ? "" : ", ") + service;
    std::cout << p.id << "  " << p.name << "  [" << services << "]  " << p.location
              << (p.contact.empty() ? "" : "  " + p.contact) << (p.active ? "" : "  INACTIVE") << "\n";
  }
  return Status();
}

Status run_providers_import(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(std::string text, read_file_bounded(args.file, kMaxProvidersCsvBytes));
  const std::int64_t now = system_wall_clock()();
  auto providers = providers_from_csv(text, now);
  if (!providers.ok()) return providers.status().with_context(args.file);
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(resolve_data_dir(args.data)));
  AMANA_ASSIGN_OR_RETURN(std::size_t added, import_provider_list(*store, *providers, args.file, kOperator, now));
  std::cout << "Imported " << providers->size() << " providers from " << args.file << ": " << added << " new, "
            << providers->size() - added << " updated\n";
  return Status();
}

// Listings of cases show what the review needs, not who the person is: a short reference,
// status, risk, assignee and dates. Names only with --names, and that view is audited.
}  // namespace amana::server::cli
