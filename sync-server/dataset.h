// Datasets for the MEAL team: one row per record of a form, or per case, from the central
// store, with a codebook beside it.
//
// De-identified by default: fields marked sensitive are dropped, record and device ids are
// replaced by pseudonyms (a keyed hash under a key derived from the org's data key, so
// the same record has the same pseudonym in every export and nobody without the key can
// link it back), and a case's person is reduced to sex and age band. An identified export
// keeps sensitive fields and ids in clear; only roles allowed it may ask (access.h), and
// every export, of either kind, is written to the audit log.
// select_multiple answers come as the raw value plus one 0/1 column per choice, named
// "field/choice" as Kobo and ODK users expect.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/form.h"
#include "common/status.h"
#include "sync-server/central_store.h"

namespace amana::server {

struct Dataset {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  // variable, label (English), label (Arabic), type, choices
  std::vector<std::vector<std::string>> codebook;
};

struct DatasetFilter {
  std::optional<std::string> from;  // YYYY-MM-DD, inclusive, on the collection date
  std::optional<std::string> to;
  bool identified = false;          // sensitive fields and ids in clear
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

std::string to_csv(const Dataset& dataset);
std::string to_jsonl(const Dataset& dataset);
std::string codebook_csv(const Dataset& dataset);

// One workbook with two sheets, "data" and "codebook"; numbers as numbers, text (Arabic
// included) as UTF-8 strings. Written to a temporary name and renamed into place.
Status write_xlsx(const Dataset& dataset, const std::filesystem::path& path);

}  // namespace amana::server
