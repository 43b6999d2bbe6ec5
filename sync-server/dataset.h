// Datasets for the MEAL team: one row per record of a form, or per case, from the central
// store, with a codebook beside it.
//
// De-identified by default (docs/meal.md). Each form field is shown as its definition's
// disclosure says (common/form.h): sensitive fields and free text dropped, ages as bands
// (0-4, 5-11, 12-17, 18-59, 60+), dates as months (or ISO weeks), free-text places as the
// area the form lists that they name, the rest as collected. Record, device and staff ids
// become pseudonyms (a keyed hash under a key derived from the org's data key, so the same
// record has the same pseudonym in every export and nobody without the key can link it
// back). The case dataset's columns are case fields, each disclosed as the step field it
// is copied from (sync-server/case_values.h). The codebook says, per column, how it was
// de-identified.
//
// An identified export keeps every field as collected and ids in clear; only roles
// allowed it may ask (access.h). Every export, of either kind, is written to the audit log.
// select_multiple answers come as the raw value plus one 0/1 column per choice, named
// "field/choice" as Kobo and ODK users expect.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/files.h"
#include "common/form.h"
#include "common/status.h"
#include "sync-server/central_store.h"

namespace amana::server {

struct Dataset {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  // variable, label (English), label (Arabic), type, choices, disclosure (how the column
  // was de-identified)
  std::vector<std::vector<std::string>> codebook;
  bool identified = false;
};

// How dates appear in a de-identified dataset.
enum class DatePeriod { month, iso_week };

struct DatasetFilter {
  std::optional<std::string> from;  // YYYY-MM-DD, inclusive, on the collection date
  std::optional<std::string> to;
  bool identified = false;          // every field as collected, ids in clear
  DatePeriod dates = DatePeriod::month;
};

// The source naming one row per case; any other source is a form id.
inline constexpr std::string_view kCasesSource = "cases";

struct DatasetRequest {
  std::string source;        // a form id, or kCasesSource
  DatasetFilter filter;
  std::string requested_by;  // a user; empty for the operator at the server (de-identified only)
  std::string channel;       // how it leaves, for the audit log: "file PATH", "device ID"
};

// Checks the role for an identified export, builds the dataset, and audits it.
// invalid_argument for an identified export without a user, permission_denied for a role
// not allowed one, not_found for an unknown form.
Result<Dataset> export_dataset(CentralStore& store, const crypto::SecretBytes& data_key, const DatasetRequest& request,
                               std::int64_t now_ms);

// The pseudonym key, derived from the org data key.
crypto::SecretBytes pseudonym_key(const crypto::SecretBytes& data_key);

Result<Dataset> form_dataset(CentralStore& store, const forms::FormDefinition& form, const crypto::SecretBytes& key,
                             const DatasetFilter& filter);
Result<Dataset> case_dataset(CentralStore& store, const crypto::SecretBytes& key, const DatasetFilter& filter);

// --- the de-identifying transforms, exposed for their tests ---
// "2026-10" for a date or datetime (month), "2026-W43" (ISO week); "" for what is not one.
std::string date_period(std::string_view date, DatePeriod period);
// The first of `areas` that `place` names, or "other"; "" for an empty place.
std::string area_of(std::string_view place, const std::vector<forms::Area>& areas);

// --- files (dataset_files.cc) ---
std::string to_csv(const Dataset& dataset);
std::string to_jsonl(const Dataset& dataset);
std::string codebook_csv(const Dataset& dataset);

enum class DatasetFormat { csv, jsonl, xlsx };
// The dataset at `path` and its codebook at PATH.codebook.csv (for XLSX, a second sheet
// as well), each created as common/files.h creates files: mode 0600, through a temporary
// beside it, never through a link; XLSX parts are kept in a private directory beside
// `path`, not in the system's temporary directory. With `existing` refuse, neither file
// may exist already (checked before anything is written).
Status write_dataset(const Dataset& dataset, DatasetFormat format, const std::filesystem::path& path,
                     ExistingFile existing);

}  // namespace amana::server
