// `sync-server cases ...`: what the office sees of cases and decides on them.
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/cli.h"
#include "common/hlc.h"
#include "common/id_parts.h"
#include "sync-server/admin.h"
#include "sync-server/case_admin.h"
#include "sync-server/case_file.h"
#include "sync-server/cli_commands.h"

namespace amana::server::cli {

using nlohmann::json;

Status run_cases(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_ASSIGN_OR_RETURN(auto list, list_cases(*server.store));
  if (args.names) {
    AMANA_RETURN_IF_ERROR(
        audit_view(*server.store, {args.officer, "cases", "all", list.size(), true}, system_wall_clock()()));
  }
  if (args.json) {
    json out = json::array();
    for (const CaseView& c : list) {
      json entry{{"id", c.id.to_string()}, {"reference", case_reference(c.id)}, {"status", c.status_text},
                 {"status_known", c.status.has_value()}, {"risk_level", c.risk_level}, {"assigned_to", c.assigned_to},
                 {"opened_at_ms", c.opened_at_ms}, {"steps", c.steps}};
      if (args.names) entry["name"] = c.name;
      out.push_back(std::move(entry));
    }
    std::cout << out.dump(2) << "\n";
    return Status();
  }
  if (list.empty()) std::cout << "No cases yet: devices open them and send them with `field-client sync`.\n";
  std::vector<RecordId> ids;
  for (const CaseView& c : list) ids.push_back(c.id);
  // The part of each id that tells it from the others: what an officer types back.
  const std::vector<std::string> references = distinguishing_parts_of<RecordId>(ids);
  for (std::size_t i = 0; i < list.size(); ++i) {
    const CaseView& c = list[i];
    std::string status = shown_status(c);
    status.resize(std::max<std::size_t>(status.size(), 18), ' ');
    std::string risk = c.risk_level.empty() ? "-" : c.risk_level;
    risk.resize(std::max<std::size_t>(risk.size(), 9), ' ');
    std::cout << references[i] << "  " << status << risk << c.assigned_to << "  opened "
              << local_date(c.opened_at_ms) << "  " << c.steps << " steps" << (args.names ? "  " + c.name : "")
              << "\n";
  }
  return Status();
}

Status run_cases_review(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_ASSIGN_OR_RETURN(auto facts, review_facts(*server.store));
  const auto findings = cases::review_cases(facts, {local_date(system_wall_clock()()), args.open_days});
  if (args.names) {
    AMANA_RETURN_IF_ERROR(
        audit_view(*server.store, {args.officer, "review", "all", findings.size(), true}, system_wall_clock()()));
  }
  if (findings.empty()) std::cout << "Nothing needs attention in the " << facts.size() << " cases.\n";
  std::vector<std::string> ids;
  for (const cases::CaseFacts& c : facts) ids.push_back(c.id);
  const std::vector<std::string> parts = distinguishing_parts(ids);
  auto reference = [&](const std::string& id) {
    const auto at = std::find(ids.begin(), ids.end(), id);
    return at == ids.end() ? id.substr(28) : parts[static_cast<std::size_t>(at - ids.begin())];
  };
  for (const cases::Finding& f : findings) {
    std::cout << reference(f.case_id) << (args.names ? "  " + f.name : "") << ": " << f.what << "\n";
  }
  return Status();
}

// One case for the officer deciding on it: identified, so audited before it is shown.
Status run_case_show(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::Language language, forms::parse_language(args.lang));
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_ASSIGN_OR_RETURN(RecordId case_id, find_case(*server.store, args.case_ref));
  AMANA_ASSIGN_OR_RETURN(CaseFile file, read_case_file(*server.store, case_id, language));
  AMANA_RETURN_IF_ERROR(audit_view(*server.store, {args.officer, "case", case_id.to_string(), 1 + file.steps.size(), true},
                                   system_wall_clock()()));
  if (args.json) {
    std::cout << case_file_json(file).dump(2) << "\n";
  } else {
    std::cout << render_case_file(file, language);
  }
  return Status();
}

