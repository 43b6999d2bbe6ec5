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

// The service type codes a provider may offer: the offered ones of common/service_types.h,
// the same vocabulary the referral form asks with.
std::span<const std::string_view> service_types();

// Checks and normalises one entry: an id of lower-case letters, digits and '-', a name,
// at least one service type (codes separated by ';' or ','; a former code such as
// "medical" is stored as its current one, "health"; a retired or unknown one is refused
// with the list of codes), a location. invalid_argument naming the field and what is
// accepted.
Result<Provider> make_provider(std::string_view id, std::string_view name, std::string_view services,
                               std::string_view location, std::string_view contact, std::string_view hours,
                               std::string_view criteria, bool active, std::int64_t now_ms);

// Every entry of a CSV file, all checked: the first problem is reported with its line.
Result<std::vector<Provider>> providers_from_csv(std::string_view text, std::int64_t now_ms);

}  // namespace amana::server
