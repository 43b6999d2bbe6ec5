// sync-server: the command line of the office server. It parses arguments, calls the
// sync-server library and prints; all behaviour lives in the library.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <pthread.h>
#include <string>

#include "common/files.h"
#include "common/cli.h"
#include "common/hlc.h"
#include "common/id_parts.h"
#include "common/passphrase.h"
#include "sync-server/admin.h"
#include "sync-server/cli_commands.h"
#include "sync-server/case_admin.h"
#include "sync-server/dataset.h"
#include "sync-server/forms_cli.h"
#include "sync-server/output_files.h"
#include "sync-server/report.h"
#include "common/form_pack.h"
#include "sync-server/http_server.h"
#include "sync-server/org_keys.h"
#include "sync-server/providers.h"
#include "sync-server/published_forms.h"
#include "sync-server/qr.h"
#include "sync-server/service.h"
#include "sync-server/console.h"
#include "sync-server/staff_accounts.h"
#include "sync-server/tls_certificate.h"

namespace amana::server::cli {

using nlohmann::json;


Result<Unlocked> unlock(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(resolve_data_dir(args.data)));
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase, read_passphrase(kServerPassphraseVariable));
  AMANA_ASSIGN_OR_RETURN(OrgKeys keys, unlock_org_keys(*store, passphrase.as_string()));
  return Unlocked{std::move(store), std::move(keys)};
}

std::string format_time(std::int64_t ms) { return ms == 0 ? "never" : format_local(ms, "%Y-%m-%d %H:%M"); }

Status run_init(const Arguments& args) {
  const auto dir = resolve_data_dir(args.data);
  if (std::filesystem::exists(dir / "central.db")) {
    return Status(ErrorCode::already_exists, "a server store already exists in " + dir.string());
  }
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase, read_new_passphrase(kServerPassphraseVariable));
  AMANA_RETURN_IF_ERROR(init_server(dir, passphrase.as_string()));
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(dir));
  AMANA_ASSIGN_OR_RETURN(OrgPublicKeys keys, org_public_keys(*store));
  AMANA_ASSIGN_OR_RETURN(tls::KeyPin tls_key, create_self_signed_certificate(default_tls_files(dir)));
  std::cout << "Created the server store in " << dir.string() << "\n"
            << "Organisation signing key " << crypto::to_hex(keys.sign) << "\n"
            << "TLS certificate " << default_tls_files(dir).certificate.string() << ", self-signed; note its key's "
            << "SHA-256:\n  " << tls::to_text(tls_key) << "\n";
  return Status();
}

// Users and enrollment decide who receives cases: they need the operator passphrase, not
// only write access to the data directory.
Status run_enroll(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(std::chrono::milliseconds lifetime, parse_duration(args.expires));
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_ASSIGN_OR_RETURN(IssuedCode issued,
                         issue_enrollment_code(*server.store, args.user, lifetime, system_wall_clock()()));
  std::cout << "Enrollment code for " << args.user << " (single use, expires " << format_time(issued.expires_at_ms)
            << "):\n\n  " << issued.code << "\n\n"
            << "On the device: field-client enroll " << issued.code << " --server URL\n";
  if (!args.no_qr) {
    AMANA_ASSIGN_OR_RETURN(std::string qr, render_qr(issued.code));
    std::cout << "\n" << qr;
  }
  return Status();
}

Status run_devices(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(resolve_data_dir(args.data)));
  AMANA_ASSIGN_OR_RETURN(auto devices, store->devices());
  if (args.json) {
    json list = json::array();
    for (const Device& d : devices) {
      list.push_back({{"id", d.id.to_string()},
                      {"user", d.user},
                      {"enrolled_at_ms", d.enrolled_at_ms},
                      {"revoked", d.revoked_at_ms.has_value()},
                      {"high_water", d.high_water},
                      {"last_sync_ms", d.last_sync_ms}});
    }
    std::cout << list.dump(2) << "\n";
    return Status();
  }
  if (devices.empty()) std::cout << "No devices yet. Issue a code with `sync-server enroll USER`.\n";
  for (const Device& d : devices) {
    std::cout << d.id.to_string() << "  " << d.user << "  enrolled " << format_time(d.enrolled_at_ms)
              << "  last sync " << format_time(d.last_sync_ms) << "  changesets " << d.high_water
              << (d.revoked_at_ms ? "  REVOKED" : "") << "\n";
  }
  return Status();
}

