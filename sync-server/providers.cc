#include "sync-server/providers.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/csv.h"
#include "common/service_types.h"

namespace amana::server {
namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string_view> offered_codes() {
  std::vector<std::string_view> codes;
  for (const services::ServiceType& type : services::all()) {
    if (!type.retired) codes.push_back(type.code);
  }
  return codes;
}

Result<bool> parse_active(std::string_view text) {
  const std::string value = trimmed(text);
  if (value.empty() || value == "yes" || value == "true" || value == "1") return true;
  if (value == "no" || value == "false" || value == "0") return false;
  return invalid_argument("active: '" + value + "' is not yes or no");
}

}  // namespace

std::span<const std::string_view> service_types() {
  static const std::vector<std::string_view> codes = offered_codes();
  return codes;
}

Result<Provider> make_provider(std::string_view id, std::string_view name, std::string_view services,
                               std::string_view location, std::string_view contact, std::string_view hours,
                               std::string_view criteria, bool active, std::int64_t now_ms) {
  Provider provider;
  provider.id = trimmed(id);
  if (provider.id.empty() || provider.id.size() > 64 ||
      !std::all_of(provider.id.begin(), provider.id.end(),
                   [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; })) {
    return invalid_argument("id '" + provider.id + "': use 1-64 lower-case letters, digits and '-'");
  }
  provider.name = trimmed(name);
  if (provider.name.empty()) return invalid_argument("provider '" + provider.id + "': the name is empty");
  std::set<std::string> seen;
  std::string current;
  const std::string list = std::string(services) + ";";
  for (char c : list) {
    if (c != ';' && c != ',') {
      current += c;
      continue;
    }
    const std::string code = trimmed(current);
    current.clear();
    if (code.empty()) continue;
    // A code, or a former code (medical) stored as its current one (health).
    auto parsed = services::parse(code);
    if (!parsed.ok()) return parsed.status().with_context("provider '" + provider.id + "'");
    if (seen.insert(*parsed).second) provider.services.push_back(*parsed);
  }
  if (provider.services.empty()) {
    return invalid_argument("provider '" + provider.id + "': list at least one service (" +
                            services::offered_list().en + ")");
  }
  provider.location = trimmed(location);
  if (provider.location.empty()) return invalid_argument("provider '" + provider.id + "': the location is empty");
  provider.contact = trimmed(contact);
  provider.hours = trimmed(hours);
  provider.criteria = trimmed(criteria);
  provider.active = active;
  provider.updated_at_ms = now_ms;
  return provider;
}

ProviderCsv read_providers_csv(std::string_view text, std::int64_t now_ms) {
  ProviderCsv out;
  auto problem = [&](std::size_t line, Status status) {
    ++out.problem_count;
    if (out.problems.size() < kMaxCsvProblemsShown) out.problems.push_back({line, std::move(status)});
  };
  auto parsed = csv::parse(text);
  if (!parsed.ok()) {
    problem(0, parsed.status());
    return out;
  }
  const std::vector<csv::Row>& rows = *parsed;
  if (rows.empty()) {
    problem(1, invalid_argument("the file is empty: it needs a header row and one row per provider"));
    return out;
  }
  static constexpr std::string_view kColumns[] = {"id", "name", "services", "location", "contact", "hours",
                                                  "criteria", "active"};
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < rows[0].size(); ++i) {
    const std::string name = trimmed(rows[0][i]);
    if (std::find(std::begin(kColumns), std::end(kColumns), name) == std::end(kColumns)) {
      problem(1, invalid_argument("line 1: unknown column '" + name +
                                  "' (columns: id, name, services, location, contact, hours, criteria, active)"));
    } else if (!column.emplace(name, i).second) {
      problem(1, invalid_argument("line 1: column '" + name + "' appears twice"));
    }
  }
  for (std::string_view required : {"id", "name", "services", "location"}) {
    if (!column.count(std::string(required))) {
      problem(1, invalid_argument("line 1: the header needs a '" + std::string(required) + "' column"));
    }
  }
  if (out.problem_count) return out;  // the rows cannot be read without their header
  std::set<std::string> ids;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const csv::Row& row = rows[r];
    auto cell = [&](const char* name) -> std::string_view {
      auto found = column.find(name);
      if (found == column.end() || found->second >= row.size()) return {};
      return row[found->second];
    };
    const std::size_t line = r + 1;
    const std::string where = "row " + std::to_string(line);
    auto active = parse_active(cell("active"));
    if (!active.ok()) {
      problem(line, active.status().with_context(where));
      continue;
    }
    auto provider = make_provider(cell("id"), cell("name"), cell("services"), cell("location"), cell("contact"),
                                  cell("hours"), cell("criteria"), *active, now_ms);
    if (!provider.ok()) {
      problem(line, provider.status().with_context(where));
      continue;
    }
    if (!ids.insert(provider->id).second) {
      problem(line, invalid_argument(where + ": provider '" + provider->id + "' appears twice in the file"));
      continue;
    }
    out.providers.push_back(std::move(provider).value());
  }
  return out;
}

Result<std::vector<Provider>> providers_from_csv(std::string_view text, std::int64_t now_ms) {
  ProviderCsv read = read_providers_csv(text, now_ms);
  if (!read.problems.empty()) return read.problems.front().status;
  return std::move(read.providers);
}

Status save_provider(CentralStore& store, const Provider& provider, bool is_new, const std::string& by) {
  return store.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(is_new ? store.add_provider(provider) : store.update_provider(provider));
    return store.append_audit({provider.updated_at_ms, by, is_new ? "provider-add" : "provider-update", provider.id,
                               provider.active ? "" : "inactive"});
  });
}

Result<std::size_t> import_provider_list(CentralStore& store, const std::vector<Provider>& providers,
                                         const std::string& source, const std::string& by, std::int64_t now_ms) {
  std::size_t added = 0;
  const Status imported = store.in_one_transaction([&]() -> Status {
    AMANA_ASSIGN_OR_RETURN(added, store.import_providers(providers));
    return store.append_audit({now_ms, by, "provider-import", source,
                               std::to_string(providers.size()) + " providers, " + std::to_string(added) + " new"});
  });
  if (!imported.ok()) return imported;
  return added;
}

}  // namespace amana::server
