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

// The CSV files the office imports are read whole, at most this large.
inline constexpr std::size_t kMaxProvidersCsvBytes = 8u << 20;
inline constexpr std::size_t kMaxCsvProblemsShown = 100;

// Every entry of a CSV file, all checked: the providers of the rows that are right, and a
// problem for each row that is not (its line; the first kMaxCsvProblemsShown of them, and
// how many there were). A file with any problem is imported not at all.
struct CsvProblem {
  std::size_t line = 0;  // 1 is the header; 0 for a file that is not CSV at all
  Status status;         // "row N: ..." saying what is wrong and what is accepted
};
struct ProviderCsv {
  std::vector<Provider> providers;
  std::vector<CsvProblem> problems;
  std::size_t problem_count = 0;
};
ProviderCsv read_providers_csv(std::string_view text, std::int64_t now_ms);
// The same, the first problem as the error.
Result<std::vector<Provider>> providers_from_csv(std::string_view text, std::int64_t now_ms);

// Adds (`is_new`: already_exists when the id is taken) or replaces (not_found) one entry,
// with its audit entry ("provider-add", "provider-update") under `by`, in one transaction.
Status save_provider(CentralStore& store, const Provider& provider, bool is_new, const std::string& by);
// Imports the entries of `source` (a file name) with one audit entry ("provider-import");
// returns how many were new.
Result<std::size_t> import_provider_list(CentralStore& store, const std::vector<Provider>& providers,
                                         const std::string& source, const std::string& by, std::int64_t now_ms);

}  // namespace amana::server