Status run_revoke(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(resolve_data_dir(args.data)));
  AMANA_ASSIGN_OR_RETURN(DeviceId id, find_device(*store, args.device));
  AMANA_RETURN_IF_ERROR(revoke_device(*store, id, system_wall_clock()()));
  std::cout << "Revoked device " << id.to_string() << ": it can no longer sync, and wipes its store when it next "
               "contacts the server.\n";
  return Status();
}

Status run_status(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(resolve_data_dir(args.data)));
  AMANA_ASSIGN_OR_RETURN(StoreCounts counts, store->counts());
  if (args.json) {
    std::cout << json{{"users", counts.users},
                      {"devices", counts.devices},
                      {"revoked_devices", counts.revoked_devices},
                      {"records", counts.records},
                      {"field_versions", counts.field_versions},
                      {"conflicts", counts.conflicts},
                      {"forks", counts.forks},
                      {"providers", counts.providers},
                      {"refused_writes", counts.refused_writes}}
                     .dump(2)
              << "\n";
    return Status();
  }
  std::cout << "Users            " << counts.users << "\n"
            << "Devices          " << counts.devices << " (" << counts.revoked_devices << " revoked)\n"
            << "Records          " << counts.records << "\n"
            << "Field versions   " << counts.field_versions << "\n"
            << "Conflicts        " << counts.conflicts << " (for a supervisor to review)\n"
            << "Forked changesets " << counts.forks << "\n"
            << "Providers        " << counts.providers << "\n"
            << "Refused writes   " << counts.refused_writes << " (kept aside for review: sync-server refused)\n";
  return run_devices(args);
}

Status run_records(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  std::optional<std::string_view> form;
  if (!args.form.empty()) form = args.form;
  AMANA_ASSIGN_OR_RETURN(auto records, server.store->records(form));
  AMANA_RETURN_IF_ERROR(audit_view(*server.store,
                                   {args.officer, "records", form ? std::string(*form) : "all", records.size(), args.json},
                                   system_wall_clock()()));
  if (args.json) {
    json list = json::array();
    for (const CentralRecord& r : records) {
      list.push_back({{"id", r.id.to_string()},
                      {"form", r.form_id},
                      {"form_version", r.form_version},
                      {"author", r.author},
                      {"device", r.device.to_string()},
                      {"created_at_ms", r.created_at_ms},
                      {"values", r.values}});
    }
    std::cout << list.dump(2) << "\n";
    return Status();
  }
  if (records.empty()) std::cout << "No records yet: devices send theirs with `field-client sync`.\n";
  for (const CentralRecord& r : records) {
    std::string form_id = r.form_id;
    form_id.resize(std::max<std::size_t>(form_id.size(), 28), ' ');
    std::cout << r.id.to_string() << "  " << form_id << "  " << format_time(r.created_at_ms) << "  by " << r.author
              << " on " << r.device.to_string().substr(0, 8) << "  " << r.values.size() << (r.values.size() == 1 ? " answer\n" : " answers\n");
  }
  if (!records.empty()) std::cout << records.size() << (records.size() == 1 ? " record\n" : " records\n");
  return Status();
}