Status run_case_history(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_ASSIGN_OR_RETURN(RecordId case_id, find_case(*server.store, args.case_ref));
  AMANA_ASSIGN_OR_RETURN(auto history, case_history(*server.store, case_id));
  AMANA_RETURN_IF_ERROR(audit_view(*server.store, {args.officer, "history", case_id.to_string(), history.size(), true},
                                   system_wall_clock()()));
  for (const HistoryEntry& entry : history) {
    std::cout << format_hlc(entry.version.stamp.hlc) << "  "
              << (entry.version.stamp.device == kOrgWriter ? std::string("office  ")
                                                            : entry.version.stamp.device.to_string().substr(0, 8))
              << "  " << entry.field << " = " << (entry.version.cleared ? "(cleared)" : entry.version.value) << "\n";
  }
  return Status();
}

Status run_case_duplicates(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_ASSIGN_OR_RETURN(auto pairs, duplicate_cases(*server.store));
  AMANA_RETURN_IF_ERROR(
      audit_view(*server.store, {args.officer, "duplicates", "all", pairs.size(), args.names}, system_wall_clock()()));
  if (pairs.empty()) std::cout << "No two cases look like the same person.\n";
  auto who = [&](const CaseView& c) {
    return case_reference(c.id) + " (" + (args.names ? c.name + ", " : "") + c.assigned_to + ")";
  };
  for (const auto& [a, b] : pairs) std::cout << who(a) << "  and  " << who(b) << " may be the same person\n";
  return Status();
}

Status run_case_conflicts(const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_ASSIGN_OR_RETURN(RecordId case_id, find_case(*server.store, args.case_ref));
  AMANA_ASSIGN_OR_RETURN(auto conflicts, case_conflicts(*server.store, case_id));
  AMANA_RETURN_IF_ERROR(audit_view(*server.store, {args.officer, "conflicts", case_id.to_string(), conflicts.size(), true},
                                   system_wall_clock()()));
  if (conflicts.empty()) std::cout << "No conflicting edits on case " << case_id.to_string() << ".\n";
  for (const auto& c : conflicts) {
    std::cout << c.record.to_string() << "  " << c.field << ": '" << c.earlier.value << "' (" << format_hlc(c.earlier.stamp.hlc)
              << ") and '" << c.later.value << "' (" << format_hlc(c.later.stamp.hlc) << ") were written without seeing each other; "
              << "the later one stands until an officer decides\n";
  }
  return Status();
}

Status run_case_decision(const Arguments& args, const std::string& what) {
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_ASSIGN_OR_RETURN(RecordId case_id, find_case(*server.store, args.case_ref));
  const std::int64_t now = system_wall_clock()();
  if (what == "assign") {
    AMANA_RETURN_IF_ERROR(assign_case(*server.store, case_id, args.user, args.officer, now));
    std::cout << "Case " << case_id.to_string() << " is assigned to " << args.user << "\n";
  } else if (what == "transfer") {
    AMANA_RETURN_IF_ERROR(transfer_case(*server.store, case_id, args.organisation, args.officer, now));
    std::cout << "Case " << case_id.to_string() << " is transferred to " << args.organisation << "\n";
  } else if (what == "reopen") {
    AMANA_RETURN_IF_ERROR(reopen_case(*server.store, case_id, args.officer, now));
    std::cout << "Case " << case_id.to_string() << " is reopened: assess it again\n";
  } else if (what == "resolve") {
    RecordId record = case_id;
    if (!args.record_ref.empty()) {
      AMANA_ASSIGN_OR_RETURN(record, find_case_record(*server.store, case_id, args.record_ref));
    }
    AMANA_RETURN_IF_ERROR(resolve_conflict(*server.store, case_id, record, args.field, args.value, args.officer, now));
    std::cout << "Resolved: " << args.field << " is '" << args.value << "'; devices learn it at their next sync\n";
  } else {
    AMANA_RETURN_IF_ERROR(decide_closure(*server.store, case_id, what == "approve", args.officer, now));
    std::cout << "Closure of case " << case_id.to_string() << (what == "approve" ? " approved" : " rejected")
              << ": devices learn it at their next sync\n";
  }
  return Status();
}

}  // namespace amana::server::cli
