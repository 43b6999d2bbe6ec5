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

Result<std::vector<Provider>> providers_from_csv(std::string_view text, std::int64_t now_ms) {
  AMANA_ASSIGN_OR_RETURN(std::vector<csv::Row> rows, csv::parse(text));
  if (rows.empty()) return invalid_argument("the file is empty: it needs a header row and one row per provider");
  static constexpr std::string_view kColumns[] = {"id", "name", "services", "location", "contact", "hours",
                                                  "criteria", "active"};
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < rows[0].size(); ++i) {
    const std::string name = trimmed(rows[0][i]);
    if (std::find(std::begin(kColumns), std::end(kColumns), name) == std::end(kColumns)) {
      return invalid_argument("line 1: unknown column '" + name +
                              "' (columns: id, name, services, location, contact, hours, criteria, active)");
    }
    if (!column.emplace(name, i).second) return invalid_argument("line 1: column '" + name + "' appears twice");
  }
  for (std::string_view required : {"id", "name", "services", "location"}) {
    if (!column.count(std::string(required))) {
      return invalid_argument("line 1: the header needs a '" + std::string(required) + "' column");
    }
  }
  std::vector<Provider> out;
  std::set<std::string> ids;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const csv::Row& row = rows[r];
    auto cell = [&](const char* name) -> std::string_view {
      auto found = column.find(name);
      if (found == column.end() || found->second >= row.size()) return {};
      return row[found->second];
    };
    const std::string where = "row " + std::to_string(r + 1) + ": ";
    auto active = parse_active(cell("active"));
    if (!active.ok()) return active.status().with_context("row " + std::to_string(r + 1));
    auto provider = make_provider(cell("id"), cell("name"), cell("services"), cell("location"), cell("contact"),
                                  cell("hours"), cell("criteria"), *active, now_ms);
    if (!provider.ok()) return provider.status().with_context("row " + std::to_string(r + 1));
    if (!ids.insert(provider->id).second) {
      return invalid_argument(where + "provider '" + provider->id + "' appears twice in the file");
    }
    out.push_back(std::move(provider).value());
  }
  return out;
}

}  // namespace amana::server