Status run_audit(const Arguments& args, bool verify_only) {
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(resolve_data_dir(args.data)));
  AMANA_ASSIGN_OR_RETURN(auto entries, store->audit_log());
  AMANA_ASSIGN_OR_RETURN(AuditHead head, store->audit_head());
  const AuditVerdict verdict = verify_audit_chain(entries, head);
  if (!verify_only) {
    for (const AuditEntry& e : entries) {
      std::cout << e.seq << "  " << format_local(e.event.at_ms, "%Y-%m-%d %H:%M:%S") << "  " << e.event.actor << "  "
                << e.event.action << "  " << e.event.subject << (e.event.detail.empty() ? "" : "  " + e.event.detail)
                << "\n";
    }
  }
  if (!verdict.intact) return Status(ErrorCode::corrupt, "the audit log has been tampered with: " + verdict.problem);
  std::cout << "The audit log is intact: " << verdict.head.seq << " entries, head " << crypto::to_hex(verdict.head.hash)
            << "\n";
  return Status();
}

Status run_lease(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(auto store, open_server_store(resolve_data_dir(args.data)));
  if (!args.lease.empty()) {
    std::optional<std::chrono::milliseconds> lease;
    if (args.lease != "none") {
      AMANA_ASSIGN_OR_RETURN(lease, parse_duration(args.lease, std::chrono::hours(365 * 24)));
    }
    AMANA_RETURN_IF_ERROR(set_offline_lease(*store, lease, system_wall_clock()()));
  }
  AMANA_ASSIGN_OR_RETURN(auto lease, offline_lease(*store));
  if (lease) {
    std::cout << "Offline lease: a device that has not synced for " << format_duration(*lease)
              << " locks its store until it syncs (devices learn it at their next sync).\n";
  } else {
    std::cout << "No offline lease: devices stay usable however long they go without syncing.\n";
  }
  return Status();
}

Status run_import_bundle(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(std::string sealed, read_file_bounded(args.file, 64u << 20));
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  SyncService service(*server.store, server.keys, std::make_shared<Metrics>());
  auto response = service.import_bundle(crypto::as_bytes(sealed));
  if (!response.ok()) return response.status().with_context(args.file);
  static constexpr const char* kOutcomes[] = {"?", "merged", "already merged (nothing done)",
                                              "refused: a gap (an earlier bundle is missing)",
                                              "refused: a fork, kept aside for review"};
  for (const auto& result : response->results()) {
    std::cout << "changeset " << result.number() << ": " << kOutcomes[std::min<int>(result.outcome(), 4)] << "\n";
  }
  if (const auto refused = response->refused_size() + response->refused_unlisted(); refused > 0) {
    std::cout << refused << " operations refused by write authority, kept aside for review: see "
              << "`sync-server refused`\n";
  }
  std::cout << "The device's changesets are merged up to number " << response->high_water()
            << ". Carry its acknowledgement back with `sync-server bundle export --device ID FILE`.\n";
  return Status();
}

// What write authority kept aside. Names and rules need no passphrase; the values the
// device tried to write are sealed, and shown only with --values (the operator's passphrase).
Status run_refused(const Arguments& args) {
  std::optional<Unlocked> server;
  std::unique_ptr<CentralStore> plain;
  if (args.values) {
    AMANA_ASSIGN_OR_RETURN(server, unlock(args));
  } else {
    AMANA_ASSIGN_OR_RETURN(plain, open_server_store(resolve_data_dir(args.data)));
  }
  CentralStore& store = server ? *server->store : *plain;
  AMANA_ASSIGN_OR_RETURN(auto refused, store.refused_writes(args.values));
  if (refused.empty()) std::cout << "No writes refused: every device wrote only what it may.\n";
  for (const RefusedWrite& r : refused) {
    std::string fields;
    for (const std::string& f : r.fields) fields += (fields.empty() ? "" : ",") + f;
    std::cout << format_local(r.received_at_ms, "%Y-%m-%d %H:%M:%S") << "  device " << r.device.to_string() << "  "
              << r.user << "  record " << r.record.to_string() << "  " << r.rule << "  fields " << fields
              << "  (changeset " << r.changeset << ")\n";
    if (!r.operation) continue;
    std::cout << "    form " << r.operation->form_id() << ", author " << r.operation->author() << ", "
              << format_hlc(HlcTime{r.operation->hlc()}) << "\n";
    for (const auto& write : r.operation->writes()) {
      std::cout << "    " << write.field() << " = " << (write.cleared() ? "(cleared)" : write.value()) << "  at "
                << format_hlc(HlcTime{write.hlc()}) << "\n";
    }
  }
  return Status();
}

