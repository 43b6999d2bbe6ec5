// The service provider directory: checking entries made at the command line or imported
// from the CSV file office staff keep in a spreadsheet.
//
// CSV columns (header row required, any order): id, name, services, location, and
// optionally contact, hours, criteria, active. `services` lists service type codes
// separated by ';'; `active` is yes/no (default yes). Unknown columns are refused, so a
// misspelt header is an error rather than a silently empty column.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sync-server/central_store.h"

namespace amana::server {

// The service types a referral can ask for (Primero's list, as case workers know it).
std::span<const std::string_view> service_types();

// Checks and normalises one entry: an id of lower-case letters, digits and '-', a name,
// at least one known service type (codes separated by ';' or ','), a location.
// invalid_argument naming the field and what is accepted.
Result<Provider> make_provider(std::string_view id, std::string_view name, std::string_view services,
                               std::string_view location, std::string_view contact, std::string_view hours,
                               std::string_view criteria, bool active, std::int64_t now_ms);

// Every entry of a CSV file, all checked: the first problem is reported with its line.
Result<std::vector<Provider>> providers_from_csv(std::string_view text, std::int64_t now_ms);

}  // namespace amana::server