Status run_bundle_export(const Arguments& args) {
  AMANA_RETURN_IF_ERROR(check_output_paths(resolve_data_dir(args.data), {args.file}, args.force));
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_ASSIGN_OR_RETURN(DeviceId device, find_device(*server.store, args.device));
  SyncService service(*server.store, server.keys, std::make_shared<Metrics>());
  AMANA_ASSIGN_OR_RETURN(crypto::Bytes sealed, service.export_bundle(device));
  AMANA_RETURN_IF_ERROR(
      write_file_atomically(args.file, std::string(sealed.begin(), sealed.end()), existing_policy(args.force)));
  std::cout << "Wrote " << args.file << " for device " << device.to_string()
            << ": import it there with `field-client bundle import " << args.file << "`.\n";
  return Status();
}

Status run_serve(const Arguments& args, const sigset_t& stop_signals) {
  AMANA_ASSIGN_OR_RETURN(Unlocked unlocked, unlock(args));
  // A binary newer than the store's init brings its newer built-in versions to devices
  // (published_forms.h update_builtin_forms); what it published or declined is said here.
  AMANA_ASSIGN_OR_RETURN(auto builtin,
                         update_builtin_forms(*unlocked.store, unlocked.keys, "serve", system_wall_clock()()));
  for (const BuiltinUpdate& update : builtin) {
    if (!update.published.empty() || update.declined) std::cout << update.message.in(Language::en) << "\n";
  }
  auto metrics = std::make_shared<Metrics>();
  SyncService service(*unlocked.store, unlocked.keys, metrics);
  AMANA_ASSIGN_OR_RETURN(ServedTransport transport,
                         choose_transport(resolve_data_dir(args.data), args.listen, {args.tls_cert, args.tls_key},
                                          args.plain_http));
  if (transport.key_pin) service.present_tls_key(*transport.key_pin);
  HttpOptions options;
  options.listen = args.listen;
  options.threads = args.threads;
  options.tls = transport.tls;
  options.max_connections_per_address = args.max_connections_per_address;
  std::cout << transport.notice << "\n";
  StaffAccounts accounts(*unlocked.store);
  Console console(*unlocked.store, accounts, unlocked.keys, {.tls = !transport.tls.certificate.empty()});
  AMANA_ASSIGN_OR_RETURN(auto server, HttpServer::start(
                                          options,
                                          [&service, &console](const HttpRequest& r) {
                                            return Console::serves(r.target) ? console.handle(r) : service.handle(r);
                                          },
                                          metrics));
  const std::string host = args.listen.substr(0, args.listen.rfind(':'));
  // Scripts and tests read the port from this line (with --listen HOST:0 it is chosen here).
  std::cout << "listening on " << host << ":" << server->port() << std::endl;
  std::cout << "the office console: " << (transport.tls.certificate.empty() ? "http" : "https") << "://" << host << ":"
            << server->port() << "/console/ (staff sign in with `sync-server users invite NAME`)" << std::endl;
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cout << "stopping (signal " << signal_number << ")" << std::endl;
  server->stop();
  return Status();
}

}  // namespace amana::server::cli

namespace {

using namespace amana;
using namespace amana::server;
using namespace amana::server::cli;
using nlohmann::json;

int run(int argc, char** argv) {
  // SIGINT and SIGTERM are taken by sigwait in serve; blocked before any thread starts so
  // that every thread inherits the mask and none is interrupted by them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);

  CLI::App app{"Amana sync server: enrollment, end-to-end encrypted sync, the central case store"};
  app.require_subcommand(1);
  Arguments args;
  app.add_option("--data", args.data, "Server data directory (default: $AMANA_SERVER_DATA, else ./amana-server-data)");

  auto* init = app.add_subcommand("init", "Create the central store and the organisation keys");
  auto* serve = app.add_subcommand("serve", "Serve devices over HTTPS (or HTTP) until SIGINT or SIGTERM");
  serve->add_option("--listen", args.listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  serve->add_option("--threads", args.threads, "I/O threads")->capture_default_str()->check(CLI::Range(1, 64));
  serve->add_option("--tls-cert", args.tls_cert, "PEM certificate (chain) to serve (default: the one init made)");
  serve->add_option("--tls-key", args.tls_key, "PEM private key of --tls-cert");
  serve->add_flag("--plain-http", args.plain_http, "Serve plain HTTP, also beyond loopback (bodies stay sealed)");
  serve->add_option("--max-connections-per-address", args.max_connections_per_address,
                    "Connections one client address may hold at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  auto* users = app.add_subcommand("users", "Manage users");
  users->require_subcommand(1);
  auto* users_add = users->add_subcommand("add", "Add a user");
  users_add->add_option("NAME", args.user, "User name")->required();
  users_add->add_option("--role", args.role, "assistant, officer, meal or admin")->required();
  users_add->add_option("--team", args.team, "Team (supervisors see their team's cases)");
  auto* users_list = users->add_subcommand("list", "Every user: role, team, devices, deactivated or not");
  users_list->add_flag("--json", args.json, "JSON output");
  auto* users_set = users->add_subcommand("set", "Change a user's role or team (audited)");
  users_set->add_option("NAME", args.user, "User name")->required();
  users_set->add_option("--role", args.new_role, "assistant, officer, meal or admin");
  users_set->add_option("--team", args.new_team, "Team; \"\" for none");
  auto* users_deactivate =
      users->add_subcommand("deactivate", "Deactivate a user who left: their devices are revoked (audited)");
  users_deactivate->add_option("NAME", args.user, "User name")->required();
  auto* users_invite = users->add_subcommand(
      "invite", "A one-time code with which the user sets their office console password (audited)");
  users_invite->add_option("NAME", args.user, "User name")->required();
  auto* users_unlock =
      users->add_subcommand("unlock", "Let a user locked out of the console after wrong passwords sign in again");
  users_unlock->add_option("NAME", args.user, "User name")->required();
  auto* users_totp_remove = users->add_subcommand(
      "totp-remove", "Remove a user's console second factor (a lost phone): they set it up again (audited)");
  users_totp_remove->add_option("NAME", args.user, "User name")->required();
  auto* users_totp_policy = users->add_subcommand(
      "totp-policy", "Whether officers and administrators must add a second factor to sign in to the console");
  users_totp_policy->add_option("POLICY", args.totp_policy, "required or optional")->required();
  auto* enroll = app.add_subcommand("enroll", "Issue a one-time enrollment code for a user's device");
  enroll->add_option("USER", args.user, "User the device will belong to")->required();
  enroll->add_option("--expires", args.expires, "How long the code is valid: 24h, 90m, 7d")->capture_default_str();
  enroll->add_flag("--no-qr", args.no_qr, "Print the code as text only");
  auto* devices = app.add_subcommand("devices", "List enrolled devices");
  devices->add_flag("--json", args.json, "JSON output");
  auto* revoke = app.add_subcommand("revoke", "Revoke a device: it can no longer sync");
  revoke->add_option("DEVICE", args.device, "Device id, or 8+ characters of its start or end")->required();
  auto* records = app.add_subcommand("records", "List the merged records (asks for the operator passphrase)");
  records->add_option("--form", args.form, "Only records of this form");
  records->add_flag("--json", args.json, "JSON output, with the current values (identified: audited)");
  records->add_option("--by", args.officer, "The officer it is for (an officer or admin), for the audit log");
  auto* import_bundle = app.add_subcommand("import-bundle", "Merge a bundle carried from a device");
  import_bundle->add_option("FILE", args.file, "The bundle file")->required();
  auto* bundle = app.add_subcommand("bundle", "Bundles to carry to devices");
  bundle->require_subcommand(1);
  auto* bundle_export = bundle->add_subcommand("export", "Write what a device would pull, sealed to it");
  bundle_export->add_option("--device", args.device, "Device id, or 8+ characters of its start or end")->required();
  bundle_export->add_option("FILE", args.file, "The bundle file to write")->required();
  bundle_export->add_flag("--force", args.force, "Replace FILE if it exists");
  auto* providers = app.add_subcommand("providers", "The service provider directory (the referral pathway)");
  providers->require_subcommand(1);
  auto* providers_add = providers->add_subcommand("add", "Add a provider");
  auto* providers_update = providers->add_subcommand("update", "Change a provider; --inactive stops offering it");
  for (auto* command : {providers_add, providers_update}) {
    command->add_option("ID", args.provider_id, "Provider id: lower-case letters, digits and '-'")->required();
    command->add_option("--name", args.name, "Name");
    command->add_option("--services", args.services, "Service types, separated by ';' (e.g. health;psychosocial)");
    command->add_option("--location", args.location, "Where it is");
    command->add_option("--contact", args.contact, "Phone or other contact");
    command->add_option("--hours", args.hours, "Opening hours");
    command->add_option("--criteria", args.criteria, "Who is eligible");
  }
  providers_update->add_flag("--inactive", args.inactive, "No longer offer this provider for referrals");
  providers_update->add_flag("--active", args.make_active, "Offer this provider again");
  auto* providers_list = providers->add_subcommand("list", "List providers");
  providers_list->add_flag("--all", args.all, "Include inactive providers");
  providers_list->add_flag("--json", args.json, "JSON output");
  auto* providers_import = providers->add_subcommand("import", "Add or update providers from a CSV file");
  providers_import->add_option("FILE", args.file, "CSV with columns id,name,services,location[,contact,hours,criteria,active]")
      ->required();
  auto* cases_cmd = app.add_subcommand("cases", "Protection cases: list, show, assign, decide on closure");
  cases_cmd->add_flag("--json", args.json, "JSON output");
  // Names only when asked for; every view that shows them is audited.
  auto add_identified_view = [&](CLI::App* command, bool names_flag) {
    if (names_flag) command->add_flag("--names", args.names, "Show the people's names (audited)");
    command->add_option("--by", args.officer, "The officer it is for (an officer or admin), for the audit log");
  };
  add_identified_view(cases_cmd, true);
  auto* cases_show = cases_cmd->add_subcommand("show", "One case: its values, steps, history, closure request (audited)");
  cases_show->add_option("CASE", args.case_ref, "Case id, or 8+ characters of its start or end")->required();
  cases_show->add_option("--lang", args.lang, "en or ar")->capture_default_str();
  cases_show->add_flag("--json", args.json, "JSON output");
  add_identified_view(cases_show, false);
  auto* cases_assign = cases_cmd->add_subcommand("assign", "Assign a case to a case worker");
  cases_assign->add_option("CASE", args.case_ref, "Case id, or 8+ characters of its start or end")->required();
  cases_assign->add_option("USER", args.user, "The case worker")->required();
  auto* cases_review = cases_cmd->add_subcommand("review", "The weekly review: what needs attention");
  cases_review->add_option("--days", args.open_days, "List cases open longer than this")->capture_default_str();
  add_identified_view(cases_review, true);
  auto* cases_approve = cases_cmd->add_subcommand("approve-closure", "Approve a requested closure");
  auto* cases_reject = cases_cmd->add_subcommand("reject-closure", "Reject a requested closure: the case goes on");
  for (auto* command : {cases_approve, cases_reject}) {
    command->add_option("CASE", args.case_ref, "Case id, or 8+ characters of its start or end")->required();
  }
  auto* cases_transfer = cases_cmd->add_subcommand("transfer", "Transfer a case to another organisation");
  cases_transfer->add_option("CASE", args.case_ref, "Case id, or 8+ characters of its start or end")->required();
  cases_transfer->add_option("--to", args.organisation, "The organisation taking it over")->required();
  auto* cases_reopen = cases_cmd->add_subcommand("reopen", "Reopen a closed or transferred case");
  cases_reopen->add_option("CASE", args.case_ref, "Case id, or 8+ characters of its start or end")->required();
  auto* cases_history = cases_cmd->add_subcommand("history", "Every change to a case, in merge order");
  cases_history->add_option("CASE", args.case_ref, "Case id, or 8+ characters of its start or end")->required();
  add_identified_view(cases_history, false);
  auto* cases_duplicates = cases_cmd->add_subcommand("duplicates", "Cases that look like the same person (audited)");
  add_identified_view(cases_duplicates, true);
  auto* cases_conflicts = cases_cmd->add_subcommand("conflicts", "Concurrent edits of a case awaiting an officer");
  cases_conflicts->add_option("CASE", args.case_ref, "Case id, or 8+ characters of its start or end")->required();
  add_identified_view(cases_conflicts, false);
  auto* cases_resolve = cases_cmd->add_subcommand("resolve", "Decide a conflict: the value the field keeps");
  cases_resolve->add_option("CASE", args.case_ref, "Case id, or 8+ characters of its start or end")->required();
  cases_resolve->add_option("--record", args.record_ref, "The step record in conflict, or 8+ characters of its id (default: the case itself)");
  cases_resolve->add_option("--field", args.field, "The field in conflict")->required();
  cases_resolve->add_option("--value", args.value, "The value it keeps")->required();
  for (auto* command : {cases_assign, cases_approve, cases_reject, cases_transfer, cases_reopen, cases_resolve}) {
    command->add_option("--by", args.officer, "The officer deciding (a user with role officer or admin)")->required();
  }
  auto* export_cmd = app.add_subcommand("export", "A de-identified dataset for the MEAL team, with its codebook");
  export_cmd->add_option("--form", args.export_form, "One row per record of this form");
  export_cmd->add_flag("--cases", args.export_cases, "One row per case");
  export_cmd->add_flag("--referrals", args.export_referrals, "One row per referral");
  export_cmd->add_flag("--followups", args.export_followups, "One row per follow-up");
  export_cmd->add_option("--from", args.from, "First collection date, YYYY-MM-DD");
  export_cmd->add_option("--to", args.to, "Last collection date, YYYY-MM-DD");
  export_cmd->add_option("--format", args.format, "csv, xlsx or jsonl")->check(CLI::IsMember({"csv", "xlsx", "jsonl"}))
      ->capture_default_str();
  export_cmd->add_option("--out", args.out, "Where to write the dataset (not in the data directory)")->required();
  export_cmd->add_option("--dates", args.dates, "De-identified dates as a month or an ISO week")
      ->check(CLI::IsMember({"month", "week"}))
      ->capture_default_str();
  export_cmd->add_flag("--force", args.force, "Replace the dataset and its codebook if they exist");
  export_cmd->add_flag("--identified", args.identified,
                       "Keep names, sensitive answers and ids (needs --by an officer or admin; audited)");
  export_cmd->add_option("--labels", args.labels, "Choice answers as their labels in this language (en or ar), "
                                                 "not their codes")
      ->check(CLI::IsMember({"en", "ar"}));
  export_cmd->add_option("--by", args.officer, "Who asks for the export (required with --identified)");
  auto* audit_cmd = app.add_subcommand("audit", "The audit log: every push, pull, export, enrollment and decision");
  auto* audit_verify = audit_cmd->add_subcommand("verify", "Check the hash chain: no entry edited, removed or reordered");
  auto* lease_cmd = app.add_subcommand("lease", "The offline lease: devices not synced for this long lock their store");
  lease_cmd->add_option("duration", args.lease, "e.g. 30d, or none; without it, shows the lease");
  auto* report_cmd = app.add_subcommand("report", "The monthly protection report (small counts suppressed)");
  report_cmd->add_option("--period", args.period, "The month, YYYY-MM")->required();
  report_cmd->add_option("--location", args.report_location, "Only this site or location");
  report_cmd->add_option("--lang", args.lang, "The report's language: en or ar")->check(CLI::IsMember({"en", "ar"}));
  report_cmd->add_option("--narrative", args.narrative,
                         "A text file the officer wrote for the period, shown as the report's narrative");
  report_cmd->add_option("--format", args.report_format, "html or md")->check(CLI::IsMember({"html", "md"}))
      ->capture_default_str();
  report_cmd->add_option("--out", args.out, "Where to write it (not in the data directory)")->required();
  report_cmd->add_flag("--force", args.force, "Replace the file if it exists");
  auto* refused = app.add_subcommand("refused", "Writes refused by write authority, kept aside for review");
  refused->add_flag("--values", args.values, "Show the values they tried to write (asks for the operator passphrase)");
  auto* status = app.add_subcommand("status", "Store counts, devices and their last sync");
  status->add_flag("--json", args.json, "JSON output");
  const FormsCommands forms_commands(app, args.data);

  CLI11_PARSE(app, argc, argv);
  if (forms_commands.selected()) return forms_commands.run();

  Status result;
  if (*init) result = run_init(args);
  else if (*serve) {
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    result = run_serve(args, stop_signals);
  } else if (*users_add) result = run_users_add(args);
  else if (*users_list) result = run_users_list(args);
  else if (*users_set) result = run_users_set(args);
  else if (*users_deactivate) result = run_users_deactivate(args);
  else if (*users_invite) result = run_users_invite(args);
  else if (*users_unlock) result = run_users_unlock(args);
  else if (*users_totp_remove) result = run_users_totp_remove(args);
  else if (*users_totp_policy) result = run_users_totp_policy(args);
  else if (*enroll) result = run_enroll(args);
  else if (*devices) result = run_devices(args);
  else if (*revoke) result = run_revoke(args);
  else if (*status) result = run_status(args);
  else if (*records) result = run_records(args);
  else if (*cases_review) result = run_cases_review(args);
  else if (*cases_show) result = run_case_show(args);
  else if (*cases_conflicts) result = run_case_conflicts(args);
  else if (*cases_duplicates) result = run_case_duplicates(args);
  else if (*cases_history) result = run_case_history(args);
  else if (*cases_transfer) result = run_case_decision(args, "transfer");
  else if (*cases_reopen) result = run_case_decision(args, "reopen");
  else if (*cases_resolve) result = run_case_decision(args, "resolve");
  else if (*cases_assign) result = run_case_decision(args, "assign");
  else if (*cases_approve) result = run_case_decision(args, "approve");
  else if (*cases_reject) result = run_case_decision(args, "reject");
  else if (*cases_cmd) result = run_cases(args);
  else if (*providers_add) result = run_providers_add(args);
  else if (*providers_update) result = run_providers_update(args);
  else if (*providers_list) result = run_providers_list(args);
  else if (*providers_import) result = run_providers_import(args);
  else if (*import_bundle) result = run_import_bundle(args);
  else if (*export_cmd) result = run_export(args);
  else if (*audit_verify) result = run_audit(args, true);
  else if (*audit_cmd) result = run_audit(args, false);
  else if (*lease_cmd) result = run_lease(args);
  else if (*report_cmd) result = run_report(args);
  else if (*bundle_export) result = run_bundle_export(args);
  else if (*refused) result = run_refused(args);
  return amana::cli::exit_code(result);
}

}  // namespace

int main(int argc, char** argv) { return amana::cli::guarded_main(run, argc, argv); }
